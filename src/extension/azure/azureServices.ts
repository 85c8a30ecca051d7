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
