// The metadata-driven ingestion pipeline, after the reference project's Incremental_loop: per
// source system a ForEach over an array parameter listing its tables (watermark Lookup, copy of
// the new rows into bronze, watermark update or clean-up of the empty file, the table's silver
// notebook), a ForEach for full-load tables, the gold notebooks, and a success / failure alert.
// Keys are written in the order ADF Studio writes them.
import type { LakehouseMetadata, SourceSystem, Table } from '../../metadata/model';
import type { JsonObject, JsonPath, JsonValue } from './adfJson';
import type { ResolvedAdfSettings } from './settings';

/** Where the notebooks a pipeline runs live in the workspace, per table and per gold item. */
export interface NotebookPaths {
  /** By table (system.schema.name, lower case): the silver notebook. */
  silver: Map<string, string>;
  dimensions: { name: string; notebook: string }[];
  facts: { name: string; notebook: string }[];
}

export interface BuiltPipeline {
  value: JsonObject;
  /** The parameter defaults the metadata owns. */
  ownedPaths: JsonPath[];
}

const WINDOW_START = 'window_start';
const WINDOW_END = 'window_end';
const BRONZE_CONTAINER = 'bronze_container';
const ALERT_URL = 'alert_url';
const DIMENSION_NOTEBOOKS = 'dimension_notebooks';
const FACT_NOTEBOOKS = 'fact_notebooks';
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

export function buildIngestionPipeline(metadata: LakehouseMetadata, settings: ResolvedAdfSettings, notebooks: NotebookPaths): BuiltPipeline {
  const systems = metadata.sources.filter(s => s.tables.length > 0);
  const several = systems.length > 1;
  const parameters: JsonObject = {};
  const ownedPaths: JsonPath[] = [];
  const own = (parameter: string, type: string, defaultValue: JsonValue) => {
    parameters[parameter] = { type, defaultValue };
    ownedPaths.push(['properties', 'parameters', parameter, 'defaultValue']);
  };

  // Stages run one after the other, so the alerts hang off a single last activity: ADF's
  // dependencies are AND across activities, and a skipped stage must still reach the failure alert.
  const stages: JsonObject[] = [];
  const chain = (stage: JsonObject) => {
    const previous = stages[stages.length - 1];
    if (previous) stage.dependsOn = [dependsOn(previous.name as string, 'Succeeded')];
    stages.push(stage);
  };

  for (const system of systems) {
    const suffix = several ? `_${system.name}` : '';
    const incremental = system.tables.filter(isIncremental);
    const full = system.tables.filter(t => !isIncremental(t));
    const silverOf = (t: Table) => notebooks.silver.get(tableKey(t));
    if (incremental.length > 0) {
      const parameter = `${settings.loopParameter}${suffix}`;
      own(parameter, 'array', incremental.map(t => ({
        schema: t.schema, table: t.name, cdc_col: t.cdcColumn, from_date: t.backfillFrom ?? '', bronze_folder: bronzeFolder(metadata, t),
        ...(silverOf(t) !== undefined ? { silver_notebook: silverOf(t) as string } : {}),
      })));
      chain(incrementalLoop(system, systems, parameter, suffix, settings, incremental.some(t => silverOf(t) !== undefined)));
    }
    if (full.length > 0) {
      const parameter = `${FULL_LOAD_PARAMETER}${suffix}`;
      own(parameter, 'array', full.map(t => ({
        schema: t.schema, table: t.name, bronze_folder: bronzeFolder(metadata, t),
        ...(silverOf(t) !== undefined ? { silver_notebook: silverOf(t) as string } : {}),
      })));
      chain(fullLoadLoop(system, systems, parameter, suffix, settings, full.some(t => silverOf(t) !== undefined)));
    }
  }
  if (notebooks.dimensions.length > 0) {
    own(DIMENSION_NOTEBOOKS, 'array', notebooks.dimensions.map(d => ({ name: d.name, notebook: d.notebook })));
    chain(notebookLoop('for_each_dimension', 'run_dimension_notebook', DIMENSION_NOTEBOOKS, settings));
  }
  if (notebooks.facts.length > 0) {
    own(FACT_NOTEBOOKS, 'array', notebooks.facts.map(f => ({ name: f.name, notebook: f.notebook })));
    chain(notebookLoop('for_each_fact', 'run_fact_notebook', FACT_NOTEBOOKS, settings));
  }
  own(BRONZE_CONTAINER, 'string', settings.bronzeContainer);
  own(ALERT_URL, 'string', settings.alertUrl);
  // Set by the backfill trigger; empty on scheduled runs (which copy past the watermark).
  parameters[WINDOW_START] = { type: 'string', defaultValue: '' };
  parameters[WINDOW_END] = { type: 'string', defaultValue: '' };

  const last = stages[stages.length - 1]?.name as string | undefined;
  const activities: JsonObject[] = [
    ...stages,
    alert('alert_success', 'Succeeded', last ? [dependsOn(last, 'Succeeded')] : []),
    ...(last ? [alert('alert_failure', 'Failed', [dependsOn(last, 'Failed', 'Skipped')])] : []),
  ];
  const value: JsonObject = {
    name: settings.pipeline,
    properties: {
      description: 'Generated by Lakehouse Workbench from lakehouse.yaml (lakehouse generate adf). Copies the rows of each source table past its watermark '
        + '(from its backfill date on the first load; the window\'s rows when the backfill trigger runs it) into the bronze zone, runs the silver notebook of '
        + 'each table that received rows, then the gold notebooks, and posts the outcome to alert_url. The parameter defaults come from lakehouse.yaml.',
      activities,
      parameters,
      annotations: ['lakehouse-workbench'],
    },
    type: 'Microsoft.DataFactory/factories/pipelines',
  };
  return { value, ownedPaths };
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

function incrementalLoop(system: SourceSystem, systems: readonly SourceSystem[], parameter: string, suffix: string, settings: ResolvedAdfSettings, withSilver: boolean): JsonObject {
  const read = `read_watermark${suffix}`;
  const max = `max_watermark${suffix}`;
  const copy = `copy_new_rows${suffix}`;
  const write = `write_watermark${suffix}`;
  const watermark = `activity('${read}').output.firstRow.cdc`;
  const newWatermark = `activity('${max}').output.resultSets[0].rows[0].cdc`;
  const windowed = `empty(pipeline().parameters.${WINDOW_START})`;
  // The upper bound is read before the copy, so rows written meanwhile wait for the next run
  // instead of being skipped; backfillFrom is a floor (the first load starts there).
  const lower = `if(greater(item().from_date, ${watermark}), item().from_date, ${watermark})`;
  const query = 'SELECT * FROM [@{item().schema}].[@{item().table}] WHERE [@{item().cdc_col}] '
    + `@{if(${windowed}, '>', '>=')} '@{if(${windowed}, ${lower}, pipeline().parameters.${WINDOW_START})}' `
    + `AND [@{item().cdc_col}] @{if(${windowed}, '<=', '<')} '@{if(${windowed}, ${newWatermark}, pipeline().parameters.${WINDOW_END})}'`;
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
        scripts: [{ type: 'Query', text: expression('SELECT MAX([@{item().cdc_col}]) AS cdc FROM [@{item().schema}].[@{item().table}]') }],
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
      name: `if_rows_copied${suffix}`, type: 'IfCondition', dependsOn: [dependsOn(copy, 'Succeeded')],
      typeProperties: {
        expression: expression(`@greater(activity('${copy}').output.rowsCopied, 0)`),
        // The copy writes a file even when no row is new: remove it so silver never reads empty files.
        ifFalseActivities: [activity({
          name: `delete_empty_file${suffix}`, type: 'Delete', policy: policy(1),
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
          ...(withSilver ? [notebook(`run_silver_notebook${suffix}`, settings, '@item().silver_notebook', write)] : []),
        ],
      },
    }),
  ];
  return forEach(`for_each_table${suffix}`, parameter, settings, inner);
}

function fullLoadLoop(system: SourceSystem, systems: readonly SourceSystem[], parameter: string, suffix: string, settings: ResolvedAdfSettings, withSilver: boolean): JsonObject {
  const copy = `copy_full_table${suffix}`;
  const inner: JsonObject[] = [
    activity({
      name: copy, type: 'Copy', policy: policy(1),
      typeProperties: {
        source: sqlSource(system, 'SELECT * FROM [@{item().schema}].[@{item().table}]'),
        sink: PARQUET_SINK, enableStaging: false, translator: TRANSLATOR,
      },
      inputs: [sqlTableInput(system, systems, settings)],
      outputs: [bronzeFile(settings)],
    }),
    ...(withSilver ? [notebook(`run_full_load_silver_notebook${suffix}`, settings, '@item().silver_notebook', copy)] : []),
  ];
  return forEach(`for_each_full_load_table${suffix}`, parameter, settings, inner);
}

function notebookLoop(name: string, inner: string, parameter: string, settings: ResolvedAdfSettings): JsonObject {
  return forEach(name, parameter, settings, [notebook(inner, settings, '@item().notebook')]);
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
