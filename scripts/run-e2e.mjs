#!/usr/bin/env node
// Runs the e2e tests (out/test/e2e/*.test.js, built beforehand) in a real VS Code extension host
// through the standard runner, @vscode/test-electron's runTests().
//
// By default the "VS Code executable" is test/e2e/host/bin/code: code-server + headless chromium
// (provisioned by scripts/provision-vscode-host.sh). Set VSCODE_EXECUTABLE to a desktop VS Code
// (e.g. /usr/share/code/code, or the `code` of a VS Code installation) to run the same tests there.
//
//   node scripts/run-e2e.mjs
//
// Env (all optional):
//   VSCODE_EXECUTABLE   another VS Code executable to run the tests in
//   E2E_EXTENSION_PATH  extension under test            (default: the repo root)
//   E2E_TESTS_PATH      tests module exporting run()    (default: <repo>/out/test/e2e/index.js)
//   E2E_WORKSPACE       folder copied to a temp folder and opened (default: <repo>/samples/spotify)
//   E2E_KEEP_WORKSPACE=1  keep that copy after the run
//   E2E_GREP            only tests whose title matches
//   SHOT_DIR            screenshots + code-server.log (default: <repo>/test-output/e2e, emptied first)
//   VSHOST_TIMEOUT_MS, VSHOST_WORKSPACE_TRUST, VSHOST_SETTINGS, VSHOST_KEEP_RUN: see test/e2e/host/run-tests.mjs
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { REPO, hostPaths, missingHostParts, notProvisionedMessage } from './vscode-host.mjs';

const t0 = Date.now();
const extensionDevelopmentPath = path.resolve(process.env.E2E_EXTENSION_PATH || REPO);
const extensionTestsPath = path.resolve(process.env.E2E_TESTS_PATH || path.join(REPO, 'out/test/e2e/index.js'));
const workspaceSource = path.resolve(process.env.E2E_WORKSPACE || path.join(REPO, 'samples/spotify'));
const desktop = process.env.VSCODE_EXECUTABLE;
const defaultShotDir = path.join(REPO, 'test-output', 'e2e');
const shotDir = path.resolve(process.env.SHOT_DIR || defaultShotDir);

/** Exits 2; the last line is "run-e2e: FAILED: <reason>" (one line, repeated by npm test). */
function fail(reason, details) {
  if (details) console.error(details);
  console.error(`run-e2e: FAILED: ${reason}`);
  process.exit(2);
}

if (!fs.existsSync(extensionTestsPath)) fail(`${extensionTestsPath} does not exist; build first (npm run build)`);
if (!fs.existsSync(path.join(extensionDevelopmentPath, 'package.json')))
  fail(`no package.json in ${extensionDevelopmentPath}`);
if (!fs.existsSync(workspaceSource)) fail(`workspace ${workspaceSource} does not exist`);

let vscodeExecutablePath;
const extensionTestsEnv = { SHOT_DIR: shotDir };
if (desktop) {
  if (!fs.existsSync(desktop)) fail(`VSCODE_EXECUTABLE=${desktop} does not exist`);
  vscodeExecutablePath = desktop;
} else {
  const missing = missingHostParts();
  if (missing.length)
    fail(
      `the VS Code host is not provisioned: missing ${missing.join(', ')} (run bash scripts/provision-vscode-host.sh)`,
      notProvisionedMessage(missing),
    );
  const host = hostPaths();
  vscodeExecutablePath = path.join(REPO, 'test/e2e/host/bin/code');
  Object.assign(extensionTestsEnv, { NODE24: host.node24, CODE_SERVER: host.codeServer, CHROMIUM: host.chromium });
}

// Tests edit files: open a fresh copy of the sample, never the checked-in one. Same for the
// profile folders (test-electron would otherwise create .vscode-test/ in the current folder).
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lhwb-e2e-'));
const workspace = path.join(scratch, path.basename(workspaceSource));
fs.cpSync(workspaceSource, workspace, { recursive: true });
if (shotDir === defaultShotDir) fs.rmSync(shotDir, { recursive: true, force: true });
fs.mkdirSync(shotDir, { recursive: true });

console.log(
  `run-e2e: ${desktop ? `desktop VS Code ${desktop}` : 'code-server host'}; workspace copy ${workspace}; screenshots ${shotDir}`,
);
/**
 * The local emulator outlives the editor by design (it runs detached). A suite that stopped early
 * (a timeout, a crash) leaves the one it started: stop it, its Azurite and its Databricks workspace,
 * from the state file in the workspace copy.
 */
function stopLeftEmulator(folder) {
  const stateFile = path.join(folder, '.lakehouse', 'emulator', 'emulator.json');
  let state;
  try {
    state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  } catch {
    return;
  }
  for (const pid of [state.pid, state.storage?.azuritePid, state.databricks?.pid])
    if (Number.isInteger(pid) && pid > 0)
      try {
        process.kill(pid, 'SIGTERM');
        console.log(`run-e2e: stopped process ${pid} the emulator left running`);
      } catch {
        /* already gone */
      }
}

let code;
try {
  code = await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath,
    extensionTestsPath,
    extensionTestsEnv,
    launchArgs: [
      workspace,
      '--disable-extensions',
      `--user-data-dir=${path.join(scratch, 'user-data')}`,
      `--extensions-dir=${path.join(scratch, 'extensions')}`,
    ],
  });
} catch (e) {
  // runTests rejects with TestRunFailedError { code, signal } when the executable exits non-zero
  code = typeof e?.code === 'number' ? e.code : 1;
  if (typeof e?.code !== 'number') console.error(`run-e2e: ${e?.stack ?? e}`);
} finally {
  stopLeftEmulator(workspace);
  if (process.env.E2E_KEEP_WORKSPACE === '1') console.log(`run-e2e: kept ${scratch}`);
  else fs.rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
}
console.log(
  `run-e2e: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${((Date.now() - t0) / 1000).toFixed(1)}s; screenshots in ${shotDir}`,
);
process.exit(code);
