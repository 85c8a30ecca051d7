// The running emulator's state file (JSON, written atomically): how `lakehouse emulator stop`, a
// second CLI command and the extension find a running emulator (its endpoints, certificate and
// process), and tell a live one from a stale file left by a crash.
import * as fs from 'fs';
import * as path from 'path';
import { STATE_FILE_NAME } from './constants';

export interface EmulatorState {
  version: 1;
  /** Always "local"; the label the UI shows is "local emulator". */
  environment: string;
  label: string;
  pid: number;
  startedAt: string;
  adf: { endpoint: string; ca: string; subscriptionId: string; resourceGroup: string; factory: string };
  storage?: {
    blobEndpoint: string;
    accountName: string;
    accountKey: string;
    connectionString: string;
    azuritePid: number;
  };
  /** The local Databricks workspace (reached through `proxy`, trusting `ca`) and the CLI provisioned with it. */
  databricks?: { proxy: string; ca: string; url: string; pid: number; cli?: string };
  /** The control API (faults, outcomes, clock, counts, runs), and the key it wants in x-emulator-key. */
  control: string;
  controlKey: string;
}

export function stateFilePath(folder: string): string {
  return path.join(folder, STATE_FILE_NAME);
}

/** Writes the state file atomically (a temporary file renamed over it), readable by its owner only. */
export function writeStateFile(folder: string, state: EmulatorState): string {
  fs.mkdirSync(folder, { recursive: true });
  const file = stateFilePath(folder);
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(temp, file);
  return file;
}

export type StateFileRead =
  | { kind: 'none' }
  | { kind: 'running'; state: EmulatorState }
  | { kind: 'stale'; state: EmulatorState; reason: string }
  | { kind: 'unreadable'; reason: string };

/** The emulator recorded in a folder, and whether its process still lives. */
export function readStateFile(folder: string): StateFileRead {
  const file = stateFilePath(folder);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    return { kind: 'unreadable', reason: `${file} cannot be read: ${(e as Error).message}` };
  }
  let state: EmulatorState;
  try {
    state = JSON.parse(text) as EmulatorState;
  } catch (e) {
    return { kind: 'unreadable', reason: `${file} is not JSON: ${(e as Error).message}` };
  }
  if (state?.version !== 1 || typeof state.pid !== 'number' || typeof state.adf?.endpoint !== 'string')
    return { kind: 'unreadable', reason: `${file} is not an emulator state file of this version.` };
  if (!processAlive(state.pid)) return { kind: 'stale', state, reason: `process ${state.pid} is no longer running` };
  return { kind: 'running', state };
}

/** Removes the state file if it still describes this process (a newer emulator may have replaced it). */
export function removeStateFile(folder: string, pid = process.pid): void {
  const read = readStateFile(folder);
  if ((read.kind === 'running' || read.kind === 'stale') && read.state.pid !== pid) return;
  fs.rmSync(stateFilePath(folder), { force: true });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
