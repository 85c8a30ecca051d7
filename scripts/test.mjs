// npm test: type check, lint, the Python test environment (pinned, in .venv/), unit tests
// (node:test, plain Node), the execution tier (the generated notebooks and pipelines on local
// Spark with Delta Lake), then end-to-end tests in a real VS Code host (provisioned on first
// use). `--unit`, `--execution` or `--e2e` runs one tier only; `--filter=NAME` picks unit test
// files by name.
//
// The last line says what ran: "tests: N passed, M failed[, K skipped (why)]", followed by
// "; <tier> NOT RUN: <reason>" for each tier that could not run. Exit 0 only when every tier
// asked for ran and nothing failed.
import { spawn } from 'child_process';
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';
import { failureReason, mochaCounts, nodeTestCounts, skipReasons, summarize } from './test-summary.mjs';
import { pytestCounts } from './run-execution-tests.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const only = args.includes('--unit')
  ? 'unit'
  : args.includes('--e2e')
    ? 'e2e'
    : args.includes('--execution')
      ? 'execution'
      : 'all';
const filter = args.find(a => a.startsWith('--filter='))?.slice(9);
const totals = { passed: 0, failed: 0, skipped: 0, skipReasons: new Map(), notRun: [] };
const t0 = Date.now();

/** Runs a step with its output streamed and captured. */
function run(title, cmd, cmdArgs, env = process.env) {
  const started = Date.now();
  console.log(`\n== ${title}`);
  return new Promise(resolve => {
    const child = spawn(cmd, cmdArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    child.stdout.on('data', d => {
      output += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', d => {
      output += d;
      process.stderr.write(d);
    });
    child.on('error', error => {
      output += `\n${error.message}\n`;
    });
    child.on('close', (code, signal) => {
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      if (code === 0) console.log(`== ${title} ok (${secs}s)`);
      else console.error(`== ${title} FAILED (exit ${code ?? signal}) after ${secs}s`);
      resolve({ code: code ?? 1, output });
    });
  });
}

function finish() {
  const scope =
    only === 'all' ? undefined : { unit: 'unit tier', execution: 'execution tier', e2e: 'end-to-end tier' }[only];
  const { line, code } = summarize({ ...totals, scope });
  console.log(`\n(${Math.round((Date.now() - t0) / 1000)}s)\n${line}`);
  process.exit(code);
}
/** A step the rest depends on failed: say so on the last line. */
function stop(tier, reason) {
  totals.notRun.push({ tier, reason });
  finish();
}

const node = process.execPath;
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

// tsc both type-checks and emits the tests (and the code they import) to out/.
fs.rmSync(path.join(root, 'out'), { recursive: true, force: true });
const typeCheck = await run('type check and compile tests (tsc)', node, [tsc, '-p', 'tsconfig.json']);
if (typeCheck.code) {
  totals.failed++;
  stop('every tier', 'the type check failed (above)');
}
if (only === 'all') {
  const lint = await run('lint (eslint)', node, [
    path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'),
    'src',
    'test',
    'scripts',
  ]);
  if (lint.code) {
    totals.failed++;
    stop('every tier', 'lint failed (above)');
  }
  // Formatting is checked, never fixed, in a test run: `npx prettier --write .` fixes it.
  const format = await run('formatting (prettier --check)', node, [
    path.join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
    '--check',
    '.',
  ]);
  if (format.code) {
    totals.failed++;
    stop('every tier', 'files are not formatted (above): run `npx prettier --write .`');
  }
}

if (only === 'all' || only === 'unit') {
  // The Python the tests use (Jinja2 as the differential oracle, py_compile): the project's own
  // venv, never the machine's packages. Without it those tests skip, and the run does not pass.
  const env = { ...process.env };
  delete env.LAKEHOUSE_PYTHON;
  const python = await run('Python test environment (provision if needed)', node, [
    path.join(root, 'scripts', 'provision-python.mjs'),
  ]);
  const venvPython = python.output.trim().split('\n').pop()?.trim();
  if (python.code === 0 && venvPython && fs.existsSync(venvPython)) env.LAKEHOUSE_PYTHON = venvPython;
  else totals.notRun.push({ tier: 'Python tests (Jinja2 differential)', reason: failureReason(python.output) });

  // The real Databricks CLI checks the sample's bundle (`bundle validate` against a loopback
  // workspace). Built from source once (about 6 minutes), then instant.
  delete env.LAKEHOUSE_DATABRICKS_CLI;
  const cli = await run('Databricks CLI (provision if needed)', 'bash', [
    path.join(root, 'scripts', 'provision-databricks-cli.sh'),
  ]);
  const cliPath = cli.output.trim().split('\n').pop()?.trim();
  if (cli.code === 0 && cliPath && fs.existsSync(cliPath)) env.LAKEHOUSE_DATABRICKS_CLI = cliPath;
  else totals.notRun.push({ tier: 'bundle validation (Databricks CLI)', reason: failureReason(cli.output) });

  const tapFile = path.join(root, 'out', 'unit-tests.tap');
  const unit = await run(
    'unit tests (node:test)',
    node,
    [
      '--test',
      '--test-concurrency=2',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tapFile}`,
      ...unitFiles(),
    ],
    env,
  );
  const counts = nodeTestCounts(unit.output);
  totals.passed += counts.passed;
  totals.failed += counts.failed + (unit.code && !counts.failed ? 1 : 0);
  totals.skipped += counts.skipped;
  const tap = fs.existsSync(tapFile) ? fs.readFileSync(tapFile, 'utf8') : '';
  for (const [reason, n] of skipReasons(tap)) totals.skipReasons.set(reason, (totals.skipReasons.get(reason) ?? 0) + n);
}

if (only === 'all' || only === 'execution') await execution();
if (only === 'all' || only === 'e2e') await endToEnd();
finish();

/** The generated notebooks and pipelines, run on local Spark with Delta Lake (test/execution). */
async function execution() {
  const tier = 'execution tier (Spark)';
  const result = await run('execution tier: the generated lakehouse on local Spark + Delta Lake', node, [
    path.join(root, 'scripts', 'run-execution-tests.mjs'),
  ]);
  const counts = pytestCounts(result.output);
  if (
    !counts ||
    (result.code &&
      !counts.failed &&
      /run-execution-tests: FAILED: (Java|the Python|the tier took)/.test(result.output))
  ) {
    return void totals.notRun.push({ tier, reason: failureReason(result.output) });
  }
  totals.passed += counts.passed;
  totals.failed += counts.failed + (result.code && !counts.failed ? 1 : 0);
  totals.skipped += counts.skipped;
  if (counts.skipped)
    totals.skipReasons.set(
      'skipped execution tests',
      (totals.skipReasons.get('skipped execution tests') ?? 0) + counts.skipped,
    );
}

async function endToEnd() {
  const tier = 'end-to-end';
  const bundle = await run('bundle (esbuild)', node, [path.join(root, 'scripts', 'build.mjs')]);
  if (bundle.code)
    return void totals.notRun.push({ tier, reason: `the bundle did not build: ${failureReason(bundle.output)}` });
  // Idempotent and quick once done; installs code-server and Chromium on a new machine.
  const host = await run('VS Code host (provision if needed)', 'bash', [
    path.join(root, 'scripts', 'provision-vscode-host.sh'),
  ]);
  if (host.code)
    return void totals.notRun.push({
      tier,
      reason: `the VS Code host could not be provisioned: ${failureReason(host.output)}`,
    });
  const e2e = await run('end-to-end tests (real VS Code host)', node, [path.join(root, 'scripts', 'run-e2e.mjs')]);
  countMocha(tier, e2e);
  // The same host with Workspace Trust on and the sample untrusted: nothing renders or writes there.
  const restrictedShots = path.join(root, 'test-output', 'e2e-restricted');
  fs.rmSync(restrictedShots, { recursive: true, force: true });
  const restricted = await run(
    'end-to-end tests in Restricted Mode (Workspace Trust on)',
    node,
    [path.join(root, 'scripts', 'run-e2e.mjs')],
    {
      ...process.env,
      E2E_MODE: 'restricted',
      VSHOST_WORKSPACE_TRUST: '1',
      SHOT_DIR: restrictedShots,
      VSHOST_SETTINGS: JSON.stringify({
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.banner': 'always',
      }),
    },
  );
  countMocha('end-to-end (Restricted Mode)', restricted);
}

function countMocha(tier, result) {
  const counts = mochaCounts(result.output);
  if (!counts)
    return void totals.notRun.push({
      tier,
      reason: `the VS Code host did not run the tests (exit ${result.code}): ${failureReason(result.output)}`,
    });
  totals.passed += counts.passed;
  totals.failed += counts.failed + (result.code && !counts.failed ? 1 : 0);
  totals.skipped += counts.skipped;
  if (counts.skipped)
    totals.skipReasons.set(
      'pending end-to-end tests',
      (totals.skipReasons.get('pending end-to-end tests') ?? 0) + counts.skipped,
    );
}

function unitFiles() {
  // Node 20's test runner takes no globs: list the test files ourselves (the compiled unit tests,
  // and the tests of these scripts, which run as they are).
  const list = (dir, ext) =>
    fs
      .readdirSync(path.join(root, dir), { recursive: true })
      .map(String)
      .filter(f => f.endsWith(ext) && (!filter || f.includes(filter)))
      .sort()
      .map(f => path.join(dir, f));
  const files = [
    ...list(path.join('out', 'test', 'unit'), '.test.js'),
    // tier 2: the real Azure SDK clients against Azurite and the local Data Factory emulator
    ...(fs.existsSync(path.join(root, 'out', 'test', 'azure'))
      ? list(path.join('out', 'test', 'azure'), '.test.js')
      : []),
    ...list(path.join('test', 'scripts'), '.test.mjs'),
  ];
  if (!files.length) {
    // node --test with no file arguments would search the whole folder instead
    stop('unit tests', `no unit test files${filter ? ` match '${filter}'` : ''}`);
  }
  return files;
}
