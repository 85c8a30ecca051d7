// The ADF pipeline expression language: parsing string values, the function catalogue, and
// the references an expression makes (for the validator's context checks).
export {
  walkExpr,
  type EmbeddedExpression,
  type ExprNode,
  type ExprProblem,
  type ExprSpan,
  type ParsedAdfString,
} from './ast';
export {
  ADF_FUNCTIONS,
  PIPELINE_SYSTEM_VARIABLES,
  describeArity,
  lookupFunction,
  type FunctionInfo,
} from './functions';
export { MAX_EXPRESSION_DEPTH, parseAdfString } from './parser';
export { collectReferences, type ExprReference } from './references';
