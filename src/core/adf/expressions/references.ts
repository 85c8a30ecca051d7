// What an expression refers to (parameters, variables, activities, ForEach items, triggers), so
// the validator can check each name against the pipeline, dataset or linked service around it.

import { walkExpr, type ExprNode, type ExprSpan } from './ast';

/**
 * A reference's `span` is the span of the name itself: the property name for `.X`, or the
 * contents of the string literal (without its quotes) for `['X']` and `variables('X')`. For
 * `item` and `trigger` it is the call (`trigger` covers trigger(), triggerBody() and
 * triggerOutputs()); for `dynamicName`, the dynamic argument or index.
 * Names are compared case-insensitively by ADF; they are returned as written.
 */
export type ExprReference =
  | { kind: 'pipelineParameter'; name: string; span: ExprSpan }
  | { kind: 'globalParameter'; name: string; span: ExprSpan }
  | { kind: 'pipelineSystem'; name: string; span: ExprSpan }
  | { kind: 'variable'; name: string; span: ExprSpan }
  | { kind: 'activity'; name: string; span: ExprSpan }
  | { kind: 'item'; span: ExprSpan }
  | { kind: 'datasetParameter'; name: string; span: ExprSpan }
  | { kind: 'linkedServiceParameter'; name: string; span: ExprSpan }
  | { kind: 'trigger'; span: ExprSpan }
  /**
   * A name computed at run time, which cannot be checked: `variables(expr)`, `activity(expr)`
   * (function 'variables' / 'activity'), or `pipeline().parameters[expr]`,
   * `pipeline().globalParameters[expr]`, `dataset()[expr]`, `linkedService()[expr]`
   * (function 'pipeline().parameters', 'pipeline().globalParameters', 'dataset()', 'linkedService()').
   */
  | { kind: 'dynamicName'; function: string; span: ExprSpan };

/** The contents of a string literal, without its quotes. */
const contents = (s: ExprSpan): ExprSpan => ({ start: s.start + 1, end: s.end - 1 });

type Key = { name: string; span: ExprSpan } | { dynamic: ExprSpan };

/** The key of `.X` or `['X']`, or the dynamic index of `[expr]`. */
function accessKey(n: ExprNode & { kind: 'member' | 'index' }): Key {
  if (n.kind === 'member') return { name: n.property, span: n.propertySpan };
  if (n.index.kind === 'string') return { name: n.index.value, span: contents(n.index.span) };
  return { dynamic: n.index.span };
}

/** `name()` with no arguments (context functions), case-insensitively. */
function isContextCall(n: ExprNode, lowerName: string): boolean {
  return n.kind === 'call' && n.args.length === 0 && n.name.toLowerCase() === lowerName;
}

export function collectReferences(node: ExprNode): ExprReference[] {
  const refs: ExprReference[] = [];
  walkExpr(node, n => {
    if (n.kind === 'call') {
      const lower = n.name.toLowerCase();
      if ((lower === 'variables' || lower === 'activity') && n.args.length === 1) {
        const arg = n.args[0]!;
        if (arg.kind === 'string')
          refs.push({
            kind: lower === 'variables' ? 'variable' : 'activity',
            name: arg.value,
            span: contents(arg.span),
          });
        else refs.push({ kind: 'dynamicName', function: lower, span: arg.span });
      } else if (lower === 'item' && n.args.length === 0) {
        refs.push({ kind: 'item', span: n.span });
      } else if (
        (lower === 'trigger' || lower === 'triggerbody' || lower === 'triggeroutputs') &&
        n.args.length === 0
      ) {
        refs.push({ kind: 'trigger', span: n.span });
      }
      return;
    }
    if (n.kind !== 'member' && n.kind !== 'index') return;
    const key = accessKey(n);
    const object = n.object;
    if (isContextCall(object, 'pipeline')) {
      // pipeline().parameters / .globalParameters are containers, reported through their children.
      if ('name' in key && !/^(parameters|globalparameters)$/i.test(key.name))
        refs.push({ kind: 'pipelineSystem', name: key.name, span: key.span });
      return;
    }
    if ((object.kind === 'member' || object.kind === 'index') && isContextCall(object.object, 'pipeline')) {
      const container = accessKey(object);
      if (!('name' in container)) return;
      const lower = container.name.toLowerCase();
      if (lower !== 'parameters' && lower !== 'globalparameters') return;
      const global = lower === 'globalparameters';
      if ('name' in key)
        refs.push({ kind: global ? 'globalParameter' : 'pipelineParameter', name: key.name, span: key.span });
      else
        refs.push({
          kind: 'dynamicName',
          function: global ? 'pipeline().globalParameters' : 'pipeline().parameters',
          span: key.dynamic,
        });
      return;
    }
    for (const [fn, kind] of [
      ['dataset', 'datasetParameter'],
      ['linkedservice', 'linkedServiceParameter'],
    ] as const) {
      if (!isContextCall(object, fn)) continue;
      if ('name' in key) refs.push({ kind, name: key.name, span: key.span });
      else
        refs.push({
          kind: 'dynamicName',
          function: fn === 'dataset' ? 'dataset()' : 'linkedService()',
          span: key.dynamic,
        });
    }
  });
  return refs.sort((a, b) => a.span.start - b.span.start);
}
