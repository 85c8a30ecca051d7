// Runs the real Databricks CLI (provisioned by scripts/provision-databricks-cli.sh) on a bundle,
// against the workspace stub (./workspaceStub.ts), in an environment of its own: a throwaway HOME,
// config file and caches, PAT auth from DATABRICKS_TOKEN, and none of the caller's DATABRICKS_*,
// ARM_*/AZURE_* or proxy variables. The user's ~/.databrickscfg is never read or written.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { TestContext } from 'node:test';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { WorkspaceStub } from './workspaceStub';
import {
  parseBundleDiagnostics,
  type BundleCliDiagnostic,
  type BundleCliSeverity,
} from '../../src/core/bundle/cliReport';

/** The repository root (this file compiles to out/test/bundle/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const CLI_DIR = path.join(REPO_ROOT, '.tools', 'databricks-cli');
export const CLI_BIN = path.join(CLI_DIR, 'bin', 'databricks');
export const NOT_PROVISIONED =
  'Databricks CLI not provisioned (bash scripts/provision-databricks-cli.sh builds it from the Go module proxy, about 6 min once)';

/**
 * The CLI binary, or why there is none. LAKEHOUSE_DATABRICKS_CLI (set by `npm test` once it has
 * provisioned the CLI) names a binary that must exist; otherwise the clone's .tools/ one, if provisioned.
 */
export function findDatabricksCli(): { cli?: string; reason?: string } {
  const promised = process.env.LAKEHOUSE_DATABRICKS_CLI;
  if (promised) {
    if (!fs.existsSync(promised)) throw new Error(`LAKEHOUSE_DATABRICKS_CLI=${promised} does not exist`);
    return { cli: promised };
  }
  if (fs.existsSync(CLI_BIN) && fs.existsSync(path.join(CLI_DIR, 'provisioned.stamp'))) return { cli: CLI_BIN };
  return { reason: NOT_PROVISIONED };
}

/** The CLI, or undefined after skipping the test with the reason (never a failure). */
export function needDatabricksCli(t: TestContext): string | undefined {
  const { cli, reason } = findDatabricksCli();
  if (!cli) t.skip(reason);
  return cli;
}

export type Severity = BundleCliSeverity;
export type CliDiagnostic = BundleCliDiagnostic;
/** The CLI's stderr read as the product reads it (src/core/bundle/cliReport.ts). */
export const parseDiagnostics = parseBundleDiagnostics;

export interface ValidateResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The resolved configuration printed by `-o json` (printed even when there are errors), if any. */
  config?: Record<string, unknown>;
  diagnostics: CliDiagnostic[];
  errors: CliDiagnostic[];
  warnings: CliDiagnostic[];
  recommendations: CliDiagnostic[];
}

/** The environment of one CLI run: nothing from the caller that could point it at a real workspace. */
export function isolatedEnv(stub: WorkspaceStub, home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (
      /^(DATABRICKS_|ARM_|AZURE_|GOOGLE_|BUNDLE_|HTTPS?_PROXY$|NO_PROXY$|ALL_PROXY$|SSL_CERT_|XDG_|GODEBUG$)/i.test(k)
    )
      continue;
    env[k] = v;
  }
  fs.mkdirSync(path.join(home, 'certs'), { recursive: true });
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    DATABRICKS_CONFIG_FILE: path.join(home, '.databrickscfg'), // never created
    DATABRICKS_TOKEN: stub.token,
    DATABRICKS_AUTH_TYPE: 'pat',
    HTTPS_PROXY: stub.url,
    NO_PROXY: '',
    SSL_CERT_FILE: stub.caFile, // trust only the stub's certificate
    SSL_CERT_DIR: path.join(home, 'certs'),
    NO_COLOR: '1',
    TERM: 'dumb',
  };
}

/** Runs `databricks <args>` in `cwd` against the stub; resolves with what it printed. */
export function runCli(
  cli: string,
  args: string[],
  cwd: string,
  stub: WorkspaceStub,
  timeoutMs = 120_000,
): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lhwb-dbx-home-'));
  return new Promise((resolve, reject) => {
    // async, never spawnSync: the stub answers from this process's event loop
    const child = spawn(cli, args, { cwd, env: isolatedEnv(stub, home), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', d => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', d => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', e => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', code => {
      clearTimeout(timer);
      fs.rmSync(home, { recursive: true, force: true });
      resolve({ exitCode: code, stdout, stderr });
    });
  });
}

/** `databricks bundle validate -t <target> -o json` in bundleDir. */
export async function bundleValidate(
  cli: string,
  bundleDir: string,
  target: string | undefined,
  stub: WorkspaceStub,
  extra: string[] = [],
): Promise<ValidateResult> {
  const args = ['bundle', 'validate', '-o', 'json', ...(target ? ['-t', target] : []), ...extra];
  const run = await runCli(cli, args, bundleDir, stub);
  let config: Record<string, unknown> | undefined;
  try {
    config = run.stdout.trim() ? (JSON.parse(run.stdout) as Record<string, unknown>) : undefined;
  } catch {
    config = undefined;
  }
  const diagnostics = parseDiagnostics(run.stderr);
  return {
    ...run,
    config,
    diagnostics,
    errors: diagnostics.filter(d => d.severity === 'Error'),
    warnings: diagnostics.filter(d => d.severity === 'Warning'),
    recommendations: diagnostics.filter(d => d.severity === 'Recommendation'),
  };
}

/** Copies a bundle folder to a temp folder (validate writes .databricks/ into the bundle root). */
export function copyBundle(dir: string): string {
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'lhwb-bundle-'));
  fs.cpSync(dir, dest, {
    recursive: true,
    filter: src => !['.databricks', '__pycache__'].includes(path.basename(src)),
  });
  return dest;
}

/** Writes a bundle (file name -> text) into a new temp folder. */
export function writeBundle(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lhwb-bundle-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** The targets of a databricks.yml and the host of each (a target's, else the top-level workspace's). */
export function bundleTargets(yamlText: string): { name: string; host?: string }[] {
  const doc = (parseYaml(yamlText) ?? {}) as {
    workspace?: { host?: string };
    targets?: Record<string, { workspace?: { host?: string } } | null>;
  };
  return Object.entries(doc.targets ?? {}).map(([name, t]) => ({
    name,
    host: t?.workspace?.host ?? doc.workspace?.host,
  }));
}

/** Host name of a workspace URL. */
export const hostName = (url: string): string => new URL(url).hostname;

/** A short human summary of a run, for test messages and logs. */
export function describeRun(r: ValidateResult): string {
  const diags = r.diagnostics.map(
    d => `${d.severity}: ${d.summary}${d.locations.length ? ` (in ${d.locations.join(', ')})` : ''}`,
  );
  return `exit ${r.exitCode}; ${diags.length ? diags.join(' | ') : 'no diagnostics'}`;
}
