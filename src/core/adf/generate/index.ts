// ADF generation: the Data Factory artifacts a lakehouse.yaml implies, in ADF's git layout.
//
//   generateAdfArtifacts(metadata, { environment?, bundle? }) → { artifacts, notes, settings }
//     Pure: every artifact (linked services, datasets, the ingestion pipeline, its schedule and
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
// Owned paths, per artifact:
//   linkedService (SQL)         properties.typeProperties.connectionString
//   linkedService (ADLS Gen2)   properties.typeProperties.url
//   linkedService (Databricks)  properties.typeProperties
//   dataset (each)              properties.linkedServiceName.referenceName, properties.parameters
//   pipeline                    properties.parameters.<loop_input…|full_load_input…|dimension_notebooks|fact_notebooks|bronze_container|alert_url>.defaultValue
//   trigger (schedule)          properties.pipelines[0].pipelineReference.referenceName, properties.typeProperties.recurrence
//   trigger (backfill)          properties.pipeline.pipelineReference.referenceName, properties.typeProperties.{frequency,interval,startTime,endTime,maxConcurrency}
export { generateAdfArtifacts, AdfGenerationError, type AdfArtifactKind, type AdfGeneration, type GeneratedArtifact, type GenerateOptions } from './artifacts';
export {
  planAdfGeneration, writeAdfPlan, conflictsOf, isUpToDate, FINGERPRINT_FILE,
  type AdfFilePlan, type AdfFileStatus, type AdfGenerationPlan, type ConflictReason, type ReadText, type WritePlanOptions, type WritePlanReport,
} from './plan';
export { readBundleDeployment, resolveAdfSettings, UnknownAdfEnvironmentError, PLACEHOLDER, type BundleDeployment, type ResolvedAdfSettings } from './settings';
export { formatAdfJson, detectFormatting, pathText, type JsonObject, type JsonPath, type JsonValue } from './adfJson';
