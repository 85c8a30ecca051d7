// The generation settings in force: lakehouse.yaml's optional `adf` section over defaults, with
// the selected environment's values (storage account, Databricks host, alert URL) filled in.
// Values the metadata cannot supply become visible placeholders plus a note saying what to set.
import { sqlDatabaseProblem, sqlServerProblem } from '../../names/naming';
import { AdfGenerationError } from './errors';
import { parse as parseYaml } from 'yaml';
import {
  DEFAULT_SCHEDULE_START,
  type Environment,
  type LakehouseMetadata,
  type SourceSystem,
} from '../../metadata/model';

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
  workspaceResourceId:
    '/subscriptions/TODO/resourceGroups/TODO/providers/Microsoft.Databricks/workspaces/TODO-set-adf.databricks.workspaceResourceId',
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
/** Where the alert URL comes from: a Key Vault secret (read at run time), or a URL written into the pipeline. */
export type AlertTarget = { kind: 'keyVault'; vault: string; secret: string } | { kind: 'url'; url: string };

export interface ResolvedAdfSettings {
  environment: string;
  pipeline: string;
  loopParameter: string;
  batchCount: number;
  alertUrl: string;
  alert: AlertTarget;
  /** The storage account (its name) the notebooks read and write. */
  storageAccount: string;
  /** The Unity Catalog catalog of the environment's tables. */
  catalog: string;
  /** The silver schema as the environment's bundle target creates it (development mode prefixes dev_<short_name>_). */
  silverSchema: string;
  silverContainer: string;
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
  /** Per target: the workspace folder its files are synced to (${workspace.current_user.userName} / short_name left in place). */
  filePaths: Map<string, string | undefined>;
  /** Per target: its mode (development mode prefixes the schemas it creates with dev_<short_name>_). */
  modes?: Map<string, string | undefined>;
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
  const fill = (text: string) =>
    text
      .replace(/\{subscriptionId\}/g, environment?.subscriptionId ?? 'TODO')
      .replace(/\{resourceGroup\}/g, environment?.resourceGroup ?? 'TODO')
      .replace(/\{environment\}/g, envName)
      .replace(/\{bundleTarget\}/g, bundleTarget)
      .replace(/\{project\}/g, project);

  if (!environment)
    notes.push(
      'lakehouse.yaml declares no environment: the storage account, Databricks workspace and ' +
        'alert URL are placeholders (TODO…). Declare one under environments.',
    );
  const storageAccount = environment?.storageAccount ?? PLACEHOLDER.storageAccount;
  if (environment && !environment.storageAccount)
    notes.push(`Environment '${envName}' has no storageAccount: the lake linked service points at a placeholder.`);
  let databricksDomain = environment?.databricksHost?.replace(/\/+$/, '') ?? PLACEHOLDER.databricksHost;
  if (environment && !environment.databricksHost)
    notes.push(
      `Environment '${envName}' has no databricksHost: the Databricks linked service points at a placeholder.`,
    );
  if (databricksDomain.startsWith('http://')) databricksDomain = `https://${databricksDomain.slice('http://'.length)}`;

  const alertUrl = adf?.alertUrl ?? environment?.alertUrl ?? PLACEHOLDER.alertUrl;
  const alert: AlertTarget =
    environment?.keyVault && environment.alertUrlSecret
      ? { kind: 'keyVault', vault: environment.keyVault, secret: environment.alertUrlSecret }
      : { kind: 'url', url: alertUrl };
  if (alert.kind === 'url' && !adf?.alertUrl && !environment?.alertUrl) {
    notes.push(
      `No alert URL: set environments.${envName}.keyVault and alertUrlSecret (the pipeline reads ` +
        `the URL from Key Vault), or adf.alertUrl (the pipeline's alert_url default is a ` +
        `placeholder).`,
    );
  }

  const workspaceResourceId = adf?.databricks?.workspaceResourceId
    ? fill(adf.databricks.workspaceResourceId)
    : PLACEHOLDER.workspaceResourceId;
  if (!adf?.databricks?.workspaceResourceId)
    notes.push(
      'Set adf.databricks.workspaceResourceId: the Databricks linked service authenticates with ' +
        "the factory's managed identity, which needs the workspace's resource id.",
    );

  let notebookFolder: string;
  if (adf?.databricks?.notebookFolder) notebookFolder = fill(adf.databricks.notebookFolder).replace(/\/+$/, '');
  else {
    const bundleName = options.bundle?.name ?? project;
    const fallback = `/Workspace/Shared/.bundle/${bundleName}/${bundleTarget}/files`;
    const deployed = options.bundle?.filePaths.get(bundleTarget);
    const user = environment?.deployUser;
    if (deployed === undefined) {
      notebookFolder = fallback;
      notes.push(
        `The bundle target '${bundleTarget}' is not in databricks.yml, or does not say where it ` +
          `deploys: notebooks are assumed under ${fallback}. Set the target's workspace.root_path, ` +
          `or adf.databricks.notebookFolder.`,
      );
    } else if (/\$\{workspace\.current_user\./.test(deployed)) {
      if (user) {
        const shortName = shortNameOf(user);
        notebookFolder = deployed
          .replace(/\$\{workspace\.current_user\.userName\}/g, user)
          .replace(/\$\{workspace\.current_user\.short_name\}/g, shortName);
      } else {
        notebookFolder = deployed;
        notes.push(
          `The bundle target '${bundleTarget}' deploys into a folder named after the deploying user ` +
            `(${deployed}): set environments.${envName}.deployUser to the user or service principal ` +
            `that deploys it, so the pipeline's notebook paths follow.`,
        );
      }
    } else notebookFolder = deployed;
  }

  // Development mode creates the bundle's schemas as dev_<short_name>_<name>.
  const development = options.bundle?.modes?.get(bundleTarget) === 'development';
  const schemaPrefix =
    development && environment?.deployUser ? `dev_${shortNameOf(environment.deployUser).toLowerCase()}_` : '';

  const bronze = metadata.zones.find(z => z.name === 'bronze');
  if (!bronze) notes.push('lakehouse.yaml declares no bronze zone: the copies write to a container named bronze.');
  const silver = metadata.zones.find(z => z.name === 'silver');
  const catalog =
    environment?.catalog ?? silver?.catalog ?? metadata.zones.find(z => z.name === 'gold')?.catalog ?? 'main';

  const scheduleStart = adf?.schedule?.startTime ?? DEFAULT_SCHEDULE_START;
  const timeZone = adf?.schedule?.timeZone ?? 'UTC';
  if (timeZone !== 'UTC' && scheduleStart.endsWith('Z')) {
    notes.push(
      `adf.schedule.startTime ends with Z (UTC) but the time zone is ${timeZone}: ADF reads a start time in another time zone without the Z.`,
    );
  }
  // One pass, no sort: 10,000 tables' dates are the same strings after each edit.
  let earliestBackfill: string | undefined;
  for (const t of metadata.tables)
    if (t.backfillFrom && (earliestBackfill === undefined || t.backfillFrom < earliestBackfill))
      earliestBackfill = t.backfillFrom;
  return {
    environment: envName,
    pipeline: adf?.pipeline ?? DEFAULT_PIPELINE,
    loopParameter: adf?.loopParameter ?? DEFAULT_LOOP_PARAMETER,
    batchCount: adf?.batchCount ?? 5,
    alertUrl,
    alert,
    storageAccount,
    catalog,
    silverSchema: `${schemaPrefix}${silver?.schema ?? 'silver'}`,
    silverContainer: silver?.container ?? 'silver',
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
    // The windows cover the tables' history, from the earliest backfillFrom up to the schedule's
    // first run (scheduled runs copy from there on: each table's watermark starts there).
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

/** Databricks' short_name of a user: the user name before '@', characters other than letters, digits and _ as _. */
export function shortNameOf(user: string): string {
  return user.split('@')[0]!.replace(/[^A-Za-z0-9_]/g, '_');
}

function pickEnvironment(metadata: LakehouseMetadata, name: string | undefined): Environment | undefined {
  if (name === undefined) return metadata.environments[0];
  const found = metadata.environments.find(e => e.name === name);
  if (!found) {
    const declared = metadata.environments.map(e => e.name);
    throw new UnknownAdfEnvironmentError(
      `No environment '${name}' in lakehouse.yaml${declared.length ? `; declared: ${declared.join(', ')}` : ' (it declares none)'}.`,
    );
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
  if (!system.database)
    notes.push(`Source '${system.name}' has no database: its linked service points at a placeholder.`);
  // Validated (LH605) before generation; never written into a connection string unchecked.
  const problem =
    (system.server !== undefined ? sqlServerProblem(system.server) : undefined) ??
    (system.database !== undefined ? sqlDatabaseProblem(system.database) : undefined);
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
  const obj = (v: unknown): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  const root = obj(doc);
  const name = typeof obj(root.bundle).name === 'string' ? (obj(root.bundle).name as string) : undefined;
  const filePaths = new Map<string, string | undefined>();
  const modes = new Map<string, string | undefined>();
  for (const [target, raw] of Object.entries(obj(root.targets))) {
    modes.set(target, typeof obj(raw).mode === 'string' ? (obj(raw).mode as string) : undefined);
    const workspace = { ...obj(root.workspace), ...obj(obj(raw).workspace) };
    const substitute = (s: string, rootPath?: string) =>
      s
        .replace(/\$\{bundle\.name\}/g, name ?? '${bundle.name}')
        .replace(/\$\{bundle\.target\}/g, target)
        .replace(/\$\{workspace\.root_path\}/g, rootPath ?? '${workspace.root_path}');
    // The bundle's default root is the deploying user's home (development and production mode alike).
    const rootPath = substitute(
      typeof workspace.root_path === 'string'
        ? workspace.root_path
        : '/Workspace/Users/${workspace.current_user.userName}/.bundle/${bundle.name}/${bundle.target}',
    );
    const filePath =
      typeof workspace.file_path === 'string' ? substitute(workspace.file_path, rootPath) : `${rootPath}/files`;
    // ${workspace.current_user.*} stays: the environment's deployUser fills it (resolveAdfSettings).
    const unresolved = filePath.replace(/\$\{workspace\.current_user\.(userName|short_name)\}/g, '');
    filePaths.set(target, !unresolved.includes('${') ? filePath.replace(/\/+$/, '') : undefined);
  }
  return { name, filePaths, modes };
}
