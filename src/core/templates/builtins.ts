// Jinja2 3.1's built-in filters, tests and global functions (jinja2/filters.py, tests.py,
// defaults.py), ported to PyValue with their quirks: map/select/unique return one-pass
// generators, groupby sorts, tojson sorts keys and escapes <>&', round() rounds half to even.
import {
  type CallArgs, PyCallable, PyDictView, PyFloat, PyIterator, PyMarkup, PyNamespace, PyOpaque, PyRange, PyUndefined,
  type PyKey, type PyValue, TemplateError, dictKey, hasLength, isInt, isIterable, isNumber, isString, isTuple,
  isUndefined, makeInt, pyCompare, pyEquals, pyFloatRepr, pyIter, pyLen, pyList, pyRepr, pyStr, pyTruthy, pyTypeName,
  stringLength, toJsNumber, tuple, typeError, unsupported, PyObject,
} from './pyValue';
import { PY_LINE_BREAK, bindArgs, pyCapitalize, pyCenter, pySplit, pyStrip, pyReplace, stableSort, type Signature, PY_WHITESPACE } from './methods';
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

function filter(signature: Signature, body: (value: PyValue, bound: PyValue[], interpreter: Interpreter) => PyValue, name = 'filter'): FilterFunction {
  return (value, args, interpreter) => body(value, bindArgs(name, args, signature), interpreter);
}

function toInt(value: PyValue, name: string): number {
  if (isInt(value)) return Number(value);
  throw typeError(`'${pyTypeName(value)}' object cannot be interpreted as an integer (${name})`);
}

/** Jinja2's make_attrgetter: "a.b.0" walks with getitem; default replaces Undefined. */
function attributeGetter(interpreter: Interpreter, attribute: PyValue, fallback: PyValue = null, lowerStrings = false): (item: PyValue) => PyValue {
  const parts: PyValue[] = typeof attribute === 'string'
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

const generator = (source: () => Iterable<PyValue>) => new PyIterator('generator', { [Symbol.iterator]: () => source()[Symbol.iterator]() });

function callTest(interpreter: Interpreter, name: PyValue, value: PyValue, args: PyValue[]): boolean {
  const test = interpreter.builtinsFor().tests.get(pyStr(name));
  if (!test) throw new TemplateError('runtime', `No test named ${pyRepr(name)}.`);
  return test(value, { positional: args, keywords: new Map() }, interpreter);
}

function selectOrReject(value: PyValue, args: CallArgs, interpreter: Interpreter, byAttribute: boolean, keep: boolean): PyValue {
  const positional = [...args.positional];
  let transform = (item: PyValue) => item;
  if (byAttribute) {
    const attribute = positional.shift();
    if (attribute === undefined) throw new TemplateError('runtime', 'Missing parameter for attribute name');
    transform = attributeGetter(interpreter, attribute);
  }
  const testName = positional.shift();
  const predicate = testName === undefined ? (item: PyValue) => pyTruthy(item) : (item: PyValue) => callTest(interpreter, testName, item, positional);
  return generator(function* () {
    if (!pyTruthy(value)) return;
    for (const item of pyIter(value)) if (predicate(transform(item)) === keep) yield item;
  });
}

// ---------------------------------------------------------------------------------------------
// JSON (tojson): json.dumps(sort_keys=True) with htmlsafe escaping.

function jsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    const code = text.charCodeAt(i);
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (char === '\b') out += '\\b';
    else if (char === '\f') out += '\\f';
    else if (code < 0x20 || code > 0x7e) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += char;
  }
  return out + '"';
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

export function pythonJsonDumps(value: PyValue, indent: string | null, level = 0): string {
  const newline = indent === null ? '' : '\n' + indent.repeat(level + 1);
  const closing = indent === null ? '' : '\n' + indent.repeat(level);
  const itemSeparator = indent === null ? ', ' : ',';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (isInt(value)) return String(value);
  if (value instanceof PyFloat) return jsonFloat(value.value);
  if (typeof value === 'string') return jsonString(value);
  if (value instanceof PyMarkup) return jsonString(value.text);
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    return '[' + newline + value.map(item => pythonJsonDumps(item, indent, level + 1)).join(itemSeparator + newline) + closing + ']';
  }
  if (value instanceof Map || value instanceof PyNamespace) {
    const entries = [...(value instanceof Map ? value : value.attributes)].map(([k, v]) => [jsonKey(k as PyValue), v, k] as const);
    if (!entries.length) return '{}';
    const keyTypes = new Set(entries.map(([, , k]) => (typeof k === 'string' ? 'str' : 'other')));
    if (keyTypes.size > 1) throw typeError("'<' not supported between instances of 'int' and 'str'");
    entries.sort((a, b) => (isNumber(a[2] as PyValue) && isNumber(b[2] as PyValue) ? pyCompare(a[2] as PyValue, b[2] as PyValue) : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (value instanceof PyNamespace) throw typeError('Object of type Namespace is not JSON serializable');
    return '{' + newline + entries.map(([key, item]) => `${jsonString(key)}: ${pythonJsonDumps(item, indent, level + 1)}`).join(itemSeparator + newline) + closing + '}';
  }
  throw typeError(`Object of type ${pyTypeName(value)} is not JSON serializable`);
}

// ---------------------------------------------------------------------------------------------
// pprint (pformat): repr with sorted dict keys, when it fits on one 80-column line.

function pformat(value: PyValue): string {
  const sortedRepr = (v: PyValue): string => {
    if (v instanceof Map) {
      const entries = [...v].sort((a, b) => pyCompare(a[0] as PyValue, b[0] as PyValue));
      return `{${entries.map(([k, item]) => `${pyRepr(k as PyValue)}: ${sortedRepr(item)}`).join(', ')}}`;
    }
    if (Array.isArray(v)) {
      const inner = v.map(sortedRepr).join(', ');
      return isTuple(v) ? (v.length === 1 ? `(${inner},)` : `(${inner})`) : `[${inner}]`;
    }
    return pyRepr(v);
  };
  const text = sortedRepr(value);
  if (stringLength(text) > 80 && (value instanceof Map || Array.isArray(value) || typeof value === 'string')) {
    throw unsupported('pprint of a value longer than 80 characters (pprint wraps it over lines)');
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Small helpers mirroring Python's stdlib.

function urlQuote(value: PyValue, forQuery: boolean): string {
  const text = typeof value === 'string' ? value : str(value);
  const bytes = new TextEncoder().encode(text);
  let out = '';
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.\-~]/.test(char) || (!forQuery && char === '/')) out += char;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return forQuery ? out.replace(/%20/g, '+') : out;
}

const HTML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', '#39': "'", '#34': '"' };

function htmlUnescape(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return HTML_ENTITIES[entity] ?? whole;
  });
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
  return htmlUnescape(pySplit(value, null, -1).join(' '));
}

function toFloat(value: PyValue): PyFloat | undefined {
  if (value instanceof PyFloat) return value;
  if (isInt(value)) return new PyFloat(toJsNumber(value));
  if (typeof value === 'string' || value instanceof PyMarkup) {
    const text = pyStrip(pyStr(value), null, 'both').replace(/_/g, '');
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return new PyFloat(Number(text));
    const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
    if (special) return new PyFloat(special[2]!.toLowerCase().startsWith('n') ? NaN : special[1] === '-' ? -Infinity : Infinity);
  }
  return undefined;
}

function toInteger(value: PyValue, base: number): PyValue | undefined {
  if (isInt(value)) return typeof value === 'boolean' ? Number(value) : value;
  if (value instanceof PyFloat) {
    if (!Number.isFinite(value.value)) throw new TemplateError('runtime', 'OverflowError: cannot convert float infinity to integer');
    return makeInt(BigInt(Math.trunc(value.value)));
  }
  if (typeof value === 'string' || value instanceof PyMarkup) {
    let text = pyStrip(pyStr(value), null, 'both').replace(/(?<=\d)_(?=\d)/g, '');
    const negative = text.startsWith('-');
    if (text.startsWith('-') || text.startsWith('+')) text = text.slice(1);
    let effectiveBase = base;
    if (base === 0 || base === 16) {
      const prefix = text.slice(0, 2).toLowerCase();
      if (prefix === '0x') { effectiveBase = 16; text = text.slice(2); }
      else if (base === 0 && prefix === '0o') { effectiveBase = 8; text = text.slice(2); }
      else if (base === 0 && prefix === '0b') { effectiveBase = 2; text = text.slice(2); }
      else if (base === 0) effectiveBase = 10;
    }
    const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, effectiveBase);
    if (!text || ![...text.toLowerCase()].every(c => digits.includes(c))) {
      const float = toFloat(value);
      return float ? toInteger(float, 10) : undefined;
    }
    let result = 0n;
    for (const c of text.toLowerCase()) result = result * BigInt(effectiveBase) + BigInt(digits.indexOf(c));
    return makeInt(negative ? -result : result);
  }
  return undefined;
}

function wordTitle(text: string): string {
  return text.split(/([-\s({[<]+)/).filter(Boolean).map(item => {
    const [first = '', ...rest] = Array.from(item);
    return first.toUpperCase() + rest.join('').toLowerCase();
  }).join('');
}

function indent(value: PyValue, width: PyValue, first: PyValue, blank: PyValue): string {
  const indention = typeof width === 'string' ? width : ' '.repeat(toInt(width, 'width'));
  const text = str(value) + '\n';
  const lines = text.split(PY_LINE_BREAK).filter((_, i) => i % 2 === 0);
  if (lines[lines.length - 1] === '') lines.pop();
  let result: string;
  if (pyTruthy(blank)) result = lines.join('\n' + indention);
  else {
    result = lines.shift() ?? '';
    if (lines.length) result += '\n' + lines.map(line => (line ? indention + line : line)).join('\n');
  }
  if (pyTruthy(first)) result = indention + result;
  return result;
}

function fileSizeFormat(value: PyValue, binary: PyValue): string {
  const float = toFloat(value);
  if (!float) throw typeError(`float() argument must be a string or a real number, not '${pyTypeName(value)}'`);
  const bytes = float.value;
  const base = pyTruthy(binary) ? 1024 : 1000;
  const prefixes = pyTruthy(binary) ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
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
  if (max < stringLength(ending)) throw new TemplateError('runtime', `AssertionError: expected length >= ${stringLength(ending)}, got ${max}`);
  if (slack < 0) throw new TemplateError('runtime', `AssertionError: expected leeway >= 0, got ${slack}`);
  const points = Array.from(text);
  if (points.length <= max + slack) return text;
  const head = points.slice(0, Math.max(0, max - stringLength(ending))).join('');
  if (pyTruthy(killwords)) return head + ending;
  const cut = head.lastIndexOf(' ');
  return (cut < 0 ? head : head.slice(0, cut)) + ending;
}

function xmlattr(value: PyValue, autospace: PyValue): PyMarkup {
  if (!(value instanceof Map)) throw typeError(`'${pyTypeName(value)}' object has no attribute 'items'`);
  const items: string[] = [];
  for (const [key, item] of value) {
    if (item === null || isUndefined(item)) continue;
    const name = pyStr(key as PyValue);
    if (/[\s/>=]/.test(name)) throw new TemplateError('runtime', `ValueError: Invalid character in attribute name: ${pyRepr(name)}`);
    items.push(`${escapeValue(name)}="${escapeValue(item)}"`);
  }
  let text = items.join(' ');
  if (pyTruthy(autospace) && text) text = ' ' + text;
  return new PyMarkup(text);
}

const escapeValue = (value: PyValue) => (value instanceof PyMarkup ? value.text : escapeHtml(str(value)));

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
        if (fill !== null) while (batch.length < size) batch.push(fill!);
        yield batch;
      }
    });
  }));
  define(['capitalize'], filter([], value => pyCapitalize(str(value))));
  define(['center'], filter([['width', 80]], (value, [width]) => pyCenter(str(value), toInt(width!, 'width'))));
  define(['default', 'd'], filter([['default_value', ''], ['boolean', false]], (value, [fallback, boolean]) =>
    isUndefined(value) || (pyTruthy(boolean!) && !pyTruthy(value)) ? fallback! : value));
  define(['dictsort'], filter([['case_sensitive', false], ['by', 'key'], ['reverse', false]], (value, [caseSensitive, by, reverse]) => {
    if (!(value instanceof Map)) throw typeError(`'${pyTypeName(value)}' object has no attribute 'items'`);
    const position = by === 'key' ? 0 : by === 'value' ? 1 : -1;
    if (position < 0) throw new TemplateError('runtime', "FilterArgumentError: You can only sort by either 'key' or 'value'");
    const pairs = [...value].map(([k, v]) => tuple([k as PyValue, v]));
    return sortedBy(pairs, pair => {
      const key = (pair as PyValue[])[position]!;
      return !pyTruthy(caseSensitive!) && typeof key === 'string' ? key.toLowerCase() : key;
    }, pyTruthy(reverse!));
  }));
  define(['escape', 'e'], filter([], value => (value instanceof PyMarkup ? value : new PyMarkup(escapeHtml(str(value))))));
  define(['forceescape'], filter([], value => new PyMarkup(escapeHtml(str(value)))));
  define(['filesizeformat'], filter([['binary', false]], (value, [binary]) => fileSizeFormat(value, binary!)));
  define(['first'], filter([], value => {
    for (const item of pyIter(value)) return item;
    return new PyUndefined('first', undefined, 'No first item, sequence was empty.');
  }));
  define(['last'], filter([], value => {
    if (value instanceof PyIterator) throw typeError(`'${value.typeName}' object is not reversible`);
    const items = pyList(value);
    if (!items.length) return new PyUndefined('last', undefined, 'No last item, sequence was empty.');
    return items[items.length - 1]!;
  }));
  define(['float'], filter([['default', new PyFloat(0)]], (value, [fallback]) => toFloat(value) ?? fallback!));
  define(['int'], filter([['default', 0], ['base', 10]], (value, [fallback, base]) => toInteger(value, toInt(base!, 'base')) ?? fallback!));
  define(['format'], (value, args) => {
    if (args.positional.length && args.keywords.size) {
      throw new TemplateError('runtime', "FilterArgumentError: can't handle positional and keyword arguments at the same time");
    }
    let formatArgs: PyValue;
    if (args.keywords.size) {
      const mapping = new Map<PyKey, PyValue>();
      for (const [k, v] of args.keywords) mapping.set(k, v);
      formatArgs = mapping;
    } else formatArgs = tuple(args.positional);
    return percentFormat(str(value), formatArgs);
  });
  define(['groupby'], filter(['attribute', ['default', null], ['case_sensitive', false]], (value, [attribute, fallback, caseSensitive], interpreter) => {
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
  }));
  define(['indent'], filter([['width', 4], ['first', false], ['blank', false]], (value, [width, first, blank]) => indent(value, width!, first!, blank!)));
  define(['items'], filter([], value => {
    if (isUndefined(value)) return generator(() => []);
    if (!(value instanceof Map)) throw typeError('Can only get item pairs from a mapping.');
    return generator(() => new PyDictView('items', value));
  }));
  define(['join'], filter([['d', ''], ['attribute', null]], (value, [separator, attribute], interpreter) => {
    let items = pyList(value);
    if (attribute !== null) items = items.map(attributeGetter(interpreter, attribute!));
    return items.map(item => str(item)).join(str(separator!));
  }));
  define(['length', 'count'], filter([], value => pyLen(value)));
  define(['list'], filter([], value => pyList(value)));
  define(['lower'], filter([], value => str(value).toLowerCase()));
  define(['upper'], filter([], value => str(value).toUpperCase()));
  define(['map'], (value, args, interpreter) => {
    let transform: (item: PyValue) => PyValue;
    if (args.keywords.has('attribute')) {
      const attribute = args.keywords.get('attribute')!;
      const fallback = args.keywords.get('default') ?? null;
      for (const key of args.keywords.keys()) {
        if (key !== 'attribute' && key !== 'default') throw new TemplateError('runtime', `FilterArgumentError: Unexpected keyword argument '${key}'`);
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
  const aggregate = (pickLarger: boolean): FilterFunction => filter([['case_sensitive', false], ['attribute', null]], (value, [caseSensitive, attribute], interpreter) => {
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
  });
  define(['max'], aggregate(true));
  define(['min'], aggregate(false));
  define(['pprint'], filter([], value => pformat(value)));
  define(['random'], () => { throw unsupported('The random filter (its result differs on every render)'); });
  define(['select'], (value, args, interpreter) => selectOrReject(value, args, interpreter, false, true));
  define(['reject'], (value, args, interpreter) => selectOrReject(value, args, interpreter, false, false));
  define(['selectattr'], (value, args, interpreter) => selectOrReject(value, args, interpreter, true, true));
  define(['rejectattr'], (value, args, interpreter) => selectOrReject(value, args, interpreter, true, false));
  define(['replace'], filter(['old', 'new', ['count', null]], (value, [old, replacement, count]) =>
    pyReplace(str(value), str(old!), str(replacement!), count === null ? -1 : toInt(count!, 'count'))));
  define(['reverse'], filter([], value => {
    if (typeof value === 'string') return Array.from(value).reverse().join('');
    if (value instanceof PyMarkup) return new PyMarkup(Array.from(value.text).reverse().join(''));
    if (Array.isArray(value) || value instanceof PyRange || value instanceof Map || value instanceof PyDictView) {
      const items = pyList(value).reverse();
      const typeName = Array.isArray(value) ? 'list_reverseiterator' : value instanceof PyRange ? 'range_iterator' : 'dict_reversekeyiterator';
      return new PyIterator(typeName, items);
    }
    if (isIterable(value)) return pyList(value).reverse();
    throw new TemplateError('runtime', 'FilterArgumentError: argument must be iterable');
  }));
  define(['round'], filter([['precision', 0], ['method', 'common']], (value, [precision, method]) => {
    if (method !== 'common' && method !== 'ceil' && method !== 'floor') throw new TemplateError('runtime', 'FilterArgumentError: method must be common, ceil or floor');
    const digits = toInt(precision!, 'precision');
    if (method === 'common') return pyRound(value, digits);
    if (!isNumber(value)) throw typeError(`unsupported operand type(s) for *: '${pyTypeName(value)}' and 'int'`);
    const factor = 10 ** digits;
    const scaled = toJsNumber(value) * factor;
    const rounded = method === 'ceil' ? Math.ceil(scaled) : Math.floor(scaled);
    return new PyFloat(rounded / factor);
  }));
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
  define(['sort'], filter([['reverse', false], ['case_sensitive', false], ['attribute', null]], (value, [reverse, caseSensitive, attribute], interpreter) => {
    const sensitive = pyTruthy(caseSensitive!);
    let key: (item: PyValue) => PyValue;
    if (typeof attribute === 'string' && attribute.includes(',')) {
      const getters = attribute.split(',').map(part => attributeGetter(interpreter, part, null, !sensitive));
      key = item => getters.map(get => get(item));
    } else key = keyGetter(interpreter, attribute!, sensitive);
    return sortedBy(pyList(value), key, pyTruthy(reverse!));
  }));
  define(['string'], filter([], value => str(value)));
  define(['striptags'], filter([], value => stripTags(str(value))));
  define(['sum'], filter([['attribute', null], ['start', 0]], (value, [attribute, start], interpreter) => {
    let items = pyList(value);
    if (attribute !== null) items = items.map(attributeGetter(interpreter, attribute!));
    return items.reduce<PyValue>((total, item) => binaryOperation('+', total, item), start!);
  }));
  define(['title'], filter([], value => wordTitle(str(value))));
  define(['tojson'], filter([['indent', null]], (value, [indentValue]) => {
    const indentText = indentValue === null ? null : typeof indentValue === 'string' ? indentValue : ' '.repeat(toInt(indentValue!, 'indent'));
    const json = pythonJsonDumps(value, indentText);
    return new PyMarkup(json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/'/g, '\\u0027'));
  }));
  define(['trim'], filter([['chars', null]], (value, [chars]) => pyStrip(str(value), chars!, 'both')));
  define(['truncate'], filter([['length', 255], ['killwords', false], ['end', '...'], ['leeway', null]], (value, [length, killwords, end, leeway]) =>
    truncate(value, length!, killwords!, end!, leeway!)));
  define(['unique'], filter([['case_sensitive', false], ['attribute', null]], (value, [caseSensitive, attribute], interpreter) => {
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
  }));
  define(['urlencode'], filter([], value => {
    if (typeof value === 'string' || value instanceof PyMarkup) return urlQuote(value, false);
    const pairs: PyValue[] = value instanceof Map ? [...new PyDictView('items', value)] : pyList(value);
    return pairs.map(pair => {
      const [k, v] = pyList(pair);
      return `${urlQuote(k!, true)}=${urlQuote(v!, true)}`;
    }).join('&');
  }));
  define(['urlize'], () => { throw unsupported('The urlize filter'); });
  define(['wordwrap'], () => { throw unsupported('The wordwrap filter (Python textwrap)'); });
  define(['wordcount'], filter([], value => (str(value).match(/[\p{L}\p{N}_]+/gu) ?? []).length));
  define(['xmlattr'], filter([['autospace', true]], (value, [autospace]) => xmlattr(value, autospace!)));

  // --- tests -------------------------------------------------------------------------------
  const test = (names: string[], signature: Signature, body: (value: PyValue, bound: PyValue[], interpreter: Interpreter) => boolean) => {
    const fn: TestFunction = (value, args, interpreter) => body(value, bindArgs(names[0]!, args, signature), interpreter);
    names.forEach(name => tests.set(name, fn));
  };
  const isCallable = (value: PyValue) => value instanceof PyCallable || value instanceof PyUndefined || (value instanceof PyObject && value.typeName === 'Macro');
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
  test(['lower'], [], value => { const s = str(value); return /\p{L}/u.test(s) && s === s.toLowerCase(); });
  test(['upper'], [], value => { const s = str(value); return /\p{L}/u.test(s) && s === s.toUpperCase(); });
  test(['sameas'], ['other'], (value, [other]) => {
    if (typeof value === 'string' && typeof other === 'string' && value === other && value.length > 1) {
      throw unsupported("'is sameas' on two equal strings (Python's answer depends on string interning)");
    }
    return value === other;
  });
  test(['escaped'], [], value => value instanceof PyMarkup);

  // --- globals -------------------------------------------------------------------------------
  globals.set('range', new PyCallable('range', ({ positional, keywords }) => {
    if (keywords.size) throw typeError('range() takes no keyword arguments');
    const numbers = positional.map(p => toInt(p, 'range'));
    if (!numbers.length || numbers.length > 3) throw typeError(`range expected at least 1 argument, got ${numbers.length}`);
    const [a = 0, b, c = 1] = numbers;
    if (c === 0) throw new TemplateError('runtime', 'ValueError: range() arg 3 must not be zero');
    return numbers.length === 1 ? new PyRange(0, a, 1) : new PyRange(a, b!, c);
  }, 'type', "<class 'range'>"));
  globals.set('dict', new PyCallable('dict', ({ positional, keywords }) => {
    const result = new Map<PyKey, PyValue>();
    const [source] = positional;
    if (source instanceof Map) for (const [k, v] of source) result.set(k, v);
    else if (source !== undefined) {
      for (const pair of pyIter(source)) {
        const items = pyList(pair);
        if (items.length !== 2) throw new TemplateError('runtime', `ValueError: dictionary update sequence element has length ${items.length}; 2 is required`);
        result.set(dictKey(items[0]!), items[1]!);
      }
    }
    for (const [k, v] of keywords) result.set(k, v);
    return result;
  }, 'type', "<class 'dict'>"));
  globals.set('namespace', new PyCallable('namespace', ({ positional, keywords }) => {
    const attributes = new Map<string, PyValue>();
    const [source] = positional;
    if (source instanceof Map) for (const [k, v] of source) attributes.set(pyStr(k as PyValue), v);
    for (const [k, v] of keywords) attributes.set(k, v);
    return new PyNamespace(attributes);
  }, 'type', "<class 'jinja2.utils.Namespace'>"));
  globals.set('cycler', new PyCallable('cycler', ({ positional }) => {
    if (!positional.length) throw new TemplateError('runtime', 'RuntimeError: at least one item has to be provided');
    let position = 0;
    const next = new PyCallable('next', () => {
      const value = positional[position]!;
      position = (position + 1) % positional.length;
      return value;
    });
    const reset = new PyCallable('reset', () => { position = 0; return null; });
    return new PyOpaque('Cycler', undefined, name => (name === 'current' ? positional[position]! : name === 'next' ? next : name === 'reset' ? reset : name === 'items' ? positional : undefined));
  }, 'type', "<class 'jinja2.utils.Cycler'>"));
  globals.set('joiner', new PyCallable('joiner', args => {
    const [separator] = bindArgs('joiner', args, [['sep', ', ']]);
    let used = false;
    return new PyCallable('joiner', (): PyValue => {
      if (!used) {
        used = true;
        return '';
      }
      return separator ?? null;
    }, 'Joiner');
  }, 'type', "<class 'jinja2.utils.Joiner'>"));
  globals.set('lipsum', new PyCallable('lipsum', () => { throw unsupported('lipsum() (random text)'); }));
  return { filters, tests, globals };
}

function makeGroup(grouper: PyValue, items: PyValue[]): PyValue[] {
  const group = tuple([grouper, items]);
  groupTuples.add(group);
  return group;
}

export { pySplit, PY_WHITESPACE, isUndefined };
