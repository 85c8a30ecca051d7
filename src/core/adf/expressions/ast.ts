// The syntax tree of the ADF (pipeline) expression language, shared by the parser, the function
// catalogue and the reference collector.

/** Offsets are into the decoded JS string value (after JSON unescaping), end exclusive. */
export interface ExprSpan {
  start: number;
  end: number;
}

/**
 * One node of an expression. A `string` node's span includes its quotes (its contents are
 * `span.start + 1 .. span.end - 1`, with `''` still doubled in the source text).
 */
export type ExprNode =
  | { kind: 'string'; value: string; span: ExprSpan }
  | { kind: 'number'; value: number; span: ExprSpan }
  | { kind: 'boolean'; value: boolean; span: ExprSpan }
  | { kind: 'null'; span: ExprSpan }
  | { kind: 'call'; name: string; nameSpan: ExprSpan; args: ExprNode[]; span: ExprSpan }
  | { kind: 'member'; object: ExprNode; property: string; propertySpan: ExprSpan; optional: boolean; span: ExprSpan }
  | { kind: 'index'; object: ExprNode; index: ExprNode; optional: boolean; span: ExprSpan };

export interface ExprProblem {
  kind: 'syntax' | 'unknown-function' | 'arity';
  message: string;
  span: ExprSpan;
}

export interface EmbeddedExpression {
  /** Absent when the expression has a syntax error. */
  node?: ExprNode;
  /** The expression text, without the leading `@` or the `@{` `}` delimiters. */
  span: ExprSpan;
}

export interface ParsedAdfString {
  /**
   * `literal`: no expression (including `@@`-escaped strings); `expression`: the whole value is
   * one expression (`@...`); `interpolated`: text with `@{...}` parts (also a lone `@{...}`).
   */
  kind: 'literal' | 'expression' | 'interpolated';
  expressions: EmbeddedExpression[];
  problems: ExprProblem[];
}

/** Every node of a tree, parents before children. Iterative: trees can be deep. */
export function walkExpr(node: ExprNode, visit: (node: ExprNode) => void): void {
  const stack: ExprNode[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    visit(n);
    if (n.kind === 'call') for (let i = n.args.length - 1; i >= 0; i--) stack.push(n.args[i]!);
    else if (n.kind === 'member') stack.push(n.object);
    else if (n.kind === 'index') stack.push(n.index, n.object);
  }
}
