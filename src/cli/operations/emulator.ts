// `lakehouse emulator start | stop | status`: the local emulator (an HTTPS Data Factory on loopback
// and Azurite, seeded from the project) as a background process for scripts; while it runs, every
// operations command answers for `--env local`.
import * as fs from 'fs';
import * as path from 'path';
import { NodeFileHost } from '../../core/files/nodeFileHost';
import { loadProjectAt, UserError } from '../../core/project/loadProject';
import { readStateFile, type EmulatorState } from '../../emulator/stateFile';
import { emulatorStateDir, launchEmulator, stopEmulator } from '../../emulator/launch';
import { parse, UsageError } from '../args';
import type { Io } from '../main';

export const EMULATOR_USAGE = `  emulator start|stop|status [--project DIR] [--format text|json]
                                           The local emulator (a Data Factory on loopback with runs that
                                           move Queued → InProgress → Succeeded/Failed, and Azurite seeded
                                           with the project's zones, watermarks and Delta tables), run in
                                           the background for scripts: commands then accept --env local.
                                           Its state is in <project>/.lakehouse/emulator. Exit 0: done;
                                           1: it failed to start; 2: usage or I/O error.
`;

/** Where the emulator's process entry is: beside the CLI bundle (dist/), or the compiled source (tests). */
export function emulatorEntry(): string {
  const bundled = path.join(__dirname, 'emulator.js');
  // In the compiled source this very module is operations/emulator.js: not the emulator's entry.
  if (bundled !== __filename && fs.existsSync(bundled)) return bundled;
  return path.join(__dirname, '..', '..', 'emulator', 'main.js');
}

export async function emulatorCommand(args: string[], io: Io, usage: string): Promise<number> {
  const { values, positionals } = parse(args, {
    project: { type: 'string', short: 'p' },
    format: { type: 'string' },
    timing: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  const [action, ...rest] = positionals;
  if (rest.length || !['start', 'stop', 'status'].includes(action ?? ''))
    throw new UsageError('emulator takes one of start, stop, status.');
  const format = (values.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'.`);
  const timing = (values.timing as string | undefined) ?? 'demo';
  if (timing !== 'demo' && timing !== 'test') throw new UsageError(`--timing is demo or test, not '${timing}'.`);
  const shown = (values.project as string | undefined) ?? '.';
  const snapshot = await loadProjectAt(new NodeFileHost(), path.resolve(io.cwd, shown), shown);
  const projectDir = path.dirname(snapshot.rootFile);
  const stateDir = emulatorStateDir(projectDir);
  const say = (state: EmulatorState | undefined, text: string) =>
    io.stdout(
      format === 'json'
        ? `${JSON.stringify({ running: !!state, ...(state ? endpointsOf(state) : {}) })}\n`
        : `${text}\n`,
    );
  const current = readStateFile(stateDir);
  if (current.kind === 'unreadable') throw new UserError(current.reason);
  switch (action) {
    case 'status':
      say(
        current.kind === 'running' ? current.state : undefined,
        current.kind === 'running'
          ? `The local emulator is running (pid ${current.state.pid}): Data Factory ${current.state.adf.endpoint}, ` +
              `blob ${current.state.storage?.blobEndpoint ?? 'none'}.`
          : 'The local emulator is not running.',
      );
      return 0;
    case 'stop': {
      const wasRunning = current.kind === 'running';
      if (!(await stopEmulator(projectDir))) {
        io.stderr(`lakehouse: the emulator did not stop within 20 s.\n`);
        return 1;
      }
      say(undefined, wasRunning ? 'The local emulator stopped.' : 'The local emulator is not running.');
      return 0;
    }
    default: {
      const launched = await launchEmulator({ entry: emulatorEntry(), projectDir, timing });
      if (!launched.ok) {
        io.stderr(`lakehouse: ${launched.message}\n`);
        return 1;
      }
      say(
        launched.state,
        launched.alreadyRunning
          ? `The local emulator is already running (pid ${launched.state.pid}): ${launched.state.adf.endpoint}.`
          : `The local emulator is running (pid ${launched.state.pid}): Data Factory ${launched.state.adf.endpoint}, blob ` +
              `${launched.state.storage?.blobEndpoint ?? 'none'}, Databricks workspace ` +
              `${launched.state.databricks ? `through ${launched.state.databricks.proxy}` : 'none (bash scripts/provision-databricks-cli.sh)'}. ` +
              'Use --env local; stop it with: lakehouse emulator stop.',
      );
      return 0;
    }
  }
}

function endpointsOf(state: EmulatorState) {
  return {
    pid: state.pid,
    adf: state.adf.endpoint,
    blob: state.storage?.blobEndpoint,
    factory: state.adf.factory,
    databricksProxy: state.databricks?.proxy,
  };
}
