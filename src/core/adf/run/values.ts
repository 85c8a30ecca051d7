// The values of ADF's expression language, as its engine (the Logic Apps workflow definition
// language, on .NET and Newtonsoft JSON) has them: null, booleans, strings, integers (64-bit; kept
// as bigint so they stay exact and distinct from floats: div(11, 5) is 2, div(11.0, 5) is 2.2),
// floats (JS numbers), arrays and objects (insertion-ordered maps whose property lookup ignores
// case, as ADF's does), plus Unknown: a value a dry run does not know (an activity's output the
// caller did not describe), which carries the source text of the expression that produced it.

export class Unknown {
  constructor(
    /** The source text of the sub-expression whose value is unknown, e.g. activity('x').output.firstRow. */
    readonly text: string,
    /** For strings built from known and unknown parts (interpolation, concat): the text with those parts as ‹…›. */
    readonly display?: string,
    /** The expression with its known parts replaced by their values, e.g. addMinutes(activity('x').output.t, -60). */
    readonly expr?: string,
  ) {}

  /** How a report shows it: the partial rendering, or ‹expression›. */
  render(): string {
    return this.display ?? `‹${this.expr ?? this.text}›`;
  }

  /** The expression form, for an enclosing expression's rendering. */
  expression(): string {
    return this.expr ?? this.text;
  }
}

export type AdfObject = Map<string, AdfValue>;
export type AdfValue = null | boolean | string | bigint | number | AdfValue[] | AdfObject | Unknown;

export const isObject = (v: AdfValue): v is AdfObject => v instanceof Map;
export const isUnknown = (v: AdfValue): v is Unknown => v instanceof Unknown;
export const isInteger = (v: AdfValue): v is bigint => typeof v === 'bigint';
export const isFloat = (v: AdfValue): v is number => typeof v === 'number';
export const isNumber = (v: AdfValue): v is bigint | number => typeof v === 'bigint' || typeof v === 'number';

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** The engine's name for a value's type, as its error messages say it. */
export function typeName(v: AdfValue): string {
  if (v === null) return 'Null';
  if (typeof v === 'boolean') return 'Boolean';
  if (typeof v === 'string') return 'String';
  if (typeof v === 'bigint') return 'Integer';
  if (typeof v === 'number') return 'Float';
  if (Array.isArray(v)) return 'Array';
  if (v instanceof Unknown) return 'Unknown';
  return 'Object';
}

/** Case-insensitive property lookup (an exact match first), as ADF's expressions read JSON. */
export function getProperty(obj: AdfObject, name: string): { key: string; value: AdfValue } | undefined {
  const exact = obj.get(name);
  if (exact !== undefined) return { key: name, value: exact };
  const lower = name.toLowerCase();
  for (const [k, v] of obj) if (k.toLowerCase() === lower) return { key: k, value: v };
  return undefined;
}

/** True when v holds an Unknown anywhere (bounded by the value's size). */
export function containsUnknown(v: AdfValue): boolean {
  if (v instanceof Unknown) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v instanceof Map) {
    for (const x of v.values()) if (containsUnknown(x)) return true;
  }
  return false;
}

/** The first Unknown inside v, depth first. */
export function firstUnknown(v: AdfValue): Unknown | undefined {
  if (v instanceof Unknown) return v;
  if (Array.isArray(v)) {
    for (const x of v) {
      const u = firstUnknown(x);
      if (u) return u;
    }
  } else if (v instanceof Map) {
    for (const x of v.values()) {
      const u = firstUnknown(x);
      if (u) return u;
    }
  }
  return undefined;
}

// ---- from and to plain JSON ----

/** A JSON-shaped value (what callers pass in and get back); `{ "$unknown": text }` stands for an Unknown. */
export type JsonLike = null | boolean | string | number | JsonLike[] | { [key: string]: JsonLike };

const UNKNOWN_KEY = '$unknown';

/**
 * A plain JSON value as an ADF value: integral numbers become integers (bigint), others floats.
 * `{ "$unknown": "text" }` becomes an Unknown. Recursion is bounded by the JSON's own depth.
 */
export function fromJson(v: unknown): AdfValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isInteger(v) && Number.isSafeInteger(v) ? BigInt(v) : v;
  if (v instanceof Unknown) return v;
  if (Array.isArray(v)) return v.map(fromJson);
  if (v instanceof Map) return v as AdfObject;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === UNKNOWN_KEY && typeof o[UNKNOWN_KEY] === 'string')
      return new Unknown(o[UNKNOWN_KEY] as string);
    const m: AdfObject = new Map();
    for (const k of keys) m.set(k, fromJson(o[k]));
    return m;
  }
  return String(v);
}

/**
 * An ADF value as plain JSON: integers as numbers (as strings past 2^53, so nothing is rounded),
 * Unknowns as `{ "$unknown": text }` (with `display` for a partly known string).
 */
export function toJson(v: AdfValue): JsonLike {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint')
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v instanceof Unknown) {
    return {
      [UNKNOWN_KEY]: v.text,
      ...(v.expr !== undefined && v.expr !== v.text ? { expression: v.expr } : {}),
      ...(v.display !== undefined ? { display: v.display } : {}),
    };
  }
  if (Array.isArray(v)) return v.map(toJson);
  const o: { [key: string]: JsonLike } = {};
  for (const [k, x] of v) o[k] = toJson(x);
  return o;
}

/**
 * A value written back as an expression (for the partly evaluated form of an unknown value):
 * 'text' with quotes doubled, numbers, true, false, null, json('…') for arrays and objects.
 */
export function expressionLiteral(v: AdfValue, max = 80): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'string') return `'${(v.length > max ? `${v.slice(0, max - 1)}…` : v).replace(/'/g, "''")}'`;
  if (v instanceof Unknown) return v.expression();
  let json: string;
  try {
    json = toJsonText(v, max * 4);
  } catch {
    json = '…';
  }
  if (json.length > max) json = `${json.slice(0, max - 1)}…`;
  return `json('${json.replace(/'/g, "''")}')`;
}

// ---- numbers as .NET prints them ----

/** Digits and decimal exponent of a finite non-zero double, shortest round trip or `precision` significant digits. */
function decompose(x: number, precision?: number): { negative: boolean; digits: string; exponent: number } {
  const s = precision === undefined ? Math.abs(x).toExponential() : Math.abs(x).toExponential(precision - 1);
  const [mantissa, exp] = s.split('e') as [string, string];
  let digits = mantissa.replace('.', '');
  digits = digits.replace(/0+$/, '') || '0';
  return { negative: x < 0, digits, exponent: Number(exp) };
}

/** .NET's layout of digits: fixed when -5 < exponent < 15, else d.dddE+XX (at least two exponent digits). */
function layout(negative: boolean, digits: string, exponent: number): string {
  let body: string;
  if (exponent >= 15 || exponent < -4) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exponent).toString().padStart(2, '0');
    body = `${mantissa}E${exponent < 0 ? '-' : '+'}${e}`;
  } else if (exponent < 0) {
    body = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  } else if (digits.length <= exponent + 1) {
    body = digits + '0'.repeat(exponent + 1 - digits.length);
  } else {
    body = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  }
  return negative ? `-${body}` : body;
}

/**
 * double.ToString() as ADF's engine prints a float in strings (interpolation, string(), concat()):
 * 15 significant digits ("G15"), scientific from 1E+15 and below 1E-04: 0.1 + 0.2 is "0.3",
 * 1.0 is "1", 1e16 is "1E+16", 0.00001 is "1E-05".
 */
export function formatFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return '0';
  const { negative, digits, exponent } = decompose(x, 15);
  return layout(negative, digits, exponent);
}

/**
 * A float in JSON as Newtonsoft writes it: shortest round trip, with ".0" when it would look like
 * an integer (1.0, 2.5, 1E+20, 1E-05).
 */
export function formatJsonFloat(x: number): string {
  if (!Number.isFinite(x)) return JSON.stringify(formatFloat(x));
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const { negative, digits, exponent } = decompose(x);
  const text = layout(negative, digits, exponent);
  return /[.E]/.test(text) ? text : `${text}.0`;
}

// ---- strings ----

/** A string in JSON as Newtonsoft escapes it: quotes, backslashes and control characters only. */
export function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) out += '\\"';
    else if (c === 92) out += '\\\\';
    else if (c < 32 || c === 0x85 || c === 0x2028 || c === 0x2029) {
      switch (c) {
        case 8:
          out += '\\b';
          break;
        case 9:
          out += '\\t';
          break;
        case 10:
          out += '\\n';
          break;
        case 12:
          out += '\\f';
          break;
        case 13:
          out += '\\r';
          break;
        default:
          out += `\\u${c.toString(16).padStart(4, '0')}`;
      }
    } else out += s[i];
  }
  return `${out}"`;
}

/** Thrown when a value grows past the evaluator's size limit while being built. */
export class ValueTooLargeError extends Error {}

/**
 * Compact JSON, as the engine serialises arrays and objects into strings (`@{createArray(1)}` is
 * `[1]`). Unknowns inside are written as ‹text›. `limit` bounds the output's length.
 */
export function toJsonText(v: AdfValue, limit = Number.POSITIVE_INFINITY): string {
  const parts: string[] = [];
  let size = 0;
  const push = (s: string) => {
    size += s.length;
    if (size > limit) throw new ValueTooLargeError(`the JSON text is longer than ${limit} characters`);
    parts.push(s);
  };
  // Iterative, so that deep values cannot overflow the stack.
  const stack: (AdfValue | { close: string } | { sep: string })[] = [v];
  while (stack.length) {
    const x = stack.pop()!;
    if (x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Map) && !(x instanceof Unknown)) {
      push('close' in x ? x.close : x.sep);
      continue;
    }
    const value = x as AdfValue;
    if (value === null) push('null');
    else if (typeof value === 'boolean') push(value ? 'true' : 'false');
    else if (typeof value === 'string') push(jsonString(value));
    else if (typeof value === 'bigint') push(value.toString());
    else if (typeof value === 'number') push(formatJsonFloat(value));
    else if (value instanceof Unknown) push(jsonString(value.render()));
    else if (Array.isArray(value)) {
      push('[');
      stack.push({ close: ']' });
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push(value[i]!);
        if (i > 0) stack.push({ sep: ',' });
      }
    } else {
      push('{');
      stack.push({ close: '}' });
      const entries = [...value];
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, x2] = entries[i]!;
        stack.push(x2);
        stack.push({ sep: `${i > 0 ? ',' : ''}${jsonString(k)}:` });
      }
    }
  }
  return parts.join('');
}

/**
 * A value as text, the way string(), concat() and `@{…}` write it: strings as they are, null as
 * '', booleans as True / False, numbers as .NET prints them, arrays and objects as compact JSON.
 */
export function stringify(v: AdfValue, limit?: number): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatFloat(v);
  if (v instanceof Unknown) return v.render();
  return toJsonText(v, limit);
}

// ---- equality and order ----

/**
 * equals(): numbers compare by value (1 equals 1.0); anything else by JSON deep equality, which
 * is type-strict inside arrays and objects ([1] is not [1.0]) and case-sensitive for strings and keys.
 */
export function adfEquals(a: AdfValue, b: AdfValue): boolean {
  if (isNumber(a) && isNumber(b)) return numericCompare(a, b) === 0;
  return deepEquals(a, b);
}

/** Newtonsoft's JToken.DeepEquals: type and value, recursively; object keys in any order. */
export function deepEquals(a: AdfValue, b: AdfValue): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === 'bigint' || typeof b === 'bigint' || typeof a === 'number' || typeof b === 'number') {
    return typeof a === typeof b && a === b;
  }
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Unknown || b instanceof Unknown) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEquals(a[i]!, b[i]!)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    if (!b.has(k)) return false;
    if (!deepEquals(v, b.get(k)!)) return false;
  }
  return true;
}

/** -1, 0 or 1; integers exactly, an integer against a float as doubles. */
export function numericCompare(a: bigint | number, b: bigint | number): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Ordinal comparison ignoring case, as the engine orders strings (greater('b', 'A') is true). */
export function compareStringsIgnoreCase(a: string, b: string): number {
  const x = a.toUpperCase();
  const y = b.toUpperCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
