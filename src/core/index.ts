// The core's public surface, for the CLI, the extension and tests.
export * from './diagnostics/diagnostic';
export * from './diagnostics/rules';
export * from './text/lineIndex';
export * from './metadata/model';
export { parseMetadataFile, type MetadataFile } from './metadata/metadataFile';
export { checkMetadata, DEPLOY_KEYS, isNumericType, TableResolver } from './metadata/semanticRules';
export { MetadataLocator } from './metadata/locator';
export { environmentValueEdits, type EnvironmentValues } from './metadata/environmentEdits';
export * from './adf/adfFile';
export * from './adf/adfFolder';
export * from './adf/metadataLoops';
export * from './adf/importAdf';
export * from './files/fileHost';
export * from './project/projectSession';
export * from './project/loadProject';
export { NodeFileHost } from './files/nodeFileHost';
export {
  writeFileAtomic,
  writeContained,
  writeProblem,
  containedHost,
  entryTypeOnDisk,
  WriteRefusedError,
} from './files/writeFile';
export {
  readGeneratedText,
  readFileIfExists,
  sameGeneratedText,
  GeneratedTextCache,
  MAX_GENERATED_BYTES,
} from './files/generatedFiles';
export { Containment, isInside } from './files/containment';
export { readChecked, readCheckedSync, type CheckedRead } from './files/checkedRead';
export { renderRulesMarkdown } from './diagnostics/rulesDoc';
export * from './templates';
export * from './rendering';
export {
  BUILTIN_TEMPLATE_NAMES,
  defaultTemplateBindings,
  effectiveBindings,
  bindingTargets,
  placeholdersOf,
  OUTPUT_PLACEHOLDERS,
  type BindingTarget,
} from './metadata/templateBindings';
export {
  generateAdfArtifacts,
  planAdfGeneration,
  AdfPlanCache,
  writeAdfPlan,
  conflictsOf,
  isUpToDate,
  readBundleDeployment,
  AdfGenerationError,
  UnknownAdfEnvironmentError,
  FINGERPRINT_FILE as ADF_FINGERPRINT_FILE,
  type AdfGeneration,
  type AdfGenerationPlan,
  type AdfFilePlan,
  type AdfFileStatus,
  type GeneratedArtifact,
  type AdfArtifactKind,
} from './adf/generate';
export {
  planProjectAdf,
  adfRootOf,
  tableLoopEntries,
  metadataOriginOf,
  type ProjectAdfPlan,
  type TableLoopEntry,
} from './project/adfGeneration';
export { pathText } from './adf/generate/adfJson';
export {
  dryRun,
  dryRunJson,
  renderDryRunText,
  parseWindow,
  parseOutcomeFile,
  factoryFromFolder,
  factoryFromJson,
  runPipeline,
  evaluateAdfString,
  DryRunError,
  OutcomeFileError,
  type DryRunRequest,
  type DryRunResult,
  type OutcomeFile,
  type RunFactory,
  type PipelineRunResult,
  type ActivityRun,
} from './adf/run';
export { timeSlicer, yieldToEventLoop } from './text/timeSlices';
export { redactSecrets } from './text/redact';
export * from './deploy';
export * from './bundle';
// The Lake view's map of a project (zones, containers, table folders); the rest of core/lake is read
// through the storage adapter (src/azure/lake), in the Azure bundle.
export {
  lakeZones,
  lakeZonesSignature,
  LakeFolderMarks,
  type LakeZone,
  type LakeTableFolder,
  type LakeTableRef,
  type FolderMark,
} from './lake/zones';
export { formatBytes } from './text/bytes';
// Pipeline runs (the Runs view's model, the trigger form, starting runs once), as one namespace.
export * as runs from './runs';
// Backfill journals for the editor's resume offer (reading only: running a backfill goes through
// the Azure bundle, whose runs adapter and runner must share one copy of the error classes).
export { listBackfills, describePlan, type BackfillListing } from './backfill/session';
export { formatSummary, type BackfillSummary } from './backfill/summary';
export { backfillJournalDir, JournalFolderOnDisk } from './files/journalFiles';
