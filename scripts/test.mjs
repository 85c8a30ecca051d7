// npm test: type check, lint, unit tests (node:test, plain Node), then end-to-end tests in a real
// VS Code host. `--unit` or `--e2e` runs one tier only.
import { spawnSync } from 'child_process';
import { readdirSync, rmSync } from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const only = args.includes('--unit') ? 'unit' : args.includes('--e2e') ? 'e2e' : 'all';

function run(title, cmd, cmdArgs, opts = {}) {
  const t0 = Date.now();
  console.log(`\n== ${title}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', ...opts });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`== ${title} FAILED (exit ${r.status ?? r.signal}) after ${secs}s`);
    process.exit(r.status || 1);
  }
  console.log(`== ${title} ok (${secs}s)`);
}

const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
// tsc both type-checks and emits the tests (and the code they import) to out/.
rmSync(path.join(root, 'out'), { recursive: true, force: true });
run('type check and compile tests (tsc)', process.execPath, [tsc, '-p', 'tsconfig.json']);
if (only === 'all') run('lint (eslint)', process.execPath, [path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), 'src', 'test', 'scripts']);
if (only !== 'e2e') {
  run('unit tests (node:test)', process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...unitFiles()]);
}
if (only !== 'unit') {
  run('bundle (esbuild)', process.execPath, [path.join(root, 'scripts', 'build.mjs')]);
  run('end-to-end tests (real VS Code host)', process.execPath, [path.join(root, 'scripts', 'run-e2e.mjs')]);
}

function unitFiles() {
  // Node 20's test runner takes no globs: list the compiled test files ourselves.
  const filter = args.find(a => a.startsWith('--filter='))?.slice(9);
  const files = readdirSync(path.join(root, 'out', 'test', 'unit'), { recursive: true })
    .map(String)
    .filter(f => f.endsWith('.test.js') && (!filter || f.includes(filter)))
    .sort();
  return files.map(f => path.join('out', 'test', 'unit', f));
}
