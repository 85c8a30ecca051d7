// Jinja2 3.1's built-in filters, tests and global functions (jinja2/filters.py, tests.py,
// defaults.py), ported to PyValue with their quirks: map/select/unique return one-pass
// generators, groupby sorts, tojson sorts keys and escapes <>&', round() rounds half to even.
import {
  type CallArgs,
  PyCallable,
  PyDictView,
  PyFloat,
  PyIterator,
  PyMarkup,
  PyNamespace,
  PyOpaque,
  PyRange,
  PyUndefined,
  type PyKey,
  type PyValue,
  TemplateError,
  dictKey,
  hasLength,
  isInt,
  isIterable,
  isNumber,
  isString,
  isTuple,
  isUndefined,
  makeInt,
  pyCompare,
  pyEquals,
  pyFloatRepr,
  pyIter,
  pyLen,
  pyList,
  pyRepr,
  pyStr,
  pyTruthy,
  pyTypeName,
  stringLength,
  toJsNumber,
  tuple,
  typeError,
  unsupported,
  PyObject,
  toBigInt,
  rangeLength,
  sliceString,
  pyStringRepr,
  intToDecimal,
  codePointAtIndex,
} from './pyValue';
import {
  MAX_INT_BITS,
  MAX_INT_DIGITS,
  MAX_RANGE,
  MAX_SSIZE,
  MAX_STRING,
  StringBuilder,
  checkItems,
  checkString,
  memoryError,
  rangeTooBig,
  ssizeOverflow,
} from './limits';
import {
  PY_LINE_BREAK,
  bindArgs,
  joinStrings,
  upperFirst,
  pyCapitalize,
  pyCenter,
  pySplit,
  pyStrip,
  pyReplace,
  stableSort,
  type Signature,
  PY_WHITESPACE,
} from './methods';
import { binaryOperation, contains, escapeHtml } from './operators';
import { formatFixed, percentFormat, pyRound } from './pyFormat';
import type { Interpreter } from './interpreter';

export type FilterFunction = (value: PyValue, args: CallArgs, interpreter: Interpreter) => PyValue;
export type TestFunction = (value: PyValue, args: CallArgs, interpreter: Interpreter) => boolean;

export interface Builtins {
  filters: Map<string, FilterFunction>;
  tests: Map<string, TestFunction>;
  globals: Map<string, PyValue>;
}

/** Tuples groupby returns: they print as tuples and also have .grouper and .list. */
export const groupTuples = new WeakSet<PyValue[]>();

const str = (value: PyValue) => pyStr(value);

function filter(
  signature: Signature,
  body: (value: PyValue, bound: PyValue[], interpreter: Interpreter) => PyValue,
  name = 'filter',
): FilterFunction {
  return (value, args, interpreter) => body(value, bindArgs(name, args, signature), interpreter);
}

/** A string a JavaScript method built, within MAX_STRING. */
function checkedString(text: string): string {
  checkString(text.length);
  return text;
}

/** A width or count that becomes a string's length: checked before the string is built. */
function checkedWidth(value: PyValue, name: string): number {
  const width = toInt(value, name);
  checkString(width);
  return width;
}

function toInt(value: PyValue, name: string): number {
  if (typeof value === 'bigint' && (value > MAX_SSIZE || value < -MAX_SSIZE - 1n)) throw ssizeOverflow();
  if (isInt(value)) return Number(value);
  throw typeError(`'${pyTypeName(value)}' object cannot be interpreted as an integer (${name})`);
}

/** Jinja2's make_attrgetter: "a.b.0" walks with getitem; default replaces Undefined. */
function attributeGetter(
  interpreter: Interpreter,
  attribute: PyValue,
  fallback: PyValue = null,
  lowerStrings = false,
): (item: PyValue) => PyValue {
  const parts: PyValue[] =
    typeof attribute === 'string'
      ? attribute.split('.').map(part => (/^\d+$/.test(part) ? makeInt(BigInt(part)) : part))
      : [attribute];
  return item => {
    let current = item;
    for (const part of parts) {
      current = interpreter.getItem(current, part);
      if (fallback !== null && isUndefined(current)) current = fallback;
    }
    return lowerStrings && typeof current === 'string' ? current.toLowerCase() : current;
  };
}

function keyGetter(interpreter: Interpreter, attribute: PyValue, caseSensitive: boolean): (item: PyValue) => PyValue {
  if (attribute === null) return item => (!caseSensitive && typeof item === 'string' ? item.toLowerCase() : item);
  return attributeGetter(interpreter, attribute, null, !caseSensitive);
}

function sortedBy(items: PyValue[], key: (item: PyValue) => PyValue, reverse: boolean): PyValue[] {
  const keyed = items.map(item => ({ item, key: key(item) }));
  const sorted = stableSort(keyed, (a, b) => pyCompare(a.key, b.key) * (reverse ? -1 : 1));
  return sorted.map(entry => entry.item);
}

const generator = (source: () => Iterable<PyValue>) =>
  new PyIterator('generator', { [Symbol.iterator]: () => source()[Symbol.iterator]() });

function callTest(interpreter: Interpreter, name: PyValue, value: PyValue, args: PyValue[]): boolean {
  const test = interpreter.builtinsFor().tests.get(pyStr(name));
  if (!test) throw new TemplateError('runtime', `No test named ${pyRepr(name)}.`);
  return test(value, { positional: args, keywords: new Map() }, interpreter);
}

function selectOrReject(
  value: PyValue,
  args: CallArgs,
  interpreter: Interpreter,
  byAttribute: boolean,
  keep: boolean,
): PyValue {
  const positional = [...args.positional];
  let transform = (item: PyValue) => item;
  if (byAttribute) {
    const attribute = positional.shift();
    if (attribute === undefined) throw new TemplateError('runtime', 'Missing parameter for attribute name');
    transform = attributeGetter(interpreter, attribute);
  }
  const testName = positional.shift();
  const predicate =
    testName === undefined
      ? (item: PyValue) => pyTruthy(item)
      : (item: PyValue) => callTest(interpreter, testName, item, positional);
  return generator(function* () {
    if (!pyTruthy(value)) return;
    for (const item of pyIter(value)) if (predicate(transform(item)) === keep) yield item;
  });
}

// ---------------------------------------------------------------------------------------------
// JSON (tojson): json.dumps(sort_keys=True) with htmlsafe escaping.

function jsonStringInto(text: string, out: StringBuilder): void {
  out.push('"');
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code <= 0x7e && code !== 0x22 && code !== 0x5c) continue;
    if (run < i) out.push(text.slice(run, i));
    run = i + 1;
    if (code === 0x22) out.push('\\"');
    else if (code === 0x5c) out.push('\\\\');
    else if (code === 0x0a) out.push('\\n');
    else if (code === 0x0d) out.push('\\r');
    else if (code === 0x09) out.push('\\t');
    else if (code === 0x08) out.push('\\b');
    else if (code === 0x0c) out.push('\\f');
    else out.push('\\u' + code.toString(16).padStart(4, '0'));
  }
  if (run < text.length) out.push(run === 0 ? text : text.slice(run));
  out.push('"');
}

function jsonKey(key: PyValue): string {
  if (typeof key === 'string') return key;
  if (key === null) return 'null';
  if (typeof key === 'boolean') return key ? 'true' : 'false';
  if (isInt(key)) return String(key);
  if (key instanceof PyFloat) return jsonFloat(key.value);
  throw typeError(`keys must be str, int, float, bool or None, not ${pyTypeName(key)}`);
}

function jsonFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return pyFloatRepr(value);
}

/** json.dumps(value, sort_keys=True, indent=indent), built within MAX_STRING. */
export function pythonJsonDumps(value: PyValue, indent: string | null): string {
  const out = new StringBuilder();
  jsonDumpInto(value, indent, 0, out);
  return out.toString();
}

function jsonDumpInto(value: PyValue, indent: string | null, level: number, out: StringBuilder): void {
  const newline = indent === null ? '' : '\n' + indent.repeat(level + 1);
  const closing = indent === null ? '' : '\n' + indent.repeat(level);
  const itemSeparator = indent === null ? ', ' : ',';
  if (value === null) return out.push('null');
  if (typeof value === 'boolean') return out.push(value ? 'true' : 'false');
  if (isInt(value)) return out.push(typeof value === 'bigint' ? intToDecimal(value) : String(value));
  if (value instanceof PyFloat) return out.push(jsonFloat(value.value));
  if (typeof value === 'string') return jsonStringInto(value, out);
  if (value instanceof PyMarkup) return jsonStringInto(value.text, out);
  if (Array.isArray(value)) {
    if (!value.length) return out.push('[]');
    out.push('[' + newline);
    value.forEach((item, i) => {
      if (i) out.push(itemSeparator + newline);
      jsonDumpInto(item, indent, level + 1, out);
    });
    return out.push(closing + ']');
  }
  if (value instanceof Map || value instanceof PyNamespace) {
    const entries = [...(value instanceof Map ? value : value.attributes)].map(
      ([k, v]) => [jsonKey(k as PyValue), v, k] as const,
    );
    if (!entries.length) return out.push('{}');
    const keyTypes = new Set(entries.map(([, , k]) => (typeof k === 'string' ? 'str' : 'other')));
    if (keyTypes.size > 1) throw typeError("'<' not supported between instances of 'int' and 'str'");
    entries.sort((a, b) =>
      isNumber(a[2] as PyValue) && isNumber(b[2] as PyValue)
        ? pyCompare(a[2] as PyValue, b[2] as PyValue)
        : a[0] < b[0]
          ? -1
          : a[0] > b[0]
            ? 1
            : 0,
    );
    if (value instanceof PyNamespace) throw typeError('Object of type Namespace is not JSON serializable');
    out.push('{' + newline);
    entries.forEach(([key, item], i) => {
      if (i) out.push(itemSeparator + newline);
      jsonStringInto(key, out);
      out.push(': ');
      jsonDumpInto(item, indent, level + 1, out);
    });
    return out.push(closing + '}');
  }
  throw typeError(`Object of type ${pyTypeName(value)} is not JSON serializable`);
}

// ---------------------------------------------------------------------------------------------
// pprint (pformat): repr with sorted dict keys, when it fits on one 80-column line.

function pformat(value: PyValue): string {
  // Only what fits on one 80-column line is supported: stop building at 81 characters.
  const tooLong = () => unsupported('pprint of a value longer than 80 characters (pprint wraps it over lines)');
  const wraps = value instanceof Map || Array.isArray(value) || typeof value === 'string';
  const out = new StringBuilder(wraps ? 80 * 2 : MAX_STRING, wraps ? tooLong : undefined);
  const sortedRepr = (v: PyValue): void => {
    if (v instanceof Map) {
      const entries = [...v].sort((a, b) => pyCompare(a[0] as PyValue, b[0] as PyValue));
      out.push('{');
      entries.forEach(([k, item], i) => {
        out.push(`${i ? ', ' : ''}${pyRepr(k as PyValue)}: `);
        sortedRepr(item);
      });
      return out.push('}');
    }
    if (Array.isArray(v)) {
      out.push(isTuple(v) ? '(' : '[');
      v.forEach((item, i) => {
        if (i) out.push(', ');
        sortedRepr(item);
      });
      return out.push(isTuple(v) ? (v.length === 1 ? ',)' : ')') : ']');
    }
    out.push(pyRepr(v));
  };
  sortedRepr(value);
  const text = out.toString();
  if (wraps && stringLength(text) > 80) throw tooLong();
  return text;
}

// ---------------------------------------------------------------------------------------------
// Small helpers mirroring Python's stdlib.

const URL_SAFE = /[A-Za-z0-9_.\-~]/;

function urlQuote(value: PyValue, forQuery: boolean): string {
  const text = typeof value === 'string' ? value : str(value);
  const bytes = new TextEncoder().encode(text);
  const out = new StringBuilder();
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    if (URL_SAFE.test(char) || (!forQuery && char === '/')) out.push(char);
    else if (forQuery && byte === 0x20) out.push('+');
    else out.push('%' + byte.toString(16).toUpperCase().padStart(2, '0'));
  }
  return out.toString();
}

const HTML_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  '#39': "'",
  '#34': '"',
};

function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  const entities = /&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g;
  const out = new StringBuilder();
  let position = 0;
  for (let match = entities.exec(text); match; match = entities.exec(text)) {
    const entity = match[1]!;
    const replacement = entity.startsWith('#x')
      ? String.fromCodePoint(parseInt(entity.slice(2), 16))
      : entity.startsWith('#')
        ? String.fromCodePoint(Number(entity.slice(1)))
        : HTML_ENTITIES[entity];
    if (replacement === undefined) continue;
    out.push(text.slice(position, match.index));
    out.push(replacement);
    position = match.index + match[0].length;
  }
  out.push(text.slice(position));
  return out.toString();
}

/** ' '.join(text.split()): words separated by one space, without a list of the words. */
function collapseWhitespace(text: string): string {
  const out = new StringBuilder();
  const words = new RegExp(`[^${PY_WHITESPACE}]+`, 'g');
  for (let match = words.exec(text); match; match = words.exec(text)) {
    if (out.length) out.push(' ');
    out.push(match[0]);
  }
  return out.toString();
}

function stripTags(text: string): string {
  let value = text;
  for (;;) {
    const start = value.indexOf('<!--');
    if (start < 0) break;
    const end = value.indexOf('-->', start);
    if (end < 0) break;
    value = value.slice(0, start) + value.slice(end + 3);
  }
  for (;;) {
    const start = value.indexOf('<');
    if (start < 0) break;
    const end = value.indexOf('>', start);
    if (end < 0) break;
    value = value.slice(0, start) + value.slice(end + 1);
  }
  return htmlUnescape(collapseWhitespace(value));
}

/** Python's float() syntax: digits with single underscores between them. */
const FLOAT_SYNTAX = /^[+-]?(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const withoutUnderscores = (text: string) =>
  text.includes('_') ? quoteWith(text, '', '', code => (code === 0x5f ? '' : undefined)) : text;

function toFloat(value: PyValue): PyFloat | undefined {
  if (value instanceof PyFloat) return value;
  if (isInt(value)) return new PyFloat(toJsNumber(value));
  if (typeof value === 'string' || value instanceof PyMarkup) {
    const text = pyStrip(pyStr(value), null, 'both');
    if (FLOAT_SYNTAX.test(text)) return new PyFloat(Number(withoutUnderscores(text)));
    const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
    if (special)
      return new PyFloat(special[2]!.toLowerCase().startsWith('n') ? NaN : special[1] === '-' ? -Infinity : Infinity);
  }
  return undefined;
}

/** The value of an ASCII digit or letter (36 for anything else). */
function digitValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x7a ? lower - 0x61 + 10 : 36;
}

/** int(text, base) as CPython parses it; undefined where it raises ValueError. */
function parsePyInt(source: string, base: number): PyValue | undefined {
  let text = pyStrip(source, null, 'both');
  const negative = text[0] === '-';
  if (negative || text[0] === '+') text = text.slice(1);
  const prefix = text.slice(0, 2).toLowerCase();
  const prefixBase = prefix === '0x' ? 16 : prefix === '0o' ? 8 : prefix === '0b' ? 2 : 0;
  let effectiveBase = base === 0 ? 10 : base;
  let prefixed = false;
  if (prefixBase && (base === 0 || base === prefixBase)) {
    effectiveBase = prefixBase;
    text = text.slice(2);
    prefixed = true;
    if (text[0] === '_') text = text.slice(1); // int('0x_1f', 16)
  }
  // Digits of the base, with single underscores between them.
  if (!text || text[0] === '_' || text[text.length - 1] === '_') return undefined;
  let digitCount = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x5f) {
      if (text.charCodeAt(i + 1) === 0x5f) return undefined;
      continue;
    }
    if (digitValue(code) >= effectiveBase) return undefined;
    digitCount++;
  }
  const digits = withoutUnderscores(text).toLowerCase();
  if (base === 0 && !prefixed && digits[0] === '0' && /[1-9]/.test(digits)) return undefined; // int('010', 0)
  const powerOfTwo = (effectiveBase & (effectiveBase - 1)) === 0;
  // CPython refuses more than 4300 digits in other bases (ValueError).
  if (!powerOfTwo && digitCount > MAX_INT_DIGITS) return undefined;
  if (powerOfTwo && digitCount * Math.log2(effectiveBase) > MAX_INT_BITS)
    throw memoryError(`the template computes an integer of more than ${MAX_INT_BITS.toLocaleString('en-US')} bits`);
  const literal =
    effectiveBase === 10
      ? ''
      : effectiveBase === 16
        ? '0x'
        : effectiveBase === 8
          ? '0o'
          : effectiveBase === 2
            ? '0b'
            : undefined;
  let result = 0n;
  if (literal !== undefined) result = BigInt(literal + digits);
  else
    for (let i = 0; i < digits.length; i++)
      result = result * BigInt(effectiveBase) + BigInt(digitValue(digits.charCodeAt(i)));
  return makeInt(negative ? -result : result);
}

/** Jinja2's do_int: int(value, base) for strings, int(value) else, then int(float(value)). */
function toInteger(value: PyValue, base: number): PyValue | undefined {
  if (isInt(value)) return typeof value === 'boolean' ? Number(value) : value;
  if (value instanceof PyFloat) {
    if (Number.isNaN(value.value)) return undefined; // ValueError, and float(nan) again: the default
    if (!Number.isFinite(value.value))
      throw new TemplateError('runtime', 'OverflowError: cannot convert float infinity to integer');
    return makeInt(BigInt(Math.trunc(value.value)));
  }
  if (typeof value === 'string' || value instanceof PyMarkup) {
    const parsed = parsePyInt(pyStr(value), base);
    if (parsed !== undefined) return parsed;
    // do_int's fallback, int(float(value)), returns the default on ValueError and OverflowError.
    const float = toFloat(value);
    return float && Number.isFinite(float.value) ? toInteger(float, 10) : undefined;
  }
  return undefined;
}

/** Jinja2's do_title: each item of re.split(r"([-\s({\[<]+)", s) capitalized. */
function wordTitle(text: string): string {
  const separators = new RegExp(`[-${PY_WHITESPACE}({\\[<]+`, 'g');
  const out = new StringBuilder();
  let position = 0;
  for (let match = separators.exec(text); match; match = separators.exec(text)) {
    if (match.index > position) out.push(upperFirst(text.slice(position, match.index)));
    out.push(match[0]);
    position = match.index + match[0].length;
  }
  if (position < text.length) out.push(upperFirst(position ? text.slice(position) : text));
  return out.toString();
}

/** Jinja2's do_indent, line by line into a builder (no list of the lines). */
function indent(value: PyValue, width: PyValue, first: PyValue, blank: PyValue): string {
  let indention: string;
  if (typeof width === 'string') indention = width;
  else {
    const count = toInt(width, 'width');
    checkString(count);
    indention = ' '.repeat(Math.max(0, count));
  }
  const text = str(value) + '\n'; // the quirk Jinja2 needs for splitlines
  const indentBlank = pyTruthy(blank);
  const out = new StringBuilder();
  if (pyTruthy(first)) out.push(indention);
  const breaks = new RegExp(PY_LINE_BREAK.source, 'g');
  let position = 0;
  for (let match = breaks.exec(text); match; match = breaks.exec(text)) {
    const line = text.slice(position, match.index);
    if (position > 0) {
      out.push('\n');
      if (line || indentBlank) out.push(indention);
    }
    out.push(line);
    position = match.index + match[0].length;
  }
  return out.toString();
}

function fileSizeFormat(value: PyValue, binary: PyValue): string {
  const float = toFloat(value);
  if (!float) throw typeError(`float() argument must be a string or a real number, not '${pyTypeName(value)}'`);
  const bytes = float.value;
  const base = pyTruthy(binary) ? 1024 : 1000;
  const prefixes = pyTruthy(binary)
    ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB']
    : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  if (bytes === 1) return '1 Byte';
  if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
  let unit = 0;
  for (let i = 0; i < prefixes.length; i++) {
    unit = base ** (i + 2);
    if (bytes < unit) return `${formatFixed((base * bytes) / unit, 1)} ${prefixes[i]}`;
  }
  return `${formatFixed((base * bytes) / unit, 1)} ${prefixes[prefixes.length - 1]}`;
}

function truncate(value: PyValue, length: PyValue, killwords: PyValue, end: PyValue, leeway: PyValue): string {
  const text = str(value);
  const max = toInt(length, 'length');
  const ending = str(end);
  const slack = leeway === null ? 5 : toInt(leeway, 'leeway');
  if (max < stringLength(ending))
    throw new TemplateError('runtime', `AssertionError: expected length >= ${stringLength(ending)}, got ${max}`);
  if (slack < 0) throw new TemplateError('runtime', `AssertionError: expected leeway >= 0, got ${slack}`);
  if (stringLength(text) <= max + slack) return text;
  const head = sliceString(text, null, max - stringLength(ending), 1);
  if (pyTruthy(killwords)) return head + ending;
  const cut = head.lastIndexOf(' ');
  return (cut < 0 ? head : head.slice(0, cut)) + ending;
}

function xmlattr(value: PyValue, autospace: PyValue): PyMarkup {
  if (!(value instanceof Map)) throw typeError(`'${pyTypeName(value)}' object has no attribute 'items'`);
  const out = new StringBuilder();
  for (const [key, item] of value) {
    if (item === null || isUndefined(item)) continue;
    const name = pyStr(key as PyValue);
    if (/[\s/>=]/.test(name))
      throw new TemplateError('runtime', `ValueError: Invalid character in attribute name: ${pyRepr(name)}`);
    if (out.length || pyTruthy(autospace)) out.push(' ');
    out.push(`${escapeValue(name)}="${escapeValue(item)}"`);
  }
  return new PyMarkup(out.toString());
}

const escapeValue = (value: PyValue) => (value instanceof PyMarkup ? value.text : escapeHtml(str(value)));

/**
 * open + text with some UTF-16 units replaced + close, scanned once into a builder (a global
 * regex replace holds two parts per match: half a gigabyte for a few million matches).
 */
function quoteWith(
  text: string,
  open: string,
  close: string,
  replace: (code: number, index: number) => string | undefined,
): string {
  const out = new StringBuilder();
  out.push(open);
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const replacement = replace(text.charCodeAt(i), i);
    if (replacement === undefined) continue;
    if (run < i) out.push(text.slice(run, i));
    out.push(replacement);
    run = i + 1;
  }
  if (run < text.length) out.push(run === 0 ? text : text.slice(run));
  out.push(close);
  return out.toString();
}

// ---------------------------------------------------------------------------------------------

export function createBuiltins(): Builtins {
  const filters = new Map<string, FilterFunction>();
  const tests = new Map<string, TestFunction>();
  const globals = new Map<string, PyValue>();
  const define = (names: string[], fn: FilterFunction) => names.forEach(name => filters.set(name, fn));

  define(['abs'], filter([], value => {
    if (isInt(value)) return typeof value === 'bigint' ? (value < 0n ? -value : value) : Math.abs(Number(value));
    if (value instanceof PyFloat) return new PyFloat(Math.abs(value.value));
    if (isUndefined(value)) value.fail();
    throw typeError(`bad operand type for abs(): '${pyTypeName(value)}'`);
  }));
  define(['batch'], filter(['linecount', ['fill_with', null]], (value, [count, fill]) => {
    const size = toInt(count!, 'linecount');
    if (size <= 0) throw new TemplateError('runtime', 'ValueError: batch size must be positive');
    return generator(function* () {
      let batch: PyValue[] = [];
      for (const item of pyIter(value)) {
        if (batch.length === size) {
          yield batch;
          batch = [];
        }
        batch.push(item);
      }
      if (batch.length) {
        if (fill !== null && batch.length < size) {
          checkItems(size); // before padding: batch(10**8, 'x') asks for a list of 10**8 items
          while (batch.length < size) batch.push(fill!);
        }
        yield batch;
      }
    });
  }));
  define(['capitalize'], filter([], value => pyCapitalize(str(value))));
  define(['center'], filter([['width', 80]], (value, [width]) => pyCenter(str(value), toInt(width!, 'width'))));
  define(['default', 'd'], filter(
    [
      ['default_value', ''],
      ['boolean', false],
    ],
    (value, [fallback, boolean]) =>
      isUndefined(value) || (pyTruthy(boolean!) && !pyTruthy(value)) ? fallback! : value,
  ));
  define(['dictsort'], filter(
    [
      ['case_sensitive', false],
      ['by', 'key'],
      ['reverse', false],
    ],
    (value, [caseSensitive, by, reverse]) => {
      if (!(value instanceof Map)) throw typeError(`'${pyTypeName(value)}' object has no attribute 'items'`);
      const position = by === 'key' ? 0 : by === 'value' ? 1 : -1;
      if (position < 0)
        throw new TemplateError('runtime', "FilterArgumentError: You can only sort by either 'key' or 'value'");
      const pairs = [...value].map(([k, v]) => tuple([k as PyValue, v]));
      return sortedBy(
        pairs,
        pair => {
          const key = (pair as PyValue[])[position]!;
          return !pyTruthy(caseSensitive!) && typeof key === 'string' ? key.toLowerCase() : key;
        },
        pyTruthy(reverse!),
      );
    },
  ));
  define(['escape', 'e'], filter([], value =>
    value instanceof PyMarkup ? value : new PyMarkup(escapeHtml(str(value))),
  ));
  define(['forceescape'], filter([], value => new PyMarkup(escapeHtml(str(value)))));
  define(['filesizeformat'], filter([['binary', false]], (value, [binary]) => fileSizeFormat(value, binary!)));
  define(['first'], filter([], value => {
    for (const item of pyIter(value)) return item;
    return new PyUndefined('first', undefined, 'No first item, sequence was empty.');
  }));
  define(['last'], filter([], value => {
    if (value instanceof PyIterator) throw typeError(`'${value.typeName}' object is not reversible`);
    // next(iter(reversed(value))): no list of the items.
    const last =
      typeof value === 'string' || value instanceof PyMarkup
        ? codePointAtIndex(pyStr(value), -1)
        : value instanceof PyRange
          ? value.length
            ? value.at(value.length - 1)
            : undefined
          : Array.isArray(value)
            ? value[value.length - 1]
            : pyList(value).pop();
    return last ?? new PyUndefined('last', undefined, 'No last item, sequence was empty.');
  }));
  define(['float'], filter([['default', new PyFloat(0)]], (value, [fallback]) => toFloat(value) ?? fallback!));
  define(['int'], filter(
    [
      ['default', 0],
      ['base', 10],
    ],
    (value, [fallback, base]) => toInteger(value, toInt(base!, 'base')) ?? fallback!,
  ));
  define(['format'], (value, args) => {
    if (args.positional.length && args.keywords.size) {
      throw new TemplateError(
        'runtime',
        "FilterArgumentError: can't handle positional and keyword arguments at the same time",
      );
    }
    let formatArgs: PyValue;
    if (args.keywords.size) {
      const mapping = new Map<PyKey, PyValue>();
      for (const [k, v] of args.keywords) mapping.set(k, v);
      formatArgs = mapping;
    } else formatArgs = tuple(args.positional);
    return percentFormat(str(value), formatArgs);
  });
  define(['groupby'], filter(
    ['attribute', ['default', null], ['case_sensitive', false]],
    (value, [attribute, fallback, caseSensitive], interpreter) => {
      const sensitive = pyTruthy(caseSensitive!);
      const key = attributeGetter(interpreter, attribute!, fallback!, !sensitive);
      const original = attributeGetter(interpreter, attribute!, fallback!);
      const sorted = sortedBy(pyList(value), key, false);
      const groups: PyValue[] = [];
      let current: { key: PyValue; items: PyValue[] } | undefined;
      for (const item of sorted) {
        const k = key(item);
        if (current && pyEquals(current.key, k)) current.items.push(item);
        else {
          if (current) groups.push(makeGroup(sensitive ? current.key : original(current.items[0]!), current.items));
          current = { key: k, items: [item] };
        }
      }
      if (current) groups.push(makeGroup(sensitive ? current.key : original(current.items[0]!), current.items));
      return groups;
    },
  ));
  define(['indent'], filter(
    [
      ['width', 4],
      ['first', false],
      ['blank', false],
    ],
    (value, [width, first, blank]) => indent(value, width!, first!, blank!),
  ));
  define(['items'], filter([], value => {
    if (isUndefined(value)) return generator(() => []);
    if (!(value instanceof Map)) throw typeError('Can only get item pairs from a mapping.');
    return generator(() => new PyDictView('items', value));
  }));
  define(['join'], filter(
    [
      ['d', ''],
      ['attribute', null],
    ],
    (value, [separator, attribute], interpreter) => {
      let items = pyList(value);
      if (attribute !== null) items = items.map(attributeGetter(interpreter, attribute!));
      return joinStrings(
        items.map(item => str(item)),
        str(separator!),
      );
    },
  ));
  define(['length', 'count'], filter([], value => pyLen(value)));
  define(['list'], filter([], value => pyList(value)));
  // Case mappings may lengthen a string ('ß' becomes 'SS'): checked after, within MAX_STRING.
  define(['lower'], filter([], value => checkedString(str(value).toLowerCase())));
  define(['upper'], filter([], value => checkedString(str(value).toUpperCase())));
  define(['map'], (value, args, interpreter) => {
    let transform: (item: PyValue) => PyValue;
    if (args.keywords.has('attribute')) {
      const attribute = args.keywords.get('attribute')!;
      const fallback = args.keywords.get('default') ?? null;
      for (const key of args.keywords.keys()) {
        if (key !== 'attribute' && key !== 'default')
          throw new TemplateError('runtime', `FilterArgumentError: Unexpected keyword argument '${key}'`);
      }
      transform = attributeGetter(interpreter, attribute, fallback);
    } else {
      const [name, ...rest] = args.positional;
      if (name === undefined) throw new TemplateError('runtime', 'FilterArgumentError: map requires a filter argument');
      const target = filters.get(pyStr(name));
      if (!target) throw new TemplateError('runtime', `No filter named ${pyRepr(name)}.`);
      transform = item => target(item, { positional: rest, keywords: args.keywords }, interpreter);
    }
    return generator(function* () {
      if (!pyTruthy(value)) return;
      for (const item of pyIter(value)) yield transform(item);
    });
  });
  const aggregate = (pickLarger: boolean): FilterFunction =>
    filter(
      [
        ['case_sensitive', false],
        ['attribute', null],
      ],
      (value, [caseSensitive, attribute], interpreter) => {
        const items = pyList(value);
        if (!items.length) return new PyUndefined('', undefined, 'No aggregated item, sequence was empty.');
        const key = keyGetter(interpreter, attribute!, pyTruthy(caseSensitive!));
        let best: PyValue = items[0]!;
        let bestKey: PyValue = key(best);
        for (const item of items.slice(1)) {
          const k = key(item);
          const order = pyCompare(k, bestKey);
          if (pickLarger ? order > 0 : order < 0) {
            best = item;
            bestKey = k;
          }
        }
        return best;
      },
    );
  define(['max'], aggregate(true));
  define(['min'], aggregate(false));
  define(['pprint'], filter([], value => pformat(value)));
  define(['random'], () => {
    throw unsupported('The random filter (its result differs on every render)');
  });
  define(['select'], (value, args, interpreter) => selectOrReject(value, args, interpreter, false, true));
  define(['reject'], (value, args, interpreter) => selectOrReject(value, args, interpreter, false, false));
  define(['selectattr'], (value, args, interpreter) => selectOrReject(value, args, interpreter, true, true));
  define(['rejectattr'], (value, args, interpreter) => selectOrReject(value, args, interpreter, true, false));
  define(['replace'], filter(['old', 'new', ['count', null]], (value, [old, replacement, count]) =>
    pyReplace(str(value), str(old!), str(replacement!), count === null ? -1 : toInt(count!, 'count')),
  ));
  define(['reverse'], filter([], value => {
    if (typeof value === 'string') return sliceString(value, null, null, -1);
    if (value instanceof PyMarkup) return new PyMarkup(sliceString(value.text, null, null, -1));
    if (Array.isArray(value) || value instanceof PyRange || value instanceof Map || value instanceof PyDictView) {
      const items = pyList(value).reverse();
      const typeName = Array.isArray(value)
        ? 'list_reverseiterator'
        : value instanceof PyRange
          ? 'range_iterator'
          : 'dict_reversekeyiterator';
      return new PyIterator(typeName, items);
    }
    if (isIterable(value)) return pyList(value).reverse();
    throw new TemplateError('runtime', 'FilterArgumentError: argument must be iterable');
  }));
  define(['round'], filter(
    [
      ['precision', 0],
      ['method', 'common'],
    ],
    (value, [precision, method]) => {
      if (method !== 'common' && method !== 'ceil' && method !== 'floor')
        throw new TemplateError('runtime', 'FilterArgumentError: method must be common, ceil or floor');
      const digits = toInt(precision!, 'precision');
      if (method === 'common') return pyRound(value, digits);
      if (!isNumber(value)) throw typeError(`unsupported operand type(s) for *: '${pyTypeName(value)}' and 'int'`);
      const factor = 10 ** digits;
      const scaled = toJsNumber(value) * factor;
      const rounded = method === 'ceil' ? Math.ceil(scaled) : Math.floor(scaled);
      return new PyFloat(rounded / factor);
    },
  ));
  define(['safe'], filter([], value => (value instanceof PyMarkup ? value : new PyMarkup(str(value)))));
  define(['slice'], filter(['slices', ['fill_with', null]], (value, [slicesValue, fill]) => {
    const slices = toInt(slicesValue!, 'slices');
    const items = pyList(value);
    return generator(function* () {
      const perSlice = Math.floor(items.length / slices);
      const withExtra = items.length % slices;
      let offset = 0;
      for (let n = 0; n < slices; n++) {
        const start = offset + n * perSlice;
        if (n < withExtra) offset++;
        const end = offset + (n + 1) * perSlice;
        const part = items.slice(start, end);
        if (fill !== null && n >= withExtra) part.push(fill!);
        yield part;
      }
    });
  }));
  define(['sort'], filter(
    [
      ['reverse', false],
      ['case_sensitive', false],
      ['attribute', null],
    ],
    (value, [reverse, caseSensitive, attribute], interpreter) => {
      const sensitive = pyTruthy(caseSensitive!);
      let key: (item: PyValue) => PyValue;
      if (typeof attribute === 'string' && attribute.includes(',')) {
        const getters = attribute.split(',').map(part => attributeGetter(interpreter, part, null, !sensitive));
        key = item => getters.map(get => get(item));
      } else key = keyGetter(interpreter, attribute!, sensitive);
      return sortedBy(pyList(value), key, pyTruthy(reverse!));
    },
  ));
  define(['string'], filter([], value => str(value)));
  define(['striptags'], filter([], value => stripTags(str(value))));
  define(['sum'], filter(
    [
      ['attribute', null],
      ['start', 0],
    ],
    (value, [attribute, start], interpreter) => {
      if (isString(start!)) throw typeError("sum() can't sum strings [use ''.join(seq) instead]");
      let items = pyList(value);
      if (attribute !== null) items = items.map(attributeGetter(interpreter, attribute!));
      return items.reduce<PyValue>((total, item) => binaryOperation('+', total, item), start!);
    },
  ));
  define(['title'], filter([], value => wordTitle(str(value))));
  define(['tojson'], filter([['indent', null]], (value, [indentValue]) => {
    const indentText =
      indentValue === null
        ? null
        : typeof indentValue === 'string'
          ? indentValue
          : ' '.repeat(Math.max(0, checkedWidth(indentValue!, 'indent')));
    const json = pythonJsonDumps(value, indentText);
    return new PyMarkup(
      json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/'/g, '\\u0027'),
    );
  }));
  define(['trim'], filter([['chars', null]], (value, [chars]) => pyStrip(str(value), chars!, 'both')));
  define(['truncate'], filter(
    [
      ['length', 255],
      ['killwords', false],
      ['end', '...'],
      ['leeway', null],
    ],
    (value, [length, killwords, end, leeway]) => truncate(value, length!, killwords!, end!, leeway!),
  ));
  define(['unique'], filter(
    [
      ['case_sensitive', false],
      ['attribute', null],
    ],
    (value, [caseSensitive, attribute], interpreter) => {
      const key = keyGetter(interpreter, attribute!, pyTruthy(caseSensitive!));
      return generator(function* () {
        const seen: PyValue[] = [];
        for (const item of pyIter(value)) {
          const k = key(item);
          if (!seen.some(s => pyEquals(s, k))) {
            seen.push(k);
            yield item;
          }
        }
      });
    },
  ));
  define(['urlencode'], filter([], value => {
    if (typeof value === 'string' || value instanceof PyMarkup) return urlQuote(value, false);
    const pairs: Iterable<PyValue> = value instanceof Map ? new PyDictView('items', value) : pyList(value);
    const out = new StringBuilder();
    for (const pair of pairs) {
      const [k, v] = pyList(pair);
      if (out.length) out.push('&');
      out.push(`${urlQuote(k!, true)}=${urlQuote(v!, true)}`);
    }
    return out.toString();
  }));
  define(['urlize'], () => {
    throw unsupported('The urlize filter');
  });
  define(['wordwrap'], () => {
    throw unsupported('The wordwrap filter (Python textwrap)');
  });
  define(['wordcount'], filter([], value => {
    const words = /[\p{L}\p{N}_]+/gu;
    const text = str(value);
    let count = 0;
    while (words.exec(text)) count++;
    return count;
  }));
  define(['xmlattr'], filter([['autospace', true]], (value, [autospace]) => xmlattr(value, autospace!)));

  // --- Lakehouse Workbench extensions (not Jinja2 built-ins) ----------------------------------
  // Quoting for names from metadata written into generated code. Each is the one-line Python
  // function docs/templates.md gives, registered in the oracle's Jinja2 too (jinja2Oracle.ts), so
  // the differential corpus proves them byte for byte. Like any filter that calls str(), they
  // print an undefined value as '' and a Markup value as its text.
  define(['py_str'], filter([], value => pyStringRepr(str(value)))); // repr(str(value))
  define(['sql_ident'], filter([], value =>
    quoteWith(str(value), '[', ']', code => (code === 0x5d ? ']]' : undefined)),
  ));
  define(['sql_str'], filter([], value => quoteWith(str(value), "'", "'", code => (code === 0x27 ? "''" : undefined))));
  define(['spark_ident'], filter([], value =>
    quoteWith(str(value), '`', '`', code => (code === 0x60 ? '``' : undefined)),
  ));
  define(['spark_str'], filter([], value =>
    quoteWith(str(value), "'", "'", code => (code === 0x5c ? '\\\\' : code === 0x27 ? "\\'" : undefined)),
  ));
  define(['adf_str'], filter([], value => quoteWith(str(value), "'", "'", code => (code === 0x27 ? "''" : undefined))));
  define(['one_line'], filter([], value =>
    quoteWith(str(value), '', '', code =>
      code <= 0x1f || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 ? ' ' : undefined,
    ),
  ));

  // --- tests -------------------------------------------------------------------------------
  const test = (
    names: string[],
    signature: Signature,
    body: (value: PyValue, bound: PyValue[], interpreter: Interpreter) => boolean,
  ) => {
    const fn: TestFunction = (value, args, interpreter) =>
      body(value, bindArgs(names[0]!, args, signature), interpreter);
    names.forEach(name => tests.set(name, fn));
  };
  const isCallable = (value: PyValue) =>
    value instanceof PyCallable ||
    value instanceof PyUndefined ||
    (value instanceof PyObject && value.typeName === 'Macro');
  test(['boolean'], [], value => typeof value === 'boolean');
  test(['callable'], [], value => isCallable(value));
  test(['defined'], [], value => !isUndefined(value));
  test(['undefined'], [], value => isUndefined(value));
  test(['divisibleby'], ['num'], (value, [num]) => pyEquals(binaryOperation('%', value, num!), 0));
  test(['eq', 'equalto', '=='], ['other'], (value, [other]) => pyEquals(value, other!));
  test(['ne', '!='], ['other'], (value, [other]) => !pyEquals(value, other!));
  test(['lt', 'lessthan', '<'], ['other'], (value, [other]) => pyCompare(value, other!, '<') < 0);
  test(['le', '<='], ['other'], (value, [other]) => pyCompare(value, other!, '<=') <= 0);
  test(['gt', 'greaterthan', '>'], ['other'], (value, [other]) => pyCompare(value, other!, '>') > 0);
  test(['ge', '>='], ['other'], (value, [other]) => pyCompare(value, other!, '>=') >= 0);
  test(['even'], [], value => pyEquals(binaryOperation('%', value, 2), 0));
  test(['odd'], [], value => pyEquals(binaryOperation('%', value, 2), 1));
  test(['false'], [], value => value === false);
  test(['true'], [], value => value === true);
  test(['none'], [], value => value === null);
  test(['filter'], [], value => typeof value === 'string' && filters.has(value));
  test(['test'], [], value => typeof value === 'string' && tests.has(value));
  test(['float'], [], value => value instanceof PyFloat);
  test(['integer'], [], value => typeof value === 'number' || typeof value === 'bigint');
  test(['number'], [], value => isNumber(value));
  test(['string'], [], value => isString(value));
  test(['mapping'], [], value => value instanceof Map);
  test(['iterable'], [], value => isIterable(value));
  // Undefined has __len__ and __getitem__ (and __call__), so Jinja2 calls it a sequence and callable.
  test(['sequence'], [], value => hasLength(value) && !(value instanceof PyDictView));
  test(['in'], ['seq'], (value, [seq]) => contains(seq!, value));
  test(['lower'], [], value => {
    const s = str(value);
    return /\p{L}/u.test(s) && s === s.toLowerCase();
  });
  test(['upper'], [], value => {
    const s = str(value);
    return /\p{L}/u.test(s) && s === s.toUpperCase();
  });
  test(['sameas'], ['other'], (value, [other]) => {
    if (typeof value === 'string' && typeof other === 'string' && value === other && value.length > 1) {
      throw unsupported("'is sameas' on two equal strings (Python's answer depends on string interning)");
    }
    return value === other;
  });
  test(['escaped'], [], value => value instanceof PyMarkup);

  // --- globals -------------------------------------------------------------------------------
  // Jinja2's SandboxedEnvironment replaces range with safe_range: at most MAX_RANGE items.
  globals.set(
    'range',
    new PyCallable(
      'range',
      ({ positional, keywords }) => {
        if (keywords.size) throw typeError('range() takes no keyword arguments');
        if (!positional.length) throw typeError('range expected at least 1 argument, got 0');
        if (positional.length > 3) throw typeError(`range expected at most 3 arguments, got ${positional.length}`);
        const numbers = positional.map(p => {
          if (isInt(p)) return toBigInt(p);
          throw typeError(`'${pyTypeName(p)}' object cannot be interpreted as an integer`);
        });
        const [start, stop, step = 1n] = numbers.length === 1 ? [0n, numbers[0]!] : numbers;
        if (step === 0n) throw new TemplateError('runtime', 'ValueError: range() arg 3 must not be zero');
        const length = rangeLength(start!, stop!, step);
        if (length > MAX_SSIZE) throw ssizeOverflow();
        if (length > MAX_RANGE) throw rangeTooBig();
        return new PyRange(start!, stop!, step);
      },
      'function',
    ),
  );
  globals.set(
    'dict',
    new PyCallable(
      'dict',
      ({ positional, keywords }) => {
        const result = new Map<PyKey, PyValue>();
        const [source] = positional;
        if (source instanceof Map) for (const [k, v] of source) result.set(k, v);
        else if (source !== undefined) {
          for (const pair of pyIter(source)) {
            const items = pyList(pair);
            if (items.length !== 2)
              throw new TemplateError(
                'runtime',
                `ValueError: dictionary update sequence element has length ${items.length}; 2 is required`,
              );
            result.set(dictKey(items[0]!), items[1]!);
          }
        }
        for (const [k, v] of keywords) result.set(k, v);
        checkItems(result.size, 'dict');
        return result;
      },
      'type',
      "<class 'dict'>",
    ),
  );
  globals.set(
    'namespace',
    new PyCallable(
      'namespace',
      ({ positional, keywords }) => {
        const attributes = new Map<string, PyValue>();
        const [source] = positional;
        if (source instanceof Map) for (const [k, v] of source) attributes.set(pyStr(k as PyValue), v);
        for (const [k, v] of keywords) attributes.set(k, v);
        return new PyNamespace(attributes);
      },
      'type',
      "<class 'jinja2.utils.Namespace'>",
    ),
  );
  globals.set(
    'cycler',
    new PyCallable(
      'cycler',
      ({ positional }) => {
        if (!positional.length)
          throw new TemplateError('runtime', 'RuntimeError: at least one item has to be provided');
        let position = 0;
        const next = new PyCallable('next', () => {
          const value = positional[position]!;
          position = (position + 1) % positional.length;
          return value;
        });
        const reset = new PyCallable('reset', () => {
          position = 0;
          return null;
        });
        return new PyOpaque('Cycler', undefined, name =>
          name === 'current'
            ? positional[position]!
            : name === 'next'
              ? next
              : name === 'reset'
                ? reset
                : name === 'items'
                  ? positional
                  : undefined,
        );
      },
      'type',
      "<class 'jinja2.utils.Cycler'>",
    ),
  );
  globals.set(
    'joiner',
    new PyCallable(
      'joiner',
      args => {
        const [separator] = bindArgs('joiner', args, [['sep', ', ']]);
        let used = false;
        return new PyCallable(
          'joiner',
          (): PyValue => {
            if (!used) {
              used = true;
              return '';
            }
            return separator ?? null;
          },
          'Joiner',
        );
      },
      'type',
      "<class 'jinja2.utils.Joiner'>",
    ),
  );
  globals.set(
    'lipsum',
    new PyCallable('lipsum', () => {
      throw unsupported('lipsum() (random text)');
    }),
  );
  return { filters, tests, globals };
}

function makeGroup(grouper: PyValue, items: PyValue[]): PyValue[] {
  const group = tuple([grouper, items]);
  groupTuples.add(group);
  return group;
}

export { pySplit, PY_WHITESPACE, isUndefined };
