// The Azure side (sign-in, the SDK clients, the adapters of src/azure) is its own bundle,
// dist/azure.js, loaded the first time an Azure feature is used: activating the extension, and
// working on metadata and templates, never load an Azure SDK. Tests that run the TypeScript output
// resolve the source module instead.
export type AzureServices = typeof import('./azureServices');

let loaded: AzureServices | undefined;

export function loadAzure(): AzureServices {
  if (!loaded) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load of the Azure bundle
      loaded = require('./azure.js') as AzureServices;
    } catch {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- unbundled (tsc) output: the source module
      loaded = require('./azureServices') as AzureServices;
    }
  }
  return loaded;
}
