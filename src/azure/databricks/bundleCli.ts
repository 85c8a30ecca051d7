// The Databricks side of a deploy runs the Databricks CLI (`databricks bundle plan|deploy -t
// <target>`), found on the PATH or where a setting says: bundles are the CLI's job, never ours.
// This adapter finds and checks the CLI, runs it with the output streamed line by line, and reads
// what it printed (the plan, the diagnostics) through the core.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  parseBundleDiagnostics,
  parseBundlePlan,
  BundlePlanError,
  type BundleCliDiagnostic,
  type BundlePlan,
} from '../../core/bundle';

/** `bundle plan` and `bundle deploy --plan` came in 0.267; the plan's version 2 with the direct engine. */
export const MIN_CLI_VERSION = [0, 267, 0] as const;

export const INSTALL_HINT =
  'Install the Databricks CLI (https://docs.databricks.com/aws/en/dev-tools/cli/install: ' +
  '`curl -fsSL https://raw.githubusercontent.com/databricks/setup-cli/main/install.sh | sh`, ' +
  '`brew install databricks/tap/databricks` or `winget install Databricks.DatabricksCLI`), ' +
  'or name its path in the setting lakehouse.databricks.cliPath (the CLI: --databricks-cli or LAKEHOUSE_DATABRICKS_CLI).';

export interface DatabricksCli {
  path: string;
  version: string;
}

export type FoundCli = { ok: true; cli: DatabricksCli } | { ok: false; message: string };

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** `databricks` on a PATH (with Windows' extensions), or undefined. */
export function onPath(envPath: string | undefined, platform = process.platform): string | undefined {
  const names = platform === 'win32' ? ['databricks.exe', 'databricks.cmd', 'databricks'] : ['databricks'];
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (executable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Runs a command to its end with a time limit; never throws. */
function capture(
  file: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string; error?: string }> {
  return new Promise(resolve => {
    let stdout = '';
    let stderr = '';
    let child;
    try {
      child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    } catch (e) {
      resolve({ code: null, stdout, stderr, error: (e as Error).message });
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', e => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, error: e.message });
    });
    child.on('close', code => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const newer = (v: number[], min: readonly number[]): boolean => {
  for (let i = 0; i < min.length; i++) if ((v[i] ?? 0) !== min[i]) return (v[i] ?? 0) > min[i]!;
  return true;
};

/**
 * The Databricks CLI to use: `configured` (a setting or flag; it must exist), else `databricks` on
 * the PATH. Checked by its `--version`: the legacy Python `databricks-cli` and releases without
 * `bundle plan` are refused with what to install instead.
 */
export async function findDatabricksCli(options: { configured?: string; envPath?: string } = {}): Promise<FoundCli> {
  const configured = options.configured?.trim();
  let file: string | undefined;
  if (configured) {
    if (!executable(configured))
      return {
        ok: false,
        message: `The Databricks CLI path '${configured}' is not an executable file. ${INSTALL_HINT}`,
      };
    file = configured;
  } else file = onPath(options.envPath ?? process.env.PATH);
  if (!file) return { ok: false, message: `The Databricks CLI is not on the PATH. ${INSTALL_HINT}` };
  const run = await capture(file, ['--version'], 20_000);
  const text = `${run.stdout}\n${run.stderr}`;
  const version = /Databricks CLI v(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!version) {
    const legacy = /^Version \d+\.\d+/m.test(text);
    return {
      ok: false,
      message: legacy
        ? `${file} is the legacy Python databricks-cli, which has no bundles. ${INSTALL_HINT}`
        : `${file} did not say which Databricks CLI it is (${(run.error ?? text.trim()).slice(0, 200) || `exit ${run.code}`}). ${INSTALL_HINT}`,
    };
  }
  const numbers = [Number(version[1]), Number(version[2]), Number(version[3])];
  if (!newer(numbers, MIN_CLI_VERSION))
    return {
      ok: false,
      message:
        `${file} is Databricks CLI v${numbers.join('.')}; showing the bundle's plan before deploying needs ` +
        `v${MIN_CLI_VERSION.join('.')} or later. ${INSTALL_HINT}`,
    };
  return { ok: true, cli: { path: file, version: numbers.join('.') } };
}

export interface BundleRun {
  cli: DatabricksCli;
  bundleDir: string;
  target: string;
  /** Variables for the CLI on top of this process's (auth for a target; the local workspace's proxy). */
  env?: Record<string, string | undefined>;
  /** Every line the CLI prints, as it prints it. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface BundleOutcome {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  diagnostics: BundleCliDiagnostic[];
  /** Set when the CLI could not run, was cancelled or timed out. */
  failure?: string;
}

function runBundle(run: BundleRun, args: string[]): Promise<BundleOutcome> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    TERM: 'dumb',
    // The CLI names its caller in the User-Agent it sends to the workspace.
    DATABRICKS_CLI_UPSTREAM: 'lakehouse-workbench',
  };
  for (const [k, v] of Object.entries(run.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return new Promise(resolve => {
    let stdout = '';
    let stderr = '';
    let failure: string | undefined;
    if (run.signal?.aborted) {
      resolve({ exitCode: null, stdout, stderr, diagnostics: [], failure: 'cancelled' });
      return;
    }
    const child = spawn(run.cli.path, [...args, '-t', run.target], {
      cwd: run.bundleDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = (stream: 'stdout' | 'stderr') => {
      let pending = '';
      return (chunk: string) => {
        if (stream === 'stdout') stdout += chunk;
        else stderr += chunk;
        if (!run.onLine) return;
        pending += chunk;
        const parts = pending.split(/\r?\n/);
        pending = parts.pop() ?? '';
        for (const line of parts) run.onLine(line, stream);
      };
    };
    child.stdout.setEncoding('utf8').on('data', lines('stdout'));
    child.stderr.setEncoding('utf8').on('data', lines('stderr'));
    const stop = (why: string) => {
      failure ??= why;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    };
    const onAbort = () => stop('cancelled');
    run.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => stop(`timed out after ${Math.round((run.timeoutMs ?? 900_000) / 1000)} s`),
      run.timeoutMs ?? 900_000,
    );
    child.on('error', e => {
      failure ??= `the Databricks CLI could not run: ${e.message}`;
    });
    child.on('close', code => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
      resolve({
        exitCode: code,
        stdout,
        stderr,
        diagnostics: parseBundleDiagnostics(stderr),
        ...(failure ? { failure } : {}),
      });
    });
  });
}

export type BundlePlanOutcome = BundleOutcome & { plan?: BundlePlan; planProblem?: string };

/** `databricks bundle plan -o json -t <target>`: what a deploy would change, read into a BundlePlan. */
export async function planBundle(run: BundleRun): Promise<BundlePlanOutcome> {
  const outcome = await runBundle(run, ['bundle', 'plan', '-o', 'json']);
  if (outcome.failure || outcome.exitCode !== 0) return outcome;
  try {
    return { ...outcome, plan: parseBundlePlan(outcome.stdout) };
  } catch (e) {
    if (!(e instanceof BundlePlanError)) throw e;
    return { ...outcome, planProblem: e.message };
  }
}

/**
 * `databricks bundle deploy -t <target> --plan <file> --auto-approve`: applies the plan that was
 * reviewed (the CLI refuses it if the workspace changed since), approved by the user already.
 */
export function deployBundle(run: BundleRun & { planFile: string }): Promise<BundleOutcome> {
  return runBundle(run, ['bundle', 'deploy', '--plan', run.planFile, '--auto-approve']);
}

/** The plan's JSON as the CLI printed it, written where `deploy --plan` reads it (inside the project). */
export function writePlanFile(folder: string, target: string, stdout: string): string {
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `${target.replace(/[^\w.-]/g, '_')}.plan.json`);
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, stdout.slice(Math.max(0, stdout.indexOf('{'))));
  fs.renameSync(temp, file);
  return file;
}
