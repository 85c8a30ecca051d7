// The local environment's Databricks workspace: tools/databricks-workspace (the Databricks CLI's
// own test server behind an HTTPS proxy), built next to the CLI by scripts/provision-databricks-cli.sh.
// Optional: without it the emulator has no Databricks side, and deploys say how to get one.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const WORKSPACE_BINARY = 'lakehouse-databricks-workspace';

export interface LocalDatabricks {
  /** The binary and the Databricks CLI provisioned with it (same folder), when there is one. */
  workspaceBin: string;
  cli?: string;
}

/**
 * The provisioned local workspace: LAKEHOUSE_DATABRICKS_WORKSPACE, else `<root>/.tools/databricks-cli/bin/`
 * (root: the extension's or the repository's folder). Undefined when not provisioned.
 */
export function findLocalDatabricks(root: string, env: NodeJS.ProcessEnv = process.env): LocalDatabricks | undefined {
  const named = env.LAKEHOUSE_DATABRICKS_WORKSPACE;
  const workspaceBin = named || path.join(root, '.tools', 'databricks-cli', 'bin', WORKSPACE_BINARY);
  if (!fs.existsSync(workspaceBin)) return undefined;
  const cli = path.join(path.dirname(workspaceBin), process.platform === 'win32' ? 'databricks.exe' : 'databricks');
  return { workspaceBin, ...(fs.existsSync(cli) ? { cli } : {}) };
}

export interface DatabricksWorkspaceProcess {
  /** The CONNECT proxy the CLI reaches *.azuredatabricks.net through (HTTPS_PROXY). */
  proxy: string;
  /** The CA that signs the workspace's certificates (SSL_CERT_FILE). */
  ca: string;
  /** The workspace's own plain-HTTP address (for tests that look inside). */
  url: string;
  pid: number;
  cli?: string;
  stop(): Promise<void>;
}

/** Starts the workspace; it exits when this process does (its stdin closes). */
export function startDatabricksWorkspace(
  local: LocalDatabricks,
  stateDir: string,
  timeoutMs = 30_000,
): Promise<DatabricksWorkspaceProcess> {
  fs.mkdirSync(stateDir, { recursive: true });
  const caFile = path.join(stateDir, 'databricks-ca.pem');
  return new Promise((resolve, reject) => {
    const child = spawn(local.workspaceBin, ['--ca-out', caFile, '--exit-with-stdin'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(
        new Error(
          `the local Databricks workspace (${local.workspaceBin}) did not start: ${why}${err ? `: ${err.trim().slice(-300)}` : ''}`,
        ),
      );
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs / 1000} s`), timeoutMs);
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (err.length < 64 * 1024) err += d;
    });
    child.on('error', e => fail(e.message));
    child.on('exit', code => fail(`it exited (${code})`));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const newline = out.indexOf('\n');
      if (newline < 0 || settled) return;
      let ready: { url?: string; proxy?: string; ca?: string };
      try {
        ready = JSON.parse(out.slice(0, newline)) as typeof ready;
      } catch {
        fail(`it printed '${out.slice(0, newline).slice(0, 200)}'`);
        return;
      }
      if (!ready.url || !ready.proxy || !ready.ca) {
        fail('its ready line lacks url, proxy or ca');
        return;
      }
      settled = true;
      clearTimeout(timer);
      let stopped: Promise<void> | undefined;
      resolve({
        proxy: ready.proxy,
        ca: ready.ca,
        url: ready.url,
        pid: child.pid!,
        ...(local.cli ? { cli: local.cli } : {}),
        stop: () =>
          (stopped ??= new Promise<void>(done => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.stdin.end();
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
          })),
      });
    });
  });
}
