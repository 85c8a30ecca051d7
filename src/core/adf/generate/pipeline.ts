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
import type { LakehouseMetadata, SourceSystem, Table } from '../../metadata/model';
import { formatAdfJson, type JsonObject, type JsonPath, type JsonValue } from './adfJson';
import type { ResolvedAdfSettings } from './settings';

/** Where the notebooks a pipeline runs live in the workspace: per table, and the gold step's. */
export interface NotebookPaths {
  /** By table (system.schema.name, lower case): the silver notebook. */
  silver: Map<string, string>;
  /**
   * The notebook that runs the gold Delta Live Tables pipeline (gold/run_gold_pipeline.py.j2);
   * undefined when the project has no dimensions and no facts (no gold step).
   */
  gold?: string;
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
const BRONZE_CONTAINER = 'bronze_container';
const ALERT_URL = 'alert_url';
const GOLD_NOTEBOOK = 'gold_notebook';
const FULL_LOAD_PARAMETER = 'full_load_input';

const expression = (value: string): JsonObject => ({ value, type: 'Expression' });
const linkedServiceRef = (name: string): JsonObject => ({ referenceName: name, type: 'LinkedServiceReference' });
const datasetRef = (name: string, parameters?: JsonObject): JsonObject =>
  parameters ? { referenceName: name, type: 'DatasetReference', parameters } : { referenceName: name, type: 'DatasetReference' };
const dependsOn = (activity: string, ...conditions: string[]): JsonObject => ({ activity, dependencyConditions: conditions });

/** ADF Studio's policy block; data movement retries once (transient network errors), notebooks never (a retry doubles cluster time). */
function policy(retry: number): JsonObject {
  return { timeout: '0.12:00:00', retry, retryIntervalInSeconds: retry ? 60 : 30, secureOutput: false, secureInput: false };
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

const READ_SETTINGS: JsonObject = { type: 'AzureBlobFSReadSettings', recursive: false, enablePartitionDiscovery: false };

/** The Copy source, Script and dataset types of each kind of SQL source. */
export function sqlFlavour(system: SourceSystem): { linkedServiceType: string; datasetType: string; sourceType: string } {
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
export function sqlDatasetName(settings: ResolvedAdfSettings, system: SourceSystem, systems: readonly SourceSystem[]): string {
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
  const layout = metadata.zones.find(z => z.name === 'bronze')?.path ?? '{table}';
  return layout.replace(/\{(table|schema|system)\}/g, (_, key: string) => (key === 'table' ? table.name : key === 'schema' ? table.schema : table.system)).replace(/^\/+|\/+$/g, '');
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
export function pipelineStats(pipeline: JsonObject, text = formatAdfJson(pipeline)): { activities: number; parameters: number; chars: number } {
  const properties = pipeline.properties as { activities: JsonObject[]; parameters: JsonObject };
  const count = (activities: readonly JsonObject[] | undefined): number => (activities ?? []).reduce((n, a) => {
    const tp = a.typeProperties as Record<string, JsonObject[] | undefined>;
    return n + 1 + count(tp.activities) + count(tp.ifTrueActivities) + count(tp.ifFalseActivities);
  }, 0);
  return { activities: count(properties.activities), parameters: Object.keys(properties.parameters).length, chars: text.length };
}

function withinLimits(pipeline: BuiltPipeline, stats = pipelineStats(pipeline.value, pipeline.text)): boolean {
  return stats.activities <= GENERATION_LIMITS.activities && stats.parameters <= GENERATION_LIMITS.parameters && stats.chars <= GENERATION_LIMITS.textChars;
}

/**
 * One source system in one pipeline, as the reference project has it, while it fits. With several
 * source systems (or one pipeline past a limit) the pipeline named settings.pipeline, the one the
 * triggers start, orchestrates: it runs one pipeline per source system, `<pipeline>_<system>`,
 * one after the other with Execute Pipeline, then the gold step, then the alerts. A table list
 * too long for one pipeline is split into `_part<n>` pipelines; more system pipelines than the
 * orchestrator has room for are run through `<pipeline>_batch_<n>` pipelines.
 */
export function buildIngestionPipelines(metadata: LakehouseMetadata, settings: ResolvedAdfSettings, notebooks: NotebookPaths): IngestionPipelines {
  const systems = metadata.sources.filter(s => s.tables.length > 0);
  if (systems.length <= 1) {
    const single = singlePipeline(metadata, settings, notebooks, systems[0]);
    if (withinLimits(single)) return { pipelines: [single], notes: [] };
  }
  const children = systems.flatMap(system => inParts(`${settings.pipeline}_${system.name}`, system.tables,
    (name, tables, part) => childPipeline(name, metadata, system, systems, tables, settings, notebooks, part)));
  const runs = children.map(child => runOf(settings, child));
  const orchestrated = orchestration(settings, notebooks, runs);
  return { pipelines: [...orchestrated.pipelines, ...children], notes: orchestrated.notes };
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
function inParts<T>(name: string, items: readonly T[], build: (name: string, items: readonly T[], part?: number) => BuiltPipeline): BuiltPipeline[] {
  if (items.length === 0) return [];
  const whole = build(name, items);
  const stats = pipelineStats(whole.value, whole.text);
  if (withinLimits(whole, stats)) return [whole];
  for (let parts = Math.max(2, Math.ceil(stats.chars / GENERATION_LIMITS.textChars)); parts <= items.length; parts++) {
    const size = Math.ceil(items.length / parts);
    const built: BuiltPipeline[] = [];
    for (let k = 0; k * size < items.length; k++) built.push(build(`${name}_part${k + 1}`, items.slice(k * size, (k + 1) * size), k + 1));
    if (built.every(b => withinLimits(b))) return built;
  }
  return [whole]; // no split fits (a single item past the limits): the service-limit note says so
}

/**
 * The orchestrator, and the batch pipelines between it and the source system pipelines when it
 * has no room for an Execute Pipeline per system pipeline.
 */
function orchestration(settings: ResolvedAdfSettings, notebooks: NotebookPaths, runs: readonly Run[]): { pipelines: BuiltPipeline[]; notes: string[] } {
  const room = GENERATION_LIMITS.activities - 2 - (notebooks.gold !== undefined ? 1 : 0); // 2: the alerts; 1: the gold step
  const batches: BuiltPipeline[] = [];
  let top: Run[] = [...runs];
  if (runs.length > room) {
    const count = Math.ceil(runs.length / GENERATION_LIMITS.activities);
    const size = Math.ceil(runs.length / count);
    top = [];
    for (let k = 0; k * size < runs.length; k++) {
      const batch = batchPipeline(`${settings.pipeline}_batch_${k + 1}`, settings, runs.slice(k * size, (k + 1) * size));
      batches.push(batch);
      top.push(runOf(settings, batch));
    }
  }
  const notes = top.length > room
    ? [`The ingestion needs ${runs.length} pipelines (one per source system or part of one): even run through ${top.length} batch pipelines, pipeline '${settings.pipeline}' has more activities than ADF allows. Split the source systems into several projects.`]
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

  /** Set by the backfill trigger (passed on to the pipelines run); empty on scheduled runs (which copy past the watermark). */
  window(): void {
    this.values[WINDOW_START] = { type: 'string', defaultValue: '' };
    this.values[WINDOW_END] = { type: 'string', defaultValue: '' };
  }
}

/**
 * Stages run one after the other, so the alerts hang off a single last activity: ADF's
 * dependencies are AND across activities, and a skipped stage must still reach the failure alert.
 */
function chained(stages: JsonObject[]): JsonObject[] {
  stages.forEach((stage, i) => {
    if (i > 0) stage.dependsOn = [dependsOn(stages[i - 1]!.name as string, 'Succeeded')];
  });
  return stages;
}

function withAlerts(stages: JsonObject[]): JsonObject[] {
  const last = stages[stages.length - 1]?.name as string | undefined;
  return [
    ...stages,
    alert('alert_success', 'Succeeded', last ? [dependsOn(last, 'Succeeded')] : []),
    ...(last ? [alert('alert_failure', 'Failed', [dependsOn(last, 'Failed', 'Skipped')])] : []),
  ];
}

function pipelineOf(name: string, description: string, activities: JsonObject[], parameters: Parameters): BuiltPipeline {
  const value: JsonObject = {
    name,
    properties: { description, activities, parameters: parameters.values, annotations: ['lakehouse-workbench'] },
    type: 'Microsoft.DataFactory/factories/pipelines',
  };
  return { value, text: formatAdfJson(value), ownedPaths: parameters.ownedPaths };
}

/** A source system's loops over its tables (incremental, then full loads), their array parameters owned. */
function systemLoops(metadata: LakehouseMetadata, system: SourceSystem, systems: readonly SourceSystem[], tables: readonly Table[],
  settings: ResolvedAdfSettings, notebooks: NotebookPaths, parameters: Parameters): JsonObject[] {
  const loops: JsonObject[] = [];
  const incremental = tables.filter(isIncremental);
  const full = tables.filter(t => !isIncremental(t));
  const silverOf = (t: Table) => notebooks.silver.get(tableKey(t));
  if (incremental.length > 0) {
    const parameter = settings.loopParameter;
    parameters.own(parameter, 'array', incremental.map(t => ({
      schema: t.schema, table: t.name, cdc_col: t.cdcColumn, from_date: t.backfillFrom ?? '', bronze_folder: bronzeFolder(metadata, t),
      ...(silverOf(t) !== undefined ? { silver_notebook: silverOf(t) as string } : {}),
    })));
    loops.push(incrementalLoop(system, systems, parameter, settings, incremental.some(t => silverOf(t) !== undefined)));
  }
  if (full.length > 0) {
    const parameter = FULL_LOAD_PARAMETER;
    parameters.own(parameter, 'array', full.map(t => ({
      schema: t.schema, table: t.name, bronze_folder: bronzeFolder(metadata, t),
      ...(silverOf(t) !== undefined ? { silver_notebook: silverOf(t) as string } : {}),
    })));
    loops.push(fullLoadLoop(system, systems, parameter, settings, full.some(t => silverOf(t) !== undefined)));
  }
  return loops;
}

/** The activity of the gold step (see NotebookPaths.gold). */
export const GOLD_ACTIVITY = 'run_gold_pipeline';

/**
 * The gold step: the dimension and fact notebooks are Delta Live Tables code, which only a DLT
 * pipeline runs (the bundle's <project>_gold), so one notebook starts an update of that pipeline
 * and waits for it, failing when the update fails. Its path is the gold_notebook parameter.
 */
function goldStep(settings: ResolvedAdfSettings, notebooks: NotebookPaths, parameters: Parameters): JsonObject[] {
  if (notebooks.gold === undefined) return [];
  parameters.own(GOLD_NOTEBOOK, 'string', notebooks.gold);
  return [notebook(GOLD_ACTIVITY, settings, `@pipeline().parameters.${GOLD_NOTEBOOK}`)];
}

const GENERATED_BY = 'Generated by Lakehouse Workbench from lakehouse.yaml (lakehouse generate adf).';

/** The reference project's shape: everything in one pipeline (one source system at most). */
function singlePipeline(metadata: LakehouseMetadata, settings: ResolvedAdfSettings, notebooks: NotebookPaths, system: SourceSystem | undefined): BuiltPipeline {
  const parameters = new Parameters();
  const stages = system ? systemLoops(metadata, system, [system], system.tables, settings, notebooks, parameters) : [];
  stages.push(...goldStep(settings, notebooks, parameters));
  parameters.own(BRONZE_CONTAINER, 'string', settings.bronzeContainer);
  parameters.own(ALERT_URL, 'string', settings.alertUrl);
  parameters.window();
  return pipelineOf(settings.pipeline, `${GENERATED_BY} Copies the rows of each source table past its watermark `
    + '(from its backfill date on the first load; the window\'s rows when the backfill trigger runs it) into the bronze zone, runs the silver notebook of '
    + 'each table that received rows, then the gold_notebook, which updates the gold Delta Live Tables pipeline and waits for it, and posts the outcome to alert_url. '
    + 'The parameter defaults come from lakehouse.yaml.',
  withAlerts(chained(stages)), parameters);
}

function childPipeline(name: string, metadata: LakehouseMetadata, system: SourceSystem, systems: readonly SourceSystem[], tables: readonly Table[],
  settings: ResolvedAdfSettings, notebooks: NotebookPaths, part?: number): BuiltPipeline {
  const parameters = new Parameters();
  const stages = systemLoops(metadata, system, systems, tables, settings, notebooks, parameters);
  parameters.own(BRONZE_CONTAINER, 'string', settings.bronzeContainer);
  parameters.window();
  return pipelineOf(name, `${GENERATED_BY} Ingests source system '${system.name}'${part ? ` (part ${part} of its tables)` : ''}: copies the rows of each table `
    + 'past its watermark (from its backfill date on the first load; the window\'s rows when window_start and window_end are given) into the bronze zone and runs '
    + `the silver notebook of each table that received rows. Run by ${settings.pipeline} (Execute Pipeline). The parameter defaults come from lakehouse.yaml.`,
  chained(stages), parameters);
}

/** Runs an ingestion pipeline and waits for it (its failure fails this activity), passing on the bronze container and the backfill window. */
function executePipeline(run: Run): JsonObject {
  return activity({
    name: run.activity, type: 'ExecutePipeline', policy: { secureInput: false },
    typeProperties: {
      pipeline: { referenceName: run.pipeline, type: 'PipelineReference' },
      waitOnCompletion: true,
      parameters: Object.fromEntries([BRONZE_CONTAINER, WINDOW_START, WINDOW_END].map(p => [p, expression(`@pipeline().parameters.${p}`)])),
    },
  });
}

function orchestratorPipeline(settings: ResolvedAdfSettings, notebooks: NotebookPaths, runs: readonly Run[]): BuiltPipeline {
  const parameters = new Parameters();
  const stages = [...runs.map(executePipeline), ...goldStep(settings, notebooks, parameters)];
  parameters.own(BRONZE_CONTAINER, 'string', settings.bronzeContainer);
  parameters.own(ALERT_URL, 'string', settings.alertUrl);
  parameters.window();
  return pipelineOf(settings.pipeline, `${GENERATED_BY} Runs the ingestion pipeline of each source system one after the other (Execute Pipeline, `
    + 'passing the bronze container and the backfill window the backfill trigger sets), then the gold_notebook, which updates the gold Delta Live Tables '
    + 'pipeline and waits for it, and posts the outcome to alert_url. '
    + 'The parameter defaults come from lakehouse.yaml.',
  withAlerts(chained(stages)), parameters);
}

function batchPipeline(name: string, settings: ResolvedAdfSettings, runs: readonly Run[]): BuiltPipeline {
  const parameters = new Parameters();
  parameters.own(BRONZE_CONTAINER, 'string', settings.bronzeContainer);
  parameters.window();
  return pipelineOf(name, `${GENERATED_BY} Runs ${runs.length} source system ingestion pipelines one after the other (Execute Pipeline), `
    + `passing on the bronze container and the backfill window. Run by ${settings.pipeline}, which has room for fewer activities than there are such pipelines.`,
  chained(runs.map(executePipeline)), parameters);
}

function forEach(name: string, parameter: string, settings: ResolvedAdfSettings, activities: JsonObject[]): JsonObject {
  return activity({
    name, type: 'ForEach',
    typeProperties: {
      items: expression(`@pipeline().parameters.${parameter}`),
      isSequential: settings.batchCount === 1,
      ...(settings.batchCount > 1 ? { batchCount: settings.batchCount } : {}),
      activities,
    },
  });
}

function lakeFile(dataset: string, folder: string, file: JsonValue): JsonObject {
  return datasetRef(dataset, { container: expression(`@pipeline().parameters.${BRONZE_CONTAINER}`), folder: expression(folder), file });
}

/** The copy's output: `<bronze folder>/<table>_<run's trigger time>.parquet`, unique per table and run without a (race-prone) pipeline variable. */
function bronzeFile(settings: ResolvedAdfSettings): JsonObject {
  return lakeFile(settings.parquetDataset, '@item().bronze_folder',
    expression("@concat(item().table, '_', formatDateTime(pipeline().TriggerTime, 'yyyyMMddHHmmss'), '.parquet')"));
}

function watermarkFile(settings: ResolvedAdfSettings): JsonObject {
  return lakeFile(settings.jsonDataset, '@{item().bronze_folder}_cdc', 'cdc.json');
}

function sqlSource(system: SourceSystem, query: string): JsonObject {
  return { type: sqlFlavour(system).sourceType, sqlReaderQuery: expression(query), queryTimeout: '02:00:00', partitionOption: 'None' };
}

const PARQUET_SINK: JsonObject = { type: 'ParquetSink', storeSettings: { type: 'AzureBlobFSWriteSettings' }, formatSettings: { type: 'ParquetWriteSettings' } };
const TRANSLATOR: JsonObject = { type: 'TabularTranslator', typeConversion: true, typeConversionSettings: { allowDataTruncation: true, treatBooleanAsNumber: false } };

function sqlTableInput(system: SourceSystem, systems: readonly SourceSystem[], settings: ResolvedAdfSettings): JsonObject {
  return datasetRef(sqlDatasetName(settings, system, systems), { schema: expression('@item().schema'), table: expression('@item().table') });
}

function notebook(name: string, settings: ResolvedAdfSettings, path: string, after?: string): JsonObject {
  return activity({
    name, type: 'DatabricksNotebook', dependsOn: after ? [dependsOn(after, 'Succeeded')] : [], policy: policy(0),
    typeProperties: { notebookPath: expression(path) }, linkedServiceLast: settings.databricksLinkedService,
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

function incrementalLoop(system: SourceSystem, systems: readonly SourceSystem[], parameter: string, settings: ResolvedAdfSettings, withSilver: boolean): JsonObject {
  const read = 'read_watermark';
  const max = 'max_watermark';
  const copy = 'copy_new_rows';
  const write = 'write_watermark';
  const watermark = `activity('${read}').output.firstRow.cdc`;
  const newWatermark = `activity('${max}').output.resultSets[0].rows[0].cdc`;
  const windowed = `empty(pipeline().parameters.${WINDOW_START})`;
  // The upper bound is read before the copy, so rows written meanwhile wait for the next run
  // instead of being skipped; backfillFrom is a floor (the first load starts there).
  const lower = `if(greater(item().from_date, ${watermark}), item().from_date, ${watermark})`;
  const query = `SELECT * FROM ${ITEM_TABLE} WHERE ${ITEM_CDC} `
    + `@{if(${windowed}, '>', '>=')} '@{if(${windowed}, ${lower}, pipeline().parameters.${WINDOW_START})}' `
    + `AND ${ITEM_CDC} @{if(${windowed}, '<=', '<')} '@{if(${windowed}, ${newWatermark}, pipeline().parameters.${WINDOW_END})}'`;
  const inner: JsonObject[] = [
    activity({
      name: read, type: 'Lookup', policy: policy(1),
      typeProperties: {
        source: { type: 'JsonSource', storeSettings: READ_SETTINGS, formatSettings: { type: 'JsonReadSettings' } },
        dataset: watermarkFile(settings),
        firstRowOnly: true,
      },
    }),
    activity({
      name: max, type: 'Script', policy: policy(1), linkedServiceFirst: sqlLinkedServiceName(system),
      typeProperties: {
        scripts: [{ type: 'Query', text: expression(`SELECT MAX(${ITEM_CDC}) AS cdc FROM ${ITEM_TABLE}`) }],
        scriptBlockExecutionTimeout: '02:00:00',
      },
    }),
    activity({
      name: copy, type: 'Copy', dependsOn: [dependsOn(read, 'Succeeded'), dependsOn(max, 'Succeeded')], policy: policy(1),
      typeProperties: { source: sqlSource(system, query), sink: PARQUET_SINK, enableStaging: false, translator: TRANSLATOR },
      inputs: [sqlTableInput(system, systems, settings)],
      outputs: [bronzeFile(settings)],
    }),
    activity({
      name: 'if_rows_copied', type: 'IfCondition', dependsOn: [dependsOn(copy, 'Succeeded')],
      typeProperties: {
        expression: expression(`@greater(activity('${copy}').output.rowsCopied, 0)`),
        // The copy writes a file even when no row is new: remove it so silver never reads empty files.
        ifFalseActivities: [activity({
          name: 'delete_empty_file', type: 'Delete', policy: policy(1),
          typeProperties: { dataset: bronzeFile(settings), enableLogging: false, storeSettings: READ_SETTINGS },
        })],
        ifTrueActivities: [
          // A backfill window leaves the watermark where it was (it rewrites the old value).
          activity({
            name: write, type: 'Copy', policy: policy(1),
            typeProperties: {
              source: sqlSource(system, `SELECT '@{if(${windowed}, ${newWatermark}, ${watermark})}' AS cdc`),
              sink: { type: 'JsonSink', storeSettings: { type: 'AzureBlobFSWriteSettings' }, formatSettings: { type: 'JsonWriteSettings' } },
              enableStaging: false,
            },
            inputs: [sqlTableInput(system, systems, settings)],
            outputs: [watermarkFile(settings)],
          }),
          ...(withSilver ? [notebook('run_silver_notebook', settings, '@item().silver_notebook', write)] : []),
        ],
      },
    }),
  ];
  return forEach('for_each_table', parameter, settings, inner);
}

function fullLoadLoop(system: SourceSystem, systems: readonly SourceSystem[], parameter: string, settings: ResolvedAdfSettings, withSilver: boolean): JsonObject {
  const copy = 'copy_full_table';
  const inner: JsonObject[] = [
    activity({
      name: copy, type: 'Copy', policy: policy(1),
      typeProperties: {
        source: sqlSource(system, `SELECT * FROM ${ITEM_TABLE}`),
        sink: PARQUET_SINK, enableStaging: false, translator: TRANSLATOR,
      },
      inputs: [sqlTableInput(system, systems, settings)],
      outputs: [bronzeFile(settings)],
    }),
    ...(withSilver ? [notebook('run_full_load_silver_notebook', settings, '@item().silver_notebook', copy)] : []),
  ];
  return forEach('for_each_full_load_table', parameter, settings, inner);
}

function alert(name: string, status: string, after: JsonObject[]): JsonObject {
  const body = `{\n    "pipeline_name": "@{pipeline().Pipeline}",\n    "pipeline_run_id": "@{pipeline().RunId}",\n    "data_factory": "@{pipeline().DataFactory}",\n    "status": "${status}"\n}`;
  return activity({
    name, type: 'WebActivity', dependsOn: after, policy: policy(1),
    typeProperties: {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      url: expression(`@pipeline().parameters.${ALERT_URL}`),
      body: expression(body),
    },
  });
}
