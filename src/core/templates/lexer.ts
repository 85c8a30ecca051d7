// Jinja2's lexer (default delimiters and default Environment settings): newlines normalised to
// "\n", one trailing newline dropped (keep_trailing_newline=False), "-" whitespace control,
// {% raw %}, Python string escapes, and block ends recognised only outside brackets.
import { TemplateError } from './pyValue';

export type TokenType =
  | 'data'
  | 'variable_begin'
  | 'variable_end'
  | 'block_begin'
  | 'block_end'
  | 'name'
  | 'string'
  | 'integer'
  | 'float'
  | 'operator'
  | 'eof';

export interface Token {
  type: TokenType;
  value: string;
  line: number;
  /** For numbers: the parsed value (int as number or bigint, float as number). */
  number?: number | bigint;
}

const OPERATORS = [
  '**',
  '//',
  '==',
  '!=',
  '>=',
  '<=',
  '+',
  '-',
  '/',
  '*',
  '%',
  '~',
  '[',
  ']',
  '(',
  ')',
  '{',
  '}',
  '>',
  '<',
  '=',
  '.',
  ':',
  '|',
  ',',
  ';',
];
const NAME = /[a-zA-Z_\u00C0-\uFFFF][\w\u00C0-\uFFFF]*/y;
const FLOAT = /(?:\d+(?:_\d+)*\.\d+(?:_\d+)*(?:[eE][+-]?\d+(?:_\d+)*)?|\d+(?:_\d+)*[eE][+-]?\d+(?:_\d+)*)/y;
const INTEGER = /(?:0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0[xX](?:_?[\da-fA-F])+|[1-9](?:_?\d)*|0(?:_?0)*)/y;
const WHITESPACE = /\s+/y;
const STRING = /(?:'([^'\\]*(?:\\.[^'\\]*)*)'|"([^"\\]*(?:\\.[^"\\]*)*)")/sy;
const RAW_BEGIN = /\{%(-?)\s*raw\s*(-?)%\}/y;
const RAW_END = /\{%(-?)\s*endraw\s*(-?)%\}/g;

export function normaliseSource(source: string): string {
  const text = source.replace(/\r\n?/g, '\n');
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

export function tokenize(rawSource: string): Token[] {
  const source = normaliseSource(rawSource);
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let stripNextData = false;
  const fail = (message: string): never => {
    throw new TemplateError('syntax', message, line);
  };
  const countLines = (text: string) => {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  };
  const pushData = (text: string, rstrip: boolean) => {
    let data = text;
    if (stripNextData) data = data.replace(/^\s+/, '');
    if (rstrip) data = data.replace(/\s+$/, '');
    stripNextData = false;
    if (data) tokens.push({ type: 'data', value: data, line });
    countLines(text);
  };

  while (pos < source.length) {
    const next = findTagStart(source, pos);
    if (next < 0) {
      pushData(source.slice(pos), false);
      pos = source.length;
      break;
    }
    const rstrip = source[next + 2] === '-';
    const tagKind = source[next + 1];
    if (tagKind === '%') {
      RAW_BEGIN.lastIndex = next;
      const raw = RAW_BEGIN.exec(source);
      if (raw) {
        pushData(source.slice(pos, next), raw[1] === '-');
        countLines(raw[0]);
        RAW_END.lastIndex = RAW_BEGIN.lastIndex;
        const end = RAW_END.exec(source);
        if (!end) fail('Missing end of raw directive');
        let body = source.slice(RAW_BEGIN.lastIndex, end!.index);
        if (raw[2] === '-') body = body.replace(/^\s+/, '');
        if (end![1] === '-') body = body.replace(/\s+$/, '');
        if (body) tokens.push({ type: 'data', value: body, line });
        countLines(source.slice(RAW_BEGIN.lastIndex, RAW_END.lastIndex));
        pos = RAW_END.lastIndex;
        stripNextData = end![2] === '-';
        continue;
      }
    }
    pushData(source.slice(pos, next), rstrip);
    pos = next + 2 + (rstrip || source[next + 2] === '+' ? 1 : 0);
    if (tagKind === '#') {
      const close = source.indexOf('#}', pos);
      if (close < 0) fail('Missing end of comment tag');
      countLines(source.slice(pos, close));
      stripNextData = source[close - 1] === '-';
      pos = close + 2;
      continue;
    }
    const isBlock = tagKind === '%';
    tokens.push({ type: isBlock ? 'block_begin' : 'variable_begin', value: '', line });
    pos = lexCode(isBlock ? '%}' : '}}');
  }
  tokens.push({ type: 'eof', value: '', line });
  return tokens;

  /** Lexes the inside of a tag up to its end delimiter; returns the position after it. */
  function lexCode(endTag: '%}' | '}}'): number {
    const brackets: string[] = [];
    const endType: TokenType = endTag === '%}' ? 'block_end' : 'variable_end';
    for (;;) {
      WHITESPACE.lastIndex = pos;
      const space = WHITESPACE.exec(source);
      if (space) {
        countLines(space[0]);
        pos = WHITESPACE.lastIndex;
      }
      if (pos >= source.length)
        fail(
          `unexpected end of template, expected '${endTag === '%}' ? 'end of statement block' : 'end of print statement'}'`,
        );
      if (!brackets.length) {
        if (source.startsWith('-' + endTag, pos)) {
          tokens.push({ type: endType, value: '', line });
          stripNextData = true;
          return pos + 3;
        }
        if (source.startsWith(endTag, pos)) {
          tokens.push({ type: endType, value: '', line });
          return pos + 2;
        }
      }
      const char = source[pos]!;
      if (char === "'" || char === '"') {
        STRING.lastIndex = pos;
        const match = STRING.exec(source);
        if (!match) fail('unexpected char ' + JSON.stringify(char) + ' (an unterminated string?)');
        tokens.push({ type: 'string', value: unescapePython(match![1] ?? match![2] ?? '', fail), line });
        countLines(match![0]);
        pos = STRING.lastIndex;
        continue;
      }
      if (char >= '0' && char <= '9') {
        FLOAT.lastIndex = pos;
        const float = FLOAT.exec(source);
        if (float) {
          tokens.push({ type: 'float', value: float[0], line, number: Number(float[0].replace(/_/g, '')) });
          pos = FLOAT.lastIndex;
          continue;
        }
        INTEGER.lastIndex = pos;
        const integer = INTEGER.exec(source);
        if (integer) {
          const big = BigInt(integer[0].replace(/_/g, ''));
          const value = big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
          tokens.push({ type: 'integer', value: integer[0], line, number: value });
          pos = INTEGER.lastIndex;
          continue;
        }
      }
      NAME.lastIndex = pos;
      const name = NAME.exec(source);
      if (name) {
        tokens.push({ type: 'name', value: name[0], line });
        pos = NAME.lastIndex;
        continue;
      }
      const operator = OPERATORS.find(op => source.startsWith(op, pos));
      if (!operator) fail(`unexpected char ${pyCharRepr(char)} at ${pos}`);
      if (operator === '(' || operator === '[' || operator === '{') brackets.push(operator);
      else if (operator === ')' || operator === ']' || operator === '}') {
        const open = brackets.pop();
        if (!open) fail(`unexpected '${operator}'`);
        const expected = open === '(' ? ')' : open === '[' ? ']' : '}';
        if (expected !== operator) fail(`unexpected '${operator}', expected '${expected}'`);
      }
      tokens.push({ type: 'operator', value: operator!, line });
      pos += operator!.length;
    }
  }
}

const pyCharRepr = (char: string) => (char === "'" ? `"'"` : `'${char}'`);

/** Finds the next "{{", "{%" or "{#". */
function findTagStart(source: string, from: number): number {
  let index = source.indexOf('{', from);
  while (index >= 0) {
    const next = source[index + 1];
    if (next === '{' || next === '%' || next === '#') return index;
    index = source.indexOf('{', index + 1);
  }
  return -1;
}

/** Python's unicode-escape decoding, which Jinja2 applies to string literals. */
function unescapePython(body: string, fail: (message: string) => never): string {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== '\\') {
      out += char;
      continue;
    }
    const next = body[++i];
    switch (next) {
      case '\n':
        break;
      case '\\':
        out += '\\';
        break;
      case "'":
        out += "'";
        break;
      case '"':
        out += '"';
        break;
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x':
      case 'u':
      case 'U': {
        const width = next === 'x' ? 2 : next === 'u' ? 4 : 8;
        const hex = body.slice(i + 1, i + 1 + width);
        if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) fail(`invalid \\${next} escape in a string literal`);
        out += String.fromCodePoint(parseInt(hex, 16));
        i += width;
        break;
      }
      case 'N':
        fail('\\N{…} escapes in string literals are not supported');
        break;
      default:
        if (next !== undefined && next >= '0' && next <= '7') {
          let octal = next;
          while (octal.length < 3 && body[i + 1] !== undefined && body[i + 1]! >= '0' && body[i + 1]! <= '7')
            octal += body[++i];
          out += String.fromCodePoint(parseInt(octal, 8));
        } else {
          out += '\\' + (next ?? ''); // Python keeps unknown escapes as written
        }
    }
  }
  return out;
}
