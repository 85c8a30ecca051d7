// Our evaluator against Microsoft's: the PyPI package data-factory-testing-framework runs the
// Logic Apps expression engine (.NET assemblies) through pythonnet, on CoreCLR or, where no .NET
// runtime is installed, on Mono (Debian: apt-get install mono-devel). The corpus
// (differential-corpus.json) lists context-free, deterministic expressions: each value must be the
// same as the engine's JSON of it, and an entry marked "error" must fail in both.
//
// The Python comes from LAKEHOUSE_DFTF_PYTHON, else LAKEHOUSE_PYTHON (the project's venv), else
// python3; without the package (or a runtime to load it) the test skips and says why. Under Mono
// the engine's error messages cannot be built (a missing type), so errors are compared as errors
// only, and what it cannot evaluate there (non-UTC time zones, URI decoding, data URIs, XML) is not
// in the corpus: those follow Microsoft's reference (expressions.test.ts).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, it } from 'node:test';
import { evaluateAdfString } from '../../../../src/core/adf/run/evaluate';
import { parseTimestamp } from '../../../../src/core/adf/run/dates';
import { toJsonText, Unknown } from '../../../../src/core/adf/run/values';
import { REPO_ROOT } from '../../helpers/paths';

const HERE = path.join(REPO_ROOT, 'test', 'unit', 'adf', 'run');
const PYTHON = process.env.LAKEHOUSE_DFTF_PYTHON ?? process.env.LAKEHOUSE_PYTHON ?? 'python3';
const PACKAGE =
  'data-factory-testing-framework 1.4.x (pip) with a .NET runtime for pythonnet (or Mono: apt-get install mono-devel)';

interface Case {
  expression: string;
  error?: boolean;
}

function oracle(
  expressions: string[],
): { skip: string } | { results: ({ ok: true; result: string } | { ok: false; error: string })[] } {
  // Importing the package loads .NET: only look for it here.
  const find =
    "import importlib.util as u, sys; missing = [m for m in ('data_factory_testing_framework', " +
    "'pythonnet') if not u.find_spec(m)]; print(', '.join(missing)); sys.exit(1 if missing " +
    'else 0)';
  const probe = spawnSync(PYTHON, ['-c', find], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error || probe.status !== 0) {
    const why = probe.error
      ? probe.error.message
      : `no ${probe.stdout.trim() || probe.stderr.trim().split('\n').pop()}`;
    return {
      skip: `Microsoft's evaluator is not installed for ${PYTHON} (${why.slice(0, 200)}): install ${PACKAGE}, or set LAKEHOUSE_DFTF_PYTHON`,
    };
  }
  // The engine formats dates with the process's culture; ADF's is en-US. Mono may leave crash
  // reports in its working folder: a temporary one.
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'dftf-'));
  const run = spawnSync(PYTHON, [path.join(HERE, 'dftf_oracle.py')], {
    input: JSON.stringify(expressions),
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
    cwd,
    env: { ...process.env, LANG: 'en_US.UTF-8', LC_ALL: 'en_US.UTF-8' },
  });
  fs.rmSync(cwd, { recursive: true, force: true });
  const lines = (run.stdout ?? '').split('\n').filter(l => l.startsWith('{'));
  const ready = lines.length ? (JSON.parse(lines[0]!) as { ready?: boolean; error?: string }) : undefined;
  if (!ready?.ready)
    return {
      skip:
        `Microsoft's evaluator did not start ` +
        `(${ready?.error ?? run.error?.message ?? (run.stderr ?? '').trim().split('\n').pop() ?? 'no output'}): install ${PACKAGE}`,
    };
  const results = lines.slice(1).map(l => JSON.parse(l) as { ok: true; result: string } | { ok: false; error: string });
  assert.equal(
    results.length,
    expressions.length,
    `the oracle answered ${results.length} of ${expressions.length} (exit ${run.status}): ${(run.stderr ?? '').slice(-500)}`,
  );
  return { results };
}

describe("the evaluator against Microsoft's (data-factory-testing-framework)", () => {
  it('gives the same values, and fails where it fails', t => {
    const corpus = (
      JSON.parse(fs.readFileSync(path.join(HERE, 'differential-corpus.json'), 'utf8')) as { cases: Case[] }
    ).cases;
    const r = oracle(corpus.map(c => c.expression));
    if ('skip' in r) {
      t.skip(r.skip);
      return;
    }
    const now = parseTimestamp('2018-04-15T13:00:00Z');
    const differences: string[] = [];
    corpus.forEach((c, i) => {
      const theirs = r.results[i]!;
      const ours = evaluateAdfString(c.expression, { now });
      const ourText = ours.error
        ? undefined
        : ours.value instanceof Unknown
          ? ours.value.render()
          : toJsonText(ours.value);
      if (c.error) {
        if (theirs.ok)
          differences.push(`${c.expression}: the engine gives ${theirs.result}, the corpus expects an error`);
        if (!ours.error) differences.push(`${c.expression}: we give ${ourText}, the engine fails`);
        return;
      }
      if (!theirs.ok) differences.push(`${c.expression}: the engine fails (${theirs.error})`);
      else if (ours.error)
        differences.push(`${c.expression}: we fail (${ours.error.message}), the engine gives ${theirs.result}`);
      else if (ourText !== theirs.result)
        differences.push(`${c.expression}: we give ${ourText}, the engine ${theirs.result}`);
    });
    assert.deepEqual(differences, []);
    t.diagnostic(`${corpus.length} expressions agree with Microsoft's evaluator`);
  });
});
