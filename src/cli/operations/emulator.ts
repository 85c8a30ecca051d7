// `lakehouse emulator start | stop | status`: the local emulator (an HTTPS Data Factory on loopback
// and Azurite, seeded from the project) as a background process for scripts; while it runs, every
// operations command answers for `--env local`.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { NodeFileHost } from '../../core/files/nodeFileHost';
import { loadProjectAt, UserError } from '../../core/project/loadProject';
import { readStateFile, removeStateFile, type EmulatorState } from '../../emulator/stateFile';
import { parse, UsageError } from '../args';
import type { Io } from '../main';
import { emulatorStateDir } from './target';

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
  if (fs.existsSync(bundled)) return bundled;
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
        ? `${JSON.stringify({ running: !!state, ...(state ? { pid: state.pid, adf: state.adf.endpoint, blob: state.storage?.blobEndpoint, factory: state.adf.factory } : {}) })}\n`
        : `${text}\n`,
    );
  const current = readStateFile(stateDir);
  if (current.kind === 'unreadable') throw new UserError(current.reason);
  switch (action) {
    case 'status':
      say(
        current.kind === 'running' ? current.state : undefined,
        current.kind === 'running'
          ? `The local emulator is running (pid ${current.state.pid}): Data Factory ${current.state.adf.endpoint}, blob ${current.state.storage?.blobEndpoint ?? 'none'}.`
          : 'The local emulator is not running.',
      );
      return 0;
    case 'stop': {
      if (current.kind !== 'running') {
        if (current.kind === 'stale') removeStateFile(stateDir, current.state.pid);
        say(undefined, 'The local emulator is not running.');
        return 0;
      }
      process.kill(current.state.pid, 'SIGTERM');
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && readStateFile(stateDir).kind === 'running') await delay(100);
      if (readStateFile(stateDir).kind === 'running') {
        io.stderr(`lakehouse: the emulator (pid ${current.state.pid}) did not stop within 20 s.\n`);
        return 1;
      }
      say(undefined, 'The local emulator stopped.');
      return 0;
    }
    default: {
      if (current.kind === 'running') {
        say(
          current.state,
          `The local emulator is already running (pid ${current.state.pid}): ${current.state.adf.endpoint}.`,
        );
        return 0;
      }
      if (current.kind === 'stale') removeStateFile(stateDir, current.state.pid);
      fs.mkdirSync(stateDir, { recursive: true });
      const log = fs.openSync(path.join(stateDir, 'emulator.log'), 'a');
      const child = spawn(
        process.execPath,
        [
          emulatorEntry(),
          '--state-dir',
          stateDir,
          '--project',
          projectDir,
          '--timing',
          timing,
          '--location',
          path.join(stateDir, 'azurite'),
        ],
        { detached: true, stdio: ['ignore', log, log], cwd: projectDir },
      );
      child.unref();
      fs.closeSync(log);
      let exited: number | null | undefined;
      child.once('exit', code => (exited = code));
      const deadline = Date.now() + 60_000;
      for (;;) {
        const read = readStateFile(stateDir);
        if (read.kind === 'running' && read.state.pid === child.pid) {
          say(
            read.state,
            `The local emulator is running (pid ${read.state.pid}): Data Factory ${read.state.adf.endpoint}, blob ` +
              `${read.state.storage?.blobEndpoint ?? 'none'}. Use --env local; stop it with: lakehouse emulator stop.`,
          );
          return 0;
        }
        if (exited !== undefined || Date.now() > deadline) {
          io.stderr(
            `lakehouse: the emulator did not start${exited !== undefined ? ` (exit ${exited})` : ' within 60 s'}: see ${path.join(stateDir, 'emulator.log')}.\n`,
          );
          if (exited === undefined && child.pid) process.kill(child.pid, 'SIGTERM');
          return 1;
        }
        await delay(100);
      }
    }
  }
}

const delay = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
