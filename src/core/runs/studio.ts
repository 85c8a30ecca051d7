// Links into ADF Studio's Monitor: a run (the Runs view's "Open in ADF Studio", the failure
// notification's button) and a factory's run list. Sovereign clouds have their own Studio host.

export interface FactoryId {
  subscriptionId: string;
  resourceGroup: string;
  factoryName: string;
}

/** ADF Studio per cloud (public Azure, Azure China, Azure US Government). */
export const ADF_STUDIO_HOSTS = {
  AzureCloud: 'https://adf.azure.com',
  AzureChinaCloud: 'https://adf.azure.cn',
  AzureUSGovernment: 'https://adf.azure.us',
} as const;

/** The factory's ARM id, as ADF Studio's `factory` query parameter takes it. */
export function factoryResourceId(f: FactoryId): string {
  const seg = (s: string) => encodeURIComponent(s);
  return (
    `/subscriptions/${seg(f.subscriptionId)}/resourceGroups/${seg(f.resourceGroup)}` +
    `/providers/Microsoft.DataFactory/factories/${seg(f.factoryName)}`
  );
}

/** ADF Studio's page of one pipeline run. */
export function adfStudioRunUrl(f: FactoryId, runId: string, host: string = ADF_STUDIO_HOSTS.AzureCloud): string {
  return `${host}/en/monitoring/pipelineruns/${encodeURIComponent(runId)}?factory=${encodeURIComponent(factoryResourceId(f))}`;
}

/** ADF Studio's list of the factory's pipeline runs. */
export function adfStudioRunsUrl(f: FactoryId, host: string = ADF_STUDIO_HOSTS.AzureCloud): string {
  return `${host}/en/monitoring/pipelineruns?factory=${encodeURIComponent(factoryResourceId(f))}`;
}
