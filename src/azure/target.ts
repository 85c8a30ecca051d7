// Where operations go for an environment: a declared environment's Azure factory and storage
// account (lakehouse.yaml), or the local emulator (the environment `local`, labelled "local
// emulator", never Azure). Shared by the CLI and the editor.
import type { Environment } from '../core/metadata/model';
import { ADF_STUDIO_HOSTS, adfStudioRunUrl } from '../core/runs/studio';

/** The environment name the local emulator answers as. */
export const LOCAL_ENVIRONMENT = 'local';
export const LOCAL_LABEL = 'local emulator';

/** A running emulator's endpoints (its state file, or the handle of startEmulator). */
export interface EmulatorConnection {
  adf: { endpoint: string; ca: string; subscriptionId: string; resourceGroup: string; factory: string };
  storage?: { blobEndpoint: string; accountName: string; connectionString: string };
  databricks?: { proxy: string; ca: string; cli?: string };
}

export interface OperationsTarget {
  environment: string;
  /** How the UI names it: "local emulator", or "dev (Azure)". */
  label: string;
  local: boolean;
  protected: boolean;
  tenantId?: string;
  factory: {
    subscriptionId: string;
    resourceGroup: string;
    name: string;
    /** The Resource Manager endpoint when it is not public Azure's (the emulator, a sovereign cloud). */
    endpoint?: string;
    /** The emulator's self-signed certificate. */
    ca?: string;
  };
  storage?: { account: string; blobEndpoint: string; connectionString?: string };
  databricksHost?: string;
  /** The local emulator's Databricks workspace: the CLI reaches it through this proxy, trusting this CA. */
  localDatabricks?: { proxy: string; ca: string; cli?: string };
  /** The environment whose values the artifacts carry (the emulator deploys the first declared one's). */
  artifactsEnvironment?: string;
}

export class TargetError extends Error {}

// Azure's own rules: a factory name is 3–63 letters, digits and hyphens, starting and ending with
// a letter or digit; a resource group 1–90 of letters, digits, _ - . ( ) not ending in '.'.
const FACTORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{1,61}[A-Za-z0-9])$/;
const RESOURCE_GROUP = /^[-\w.()]{0,89}[-\w()]$/;
const SUBSCRIPTION = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STORAGE_ACCOUNT = /^[a-z0-9]{3,24}$/;

/**
 * The target of an environment. `local` is the emulator (it must be running: `emulator` is its
 * state); any other name must be declared in lakehouse.yaml with the factory's coordinates, each
 * checked against Azure's naming rules before it reaches a URL.
 */
export function resolveTarget(
  environments: readonly Environment[],
  name: string,
  emulator: EmulatorConnection | undefined,
  resourceManagerEndpoint?: string,
): OperationsTarget {
  if (name === LOCAL_ENVIRONMENT && !environments.some(e => e.name === LOCAL_ENVIRONMENT)) {
    if (!emulator)
      throw new TargetError(
        'The local emulator is not running. Start it with `lakehouse emulator start` (or "Lakehouse: Use Local Emulator" in the editor).',
      );
    return {
      environment: LOCAL_ENVIRONMENT,
      label: LOCAL_LABEL,
      local: true,
      protected: false,
      factory: {
        subscriptionId: emulator.adf.subscriptionId,
        resourceGroup: emulator.adf.resourceGroup,
        name: emulator.adf.factory,
        endpoint: emulator.adf.endpoint,
        ca: emulator.adf.ca,
      },
      ...(emulator.storage
        ? {
            storage: {
              account: emulator.storage.accountName,
              blobEndpoint: emulator.storage.blobEndpoint,
              connectionString: emulator.storage.connectionString,
            },
          }
        : {}),
      ...(emulator.databricks
        ? {
            localDatabricks: {
              proxy: emulator.databricks.proxy,
              ca: emulator.databricks.ca,
              ...(emulator.databricks.cli ? { cli: emulator.databricks.cli } : {}),
            },
          }
        : {}),
      ...(environments[0] ? { artifactsEnvironment: environments[0].name } : {}),
    };
  }
  const env = environments.find(e => e.name === name);
  if (!env) {
    const names = [...environments.map(e => e.name), LOCAL_ENVIRONMENT];
    throw new TargetError(`There is no environment '${name}'. Environments: ${names.join(', ')}.`);
  }
  const missing = (['subscriptionId', 'resourceGroup', 'factory'] as const).filter(k => !env[k]);
  if (missing.length)
    throw new TargetError(
      `Environment '${name}' does not say ${missing.join(', ')} in lakehouse.yaml: operations need the factory's coordinates.`,
    );
  if (!SUBSCRIPTION.test(env.subscriptionId!))
    throw new TargetError(
      `Environment '${name}': subscriptionId '${env.subscriptionId}' is not a subscription id (a GUID).`,
    );
  if (!RESOURCE_GROUP.test(env.resourceGroup!))
    throw new TargetError(`Environment '${name}': '${env.resourceGroup}' is not a valid resource group name.`);
  if (!FACTORY.test(env.factory!))
    throw new TargetError(
      `Environment '${name}': '${env.factory}' is not a valid Data Factory name (3–63 letters, digits and hyphens).`,
    );
  if (env.storageAccount !== undefined && !STORAGE_ACCOUNT.test(env.storageAccount))
    throw new TargetError(
      `Environment '${name}': '${env.storageAccount}' is not a storage account name (3–24 lower-case letters and digits).`,
    );
  return {
    environment: env.name,
    label: `${env.name} (Azure)`,
    local: false,
    protected: env.protected,
    ...(env.tenantId ? { tenantId: env.tenantId } : {}),
    factory: {
      subscriptionId: env.subscriptionId!,
      resourceGroup: env.resourceGroup!,
      name: env.factory!,
      ...(resourceManagerEndpoint ? { endpoint: resourceManagerEndpoint } : {}),
    },
    ...(env.storageAccount
      ? {
          storage: { account: env.storageAccount, blobEndpoint: `https://${env.storageAccount}.blob.core.windows.net` },
        }
      : {}),
    ...(env.databricksHost ? { databricksHost: env.databricksHost } : {}),
    artifactsEnvironment: env.name,
  };
}

/** ADF Studio's host for a Resource Manager endpoint: Azure China's and US Government's have their own. */
export function studioHostFor(resourceManagerEndpoint: string | undefined): string {
  const host = resourceManagerEndpoint ? hostOf(resourceManagerEndpoint) : '';
  if (host.endsWith('.chinacloudapi.cn')) return ADF_STUDIO_HOSTS.AzureChinaCloud;
  if (host.endsWith('.usgovcloudapi.net')) return ADF_STUDIO_HOSTS.AzureUSGovernment;
  return ADF_STUDIO_HOSTS.AzureCloud;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}

/** ADF Studio's page of a run, in the target's cloud (the emulator has none: undefined). */
export function studioRunUrl(target: OperationsTarget, runId: string): string | undefined {
  if (target.local) return undefined;
  const { subscriptionId, resourceGroup, name } = target.factory;
  return adfStudioRunUrl(
    { subscriptionId, resourceGroup, factoryName: name },
    runId,
    studioHostFor(target.factory.endpoint),
  );
}
