// Starting the emulator as a background process and waiting until it answers: shared by
// `lakehouse emulator start` and the editor's "Use Local Emulator".
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readStateFile, removeStateFile, type EmulatorState } from './stateFile';

/** The folder of a project's local state (the emulator, backfill journals): never committed. */
export function localStateDir(projectDir: string): string {
  return path.join(projectDir, '.lakehouse');
}

export function emulatorStateDir(projectDir: string): string {
  return path.join(localStateDir(projectDir), 'emulator');
}

export interface LaunchOptions {
  /** dist/emulator.js (or the compiled src/emulator/main.js). */
  entry: string;
  projectDir: string;
  timing?: 'demo' | 'test';
  /** The Node to run it with (default: this process's). */
  node?: string;
  timeoutMs?: number;
}

export type LaunchResult = { ok: true; state: EmulatorState; alreadyRunning: boolean } | { ok: false; message: string };

export async function launchEmulator(options: LaunchOptions): Promise<LaunchResult> {
  const stateDir = emulatorStateDir(options.projectDir);
  const current = readStateFile(stateDir);
  if (current.kind === 'running') return { ok: true, state: current.state, alreadyRunning: true };
  if (current.kind === 'unreadable') return { ok: false, message: current.reason };
  if (current.kind === 'stale') removeStateFile(stateDir, current.state.pid);
  fs.mkdirSync(stateDir, { recursive: true });
  const logFile = path.join(stateDir, 'emulator.log');
  const log = fs.openSync(logFile, 'a');
  const child = spawn(
    options.node ?? process.execPath,
    [
      options.entry,
      '--state-dir',
      stateDir,
      '--project',
      options.projectDir,
      '--timing',
      options.timing ?? 'demo',
      '--location',
      path.join(stateDir, 'azurite'),
    ],
    // An editor's process may be Electron's: run it as plain Node.
    {
      detached: true,
      stdio: ['ignore', log, log],
      cwd: options.projectDir,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    },
  );
  child.unref();
  fs.closeSync(log);
  let exited: number | null | undefined;
  child.once('exit', code => (exited = code));
  child.once('error', () => (exited = -1));
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const read = readStateFile(stateDir);
    if (read.kind === 'running' && read.state.pid === child.pid)
      return { ok: true, state: read.state, alreadyRunning: false };
    if (exited !== undefined || Date.now() > deadline) {
      if (exited === undefined && child.pid) process.kill(child.pid, 'SIGTERM');
      return {
        ok: false,
        message: `The local emulator did not start${exited !== undefined ? ` (exit ${exited})` : ' in time'}: see ${logFile}.`,
      };
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

/** Stops the emulator recorded for a project; false when it did not stop in time. */
export async function stopEmulator(projectDir: string, timeoutMs = 20_000): Promise<boolean> {
  const stateDir = emulatorStateDir(projectDir);
  const current = readStateFile(stateDir);
  if (current.kind === 'stale') removeStateFile(stateDir, current.state.pid);
  if (current.kind !== 'running') return true;
  process.kill(current.state.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && readStateFile(stateDir).kind === 'running')
    await new Promise(resolve => setTimeout(resolve, 100));
  return readStateFile(stateDir).kind !== 'running';
}
