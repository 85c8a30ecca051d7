// Evaluates the parser's expression trees (../expressions) to values with ADF's semantics: member
// access and indexing (property names compared without case, `?.` / `?[` giving null instead of an
// error), the function catalogue (./functions.ts), the lazy functions (if, and, or, coalesce), the
// context functions (pipeline(), activity(), item(), variables(), trigger(), dataset(),
// linkedService()), `@{…}` interpolation and `@@` escapes. What the context does not supply
// evaluates to an Unknown carrying the expression's source text, which functions propagate (except
// where the result does not depend on it); errors become EvalErrors with ADF-like messages and the
// span of the failing expression. Nothing throws out of this module.

import { parseAdfString, type ExprNode, type ExprSpan, type ParsedAdfString } from '../expressions';
import { lookupFunction } from '../expressions/functions';
import { DateError, parseTimestamp, timestampFromMs, type Timestamp } from './dates';
import {
  DEFAULT_EVAL_LIMITS,
  EvalFailure,
  implementationOf,
  SHAPE_ONLY_FUNCTIONS,
  type Call,
  type CallEnvironment,
  type EvalLimits,
} from './functions';
import {
  containsUnknown,
  expressionLiteral,
  getProperty,
  stringify,
  typeName,
  Unknown,
  ValueTooLargeError,
  type AdfValue,
} from './values';

/** The result of activity('X'): the activity's object ({ output, error, status, … }), or why it cannot be read. */
export type ActivityLookup = { value: AdfValue } | { error: string };

/**
 * What expressions can read. A missing member makes the matching function evaluate to Unknown;
 * `item` and `variable` return undefined when there is no item (outside a ForEach or Filter) or no
 * such variable, which is an error.
 */
export interface ExpressionContext {
  pipeline?: () => AdfValue;
  activity?: (name: string) => ActivityLookup;
  item?: () => AdfValue | undefined;
  variable?: (name: string) => AdfValue | undefined;
  trigger?: () => AdfValue;
  dataset?: () => AdfValue;
  linkedService?: () => AdfValue;
  /** utcNow(), getFutureTime() and getPastTime() read this; without it they are Unknown. */
  now?: Timestamp;
  /** guid(); without it, Unknown. */
  newGuid?: () => string;
  /** rand(min, max): an integer in [min, max); without it, Unknown. */
  random?: (min: bigint, maxExclusive: bigint) => bigint;
  limits?: Partial<EvalLimits>;
}

export interface EvalError {
  message: string;
  /** Offsets into the string value the expression is in. */
  span: ExprSpan;
  /** A bug of the evaluator rather than of the expression (it should never happen). */
  internal?: boolean;
}

export type Evaluated = { value: AdfValue; error?: undefined } | { value?: undefined; error: EvalError };

/** A dry run's stand-in values, so that context-free calls still work. */
class NeedsUnknown extends Error {}

class Evaluator {
  private readonly limits: EvalLimits;
  private readonly env: CallEnvironment;

  constructor(
    private readonly src: string,
    private readonly ctx: ExpressionContext,
  ) {
    this.limits = { ...DEFAULT_EVAL_LIMITS, ...(ctx.limits ?? {}) };
    const now = ctx.now;
    this.env = {
      now: () => {
        if (!now) throw new NeedsUnknown();
        return now;
      },
      newGuid: () => {
        if (!ctx.newGuid) throw new NeedsUnknown();
        return ctx.newGuid();
      },
      random: (min, max) => {
        if (!ctx.random) throw new NeedsUnknown();
        return ctx.random(min, max);
      },
      limits: this.limits,
    };
  }

  text(node: ExprNode): string {
    return this.src.slice(node.span.start, node.span.end);
  }

  fail(node: ExprNode, message: string): never {
    throw new EvalFailure(message, node.span);
  }

  /** "The expression 'x' cannot be evaluated because …", ADF's wording. */
  cannot(node: ExprNode, because: string): never {
    return this.fail(node, `The expression '${this.text(node)}' cannot be evaluated because ${because}`);
  }

  eval(node: ExprNode): AdfValue {
    switch (node.kind) {
      case 'string':
        return node.value;
      case 'number':
        return Number.isInteger(node.value) && !/[.eE]/.test(this.text(node)) ? BigInt(this.text(node)) : node.value;
      case 'boolean':
        return node.value;
      case 'null':
        return null;
      case 'member':
        return this.member(node);
      case 'index':
        return this.index(node);
      case 'call':
        return this.call(node);
    }
  }

  private member(node: ExprNode & { kind: 'member' }): AdfValue {
    const obj = this.eval(node.object);
    if (obj instanceof Unknown)
      return new Unknown(
        this.text(node),
        undefined,
        `${obj.expression()}${node.optional ? '?.' : '.'}${node.property}`,
      );
    return this.select(node, obj, node.property, node.optional, `property '${node.property}'`);
  }

  private select(node: ExprNode, obj: AdfValue, name: string, optional: boolean, what: string): AdfValue {
    if (obj === null) {
      if (optional) return null;
      return this.cannot(
        node,
        `${what} cannot be selected. Property selection is not supported on values of type 'Null'.`,
      );
    }
    if (obj instanceof Map) {
      const found = getProperty(obj, name);
      if (found) return found.value;
      if (optional) return null;
      const available = [...obj.keys()];
      return this.cannot(
        node,
        `${what} doesn't exist, available properties are '${available.slice(0, 40).join(', ')}${available.length > 40 ? ', …' : ''}'.`,
      );
    }
    return this.cannot(
      node,
      `${what} cannot be selected. Property selection is not supported on values of type '${typeName(obj)}'.`,
    );
  }

  private index(node: ExprNode & { kind: 'index' }): AdfValue {
    const obj = this.eval(node.object);
    const idx = this.eval(node.index);
    if (obj instanceof Unknown || idx instanceof Unknown) {
      return new Unknown(
        this.text(node),
        undefined,
        `${expressionLiteral(obj)}${node.optional ? '?[' : '['}${expressionLiteral(idx)}]`,
      );
    }
    if (Array.isArray(obj)) {
      if (typeof idx !== 'bigint')
        return this.cannot(
          node,
          `the index '${stringify(idx)}' (of type '${typeName(idx)}') is not valid: arrays are indexed with an integer.`,
        );
      if (idx < 0n || idx >= BigInt(obj.length)) {
        if (node.optional) return null;
        return this.cannot(node, `array index '${idx}' is outside bounds (0, ${obj.length - 1}) of array.`);
      }
      return obj[Number(idx)]!;
    }
    if (obj instanceof Map) {
      if (typeof idx !== 'string')
        return this.cannot(
          node,
          `the index '${stringify(idx)}' (of type '${typeName(idx)}') is not valid: objects are indexed with a property name.`,
        );
      return this.select(node, obj, idx, node.optional, `property '${idx}'`);
    }
    if (obj === null && node.optional) return null;
    return this.cannot(
      node,
      `the index '${stringify(idx)}' cannot be selected. Indexing is not supported on values of type '${typeName(obj)}'.`,
    );
  }

  private call(node: ExprNode & { kind: 'call' }): AdfValue {
    const info = lookupFunction(node.name);
    if (!info) return this.fail(node, `The function '${node.name}' is not defined.`);
    const lower = info.name.toLowerCase();
    const n = node.args.length;
    if (n < info.minArgs || n > info.maxArgs)
      return this.fail(
        node,
        `The function '${info.name}' was invoked with ${n} argument${n === 1 ? '' : 's'}: it takes ` +
          `${info.minArgs === info.maxArgs ? info.minArgs : `${info.minArgs} to ${info.maxArgs === Infinity ? 'any number of' : info.maxArgs}`}.`,
      );
    switch (lower) {
      case 'if':
        return this.ifCall(node);
      case 'and':
      case 'or':
        return this.logical(node, lower === 'and');
      case 'coalesce': {
        const seen: AdfValue[] = [];
        for (const a of node.args) {
          const v = this.eval(a);
          seen.push(v);
          if (v instanceof Unknown) return new Unknown(this.text(node), undefined, this.unknownCall(node, seen));
          if (v !== null) return v;
        }
        return null;
      }
      case 'pipeline':
        return this.ctx.pipeline ? this.ctx.pipeline() : new Unknown(this.text(node));
      case 'trigger':
        return this.ctx.trigger ? this.ctx.trigger() : new Unknown(this.text(node));
      case 'triggerbody':
      case 'triggeroutputs': {
        if (!this.ctx.trigger) return new Unknown(this.text(node));
        const outputs = this.select(node, this.ctx.trigger(), 'outputs', true, "property 'outputs'");
        if (outputs instanceof Unknown) return new Unknown(this.text(node));
        return lower === 'triggeroutputs' ? outputs : this.select(node, outputs, 'body', true, "property 'body'");
      }
      case 'dataset':
        return this.ctx.dataset ? this.ctx.dataset() : new Unknown(this.text(node));
      case 'linkedservice':
        return this.ctx.linkedService ? this.ctx.linkedService() : new Unknown(this.text(node));
      case 'item': {
        if (!this.ctx.item) return new Unknown(this.text(node));
        const v = this.ctx.item();
        if (v === undefined)
          return this.fail(
            node,
            "The function 'item' is not expected at this location: item() is the current element of a ForEach (or of a Filter's condition).",
          );
        return v;
      }
      case 'variables':
      case 'activity': {
        const name = this.eval(node.args[0]!);
        if (name instanceof Unknown) return new Unknown(this.text(node));
        if (typeof name !== 'string')
          return this.fail(
            node,
            `The function '${info.name}' expects its parameter to be a string. The provided value is of type '${typeName(name)}'.`,
          );
        if (lower === 'variables') {
          if (!this.ctx.variable) return new Unknown(this.text(node));
          const v = this.ctx.variable(name);
          if (v === undefined) return this.fail(node, `The variable '${name}' is not declared in the pipeline.`);
          return v;
        }
        if (!this.ctx.activity) return new Unknown(this.text(node));
        const found = this.ctx.activity(name);
        if ('error' in found) return this.fail(node, found.error);
        return found.value;
      }
      default:
        return this.apply(node, info.name, lower);
    }
  }

  private apply(node: ExprNode & { kind: 'call' }, name: string, lower: string): AdfValue {
    const impl = implementationOf(lower);
    if (!impl) return this.fail(node, `The function '${name}' is not supported by the dry run.`);
    const args = node.args.map(a => this.eval(a));
    // createArray() and array() only wrap; length(), first(), … need the collection, not its items.
    const unknownArg =
      lower === 'createarray' || lower === 'array'
        ? false
        : SHAPE_ONLY_FUNCTIONS.has(lower)
          ? args.some(a => a instanceof Unknown)
          : args.some(containsUnknown);
    if (unknownArg) {
      if (lower === 'concat' && args.every(a => a instanceof Unknown || !containsUnknown(a))) {
        // A string built of known and unknown parts: shown with the unknown parts as ‹…›.
        const display = args.map(a => (a instanceof Unknown ? a.render() : stringify(a))).join('');
        if (display.length <= this.limits.maxStringLength)
          return new Unknown(this.text(node), display, this.unknownCall(node, args));
      }
      return new Unknown(this.text(node), undefined, this.unknownCall(node, args));
    }
    const call: Call = { name, args, env: this.env, fail: message => this.fail(node, message) };
    try {
      return impl(call);
    } catch (e) {
      if (e instanceof NeedsUnknown) return new Unknown(this.text(node));
      if (e instanceof DateError) return this.fail(node, `The function '${name}' failed: ${e.message}`);
      if (e instanceof ValueTooLargeError)
        return this.fail(node, `The function '${name}' built a value larger than the dry run allows: ${e.message}.`);
      throw e;
    }
  }

  /** name(arg, …) with the known arguments written as their values (the unevaluated ones as written). */
  private unknownCall(node: ExprNode & { kind: 'call' }, args: (AdfValue | undefined)[]): string {
    const parts = node.args.map((a, i) => {
      const v = args[i];
      if (v === undefined) return this.text(a);
      const u = v instanceof Unknown ? v : containsUnknown(v) ? undefined : null;
      if (u === undefined) return this.text(a);
      return u ? u.expression() : expressionLiteral(v);
    });
    return `${node.name}(${parts.join(', ')})`;
  }

  private ifCall(node: ExprNode & { kind: 'call' }): AdfValue {
    const [c, a, b] = node.args as [ExprNode, ExprNode, ExprNode];
    const cond = this.eval(c);
    if (cond === true) return this.eval(a);
    if (cond === false) return this.eval(b);
    if (!(cond instanceof Unknown)) {
      return this.fail(
        node,
        `The function 'if' expects its first parameter to be a boolean. The provided value is of type '${typeName(cond)}'.`,
      );
    }
    // Unknown condition: the result is known only when both branches agree.
    const x = this.tryEval(a);
    const y = this.tryEval(b);
    if (
      x !== undefined &&
      y !== undefined &&
      !containsUnknown(x) &&
      !containsUnknown(y) &&
      stringify(x) === stringify(y) &&
      typeName(x) === typeName(y)
    )
      return x;
    return new Unknown(this.text(node), undefined, this.unknownCall(node, [cond, x, y]));
  }

  private tryEval(node: ExprNode): AdfValue | undefined {
    try {
      return this.eval(node);
    } catch (e) {
      if (e instanceof EvalFailure) return undefined;
      throw e;
    }
  }

  /** and / or: short-circuit (and(false, anything) is false without evaluating anything); booleans only. */
  private logical(node: ExprNode & { kind: 'call' }, isAnd: boolean): AdfValue {
    const decisive = !isAnd;
    const check = (v: AdfValue, i: number): boolean | Unknown => {
      if (typeof v === 'boolean' || v instanceof Unknown) return v;
      return this.fail(
        node,
        `The function '${isAnd ? 'and' : 'or'}' expects its ${i === 0 ? 'first' : 'second'} ` +
          `parameter to be a boolean. The provided value is of type '${typeName(v)}'.`,
      );
    };
    const x = check(this.eval(node.args[0]!), 0);
    if (x === decisive) return decisive;
    const y = check(this.eval(node.args[1]!), 1);
    if (y === decisive) return decisive;
    if (x instanceof Unknown || y instanceof Unknown)
      return new Unknown(this.text(node), undefined, this.unknownCall(node, [x, y]));
    return !decisive;
  }
}

function failureToError(e: unknown, fallback: ExprSpan): EvalError {
  if (e instanceof EvalFailure) return { message: e.message, span: e.span };
  if (e instanceof RangeError)
    return { message: `The expression is too deeply nested or too large to evaluate (${e.message}).`, span: fallback };
  return {
    message: `Internal error of the expression evaluator: ${(e as Error)?.message ?? String(e)}`,
    span: fallback,
    internal: true,
  };
}

/** Evaluates one expression tree whose spans are offsets into `source`. */
export function evaluateNode(source: string, node: ExprNode, ctx: ExpressionContext = {}): Evaluated {
  try {
    return { value: new Evaluator(source, ctx).eval(node) };
  } catch (e) {
    return { error: failureToError(e, node.span) };
  }
}

export interface EvaluatedString {
  kind: ParsedAdfString['kind'];
  /** The string itself (literal, with a leading '@@' unescaped), the expression's value, or the interpolated text. */
  value: AdfValue;
  error?: EvalError;
}

const limitsOf = (ctx: ExpressionContext): EvalLimits => ({ ...DEFAULT_EVAL_LIMITS, ...(ctx.limits ?? {}) });

/**
 * Evaluates an ADF string value: a literal (as it is; `@@…` is `@…`), a whole expression (`@…`:
 * its value, of any type) or text with `@{…}` parts (a string: each value written as string()
 * writes it; `@@{` is a literal `@{`). Unknown parts make the result an Unknown whose display is
 * the text with those parts as ‹…›.
 */
export function evaluateAdfString(
  value: string,
  ctx: ExpressionContext = {},
  parsed: ParsedAdfString = parseAdfString(value),
): EvaluatedString {
  const whole: ExprSpan = { start: 0, end: value.length };
  if (parsed.problems.length > 0) {
    const p = parsed.problems[0]!;
    return {
      kind: parsed.kind,
      value: new Unknown(value),
      error: { message: `The expression is not valid: ${p.message}`, span: p.span },
    };
  }
  if (parsed.kind === 'literal')
    return { kind: 'literal', value: value.startsWith('@@') ? value.slice(1) : value.replace(/@@\{/g, '@{') };
  if (parsed.kind === 'expression') {
    const e = parsed.expressions[0]!;
    const r = evaluateNode(value, e.node!, ctx);
    return r.error
      ? { kind: 'expression', value: new Unknown(value.slice(1)), error: r.error }
      : { kind: 'expression', value: r.value };
  }
  const limit = limitsOf(ctx).maxStringLength;
  let out = '';
  let unknown = false;
  let cursor = 0;
  try {
    for (const e of parsed.expressions) {
      out += value.slice(cursor, e.span.start - 2).replace(/@@\{/g, '@{');
      const r = evaluateNode(value, e.node!, ctx);
      if (r.error) return { kind: 'interpolated', value: new Unknown(value), error: r.error };
      if (r.value instanceof Unknown || containsUnknown(r.value)) unknown = true;
      out += stringify(r.value, limit);
      cursor = e.span.end + 1;
      if (out.length > limit) throw new ValueTooLargeError(`more than ${limit} characters`);
    }
  } catch (e) {
    return {
      kind: 'interpolated',
      value: new Unknown(value),
      error: failureToError(
        e instanceof ValueTooLargeError
          ? new EvalFailure(`The interpolated string is longer than the dry run's limit of ${limit} characters.`, whole)
          : e,
        whole,
      ),
    };
  }
  out += value.slice(cursor).replace(/@@\{/g, '@{');
  return { kind: 'interpolated', value: unknown ? new Unknown(value, out) : out };
}

/** Evaluates the text of an expression without its '@' (e.g. "concat('a', 'b')"). */
export function evaluateExpression(text: string, ctx: ExpressionContext = {}): Evaluated {
  const r = evaluateAdfString(`@${text}`, ctx);
  if (r.error)
    return {
      error: {
        ...r.error,
        span: { start: Math.max(0, r.error.span.start - 1), end: Math.max(0, r.error.span.end - 1) },
      },
    };
  return { value: r.value };
}

// ---- JSON documents with expressions in them ----

export type JsonPath = (string | number)[];

export interface EvaluatedExpression {
  path: JsonPath;
  /** The string as written (for an { "value", "type": "Expression" } object, its value). */
  source: string;
  kind: 'expression' | 'interpolated';
  value: AdfValue;
}

export interface EvaluatedJson {
  /** The document with every expression replaced by its value (Unknown where it could not be evaluated). */
  value: AdfValue;
  expressions: EvaluatedExpression[];
  errors: { path: JsonPath; source: string; error: EvalError }[];
}

const MAX_JSON_DEPTH = 512;

/** A `{ "value": "...", "type": "Expression" }` object: ADF evaluates its value. */
export function expressionObjectValue(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (typeof o.value === 'string' && o.type === 'Expression' && keys.every(k => k === 'value' || k === 'type'))
    return o.value;
  return undefined;
}

/**
 * Evaluates every string of a JSON document as ADF does (expressions anywhere, `{ value, type:
 * Expression }` objects replaced by their value). `skip` leaves a subtree as plain data (a
 * container's nested activities, which run later).
 */
export function evaluateJson(
  json: unknown,
  ctx: ExpressionContext = {},
  options: { skip?: (path: JsonPath) => boolean } = {},
): EvaluatedJson {
  const result: EvaluatedJson = { value: null, expressions: [], errors: [] };
  const walk = (v: unknown, path: JsonPath, depth: number): AdfValue => {
    if (depth > MAX_JSON_DEPTH) return new Unknown('(nested too deeply)');
    if (options.skip?.(path)) return plain(v, depth);
    const expr = expressionObjectValue(v);
    const s = expr ?? (typeof v === 'string' ? v : undefined);
    if (s !== undefined) {
      // In an Expression object a literal is still a literal: "type": "Expression" only marks the editor's mode.
      const r = evaluateAdfString(s, ctx);
      if (r.kind !== 'literal') {
        if (r.error) result.errors.push({ path, source: s, error: r.error });
        else result.expressions.push({ path, source: s, kind: r.kind, value: r.value });
      }
      return r.value;
    }
    if (v === null || v === undefined) return null;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i], depth + 1));
    if (typeof v === 'object') {
      const m = new Map<string, AdfValue>();
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) m.set(k, walk(x, [...path, k], depth + 1));
      return m;
    }
    return String(v);
  };
  result.value = walk(json, [], 0);
  return result;
}

/** JSON as an ADF value, without evaluating anything. */
function plain(v: unknown, depth: number): AdfValue {
  if (depth > MAX_JSON_DEPTH) return new Unknown('(nested too deeply)');
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(x => plain(x, depth + 1));
  if (typeof v === 'object') {
    const m = new Map<string, AdfValue>();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) m.set(k, plain(x, depth + 1));
    return m;
  }
  return String(v);
}

/** A timestamp parsed for the run's context (trigger times, --window bounds). */
export function parseRunTimestamp(text: string): Timestamp | undefined {
  try {
    return parseTimestamp(text);
  } catch (e) {
    if (e instanceof DateError) return undefined;
    throw e;
  }
}

export { timestampFromMs };
