// The emulator as a background process, for `lakehouse emulator start` / `stop` and for the
// extension: start it detached (it outlives the command), wait until its state file says it is
// ready, find it again from that file, steer it through its control API, stop it by its pid.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import type { LocalDatabricks } from './databricksWorkspace';
import type { FaultRule } from './faults';
import type { OutcomeRule } from './outcomes';
import type { HistoricalRun } from './runs';
import { processAlive, readStateFile, removeStateFile, type EmulatorState } from './stateFile';

export interface StartProcessOptions {
  /** The emulator's entry: dist/emulator.js in the product, out/…/src/emulator/main.js in tests. */
  entry: string;
  /** Where the state file (emulator.json) and the log (emulator.log) go. */
  stateDir: string;
  project?: string;
  timing?: 'demo' | 'test';
  /** Keep the lake in this folder across restarts (the demo); in memory otherwise. */
  location?: string;
  adfPort?: number;
  blobPort?: number;
  noStorage?: boolean;
  /** Start the local Databricks workspace too. */
  databricks?: LocalDatabricks;
  /** How long to wait for it to be ready. Default 60 s (Azurite's start takes a few seconds on a busy machine). */
  timeoutMs?: number;
}

export const LOG_FILE_NAME = 'emulator.log';

export class EmulatorProcessError extends Error {}

/**
 * Starts the emulator detached and resolves with its state once it is ready. Refuses when the
 * folder already has a running emulator (use it, or stop it first); a stale state file is replaced.
 */
export async function startEmulatorProcess(options: StartProcessOptions): Promise<EmulatorState> {
  const existing = readStateFile(options.stateDir);
  if (existing.kind === 'running')
    throw new EmulatorProcessError(
      `An emulator is already running for ${options.stateDir} (process ${existing.state.pid}, ${existing.state.adf.endpoint}). Stop it first.`,
    );
  if (existing.kind === 'stale') removeStateFile(options.stateDir, existing.state.pid);
  fs.mkdirSync(options.stateDir, { recursive: true });
  const logFile = path.join(options.stateDir, LOG_FILE_NAME);
  const log = fs.openSync(logFile, 'w');
  const args = [options.entry, '--state-dir', options.stateDir, '--timing', options.timing ?? 'demo'];
  if (options.project) args.push('--project', options.project);
  if (options.location) args.push('--location', options.location);
  if (options.adfPort !== undefined) args.push('--adf-port', String(options.adfPort));
  if (options.blobPort !== undefined) args.push('--blob-port', String(options.blobPort));
  if (options.noStorage) args.push('--no-storage');
  if (options.databricks) {
    args.push('--databricks-workspace', options.databricks.workspaceBin);
    if (options.databricks.cli) args.push('--databricks-cli', options.databricks.cli);
  }
  // In the editor, process.execPath is the editor's own binary: ELECTRON_RUN_AS_NODE makes it a plain Node.
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', log, log],
    windowsHide: true,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  fs.closeSync(log);
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited (${code ?? signal})`));
  child.once('error', e => (exited = `could not start: ${e.message}`));
  child.unref();
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const read = readStateFile(options.stateDir);
    if (read.kind === 'running' && read.state.pid === child.pid) return read.state;
    const tail = () => fs.readFileSync(logFile, 'utf8').slice(-2_000).trim();
    if (exited)
      throw new EmulatorProcessError(`The emulator ${exited} before it was ready. Its log (${logFile}):\n${tail()}`);
    if (Date.now() > deadline) {
      if (child.pid) process.kill(child.pid, 'SIGTERM');
      throw new EmulatorProcessError(
        `The emulator was not ready within ${options.timeoutMs ?? 60_000} ms. Its log (${logFile}):\n${tail()}`,
      );
    }
    await new Promise(r => setTimeout(r, 50));
  }
}

/** Stops the emulator recorded in the folder; says what it found. */
export async function stopEmulatorProcess(
  stateDir: string,
  timeoutMs = 15_000,
): Promise<{ stopped: boolean; pid?: number; message: string }> {
  const read = readStateFile(stateDir);
  if (read.kind === 'none') return { stopped: false, message: `No emulator is recorded in ${stateDir}.` };
  if (read.kind === 'unreadable') return { stopped: false, message: read.reason };
  const pid = read.state.pid;
  const azurite = read.state.storage?.azuritePid;
  if (read.kind === 'stale') {
    // An emulator killed outright leaves its Azurite behind: stop that too.
    if (azurite !== undefined && isAzurite(azurite)) process.kill(azurite, 'SIGTERM');
    removeStateFile(stateDir, pid);
    return {
      stopped: false,
      pid,
      message: `The emulator recorded in ${stateDir} was not running (${read.reason}); its state file was removed.`,
    };
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await new Promise(r => setTimeout(r, 50));
  }
  if (azurite !== undefined && isAzurite(azurite)) process.kill(azurite, 'SIGTERM');
  removeStateFile(stateDir, pid);
  return { stopped: true, pid, message: `Stopped the local emulator (process ${pid}).` };
}

/**
 * Whether the process is still Azurite (a pid can be reused by an unrelated process after a
 * crash): its command line names Azurite's entry. Where the command line cannot be read (no
 * /proc), it is left alone.
 */
function isAzurite(pid: number): boolean {
  if (!processAlive(pid)) return false;
  try {
    return /azurite[\\/]dist[\\/]src[\\/]blob[\\/]main\.js/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}

/** The control API of an emulator in another process (a detached one, found by its state file). */
export class EmulatorControlClient {
  constructor(private readonly state: Pick<EmulatorState, 'control' | 'controlKey' | 'adf'>) {}

  health(): Promise<{ ok: boolean; label: string; endpoint: string; now: string }> {
    return this.call('GET', 'health');
  }
  async counts(): Promise<Record<string, number>> {
    return (await this.call<{ counts: Record<string, number> }>('GET', 'counts')).counts;
  }
  async resetCounts(): Promise<void> {
    await this.call('DELETE', 'counts');
  }
  async runs(): Promise<(Record<string, unknown> & { activityRuns: unknown[] })[]> {
    return (await this.call<{ runs: (Record<string, unknown> & { activityRuns: unknown[] })[] }>('GET', 'runs')).runs;
  }
  /** Finished runs put straight into the history; times as ISO text. */
  async importRuns(
    runs: (Omit<HistoricalRun, 'runStart' | 'runEnd'> & { runStart: string; runEnd: string })[],
  ): Promise<string[]> {
    return (await this.call<{ runIds: string[] }>('POST', 'runs/import', runs)).runIds;
  }
  async addFaults(...rules: FaultRule[]): Promise<void> {
    await this.call('POST', 'faults', rules);
  }
  async clearFaults(): Promise<void> {
    await this.call('DELETE', 'faults');
  }
  async addOutcomes(...rules: OutcomeRule[]): Promise<void> {
    await this.call('POST', 'outcomes', rules);
  }
  async clearOutcomes(): Promise<void> {
    await this.call('DELETE', 'outcomes');
  }
  async advanceClock(ms: number): Promise<string> {
    return (await this.call<{ now: string }>('POST', 'clock', { advanceMs: ms })).now;
  }
  async expireTokens(before?: Date): Promise<void> {
    await this.call('POST', 'tokens/expire', before ? { before: before.toISOString() } : {});
  }

  private call<T>(method: string, route: string, body?: unknown): Promise<T> {
    const url = new URL(`${this.state.control.replace(/\/$/, '')}/${route}`);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          ca: this.state.adf.ca,
          headers: { 'content-type': 'application/json', 'x-emulator-key': this.state.controlKey },
        },
        res => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', c => (text += c));
          res.on('end', () => {
            let parsed: unknown;
            try {
              parsed = text ? JSON.parse(text) : {};
            } catch {
              return reject(
                new EmulatorProcessError(
                  `The emulator's control API answered ${res.statusCode} with: ${text.slice(0, 300)}`,
                ),
              );
            }
            if ((res.statusCode ?? 500) >= 400)
              return reject(
                new EmulatorProcessError(
                  `The emulator refused ${method} ${route}: ${(parsed as { error?: { message?: string } }).error?.message ?? text.slice(0, 300)}`,
                ),
              );
            resolve(parsed as T);
          });
        },
      );
      req.on('error', e =>
        reject(new EmulatorProcessError(`The emulator's control API cannot be reached at ${url.origin}: ${e.message}`)),
      );
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }
}
