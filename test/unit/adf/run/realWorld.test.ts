// Every expression of the real-world factories (../shared/fixtures), evaluated with nothing known
// about its context, and every pipeline of them run with default outcomes: evaluation errors are
// fine (an unknown value, a wrong type), internal errors and exceptions are not.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { describe, it, type TestContext } from 'node:test';
import { parseAdfString } from '../../../../src/core/adf/expressions';
import { evaluateAdfString } from '../../../../src/core/adf/run/evaluate';
import { factoryFromFolder } from '../../../../src/core/adf/run/factory';
import { runPipeline } from '../../../../src/core/adf/run/runPipeline';
import { findAdfFolders, readAdfFolder } from '../../../../src/core/project/loadProject';
import { NodeFileHost } from '../../../../src/core/files/nodeFileHost';
import { REAL_WORLD_ADF, REFERENCE_ADF, SHARED_MISSING, hasSharedFixtures } from '../../helpers/paths';

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.name.endsWith('.json')) out.push(p);
    }
  };
  visit(dir);
  return out.sort();
}

function strings(v: unknown, out: string[], depth = 0): void {
  if (depth > 200) return;
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out, depth + 1);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out, depth + 1);
}

function skipWithoutFixtures(t: TestContext): boolean {
  if (hasSharedFixtures()) return false;
  t.skip(SHARED_MISSING);
  return true;
}

describe('the real-world factories', () => {
  it('evaluate every expression without an internal error', t => {
    if (skipWithoutFixtures(t)) return;
    let expressions = 0;
    let errors = 0;
    const internal: string[] = [];
    for (const file of [...jsonFiles(REAL_WORLD_ADF), ...jsonFiles(REFERENCE_ADF)]) {
      let value: unknown;
      try {
        value = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        continue;
      }
      const all: string[] = [];
      strings(value, all);
      for (const s of all) {
        if (!s.includes('@')) continue;
        const parsed = parseAdfString(s);
        if (parsed.kind === 'literal' || parsed.problems.length) continue;
        expressions++;
        const r = evaluateAdfString(s, {}, parsed);
        if (r.error?.internal)
          internal.push(`${path.relative(REAL_WORLD_ADF, file)}: ${s.slice(0, 120)}: ${r.error.message}`);
        else if (r.error) errors++;
      }
    }
    assert.deepEqual(internal, []);
    assert.ok(expressions > 1000, `${expressions} expressions evaluated`);
    t.diagnostic(
      `${expressions} expressions, ${errors} evaluation errors (a wrong type or a literal that is not what a function takes)`,
    );
  });

  it('run every pipeline with default outcomes, bounded, without an exception', async t => {
    if (skipWithoutFixtures(t)) return;
    const host = new NodeFileHost();
    let pipelines = 0;
    const started = Date.now();
    for (const folder of [...(await findAdfFolders(host, REAL_WORLD_ADF)), REFERENCE_ADF]) {
      const r = await readAdfFolder(host, folder);
      if (r.status !== 'ok') continue;
      const factory = factoryFromFolder(r.factory);
      for (const name of r.factory.artifacts.get('pipeline')?.keys() ?? []) {
        pipelines++;
        const result = runPipeline(factory, name, {
          now: '2024-01-01T00:00:00Z',
          limits: { maxActivityRuns: 2000, maxUntilIterations: 5 },
        });
        assert.ok(result.status === 'Succeeded' || result.status === 'Failed');
        assert.notEqual(result.error?.errorCode, 'DryRunInternalError', `${name}: ${result.error?.message}`);
        for (const run of result.runs)
          for (const e of run.evaluationErrors)
            assert.ok(!e.error.internal, `${name} > ${run.path}: ${e.error.message}`);
      }
    }
    assert.ok(pipelines > 20, `${pipelines} pipelines run`);
    t.diagnostic(`${pipelines} pipelines run in ${Date.now() - started} ms`);
  });
});
