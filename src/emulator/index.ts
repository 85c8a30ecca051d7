// The local emulator's public surface, for the CLI, the extension's "Use local emulator" and tests.
export * from './constants';
export { startEmulator, type EmulatorOptions, type EmulatorHandle, type EmulatorControl } from './emulator';
export { readStateFile, stateFilePath, processAlive, type EmulatorState, type StateFileRead } from './stateFile';
export {
  TEST_TIMING,
  DEMO_TIMING,
  type RunTiming,
  type PipelineRunRecord,
  type ActivityRunRecord,
  type PipelineRunStatus,
  type HistoricalRun,
} from './runs';
export type { FaultRule } from './faults';
export type { OutcomeRule } from './outcomes';
export { SimClock } from './clock';
export { AdfServer, API_VERSION, type AdfServerOptions } from './adfServer';
export { makeCertificate, type Certificate } from './tls';
export {
  startEmulatorProcess,
  stopEmulatorProcess,
  EmulatorControlClient,
  EmulatorProcessError,
  LOG_FILE_NAME,
  type StartProcessOptions,
} from './process';
export type { SeedReport } from './seed';
