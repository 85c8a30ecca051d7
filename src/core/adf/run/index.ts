// Evaluating ADF's expression language and running pipelines' control flow without running
// anything outside the factory: the engine of `lakehouse dry-run`, of the editor's dry run
// document, and of the tests that run generated pipelines.
export {
  Unknown,
  fromJson,
  toJson,
  stringify,
  toJsonText,
  type AdfValue,
  type AdfObject,
  type JsonLike,
} from './values';
export {
  evaluateAdfString,
  evaluateExpression,
  evaluateJson,
  evaluateNode,
  type ActivityLookup,
  type EvalError,
  type Evaluated,
  type EvaluatedExpression,
  type EvaluatedJson,
  type EvaluatedString,
  type ExpressionContext,
} from './evaluate';
export { DEFAULT_EVAL_LIMITS, type EvalLimits } from './functions';
export { factoryFromFolder, factoryFromJson, type FactoryJson, type RunFactory } from './factory';
export {
  DEFAULT_RUN_LIMITS,
  convertParameter,
  runPipeline,
  type ActivityErrorInfo,
  type ActivityRun,
  type ActivityStatus,
  type DatasetUse,
  type ExternalCall,
  type ExternalOutcome,
  type IterationStep,
  type OutcomeFn,
  type PipelineRunResult,
  type RunLimits,
  type RunOptions,
  type TriggerContext,
} from './runPipeline';
export { OutcomeFileError, parseOutcomeFile, type OutcomeFile } from './outcomes';
export { DryRunError, dryRun, parseWindow, type DryRunRequest, type DryRunResult } from './dryRun';
export { displayValue, dryRunJson, literalSelect, renderDryRunText } from './report';
