// The emulator as a process of its own (bundled as dist/emulator.js): `lakehouse emulator start`
// runs it detached, it writes its state file once ready, and stops cleanly on SIGTERM/SIGINT
// (Azurite with it, the state file removed).
//   node dist/emulator.js --state-dir DIR [--project DIR] [--timing demo|test] [--location DIR] [--adf-port N] [--blob-port N]
import { startEmulator, type EmulatorOptions } from './emulator';

export interface MainArguments {
  stateDir?: string;
  project?: string;
  timing: 'demo' | 'test';
  location?: string;
  adfPort?: number;
  blobPort?: number;
  noStorage: boolean;
  databricksWorkspace?: string;
  databricksCli?: string;
}

const USAGE =
  'usage: emulator --state-dir DIR [--project DIR] [--timing demo|test] [--location DIR] [--adf-port N] [--blob-port N] ' +
  '[--no-storage] [--databricks-workspace BIN [--databricks-cli BIN]]';

export function parseMainArguments(argv: readonly string[]): MainArguments {
  const out: MainArguments = { timing: 'demo', noStorage: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value. ${USAGE}`);
      return v;
    };
    const port = () => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < 0 || v > 65535)
        throw new Error(`${arg} must be a port number (0 for a free one).`);
      return v;
    };
    switch (arg) {
      case '--state-dir':
        out.stateDir = value();
        break;
      case '--project':
        out.project = value();
        break;
      case '--timing': {
        const v = value();
        if (v !== 'demo' && v !== 'test') throw new Error(`--timing is demo or test, not '${v}'.`);
        out.timing = v;
        break;
      }
      case '--location':
        out.location = value();
        break;
      case '--adf-port':
        out.adfPort = port();
        break;
      case '--blob-port':
        out.blobPort = port();
        break;
      case '--no-storage':
        out.noStorage = true;
        break;
      case '--databricks-workspace':
        out.databricksWorkspace = value();
        break;
      case '--databricks-cli':
        out.databricksCli = value();
        break;
      default:
        throw new Error(`Unknown argument '${arg}'. ${USAGE}`);
    }
  }
  return out;
}

export function optionsFromArguments(args: MainArguments): EmulatorOptions {
  return {
    timing: args.timing,
    ...(args.stateDir ? { stateDir: args.stateDir } : {}),
    ...(args.project && !args.noStorage ? { project: args.project } : {}),
    ...(args.adfPort !== undefined ? { adfPort: args.adfPort } : {}),
    ...(args.databricksWorkspace
      ? {
          databricks: {
            workspaceBin: args.databricksWorkspace,
            ...(args.databricksCli ? { cli: args.databricksCli } : {}),
          },
        }
      : {}),
    storage: args.noStorage
      ? false
      : {
          ...(args.location ? { location: args.location } : {}),
          ...(args.blobPort !== undefined ? { port: args.blobPort } : {}),
        },
  };
}

async function main(): Promise<void> {
  let args: MainArguments;
  try {
    args = parseMainArguments(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const emulator = await startEmulator(optionsFromArguments(args));
  // One JSON line on stdout says it is ready (the certificate is in the state file, not here).
  console.log(
    JSON.stringify({
      ready: true,
      environment: emulator.environment,
      label: emulator.label,
      adf: emulator.adf.endpoint,
      blob: emulator.storage?.blobEndpoint,
      databricks: emulator.databricks?.proxy,
      seeded: emulator.seeded
        ? {
            containers: emulator.seeded.containersCreated,
            kept: emulator.seeded.containersKept,
            blobs: emulator.seeded.blobsWritten,
          }
        : undefined,
      stateFile: emulator.stateFile,
    }),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    emulator.stop().then(
      () => process.exit(0),
      e => {
        console.error(`emulator: stopping after ${signal} failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch(e => {
    console.error(`emulator: ${(e as Error).message}`);
    process.exit(1);
  });
}
