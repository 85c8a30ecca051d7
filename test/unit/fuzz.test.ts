// Property-based fuzzing (test/fuzz/) as a bounded, deterministic test: a few hundred generated
// cases per target from a fixed seed, each run in a runner process (so a hang is timed and
// killed), checked for crashes, hangs, positions outside their file, incremental re-parses that
// differ from full parses, and template renders that do not end in a RenderResult. Every count
// must be 0. A failure lists each distinct finding with its input, also written to
// test-output/fuzz-unit/ (replay one with npm run fuzz -- --replay=FILE). `npm run fuzz` runs the
// long campaign, with shrinking.
import { before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { DEFAULT_OPTIONS, runFuzz, type FuzzReport } from '../fuzz/campaign';
import { describeInput, summaryTable, writeFindings } from '../fuzz/report';
import { FINDING_KINDS, TARGETS, type FindingKind, type TargetName } from '../fuzz/types';
import { REPO_ROOT } from './helpers/paths';

const SEED = 20260612;
const CASES: Record<TargetName, number> = {
  metadata: 300,
  incremental: 200,
  adf: 300,
  cli: 100,
  templates: 300,
  'template-parser': 300,
};
const OUT = path.join(REPO_ROOT, 'test-output', 'fuzz-unit');

describe(`fuzz: ${Object.values(CASES).reduce((a, b) => a + b)} generated cases, fast-check seed ${SEED}`, () => {
  let report: FuzzReport;
  let files = new Map<unknown, string>();

  before(async () => {
    console.log(`fuzz: seed ${SEED} (npm run fuzz -- --seed=${SEED} runs a longer campaign from it)`);
    report = await runFuzz({
      ...DEFAULT_OPTIONS,
      seed: SEED,
      cases: CASES,
      jobs: 2,
      shrink: false,
      log: () => undefined,
      progressEveryMs: 3_600_000,
    });
    files = writeFindings(report, OUT);
    for (const note of report.notes) console.log(`fuzz: ${note}`);
    console.log(summaryTable(report));
  });

  for (const target of TARGETS) {
    it(`${target}: no crash, hang, out-of-range position, incremental disagreement or template failure`, () => {
      const stats = report.stats[target];
      assert.ok(stats, `the ${target} target ran`);
      assert.equal(stats.cases, CASES[target], `${target}: every case ran`);
      const findings = report.findings.filter(f => f.target === target);
      const shown = findings
        .map(
          f =>
            `- [${f.kind}] in ${f.cases} case(s): ${f.message}\n  ${f.signature}${files.get(f) ? `\n  reproduction: ${files.get(f)}` : ''}\n${describeInput(
              f.first.input,
            )
              .slice(0, 1500)
              .split('\n')
              .map(l => `    ${l}`)
              .join('\n')}`,
        )
        .join('\n');
      const zero = Object.fromEntries(FINDING_KINDS.map(k => [k, 0])) as Record<FindingKind, number>;
      assert.deepEqual(stats.counts, zero, `${target}: cases with findings (seed ${SEED}):\n${shown}`);
    });
  }
});
