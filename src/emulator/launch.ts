// A project's local emulator: where its state lives, and starting it unless it runs (the CLI's
// `lakehouse emulator start` and the editor's "Use Local Emulator" alike; process.ts does the work).
import * as fs from 'fs';
import * as path from 'path';
import { findLocalDatabricks, type LocalDatabricks } from './databricksWorkspace';
import { EmulatorProcessError, startEmulatorProcess, stopEmulatorProcess } from './process';
import { readStateFile, type EmulatorState } from './stateFile';

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
  timeoutMs?: number;
  /** The local Databricks workspace; by default the one provisioned in the product's folder, if any. */
  databricks?: LocalDatabricks | false;
}

/** The folder of the product (the extension's, or the repository's): the first above the entry with a package.json. */
function productRoot(entry: string): string {
  let dir = path.dirname(path.resolve(entry));
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return path.dirname(path.resolve(entry));
}

export type LaunchResult = { ok: true; state: EmulatorState; alreadyRunning: boolean } | { ok: false; message: string };

/** The project's emulator, started (seeded from the project, its lake kept in .lakehouse/emulator/azurite) unless it runs. */
export async function launchEmulator(options: LaunchOptions): Promise<LaunchResult> {
  const stateDir = emulatorStateDir(options.projectDir);
  const current = readStateFile(stateDir);
  if (current.kind === 'running') return { ok: true, state: current.state, alreadyRunning: true };
  if (current.kind === 'unreadable') return { ok: false, message: current.reason };
  const databricks =
    options.databricks === false ? undefined : (options.databricks ?? findLocalDatabricks(productRoot(options.entry)));
  try {
    const state = await startEmulatorProcess({
      ...(databricks ? { databricks } : {}),
      entry: options.entry,
      stateDir,
      project: options.projectDir,
      timing: options.timing ?? 'demo',
      location: path.join(stateDir, 'azurite'),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    return { ok: true, state, alreadyRunning: false };
  } catch (e) {
    if (e instanceof EmulatorProcessError) return { ok: false, message: e.message };
    throw e;
  }
}

/** Stops the project's emulator (and an Azurite a crashed one left behind); false when it did not stop. */
export async function stopEmulator(projectDir: string): Promise<boolean> {
  const stateDir = emulatorStateDir(projectDir);
  if (readStateFile(stateDir).kind === 'none') return true;
  await stopEmulatorProcess(stateDir);
  return readStateFile(stateDir).kind !== 'running';
}
