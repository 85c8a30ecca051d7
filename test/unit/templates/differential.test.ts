// Tier 4: every corpus template rendered by our renderer and by Python's Jinja2 3.1 must give
// the same bytes, or both must fail. Cases marked .expect must fail with that kind on our side.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { verifyWithJinja2, type VerifyOutcome } from '../../../src/core/templates/jinja2Oracle';
import { needJinja2, PYTHON } from '../helpers/python';
import { loadCorpus } from './corpus';

test('the corpus has at least 80 templates', () => {
  assert.ok(loadCorpus().length >= 80, `only ${loadCorpus().length} cases`);
});

test('corpus renders byte-identically to Python Jinja2', async t => {
  if (!needJinja2(t)) return;
  const corpus = loadCorpus();
  const report = await verifyWithJinja2(corpus, { python: PYTHON });
  const problems: string[] = [];
  const deliberate: string[] = [];
  for (const outcome of report.outcomes) {
    const testCase = corpus.find(c => c.id === outcome.id)!;
    if (testCase.expectedErrorKind) {
      if (outcome.ours.ok || outcome.ours.error.kind !== testCase.expectedErrorKind) {
        problems.push(
          `${outcome.id}: expected our renderer to fail with '${testCase.expectedErrorKind}', got ${describeOurs(outcome)}`,
        );
      } else deliberate.push(`${outcome.id} (${testCase.expectedErrorKind}: ${outcome.ours.error.message})`);
      continue;
    }
    if (outcome.status === 'identical' || outcome.status === 'both-failed') continue;
    problems.push(describeProblem(outcome));
  }
  const matched = report.outcomes.length - deliberate.length - problems.length;
  console.log(
    `templates: ${matched}/${report.outcomes.length - deliberate.length} byte-identical to ` +
      `Jinja2 ${report.jinja2Version} (or failing in both); ${deliberate.length} deliberately ` +
      `refused`,
  );
  for (const line of deliberate) console.log(`  refused: ${line}`);
  assert.deepEqual(problems, []);
});

function describeOurs(outcome: VerifyOutcome): string {
  return outcome.ours.ok ? 'a successful render' : `${outcome.ours.error.kind}: ${outcome.ours.error.message}`;
}

function describeProblem(outcome: VerifyOutcome): string {
  switch (outcome.status) {
    case 'only-ours-failed':
      return (
        `${outcome.id}: we failed (${describeOurs(outcome)}) but Jinja2 rendered ` +
        `${JSON.stringify(outcome.jinja2.ok ? outcome.jinja2.text.slice(0, 200) : '')}`
      );
    case 'only-jinja2-failed':
      return (
        `${outcome.id}: Jinja2 failed ` +
        `(${outcome.jinja2.ok ? '' : `${outcome.jinja2.type}: ${outcome.jinja2.message}`}) but we ` +
        `rendered ${JSON.stringify(outcome.ours.ok ? outcome.ours.text.slice(0, 200) : '')}`
      );
    default:
      return (
        `${outcome.id}: output differs at ${outcome.firstDifference?.offset}: ours ` +
        `${JSON.stringify(outcome.firstDifference?.ours)} vs Jinja2 ` +
        `${JSON.stringify(outcome.firstDifference?.jinja2)}`
      );
  }
}
