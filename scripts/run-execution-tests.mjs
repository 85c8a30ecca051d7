#!/usr/bin/env node
// The execution tier: the generated Databricks notebooks and pipelines run on a local Apache Spark
// with Delta Lake, Databricks-only features emulated by the harness in test/execution/ (README.md
// there). Provisions the project's Python environment (scripts/provision-python.mjs: pyspark,
// delta-spark, pytest... pinned in test/python/requirements.txt), then runs pytest on
// test/execution with that Python, Java 17 found for Spark, within a time budget.
//
//   node scripts/run-execution-tests.mjs [pytest args...]   # e.g. -k autoloader, -m "not spark_pipelines"
//
// Env: EXECUTION_TESTS_TIMEOUT (seconds, default 600): the whole tier's budget, Spark's start and
// the first run's downloads (pip, Maven Central into .spark-ivy/) excluded from nothing.
// Output: pytest's own, then its summary line ("N passed, M failed, K skipped in Xs"); on failure
// the last line is "run-execution-tests: FAILED: <reason>" and the exit code is 1.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { aptInstall } from './provision-python.mjs';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TESTS = path.join(REPO, 'test', 'execution');
const budgetSeconds = Number(process.env.EXECUTION_TESTS_TIMEOUT || 600);

/** pytest's totals from its summary line ("3 passed, 1 failed, 2 skipped, 1 error in 12.3s"). */
export function pytestCounts(output) {
  const lines = String(output)
    .split('\n')
    .filter(line => /\b(passed|failed|skipped|errors?|no tests ran)\b.* in [\d.]+s/.test(line));
  const line = lines.at(-1);
  if (!line) return undefined;
  const count = word => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
  return {
    passed: count('passed'),
    failed: count('failed') + count('errors?'),
    skipped: count('skipped') + count('xfailed'),
    line: line.replace(/^=+\s*|\s*=+$/g, ''),
  };
}

/** The tier's wall time, for `npm run bench` (test-output/execution/timing.json; only whole-tier runs). */
function writeTiming({ seconds, counts, code, timedOut, sparkStartSeconds }) {
  if (process.argv.length > 2) return; // a selection of tests is not the tier's figure
  const dir = path.join(REPO, 'test-output', 'execution');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'timing.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        seconds,
        sparkStartSeconds: Number.isFinite(sparkStartSeconds) ? sparkStartSeconds : null,
        passed: counts?.passed ?? 0,
        failed: counts?.failed ?? 0,
        exitCode: code,
        timedOut,
        budgetSeconds,
        loadAverage: os.loadavg()[0],
      },
      null,
      2,
    ),
  );
}

function fail(reason) {
  console.error(`run-execution-tests: FAILED: ${reason}`);
  process.exit(1);
}

function javaHome() {
  if (process.env.JAVA_HOME && fs.existsSync(path.join(process.env.JAVA_HOME, 'bin', 'java')))
    return process.env.JAVA_HOME;
  const jvm = '/usr/lib/jvm';
  const found = fs.existsSync(jvm)
    ? fs
        .readdirSync(jvm)
        .filter(d => /^java-17-openjdk/.test(d))
        .sort()
    : [];
  if (found.length) return path.join(jvm, found[0]);
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined; // java on PATH: pyspark uses it
  return null;
}

async function main() {
  const started = Date.now();
  const provision = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'provision-python.mjs')], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  process.stdout.write(provision.stdout ?? '');
  process.stderr.write(provision.stderr ?? '');
  const python = (provision.stdout ?? '').trim().split('\n').pop()?.trim();
  if (provision.status !== 0 || !python || !fs.existsSync(python)) {
    const reason =
      /provision-python: FAILED: (.+)/.exec(`${provision.stderr}\n${provision.stdout}`)?.[1] ??
      'the Python environment could not be provisioned';
    fail(reason);
  }
  let java = javaHome();
  // A new machine: Spark needs a Java 17 runtime (Debian's, as root or with passwordless sudo).
  if (java === null && aptInstall(['openjdk-17-jre-headless'], 'Spark runs on Java 17')) java = javaHome();
  if (java === null)
    fail('Java was not found: install Java 17 (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME');

  const env = { ...process.env, TZ: 'UTC', PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };
  if (java) env.JAVA_HOME = java;
  delete env.SPARK_HOME; // the pinned pyspark's own Spark, never a machine-wide one
  delete env.PYSPARK_PYTHON;
  const remaining = budgetSeconds - (Date.now() - started) / 1000;
  const args = [
    '-m',
    'pytest',
    '-c',
    path.join(TESTS, 'pytest.ini'),
    '--rootdir',
    TESTS,
    '--durations=15',
    ...process.argv.slice(2),
    TESTS,
  ];
  console.log(`\n$ ${python} ${args.join(' ')}   (budget ${Math.round(remaining)} s)`);
  const child = spawn(python, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', d => {
    output += d;
    process.stdout.write(d);
  });
  child.stderr.on('data', d => {
    output += d;
    process.stderr.write(d);
  });
  let timedOut = false;
  const timer = setTimeout(
    () => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 10000).unref();
    },
    Math.max(remaining, 1) * 1000,
  );
  const code = await new Promise(resolve => child.on('close', c => resolve(c ?? 1)));
  clearTimeout(timer);
  const seconds = Math.round((Date.now() - started) / 1000);
  const counts = pytestCounts(output);
  writeTiming({
    seconds,
    counts,
    code,
    timedOut,
    sparkStartSeconds: Number(/Spark session started in ([\d.]+) s/.exec(output)?.[1] ?? NaN),
  });
  if (timedOut)
    fail(
      `the tier took longer than its budget of ${budgetSeconds} s (EXECUTION_TESTS_TIMEOUT)${counts ? `: ${counts.line}` : ''}`,
    );
  if (!counts) fail(`pytest did not report (exit ${code}); see its output above`);
  if (code !== 0 || counts.failed) fail(`${counts.line} (exit ${code}, ${seconds} s in all)`);
  console.log(
    `run-execution-tests: ${counts.line} (${seconds} s in all, Python environment and Spark's start included)`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch(error => fail(error?.stack ?? String(error)));
}
