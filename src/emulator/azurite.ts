// Azurite's blob service (npm azurite, the Blob API only: no dfs endpoint in 3.37), started as a
// child process on a free loopback port. --skipApiVersionCheck because the current SDKs send a
// newer API version than Azurite knows; --disableTelemetry because nothing local phones home.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface AzuriteOptions {
  /** Keep blobs in this folder (the demo); in memory when absent (tests). */
  location?: string;
  /** 0 (default): a free port. */
  port?: number;
  /** Ignore headers and parameters Azurite does not support. */
  loose?: boolean;
  /** Milliseconds to wait for Azurite to listen. Default 20 s. */
  startTimeoutMs?: number;
}

export interface AzuriteProcess {
  blobEndpoint: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** Azurite's blob entry point, from this installation's node_modules. */
export function azuriteBlobMain(): string {
  // From the working folder too: the bench runs this bundled in a temp folder, with the project as cwd.
  return require.resolve('azurite/dist/src/blob/main.js', { paths: [__dirname, process.cwd()] });
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteProcess> {
  const args = [
    azuriteBlobMain(),
    '--skipApiVersionCheck',
    '--disableTelemetry',
    '--silent',
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(options.port ?? 0),
  ];
  // In memory (where --location is refused), it runs in a scratch folder so nothing it might write lands in ours.
  let scratch: string | undefined;
  if (options.location) {
    fs.mkdirSync(options.location, { recursive: true });
    args.push('--location', options.location);
  } else {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-azurite-'));
    args.push('--inMemoryPersistence');
  }
  if (options.loose) args.push('--loose');
  // In the editor's extension host, process.execPath is the editor's binary: ELECTRON_RUN_AS_NODE makes it a plain Node.
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: options.location ?? scratch,
    windowsHide: true,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  // If this process ends without stop() (a crash, an uncaught error), Azurite goes with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const removeScratch = () => {
    process.off('exit', killOnExit);
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  };
  let port: number;
  try {
    port = await listeningPort(child, options.startTimeoutMs ?? 20_000);
  } catch (e) {
    await stopChild(child);
    removeScratch();
    throw e;
  }
  return {
    blobEndpoint: `http://127.0.0.1:${port}/devstoreaccount1`,
    port,
    pid: child.pid!,
    stop: async () => {
      await stopChild(child);
      removeScratch();
    },
  };
}

function listeningPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`Azurite did not start within ${timeoutMs} ms. It said: ${output.slice(-2000)}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const m = /listens on https?:\/\/[^:\s]+:(\d+)/.exec(output);
      if (m) done(Number(m[1]));
    };
    const onExit = (code: number | null, signal: string | null) =>
      fail(new Error(`Azurite exited (${code ?? signal}) before it listened. It said: ${output.slice(-2000)}`));
    const onError = (e: Error) => fail(new Error(`Azurite could not be started: ${e.message}`));
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      // Keep draining its output so a full pipe never blocks it.
      child.stdout?.resume();
      child.stderr?.resume();
    };
    const done = (port: number) => {
      cleanup();
      resolve(port);
    };
    const fail = (e: Error) => {
      cleanup();
      reject(e);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise(resolve => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
