// What every operations command (deploy, trigger, backfill, runs) starts from: the project, the
// environment's target (Azure, or the local emulator as `local`), and a credential for it.
import * as path from 'path';
import type { TokenCredential } from '@azure/core-auth';
import { NodeFileHost } from '../../core/files/nodeFileHost';
import { loadProjectAt, UserError } from '../../core/project/loadProject';
import type { ProjectSnapshot } from '../../core/project/projectSession';
import { cliCredential, EmulatorCredential } from '../../azure/credentials';
import { LOCAL_ENVIRONMENT, resolveTarget, TargetError, type OperationsTarget } from '../../azure/target';
import { readStateFile } from '../../emulator/stateFile';
import { UsageError } from '../args';
import type { Io } from '../main';

export { emulatorStateDir, localStateDir } from '../../emulator/launch';
import { emulatorStateDir } from '../../emulator/launch';

export interface OpenedTarget {
  host: NodeFileHost;
  snapshot: ProjectSnapshot;
  projectDir: string;
  target: OperationsTarget;
  credential: TokenCredential;
  credentialDescription: string;
}

export const PROJECT_OPTIONS = {
  project: { type: 'string', short: 'p' },
  env: { type: 'string', short: 'e' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function formatOf(values: Record<string, unknown>): 'text' | 'json' {
  const format = (values.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'.`);
  return format;
}

export interface OpenedProject {
  host: NodeFileHost;
  snapshot: ProjectSnapshot;
  projectDir: string;
}

/** The project of --project (default: the current folder). */
export async function openProject(values: Record<string, unknown>, io: Io): Promise<OpenedProject> {
  const shown = (values.project as string | undefined) ?? '.';
  const host = new NodeFileHost();
  const snapshot = await loadProjectAt(host, path.resolve(io.cwd, shown), shown);
  return { host, snapshot, projectDir: path.dirname(snapshot.rootFile) };
}

export async function openTarget(values: Record<string, unknown>, io: Io): Promise<OpenedTarget> {
  const env = values.env as string | undefined;
  if (!env)
    throw new UsageError(
      `--env is required (an environment of lakehouse.yaml, or ${LOCAL_ENVIRONMENT} for the local emulator).`,
    );
  return openTargetOf(await openProject(values, io), env);
}

/** The environment's target in an opened project, and a credential for it. */
export async function openTargetOf(project: OpenedProject, env: string): Promise<OpenedTarget> {
  const { host, snapshot, projectDir } = project;
  let emulator;
  if (env === LOCAL_ENVIRONMENT) {
    const state = readStateFile(emulatorStateDir(projectDir));
    if (state.kind === 'unreadable') throw new UserError(state.reason);
    if (state.kind === 'stale')
      throw new UserError(
        `The local emulator recorded in ${emulatorStateDir(projectDir)} has stopped (${state.reason}). Start it again: lakehouse emulator start.`,
      );
    if (state.kind === 'running') emulator = state.state;
  }
  let target: OperationsTarget;
  try {
    target = resolveTarget(snapshot.metadata.environments, env, emulator);
  } catch (e) {
    if (e instanceof TargetError) throw new UserError(e.message);
    throw e;
  }
  const chosen = target.local
    ? { credential: new EmulatorCredential(), description: 'the local emulator (no Azure sign-in)' }
    : await cliCredential();
  return {
    host,
    snapshot,
    projectDir,
    target,
    credential: chosen.credential,
    credentialDescription: chosen.description,
  };
}

/**
 * A protected environment (`protected: true`) runs nothing without --confirm ENV, as deploy asks:
 * the message to print, or undefined when the command may go on.
 */
export function protectedRefusal(
  target: OperationsTarget,
  confirm: unknown,
  action: string,
  dryRunHint = true,
): string | undefined {
  if (!target.protected || confirm === target.environment) return undefined;
  return (
    `'${target.environment}' is a protected environment: add --confirm ${target.environment} to ${action}` +
    (dryRunHint ? ' (run with --dry-run first to see the plan).' : '.')
  );
}
