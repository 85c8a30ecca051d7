// Rendering templates bound to the project's metadata: the context, the plan of renders, "render
// all" / "out of date", and Jinja templates embedded in notebooks.
export {
  buildTemplateContext,
  selectEnvironment,
  UnknownEnvironmentError,
  type TemplateContextOptions,
  type TemplateItemKind,
} from './context';
export {
  planRenders,
  planRendersSliced,
  jobsForTemplate,
  languageOf,
  type RenderJob,
  type RenderLanguage,
  type PlanOptions,
  type RenderPlanInput,
} from './plan';
export {
  createJobRenderer,
  findWorkerScript,
  renderJobs,
  checkOutputs,
  writeOutputs,
  containJobs,
  type JobRenderer,
  type JobRendererOptions,
  type RenderOutcome,
  type OutputCheck,
  type OutputStatus,
  type WriteReport,
} from './run';
export {
  planProjectRenders,
  metadataErrors,
  type ProjectRenderPlan,
  type ProjectRenderOptions,
} from './projectRenders';
export { findEmbeddedTemplates, embeddedContextJson, type EmbeddedTemplate } from './embedded';
export { pythonLiteralToJson } from './pythonLiteral';
export { findBuiltinTemplatesDir } from './builtinTemplates';
export { verificationCases } from './verify';
