// The templates feature's public surface (Jinja2-faithful rendering, verification, workers).
export {
  createTemplateEnvironment,
  type TemplateEnvironment,
  type TemplateEnvironmentOptions,
  type RenderResult,
  type RenderError,
  type TemplateContext,
} from './environment';
export { templateRenderDiagnostic, TEMPLATE_RENDER_RULES, type TemplateRenderFailure } from './renderDiagnostic';
export { parsePythonJson } from './pythonJson';
export { PyFloat, fromJs, type PyValue, type TemplateErrorKind } from './pyValue';
export {
  checkJinja2,
  renderWithJinja2,
  verifyWithJinja2,
  JINJA2_RENDER_SCRIPT,
  LAKEHOUSE_FILTERS_PYTHON,
  type OracleCase,
  type OracleResult,
  type VerifyCase,
  type VerifyOutcome,
  type VerifyReport,
  type Jinja2Availability,
} from './jinja2Oracle';
export {
  renderInWorker,
  WorkerRenderer,
  DEFAULT_WORKER_PATH,
  timeoutMessage,
  type WorkerRenderOptions,
} from './renderInWorker';
export type { WorkerRenderRequest } from './worker';
export { MAX_RANGE, MAX_ITEMS, MAX_STRING, MAX_OUTPUT, MAX_CALL_DEPTH } from './limits';
