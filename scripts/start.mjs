#!/usr/bin/env node
// `npm start`: build the extension, then open the Spotify sample with the extension loaded from
// this folder (as an extension under development):
//   - desktop VS Code when a `code` command is on PATH:
//       code --extensionDevelopmentPath=<repo> <repo>/samples/spotify
//   - otherwise code-server in the browser (provisioned by scripts/provision-vscode-host.sh), on
//     http://127.0.0.1:$PORT (default 8080, or a free port when taken), no password. Stays in the
//     foreground until Ctrl-C.
//
// How the browser workbench loads the development extension: code-server runs with
// `--vscode-option enable-smoke-test-driver`, which makes the workbench honour the `payload` URL
// parameter [["extensionDevelopmentPath", "vscode-remote://<host>/<repo>"]] — the same mechanism
// desktop VS Code uses for its Extension Development Host window. The extension is loaded
// straight from the repo (package.json + dist/), so after a rebuild (`npm run build`, or
// `node scripts/build.mjs --watch` in another terminal) "Developer: Reload Window" picks up the
// new code; the payload survives reloads. Open the printed URL (the plain root URL opens the
// workbench WITHOUT the extension).
//
//   node scripts/start.mjs            # or: npm start
//   node scripts/start.mjs --check    # start, load the URL in headless chromium, verify that the
//                                     # extension is running, stop (exit 0/1); used to test this script
// On a folder with a lakehouse.yaml (the sample by default) it first starts the project's local
// emulator (`lakehouse emulator start`: a Data Factory, Azurite and, when provisioned, a Databricks
// workspace on this machine) and makes `local` the default environment of the interactive profile,
// so deploy, the Lake and Runs views, trigger and backfill work without an Azure subscription; the
// emulator is stopped with the server (desktop VS Code: left running, with how to stop it).
// Env: PORT; LAKEHOUSE_START=web (code-server even if `code` exists) | desktop; START_EMULATOR=0;
//      LAKEHOUSE_WORKSPACE_TRUST=1 (keep Workspace Trust on; default off, as in the e2e tests);
//      START_SKIP_BUILD=1; START_EXTENSION_PATH / START_WORKSPACE (other extension / folder);
//      LAKEHOUSE_VSCODE_HOST (see provision-vscode-host.sh).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { REPO, PROVISION_SCRIPT, hostPaths } from './vscode-host.mjs';

const check = process.argv.includes('--check');
const extensionPath = path.resolve(process.env.START_EXTENSION_PATH || REPO);
const workspace = path.resolve(process.env.START_WORKSPACE || path.join(REPO, 'samples', 'spotify'));
const trust = /^(1|true|on|enabled)$/i.test(process.env.LAKEHOUSE_WORKSPACE_TRUST || '');
const say = msg => console.log(`[start] ${msg}`);
let emulatorStarted = false; // by this run: stopped again when it ends
let emulatorRunning = false;
const die = msg => {
  console.error(`[start] ${msg}`);
  stopEmulator();
  process.exit(1);
};

// ---- 1. build ------------------------------------------------------------------------------------
if (!process.env.START_SKIP_BUILD) {
  const build = path.join(REPO, 'scripts', 'build.mjs');
  if (!fs.existsSync(build)) die(`${build} is missing`);
  say('building the extension');
  const r = spawnSync(process.execPath, [build], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) die(`build failed (exit ${r.status ?? r.signal})`);
}
if (!fs.existsSync(workspace)) die(`workspace folder ${workspace} does not exist`);

// ---- 1b. the local emulator ---------------------------------------------------------------------
const cliJs = path.join(extensionPath, 'dist', 'cli.js');
function lakehouseCli(args) {
  return spawnSync(process.execPath, [cliJs, ...args, '--project', workspace, '--format', 'json'], {
    cwd: REPO,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
if (
  process.env.START_EMULATOR !== '0' &&
  fs.existsSync(path.join(workspace, 'lakehouse.yaml')) &&
  fs.existsSync(cliJs)
) {
  const before = lakehouseCli(['emulator', 'status']);
  const wasRunning = before.status === 0 && /"running":true/.test(before.stdout);
  say(
    wasRunning
      ? 'the local emulator is already running'
      : 'starting the local emulator (Data Factory, Azurite, Databricks workspace)',
  );
  const started = wasRunning ? before : lakehouseCli(['emulator', 'start']);
  if (started.status === 0) {
    emulatorStarted = !wasRunning;
    emulatorRunning = true;
    const state = JSON.parse(started.stdout.trim().split('\n').pop() || '{}');
    say(
      `local emulator: Data Factory ${state.adf}, blob ${state.blob ?? 'none'}, Databricks ` +
        `${state.databricksProxy ? 'workspace' : 'none (bash scripts/provision-databricks-cli.sh adds one)'}`,
    );
  } else
    say(
      `the local emulator did not start (the extension works without it): ${(started.stderr || started.stdout).trim()}`,
    );
}
function stopEmulator() {
  if (!emulatorStarted) return;
  emulatorStarted = false;
  const stopped = lakehouseCli(['emulator', 'stop']);
  say(stopped.status === 0 ? 'local emulator stopped' : `stopping the local emulator failed: ${stopped.stderr.trim()}`);
}

// ---- 2. desktop VS Code --------------------------------------------------------------------------
function onPath(cmd) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const f = path.join(dir, cmd);
    try {
      fs.accessSync(f, fs.constants.X_OK);
      if (fs.statSync(f).isFile()) return f;
    } catch {
      /* next */
    }
  }
  return undefined;
}
const mode = process.env.LAKEHOUSE_START;
const desktop = mode === 'web' || check ? undefined : onPath('code');
if (mode === 'desktop' && !desktop) die('LAKEHOUSE_START=desktop but no `code` command on PATH');
if (desktop) {
  say(`opening ${workspace} in ${desktop} with the extension from ${extensionPath}`);
  if (emulatorStarted)
    say(
      `the local emulator keeps running; stop it with: npx lakehouse emulator stop --project ${path.relative(process.cwd(), workspace) || '.'}`,
    );
  const child = spawn(desktop, [`--extensionDevelopmentPath=${extensionPath}`, workspace], { stdio: 'inherit' });
  child.on('exit', code => process.exit(code ?? 1));
} else {
  await startWeb();
}

// ---- 3. code-server in the browser ---------------------------------------------------------------
function portFree(port) {
  return new Promise(resolve => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startWeb() {
  say('no desktop `code` on PATH: using code-server (browser)');
  const prov = spawnSync('bash', [PROVISION_SCRIPT], { cwd: REPO, stdio: 'inherit' });
  if (prov.status !== 0) die(`provisioning failed (exit ${prov.status ?? prov.signal}); see above`);
  const host = hostPaths();

  const wanted = Number(process.env.PORT || 8080);
  let port = wanted;
  if (!(await portFree(wanted))) {
    port = await freePort();
    say(`port ${wanted} is taken, using ${port}`);
  }
  const authority = `127.0.0.1:${port}`;

  // persistent profile for interactive use (settings, trust decisions, UI state), outside the repo
  const home = path.join(host.dir, 'interactive');
  const userData = path.join(home, 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(path.join(home, 'extensions'), { recursive: true });
  const settings = path.join(userData, 'User', 'settings.json');
  // The sample works on the local emulator until the user chooses an environment.
  if (fs.existsSync(settings) && process.env.START_EMULATOR !== '0') {
    try {
      const current = JSON.parse(fs.readFileSync(settings, 'utf8'));
      if (current['lakehouse.defaultEnvironment'] === undefined) {
        current['lakehouse.defaultEnvironment'] = 'local';
        fs.writeFileSync(settings, JSON.stringify(current, null, 2));
      }
    } catch {
      /* a settings file the user edited by hand (comments): left alone */
    }
  }
  if (!fs.existsSync(settings)) {
    fs.writeFileSync(
      settings,
      JSON.stringify(
        {
          'workbench.startupEditor': 'none',
          'telemetry.telemetryLevel': 'off',
          'update.mode': 'none',
          'extensions.autoCheckUpdates': false,
          'extensions.autoUpdate': false,
          'workbench.secondarySideBar.defaultVisibility': 'hidden',
          'chat.disableAIFeatures': true,
          ...(process.env.START_EMULATOR !== '0' ? { 'lakehouse.defaultEnvironment': 'local' } : {}),
        },
        null,
        2,
      ),
    );
  }
  fs.writeFileSync(path.join(home, 'config.yaml'), 'auth: none\ncert: false\n');

  const cs = spawn(
    host.node24,
    [
      host.codeServer,
      '--config',
      path.join(home, 'config.yaml'),
      '--auth',
      'none',
      '--bind-addr',
      authority,
      '--user-data-dir',
      userData,
      '--extensions-dir',
      path.join(home, 'extensions'),
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      ...(trust ? [] : ['--disable-workspace-trust']),
      '--vscode-option',
      'enable-smoke-test-driver', // makes the workbench honour the `payload` URL parameter
      workspace,
    ],
    {
      env: { ...process.env, XDG_DATA_HOME: path.join(home, 'data'), XDG_CONFIG_HOME: path.join(home, 'config') },
      stdio: check ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
      detached: true, // own process group, stopped as a whole below
    },
  );
  let csOut = '';
  if (check)
    for (const s of [cs.stdout, cs.stderr])
      s.on('data', d => {
        csOut += d;
      });

  let stopping = false;
  const stop = async code => {
    if (stopping) return;
    stopping = true;
    const alive = () => {
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
    for (let i = 0; i < 50 && alive(); i++) await new Promise(r => setTimeout(r, 100));
    try {
      process.kill(-cs.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    stopEmulator();
    process.exit(code);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.on(sig, () => {
      say('stopping code-server');
      void stop(0);
    });
  cs.on('exit', code => {
    if (!stopping) {
      if (check) console.error(csOut);
      die(`code-server exited (${code})`);
    }
  });

  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://${authority}/healthz`)).ok) break;
    } catch {
      /* not yet */
    }
    if (i > 600) {
      if (check) console.error(csOut);
      say('code-server did not come up within 60 s');
      await stop(1);
    }
    await new Promise(r => setTimeout(r, 100));
  }

  const payload = [['extensionDevelopmentPath', `vscode-remote://${authority}${extensionPath}`]];
  const url = `http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  console.log('');
  say(
    `code-server ${authority} is up with ${path.relative(REPO, extensionPath) || 'this extension'} under development and ${workspace} open.`,
  );
  say('Open this URL in a browser (the root URL alone opens VS Code without the extension):');
  console.log(`\n  ${url}\n`);
  say('After rebuilding, run "Developer: Reload Window". Ctrl-C stops the server.');

  if (check) {
    let ok = false;
    try {
      ok = await smokeCheck(url);
    } catch (e) {
      console.error(`[start] check failed: ${e.stack ?? e}`);
    }
    if (!ok) console.error(csOut);
    say(ok ? 'check passed' : 'check FAILED');
    await stop(ok ? 0 : 1);
  }
}

// Loads the URL in headless chromium and checks that the extension under development really runs:
// its activity-bar container opens and its Sources view lists what the workspace declares (rows
// that only the extension's tree provider can produce). On the built-in sample, the source system
// "spotify_sql" must be among them.
async function smokeCheck(url) {
  const { chromium } = await import('playwright-core');
  const pkg = JSON.parse(fs.readFileSync(path.join(extensionPath, 'package.json'), 'utf8'));
  const label = pkg.displayName || `${pkg.publisher}.${pkg.name}`;
  const container = pkg.contributes?.viewsContainers?.activitybar?.[0]?.title;
  const expected = workspace === path.join(REPO, 'samples', 'spotify') ? 'spotify_sql' : undefined;
  const shotDir = path.join(REPO, 'test-output', 'start-check');
  fs.rmSync(shotDir, { recursive: true, force: true });
  fs.mkdirSync(shotDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: hostPaths().chromium,
    headless: true,
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
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 30_000 });
    say('workbench rendered');
    const item = page.locator(`.part.activitybar [aria-label^=${JSON.stringify(container ?? label)}]`).first();
    await item.waitFor({ timeout: 60_000 });
    await item.click();
    const rows = page.locator('#workbench\\.parts\\.sidebar .monaco-list-row');
    const deadline = Date.now() + 90_000;
    let texts = [];
    while (Date.now() < deadline) {
      texts = (await rows.evaluateAll(els => els.map(e => e.getAttribute('aria-label') || e.textContent || '')))
        .map(t => t.replace(/\s+/g, ' ').trim())
        .filter(Boolean);
      if (texts.length && (!expected || texts.some(t => t.includes(expected)))) break;
      await page.waitForTimeout(500);
    }
    let ok = texts.length > 0 && (!expected || texts.some(t => t.includes(expected)));
    // With the emulator started, the sample works on it: the status bar names the local emulator.
    if (ok && emulatorRunning) {
      const statusBar = page.locator('#workbench\\.parts\\.statusbar');
      const until = Date.now() + 30_000;
      let status = '';
      while (Date.now() < until && !/local emulator/.test(status)) {
        status = (await statusBar.textContent()) ?? '';
        if (!/local emulator/.test(status)) await page.waitForTimeout(500);
      }
      if (/local emulator/.test(status))
        say('the status bar says "local emulator": operations go to the local emulator');
      else {
        console.error(`[start] the status bar does not name the local emulator: ${JSON.stringify(status.trim())}`);
        ok = false;
      }
    }
    const shot = path.join(shotDir, ok ? 'sources-view.png' : 'failure.png');
    await page.screenshot({ path: shot });
    if (ok)
      say(
        `"${label}" runs: its Sources view lists ${texts
          .slice(0, 3)
          .map(t => JSON.stringify(t))
          .join(', ')}${texts.length > 3 ? ', …' : ''} (screenshot: ${path.relative(REPO, shot)})`,
      );
    else
      console.error(
        `[start] the "${container ?? label}" view shows ` +
          `${texts.length ? texts.map(t => JSON.stringify(t)).join(', ') : 'nothing'}${expected ? `, not ${expected}` : ''} ` +
          `(screenshot: ${path.relative(REPO, shot)})`,
      );
    return ok;
  } finally {
    await browser.close();
  }
}
