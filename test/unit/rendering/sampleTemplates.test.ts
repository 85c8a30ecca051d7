// The built-in templates rendered on samples/spotify: every Python output compiles, our renderer
// and Python's Jinja2 agree byte for byte, and the committed outputs are up to date.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, it } from 'node:test';
import { planRenders } from '../../../src/core/rendering/plan';
import { checkOutputs, createJobRenderer, renderJobs } from '../../../src/core/rendering/run';
import { verificationCases } from '../../../src/core/rendering/verify';
import { loadProjectAt } from '../../../src/core/project/loadProject';
import { NodeFileHost } from '../../../src/core/files/nodeFileHost';
import { verifyWithJinja2 } from '../../../src/core/templates/jinja2Oracle';
import { needJinja2, NO_PYTHON_ENV, PYTHON, PYTHON_PROVISIONED } from '../helpers/python';
import { REPO_ROOT, SAMPLE_DIR } from '../helpers/paths';

const builtinTemplatesDir = path.join(REPO_ROOT, 'templates');

async function sampleJobs() {
  const snapshot = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
  const jobs = planRenders(snapshot, { builtinTemplatesDir });
  const outcomes = await renderJobs(jobs, createJobRenderer({ workerPath: null }));
  return { jobs, outcomes };
}

const python = spawnSync(PYTHON, ['--version'], { encoding: 'utf8' });
const hasPython = !python.error && python.status === 0;

describe('built-in templates on samples/spotify', () => {
  it('render every binding as a Databricks notebook', async () => {
    const { outcomes } = await sampleJobs();
    assert.equal(outcomes.length, 11);
    for (const { job, result } of outcomes) {
      assert.ok(result.ok, `${job.id}: ${result.ok ? '' : result.error.message}`);
      assert.ok(result.text.startsWith('# Databricks notebook source\n'), job.id);
      assert.ok(result.text.includes('\n# COMMAND ----------\n'), job.id);
      assert.ok(result.text.endsWith('\n') && !result.text.endsWith('\n\n'), `${job.id} ends with one newline`);
    }
  });

  it('produce Python that compiles (python -m py_compile)', async t => {
    if (!hasPython) {
      if (PYTHON_PROVISIONED) assert.fail(`LAKEHOUSE_PYTHON=${PYTHON} does not run`);
      return t.skip(`${NO_PYTHON_ENV}; ${PYTHON} is not available`);
    }
    const { outcomes } = await sampleJobs();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-pycompile-'));
    try {
      const files = outcomes
        .filter(o => o.job.language === 'python' && o.result.ok)
        .map((o, i) => {
          const file = path.join(dir, `out${i}_${path.basename(o.job.outputFile)}`);
          fs.writeFileSync(file, o.result.ok ? o.result.text : '');
          return file;
        });
      assert.equal(files.length, 11);
      const script =
        'import py_compile, sys\nfor f in sys.argv[1:]:\n    py_compile.compile(f, doraise=True, cfile=f + ".pyc")\n';
      const run = spawnSync(PYTHON, ['-c', script, ...files], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('render byte for byte as Python Jinja2 renders them', async t => {
    if (!needJinja2(t)) return;
    const { jobs } = await sampleJobs();
    const report = await verifyWithJinja2(verificationCases(jobs), { python: PYTHON });
    assert.deepEqual(
      report.outcomes.filter(o => o.status !== 'identical').map(o => [o.id, o.status, o.firstDifference]),
      [],
    );
    assert.equal(report.identical, 11);
  });

  it('match the outputs committed in samples/spotify/databricks/src', async () => {
    const { jobs, outcomes } = await sampleJobs();
    const checks = await checkOutputs(jobs, outcomes, new NodeFileHost());
    assert.deepEqual(
      checks.filter(c => c.status !== 'up-to-date').map(c => [path.relative(SAMPLE_DIR, c.job.outputFile), c.status]),
      [],
      'regenerate with: node bin/lakehouse.js render samples/spotify',
    );
  });
});
