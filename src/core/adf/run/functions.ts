// The implementations of ADF's expression functions (the catalogue of ../expressions/functions.ts),
// with the semantics of Microsoft's reference "Expressions and functions in Azure Data Factory and
// Azure Synapse Analytics" and of the engine behind it (the Logic Apps workflow definition
// language), checked case by case against that engine where it runs (see test/unit/adf/run/).
// Context functions (pipeline(), activity(), item(), …) and the lazy ones (if, and, or, coalesce)
// are evaluated by evaluate.ts; everything here receives evaluated, fully known arguments.

import {
  INT64_MAX,
  INT64_MIN,
  adfEquals,
  compareStringsIgnoreCase,
  deepEquals,
  fromJson,
  isNumber,
  numericCompare,
  stringify,
  typeName,
  ValueTooLargeError,
  type AdfObject,
  type AdfValue,
} from './values';
import {
  DateError,
  addTime,
  cultureOf,
  formatRoundTrip,
  formatTimestamp,
  parseTimeUnit,
  parseTimestamp,
  partsOf,
  TICKS_PER_DAY,
  TICKS_PER_HOUR,
  TICKS_PER_MINUTE,
  TICKS_PER_SECOND,
  ticksOf,
  utcToZone,
  zoneOf,
  zoneToUtc,
  type Timestamp,
} from './dates';
import { isUtcZone } from './timeZones';
import { parseLenientJson } from './json';
import { jsonToXml, parseXml, xmlToJson, xpath, XmlError } from './xml';

/** Size limits of values built by expressions; past them evaluation stops with an error. */
export interface EvalLimits {
  /** Characters of a string (concat, replace, interpolation, JSON text). */
  maxStringLength: number;
  /** Items of an array (range, union, split, createArray). */
  maxArrayLength: number;
}

export const DEFAULT_EVAL_LIMITS: EvalLimits = Object.freeze({ maxStringLength: 4_000_000, maxArrayLength: 100_000 });

/** What a function call can reach besides its arguments. */
export interface CallEnvironment {
  now(): Timestamp;
  newGuid(): string;
  random(min: bigint, maxExclusive: bigint): bigint;
  limits: EvalLimits;
}

/** An evaluation error: the message (ADF's wording where it has one) and where. */
export class EvalFailure extends Error {
  constructor(
    message: string,
    readonly span: { start: number; end: number },
  ) {
    super(message);
  }
}

export interface Call {
  /** The function's canonical name. */
  name: string;
  args: AdfValue[];
  env: CallEnvironment;
  fail(message: string): never;
}

type Impl = (c: Call) => AdfValue;

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
const ordinal = (i: number) => ORDINALS[i] ?? `${i + 1}th`;

function expectation(c: Call, i: number, what: string): never {
  return c.fail(
    `The function '${c.name}' expects its ${ordinal(i)} parameter to be ${what}. The provided value is of type '${typeName(c.args[i] ?? null)}'.`,
  );
}

function str(c: Call, i: number): string {
  const v = c.args[i];
  if (typeof v !== 'string') expectation(c, i, 'a string');
  return v;
}

function optStr(c: Call, i: number): string | undefined {
  return c.args.length > i ? str(c, i) : undefined;
}

function int(c: Call, i: number): bigint {
  const v = c.args[i];
  if (typeof v !== 'bigint') expectation(c, i, 'an integer');
  return v;
}

function num(c: Call, i: number): bigint | number {
  const v = c.args[i] ?? null;
  if (!isNumber(v)) expectation(c, i, 'an integer or a decimal number');
  return v;
}

function bool(c: Call, i: number): boolean {
  const v = c.args[i];
  if (typeof v !== 'boolean') expectation(c, i, 'a boolean');
  return v;
}

function arr(c: Call, i: number): AdfValue[] {
  const v = c.args[i];
  if (!Array.isArray(v)) expectation(c, i, 'an array');
  return v;
}

function checkString(c: Call, s: string): string {
  if (s.length > c.env.limits.maxStringLength)
    c.fail(
      `The function '${c.name}' would return a string of ${s.length} characters, more than the dry run's limit of ${c.env.limits.maxStringLength}.`,
    );
  return s;
}

function checkArray(c: Call, a: AdfValue[]): AdfValue[] {
  if (a.length > c.env.limits.maxArrayLength)
    c.fail(
      `The function '${c.name}' would return an array of ${a.length} items, more than the dry run's limit of ${c.env.limits.maxArrayLength}.`,
    );
  return a;
}

function text(c: Call, v: AdfValue): string {
  try {
    return stringify(v, c.env.limits.maxStringLength);
  } catch (e) {
    if (e instanceof ValueTooLargeError)
      c.fail(
        `The function '${c.name}' would build a string longer than the dry run's limit of ${c.env.limits.maxStringLength} characters.`,
      );
    throw e;
  }
}

function checkedInt(c: Call, v: bigint): bigint {
  if (v < INT64_MIN || v > INT64_MAX)
    c.fail(`The function '${c.name}' overflowed: the result is outside the range of 64-bit integers.`);
  return v;
}

// ---- strings ----

/** Upper case one UTF-16 unit at a time, as .NET's invariant ToUpper does ('ß' stays 'ß'). */
function upperSimple(s: string): string {
  let out = '';
  for (const ch of s) {
    const u = ch.toUpperCase();
    out += [...u].length === 1 ? u : ch;
  }
  return out;
}

function lowerSimple(s: string): string {
  let out = '';
  for (const ch of s) {
    const l = ch.toLowerCase();
    out += [...l].length === 1 ? l : ch;
  }
  return out;
}

const WHITESPACE = /^[\s\u0085\u180e]+|[\s\u0085\u180e]+$/g;

function utf8Base64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

function decodeBase64Strict(c: Call, s: string): Buffer {
  const t = s.replace(/[\s]/g, '');
  if (t.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(t))
    c.fail(`The function '${c.name}' was invoked with a parameter that is not a valid base64 string.`);
  return Buffer.from(t, 'base64');
}

function decodeUtf8(c: Call, bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  } catch {
    return c.fail(`The function '${c.name}' could not decode the bytes as UTF-8 text.`);
  }
}

/** Uri.EscapeDataString: everything but A-Z a-z 0-9 - . _ ~ is percent-encoded (UTF-8). */
function escapeDataString(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, ch => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Uri.UnescapeDataString: %XX sequences decoded as UTF-8; invalid ones left as they are; '+' stays '+'. */
function unescapeDataString(s: string): string {
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, run => {
    try {
      return decodeURIComponent(run);
    } catch {
      // Decode what is valid byte by byte; leave the rest.
      const bytes = Buffer.from(
        run
          .split('%')
          .slice(1)
          .map(h => parseInt(h, 16)),
      );
      return new TextDecoder('utf-8').decode(bytes);
    }
  });
}

function binaryValue(base64: string, contentType = 'application/octet-stream'): AdfObject {
  return new Map<string, AdfValue>([
    ['$content-type', contentType],
    ['$content', base64],
  ]);
}

/** data:[<mediatype>][;base64],<data> */
function parseDataUri(c: Call, s: string): { contentType: string; bytes: Buffer } {
  const m = /^data:([^,]*?)(;base64)?,(.*)$/s.exec(s.trim());
  if (!m)
    c.fail(`The function '${c.name}' expects its first parameter to be a data URI (data:<media type>;base64,<data>).`);
  const contentType = m[1] || 'text/plain;charset=US-ASCII';
  const bytes = m[2] ? decodeBase64Strict(c, m[3]!) : Buffer.from(unescapeDataString(m[3]!), 'utf8');
  return { contentType, bytes };
}

// ---- numbers ----

/** Number parsing of the invariant culture (or a locale's separators): whitespace, sign, thousands separators, exponent. */
function parseNumberText(s: string, locale: string | undefined, allowFraction: boolean): number | bigint | undefined {
  let group = ',';
  let decimal = '.';
  if (locale !== undefined && locale !== '') {
    try {
      const parts = new Intl.NumberFormat(locale).formatToParts(12345.5);
      group = parts.find(p => p.type === 'group')?.value ?? ',';
      decimal = parts.find(p => p.type === 'decimal')?.value ?? '.';
    } catch {
      return undefined;
    }
  }
  const t = s.trim();
  if (allowFraction) {
    if (/^[+-]?(Infinity|∞)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
    if (/^NaN$/i.test(t)) return NaN;
  }
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\\s]/g, ch => (/\s/.test(ch) ? '\\s' : `\\${ch}`));
  const intPart = `\\d(?:\\d|${esc(group)})*`;
  const re = allowFraction
    ? new RegExp(`^([+-]?)(${intPart})?(?:${esc(decimal)}(\\d*))?(?:[eE]([+-]?\\d+))?$`)
    : new RegExp(`^([+-]?)(${intPart})$`);
  const m = re.exec(t);
  if (!m || (!m[2] && !m[3])) return undefined;
  const whole = (m[2] ?? '').split(group).join('');
  if (!allowFraction) return BigInt(`${m[1]}${whole}`);
  return Number(`${m[1]}${whole || '0'}.${m[3] ?? ''}${m[4] ? `e${m[4]}` : ''}`.replace(/\.(e|$)/, '$1'));
}

function arith(c: Call, op: 'add' | 'sub' | 'mul' | 'div' | 'mod'): AdfValue {
  const a = num(c, 0);
  const b = num(c, 1);
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    switch (op) {
      case 'add':
        return checkedInt(c, a + b);
      case 'sub':
        return checkedInt(c, a - b);
      case 'mul':
        return checkedInt(c, a * b);
      case 'div':
        if (b === 0n) c.fail('Attempted to divide by zero.');
        return checkedInt(c, a / b);
      case 'mod':
        if (b === 0n) c.fail('Attempted to divide by zero.');
        return a % b;
    }
  }
  const x = Number(a);
  const y = Number(b);
  switch (op) {
    case 'add':
      return x + y;
    case 'sub':
      return x - y;
    case 'mul':
      return x * y;
    case 'div':
      if (y === 0) c.fail('Attempted to divide by zero.');
      return x / y;
    case 'mod':
      if (y === 0) c.fail('Attempted to divide by zero.');
      return x % y;
  }
}

function extreme(c: Call, pick: 1 | -1): AdfValue {
  const values = c.args.length === 1 && Array.isArray(c.args[0]) ? c.args[0] : c.args;
  if (values.length === 0) c.fail(`The function '${c.name}' expects a non-empty array or at least one number.`);
  let best: bigint | number | undefined;
  let anyFloat = false;
  values.forEach((v, i) => {
    if (!isNumber(v)) c.fail(`The function '${c.name}' expects numbers; item ${i + 1} is of type '${typeName(v)}'.`);
    if (typeof v === 'number') anyFloat = true;
    if (best === undefined || numericCompare(v, best) === pick) best = v;
  });
  return anyFloat ? Number(best) : best!;
}

// ---- collections ----

function sizeOf(c: Call, v: AdfValue, i: number): number {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) return v.length;
  return expectation(c, i, 'a string or an array');
}

function firstOrLast(c: Call, last: boolean): AdfValue {
  const v = c.args[0] ?? null;
  if (typeof v === 'string') return v.length === 0 ? '' : last ? v[v.length - 1]! : v[0]!;
  if (Array.isArray(v)) return v.length === 0 ? null : last ? v[v.length - 1]! : v[0]!;
  return expectation(c, 0, 'a string or an array');
}

function skipTake(c: Call, take: boolean): AdfValue {
  const v = c.args[0] ?? null;
  const n = int(c, 1);
  if (n < 0n) c.fail(`The function '${c.name}' expects its second parameter to be a non-negative integer.`);
  const k = n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
  if (typeof v === 'string') return take ? v.slice(0, k) : v.slice(k);
  if (Array.isArray(v)) return take ? v.slice(0, k) : v.slice(k);
  return expectation(c, 0, 'a string or an array');
}

function dedupe(items: AdfValue[]): AdfValue[] {
  const out: AdfValue[] = [];
  for (const x of items) if (!out.some(y => deepEquals(x, y))) out.push(x);
  return out;
}

function setOperation(c: Call, union: boolean): AdfValue {
  if (c.args.length < 2) c.fail(`The function '${c.name}' expects at least two collections.`);
  const first = c.args[0] ?? null;
  if (Array.isArray(first)) {
    const arrays = c.args.map((_, i) => arr(c, i));
    if (union) return checkArray(c, dedupe(arrays.flat()));
    return dedupe(arrays[0]!).filter(x => arrays.slice(1).every(a => a.some(y => deepEquals(x, y))));
  }
  if (first instanceof Map) {
    const objects = c.args.map((v, i) => (v instanceof Map ? v : expectation(c, i, 'an object, as the first one is')));
    if (union) {
      const out: AdfObject = new Map();
      for (const o of objects) for (const [k, v] of o) out.set(k, v);
      return out;
    }
    const out: AdfObject = new Map();
    for (const [k, v] of objects[objects.length - 1]!) {
      if (objects.every(o => o.has(k) && deepEquals(o.get(k)!, v))) out.set(k, v);
    }
    return out;
  }
  return expectation(c, 0, 'an array or an object');
}

// ---- dates ----

function timestamp(c: Call, i: number): Timestamp {
  const s = str(c, i);
  try {
    return parseTimestamp(s, c.env.now());
  } catch (e) {
    if (e instanceof DateError)
      c.fail(`The function '${c.name}' expects its ${ordinal(i)} parameter to be a timestamp: ${e.message}`);
    throw e;
  }
}

function dated<T>(c: Call, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof DateError) c.fail(`The function '${c.name}' failed: ${e.message}`);
    throw e;
  }
}

/** A timestamp as a date function returns it: the round-trip form, or the given format. */
function formatted(c: Call, t: Timestamp, formatIndex: number, locale?: string): string {
  if (c.args.length <= formatIndex) return formatRoundTrip(t);
  const format = str(c, formatIndex);
  return dated(c, () => formatTimestamp(t, format, cultureOf(locale)));
}

function addUnit(c: Call, unitTicks: bigint): AdfValue {
  const t = timestamp(c, 0);
  const n = int(c, 1);
  return formatted(
    c,
    dated(c, () => ({ ticks: checkTicks(t.ticks + n * unitTicks), kind: t.kind })),
    2,
  );
}

function checkTicks(ticks: bigint): bigint {
  if (ticks < 0n || ticks > 3155378975999999999n)
    throw new DateError('The added or subtracted value results in an un-representable DateTime.');
  return ticks;
}

function addInterval(
  c: Call,
  base: Timestamp,
  intervalIndex: number,
  unitIndex: number,
  formatIndex: number,
  sign: 1n | -1n,
): AdfValue {
  const n = int(c, intervalIndex);
  const unitName = str(c, unitIndex);
  const unit = parseTimeUnit(unitName);
  if (!unit)
    c.fail(
      `The function '${c.name}' expects a time unit of Second, Minute, Hour, Day, Week, Month or Year, not '${unitName}'.`,
    );
  return formatted(
    c,
    dated(c, () => addTime(base, n * sign, unit)),
    formatIndex,
  );
}

function startOf(c: Call, unit: 'day' | 'hour' | 'month'): AdfValue {
  const t = timestamp(c, 0);
  let ticks: bigint;
  if (unit === 'day') ticks = t.ticks - (t.ticks % TICKS_PER_DAY);
  else if (unit === 'hour') ticks = t.ticks - (t.ticks % TICKS_PER_HOUR);
  else {
    const p = partsOf(t.ticks);
    ticks = ticksOf(p.year, p.month, 1);
  }
  return formatted(c, { ticks, kind: t.kind }, 1);
}

/**
 * The engine converts with .NET's TimeZoneInfo, which refuses a UTC (or converted) timestamp whose
 * source zone is not UTC.
 */
function convert(c: Call, t: Timestamp, source: string, destination: string, formatIndex: number): AdfValue {
  const from = dated(c, () => zoneOf(source));
  const to = dated(c, () => zoneOf(destination));
  if (t.kind !== 'unspecified' && !isUtcZone(from.iana)) {
    c.fail(
      `The function '${c.name}' failed: the timestamp is in UTC (it has 'Z' or an offset), so its source time zone must be UTC, not '${source}'.`,
    );
  }
  const utc = dated(c, () => zoneToUtc(t.ticks, from.iana));
  const local = dated(c, () => utcToZone(utc, to.iana));
  return formatted(c, { ticks: local, kind: isUtcZone(to.iana) ? 'utc' : 'unspecified' }, formatIndex);
}

function nowPlus(c: Call, sign: 1n | -1n): AdfValue {
  return addInterval(c, c.env.now(), 0, 1, 2, sign);
}

// ---- xml ----

function xmlArg(c: Call, i: number): string {
  const v = c.args[i] ?? null;
  if (typeof v === 'string') return v;
  if (v instanceof Map) {
    const type = v.get('$content-type');
    const content = v.get('$content');
    if (typeof type === 'string' && type.toLowerCase().startsWith('application/xml') && typeof content === 'string')
      return Buffer.from(content, 'base64').toString('utf8');
  }
  return expectation(c, i, 'an XML value or a string of XML');
}

function withXml<T>(c: Call, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof XmlError) c.fail(`The function '${c.name}' failed: ${e.message}`);
    throw e;
  }
}

const XML_CONTENT_TYPE = 'application/xml;charset=utf-8';

// ---- the table ----

const IMPLEMENTATIONS: Record<string, Impl> = {
  // string functions
  concat: c => checkString(c, c.args.map(v => text(c, v)).join('')),
  endswith: c => upperSimple(str(c, 0)).endsWith(upperSimple(str(c, 1))),
  guid: c => {
    const format = optStr(c, 0) ?? 'D';
    const g = c.env.newGuid();
    const hex = g.replace(/-/g, '');
    switch (format) {
      case 'N':
        return hex;
      case 'D':
        return g;
      case 'B':
        return `{${g}}`;
      case 'P':
        return `(${g})`;
      case 'X': {
        const b = hex
          .slice(16)
          .match(/../g)!
          .map(x => `0x${x}`)
          .join(',');
        return `{0x${hex.slice(0, 8)},0x${hex.slice(8, 12)},0x${hex.slice(12, 16)},{${b}}}`;
      }
      default:
        return c.fail(`The function 'guid' expects a format of N, D, B, P or X, not '${format}'.`);
    }
  },
  indexof: c => BigInt(upperSimple(str(c, 0)).indexOf(upperSimple(str(c, 1)))),
  lastindexof: c => {
    const s = str(c, 0);
    const search = str(c, 1);
    if (search === '') return BigInt(Math.max(0, s.length - 1));
    return BigInt(upperSimple(s).lastIndexOf(upperSimple(search)));
  },
  replace: c => {
    const s = str(c, 0);
    const old = str(c, 1);
    const replacement = str(c, 2);
    if (old === '') c.fail("The function 'replace' expects its second parameter to be a non-empty string.");
    return checkString(c, s.split(old).join(replacement));
  },
  split: c => {
    const s = str(c, 0);
    const d = str(c, 1);
    return checkArray(c, d === '' ? [s] : s.split(d));
  },
  startswith: c => upperSimple(str(c, 0)).startsWith(upperSimple(str(c, 1))),
  substring: c => {
    const s = str(c, 0);
    const start = int(c, 1);
    const length = c.args.length > 2 ? int(c, 2) : BigInt(s.length) - start;
    if (start < 0n || length < 0n || start >= BigInt(s.length) || start + length > BigInt(s.length)) {
      c.fail(
        "The function 'substring' parameters are out of range: 'start index' and 'length' must be " +
          'non-negative integers and their sum must be no larger than the length of the string.',
      );
    }
    return s.slice(Number(start), Number(start + length));
  },
  tolower: c => lowerSimple(str(c, 0)),
  toupper: c => upperSimple(str(c, 0)),
  trim: c => str(c, 0).replace(WHITESPACE, ''),

  // collection functions
  contains: c => {
    const collection = c.args[0] ?? null;
    const v = c.args[1] ?? null;
    if (typeof collection === 'string') {
      if (typeof v !== 'string') expectation(c, 1, 'a string, as the first one is a string');
      return collection.includes(v);
    }
    if (Array.isArray(collection)) return collection.some(x => deepEquals(x, v));
    if (collection instanceof Map) {
      if (typeof v !== 'string') expectation(c, 1, 'a string (a property name), as the first one is an object');
      const lower = v.toLowerCase();
      for (const k of collection.keys()) if (k.toLowerCase() === lower) return true;
      return false;
    }
    return expectation(c, 0, 'a string, an array or an object');
  },
  empty: c => {
    const v = c.args[0] ?? null;
    if (v === null) return true;
    if (typeof v === 'string' || Array.isArray(v)) return v.length === 0;
    if (v instanceof Map) return v.size === 0;
    return expectation(c, 0, 'a string, an array, an object or null');
  },
  first: c => firstOrLast(c, false),
  intersection: c => setOperation(c, false),
  join: c => {
    const items = arr(c, 0);
    const d = str(c, 1);
    return checkString(c, items.map(v => text(c, v)).join(d));
  },
  last: c => firstOrLast(c, true),
  length: c => BigInt(sizeOf(c, c.args[0] ?? null, 0)),
  skip: c => skipTake(c, false),
  take: c => skipTake(c, true),
  union: c => setOperation(c, true),

  // logical functions (if, and, or: evaluate.ts)
  equals: c => adfEquals(c.args[0] ?? null, c.args[1] ?? null),
  greater: c => compare(c) > 0,
  greaterorequals: c => compare(c) >= 0,
  less: c => compare(c) < 0,
  lessorequals: c => compare(c) <= 0,
  not: c => !bool(c, 0),

  // conversion functions (coalesce: evaluate.ts)
  // array(x) wraps one value; an array is returned as it is (array(createArray(1)) is [1]).
  array: c => (Array.isArray(c.args[0]) ? c.args[0] : [c.args[0] ?? null]),
  base64: c => utf8Base64(str(c, 0)),
  base64tobinary: c => {
    const s = str(c, 0);
    decodeBase64Strict(c, s);
    return binaryValue(s);
  },
  base64tostring: c => decodeUtf8(c, decodeBase64Strict(c, str(c, 0))),
  binary: c => binaryValue(utf8Base64(str(c, 0))),
  bool: c => {
    const v = c.args[0] ?? null;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'bigint') return v !== 0n;
    if (typeof v === 'number') return v !== 0;
    if (typeof v === 'string') {
      const t = v.trim().toLowerCase();
      if (t === 'true') return true;
      if (t === 'false') return false;
      return c.fail(
        `The function 'bool' was invoked with a parameter that is not valid: '${v}' is neither true nor false.`,
      );
    }
    return expectation(c, 0, 'a boolean, a number or a string');
  },
  createarray: c => checkArray(c, [...c.args]),
  datauri: c => `data:text/plain;charset=utf-8;base64,${utf8Base64(str(c, 0))}`,
  datauritobinary: c => {
    const { contentType, bytes } = parseDataUri(c, str(c, 0));
    return binaryValue(bytes.toString('base64'), contentType);
  },
  datauritostring: c => decodeUtf8(c, parseDataUri(c, str(c, 0)).bytes),
  decodebase64: c => decodeUtf8(c, decodeBase64Strict(c, str(c, 0))),
  decodedatauri: c => {
    const { contentType, bytes } = parseDataUri(c, str(c, 0));
    return binaryValue(bytes.toString('base64'), contentType);
  },
  decodeuricomponent: c => unescapeDataString(str(c, 0)),
  encodeuricomponent: c => escapeDataString(str(c, 0)),
  float: c => {
    const v = c.args[0] ?? null;
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'string') {
      const parsed = parseNumberText(v, optStr(c, 1), true);
      if (parsed === undefined)
        c.fail(`The function 'float' was invoked with a parameter that is not valid: '${v}' is not a number.`);
      return Number(parsed);
    }
    return expectation(c, 0, 'a string or a number');
  },
  int: c => {
    const v = c.args[0] ?? null;
    if (typeof v === 'bigint') return v;
    if (typeof v === 'boolean') return v ? 1n : 0n;
    if (typeof v === 'number') {
      if (!Number.isInteger(v))
        c.fail(`The function 'int' was invoked with a parameter that is not valid: ${v} is not a whole number.`);
      return checkedInt(c, BigInt(v));
    }
    if (typeof v === 'string') {
      const parsed = parseNumberText(v, undefined, false);
      if (parsed === undefined)
        c.fail(
          `The function 'int' was invoked with a parameter that is not valid. The value '${v}' cannot be converted to the target type 'Integer'.`,
        );
      return checkedInt(c, parsed as bigint);
    }
    return expectation(c, 0, 'a string or a number');
  },
  json: c => {
    const v = c.args[0] ?? null;
    if (typeof v === 'string') {
      const r = parseLenientJson(v);
      if (!r.ok)
        return c.fail(
          `The function 'json' parameter is not valid. The provided value '${v.length > 80 ? `${v.slice(0, 77)}...` : v}' cannot be parsed: ${r.message}`,
        );
      return r.value;
    }
    if (v instanceof Map) {
      const xml = withXml(c, () => xmlArg(c, 0));
      return withXml(c, () => fromJson(xmlToJson(parseXml(xml))));
    }
    return expectation(c, 0, 'a string or an XML value');
  },
  string: c => text(c, c.args[0] ?? null),
  uricomponent: c => escapeDataString(str(c, 0)),
  uricomponenttobinary: c => binaryValue(Buffer.from(unescapeDataString(str(c, 0)), 'utf8').toString('base64')),
  uricomponenttostring: c => unescapeDataString(str(c, 0)),
  xml: c => {
    const v = c.args[0] ?? null;
    let source: string;
    if (typeof v === 'string') {
      source = v;
      withXml(c, () => parseXml(source));
    } else if (v instanceof Map) {
      source = withXml(c, () => jsonToXml(v));
    } else return expectation(c, 0, 'a string or an object');
    return binaryValue(Buffer.from(source, 'utf8').toString('base64'), XML_CONTENT_TYPE);
  },
  xpath: c => {
    const source = xmlArg(c, 0);
    const expression = str(c, 1);
    return withXml(c, () =>
      xpath(parseXml(source), expression, node =>
        binaryValue(Buffer.from(node, 'utf8').toString('base64'), XML_CONTENT_TYPE),
      ),
    );
  },

  // math functions
  add: c => arith(c, 'add'),
  div: c => arith(c, 'div'),
  max: c => extreme(c, 1),
  min: c => extreme(c, -1),
  mod: c => arith(c, 'mod'),
  mul: c => arith(c, 'mul'),
  rand: c => {
    const min = int(c, 0);
    const max = int(c, 1);
    if (min > max) c.fail("The function 'rand' expects its minimum value to be no greater than its maximum value.");
    return min === max ? min : c.env.random(min, max);
  },
  range: c => {
    const start = int(c, 0);
    const count = int(c, 1);
    if (count < 0n)
      c.fail("The function 'range' expects its second parameter (the count) to be a non-negative integer.");
    if (count > 100000n) c.fail("The function 'range' expects a count of at most 100000.");
    if (start < -2147483648n || start + count - 1n > 2147483647n)
      c.fail("The function 'range' expects the items of the range to be 32-bit integers.");
    const out: AdfValue[] = [];
    for (let i = 0n; i < count; i++) out.push(start + i);
    return checkArray(c, out);
  },
  sub: c => arith(c, 'sub'),

  // date functions
  adddays: c => addUnit(c, TICKS_PER_DAY),
  addhours: c => addUnit(c, TICKS_PER_HOUR),
  addminutes: c => addUnit(c, TICKS_PER_MINUTE),
  addseconds: c => addUnit(c, TICKS_PER_SECOND),
  addtotime: c => addInterval(c, timestamp(c, 0), 1, 2, 3, 1n),
  convertfromutc: c => convert(c, utcOf(timestamp(c, 0)), 'UTC', str(c, 1), 2),
  converttimezone: c => convert(c, timestamp(c, 0), str(c, 1), str(c, 2), 3),
  converttoutc: c => {
    const t = timestamp(c, 0);
    const source = str(c, 1);
    const from = dated(c, () => zoneOf(source));
    if (t.kind !== 'unspecified' && !isUtcZone(from.iana)) {
      c.fail(
        `The function 'convertToUtc' failed: the timestamp is already in UTC (it has 'Z' or an offset), so its source time zone must be UTC, not '${source}'.`,
      );
    }
    const utc = dated(c, () => zoneToUtc(t.ticks, from.iana));
    return formatted(c, { ticks: utc, kind: 'utc' }, 2);
  },
  dayofmonth: c => BigInt(partsOf(timestamp(c, 0).ticks).day),
  dayofweek: c => BigInt(partsOf(timestamp(c, 0).ticks).dayOfWeek),
  dayofyear: c => BigInt(partsOf(timestamp(c, 0).ticks).dayOfYear),
  formatdatetime: c => {
    const t = timestamp(c, 0);
    if (c.args.length > 1 && c.args[1] === null) expectation(c, 1, 'a string');
    return formatted(c, t, 1, optStr(c, 2));
  },
  getfuturetime: c => nowPlus(c, 1n),
  getpasttime: c => nowPlus(c, -1n),
  startofday: c => startOf(c, 'day'),
  startofhour: c => startOf(c, 'hour'),
  startofmonth: c => startOf(c, 'month'),
  subtractfromtime: c => addInterval(c, timestamp(c, 0), 1, 2, 3, -1n),
  ticks: c => timestamp(c, 0).ticks,
  utcnow: c => formatted(c, c.env.now(), 0),
};

/** convertFromUtc reads its timestamp as UTC whatever its kind. */
function utcOf(t: Timestamp): Timestamp {
  return { ticks: t.ticks, kind: 'unspecified' };
}

function compare(c: Call): number {
  const a = c.args[0] ?? null;
  const b = c.args[1] ?? null;
  if (isNumber(a) && isNumber(b)) return numericCompare(a, b);
  if (typeof a === 'string' && typeof b === 'string') return compareStringsIgnoreCase(a, b);
  return c.fail(
    `The function '${c.name}' expects two numbers or two strings; it was given values of types '${typeName(a)}' and '${typeName(b)}'.`,
  );
}

/** The implementation of a (non-context, non-lazy) function, by lower-case name. */
export function implementationOf(lowerName: string): Impl | undefined {
  return Object.prototype.hasOwnProperty.call(IMPLEMENTATIONS, lowerName) ? IMPLEMENTATIONS[lowerName] : undefined;
}

/** Functions that inspect only the shape of their arguments, so unknown items inside do not make the result unknown. */
export const SHAPE_ONLY_FUNCTIONS: ReadonlySet<string> = new Set([
  'createarray',
  'array',
  'length',
  'first',
  'last',
  'skip',
  'take',
  'empty',
]);
