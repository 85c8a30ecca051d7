// The entry of the Azure bundle (dist/azure.js, see lazyAzure.ts): everything that loads an Azure
// SDK or the authentication helper is reached from here.
export { AzureAccount, SignInNeeded, type SignedIn } from './azureAccount';
export { EmulatorCredential } from '../../azure/credentials';
export {
  planBundleStep,
  applyBundleStep,
  type BundleStepPlan,
  type BundleStepResult,
} from '../../azure/databricks/bundleStep';
export { factoryApiFor, lakeStorageFor, runsClientFor, seedTargetWatermarks } from '../../azure/clients';
export type { AdfRunsClient } from '../../azure/adf/runsClient';
// Runs and backfills: the runs adapter and the backfill runner come from this one bundle, since the
// runner tells the adapter's failures apart by their class (a second copy in dist/core.js would not match).
export { factoryIdOf, factoryPipelinesFor } from '../../azure/clients';
export {
  backfillSettingsOf,
  backfillTables,
  createBackfill,
  DEFAULT_BACKFILL_CONCURRENCY,
  describePlan,
  openBackfill,
  prepareBackfill,
  type BackfillConnection,
  type HeldBackfill,
} from '../../core/backfill/session';
export {
  BackfillInputError,
  MAX_CONCURRENCY,
  parseBackfillDate,
  parseConcurrency,
} from '../../core/backfill/partitions';
export { JournalError } from '../../core/backfill/journal';
export { BackfillNotFoundError } from '../../core/backfill/runner';
export { backfillJournalDir, JournalFolderOnDisk, JournalLockedError } from '../../core/files/journalFiles';
export { systemClock } from '../../core/runs/clock';
