// ADF generation: the Data Factory artifacts a lakehouse.yaml implies, in ADF's git layout.
//
//   generateAdfArtifacts(metadata, { environment?, bundle? }) → { artifacts, notes, settings }
//     Pure: every artifact (linked services, datasets, the ingestion pipeline(s), the schedule and
//     backfill triggers) as a value, its text in ADF Studio's formatting (tabs, `"key": value`,
//     ADF Studio's key order, no final newline) and the JSON paths whose values the metadata
//     owns. Same metadata, same bytes.
//   planAdfGeneration(metadata, adfRoot, readFile, options?) → AdfGenerationPlan
//     The round trip against the folder: per file create / update / unchanged / conflict, the new
//     text (an existing file keeps every byte but its owned values, in its own indentation and
//     line endings), the owned paths that change, and why a conflict is one (owned values edited
//     by hand since the last generation, or a file that is not recognisably generated).
//   writeAdfPlan(plan, { force? }) → what was written; each file atomically, nothing at all when
//     there are conflicts and no force. isUpToDate(plan) is `--check`.
//   readBundleDeployment(databricksYml) → where each bundle target deploys its files (the
//     notebook paths the pipeline runs).
//
// The ingestion (pipeline.ts): one source system is one pipeline, <pipeline> (adf.pipeline,
// default pl_incremental_ingestion), as in the reference project. Several source systems (or one
// pipeline past Data Factory's limits) make <pipeline> the orchestrator the triggers start: it
// runs one pipeline per source system, <pipeline>_<system>, one after the other with Execute
// Pipeline (waitOnCompletion, passing on the lake's containers and account, the catalog and the
// backfill window), then the gold step, then the alerts. The gold step starts an update of the
// bundle's gold Declarative Pipeline <project>_gold through the Databricks REST API (Web
// activities with the factory's managed identity) and waits for it: the dimension and fact
// notebooks are pipeline source code, which only that pipeline runs (no gold step when the project
// renders no dimension and no fact). Per table: the watermark file is created on the first run,
// the copy reads from the watermark minus an overlap (or by rowversion, or Change Tracking), the
// watermark moves forward only after the copy succeeded, and the silver notebook runs every time.
// Every pipeline runs one run at a time (concurrency 1). No generated pipeline passes 80
// activities, 50 parameters or 128 KiB of text (ADF allows 200 KB; the rest is room for CRLF,
// spaces and edits): a system whose table list does not fit is split into
// <pipeline>_<system>_part<n>, and more system pipelines than the orchestrator has room for run
// through <pipeline>_batch_<n>. Past even that (some 6,000 system pipelines) a note says so.
//
// Owned paths, per artifact:
//   linkedService (SQL)           properties.typeProperties.connectionString
//   linkedService (ADLS Gen2)     properties.typeProperties.url
//   linkedService (Databricks)    properties.typeProperties
//   dataset (each)                properties.linkedServiceName.referenceName, properties.parameters
//   pipeline (single)             properties.parameters.<loop_input|full_load_input|gold_notebook|bronze_container|alert_url>.defaultValue
//   pipeline (orchestrator)       properties.parameters.<gold_notebook|bronze_container|alert_url>.defaultValue
//   pipeline (_<system>[_part<n>]) properties.parameters.<loop_input|full_load_input|bronze_container>.defaultValue
//   pipeline (_batch_<n>)         properties.parameters.bronze_container.defaultValue
//   trigger (schedule)            properties.pipelines[0].pipelineReference.referenceName, properties.typeProperties.recurrence
//   trigger (backfill)            properties.pipeline.pipelineReference.referenceName,
//                                 properties.typeProperties.{frequency,interval,startTime,endTime,maxConcurrency}
// Activities are never owned. Which generated pipelines a pipeline runs (Execute Pipeline), and
// whether it has the gold step, are checked instead: an existing pipeline that does not run those
// generation runs from it, or runs generated ones it no longer does (a source system added or
// removed, the ingestion split), or whose gold step is not the one generation writes (none, or
// the gold notebooks run one by one in ForEach loops, as generation once wrote them), is a
// conflict that --force rewrites whole (plan.ts).
export {
  generateAdfArtifacts,
  AdfGenerationError,
  type AdfArtifactKind,
  type AdfGeneration,
  type GeneratedArtifact,
  type GenerateOptions,
} from './artifacts';
export {
  planAdfGeneration,
  AdfPlanCache,
  writeAdfPlan,
  conflictsOf,
  isUpToDate,
  FINGERPRINT_FILE,
  type AdfFilePlan,
  type AdfFileStatus,
  type AdfGenerationPlan,
  type ConflictReason,
  type ReadText,
  type WritePlanOptions,
  type WritePlanReport,
} from './plan';
export {
  readBundleDeployment,
  resolveAdfSettings,
  UnknownAdfEnvironmentError,
  PLACEHOLDER,
  type BundleDeployment,
  type ResolvedAdfSettings,
} from './settings';
export { formatAdfJson, detectFormatting, pathText, type JsonObject, type JsonPath, type JsonValue } from './adfJson';
