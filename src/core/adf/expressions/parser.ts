// Parser for ADF string values: literals, whole `@...` expressions and `@{...}` interpolations.
// Hand-written recursive descent over the decoded string, so every node and problem carries
// offsets into that string. It never throws (syntax errors become problems), runs in linear
// time, and caps nesting so a pathological value cannot overflow the stack.

import { didYouMean } from '../../text/suggest';
import {
  walkExpr,
  type EmbeddedExpression,
  type ExprNode,
  type ExprProblem,
  type ExprSpan,
  type ParsedAdfString,
} from './ast';
import { ADF_FUNCTIONS, describeArity, lookupFunction } from './functions';

/** Deeper nesting is reported as a syntax problem instead of risking a stack overflow. */
export const MAX_EXPRESSION_DEPTH = 256;

const CANONICAL_NAMES = ADF_FUNCTIONS.map(f => f.name);

/** Logic Apps functions people carry over to ADF, with the ADF way of saying the same thing. */
const NOT_IN_ADF: Readonly<Record<string, string>> = {
  parameters:
    'pipeline parameters are read with pipeline().parameters.name (in a dataset, dataset().name; in a linked service, linkedService().name)',
  body: "an activity's output is read with activity('name').output",
  outputs: "an activity's output is read with activity('name').output",
  actions: "an activity's output is read with activity('name').output",
  items: 'the current ForEach item is item()',
};

class SyntaxFailure {
  constructor(
    readonly message: string,
    readonly span: ExprSpan,
  ) {}
}

const span = (start: number, end: number): ExprSpan => ({ start, end });

function isWhitespace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff;
}
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);
/**
 * Property names after '.': real factories use hyphens (`globalParameters.GP-Int`) and names
 * that start with a digit; anything else needs the bracket form `['any name']`.
 */
const isPropertyChar = (c: number): boolean =>
  isIdentPart(c) || c === 45 /* - */ || c === 36 /* $ */ || (c >= 0x80 && !isWhitespace(c));

const OPERATOR_CHARS = '+-*/%=<>!&|';

class ExpressionParser {
  pos: number;

  constructor(
    private readonly src: string,
    start: number,
    /** Inside `@{...}`, a '}' ends the expression. */
    private readonly interpolation: boolean,
  ) {
    this.pos = start;
  }

  private code(at = this.pos): number {
    return at < this.src.length ? this.src.charCodeAt(at) : -1;
  }

  /** The end of the expression text: the end of the value, or the closing '}' of an interpolation. */
  atEnd(): boolean {
    return this.pos >= this.src.length || (this.interpolation && this.src[this.pos] === '}');
  }

  skipWhitespace(): void {
    while (this.pos < this.src.length && isWhitespace(this.src.charCodeAt(this.pos))) this.pos++;
  }

  /** The token at `at`, for "found X" messages and their spans. */
  tokenAt(at: number): { text: string; span: ExprSpan } {
    const src = this.src;
    let end = at + 1;
    const c = src.charCodeAt(at);
    if (isIdentPart(c)) {
      while (end < src.length && isIdentPart(src.charCodeAt(end))) end++;
    } else if (c === 39 /* ' */) {
      const close = src.indexOf("'", at + 1);
      end = close === -1 ? src.length : close + 1;
    }
    const text = src.slice(at, end);
    return { text: text.length > 40 ? `${text.slice(0, 37)}…` : text, span: span(at, end) };
  }

  /** A span for "the expression ends too early": the last character before the end, so it is visible. */
  private endSpan(): ExprSpan {
    let at = Math.min(this.pos, this.src.length) - 1;
    while (at > 0 && isWhitespace(this.src.charCodeAt(at))) at--;
    return at < 0 ? span(0, 0) : span(at, at + 1);
  }

  parseExpression(depth: number): ExprNode {
    if (depth > MAX_EXPRESSION_DEPTH) {
      throw new SyntaxFailure(
        `This expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep`,
        span(this.pos, this.pos + 1),
      );
    }
    let node = this.parsePrimary(depth);
    for (;;) {
      const save = this.pos;
      this.skipWhitespace();
      const c = this.code();
      let optional = false;
      if (c === 63 /* ? */) {
        const question = this.pos;
        this.pos++;
        this.skipWhitespace();
        const next = this.code();
        if (next !== 46 && next !== 91) {
          throw new SyntaxFailure(
            "'?' must be followed by '.' or '[' (null-safe access: x?.name or x?['name'])",
            span(question, question + 1),
          );
        }
        optional = true;
      }
      const d = this.code();
      if (d === 46 /* . */) node = this.parseMember(node, optional);
      else if (d === 91 /* [ */) node = this.parseIndex(node, optional, depth);
      else if (d === 40 /* ( */) {
        // Nothing but a function name may be followed by '(' (a '(' after a value is never valid).
        throw new SyntaxFailure(
          "Unexpected '(': only a function name can be called, not a property or a function's result",
          span(this.pos, this.pos + 1),
        );
      } else {
        this.pos = save;
        return node;
      }
    }
  }

  private parseMember(object: ExprNode, optional: boolean): ExprNode {
    const dot = this.pos;
    this.pos++;
    this.skipWhitespace();
    const start = this.pos;
    while (this.pos < this.src.length && isPropertyChar(this.src.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start) {
      const found = this.atEnd() ? '' : `, found ${this.describe(start)}`;
      throw new SyntaxFailure(
        `Expected a property name after '.'${found} (use ['name'] for names with other characters)`,
        span(dot, dot + 1),
      );
    }
    const property = this.src.slice(start, this.pos);
    return {
      kind: 'member',
      object,
      property,
      propertySpan: span(start, this.pos),
      optional,
      span: span(object.span.start, this.pos),
    };
  }

  private parseIndex(object: ExprNode, optional: boolean, depth: number): ExprNode {
    const open = this.pos;
    this.pos++;
    this.skipWhitespace();
    if (this.code() === 93 /* ] */)
      throw new SyntaxFailure(
        "Empty index '[]': put a position or a 'key' between the brackets",
        span(open, this.pos + 1),
      );
    if (this.atEnd()) throw new SyntaxFailure("This '[' is never closed: add ']'", span(open, open + 1));
    const index = this.parseExpression(depth + 1);
    this.skipWhitespace();
    if (this.code() !== 93) {
      if (this.atEnd()) throw new SyntaxFailure("This '[' is never closed: add ']'", span(open, open + 1));
      const found = this.tokenAt(this.pos);
      throw new SyntaxFailure(`Expected ']' to close the '[', found ${quote(found.text)}`, found.span);
    }
    this.pos++;
    return { kind: 'index', object, index, optional, span: span(object.span.start, this.pos) };
  }

  private parsePrimary(depth: number): ExprNode {
    this.skipWhitespace();
    const start = this.pos;
    if (this.atEnd()) throw new SyntaxFailure('The expression ends too early: a value is missing here', this.endSpan());
    const c = this.code();
    if (c === 39 /* ' */) return this.parseString();
    const next = this.code(start + 1);
    if (
      isDigit(c) ||
      ((c === 45 /* - */ || c === 46) && (isDigit(next) || (c === 45 && next === 46 && isDigit(this.code(start + 2)))))
    ) {
      return this.parseNumber();
    }
    if (isIdentStart(c)) return this.parseIdentifier(depth);
    if (c === 34 /* " */) {
      const close = this.src.indexOf('"', start + 1);
      throw new SyntaxFailure(
        'Strings in expressions use single quotes: \'text\', not "text"',
        span(start, close === -1 ? start + 1 : close + 1),
      );
    }
    if (c === 64 /* @ */) {
      throw new SyntaxFailure(
        "Unexpected '@' inside an expression: functions inside it are written without '@' (concat(pipeline().RunId, 'x'))",
        span(start, start + 1),
      );
    }
    const ch = this.src[start]!;
    if (ch === '(')
      throw new SyntaxFailure(
        "Unexpected '(': parentheses only follow a function name, as in concat(...)",
        span(start, start + 1),
      );
    if (OPERATOR_CHARS.includes(ch)) throw operatorFailure(start, ch);
    throw new SyntaxFailure(
      `Unexpected ${this.describe(start)}: expected a value (a function call, a 'string', a number, true, false or null)`,
      this.tokenAt(start).span,
    );
  }

  private describe(at: number): string {
    return quote(this.tokenAt(at).text);
  }

  private parseString(): ExprNode {
    const src = this.src;
    const start = this.pos;
    const parts: string[] = [];
    let from = start + 1;
    for (;;) {
      const close = src.indexOf("'", from);
      if (close === -1) {
        throw new SyntaxFailure(
          "Unterminated string: this quote is never closed (to put a quote inside a string, double it: '')",
          span(start, src.length),
        );
      }
      parts.push(src.slice(from, close));
      if (src.charCodeAt(close + 1) === 39) {
        parts.push("'");
        from = close + 2;
        continue;
      }
      this.pos = close + 1;
      return { kind: 'string', value: parts.join(''), span: span(start, this.pos) };
    }
  }

  private parseNumber(): ExprNode {
    const src = this.src;
    const start = this.pos;
    if (src[this.pos] === '-') this.pos++;
    while (isDigit(this.code())) this.pos++;
    if (this.code() === 46 && isDigit(this.code(this.pos + 1))) {
      this.pos++;
      while (isDigit(this.code())) this.pos++;
    }
    const e = this.code();
    if (e === 101 || e === 69) {
      let at = this.pos + 1;
      if (src[at] === '+' || src[at] === '-') at++;
      if (isDigit(this.code(at))) {
        this.pos = at;
        while (isDigit(this.code())) this.pos++;
      }
    }
    return { kind: 'number', value: Number(src.slice(start, this.pos)), span: span(start, this.pos) };
  }

  private parseIdentifier(depth: number): ExprNode {
    const src = this.src;
    const start = this.pos;
    while (isIdentPart(this.code())) this.pos++;
    const name = src.slice(start, this.pos);
    const nameEnd = this.pos;
    this.skipWhitespace();
    if (this.code() === 40 /* ( */) return this.parseCall(name, span(start, nameEnd), depth);
    this.pos = nameEnd;
    const lower = name.toLowerCase();
    if (lower === 'true' || lower === 'false')
      return { kind: 'boolean', value: lower === 'true', span: span(start, nameEnd) };
    if (lower === 'null') return { kind: 'null', span: span(start, nameEnd) };
    const f = lookupFunction(name);
    const message = f
      ? `'${name}' is a function: call it with parentheses, ${f.name}(${f.maxArgs === 0 ? '' : '...'})`
      : `Unexpected '${name}': expected a function call such as ${name}(...), a 'string' in single quotes, a number, true, false or null`;
    throw new SyntaxFailure(message, span(start, nameEnd));
  }

  private parseCall(name: string, nameSpan: ExprSpan, depth: number): ExprNode {
    const open = this.pos;
    this.pos++;
    const args: ExprNode[] = [];
    const unclosed = () => new SyntaxFailure(`The '(' of ${name}( is never closed: add ')'`, span(open, open + 1));
    this.skipWhitespace();
    if (this.code() === 41 /* ) */) {
      this.pos++;
      return { kind: 'call', name, nameSpan, args, span: span(nameSpan.start, this.pos) };
    }
    let lastComma = -1;
    for (;;) {
      this.skipWhitespace();
      const c = this.code();
      if (c === 44 /* , */) {
        throw lastComma === -1
          ? new SyntaxFailure(`Missing first argument of ${name}: nothing before ','`, span(this.pos, this.pos + 1))
          : new SyntaxFailure(`Missing argument of ${name}: nothing between two commas`, span(lastComma, this.pos + 1));
      }
      if (c === 41 /* ) */)
        throw new SyntaxFailure(`Missing argument of ${name} after the last ','`, span(lastComma, lastComma + 1));
      if (this.atEnd()) throw unclosed();
      args.push(this.parseExpression(depth + 1));
      this.skipWhitespace();
      const d = this.code();
      if (d === 44) {
        lastComma = this.pos++;
        continue;
      }
      if (d === 41) {
        this.pos++;
        return { kind: 'call', name, nameSpan, args, span: span(nameSpan.start, this.pos) };
      }
      if (this.atEnd()) throw unclosed();
      if (OPERATOR_CHARS.includes(this.src[this.pos]!)) throw operatorFailure(this.pos, this.src[this.pos]!);
      const found = this.tokenAt(this.pos);
      throw new SyntaxFailure(
        `Expected ',' or ')' after an argument of ${name}, found ${quote(found.text)}`,
        found.span,
      );
    }
  }
}

function operatorFailure(at: number, ch: string): SyntaxFailure {
  return new SyntaxFailure(
    `Unexpected '${ch}': ADF expressions have no operators; use functions such as add(), sub(), equals(), and(), or(), not()`,
    span(at, at + 1),
  );
}

function quote(text: string): string {
  return text.includes("'") ? `"${text}"` : `'${text}'`;
}

/** Unknown functions and wrong argument counts, once the expression parsed. */
function checkCalls(node: ExprNode, problems: ExprProblem[]): void {
  walkExpr(node, n => {
    if (n.kind !== 'call') return;
    const f = lookupFunction(n.name);
    if (!f) {
      const hint = NOT_IN_ADF[n.name.toLowerCase()];
      const suggestion = hint ? undefined : didYouMean(n.name, CANONICAL_NAMES);
      const tail = hint ? `: ${hint}` : suggestion ? `; did you mean '${suggestion}'?` : '';
      problems.push({ kind: 'unknown-function', message: `Unknown function '${n.name}'${tail}`, span: n.nameSpan });
      return;
    }
    const count = n.args.length;
    if (count >= f.minArgs && count <= f.maxArgs) return;
    const message = `${describeArity(f)}; this call has ${count}`;
    // Too many: underline the extra arguments; too few: the whole call.
    const extra = count > f.maxArgs ? n.args.slice(f.maxArgs) : [];
    const where = extra.length ? span(extra[0]!.span.start, extra[extra.length - 1]!.span.end) : n.span;
    problems.push({ kind: 'arity', message, span: where });
  });
}

/** Parses the whole expression after a leading '@' (offset 1 of the value). */
function parseWholeExpression(value: string, problems: ExprProblem[]): EmbeddedExpression {
  const text = span(1, value.length);
  const parser = new ExpressionParser(value, 1, false);
  parser.skipWhitespace();
  if (parser.atEnd()) {
    problems.push({
      kind: 'syntax',
      message: "'@' alone is not an expression: write an expression after it, or '@@' for a literal '@'",
      span: span(0, 1),
    });
    return { span: text };
  }
  try {
    const node = parser.parseExpression(0);
    parser.skipWhitespace();
    if (!parser.atEnd()) {
      const at = parser.pos;
      const ch = value[at]!;
      if (OPERATOR_CHARS.includes(ch)) throw operatorFailure(at, ch);
      const message =
        ch === ')'
          ? "Unexpected ')': there are more ')' than '('"
          : `Unexpected ${quote(parser.tokenAt(at).text)} after the end of the expression`;
      throw new SyntaxFailure(message, span(at, value.trimEnd().length));
    }
    checkCalls(node, problems);
    return { node, span: text };
  } catch (e) {
    if (!(e instanceof SyntaxFailure)) throw e;
    problems.push({ kind: 'syntax', message: e.message, span: e.span });
    return { span: text };
  }
}

/**
 * Parses one `@{...}` starting at `at` (the '@'). Returns the expression and the offset where
 * scanning for the next interpolation resumes.
 */
function parseInterpolation(
  value: string,
  at: number,
  problems: ExprProblem[],
): { expression: EmbeddedExpression; resume: number } {
  const start = at + 2;
  const parser = new ExpressionParser(value, start, true);
  parser.skipWhitespace();
  if (parser.pos < value.length && value[parser.pos] === '}') {
    problems.push({
      kind: 'syntax',
      message: "Empty expression '@{}': put an expression between the braces, or write '@@{' for a literal '@{'",
      span: span(at, parser.pos + 1),
    });
    return { expression: { span: span(start, parser.pos) }, resume: parser.pos + 1 };
  }
  try {
    if (parser.atEnd()) throw new SyntaxFailure("This '@{' is never closed: add '}'", span(at, start));
    const node = parser.parseExpression(0);
    parser.skipWhitespace();
    if (parser.pos >= value.length) throw new SyntaxFailure("This '@{' is never closed: add '}'", span(at, start));
    if (value[parser.pos] !== '}') {
      if (OPERATOR_CHARS.includes(value[parser.pos]!)) throw operatorFailure(parser.pos, value[parser.pos]!);
      const found = parser.tokenAt(parser.pos);
      throw new SyntaxFailure(`Expected '}' to end the '@{' expression, found ${quote(found.text)}`, found.span);
    }
    checkCalls(node, problems);
    return { expression: { node, span: span(start, parser.pos) }, resume: parser.pos + 1 };
  } catch (e) {
    if (!(e instanceof SyntaxFailure)) throw e;
    problems.push({ kind: 'syntax', message: e.message, span: e.span });
    // Resume after the next '}' so one mistake does not hide the rest of the string.
    const close = value.indexOf('}', Math.max(e.span.start, start));
    const end = close === -1 ? value.length : close;
    return { expression: { span: span(start, end) }, resume: close === -1 ? value.length : close + 1 };
  }
}

/**
 * Classifies and parses an ADF string value: a literal, a whole expression (`@...`), or text
 * with `@{...}` interpolations. `@@` at the start escapes the whole value; `@@{` escapes one
 * interpolation. Inside an expression, `@{` within a 'quoted string' is plain text.
 */
export function parseAdfString(value: string): ParsedAdfString {
  const problems: ExprProblem[] = [];
  if (value.startsWith('@') && !value.startsWith('@{')) {
    if (value.startsWith('@@')) return { kind: 'literal', expressions: [], problems };
    return { kind: 'expression', expressions: [parseWholeExpression(value, problems)], problems };
  }
  const expressions: EmbeddedExpression[] = [];
  let i = value.indexOf('@');
  while (i !== -1 && i < value.length) {
    const next = value[i + 1];
    if (next === '{') {
      const { expression, resume } = parseInterpolation(value, i, problems);
      expressions.push(expression);
      i = value.indexOf('@', resume);
    } else if (next === '@') {
      // '@@' is a literal '@' ('@@{' a literal '@{'): skip both so the second cannot start one.
      i = value.indexOf('@', i + (value[i + 2] === '{' ? 3 : 2));
    } else {
      i = value.indexOf('@', i + 1);
    }
  }
  return { kind: expressions.length ? 'interpolated' : 'literal', expressions, problems };
}
