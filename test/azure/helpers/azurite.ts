// Azurite (npm, the blob service only) for wire tests and the bench: started on a free loopback
// port with its data in memory, stopped and its folder removed afterwards. The port is read from
// its own output ("successfully listens on http://127.0.0.1:<port>").
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Azurite's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  port: number;
  /** http://127.0.0.1:<port>/devstoreaccount1 */
  blobEndpoint: string;
  connectionString: string;
  /** A connection string for the same account through another endpoint (e.g. a counting proxy). */
  connectionStringFor(blobEndpoint: string): string;
  stop(): Promise<void>;
}

export async function startAzurite(options: { timeoutMs?: number } = {}): Promise<Azurite> {
  // From the project's folder too: the bench runs this bundled in a temp folder, with the project as cwd.
  const main = require.resolve('azurite/dist/src/blob/main.js', { paths: [__dirname, process.cwd()] });
  const location = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-azurite-'));
  const child = spawn(
    process.execPath,
    [
      main,
      '--skipApiVersionCheck',
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      '0',
      '--inMemoryPersistence',
      '--silent',
      '--disableTelemetry',
    ],
    // --location cannot go with --inMemoryPersistence: an empty working folder catches anything it writes.
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: location },
  );
  // If this process ends without stop() (a crash, an uncaught error), Azurite goes with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const cleanup = () => {
    process.off('exit', killOnExit);
    fs.rmSync(location, { recursive: true, force: true });
  };
  let port: number;
  try {
    port = await listeningPort(child, options.timeoutMs ?? 20_000);
  } catch (e) {
    await stopProcess(child);
    cleanup();
    throw e;
  }
  const connectionStringFor = (endpoint: string) =>
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoint};`;
  const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  return {
    port,
    blobEndpoint,
    connectionString: connectionStringFor(blobEndpoint),
    connectionStringFor,
    stop: async () => {
      await stopProcess(child);
      cleanup();
    },
  };
}

function listeningPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`Azurite did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listens on https?:\/\/[^:\s]+:(\d+)/.exec(output);
      if (m) {
        done();
        resolve(Number(m[1]));
      }
    };
    const onExit = (code: number | null) => fail(new Error(`Azurite exited (${code}) before listening:\n${output}`));
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining its output so a full pipe never blocks it.
      child.stdout?.resume();
      child.stderr?.resume();
    };
    const fail = (e: Error) => {
      done();
      reject(e);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}

/** SIGTERM, then SIGKILL if it is still there after 2 s (its data is in memory: nothing to flush). */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise(resolve => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
