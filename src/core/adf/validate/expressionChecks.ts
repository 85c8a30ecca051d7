import type { Node as JsonNode } from 'jsonc-parser';
import { RULES } from '../../diagnostics/rules';
import { didYouMean } from '../../text/suggest';
import type { Span } from '../../text/lineIndex';
import { collectReferences, parseAdfString, type ExprReference, type ExprSpan } from '../expressions';
import { FileReport, isPlainName, type NameSet } from './context';
import { stringOffsetMapper } from './jsonTree';

/** The ADF limit on one expression's length. */
export const MAX_EXPRESSION_LENGTH = 8192;

/** How activity('X') resolves from where an expression is used. */
export type ActivityResolution =
  { status: 'ok' } | { status: 'missing'; candidates: string[] } | { status: 'not-upstream'; reason: string };

/** What an expression may refer to where it is evaluated. */
export interface ExpressionScope {
  kind: 'pipeline' | 'dataset' | 'linkedService' | 'trigger';
  /** The artifact's name, for messages. */
  owner: string;
  parameters: NameSet;
  variables?: NameSet;
  /** The factory's global parameters; undefined when the folder has no factory file to read them from. */
  globalParameters?: NameSet;
  itemAllowed: boolean;
  /** Why item() is not available here, for the message. */
  itemHint?: string;
  resolveActivity?: (name: string) => ActivityResolution;
}

/** Checks one JSON string: its syntax when it holds an expression, and what the expression refers to. */
export function checkExpressionString(report: FileReport, node: JsonNode, scope: ExpressionScope): void {
  const value = node.value as string;
  if (value.indexOf('@') === -1) return;
  const parsed = parseAdfString(value);
  if (parsed.kind === 'literal') return;
  const map = stringOffsetMapper(report.file.text, node);
  const toSpan = (s: ExprSpan): Span => [map(s.start), map(Math.max(s.end, s.start))];
  if (value.length > MAX_EXPRESSION_LENGTH) {
    report.add(
      [node.offset, node.offset + node.length],
      RULES.adfServiceLimit,
      `This expression is ${value.length.toLocaleString('en-US')} characters long; Data Factory ` +
        `accepts at most ${MAX_EXPRESSION_LENGTH.toLocaleString('en-US')}. Move the text into a ` +
        `parameter, a variable or a stored procedure.`,
    );
  }
  for (const problem of parsed.problems) report.add(toSpan(problem.span), RULES.adfExpressionSyntax, problem.message);
  for (const expression of parsed.expressions) {
    if (!expression.node) continue;
    for (const ref of collectReferences(expression.node)) checkReference(report, ref, scope, toSpan, map);
  }
}

function checkReference(
  report: FileReport,
  ref: ExprReference,
  scope: ExpressionScope,
  toSpan: (s: ExprSpan) => Span,
  map: (d: number) => number,
): void {
  const at = toSpan(ref.span);
  const renameFix = (name: string, suggestion: string | undefined) => {
    if (!suggestion || !isPlainName(suggestion) || !isPlainName(name)) return undefined;
    // Only when the name sits in the file unescaped, so the span holds exactly the name's characters.
    if (map(ref.span.end) - map(ref.span.start) !== ref.span.end - ref.span.start) return undefined;
    const text = report.file.text.slice(at[0], at[1]);
    const start = text.indexOf(name);
    if (start === -1) return undefined;
    return [
      report.replaceSpanFix([at[0] + start, at[0] + start + name.length], suggestion, `Change to '${suggestion}'`),
    ];
  };
  const undeclared = (what: string, name: string, declared: NameSet, where: string) => {
    if (declared.has(name)) return;
    const suggestion = didYouMean(name, declared.names);
    const list =
      declared.size === 0
        ? `it declares none`
        : `declared: ${declared.names.slice(0, 8).join(', ')}${declared.size > 8 ? ', …' : ''}`;
    report.add(
      at,
      RULES.adfExpressionUndeclared,
      `${what} '${name}' is not declared in ${where} (${list}).${suggestion ? ` Did you mean '${suggestion}'?` : ''}`,
      { fixes: renameFix(name, suggestion) },
    );
  };
  switch (ref.kind) {
    case 'pipelineParameter':
      if (scope.kind === 'pipeline') undeclared('Parameter', ref.name, scope.parameters, `pipeline '${scope.owner}'`);
      return;
    case 'variable':
      if (scope.variables) undeclared('Variable', ref.name, scope.variables, `pipeline '${scope.owner}'`);
      return;
    case 'globalParameter':
      if (scope.globalParameters) undeclared('Global parameter', ref.name, scope.globalParameters, 'the factory');
      return;
    case 'datasetParameter':
      if (scope.kind === 'dataset') undeclared('Parameter', ref.name, scope.parameters, `dataset '${scope.owner}'`);
      return;
    case 'linkedServiceParameter':
      if (scope.kind === 'linkedService')
        undeclared('Parameter', ref.name, scope.parameters, `linked service '${scope.owner}'`);
      return;
    case 'item':
      if (!scope.itemAllowed) {
        report.add(
          at,
          RULES.adfExpressionItemScope,
          `item() has no value here: ${scope.itemHint ?? 'it is the current element of a ForEach, and this is not inside one'}.`,
        );
      }
      return;
    case 'activity': {
      if (!scope.resolveActivity) return;
      const resolution = scope.resolveActivity(ref.name);
      if (resolution.status === 'missing') {
        const suggestion = didYouMean(ref.name, resolution.candidates);
        report.add(
          at,
          RULES.adfExpressionActivity,
          `There is no activity '${ref.name}' in pipeline '${scope.owner}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`,
          { fixes: renameFix(ref.name, suggestion) },
        );
      } else if (resolution.status === 'not-upstream') {
        report.add(at, RULES.adfExpressionActivity, resolution.reason);
      }
      return;
    }
    default:
      return;
  }
}

/** Calls visit for every string under node, skipping properties for which skip(key) is true. */
export function forEachString(
  node: JsonNode | undefined,
  visit: (n: JsonNode) => void,
  skip?: (key: string, owner: JsonNode) => boolean,
): void {
  if (!node) return;
  switch (node.type) {
    case 'string':
      visit(node);
      return;
    case 'array':
      for (const c of node.children ?? []) forEachString(c, visit, skip);
      return;
    case 'object':
      for (const p of node.children ?? []) {
        const [k, v] = p.children ?? [];
        if (!k || !v) continue;
        if (skip?.(k.value as string, node)) continue;
        forEachString(v, visit, skip);
      }
      return;
    default:
      return;
  }
}
