#!/usr/bin/env node
// Runs VS Code extension integration tests inside a REAL VS Code extension host: code-server's
// (Node) extension host, with the workbench rendered by Debian's headless chromium driven by
// playwright-core. Nothing is downloaded from outside the npm registry / apt.
//
// How: the VS Code web workbench reads a `payload` URL query parameter
//   [["extensionDevelopmentPath", uri], ["extensionTestsPath", uri]]
// which a *built* VS Code honours only when the server runs with --enable-smoke-test-driver. The
// extension host loads the development extension, calls run() of the tests module and reports the
// result by calling window.codeAutomationExit(code) in the page; we expose that function (and
// codeAutomationLog, which carries the extension host's console output) through playwright.
//
// The CLI is what @vscode/test-electron passes to a VS Code executable, so ./bin/code can be given
// as its `vscodeExecutablePath`:
//   node run-tests.mjs --extensionDevelopmentPath=/abs/ext --extensionTestsPath=/abs/ext/out/test/e2e/index.js [folder]
// Other VS Code flags (--no-sandbox, --disable-updates, --user-data-dir=..., ...) are accepted and
// ignored: every run gets fresh user data, extensions and temp folders.
//
// Env:
//   NODE24, CODE_SERVER, CHROMIUM  paths (default: the provisioned host, see scripts/vscode-host.mjs)
//   SHOT_DIR            screenshots (<checkpoint>.png) and code-server.log; default <repo>/test-output/e2e
//   VSHOST_RUNS_DIR     parent of the per-run temp folder; default os.tmpdir() (kept short: unix socket paths)
//   VSHOST_TIMEOUT_MS   hard timeout of the whole run (default 900000: the suites on the emulator take minutes); exit code 124 when hit
//   VSHOST_WORKSPACE_TRUST=1   keep Workspace Trust on (default: off, security.workspace.trust.enabled=false)
//   VSHOST_SETTINGS     JSON object merged into the user settings.json
//   VSHOST_KEEP_RUN=1   keep the per-run temp folder (user data, logs) for debugging
//
// Checkpoints (see test/e2e/checkpoint.ts): a test writes <name>.req into $VSHOST_SYNC (the env var
// reaches the extension host). The content is empty or JSON
//   {"waitForText": "...", "selector": "css", "timeoutMs": 30000, "screenshot": true, "actions": [...]}
// The driver waits until waitForText is visible somewhere in the workbench (any frame, webviews
// included) or inside `selector` when both are given, saves a full-page <name>.png, plus
// <name>.element.png of the first element matching `selector`, and then writes <name>.ack with
// {"ok": true} or {"ok": false, "error": "..."}. With "screenshot": false no picture is saved.
// "actions" are then done in the page, in order, as a person would (tests drive the real quick
// picks, input boxes and dialogs this way): {"type": "text"} types into what has focus (a quick
// pick's filter, an input box), {"fill": "text"} replaces the focused input's text,
// {"press": "Enter"} presses a key, {"click": "Write"} clicks the first visible button whose
// name starts with that text (a dialog's button, say).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { REPO, hostPaths, missingHostParts, notProvisionedMessage } from '../../../scripts/vscode-host.mjs';

const HOST = hostPaths();
const SHOT_DIR = path.resolve(process.env.SHOT_DIR || path.join(REPO, 'test-output', 'e2e'));
const TOTAL_TIMEOUT_MS = Number(process.env.VSHOST_TIMEOUT_MS || 900_000);
const TRUST = /^(1|true|on|enabled)$/i.test(process.env.VSHOST_WORKSPACE_TRUST || '');
const KEEP_RUN = process.env.VSHOST_KEEP_RUN === '1';

// ---- args (VS Code CLI style) -------------------------------------------------------------------
const devPaths = [];
let testsPath;
let folder;
const WITH_VALUE = new Set([
  'user-data-dir',
  'extensions-dir',
  'folder-uri',
  'file-uri',
  'locale',
  'crash-reporter-directory',
  'log',
  'profile',
  'inspect-extensions',
  'inspect-brk-extensions',
  'remote',
]);
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const m = /^--([^=]+)(?:=(.*))?$/s.exec(a);
  if (!m) {
    folder = path.resolve(a);
    continue;
  }
  const [, name, inline] = m;
  const val = () => inline ?? argv[++i];
  if (name === 'extensionDevelopmentPath') devPaths.push(toPath(val()));
  else if (name === 'extensionTestsPath') testsPath = toPath(val());
  else if (name === 'folder-uri') folder = toPath(val());
  else if (WITH_VALUE.has(name) && inline === undefined) i++;
}
function toPath(p) {
  return p.startsWith('file:') ? fileURLToPath(p) : path.resolve(p);
}
if (!devPaths.length || !testsPath) {
  console.error(
    'usage: run-tests.mjs --extensionDevelopmentPath=<dir> --extensionTestsPath=<module> [folder | x.code-workspace]',
  );
  process.exit(2);
}
const missing = missingHostParts();
if (missing.length) {
  console.error(notProvisionedMessage(missing));
  process.exit(2);
}

const t0 = Date.now();
const log = (...a) => console.log(`[vshost ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const freePort = () =>
  new Promise((res, rej) => {
    const s = net.createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

// ---- per-run folders (outside the repo; short path because of unix socket length limits) --------
const runsDir = process.env.VSHOST_RUNS_DIR || os.tmpdir();
fs.mkdirSync(runsDir, { recursive: true });
for (const d of fs.readdirSync(runsDir)) {
  // leftovers of killed runs, older than 6 h
  if (!d.startsWith('lhwb-run-')) continue;
  try {
    if (Date.now() - fs.statSync(path.join(runsDir, d)).mtimeMs > 6 * 3600e3)
      fs.rmSync(path.join(runsDir, d), { recursive: true, force: true });
  } catch {
    /* racing another run */
  }
}
const tmp = fs.mkdtempSync(path.join(runsDir, 'lhwb-run-'));
const userData = path.join(tmp, 'user-data');
const extensionsDir = path.join(tmp, 'extensions');
const syncDir = path.join(tmp, 'sync');
const tmpDir = path.join(tmp, 't'); // code-server / extension host sockets (vscode-ipc-*.sock) go here
for (const d of [path.join(userData, 'User'), extensionsDir, syncDir, tmpDir, SHOT_DIR])
  fs.mkdirSync(d, { recursive: true });
let extraSettings = {};
if (process.env.VSHOST_SETTINGS) {
  try {
    extraSettings = JSON.parse(process.env.VSHOST_SETTINGS);
  } catch (e) {
    console.error(`VSHOST_SETTINGS is not JSON: ${e.message}`);
    process.exit(2);
  }
}
fs.writeFileSync(
  path.join(userData, 'User', 'settings.json'),
  JSON.stringify(
    {
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'chat.disableAIFeatures': true,
      'extensions.ignoreRecommendations': true,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'git.enabled': false,
      // VS Code's port finder scans /proc every few seconds from the extension host's thread (its
      // ExtHostTunnelService): blocks there that are not ours, in the figures of the scale test.
      'remote.autoForwardPorts': false,
      'files.autoSave': 'off',
      'security.workspace.trust.enabled': TRUST,
      ...extraSettings,
    },
    null,
    2,
  ),
);
fs.writeFileSync(path.join(tmp, 'config.yaml'), 'auth: none\ncert: false\n');
const port = await freePort();
const authority = `127.0.0.1:${port}`;

// ---- 1. code-server (requires Node 24) ------------------------------------------------------------
const csLogPath = path.join(SHOT_DIR, 'code-server.log');
const csLog = fs.createWriteStream(csLogPath);
const cs = spawn(
  HOST.node24,
  [
    HOST.codeServer,
    '--config',
    path.join(tmp, 'config.yaml'),
    '--auth',
    'none',
    '--bind-addr',
    authority,
    '--user-data-dir',
    userData,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(TRUST ? [] : ['--disable-workspace-trust']),
    '--vscode-option',
    'enable-smoke-test-driver', // REQUIRED: without it a built workbench ignores `payload` and the run hangs
    '--vscode-option',
    'skip-welcome',
    '--vscode-option',
    'skip-release-notes',
  ],
  {
    // the extension host inherits this env (so extensionTestsEnv of test-electron reaches the tests)
    env: {
      ...process.env,
      VSHOST_SYNC: syncDir,
      EXTENSIONS_GALLERY: '{}' /* no open-vsx.org */,
      XDG_CONFIG_HOME: path.join(tmp, 'config'),
      XDG_DATA_HOME: path.join(tmp, 'data'),
      TMPDIR: tmpDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: cleanup kills the extension host and its children too
  },
);
cs.stdout.pipe(csLog);
cs.stderr.pipe(csLog);
log(`code-server pid ${cs.pid} on http://${authority}  (run folder ${tmp}, log ${csLogPath})`);

let browser;
let page;
let exitCode = 1;
let cleaning;
let stopping = false; // set by the hard timeout / signals: code-server's exit is expected then
const cleanup = () =>
  (cleaning ??= (async () => {
    try {
      await browser?.close();
    } catch {
      /* already gone */
    }
    // code-server and everything it started (extension host, pty host, file watcher) share a process
    // group; stop them all before deleting their folders, else late writes leave the folder behind
    const groupAlive = () => {
      try {
        process.kill(-cs.pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      process.kill(-cs.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    for (let i = 0; i < 50 && groupAlive(); i++) await new Promise(r => setTimeout(r, 100));
    try {
      process.kill(-cs.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    for (let i = 0; i < 20 && groupAlive(); i++) await new Promise(r => setTimeout(r, 100));
    await new Promise(r => csLog.end(r));
    if (!KEEP_RUN) fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
    else log(`kept run folder ${tmp}`);
  })());
const shootFailure = async name => {
  try {
    await page?.screenshot({ path: path.join(SHOT_DIR, `${name}.png`), timeout: 5000 });
    log(`saved ${name}.png`);
  } catch {
    /* page gone */
  }
};
const hardTimer = setTimeout(async () => {
  stopping = true;
  log(`TOTAL TIMEOUT after ${TOTAL_TIMEOUT_MS} ms`);
  await shootFailure('timeout');
  await cleanup();
  process.exit(124);
}, TOTAL_TIMEOUT_MS);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, async () => {
    // process.on, not once: a terminal Ctrl-C reaches us twice (directly and via test-electron)
    if (stopping) return;
    stopping = true;
    log(`${sig}: stopping`);
    clearTimeout(hardTimer);
    await cleanup();
    process.exit(130);
  });
}

// ---- checkpoints ------------------------------------------------------------------------------------
async function textVisible(text, selector) {
  for (const frame of selector ? [page.mainFrame()] : page.frames()) {
    const scope = selector ? frame.locator(selector) : frame;
    // Visible text, or an input's placeholder (a quick pick or input box says what it asks there).
    for (const loc of [scope.getByText(text).first(), scope.getByPlaceholder(text).first()]) {
      try {
        if (await loc.isVisible()) return true;
      } catch {
        /* frame detached while looking */
      }
    }
  }
  return false;
}

async function takeCheckpoint(name, req) {
  const timeout = Number(req.timeoutMs ?? 30_000);
  let error;
  if (req.waitForText) {
    const until = Date.now() + timeout;
    while (!(await textVisible(req.waitForText, req.selector))) {
      if (Date.now() > until) {
        error = `text ${JSON.stringify(req.waitForText)} not visible${req.selector ? ` in ${req.selector}` : ''} within ${timeout} ms`;
        break;
      }
      await new Promise(r => setTimeout(r, 200));
    }
  }
  await page.waitForTimeout(300); // let animations and list re-layouts settle
  if (req.screenshot !== false) await page.screenshot({ path: path.join(SHOT_DIR, `${name}.png`), fullPage: true });
  if (req.selector) {
    try {
      await page
        .locator(req.selector)
        .first()
        .screenshot({ path: path.join(SHOT_DIR, `${name}.element.png`), timeout });
    } catch (e) {
      error ??= `element ${req.selector}: ${e.message.split('\n')[0]}`;
    }
  }
  if (error) throw new Error(error);
  for (const action of req.actions ?? []) await doAction(action, timeout);
}

async function doAction(action, timeout) {
  if (typeof action.type === 'string') await page.keyboard.type(action.type, { delay: 5 });
  else if (typeof action.fill === 'string') {
    await page.keyboard.press('Control+a');
    await page.keyboard.type(action.fill, { delay: 5 });
  } else if (typeof action.press === 'string') await page.keyboard.press(action.press);
  else if (typeof action.click === 'string') {
    // A button whose name starts with the text ("Write" for "Write 3 Files").
    const name = new RegExp(`^${action.click.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
    const button = page.getByRole('button', { name }).first();
    await button.click({ timeout });
  } else throw new Error(`unknown checkpoint action ${JSON.stringify(action)}`);
  await page.waitForTimeout(150); // the workbench reacts (a quick pick filters, a dialog closes)
}

try {
  for (let i = 0; ; i++) {
    if (cs.exitCode !== null) throw new Error(`code-server exited early (${cs.exitCode}), see ${csLogPath}`);
    try {
      if ((await fetch(`http://${authority}/healthz`)).ok) break;
    } catch {
      /* not yet */
    }
    if (i > 600) throw new Error(`code-server did not come up within 60s, see ${csLogPath}`);
    await new Promise(r => setTimeout(r, 100));
  }
  log('code-server up');

  // ---- 2. headless chromium (Debian package) via playwright-core ---------------------------------
  browser = await chromium.launch({
    executablePath: HOST.chromium,
    headless: true,
    // playwright's own signal handlers would exit the process before cleanup() stops code-server
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('pageerror', e => log('[pageerror]', e.message));
  let resolveExit;
  const exited = new Promise(r => {
    resolveExit = r;
  });
  // the extension host's console output (the mocha reporter etc.) is forwarded to the page and lands here
  await page.exposeFunction('codeAutomationLog', (level, args) => {
    const text = util.format(...(Array.isArray(args) ? args : [args])).replace(/\n$/, '');
    if (
      text.trim() &&
      !/^(Ignoring fetching additional builtin|Creating a socket|Resolv(ing|ed) connection token|\[AccountPolicyGate\]|\[AgentHost)/.test(
        text,
      )
    ) {
      console.log(level === 'error' ? `ERR ${text}` : text);
    }
  });
  await page.exposeFunction('codeAutomationExit', code => resolveExit(code));

  const remote = p => `vscode-remote://${authority}${p}`;
  const payload = [
    ...devPaths.map(p => ['extensionDevelopmentPath', remote(p)]),
    ['extensionTestsPath', remote(testsPath)],
  ];
  const where = folder
    ? `${folder.endsWith('.code-workspace') ? 'workspace' : 'folder'}=${encodeURIComponent(folder)}`
    : 'ew=true';
  // E2E_RENDERER_PROFILE=1: a CPU profile of the workbench's page (the renderer) over the whole run, beside the screenshots.
  const rendererProfile = process.env.E2E_RENDERER_PROFILE ? await page.context().newCDPSession(page) : undefined;
  if (rendererProfile) {
    await rendererProfile.send('Profiler.enable');
    await rendererProfile.send('Profiler.start');
  }
  await page.goto(`http://${authority}/?${where}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  log('workbench rendered');

  // ---- 3. checkpoints requested by the tests ----------------------------------------------------
  let done = false;
  const poller = (async () => {
    while (!done) {
      for (const f of fs
        .readdirSync(syncDir)
        .filter(n => n.endsWith('.req'))
        .sort()) {
        const name = f.slice(0, -4);
        const taken = path.join(syncDir, `${name}.taken`);
        fs.renameSync(path.join(syncDir, f), taken);
        let ack;
        try {
          const text = fs.readFileSync(taken, 'utf8').trim();
          await takeCheckpoint(name, text.startsWith('{') ? JSON.parse(text) : {});
          log(`checkpoint '${name}' -> ${path.join(SHOT_DIR, `${name}.png`)}`);
          ack = { ok: true };
        } catch (e) {
          log(`checkpoint '${name}' FAILED: ${e.message}`);
          ack = { ok: false, error: e.message };
        }
        fs.writeFileSync(path.join(syncDir, `${name}.ack.tmp`), JSON.stringify(ack));
        fs.renameSync(path.join(syncDir, `${name}.ack.tmp`), path.join(syncDir, `${name}.ack`));
      }
      await new Promise(r => setTimeout(r, 100));
    }
  })();

  exitCode = await Promise.race([
    exited,
    new Promise((_, rej) => cs.once('exit', c => rej(new Error(`code-server died (${c}), see ${csLogPath}`)))),
  ]);
  log(`extension host reported exit code ${exitCode}`);
  if (rendererProfile) {
    const { profile } = await rendererProfile.send('Profiler.stop');
    fs.writeFileSync(path.join(SHOT_DIR, 'renderer.cpuprofile'), JSON.stringify(profile));
  }
  done = true;
  await poller;
  if (exitCode !== 0) await shootFailure('failure');
} catch (e) {
  if (stopping) await new Promise(r => setTimeout(r, 60_000)); // the timeout / signal handler exits the process meanwhile
  log('ERROR', e.stack ?? e);
  await shootFailure('failure');
  exitCode = 1;
} finally {
  clearTimeout(hardTimer);
  await cleanup();
}
if (!Number.isInteger(exitCode)) exitCode = 1;
log(`done, exit ${exitCode}`);
process.exit(exitCode);
