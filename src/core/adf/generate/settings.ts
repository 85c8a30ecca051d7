// The generation settings in force: lakehouse.yaml's optional `adf` section over defaults, with
// the selected environment's values (storage account, Databricks host, alert URL) filled in.
// Values the metadata cannot supply become visible placeholders plus a note saying what to set.
import { sqlDatabaseProblem, sqlServerProblem } from '../../names/naming';
import { AdfGenerationError } from './errors';
import { parse as parseYaml } from 'yaml';
import type { Environment, LakehouseMetadata, SourceSystem } from '../../metadata/model';

export const DEFAULT_PIPELINE = 'pl_incremental_ingestion';
export const DEFAULT_LOOP_PARAMETER = 'loop_input';
export const DEFAULT_CLUSTER_VERSION = '15.4.x-scala2.12';
export const DEFAULT_CLUSTER_NODE_TYPE = 'Standard_D4ds_v5';

/** Placeholders are valid values (so the JSON deploys and validates) that say what is missing. */
export const PLACEHOLDER = {
  storageAccount: 'TODO-storage-account',
  databricksHost: 'https://TODO-databricks-workspace.azuredatabricks.net',
  alertUrl: 'https://example.invalid/TODO-set-adf.alertUrl',
  server: 'TODO-server.database.windows.net',
  database: 'TODO-database',
  workspaceResourceId: '/subscriptions/TODO/resourceGroups/TODO/providers/Microsoft.Databricks/workspaces/TODO-set-adf.databricks.workspaceResourceId',
} as const;

export type ClusterSettings =
  | { kind: 'existing'; existingClusterId: string }
  | { kind: 'pool'; instancePoolId: string; version: string; workers: string; policyId?: string }
  | { kind: 'new'; version: string; nodeType: string; workers: string; policyId?: string };

export interface Recurrence {
  frequency: string;
  interval: number;
  startTime: string;
  timeZone: string;
}

export interface BackfillWindows {
  frequency: string;
  interval: number;
  startTime: string;
  endTime: string;
  maxConcurrency: number;
}

/** Everything the artifact builders read; no further defaults are applied after this. */
export interface ResolvedAdfSettings {
  environment: string;
  pipeline: string;
  loopParameter: string;
  batchCount: number;
  alertUrl: string;
  lakeLinkedService: string;
  databricksLinkedService: string;
  sqlDataset: string;
  parquetDataset: string;
  jsonDataset: string;
  storageUrl: string;
  databricksDomain: string;
  workspaceResourceId: string;
  notebookFolder: string;
  cluster: ClusterSettings;
  bronzeContainer: string;
  scheduleTrigger: string;
  schedule: Recurrence;
  backfillTrigger: string;
  backfill: BackfillWindows;
  /** What the user should know: placeholders written, guesses made. */
  notes: string[];
}

/** How the Databricks bundle deploys: read from databricks.yml (see readBundleDeployment). */
export interface BundleDeployment {
  name?: string;
  /** Per target: the workspace folder its files are synced to, when databricks.yml says so without a user name in it. */
  filePaths: Map<string, string | undefined>;
}

export interface ResolveOptions {
  /** The environment whose values the artifacts carry (default: the first declared). */
  environment?: string;
  /** databricks.yml, for the folder the notebooks are deployed to. */
  bundle?: BundleDeployment;
}

export class UnknownAdfEnvironmentError extends Error {}

export function resolveAdfSettings(metadata: LakehouseMetadata, options: ResolveOptions = {}): ResolvedAdfSettings {
  const adf = metadata.adf;
  const notes: string[] = [];
  const environment = pickEnvironment(metadata, options.environment);
  const envName = environment?.name ?? 'dev';
  const project = metadata.project?.name ?? 'lakehouse';
  const bundleTarget = environment?.bundleTarget ?? envName;
  const fill = (text: string) => text
    .replace(/\{subscriptionId\}/g, environment?.subscriptionId ?? 'TODO')
    .replace(/\{resourceGroup\}/g, environment?.resourceGroup ?? 'TODO')
    .replace(/\{environment\}/g, envName)
    .replace(/\{bundleTarget\}/g, bundleTarget)
    .replace(/\{project\}/g, project);

  if (!environment) notes.push('lakehouse.yaml declares no environment: the storage account, Databricks workspace and alert URL are placeholders (TODO…). Declare one under environments.');
  const storageAccount = environment?.storageAccount ?? PLACEHOLDER.storageAccount;
  if (environment && !environment.storageAccount) notes.push(`Environment '${envName}' has no storageAccount: the lake linked service points at a placeholder.`);
  let databricksDomain = environment?.databricksHost?.replace(/\/+$/, '') ?? PLACEHOLDER.databricksHost;
  if (environment && !environment.databricksHost) notes.push(`Environment '${envName}' has no databricksHost: the Databricks linked service points at a placeholder.`);
  if (databricksDomain.startsWith('http://')) databricksDomain = `https://${databricksDomain.slice('http://'.length)}`;

  const alertUrl = adf?.alertUrl ?? environment?.alertUrl ?? PLACEHOLDER.alertUrl;
  if (!adf?.alertUrl && !environment?.alertUrl) notes.push(`No alert URL: set adf.alertUrl or environments.${envName}.alertUrl (the pipeline's alert_url default is a placeholder).`);

  const workspaceResourceId = adf?.databricks?.workspaceResourceId ? fill(adf.databricks.workspaceResourceId) : PLACEHOLDER.workspaceResourceId;
  if (!adf?.databricks?.workspaceResourceId) notes.push('Set adf.databricks.workspaceResourceId: the Databricks linked service authenticates with the factory\'s managed identity, which needs the workspace\'s resource id.');

  let notebookFolder: string;
  if (adf?.databricks?.notebookFolder) notebookFolder = fill(adf.databricks.notebookFolder).replace(/\/+$/, '');
  else {
    const deployed = options.bundle?.filePaths.get(bundleTarget);
    const bundleName = options.bundle?.name ?? project;
    notebookFolder = deployed ?? `/Workspace/Shared/.bundle/${bundleName}/${bundleTarget}/files`;
    if (!deployed) {
      notes.push(`The bundle target '${bundleTarget}' does not say where it deploys (workspace.root_path without a user name): notebooks are assumed under ${notebookFolder}. Set root_path in databricks.yml or adf.databricks.notebookFolder.`);
    }
  }

  const bronze = metadata.zones.find(z => z.name === 'bronze');
  if (!bronze) notes.push('lakehouse.yaml declares no bronze zone: the copies write to a container named bronze.');

  const scheduleStart = adf?.schedule?.startTime ?? '2024-01-01T02:00:00Z';
  const timeZone = adf?.schedule?.timeZone ?? 'UTC';
  if (timeZone !== 'UTC' && scheduleStart.endsWith('Z')) {
    notes.push(`adf.schedule.startTime ends with Z (UTC) but the time zone is ${timeZone}: ADF reads a start time in another time zone without the Z.`);
  }
  const earliestBackfill = metadata.tables.map(t => t.backfillFrom).filter((d): d is string => !!d).sort()[0];
  return {
    environment: envName,
    pipeline: adf?.pipeline ?? DEFAULT_PIPELINE,
    loopParameter: adf?.loopParameter ?? DEFAULT_LOOP_PARAMETER,
    batchCount: adf?.batchCount ?? 5,
    alertUrl,
    lakeLinkedService: adf?.linkedServices?.lake ?? 'ls_adls',
    databricksLinkedService: adf?.linkedServices?.databricks ?? 'ls_databricks',
    sqlDataset: adf?.datasets?.sqlTable ?? 'ds_sql_table',
    parquetDataset: adf?.datasets?.parquet ?? 'ds_adls_parquet',
    jsonDataset: adf?.datasets?.json ?? 'ds_adls_json',
    storageUrl: `https://${storageAccount}.dfs.core.windows.net/`,
    databricksDomain,
    workspaceResourceId,
    notebookFolder,
    cluster: clusterOf(adf?.databricks?.cluster),
    bronzeContainer: bronze?.container ?? 'bronze',
    scheduleTrigger: adf?.schedule?.trigger ?? 'tr_ingestion_schedule',
    schedule: {
      frequency: adf?.schedule?.frequency ?? 'Day',
      interval: adf?.schedule?.interval ?? 1,
      startTime: scheduleStart,
      timeZone,
    },
    backfillTrigger: adf?.backfill?.trigger ?? 'tr_ingestion_backfill',
    backfill: {
      frequency: adf?.backfill?.frequency ?? 'Hour',
      interval: adf?.backfill?.interval ?? 24,
      startTime: adf?.backfill?.startTime ?? (earliestBackfill ? `${earliestBackfill}T00:00:00Z` : scheduleStart),
      endTime: adf?.backfill?.endTime ?? scheduleStart,
      maxConcurrency: adf?.backfill?.maxConcurrency ?? 1,
    },
    notes,
  };
}

function pickEnvironment(metadata: LakehouseMetadata, name: string | undefined): Environment | undefined {
  if (name === undefined) return metadata.environments[0];
  const found = metadata.environments.find(e => e.name === name);
  if (!found) {
    const declared = metadata.environments.map(e => e.name);
    throw new UnknownAdfEnvironmentError(`No environment '${name}' in lakehouse.yaml${declared.length ? `; declared: ${declared.join(', ')}` : ' (it declares none)'}.`);
  }
  return found;
}

function clusterOf(raw: NonNullable<NonNullable<LakehouseMetadata['adf']>['databricks']>['cluster']): ClusterSettings {
  const version = raw?.version ?? DEFAULT_CLUSTER_VERSION;
  const workers = raw?.workers ?? '1';
  const policy = raw?.policyId ? { policyId: raw.policyId } : {};
  if (raw?.existingClusterId) return { kind: 'existing', existingClusterId: raw.existingClusterId };
  if (raw?.instancePoolId) return { kind: 'pool', instancePoolId: raw.instancePoolId, version, workers, ...policy };
  return { kind: 'new', version, nodeType: raw?.nodeType ?? DEFAULT_CLUSTER_NODE_TYPE, workers, ...policy };
}

/** The SQL server and database of a source system (placeholders when the metadata has none). */
export function sourceConnection(system: SourceSystem, notes: string[]): { server: string; database: string } {
  if (!system.server) notes.push(`Source '${system.name}' has no server: its linked service points at a placeholder.`);
  if (!system.database) notes.push(`Source '${system.name}' has no database: its linked service points at a placeholder.`);
  // Validated (LH605) before generation; never written into a connection string unchecked.
  const problem = (system.server !== undefined ? sqlServerProblem(system.server) : undefined) ?? (system.database !== undefined ? sqlDatabaseProblem(system.database) : undefined);
  if (problem) throw new AdfGenerationError(`Source '${system.name}': ${problem}.`);
  return { server: system.server ?? PLACEHOLDER.server, database: system.database ?? PLACEHOLDER.database };
}

/**
 * Where each target of a Databricks Asset Bundle syncs its files: workspace.file_path, else
 * workspace.root_path + /files (${bundle.name}, ${bundle.target} and ${workspace.root_path}
 * substituted). A target that deploys into a user's folder (the bundle default) has no
 * fixed path a factory could use: it maps to undefined.
 */
export function readBundleDeployment(text: string): BundleDeployment {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return { filePaths: new Map() };
  }
  const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {});
  const root = obj(doc);
  const name = typeof obj(root.bundle).name === 'string' ? obj(root.bundle).name as string : undefined;
  const filePaths = new Map<string, string | undefined>();
  for (const [target, raw] of Object.entries(obj(root.targets))) {
    const workspace = { ...obj(root.workspace), ...obj(obj(raw).workspace) };
    const substitute = (s: string, rootPath?: string) => s
      .replace(/\$\{bundle\.name\}/g, name ?? '${bundle.name}')
      .replace(/\$\{bundle\.target\}/g, target)
      .replace(/\$\{workspace\.root_path\}/g, rootPath ?? '${workspace.root_path}');
    const rootPath = typeof workspace.root_path === 'string' ? substitute(workspace.root_path) : undefined;
    const filePath = typeof workspace.file_path === 'string' ? substitute(workspace.file_path, rootPath) : rootPath !== undefined ? `${rootPath}/files` : undefined;
    filePaths.set(target, filePath && !filePath.includes('${') ? filePath.replace(/\/+$/, '') : undefined);
  }
  return { name, filePaths };
}
