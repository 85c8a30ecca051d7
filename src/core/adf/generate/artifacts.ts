// Every ADF artifact the metadata implies: linked services, parameterised datasets, the ingestion
// pipeline(s) and its triggers, each with its text in ADF Studio's formatting and the JSON paths
// whose values the metadata owns (the round trip updates those and keeps the rest of the file).
import * as path from 'path';
import { drain, drainSliced } from '../../text/timeSlices';
import type { LakehouseMetadata, SourceSystem, Table } from '../../metadata/model';
import {
  eachBindingTarget,
  effectiveBindings,
  outputPathProblem,
  templateNameProblem,
  toPosix,
} from '../../metadata/templateBindings';
import { goldPipelineName } from '../../metadata/bundleRules';
import { formatAdfJson, sameJsonText, samePaths, type JsonObject, type JsonPath } from './adfJson';
import {
  ingestionPipelineSteps,
  type SystemPipelineCache,
  pipelineStats,
  sqlDatasetName,
  sqlFlavour,
  sqlLinkedServiceName,
  tableKey,
  type NotebookPaths,
} from './pipeline';
import { resolveAdfSettings, sourceConnection, type ResolveOptions, type ResolvedAdfSettings } from './settings';
import { AdfGenerationError } from './errors';

export type AdfArtifactKind = 'pipeline' | 'dataset' | 'linkedService' | 'trigger';

export interface GeneratedArtifact {
  kind: AdfArtifactKind;
  name: string;
  /** Inside the ADF folder, '/' separated: `pipeline/pl_incremental_ingestion.json`. */
  relativePath: string;
  value: JsonObject;
  /** ADF Studio's formatting: tabs, LF, no newline at the end. */
  text: string;
  /** The JSON paths whose values come from the metadata; everything else is the generator's default and may be edited in ADF Studio. */
  ownedPaths: JsonPath[];
}

/**
 * An artifact whose text is formatted when first read. An editor regenerates every linked service
 * and dataset after each edit and compares values (sameJsonText): formatting them all, only to
 * find the same text, was a third of what a keystroke allocated at 10,000 tables.
 */
class LazilyFormattedArtifact implements GeneratedArtifact {
  constructor(
    readonly kind: AdfArtifactKind,
    readonly name: string,
    readonly relativePath: string,
    readonly value: JsonObject,
    readonly ownedPaths: JsonPath[],
    private formatted: string | undefined,
  ) {}

  get text(): string {
    return (this.formatted ??= formatAdfJson(this.value));
  }
}

export interface AdfGeneration {
  artifacts: GeneratedArtifact[];
  /** Placeholders written and guesses made, in words for the user. */
  notes: string[];
  settings: ResolvedAdfSettings;
}

export type GenerateOptions = ResolveOptions;

/**
 * What an editor keeps between generations of one project, per source system object (an edit
 * re-parses one file; the other systems keep their objects): the system's pipelines (see
 * SystemPipelineCache) and its tables' silver notebook paths, each with the key of what else it
 * was computed from. A generation with a cache equals one without.
 */
export interface GenerationCache {
  systemPipelines: SystemPipelineCache;
  silverNotebooks: WeakMap<SourceSystem, SystemSilverNotebooks>;
  /**
   * The last generation's artifacts, by lower-cased path. An artifact regenerated to the same text
   * is that same object again: the new value is garbage at once, where keeping it made every
   * keystroke's linked services and datasets survive into the editor's older heap.
   */
  artifacts?: ReadonlyMap<string, GeneratedArtifact>;
}

/** A system's silver notebook paths (its tables deduplicated as the binding's targets are), with their notes, and by table key once asked. */
interface SystemSilverNotebooks {
  key: string;
  paths: SilverNotebookPath[];
  notes: string[];
  byTable?: Map<string, string>;
}

/** A table (its tableKey), its silver notebook's workspace path, and the note its path needs, if any. */
type SilverNotebookPath = [table: string, workspacePath: string, note?: string];

export { AdfGenerationError };

const LINKED_SERVICE_TYPE = 'Microsoft.DataFactory/factories/linkedservices';
const DATASET_TYPE = 'Microsoft.DataFactory/factories/datasets';
const ANNOTATIONS = ['lakehouse-workbench'];

export function generateAdfArtifacts(
  metadata: LakehouseMetadata,
  options: GenerateOptions = {},
  cache?: GenerationCache,
): AdfGeneration {
  return drain(generationSteps(metadata, options, cache));
}

/**
 * generateAdfArtifacts, giving the event loop back whenever `pause` says (an editor calls it on
 * its extension host's thread: 10,000 tables are a few hundred milliseconds of work). The same
 * artifacts, in the same order.
 */
export async function generateAdfArtifactsSliced(
  metadata: LakehouseMetadata,
  options: GenerateOptions,
  pause: () => Promise<void> | void,
  cache?: GenerationCache,
): Promise<AdfGeneration> {
  return drainSliced(generationSteps(metadata, options, cache), pause);
}

function* generationSteps(
  metadata: LakehouseMetadata,
  options: GenerateOptions,
  cache?: GenerationCache,
): Generator<void, AdfGeneration> {
  const settings = resolveAdfSettings(metadata, options);
  const notes = [...settings.notes];
  const systems = metadata.sources.filter(s => s.tables.length > 0);
  const notebooks = yield* notebookPaths(metadata, settings, notes, cache?.silverNotebooks);
  const artifacts: GeneratedArtifact[] = [];
  const byPath = new Map<string, GeneratedArtifact>();
  const add = (kind: AdfArtifactKind, value: JsonObject, ownedPaths: JsonPath[], text?: string) => {
    const name = value.name as string;
    const relativePath = `${kind}/${name}.json`;
    // ADF's names are case-insensitive: two that differ in case only are one artifact.
    const clash = byPath.get(relativePath.toLowerCase());
    if (clash) {
      if (sameJsonText(clash.value, value)) return clash;
      throw new AdfGenerationError(
        `Two ${kind === 'linkedService' ? 'linked services' : `${kind}s`} would be named ` +
          `'${name}'. Give them different names in lakehouse.yaml (the sources' linkedService, or ` +
          `the adf section).`,
      );
    }
    const prior = cache?.artifacts?.get(relativePath.toLowerCase());
    const artifact =
      prior &&
      prior.relativePath === relativePath &&
      samePaths(prior.ownedPaths, ownedPaths) &&
      sameJsonText(prior.value, value)
        ? prior
        : new LazilyFormattedArtifact(kind, name, relativePath, value, ownedPaths, text);
    artifacts.push(artifact);
    byPath.set(relativePath.toLowerCase(), artifact);
    return artifact;
  };

  for (const [i, system] of systems.entries()) {
    add('linkedService', sqlLinkedService(system, notes), sqlLinkedServiceOwned(system));
    if (i % 20 === 19) yield;
  }
  add(
    'linkedService',
    {
      name: settings.lakeLinkedService,
      type: LINKED_SERVICE_TYPE,
      properties: { annotations: ANNOTATIONS, type: 'AzureBlobFS', typeProperties: { url: settings.storageUrl } },
    },
    [['properties', 'typeProperties', 'url']],
  );
  const runsNotebooks = notebooks.anySilver;
  if (runsNotebooks) add('linkedService', databricksLinkedService(settings), [['properties', 'typeProperties']]);

  // A dataset's parameters are its contract with the pipeline, which passes exactly these.
  const datasetOwned: JsonPath[] = [
    ['properties', 'linkedServiceName', 'referenceName'],
    ['properties', 'parameters'],
  ];
  for (const [i, system] of systems.entries()) {
    add('dataset', sqlDataset(settings, system, systems), datasetOwned);
    if (i % 20 === 19) yield;
  }
  add('dataset', lakeDataset(settings.parquetDataset, settings.lakeLinkedService, 'Parquet'), datasetOwned);
  add('dataset', lakeDataset(settings.jsonDataset, settings.lakeLinkedService, 'Json'), datasetOwned);

  const ingestion = yield* ingestionPipelineSteps(metadata, settings, notebooks, cache?.systemPipelines);
  notes.push(...ingestion.notes);
  for (const pipeline of ingestion.pipelines) {
    notes.push(...serviceLimitNotes(add('pipeline', pipeline.value, pipeline.ownedPaths, pipeline.text)));
    yield;
  }
  add('trigger', scheduleTrigger(settings), [
    ['properties', 'pipelines', 0, 'pipelineReference', 'referenceName'],
    ['properties', 'typeProperties', 'recurrence'],
  ]);
  add('trigger', backfillTrigger(settings), [
    ['properties', 'pipeline', 'pipelineReference', 'referenceName'],
    ...['frequency', 'interval', 'startTime', 'endTime', 'maxConcurrency'].map(key => [
      'properties',
      'typeProperties',
      key,
    ]),
  ]);

  artifacts.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
  if (cache) cache.artifacts = byPath;
  return { artifacts, notes, settings };
}

/** Per pipeline value (never changed once built; an editor's cache reuses them): its service limit notes. */
const limitNotes = new WeakMap<JsonObject, string[]>();

/** ADF refuses a pipeline over its service limits: say which (generation splits pipelines to stay within them, so this is the last resort). */
function serviceLimitNotes(pipeline: GeneratedArtifact): string[] {
  let notes = limitNotes.get(pipeline.value);
  if (!notes) limitNotes.set(pipeline.value, (notes = limitNotesOf(pipeline)));
  return notes;
}

function limitNotesOf(pipeline: GeneratedArtifact): string[] {
  const { activities, parameters, chars } = pipelineStats(pipeline.value, pipeline.text);
  const kib = Math.ceil(chars / 1024);
  const over = [
    ...(activities > 80 ? [`${activities} activities (ADF allows 80)`] : []),
    ...(parameters > 50 ? [`${parameters} parameters (ADF allows 50)`] : []),
    ...(kib > 200 ? [`${kib} KiB (ADF allows 200 KB)`] : []),
  ];
  return over.length ? [`Pipeline '${pipeline.name}' has ${over.join(', ')}: ADF will refuse it.`] : [];
}

/**
 * Azure SQL (and Synapse) through the factory's system-assigned managed identity, in the
 * connector's current form (server, database, authenticationType: no connection string, so
 * nothing in it can add a setting, and no credential to store), as ADF Studio exports it.
 * @azure/arm-datafactory 12's models predate this form: deploy sends the JSON as generated.
 * SQL Server on premises cannot use the managed identity: Windows authentication through a
 * self-hosted integration runtime, in a connection string.
 */
function sqlLinkedService(system: SourceSystem, notes: string[]): JsonObject {
  const { server, database } = sourceConnection(system, notes);
  const flavour = sqlFlavour(system);
  let typeProperties: JsonObject = {
    server,
    database,
    encrypt: 'mandatory',
    trustServerCertificate: false,
    authenticationType: 'SystemAssignedManagedIdentity',
  };
  if (flavour.linkedServiceType === 'SqlServer') {
    typeProperties = { connectionString: `Integrated Security=True;Data Source=${server};Initial Catalog=${database}` };
    notes.push(
      `Source '${system.name}' is a SQL Server: its linked service uses Windows authentication; ` +
        `add the self-hosted integration runtime (connectVia) and the credentials (userName, a Key ` +
        `Vault password) in ADF Studio, which regeneration keeps.`,
    );
  }
  return {
    name: sqlLinkedServiceName(system),
    type: LINKED_SERVICE_TYPE,
    properties: { annotations: ANNOTATIONS, type: flavour.linkedServiceType, typeProperties },
  };
}

/** The values of a SQL linked service the metadata owns (its server and database). */
export function sqlLinkedServiceOwned(system: SourceSystem): JsonPath[] {
  return sqlFlavour(system).linkedServiceType === 'SqlServer'
    ? [['properties', 'typeProperties', 'connectionString']]
    : [
        ['properties', 'typeProperties', 'server'],
        ['properties', 'typeProperties', 'database'],
        ['properties', 'typeProperties', 'authenticationType'],
      ];
}

/** Azure Databricks through the factory's managed identity (no token to store), on the configured cluster. */
function databricksLinkedService(settings: ResolvedAdfSettings): JsonObject {
  const typeProperties: JsonObject = {
    domain: settings.databricksDomain,
    authentication: 'MSI',
    workspaceResourceId: settings.workspaceResourceId,
  };
  const cluster = settings.cluster;
  if (cluster.kind === 'existing') typeProperties.existingClusterId = cluster.existingClusterId;
  else {
    if (cluster.kind === 'pool') typeProperties.instancePoolId = cluster.instancePoolId;
    else typeProperties.newClusterNodeType = cluster.nodeType;
    typeProperties.newClusterNumOfWorker = cluster.workers;
    typeProperties.newClusterVersion = cluster.version;
    // Unity Catalog: a job cluster without an access mode cannot write catalog tables.
    typeProperties.dataSecurityMode = 'USER_ISOLATION';
    if (cluster.policyId) typeProperties.policyId = cluster.policyId;
  }
  return {
    name: settings.databricksLinkedService,
    type: LINKED_SERVICE_TYPE,
    properties: { annotations: ANNOTATIONS, type: 'AzureDatabricks', typeProperties },
  };
}

const stringParameter = (): JsonObject => ({ type: 'string' });
const datasetExpression = (parameter: string): JsonObject => ({ value: `@dataset().${parameter}`, type: 'Expression' });

function sqlDataset(settings: ResolvedAdfSettings, system: SourceSystem, systems: readonly SourceSystem[]): JsonObject {
  return {
    name: sqlDatasetName(settings, system, systems),
    properties: {
      linkedServiceName: { referenceName: sqlLinkedServiceName(system), type: 'LinkedServiceReference' },
      parameters: { schema: stringParameter(), table: stringParameter() },
      annotations: ANNOTATIONS,
      type: sqlFlavour(system).datasetType,
      schema: [],
      typeProperties: { schema: datasetExpression('schema'), table: datasetExpression('table') },
    },
    type: DATASET_TYPE,
  };
}

function lakeDataset(name: string, linkedService: string, format: 'Parquet' | 'Json'): JsonObject {
  const location: JsonObject = {
    type: 'AzureBlobFSLocation',
    fileName: datasetExpression('file'),
    folderPath: datasetExpression('folder'),
    fileSystem: datasetExpression('container'),
  };
  return {
    name,
    properties: {
      linkedServiceName: { referenceName: linkedService, type: 'LinkedServiceReference' },
      parameters: { container: stringParameter(), folder: stringParameter(), file: stringParameter() },
      annotations: ANNOTATIONS,
      type: format,
      typeProperties: format === 'Parquet' ? { location, compressionCodec: 'snappy' } : { location },
      schema: format === 'Parquet' ? [] : {},
    },
    type: DATASET_TYPE,
  };
}

const pipelineReference = (settings: ResolvedAdfSettings): JsonObject => ({
  referenceName: settings.pipeline,
  type: 'PipelineReference',
});

function scheduleTrigger(settings: ResolvedAdfSettings): JsonObject {
  return {
    name: settings.scheduleTrigger,
    properties: {
      description: `Runs ${settings.pipeline} on its schedule (generated from lakehouse.yaml). Created stopped: start it in ADF Studio or on deploy.`,
      annotations: ANNOTATIONS,
      runtimeState: 'Stopped',
      pipelines: [{ pipelineReference: pipelineReference(settings) }],
      type: 'ScheduleTrigger',
      typeProperties: { recurrence: { ...settings.schedule } },
    },
  };
}

/** Replays past windows: each run copies the rows whose CDC column falls in its window, and leaves the watermark alone. */
function backfillTrigger(settings: ResolvedAdfSettings): JsonObject {
  return {
    name: settings.backfillTrigger,
    properties: {
      description: `Backfills ${settings.pipeline} window by window (generated from lakehouse.yaml). Created stopped: start it to copy history.`,
      annotations: ANNOTATIONS,
      runtimeState: 'Stopped',
      pipeline: {
        pipelineReference: pipelineReference(settings),
        parameters: {
          window_start: "@formatDateTime(trigger().outputs.windowStartTime, 'yyyy-MM-ddTHH:mm:ss')",
          window_end: "@formatDateTime(trigger().outputs.windowEndTime, 'yyyy-MM-ddTHH:mm:ss')",
        },
      },
      type: 'TumblingWindowTrigger',
      typeProperties: {
        frequency: settings.backfill.frequency,
        interval: settings.backfill.interval,
        startTime: settings.backfill.startTime,
        endTime: settings.backfill.endTime,
        delay: '00:00:00',
        maxConcurrency: settings.backfill.maxConcurrency,
        retryPolicy: { intervalInSeconds: 30 },
        dependsOn: [],
      },
    },
  };
}

/**
 * Whether no table key (system.schema.name, lower case) can be in two systems: the systems'
 * names differ in more than letter case and have no '.', which would let `a.b` + `c` meet `a` + `b.c`.
 */
function distinctTableKeys(systems: readonly SourceSystem[]): boolean {
  const names = new Set<string>();
  for (const system of systems) {
    const name = system.name.toLowerCase();
    if (name.includes('.') || names.has(name)) return false;
    names.add(name);
  }
  return true;
}

/**
 * What the pipeline runs on Databricks: the first template binding for tables is the silver
 * step (a notebook's path is the notebook folder plus the output's path inside the bundle
 * folder, without its extension); the gold step, when dimension or fact notebooks are rendered,
 * is an update of the bundle's gold pipeline, <project>_gold.
 */
function* notebookPaths(
  metadata: LakehouseMetadata,
  settings: ResolvedAdfSettings,
  notes: string[],
  cache?: GenerationCache['silverNotebooks'],
): Generator<void, NotebookPaths> {
  const bundleDir = metadata.paths.bundle ?? path.join(metadata.rootDir, 'databricks');
  const usable = effectiveBindings(metadata).filter(
    b => !templateNameProblem(b.template) && !outputPathProblem(b.output),
  );
  // Outputs of one binding share their folder: path arithmetic once per folder, not per table.
  const relativeFolders = new Map<string, string>();
  const relativeToBundle = (output: string): string => {
    const parts = output.split(/[\\/]/);
    const base = parts.pop()!;
    if (base === '' || base === '.' || base === '..')
      return toPosix(path.relative(bundleDir, path.resolve(metadata.rootDir, ...parts, base)));
    const folderKey = parts.join('/');
    let folder = relativeFolders.get(folderKey);
    if (folder === undefined) {
      folder = toPosix(path.relative(bundleDir, path.resolve(metadata.rootDir, ...parts)));
      relativeFolders.set(folderKey, folder);
    }
    return folder === '' ? base : `${folder}/${base}`;
  };
  const silverPath = (table: Table, output: string): SilverNotebookPath => {
    const inBundle = relativeToBundle(output);
    const workspacePath = `${settings.notebookFolder}/${inBundle.replace(/^(\.\.\/)+/, '').replace(/\.(py|sql|scala|r|ipynb)$/i, '')}`;
    if (!inBundle.startsWith('../')) return [tableKey(table), workspacePath];
    const note =
      `${output} is outside the bundle folder, so the bundle does not deploy it; the pipeline ` +
      `runs it from ${settings.notebookFolder}/${inBundle.replace(/^(\.\.\/)+/, '')} all the same.`;
    return [tableKey(table), workspacePath, note];
  };
  const tableBinding = usable.find(b => b.for === 'table');
  let found: NotebookPaths;
  if (cache && distinctTableKeys(metadata.sources)) {
    // No table key is in two systems, so each system's paths are its tables' whole answer.
    const key = JSON.stringify([
      tableBinding ?? null,
      settings.notebookFolder,
      bundleDir,
      metadata.rootDir,
      metadata.project ?? null,
    ]);
    const bySystemName = new Map<string, SystemSilverNotebooks>();
    const silverBySystem = new Map<SourceSystem, object>();
    let anySilver = false;
    for (const system of metadata.sources) {
      let known = cache.get(system);
      if (known?.key !== key) {
        const paths: SilverNotebookPath[] = [];
        if (tableBinding)
          for (const target of eachBindingTarget(tableBinding, { ...metadata, tables: system.tables }))
            if (target.table) paths.push(silverPath(target.table, target.output));
        const systemNotes = paths.flatMap(([, , note]) => (note !== undefined ? [note] : []));
        cache.set(system, (known = { key, paths, notes: systemNotes }));
        yield;
      }
      for (const note of known.notes) notes.push(note);
      anySilver ||= known.paths.length > 0;
      bySystemName.set(system.name.toLowerCase(), known);
      silverBySystem.set(system, known);
    }
    const silverOf = (table: Table): string | undefined => {
      const known = bySystemName.get(table.system.toLowerCase());
      if (!known) return undefined;
      known.byTable ??= new Map(known.paths.map(([t, workspacePath]) => [t, workspacePath]));
      return known.byTable.get(tableKey(table));
    };
    found = { silverOf, anySilver, silverBySystem };
  } else {
    const silver = new Map<string, string>();
    if (tableBinding) {
      let sinceStep = 0;
      for (const target of eachBindingTarget(tableBinding, metadata)) {
        if (target.table) {
          // The first table of a name wins, as the binding's targets have it.
          const [table, workspacePath, note] = silverPath(target.table, target.output);
          if (!silver.has(table)) {
            silver.set(table, workspacePath);
            if (note !== undefined) notes.push(note);
          }
        }
        // Path arithmetic for 10,000 tables is tens of milliseconds: a pause point every 500.
        if (++sinceStep === 500) {
          sinceStep = 0;
          yield;
        }
      }
    }
    found = { silverOf: table => silver.get(tableKey(table)), anySilver: silver.size > 0 };
  }
  if (metadata.dimensions.length === 0 && metadata.facts.length === 0) return found;
  // No dimension or fact is rendered: the project's gold is not ours to run.
  if (!usable.some(b => b.for === 'dimension' || b.for === 'fact')) return found;
  return { ...found, goldPipeline: goldPipelineName(metadata) };
}
