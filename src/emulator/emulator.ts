// startEmulator(): the local environment in one call — the HTTPS Data Factory on loopback and
// Azurite's blob service, seeded from a project — with a handle that tests, the CLI and the
// extension use to reach, steer and stop it.
import * as os from 'os';
import * as path from 'path';
import { AdfServer, type AdfServerOptions } from './adfServer';
import { startAzurite, type AzuriteProcess } from './azurite';
import { startDatabricksWorkspace, type DatabricksWorkspaceProcess, type LocalDatabricks } from './databricksWorkspace';
import { SimClock } from './clock';
import {
  DEV_STORAGE_ACCOUNT,
  DEV_STORAGE_KEY,
  LOCAL_ENVIRONMENT,
  LOCAL_ENVIRONMENT_LABEL,
  LOCAL_FACTORY,
  LOCAL_LOCATION,
  LOCAL_RESOURCE_GROUP,
  LOCAL_SUBSCRIPTION_ID,
} from './constants';
import type { FaultRule } from './faults';
import type { OutcomeRule } from './outcomes';
import { DEMO_TIMING, TEST_TIMING, type HistoricalRun, type PipelineRunRecord, type RunTiming } from './runs';
import { seedStorage, type SeedReport } from './seed';
import { removeStateFile, writeStateFile, type EmulatorState } from './stateFile';

export interface EmulatorOptions {
  /** 'test' (milliseconds, the default), 'demo' (seconds) or exact timings. */
  timing?: 'test' | 'demo' | RunTiming;
  /** A clock that stands still until advanced (tests that step runs exactly). */
  manualClock?: boolean;
  /** Faults from the start (more through control.faults). */
  faults?: FaultRule[];
  /** Activity outcomes from the start (more through control.outcomes). */
  outcomes?: OutcomeRule[];
  /** Seed of the fault probabilities. */
  seed?: number;
  /** Fixed ids by default (LOCAL_SUBSCRIPTION_ID, LOCAL_RESOURCE_GROUP, LOCAL_FACTORY). */
  subscriptionId?: string;
  resourceGroup?: string;
  factory?: string;
  /** The ADF server's port; 0 (default) picks a free one. */
  adfPort?: number;
  /** Further server settings: list page size, limits, event subscription delay, a certificate to reuse. */
  adf?: Pick<
    AdfServerOptions,
    | 'listPageSize'
    | 'activityPageSize'
    | 'armBuckets'
    | 'monitoringQueriesPerMinute'
    | 'eventSubscriptionMs'
    | 'certificate'
    | 'validateReferences'
  >;
  /** Azurite: false for none (ADF-only tests); location keeps blobs in a folder (the demo), in memory otherwise. */
  storage?: false | { location?: string; port?: number; loose?: boolean };
  /** Seed the storage from this project (a folder with lakehouse.yaml, or the file): zones, bronze parquet, watermarks, Delta tables. */
  project?: string;
  /** Write the state file (emulator.json) in this folder, and remove it on stop. */
  stateDir?: string;
  /** A local Databricks workspace (the provisioned tools/databricks-workspace) to start with it. */
  databricks?: LocalDatabricks;
}

export interface EmulatorControl {
  faults: { add(rule: FaultRule): void; clear(): void; list(): FaultRule[]; fired(): Record<string, number> };
  outcomes: { add(rule: OutcomeRule): void; set(rules: OutcomeRule[]): void; clear(): void; list(): OutcomeRule[] };
  clock: SimClock;
  /** Requests per operation (pipelines.createRun, pipelineRuns.queryByFactory, …), faulted ones included. */
  counts(): Record<string, number>;
  resetCounts(): void;
  /** Every run of the factory (also past ADF's 45 days), with its activity runs. */
  runs(): ReturnType<AdfServer['runs']>;
  /** Finished runs put straight into the history (a demo's past, a bench's 10,000 runs). */
  importRuns(runs: HistoricalRun[]): string[];
  /** Called on every status change of a run. */
  onRunChanged(listener: (run: PipelineRunRecord) => void): () => void;
  /** Tokens first presented (or JWTs issued) before this time are refused as expired. */
  expireTokens(before?: Date): void;
  /** Accepts every token again. */
  clearTokenExpiry(): void;
  /** The control API's base URL (/_emulator) and the key it wants in x-emulator-key, for another process. */
  url: string;
  key: string;
}

export interface EmulatorHandle {
  environment: typeof LOCAL_ENVIRONMENT;
  label: typeof LOCAL_ENVIRONMENT_LABEL;
  adf: { endpoint: string; ca: string; subscriptionId: string; resourceGroup: string; factory: string };
  storage?: { blobEndpoint: string; accountName: string; accountKey: string; connectionString: string };
  /** The local Databricks workspace, when one was provisioned. */
  databricks?: { proxy: string; ca: string; url: string; cli?: string };
  /** What seeding from `project` wrote. */
  seeded?: SeedReport;
  control: EmulatorControl;
  /** The state file, when stateDir was given. */
  stateFile?: string;
  stop(): Promise<void>;
}

function databricksOf(w: DatabricksWorkspaceProcess, withPid: true): NonNullable<EmulatorState['databricks']>;
function databricksOf(w: DatabricksWorkspaceProcess, withPid: false): NonNullable<EmulatorHandle['databricks']>;
function databricksOf(w: DatabricksWorkspaceProcess, withPid: boolean) {
  return { proxy: w.proxy, ca: w.ca, url: w.url, ...(w.cli ? { cli: w.cli } : {}), ...(withPid ? { pid: w.pid } : {}) };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const timing =
    options.timing === 'demo'
      ? DEMO_TIMING
      : options.timing === 'test' || !options.timing
        ? TEST_TIMING
        : options.timing;
  const clock = new SimClock({ manual: options.manualClock ?? false });
  const subscriptionId = options.subscriptionId ?? LOCAL_SUBSCRIPTION_ID;
  const resourceGroup = options.resourceGroup ?? LOCAL_RESOURCE_GROUP;
  const factory = options.factory ?? LOCAL_FACTORY;
  const server = new AdfServer({
    subscriptionId,
    resourceGroup,
    factories: [factory],
    location: LOCAL_LOCATION,
    timing,
    clock,
    ...(options.adfPort !== undefined ? { port: options.adfPort } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.outcomes ? { outcomes: options.outcomes } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.adf ?? {}),
  });
  let azurite: AzuriteProcess | undefined;
  let databricks: DatabricksWorkspaceProcess | undefined;
  const stopAll = async () => {
    await server.stop();
    await azurite?.stop();
    await databricks?.stop();
  };
  try {
    await server.start();
    if (options.storage !== false) {
      const storageOptions = options.storage ?? {};
      azurite = await startAzurite({
        ...(storageOptions.location ? { location: storageOptions.location } : {}),
        ...(storageOptions.port !== undefined ? { port: storageOptions.port } : {}),
        ...(storageOptions.loose ? { loose: true } : {}),
      });
    }
    if (options.databricks)
      databricks = await startDatabricksWorkspace(
        options.databricks,
        options.stateDir ?? path.join(os.tmpdir(), `lakehouse-emulator-${process.pid}`),
      );
  } catch (e) {
    await stopAll();
    throw e;
  }
  const storage = azurite
    ? {
        blobEndpoint: azurite.blobEndpoint,
        accountName: DEV_STORAGE_ACCOUNT,
        accountKey: DEV_STORAGE_KEY,
        connectionString:
          `DefaultEndpointsProtocol=http;AccountName=${DEV_STORAGE_ACCOUNT};` +
          `AccountKey=${DEV_STORAGE_KEY};BlobEndpoint=${azurite.blobEndpoint};`,
      }
    : undefined;
  let seeded: SeedReport | undefined;
  if (storage && options.project) {
    try {
      seeded = await seedStorage(options.project, storage, clock.now());
    } catch (e) {
      await stopAll();
      throw e;
    }
  }
  const adf = { endpoint: server.endpoint, ca: server.ca, subscriptionId, resourceGroup, factory };
  let stateFile: string | undefined;
  if (options.stateDir) {
    const state: EmulatorState = {
      version: 1,
      environment: LOCAL_ENVIRONMENT,
      label: LOCAL_ENVIRONMENT_LABEL,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      adf,
      ...(storage && azurite ? { storage: { ...storage, azuritePid: azurite.pid } } : {}),
      ...(databricks ? { databricks: databricksOf(databricks, true) } : {}),
      control: `${server.endpoint}/_emulator`,
      controlKey: server.controlKey,
    };
    stateFile = writeStateFile(options.stateDir, state);
  }
  let stopped: Promise<void> | undefined;
  return {
    environment: LOCAL_ENVIRONMENT,
    label: LOCAL_ENVIRONMENT_LABEL,
    adf,
    ...(storage ? { storage } : {}),
    ...(databricks ? { databricks: databricksOf(databricks, false) } : {}),
    ...(seeded ? { seeded } : {}),
    ...(stateFile ? { stateFile } : {}),
    control: {
      faults: {
        add: rule => server.faults.add(rule),
        clear: () => server.faults.clear(),
        list: () => server.faults.list(),
        fired: () => server.faults.firedCounts(),
      },
      outcomes: {
        add: rule => server.outcomes.add(rule),
        set: rules => server.outcomes.set(rules),
        clear: () => server.outcomes.clear(),
        list: () => server.outcomes.list(),
      },
      clock,
      counts: () => server.requestCounts(),
      resetCounts: () => server.resetCounts(),
      runs: () => server.runs(factory),
      importRuns: runs => runs.map(r => server.engine(factory).importRun(r).runId),
      onRunChanged: listener => server.engine(factory).onRunChanged(listener),
      expireTokens: before => server.expireTokensIssuedBefore((before ?? new Date(clock.now())).getTime()),
      clearTokenExpiry: () => server.clearTokenExpiry(),
      url: `${server.endpoint}/_emulator`,
      key: server.controlKey,
    },
    stop: () => {
      stopped ??= (async () => {
        await stopAll();
        if (options.stateDir) removeStateFile(options.stateDir);
      })();
      return stopped;
    },
  };
}
