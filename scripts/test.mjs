// npm test: type check, lint, unit tests (node:test, plain Node), then end-to-end tests in a real
// VS Code host (provisioned on first use). `--unit` or `--e2e` runs one tier only;
// `--filter=NAME` picks unit test files by name. Ends with one "tests: N passed, M failed" line.
import { spawn } from 'child_process';
import { readdirSync, rmSync } from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const only = args.includes('--unit') ? 'unit' : args.includes('--e2e') ? 'e2e' : 'all';
const totals = { passed: 0, failed: 0, skipped: 0 };

/** Runs a step with its output streamed and captured (for the counts). */
function run(title, cmd, cmdArgs) {
  const t0 = Date.now();
  console.log(`\n== ${title}`);
  return new Promise(resolve => {
    const child = spawn(cmd, cmdArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', d => { output += d; process.stdout.write(d); });
    child.stderr.on('data', d => { output += d; process.stderr.write(d); });
    child.on('close', (code, signal) => {
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      if (code === 0) console.log(`== ${title} ok (${secs}s)`);
      else console.error(`== ${title} FAILED (exit ${code ?? signal}) after ${secs}s`);
      resolve({ code: code ?? 1, output });
    });
  });
}

function finish(code) {
  console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
  process.exit(code);
}

const count = (re, text) => Number(re.exec(text)?.[1] ?? 0);
const node = process.execPath;
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

// tsc both type-checks and emits the tests (and the code they import) to out/.
rmSync(path.join(root, 'out'), { recursive: true, force: true });
if ((await run('type check and compile tests (tsc)', node, [tsc, '-p', 'tsconfig.json'])).code) finish(1);
if (only === 'all') {
  if ((await run('lint (eslint)', node, [path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), 'src', 'test', 'scripts'])).code) finish(1);
}
let failed = false;
if (only !== 'e2e') {
  const unit = await run('unit tests (node:test)', node, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...unitFiles()]);
  totals.passed += count(/ℹ pass (\d+)/, unit.output);
  totals.failed += count(/ℹ fail (\d+)/, unit.output) + (unit.code && !/ℹ fail [1-9]/.test(unit.output) ? 1 : 0);
  totals.skipped += count(/ℹ skipped (\d+)/, unit.output);
  failed ||= unit.code !== 0;
}
if (only !== 'unit') {
  if ((await run('bundle (esbuild)', node, [path.join(root, 'scripts', 'build.mjs')])).code) finish(1);
  // Idempotent and quick once done; installs code-server and Chromium on a new machine.
  if ((await run('VS Code host (provision if needed)', 'bash', [path.join(root, 'scripts', 'provision-vscode-host.sh')])).code) finish(1);
  const e2e = await run('end-to-end tests (real VS Code host)', node, [path.join(root, 'scripts', 'run-e2e.mjs')]);
  totals.passed += count(/(\d+) passing/, e2e.output);
  totals.failed += count(/(\d+) failing/, e2e.output) + (e2e.code && !/\d+ failing/.test(e2e.output) ? 1 : 0);
  totals.skipped += count(/(\d+) pending/, e2e.output);
  failed ||= e2e.code !== 0;
}
finish(failed ? 1 : 0);

function unitFiles() {
  // Node 20's test runner takes no globs: list the compiled test files ourselves.
  const filter = args.find(a => a.startsWith('--filter='))?.slice(9);
  const files = readdirSync(path.join(root, 'out', 'test', 'unit'), { recursive: true })
    .map(String)
    .filter(f => f.endsWith('.test.js') && (!filter || f.includes(filter)))
    .sort();
  if (!files.length) {
    // node --test with no file arguments would search the whole folder instead
    console.error(`no unit test files${filter ? ` match '${filter}'` : ''} in out/test/unit`);
    finish(1);
  }
  return files.map(f => path.join('out', 'test', 'unit', f));
}
