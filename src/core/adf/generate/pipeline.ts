// The metadata-driven ingestion pipeline, after the reference project's Incremental_loop: per
// source system a ForEach over an array parameter listing its tables (watermark Lookup, copy of
// the new rows into bronze, watermark update or clean-up of the empty file, the table's silver
// notebook), a ForEach for full-load tables, the gold step (a notebook that runs the gold Delta
// Live Tables pipeline and waits for it), and a success / failure alert.
// One source system fits one pipeline, as in the reference project; with several (or one whose
// table list outgrows a pipeline) each source system gets a pipeline of its own and the pipeline
// the triggers start orchestrates them with Execute Pipeline (see buildIngestionPipelines), so no
// generated pipeline passes Data Factory's limits. Keys are written in the order ADF Studio writes them.
import { createHash } from 'crypto';
import { drain } from '../../text/timeSlices';
import { columnNamed, type LakehouseMetadata, type SourceSystem, type Table } from '../../metadata/model';
import { tableFolder, WATERMARK_FILE, WATERMARK_FOLDER_SUFFIX } from '../../metadata/lakeLayout';
import { formatAdfJson, type JsonObject, type JsonPath, type JsonValue } from './adfJson';
import type { ResolvedAdfSettings } from './settings';

/** What the pipelines run on Databricks: each table's silver notebook, and the gold pipeline. */
export interface NotebookPaths {
  /** A table's silver notebook's workspace path, if it has one. */
  silverOf(table: Table): string | undefined;
  /** Whether some table has a silver notebook. */
  anySilver: boolean;
  /**
   * Per source system, when an editor's cache computed the paths: a token for what silverOf says
   * of its tables, the same object while that is the same (a system's pipelines are reused while it is).
   */
  silverBySystem?: Map<SourceSystem, object>;
  /**
   * The name of the bundle's gold Declarative Pipeline (Delta Live Tables), whose update the gold
   * step starts and waits for; undefined when the project renders no dimension or fact (no gold step).
   */
  goldPipeline?: string;
}

export interface BuiltPipeline {
  value: JsonObject;
  /** The value in ADF Studio's formatting (formatAdfJson). */
  text: string;
  /** The parameter defaults the metadata owns. */
  ownedPaths: JsonPath[];
}

const WINDOW_START = 'window_start';
const WINDOW_END = 'window_end';
/** Set by a backfill (lakehouse backfill, Backfill…) on each run it starts: its id, so the run says which backfill it belongs to. */
const BACKFILL_ID = 'backfill_id';
const BRONZE_CONTAINER = 'bronze_container';
const SILVER_CONTAINER = 'silver_container';
const STORAGE_ACCOUNT = 'storage_account';
const CATALOG = 'catalog';
const SILVER_SCHEMA = 'silver_schema';
const ALERT_URL = 'alert_url';
const KEY_VAULT = 'key_vault';
const ALERT_URL_SECRET = 'alert_url_secret';
const DATABRICKS_HOST = 'databricks_host';
const GOLD_PIPELINE = 'gold_pipeline';
const FULL_LOAD_PARAMETER = 'full_load_input';
const ROWVERSION_PARAMETER = 'rowversion_input';
const CHANGE_TRACKING_PARAMETER = 'change_tracking_input';
/** What the lake pipelines pass on to the pipelines they run: where the lake and the catalog are, and the backfill window. */
const PASSED_ON = [
  BRONZE_CONTAINER,
  SILVER_CONTAINER,
  STORAGE_ACCOUNT,
  CATALOG,
  SILVER_SCHEMA,
  WINDOW_START,
  WINDOW_END,
  BACKFILL_ID,
];
/** The Azure Databricks resource (first-party application id) the factory's managed identity gets tokens for. */
const DATABRICKS_RESOURCE = '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d';

const expression = (value: string): JsonObject => ({ value, type: 'Expression' });
const linkedServiceRef = (name: string): JsonObject => ({ referenceName: name, type: 'LinkedServiceReference' });
const datasetRef = (name: string, parameters?: JsonObject): JsonObject =>
  parameters
    ? { referenceName: name, type: 'DatasetReference', parameters }
    : { referenceName: name, type: 'DatasetReference' };
const dependsOn = (activity: string, ...conditions: string[]): JsonObject => ({
  activity,
  dependencyConditions: conditions,
});

/** ADF Studio's policy block; data movement retries once (transient network errors), notebooks never (a retry doubles cluster time). */
function policy(retry: number): JsonObject {
  return {
    timeout: '0.12:00:00',
    retry,
    retryIntervalInSeconds: retry ? 60 : 30,
    secureOutput: false,
    secureInput: false,
  };
}

interface ActivityParts {
  name: string;
  type: string;
  dependsOn?: JsonObject[];
  policy?: JsonObject;
  /** Script activities carry their linked service before typeProperties, notebooks after (as ADF Studio writes them). */
  linkedServiceFirst?: string;
  typeProperties: JsonObject;
  linkedServiceLast?: string;
  inputs?: JsonValue[];
  outputs?: JsonValue[];
}

function activity(parts: ActivityParts): JsonObject {
  const a: JsonObject = { name: parts.name, type: parts.type, dependsOn: parts.dependsOn ?? [] };
  if (parts.policy) a.policy = parts.policy;
  a.userProperties = [];
  if (parts.linkedServiceFirst) a.linkedServiceName = linkedServiceRef(parts.linkedServiceFirst);
  a.typeProperties = parts.typeProperties;
  if (parts.linkedServiceLast) a.linkedServiceName = linkedServiceRef(parts.linkedServiceLast);
  if (parts.inputs) a.inputs = parts.inputs;
  if (parts.outputs) a.outputs = parts.outputs;
  return a;
}

const READ_SETTINGS: JsonObject = {
  type: 'AzureBlobFSReadSettings',
  recursive: false,
  enablePartitionDiscovery: false,
};

/** The Copy source, Script and dataset types of each kind of SQL source. */
export function sqlFlavour(system: SourceSystem): {
  linkedServiceType: string;
  datasetType: string;
  sourceType: string;
} {
  switch (system.type) {
    case 'synapse':
      return { linkedServiceType: 'AzureSqlDW', datasetType: 'AzureSqlDWTable', sourceType: 'SqlDWSource' };
    case 'sqlServer':
      return { linkedServiceType: 'SqlServer', datasetType: 'SqlServerTable', sourceType: 'SqlServerSource' };
    default:
      return { linkedServiceType: 'AzureSqlDatabase', datasetType: 'AzureSqlTable', sourceType: 'AzureSqlSource' };
  }
}

/** The name of a source system's SQL dataset (suffixed with the system when there are several). */
export function sqlDatasetName(
  settings: ResolvedAdfSettings,
  system: SourceSystem,
  systems: readonly SourceSystem[],
): string {
  return systems.length > 1 ? `${settings.sqlDataset}_${system.name}` : settings.sqlDataset;
}

export function sqlLinkedServiceName(system: SourceSystem): string {
  return system.linkedService ?? `ls_${system.name}`;
}

/** A table is copied incrementally when it says so and names its watermark column. */
export function isIncremental(table: Table): table is Table & { cdcColumn: string } {
  return table.loadType === 'incremental' && table.cdcColumn !== undefined;
}

/** The table's folder in the bronze zone (the zone's path layout, default the table's name). */
export function bronzeFolder(metadata: LakehouseMetadata, table: Table): string {
  return tableFolder(
    metadata.zones.find(z => z.name === 'bronze'),
    table,
  );
}

/** Whether the generated pipeline keeps a watermark file for the table (`<bronze folder>_cdc/cdc.json`). */
export function writesWatermark(table: Table): boolean {
  return isIncremental(table) || (table.loadType === 'incremental' && table.cdcMode === 'changeTracking');
}

export function tableKey(table: Table): string {
  return `${table.system}.${table.schema}.${table.name}`.toLowerCase();
}

/** The ingestion: one pipeline, or an orchestrator (first) and the pipelines it runs. */
export interface IngestionPipelines {
  pipelines: BuiltPipeline[];
  /** Limits generation could not keep to, in words for the user. */
  notes: string[];
}

/**
 * What generation keeps every pipeline within. Data Factory allows 80 activities (nested ones
 * included), 50 parameters and 200 KB; the text budget leaves room for what a checkout or ADF
 * Studio adds (CRLF line endings, space indentation, hand-added activities).
 */
export const GENERATION_LIMITS = { activities: 80, parameters: 50, textChars: 128 * 1024 } as const;

/** Activities (nested ones included), parameters and formatted size of a pipeline. */
export function pipelineStats(
  pipeline: JsonObject,
  text = formatAdfJson(pipeline),
): { activities: number; parameters: number; chars: number } {
  const properties = pipeline.properties as { activities: JsonObject[]; parameters: JsonObject };
  const count = (activities: readonly JsonObject[] | undefined): number =>
    (activities ?? []).reduce((n, a) => {
      const tp = a.typeProperties as Record<string, JsonObject[] | undefined>;
      return (
        n +
        1 +
        count(tp.activities) +
        count(tp.ifTrueActivities) +
        count(tp.ifFalseActivities) +
        count(tp.defaultActivities)
      );
    }, 0);
  return {
    activities: count(properties.activities),
    parameters: Object.keys(properties.parameters).length,
    chars: text.length,
  };
}

function withinLimits(pipeline: BuiltPipeline, stats = pipelineStats(pipeline.value, pipeline.text)): boolean {
  return (
    stats.activities <= GENERATION_LIMITS.activities &&
    stats.parameters <= GENERATION_LIMITS.parameters &&
    stats.chars <= GENERATION_LIMITS.textChars
  );
}

/**
 * One source system in one pipeline, as the reference project has it, while it fits. With several
 * source systems (or one pipeline past a limit) the pipeline named settings.pipeline, the one the
 * triggers start, orchestrates: it runs one pipeline per source system, `<pipeline>_<system>`,
 * one after the other with Execute Pipeline, then the gold step, then the alerts. A table list
 * too long for one pipeline is split into `_part<n>` pipelines; more system pipelines than the
 * orchestrator has room for are run through `<pipeline>_batch_<n>` pipelines.
 */
export function buildIngestionPipelines(
  metadata: LakehouseMetadata,
  settings: ResolvedAdfSettings,
  notebooks: NotebookPaths,
): IngestionPipelines {
  return drain(ingestionPipelineSteps(metadata, settings, notebooks));
}

/**
 * buildIngestionPipelines in steps: it pauses (yields) after each source system's pipelines, so
 * a caller on an editor's thread can give the event loop back between them (10,000 tables are
 * 200 systems); the result is the same as building them at once.
 */
export function* ingestionPipelineSteps(
  metadata: LakehouseMetadata,
  settings: ResolvedAdfSettings,
  notebooks: NotebookPaths,
  cache?: SystemPipelineCache,
): Generator<void, IngestionPipelines> {
  const systems = metadata.sources.filter(s => s.tables.length > 0);
  if (systems.length <= 1) {
    const single = singlePipeline(metadata, settings, notebooks, systems[0]);
    if (withinLimits(single)) return { pipelines: [single], notes: [] };
  }
  const context = cache && notebooks.silverBySystem && systemPipelinesContext(metadata, settings, systems);
  const children: BuiltPipeline[] = [];
  for (const system of systems) {
    const silver = notebooks.silverBySystem?.get(system);
    const known = cache?.get(system);
    if (known && context !== undefined && known.key === context && known.silver === silver) {
      children.push(...known.pipelines);
      continue;
    }
    const built = inParts(`${settings.pipeline}_${system.name}`, system.tables, (name, tables, part) =>
      childPipeline(name, metadata, system, systems, tables, settings, notebooks, part),
    );
    if (cache && context !== undefined) cache.set(system, { key: context, silver, pipelines: built });
    children.push(...built);
    yield;
  }
  const runs = children.map(child => runOf(settings, child));
  const orchestrated = orchestration(settings, notebooks, runs);
  return { pipelines: [...orchestrated.pipelines, ...children], notes: orchestrated.notes };
}

/**
 * Each source system's pipelines, kept by an editor between generations of one project: an edit
 * re-parses one file, whose systems are new objects; every other system keeps its object (its
 * file's cached parse) and so its pipelines, while its silver notebook paths (NotebookPaths.silverBySystem)
 * and the key of everything else they are built from are the same. At 10,000 tables that is one
 * system's pipelines per edit instead of 200.
 */
export type SystemPipelineCache = WeakMap<
  SourceSystem,
  { key: string; silver: object | undefined; pipelines: BuiltPipeline[] }
>;

/**
 * What a system's pipelines are built from besides the system itself and its tables' silver
 * notebook paths: the settings (without their notes), the bronze zone's folder layout and whether
 * there are several systems (the SQL dataset's name).
 */
function systemPipelinesContext(
  metadata: LakehouseMetadata,
  settings: ResolvedAdfSettings,
  systems: readonly SourceSystem[],
): string {
  return JSON.stringify([
    { ...settings, notes: undefined },
    metadata.zones.find(z => z.name === 'bronze')?.path ?? null,
    systems.length > 1,
  ]);
}

/** The Execute Pipeline activity that runs a generated ingestion pipeline: `ingest_` and the pipeline's name after `<pipeline>_`. */
function runOf(settings: ResolvedAdfSettings, pipeline: BuiltPipeline): Run {
  const name = pipeline.value.name as string;
  return { activity: fitActivityName(`ingest_${name.slice(settings.pipeline.length + 1)}`), pipeline: name };
}

/** Data Factory's limit on an activity name's length. */
const MAX_ACTIVITY_NAME = 55;

/** A name within the limit: long ones keep their start and end a short hash of the whole, so they stay distinct and stable. */
function fitActivityName(name: string): string {
  if (name.length <= MAX_ACTIVITY_NAME) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_ACTIVITY_NAME - hash.length - 1)}_${hash}`;
}

/**
 * One pipeline of all the items while it fits, else the fewest equal parts (in order) that each
 * fit: `<name>_part1`, `<name>_part2`, … Items are what a pipeline's array parameter lists.
 */
function inParts<T>(
  name: string,
  items: readonly T[],
  build: (name: string, items: readonly T[], part?: number) => BuiltPipeline,
): BuiltPipeline[] {
  if (items.length === 0) return [];
  const whole = build(name, items);
  const stats = pipelineStats(whole.value, whole.text);
  if (withinLimits(whole, stats)) return [whole];
  for (let parts = Math.max(2, Math.ceil(stats.chars / GENERATION_LIMITS.textChars)); parts <= items.length; parts++) {
    const size = Math.ceil(items.length / parts);
    const built: BuiltPipeline[] = [];
    for (let k = 0; k * size < items.length; k++)
      built.push(build(`${name}_part${k + 1}`, items.slice(k * size, (k + 1) * size), k + 1));
    if (built.every(b => withinLimits(b))) return built;
  }
  return [whole]; // no split fits (a single item past the limits): the service-limit note says so
}

/**
 * The orchestrator, and the batch pipelines between it and the source system pipelines when it
 * has no room for an Execute Pipeline per system pipeline.
 */
function orchestration(
  settings: ResolvedAdfSettings,
  notebooks: NotebookPaths,
  runs: readonly Run[],
): { pipelines: BuiltPipeline[]; notes: string[] } {
  const room =
    GENERATION_LIMITS.activities - ALERT_ACTIVITIES - (notebooks.goldPipeline !== undefined ? GOLD_ACTIVITIES : 0);
  const batches: BuiltPipeline[] = [];
  let top: Run[] = [...runs];
  if (runs.length > room) {
    const count = Math.ceil(runs.length / GENERATION_LIMITS.activities);
    const size = Math.ceil(runs.length / count);
    top = [];
    for (let k = 0; k * size < runs.length; k++) {
      const batch = batchPipeline(
        `${settings.pipeline}_batch_${k + 1}`,
        settings,
        runs.slice(k * size, (k + 1) * size),
      );
      batches.push(batch);
      top.push(runOf(settings, batch));
    }
  }
  const notes =
    top.length > room
      ? [
          `The ingestion needs ${runs.length} pipelines (one per source system or part of one): even ` +
            `run through ${top.length} batch pipelines, pipeline '${settings.pipeline}' has more ` +
            `activities than ADF allows. Split the source systems into several projects.`,
        ]
      : [];
  return { pipelines: [orchestratorPipeline(settings, notebooks, top), ...batches], notes };
}

interface Run {
  /** The Execute Pipeline activity's name. */
  activity: string;
  pipeline: string;
}

/** A pipeline's parameters, in declaration order, and the defaults the metadata owns. */
class Parameters {
  readonly values: JsonObject = {};
  readonly ownedPaths: JsonPath[] = [];

  own(parameter: string, type: string, defaultValue: JsonValue): void {
    this.values[parameter] = { type, defaultValue };
    this.ownedPaths.push(['properties', 'parameters', parameter, 'defaultValue']);
  }

  /** Where the lake and the catalog are: the environment's, passed on to the notebooks. */
  lake(settings: ResolvedAdfSettings): void {
    this.own(BRONZE_CONTAINER, 'string', settings.bronzeContainer);
    this.own(SILVER_CONTAINER, 'string', settings.silverContainer);
    this.own(STORAGE_ACCOUNT, 'string', settings.storageAccount);
    this.own(CATALOG, 'string', settings.catalog);
    this.own(SILVER_SCHEMA, 'string', settings.silverSchema);
  }

  /**
   * Set by the backfill trigger or a backfill (passed on to the pipelines run); empty on scheduled
   * runs (which copy past the watermark). A backfill's runs carry its id, their partition is their window.
   */
  window(): void {
    this.values[WINDOW_START] = { type: 'string', defaultValue: '' };
    this.values[WINDOW_END] = { type: 'string', defaultValue: '' };
    this.values[BACKFILL_ID] = { type: 'string', defaultValue: '' };
  }

  /** Where the alerts go: a Key Vault secret read at run time, else a secure parameter. */
  alert(settings: ResolvedAdfSettings): void {
    if (settings.alert.kind === 'keyVault') {
      this.own(KEY_VAULT, 'string', settings.alert.vault);
      this.own(ALERT_URL_SECRET, 'string', settings.alert.secret);
    } else this.own(ALERT_URL, 'securestring', settings.alert.url);
  }

  gold(settings: ResolvedAdfSettings, goldPipeline: string): void {
    this.own(DATABRICKS_HOST, 'string', settings.databricksDomain);
    this.own(GOLD_PIPELINE, 'string', goldPipeline);
  }
}

/** Activities each stage adds around the work: the alerts (and the Key Vault read of their URL). */
const ALERT_ACTIVITIES = 3;

/**
 * Stages run one after the other (each stage a list of activities, the first waiting for the
 * previous stage's last), so the alerts hang off a single last activity: ADF's dependencies are
 * AND across activities, and a skipped stage must still reach the failure alert.
 */
function chained(stages: JsonObject[][]): JsonObject[] {
  stages.forEach((stage, i) => {
    if (i > 0 && stage[0]) stage[0].dependsOn = [dependsOn(stages[i - 1]!.at(-1)!.name as string, 'Succeeded')];
  });
  return stages.flat();
}

/**
 * The outcome, posted to the alert URL in the seed project's shape ({pipeline_name,
 * pipeline_runId}, so Logic Apps built for it keep working) plus the status and, on failure, the
 * error of the stage that failed. With a Key Vault, the URL is read at run time and never shown
 * in the run's monitoring (secure output and input).
 */
function withAlerts(
  activities: JsonObject[],
  settings: ResolvedAdfSettings,
  stageNames: readonly string[],
): JsonObject[] {
  const last = activities.at(-1)?.name as string | undefined;
  const fromVault = settings.alert.kind === 'keyVault';
  const url = fromVault ? "@activity('get_alert_url').output.value" : `@pipeline().parameters.${ALERT_URL}`;
  const after = (conditions: string[]): JsonObject[] => [
    ...(last ? [dependsOn(last, ...conditions)] : []),
    ...(fromVault ? [dependsOn('get_alert_url', 'Succeeded')] : []),
  ];
  const errors = stageNames.map(name => `activity('${name}')?.error?.message`);
  const error = errors.length ? `@{coalesce(${[...errors, "'see the run in ADF Studio'"].join(', ')})}` : '';
  return [
    ...(fromVault
      ? [
          activity({
            name: 'get_alert_url',
            type: 'WebActivity',
            policy: { ...policy(1), secureOutput: true },
            typeProperties: {
              method: 'GET',
              url: expression(
                `@concat('https://', pipeline().parameters.${KEY_VAULT}, '.vault.azure.net/secrets/', ` +
                  `pipeline().parameters.${ALERT_URL_SECRET}, '?api-version=7.4')`,
              ),
              authentication: { type: 'MSI', resource: 'https://vault.azure.net' },
            },
          }),
        ]
      : []),
    ...activities,
    alert('alert_success', 'Succeeded', after(['Succeeded']), url, ''),
    ...(last ? [alert('alert_failure', 'Failed', after(['Failed', 'Skipped']), url, error)] : []),
  ];
}

function pipelineOf(
  name: string,
  description: string,
  activities: JsonObject[],
  parameters: Parameters,
): BuiltPipeline {
  const value: JsonObject = {
    name,
    properties: {
      description,
      activities,
      parameters: parameters.values,
      // One run at a time: two runs would race on a table's watermark and its silver checkpoint.
      concurrency: 1,
      annotations: ['lakehouse-workbench'],
    },
    type: 'Microsoft.DataFactory/factories/pipelines',
  };
  return { value, text: formatAdfJson(value), ownedPaths: parameters.ownedPaths };
}

/** The default "re-read" window of a watermark column, in minutes: an hour, a day for a date column. */
function overlapMinutes(table: Table): number {
  const explicit = table.cdcOverlap ? durationMinutes(table.cdcOverlap) : undefined;
  if (explicit !== undefined) return explicit;
  const type = table.cdcColumn ? (columnNamed(table, table.cdcColumn)?.type ?? '') : '';
  return /^\s*date\s*$/i.test(type) ? 24 * 60 : 60;
}

/** Minutes of an ISO 8601 duration of days, hours, minutes and seconds (PT1H, P1D, PT90S). */
export function durationMinutes(duration: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(duration);
  if (!m || duration === 'P' || duration === 'PT') return undefined;
  return Number(m[1] ?? 0) * 1440 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) + Math.ceil(Number(m[4] ?? 0) / 60);
}

/** Where a table's watermark starts when the pipeline first meets it: the schedule's start for a table the backfill covers, else the beginning of time. */
function seedWatermark(table: Table, settings: ResolvedAdfSettings): string {
  return table.backfillFrom ? normalizeTime(settings.schedule.startTime) : '1900-01-01T00:00:00.0000000';
}

/**
 * The first watermark the pipeline writes for an incremental table (what deploy seeds before the
 * first run): a time for a watermark column, version 0 for a rowversion or Change Tracking.
 */
export function firstWatermark(table: Table, settings: ResolvedAdfSettings): string {
  return table.cdcMode === 'watermark' ? seedWatermark(table, settings) : '0';
}

/** Whether the generated pipeline keeps a watermark file for the table (an incremental table the loops copy by watermark, rowversion or Change Tracking). */
export function keepsWatermark(table: Table): boolean {
  return table.cdcMode === 'changeTracking' ? table.loadType === 'incremental' : isIncremental(table);
}

/** The table's watermark file, in the bronze container: `<bronze folder>_cdc/cdc.json`. */
export function watermarkPath(metadata: LakehouseMetadata, table: Table): string {
  return `${bronzeFolder(metadata, table)}_cdc/cdc.json`;
}

/** A UTC time as the watermark file holds it (yyyy-MM-ddTHH:mm:ss.fffffff, no zone). */
function normalizeTime(time: string): string {
  const m = /^(\d{4}-\d\d-\d\d)(?:T(\d\d:\d\d:\d\d))?/.exec(time);
  return m ? `${m[1]}T${m[2] ?? '00:00:00'}.0000000` : time;
}

/** A source system's loops over its tables (watermark, rowversion, Change Tracking, full loads), their array parameters owned. */
function systemLoops(
  metadata: LakehouseMetadata,
  system: SourceSystem,
  systems: readonly SourceSystem[],
  tables: readonly Table[],
  settings: ResolvedAdfSettings,
  notebooks: NotebookPaths,
  parameters: Parameters,
): JsonObject[][] {
  const loops: JsonObject[][] = [];
  const silverOf = (t: Table) => notebooks.silverOf(t);
  const common = (t: Table) => ({
    schema: t.schema,
    table: t.name,
    bronze_folder: bronzeFolder(metadata, t),
    ...(silverOf(t) !== undefined ? { silver_notebook: silverOf(t) as string } : {}),
  });
  const withSilver = (list: Table[]) => list.some(t => silverOf(t) !== undefined);
  const byMode = (mode: Table['cdcMode']) => tables.filter(t => isIncremental(t) && t.cdcMode === mode);

  const watermark = byMode('watermark');
  if (watermark.length > 0) {
    parameters.own(
      settings.loopParameter,
      'array',
      watermark.map(t => ({
        ...common(t),
        cdc_col: t.cdcColumn!,
        from_date: t.backfillFrom ?? '',
        seed: seedWatermark(t, settings),
        overlap_minutes: overlapMinutes(t),
      })),
    );
    loops.push(watermarkLoop(system, systems, settings.loopParameter, settings, withSilver(watermark)));
  }
  const rowversion = byMode('rowversion');
  if (rowversion.length > 0) {
    parameters.own(
      ROWVERSION_PARAMETER,
      'array',
      rowversion.map(t => ({ ...common(t), cdc_col: t.cdcColumn! })),
    );
    loops.push(rowversionLoop(system, systems, ROWVERSION_PARAMETER, settings, withSilver(rowversion)));
  }
  const tracked = tables.filter(t => t.loadType === 'incremental' && t.cdcMode === 'changeTracking');
  if (tracked.length > 0) {
    parameters.own(
      CHANGE_TRACKING_PARAMETER,
      'array',
      tracked.map(t => ({ ...common(t), ...changeTrackingColumns(t) })),
    );
    loops.push(changeTrackingLoop(system, systems, CHANGE_TRACKING_PARAMETER, settings, withSilver(tracked)));
  }
  const full = tables.filter(
    t => !isIncremental(t) && !(t.loadType === 'incremental' && t.cdcMode === 'changeTracking'),
  );
  if (full.length > 0) {
    parameters.own(FULL_LOAD_PARAMETER, 'array', full.map(common));
    loops.push(fullLoadLoop(system, systems, FULL_LOAD_PARAMETER, settings, withSilver(full)));
  }
  return loops;
}

/** The name of the gold step's last activity (see goldStep). */
export const GOLD_ACTIVITY = 'check_gold_update';
/** Activities of the gold step, nested ones included. */
const GOLD_ACTIVITIES = 10;

/**
 * The gold step: the dimension and fact notebooks are Declarative Pipelines (Delta Live Tables)
 * code, which only the bundle's pipeline runs. Data Factory starts an update of that pipeline
 * through the Databricks REST API with its managed identity and waits for it: it finds the
 * pipeline by name (bundle development mode prefixes `[dev <user>] `), starts the update, polls
 * it until it ends, and fails unless it completed. No notebook and no job cluster in between.
 */
function goldStep(settings: ResolvedAdfSettings, notebooks: NotebookPaths, parameters: Parameters): JsonObject[] {
  if (notebooks.goldPipeline === undefined) return [];
  parameters.gold(settings, notebooks.goldPipeline);
  const api = `pipeline().parameters.${DATABRICKS_HOST}, '/api/2.0/pipelines`;
  const auth = { type: 'MSI', resource: DATABRICKS_RESOURCE };
  const web = (name: string, method: string, url: string, extra: JsonObject = {}, after?: string): JsonObject =>
    activity({
      name,
      type: 'WebActivity',
      dependsOn: after ? [dependsOn(after, 'Succeeded')] : [],
      policy: policy(1),
      typeProperties: { method, url: expression(url), ...extra, authentication: auth },
    });
  const pipelineId = "first(activity('gold_pipeline_named').output.value).pipeline_id";
  const state = "activity('get_gold_update').output.update.state";
  return [
    web(
      'find_gold_pipeline',
      'GET',
      `@concat(${api}?max_results=100&filter=', uriComponent(concat('name LIKE ''%', pipeline().parameters.${GOLD_PIPELINE}, '''')))`,
    ),
    activity({
      name: 'gold_pipeline_named',
      type: 'Filter',
      dependsOn: [dependsOn('find_gold_pipeline', 'Succeeded')],
      typeProperties: {
        items: expression("@coalesce(activity('find_gold_pipeline').output?.statuses, json('[]'))"),
        condition: expression(`@endswith(item().name, pipeline().parameters.${GOLD_PIPELINE})`),
      },
    }),
    activity({
      name: 'one_gold_pipeline',
      type: 'IfCondition',
      dependsOn: [dependsOn('gold_pipeline_named', 'Succeeded')],
      typeProperties: {
        expression: expression("@equals(activity('gold_pipeline_named').output.FilteredItemsCount, 1)"),
        ifFalseActivities: [
          activity({
            name: 'gold_pipeline_not_found',
            type: 'Fail',
            typeProperties: {
              message: expression(
                `@concat('No single Databricks pipeline is named ', ` +
                  `pipeline().parameters.${GOLD_PIPELINE}, ' (found ', ` +
                  `string(activity('gold_pipeline_named').output.FilteredItemsCount), '): deploy the bundle, ` +
                  `which defines it, or set the gold_pipeline parameter.')`,
              ),
              errorCode: 'GoldPipelineNotFound',
            },
          }),
        ],
      },
    }),
    web(
      'start_gold_update',
      'POST',
      `@concat(${api}/', ${pipelineId}, '/updates')`,
      { body: { full_refresh: false } },
      'one_gold_pipeline',
    ),
    activity({
      name: 'wait_for_gold_update',
      type: 'Until',
      dependsOn: [dependsOn('start_gold_update', 'Succeeded')],
      typeProperties: {
        expression: expression(
          `@contains(createArray('COMPLETED', 'FAILED', 'CANCELED'), coalesce(activity('get_gold_update')?.output?.update?.state, 'QUEUED'))`,
        ),
        timeout: '0.06:00:00',
        activities: [
          activity({ name: 'wait_30_seconds', type: 'Wait', typeProperties: { waitTimeInSeconds: 30 } }),
          web(
            'get_gold_update',
            'GET',
            `@concat(${api}/', ${pipelineId}, '/updates/', activity('start_gold_update').output.update_id)`,
            {},
            'wait_30_seconds',
          ),
        ],
      },
    }),
    activity({
      name: GOLD_ACTIVITY,
      type: 'IfCondition',
      dependsOn: [dependsOn('wait_for_gold_update', 'Succeeded')],
      typeProperties: {
        expression: expression(`@equals(${state}, 'COMPLETED')`),
        ifFalseActivities: [
          activity({
            name: 'gold_update_failed',
            type: 'Fail',
            typeProperties: {
              message: expression(
                `@concat('The gold pipeline ', pipeline().parameters.${GOLD_PIPELINE}, ' update ', ` +
                  `activity('start_gold_update').output.update_id, ' ended ', ${state}, ': see its event log ` +
                  `in the Databricks workspace.')`,
              ),
              errorCode: 'GoldUpdateFailed',
            },
          }),
        ],
      },
    }),
  ];
}

const GENERATED_BY = 'Generated by Lakehouse Workbench from lakehouse.yaml (lakehouse generate adf).';
const WHAT_IT_DOES =
  'Copies the new rows of each source table into the bronze zone (past its watermark, which moves forward only once the rows are in bronze; ' +
  "the window's rows when the backfill trigger runs it), runs each table's silver notebook every time";

/** The reference project's shape: everything in one pipeline (one source system at most). */
function singlePipeline(
  metadata: LakehouseMetadata,
  settings: ResolvedAdfSettings,
  notebooks: NotebookPaths,
  system: SourceSystem | undefined,
): BuiltPipeline {
  const parameters = new Parameters();
  const stages = system ? systemLoops(metadata, system, [system], system.tables, settings, notebooks, parameters) : [];
  const gold = goldStep(settings, notebooks, parameters);
  if (gold.length) stages.push(gold);
  parameters.lake(settings);
  parameters.alert(settings);
  parameters.window();
  return pipelineOf(
    settings.pipeline,
    `${GENERATED_BY} ${WHAT_IT_DOES}, then updates the gold pipeline (Declarative Pipelines) ` +
      'and waits for it, and posts the outcome to the alert URL. The parameter defaults come from lakehouse.yaml.',
    withAlerts(
      chained(stages),
      settings,
      stages.map(stage => stage.at(-1)!.name as string),
    ),
    parameters,
  );
}

function childPipeline(
  name: string,
  metadata: LakehouseMetadata,
  system: SourceSystem,
  systems: readonly SourceSystem[],
  tables: readonly Table[],
  settings: ResolvedAdfSettings,
  notebooks: NotebookPaths,
  part?: number,
): BuiltPipeline {
  const parameters = new Parameters();
  const stages = systemLoops(metadata, system, systems, tables, settings, notebooks, parameters);
  parameters.lake(settings);
  parameters.window();
  return pipelineOf(
    name,
    `${GENERATED_BY} Ingests source system '${system.name}'${part ? ` (part ${part} of its tables)` : ''}. ${WHAT_IT_DOES}. ` +
      `Run by ${settings.pipeline} (Execute Pipeline). The parameter defaults come from lakehouse.yaml.`,
    chained(stages),
    parameters,
  );
}

/** Runs an ingestion pipeline and waits for it (its failure fails this activity), passing on the lake and the backfill window. */
function executePipeline(run: Run): JsonObject {
  return activity({
    name: run.activity,
    type: 'ExecutePipeline',
    policy: { secureInput: false },
    typeProperties: {
      pipeline: { referenceName: run.pipeline, type: 'PipelineReference' },
      waitOnCompletion: true,
      parameters: Object.fromEntries(PASSED_ON.map(p => [p, expression(`@pipeline().parameters.${p}`)])),
    },
  });
}

function orchestratorPipeline(
  settings: ResolvedAdfSettings,
  notebooks: NotebookPaths,
  runs: readonly Run[],
): BuiltPipeline {
  const parameters = new Parameters();
  const stages = runs.map(run => [executePipeline(run)]);
  const gold = goldStep(settings, notebooks, parameters);
  if (gold.length) stages.push(gold);
  parameters.lake(settings);
  parameters.alert(settings);
  parameters.window();
  return pipelineOf(
    settings.pipeline,
    `${GENERATED_BY} Runs the ingestion pipeline of each source system one after the other (Execute Pipeline, ` +
      'passing on the lake and the backfill window the backfill trigger sets), then updates the gold pipeline (Declarative Pipelines) ' +
      'and waits for it, and posts the outcome to the alert URL. The parameter defaults come from lakehouse.yaml.',
    withAlerts(
      chained(stages),
      settings,
      stages.map(stage => stage.at(-1)!.name as string),
    ),
    parameters,
  );
}

function batchPipeline(name: string, settings: ResolvedAdfSettings, runs: readonly Run[]): BuiltPipeline {
  const parameters = new Parameters();
  parameters.lake(settings);
  parameters.window();
  return pipelineOf(
    name,
    `${GENERATED_BY} Runs ${runs.length} source system ingestion pipelines one after the other (Execute Pipeline), ` +
      `passing on the lake and the backfill window. Run by ${settings.pipeline}, which has room for fewer activities than there are such pipelines.`,
    chained(runs.map(run => [executePipeline(run)])),
    parameters,
  );
}

/**
 * A loop over the tables of an array parameter: a Filter picks the tables this run copies (all
 * of them on a scheduled run; on a backfill window, the tables the window is for), then a ForEach.
 */
function loopOver(
  name: string,
  parameter: string,
  inWindow: string,
  settings: ResolvedAdfSettings,
  activities: JsonObject[],
): JsonObject[] {
  const filter = `${name}_tables`;
  return [
    activity({
      name: filter,
      type: 'Filter',
      typeProperties: {
        items: expression(`@pipeline().parameters.${parameter}`),
        condition: expression(`@or(empty(pipeline().parameters.${WINDOW_START}), ${inWindow})`),
      },
    }),
    activity({
      name,
      type: 'ForEach',
      dependsOn: [dependsOn(filter, 'Succeeded')],
      typeProperties: {
        items: expression(`@activity('${filter}').output.value`),
        isSequential: settings.batchCount === 1,
        ...(settings.batchCount > 1 ? { batchCount: settings.batchCount } : {}),
        activities,
      },
    }),
  ];
}

function lakeFile(dataset: string, folder: string, file: JsonValue): JsonObject {
  return datasetRef(dataset, {
    container: expression(`@pipeline().parameters.${BRONZE_CONTAINER}`),
    folder: expression(folder),
    file,
  });
}

/** The copy's output: `<bronze folder>/<table>_<trigger time>_<run id>.parquet`, unique per table and run. */
function bronzeFile(settings: ResolvedAdfSettings): JsonObject {
  return lakeFile(
    settings.parquetDataset,
    '@item().bronze_folder',
    expression(
      "@concat(item().table, '_', formatDateTime(pipeline().TriggerTime, 'yyyyMMddHHmmss'), '_', pipeline().RunId, '.parquet')",
    ),
  );
}

function watermarkFile(settings: ResolvedAdfSettings): JsonObject {
  return lakeFile(settings.jsonDataset, `@{item().bronze_folder}${WATERMARK_FOLDER_SUFFIX}`, WATERMARK_FILE);
}

function sqlSource(system: SourceSystem, query: string): JsonObject {
  return {
    type: sqlFlavour(system).sourceType,
    sqlReaderQuery: expression(query),
    queryTimeout: '02:00:00',
    partitionOption: 'None',
  };
}

const PARQUET_SINK: JsonObject = {
  type: 'ParquetSink',
  storeSettings: { type: 'AzureBlobFSWriteSettings' },
  formatSettings: { type: 'ParquetWriteSettings' },
};
const TRANSLATOR: JsonObject = {
  type: 'TabularTranslator',
  typeConversion: true,
  typeConversionSettings: { allowDataTruncation: true, treatBooleanAsNumber: false },
};
const JSON_SINK: JsonObject = {
  type: 'JsonSink',
  storeSettings: { type: 'AzureBlobFSWriteSettings' },
  formatSettings: { type: 'JsonWriteSettings' },
};

function sqlTableInput(
  system: SourceSystem,
  systems: readonly SourceSystem[],
  settings: ResolvedAdfSettings,
): JsonObject {
  return datasetRef(sqlDatasetName(settings, system, systems), {
    schema: expression('@item().schema'),
    table: expression('@item().table'),
  });
}

/** `abfss://<container>@<account>.dfs.core.windows.net`, from the pipeline's parameters. */
function lakeRoot(containerParameter: string): JsonObject {
  return expression(
    `@concat('abfss://', pipeline().parameters.${containerParameter}, '@', pipeline().parameters.${STORAGE_ACCOUNT}, '.dfs.core.windows.net')`,
  );
}

/** A table's silver notebook, with where the lake and the catalog are (the notebook is the same for every environment). */
function silverNotebook(name: string, settings: ResolvedAdfSettings, after: JsonObject[]): JsonObject {
  return activity({
    name,
    type: 'DatabricksNotebook',
    dependsOn: after,
    policy: policy(0),
    typeProperties: {
      notebookPath: expression('@item().silver_notebook'),
      baseParameters: {
        bronze_root: lakeRoot(BRONZE_CONTAINER),
        silver_root: lakeRoot(SILVER_CONTAINER),
        catalog: expression(`@pipeline().parameters.${CATALOG}`),
        silver_schema: expression(`@pipeline().parameters.${SILVER_SCHEMA}`),
      },
    },
    linkedServiceLast: settings.databricksLinkedService,
  });
}

/** Writes one value to the table's watermark file (a one-row query: the JSON sink writes {"cdc": …}). */
function writeWatermark(
  name: string,
  system: SourceSystem,
  systems: readonly SourceSystem[],
  settings: ResolvedAdfSettings,
  value: string,
  after: JsonObject[] = [],
): JsonObject {
  return activity({
    name,
    type: 'Copy',
    dependsOn: after,
    policy: policy(1),
    typeProperties: { source: sqlSource(system, `SELECT '${value}' AS cdc`), sink: JSON_SINK, enableStaging: false },
    inputs: [sqlTableInput(system, systems, settings)],
    outputs: [watermarkFile(settings)],
  });
}

/** The watermark file on the first run: created with the item's seed, so a Lookup always finds it. */
function seededWatermark(
  system: SourceSystem,
  systems: readonly SourceSystem[],
  settings: ResolvedAdfSettings,
  seed: string,
  n: Namer,
): JsonObject[] {
  return [
    activity({
      name: n('find_watermark'),
      type: 'GetMetadata',
      policy: policy(1),
      typeProperties: {
        dataset: watermarkFile(settings),
        fieldList: ['exists'],
        storeSettings: READ_SETTINGS,
        formatSettings: { type: 'JsonReadSettings' },
      },
    }),
    activity({
      name: n('seed_watermark'),
      type: 'IfCondition',
      dependsOn: [dependsOn(n('find_watermark'), 'Succeeded')],
      typeProperties: {
        expression: expression(`@not(activity('${n('find_watermark')}').output.exists)`),
        ifTrueActivities: [writeWatermark(n('write_first_watermark'), system, systems, settings, seed)],
      },
    }),
    activity({
      name: n('read_watermark'),
      type: 'Lookup',
      dependsOn: [dependsOn(n('seed_watermark'), 'Succeeded')],
      policy: policy(1),
      typeProperties: {
        source: { type: 'JsonSource', storeSettings: READ_SETTINGS, formatSettings: { type: 'JsonReadSettings' } },
        dataset: watermarkFile(settings),
        firstRowOnly: true,
      },
    }),
  ];
}

/** Activity names, unique in the whole pipeline (ADF Studio needs that): each loop suffixes its own. */
type Namer = (base: string) => string;
const namer =
  (suffix: string): Namer =>
  base =>
    suffix ? `${base}_${suffix}` : base;

/** Deletes the copy's file when no row was new (silver never reads empty files). */
function cleanEmptyFile(settings: ResolvedAdfSettings, copy: string, n: Namer): JsonObject {
  return activity({
    name: n('clean_empty_file'),
    type: 'IfCondition',
    dependsOn: [dependsOn(copy, 'Succeeded')],
    typeProperties: {
      expression: expression(`@equals(activity('${copy}').output.rowsCopied, 0)`),
      ifTrueActivities: [
        activity({
          name: n('delete_empty_file'),
          type: 'Delete',
          policy: policy(1),
          typeProperties: { dataset: bronzeFile(settings), enableLogging: false, storeSettings: READ_SETTINGS },
        }),
      ],
    },
  });
}

/**
 * A loop item's name as a T-SQL delimited identifier, built when the pipeline runs: names are data
 * (a table may be called `a]b`), so a ']' in them is doubled, as SQL Server's QUOTENAME does.
 */
function sqlIdentifierOf(field: string): string {
  return `[@{replace(item().${field}, ']', ']]')}]`;
}
const ITEM_TABLE = `${sqlIdentifierOf('schema')}.${sqlIdentifierOf('table')}`;
const ITEM_CDC = sqlIdentifierOf('cdc_col');
/** The same identifiers as expressions (inside an expression, text is built with concat, not @{…}). */
const quotedOf = (field: string) => `concat('[', replace(item().${field}, ']', ']]'), ']')`;
const TABLE_EXPR = `concat(${quotedOf('schema')}, '.', ${quotedOf('table')})`;
const CDC_EXPR = quotedOf('cdc_col');
/** A time as SQL Server reads it whatever the column's type (date, datetime, datetime2, datetimeoffset). */
const asTime = (value: string) => `concat('CAST(''', ${value}, ''' AS datetime2(7))')`;
const TIME_FORMAT = "'yyyy-MM-ddTHH:mm:ss.fffffff'";

/**
 * Tables whose CDC column is a timestamp the application sets. A scheduled run copies the rows
 * from the watermark minus the overlap (rows committed late with an older timestamp are read
 * again; silver keeps each row and version once) up to the column's maximum, read before the copy
 * (rows written meanwhile wait for the next run), never below the backfill date. A backfill
 * window copies the rows of its window (both bounds as the trigger gives them: start inclusive,
 * end exclusive, so consecutive windows neither miss nor repeat a row) and leaves the watermark
 * alone. The watermark moves forward only: to the maximum read, once the copy into bronze
 * succeeded. The silver notebook runs every time, even when nothing was new (a failed run's
 * files are picked up then).
 */
function watermarkLoop(
  system: SourceSystem,
  systems: readonly SourceSystem[],
  parameter: string,
  settings: ResolvedAdfSettings,
  withSilver: boolean,
): JsonObject[] {
  const n = namer('');
  const copy = 'copy_new_rows';
  const scheduled = `empty(pipeline().parameters.${WINDOW_START})`;
  const old = `formatDateTime(activity('${n('read_watermark')}').output.firstRow.cdc, ${TIME_FORMAT})`;
  const max = `activity('${n('max_watermark')}').output.resultSets[0].rows[0].cdc`;
  const upper = `formatDateTime(${max}, ${TIME_FORMAT})`;
  // An empty table's MAX is NULL (formatDateTime(null) fails the run): the range then ends at the
  // watermark, copies nothing, and the watermark stays until rows come.
  const queryUpper = `formatDateTime(coalesce(${max}, activity('${n('read_watermark')}').output.firstRow.cdc), ${TIME_FORMAT})`;
  const reread = `formatDateTime(addMinutes(activity('${n('read_watermark')}').output.firstRow.cdc, mul(-1, item().overlap_minutes)), ${TIME_FORMAT})`;
  const floor = `formatDateTime(item().from_date, ${TIME_FORMAT})`;
  const lower = `if(or(empty(item().from_date), greater(${reread}, ${floor})), ${reread}, ${floor})`;
  const windowStart =
    `formatDateTime(if(or(empty(item().from_date), ` +
    `greater(pipeline().parameters.${WINDOW_START}, item().from_date)), ` +
    `pipeline().parameters.${WINDOW_START}, item().from_date), ${TIME_FORMAT})`;
  const windowEnd = `formatDateTime(pipeline().parameters.${WINDOW_END}, ${TIME_FORMAT})`;
  const query =
    `@concat('SELECT * FROM ', ${TABLE_EXPR}, ' WHERE ', ${CDC_EXPR}, ' >= ', if(${scheduled}, ` +
    `concat(${asTime(lower)}, ' AND ', ${CDC_EXPR}, ' <= ', ${asTime(queryUpper)}), ` +
    `concat(${asTime(windowStart)}, ' AND ', ${CDC_EXPR}, ' < ', ${asTime(windowEnd)})))`;
  const inner: JsonObject[] = [
    ...seededWatermark(system, systems, settings, '@{item().seed}', n),
    activity({
      name: n('max_watermark'),
      type: 'Script',
      policy: policy(1),
      linkedServiceFirst: sqlLinkedServiceName(system),
      typeProperties: {
        scripts: [{ type: 'Query', text: expression(`SELECT MAX(${ITEM_CDC}) AS cdc FROM ${ITEM_TABLE}`) }],
        scriptBlockExecutionTimeout: '02:00:00',
      },
    }),
    activity({
      name: copy,
      type: 'Copy',
      dependsOn: [dependsOn(n('read_watermark'), 'Succeeded'), dependsOn(n('max_watermark'), 'Succeeded')],
      policy: policy(1),
      typeProperties: {
        source: sqlSource(system, query),
        sink: PARQUET_SINK,
        enableStaging: false,
        translator: TRANSLATOR,
      },
      inputs: [sqlTableInput(system, systems, settings)],
      outputs: [bronzeFile(settings)],
    }),
    activity({
      name: n('advance_watermark'),
      type: 'IfCondition',
      dependsOn: [dependsOn(copy, 'Succeeded')],
      typeProperties: {
        // Forward only, on scheduled runs, when the table has rows: never back to an older value.
        expression: expression(`@and(${scheduled}, and(not(equals(${max}, null)), greater(${upper}, ${old})))`),
        ifTrueActivities: [writeWatermark(n('write_watermark'), system, systems, settings, `@{${upper}}`)],
      },
    }),
    cleanEmptyFile(settings, copy, n),
    ...(withSilver
      ? [
          silverNotebook(n('run_silver_notebook'), settings, [
            dependsOn(n('advance_watermark'), 'Succeeded'),
            dependsOn(n('clean_empty_file'), 'Succeeded'),
          ]),
        ]
      : []),
  ];
  return loopOver('for_each_table', parameter, 'not(empty(item().from_date))', settings, inner);
}

/**
 * Tables with a rowversion column, which SQL Server assigns at every insert and update: nothing
 * is missed, so nothing is re-read. The upper bound is MIN_ACTIVE_ROWVERSION() - 1 (every row at
 * or below it is committed); the watermark is a number. Backfill windows do not apply (a
 * rowversion is not a time): the first run copies everything.
 */
function rowversionLoop(
  system: SourceSystem,
  systems: readonly SourceSystem[],
  parameter: string,
  settings: ResolvedAdfSettings,
  withSilver: boolean,
): JsonObject[] {
  const n = namer('rowversion');
  const copy = n('copy_new_rows_by_rowversion');
  const old = `string(int(activity('${n('read_watermark')}').output.firstRow.cdc))`;
  const upper = `string(activity('${n('max_watermark')}').output.resultSets[0].rows[0].cdc)`;
  const rv = `CAST(${ITEM_CDC} AS bigint)`;
  const inner: JsonObject[] = [
    ...seededWatermark(system, systems, settings, '0', n),
    activity({
      name: n('max_watermark'),
      type: 'Script',
      policy: policy(1),
      linkedServiceFirst: sqlLinkedServiceName(system),
      typeProperties: {
        scripts: [{ type: 'Query', text: 'SELECT CAST(MIN_ACTIVE_ROWVERSION() AS bigint) - 1 AS cdc' }],
        scriptBlockExecutionTimeout: '02:00:00',
      },
    }),
    activity({
      name: copy,
      type: 'Copy',
      dependsOn: [dependsOn(n('read_watermark'), 'Succeeded'), dependsOn(n('max_watermark'), 'Succeeded')],
      policy: policy(1),
      typeProperties: {
        source: sqlSource(system, `SELECT * FROM ${ITEM_TABLE} WHERE ${rv} > @{${old}} AND ${rv} <= @{${upper}}`),
        sink: PARQUET_SINK,
        enableStaging: false,
        translator: TRANSLATOR,
      },
      inputs: [sqlTableInput(system, systems, settings)],
      outputs: [bronzeFile(settings)],
    }),
    activity({
      name: n('advance_watermark'),
      type: 'IfCondition',
      dependsOn: [dependsOn(copy, 'Succeeded')],
      typeProperties: {
        expression: expression(`@greater(int(${upper}), int(${old}))`),
        ifTrueActivities: [writeWatermark(n('write_watermark'), system, systems, settings, `@{${upper}}`)],
      },
    }),
    cleanEmptyFile(settings, copy, n),
    ...(withSilver
      ? [
          silverNotebook(n('run_silver_notebook'), settings, [
            dependsOn(n('advance_watermark'), 'Succeeded'),
            dependsOn(n('clean_empty_file'), 'Succeeded'),
          ]),
        ]
      : []),
  ];
  return loopOver('for_each_rowversion_table', parameter, 'false', settings, inner);
}

/** The join and column list of a Change Tracking query, written from the metadata's primary key and columns. */
function changeTrackingColumns(table: Table): JsonObject {
  const quote = (name: string) => `[${name.replace(/]/g, ']]')}]`;
  const keys = table.primaryKey.map(k => columnNamed(table, k)?.name ?? k);
  const keySet = new Set(keys.map(k => k.toLowerCase()));
  const others = table.columns.filter(c => !keySet.has(c.name.toLowerCase()));
  return {
    ct_join: keys.map(k => `t.${quote(k)} = ct.${quote(k)}`).join(' AND '),
    ct_select: [...keys.map(k => `ct.${quote(k)}`), ...others.map(c => `t.${quote(c.name)}`)].join(', '),
  };
}

/**
 * Tables with SQL Server Change Tracking: the first run copies the whole table with the current
 * version; later runs copy CHANGETABLE(CHANGES …) since the last version (deletes included, as
 * _change_operation 'D'). A last version older than the table's retention fails the run with
 * what to do, rather than missing changes.
 */
function changeTrackingLoop(
  system: SourceSystem,
  systems: readonly SourceSystem[],
  parameter: string,
  settings: ResolvedAdfSettings,
  withSilver: boolean,
): JsonObject[] {
  const n = namer('tracked');
  const copy = n('copy_changes');
  const old = `string(int(activity('${n('read_watermark')}').output.firstRow.cdc))`;
  const versions = `activity('${n('max_watermark')}').output.resultSets[0].rows[0]`;
  const firstRun = `equals(int(activity('${n('read_watermark')}').output.firstRow.cdc), 0)`;
  // OBJECT_ID takes the name as a string literal: its quotes doubled.
  const objectName = `replace(${TABLE_EXPR}, '''', '''''')`;
  const query =
    `@{if(${firstRun}, ` +
    `concat('SELECT CAST(', string(${versions}.cdc), ' AS bigint) AS _change_version, ''I'' AS _change_operation, t.* FROM ', ${TABLE_EXPR}, ' AS t'), ` +
    `concat('SELECT ct.SYS_CHANGE_VERSION AS _change_version, ct.SYS_CHANGE_OPERATION AS _change_operation, ', item().ct_select, ` +
    `' FROM CHANGETABLE(CHANGES ', ${TABLE_EXPR}, ', ', ${old}, ') AS ct LEFT OUTER JOIN ', ${TABLE_EXPR}, ' AS t ON ', item().ct_join, ` +
    `' WHERE ct.SYS_CHANGE_VERSION <= ', string(${versions}.cdc)))}`;
  const inner: JsonObject[] = [
    ...seededWatermark(system, systems, settings, '0', n),
    activity({
      name: n('max_watermark'),
      type: 'Script',
      policy: policy(1),
      linkedServiceFirst: sqlLinkedServiceName(system),
      typeProperties: {
        scripts: [
          {
            type: 'Query',
            text: expression(
              `@concat('SELECT CHANGE_TRACKING_CURRENT_VERSION() AS cdc, CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(''', ${objectName}, ''')) AS min_valid')`,
            ),
          },
        ],
        scriptBlockExecutionTimeout: '02:00:00',
      },
    }),
    activity({
      name: n('within_retention'),
      type: 'IfCondition',
      dependsOn: [dependsOn(n('read_watermark'), 'Succeeded'), dependsOn(n('max_watermark'), 'Succeeded')],
      typeProperties: {
        expression: expression(
          `@or(${firstRun}, greaterOrEquals(int(activity('${n('read_watermark')}').output.firstRow.cdc), int(coalesce(${versions}.min_valid, 0))))`,
        ),
        ifFalseActivities: [
          activity({
            name: n('changes_lost'),
            type: 'Fail',
            typeProperties: {
              message: expression(
                `@concat('Change Tracking on ', item().schema, '.', item().table, ' no longer has the ` +
                  `changes since version ', string(activity('${n('read_watermark')}').output.firstRow.cdc), ` +
                  `': its retention passed. Delete the watermark file to reload the table.')`,
              ),
              errorCode: 'ChangeTrackingRetention',
            },
          }),
        ],
      },
    }),
    activity({
      name: copy,
      type: 'Copy',
      dependsOn: [dependsOn(n('within_retention'), 'Succeeded')],
      policy: policy(1),
      typeProperties: {
        source: sqlSource(system, query),
        sink: PARQUET_SINK,
        enableStaging: false,
        translator: TRANSLATOR,
      },
      inputs: [sqlTableInput(system, systems, settings)],
      outputs: [bronzeFile(settings)],
    }),
    activity({
      name: n('advance_watermark'),
      type: 'IfCondition',
      dependsOn: [dependsOn(copy, 'Succeeded')],
      typeProperties: {
        expression: expression(
          `@greater(int(${versions}.cdc), int(activity('${n('read_watermark')}').output.firstRow.cdc))`,
        ),
        ifTrueActivities: [
          writeWatermark(n('write_watermark'), system, systems, settings, `@{string(${versions}.cdc)}`),
        ],
      },
    }),
    cleanEmptyFile(settings, copy, n),
    ...(withSilver
      ? [
          silverNotebook(n('run_silver_notebook'), settings, [
            dependsOn(n('advance_watermark'), 'Succeeded'),
            dependsOn(n('clean_empty_file'), 'Succeeded'),
          ]),
        ]
      : []),
  ];
  return loopOver('for_each_tracked_table', parameter, 'false', settings, inner);
}

/** Full loads: a snapshot per scheduled run into bronze (silver keeps a row again only when it changed), then the silver notebook. */
function fullLoadLoop(
  system: SourceSystem,
  systems: readonly SourceSystem[],
  parameter: string,
  settings: ResolvedAdfSettings,
  withSilver: boolean,
): JsonObject[] {
  const copy = 'copy_full_table';
  const inner: JsonObject[] = [
    activity({
      name: copy,
      type: 'Copy',
      policy: policy(1),
      typeProperties: {
        source: sqlSource(system, `SELECT * FROM ${ITEM_TABLE}`),
        sink: PARQUET_SINK,
        enableStaging: false,
        translator: TRANSLATOR,
      },
      inputs: [sqlTableInput(system, systems, settings)],
      outputs: [bronzeFile(settings)],
    }),
    ...(withSilver ? [silverNotebook('run_full_load_silver_notebook', settings, [dependsOn(copy, 'Succeeded')])] : []),
  ];
  return loopOver('for_each_full_load_table', parameter, 'false', settings, inner);
}

function alert(name: string, status: string, after: JsonObject[], url: string, error: string): JsonObject {
  // An object body: Data Factory serialises it, escaping what the values hold (an error message's quotes and line breaks).
  return activity({
    name,
    type: 'WebActivity',
    dependsOn: after,
    policy: { ...policy(1), secureInput: true },
    typeProperties: {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      url: expression(url),
      body: {
        pipeline_name: '@{pipeline().Pipeline}',
        pipeline_runId: '@{pipeline().RunId}',
        data_factory: '@{pipeline().DataFactory}',
        status,
        ...(error ? { error } : {}),
      },
    },
  });
}
