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

interface ProcessRun {
  cwd?: string;
  env: NodeJS.ProcessEnv;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  signal?: AbortSignal;
  timeoutMs: number;
}

/** Runs a command to its end, its lines streamed, within a time limit and cancellable; never throws. */
function runProcess(
  file: string,
  args: string[],
  run: ProcessRun,
): Promise<{ exitCode: number | null; stdout: string; stderr: string; failure?: string }> {
  return new Promise(resolve => {
    let stdout = '';
    let stderr = '';
    let failure: string | undefined;
    if (run.signal?.aborted) {
      resolve({ exitCode: null, stdout, stderr, failure: 'cancelled' });
      return;
    }
    const child = spawn(file, args, {
      ...(run.cwd ? { cwd: run.cwd } : {}),
      env: run.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pending = { stdout: '', stderr: '' };
    const take = (stream: 'stdout' | 'stderr') => (chunk: string) => {
      if (stream === 'stdout') stdout += chunk;
      else stderr += chunk;
      if (!run.onLine) return;
      const parts = (pending[stream] + chunk).split(/\r?\n/);
      pending[stream] = parts.pop() ?? '';
      for (const line of parts) run.onLine(line, stream);
    };
    child.stdout.setEncoding('utf8').on('data', take('stdout'));
    child.stderr.setEncoding('utf8').on('data', take('stderr'));
    const stop = (why: string) => {
      failure ??= why;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    };
    const onAbort = () => stop('cancelled');
    run.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => stop(`timed out after ${Math.round(run.timeoutMs / 1000)} s`), run.timeoutMs);
    child.on('error', e => {
      failure ??= `${path.basename(file)} could not run: ${e.message}`;
    });
    child.on('close', code => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
      for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) run.onLine?.(pending[stream], stream);
      resolve({ exitCode: code, stdout, stderr, ...(failure ? { failure } : {}) });
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
  const run = await runProcess(file, ['--version'], { env: { ...process.env, NO_COLOR: '1' }, timeoutMs: 20_000 });
  const text = `${run.stdout}\n${run.stderr}`;
  const version = /Databricks CLI v(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!version) {
    const legacy = /^Version \d+\.\d+/m.test(text);
    return {
      ok: false,
      message: legacy
        ? `${file} is the legacy Python databricks-cli, which has no bundles. ${INSTALL_HINT}`
        : `${file} did not say which Databricks CLI it is (${(run.failure ?? text.trim()).slice(0, 200) || `exit ${run.exitCode}`}). ${INSTALL_HINT}`,
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

async function runBundle(run: BundleRun, args: string[]): Promise<BundleOutcome> {
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
  const outcome = await runProcess(run.cli.path, [...args, '-t', run.target], {
    cwd: run.bundleDir,
    env,
    ...(run.onLine ? { onLine: run.onLine } : {}),
    ...(run.signal ? { signal: run.signal } : {}),
    timeoutMs: run.timeoutMs ?? 900_000,
  });
  return { ...outcome, diagnostics: parseBundleDiagnostics(outcome.stderr) };
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
