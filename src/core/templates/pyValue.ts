// Python's value model, as Jinja2 templates see it. JavaScript has one number type and no
// None/tuple/Undefined, so values carry just enough extra shape to print, compare and compute
// exactly like CPython: ints are JS numbers (or bigints beyond 2^53), floats are PyFloat, tuples
// are tagged arrays, dicts are Maps, and Jinja2's Undefined is a class of its own.

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyFloat
  | PyValue[]
  | Map<PyKey, PyValue>
  | PyObject;

/** Dict keys: what a JS Map can compare by value. */
export type PyKey = string | number | bigint | boolean | null | PyValue;

/** Objects with Python behaviour: Undefined, Markup, callables, range, views, iterators… */
export abstract class PyObject {
  abstract readonly typeName: string;
}

/** A Python float. Kept apart from ints so that 2.0 prints as "2.0", as CPython does. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export type TemplateErrorKind = 'syntax' | 'undefined' | 'type' | 'unsupported' | 'security' | 'timeout' | 'runtime';

/** A template failure; the renderer adds the file and line it happened at. */
export class TemplateError extends Error {
  file?: string;
  line?: number;
  column?: number;
  constructor(readonly kind: TemplateErrorKind, message: string, line?: number) {
    super(message);
    if (line !== undefined) this.line = line;
  }
}

export const typeError = (message: string) => new TemplateError('type', message);
export const unsupported = (what: string) =>
  new TemplateError('unsupported', `${what} is not supported by the preview renderer (it cannot reproduce Jinja2's output exactly)`);

// ---------------------------------------------------------------------------------------------
// Tuples: arrays tagged in a WeakSet, so they iterate and index at array speed.

const tuples = new WeakSet<PyValue[]>();
export function tuple(items: PyValue[]): PyValue[] {
  tuples.add(items);
  return items;
}
export const isTuple = (value: unknown): value is PyValue[] => Array.isArray(value) && tuples.has(value);
export const isList = (value: unknown): value is PyValue[] => Array.isArray(value) && !tuples.has(value);

// ---------------------------------------------------------------------------------------------
// Jinja2's default Undefined: prints as '', iterates as empty, is falsy; anything more raises.

export class PyUndefined extends PyObject {
  readonly typeName = 'Undefined';
  constructor(
    readonly name: string | PyValue,
    /** The object the attribute or item was missing on; absent for an undefined variable. */
    readonly owner?: { value: PyValue },
    readonly hint?: string,
  ) {
    super();
  }
  get message(): string {
    if (this.hint) return this.hint;
    if (!this.owner) return `${typeof this.name === 'string' ? pyRepr(this.name) : pyRepr(this.name)} is undefined`;
    if (typeof this.name !== 'string') return `${objectTypeRepr(this.owner.value)} has no element ${pyRepr(this.name)}`;
    return `${pyRepr(objectTypeRepr(this.owner.value))} has no attribute ${pyRepr(this.name)}`;
  }
  fail(): never {
    throw new TemplateError('undefined', this.message);
  }
}
export const isUndefined = (value: unknown): value is PyUndefined => value instanceof PyUndefined;

/** Jinja2's object_type_repr: "dict object", "None", "int object". */
export function objectTypeRepr(value: PyValue): string {
  if (value === null) return 'None';
  return `${pyTypeName(value)} object`;
}

// ---------------------------------------------------------------------------------------------
// Markup: what |safe, |escape and |tojson return. With autoescape off it prints as its text.

export class PyMarkup extends PyObject {
  readonly typeName = 'Markup';
  constructor(readonly text: string) {
    super();
  }
}

// ---------------------------------------------------------------------------------------------
// Callables: built-in functions, bound methods, macros.

export interface CallArgs {
  positional: PyValue[];
  keywords: Map<string, PyValue>;
}

export class PyCallable extends PyObject {
  readonly typeName: string;
  constructor(
    readonly name: string,
    readonly invoke: (args: CallArgs) => PyValue,
    typeName = 'builtin_function_or_method',
    /** How CPython prints it, when that is deterministic. */
    readonly reprText?: string,
  ) {
    super();
    this.typeName = typeName;
  }
}

// ---------------------------------------------------------------------------------------------
// Lazy sequences: range(), dict views and the generators filters like map() return.

export class PyRange extends PyObject {
  readonly typeName = 'range';
  constructor(readonly start: number, readonly stop: number, readonly step: number) {
    super();
  }
  get length(): number {
    const { start, stop, step } = this;
    if (step > 0) return stop > start ? Math.ceil((stop - start) / step) : 0;
    return start > stop ? Math.ceil((start - stop) / -step) : 0;
  }
  *[Symbol.iterator](): Iterator<number> {
    const { start, stop, step } = this;
    if (step > 0) for (let i = start; i < stop; i += step) yield i;
    else for (let i = start; i > stop; i += step) yield i;
  }
}

export class PyDictView extends PyObject {
  constructor(readonly kind: 'keys' | 'values' | 'items', readonly dict: Map<PyKey, PyValue>) {
    super();
  }
  get typeName(): string {
    return `dict_${this.kind}`;
  }
  *[Symbol.iterator](): Iterator<PyValue> {
    for (const [key, value] of this.dict) {
      if (this.kind === 'keys') yield key as PyValue;
      else if (this.kind === 'values') yield value;
      else yield tuple([key as PyValue, value]);
    }
  }
}

/** A one-pass iterator (Python generator / reverse iterator): CPython prints its address. */
export class PyIterator extends PyObject {
  private consumed = false;
  constructor(readonly typeName: string, private readonly source: Iterable<PyValue>) {
    super();
  }
  *[Symbol.iterator](): Iterator<PyValue> {
    if (this.consumed) return; // a Python generator yields nothing the second time
    this.consumed = true;
    yield* this.source;
  }
}

/** A dict subclass Jinja2 filters return; prints like a dict. */
export class PyNamespace extends PyObject {
  readonly typeName = 'Namespace';
  constructor(readonly attributes: Map<string, PyValue>) {
    super();
  }
}

/** Other runtime objects (cycler, joiner, loop, modules) whose repr we can state or refuse. */
export class PyOpaque extends PyObject {
  constructor(
    readonly typeName: string,
    /** How it prints; a function when that changes (the loop object). */
    readonly reprText: string | (() => string) | undefined,
    readonly attributes: (name: string) => PyValue | undefined,
  ) {
    super();
  }
}

// ---------------------------------------------------------------------------------------------
// Type names, as CPython's error messages spell them.

export function pyTypeName(value: PyValue): string {
  if (value === null) return 'NoneType';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
    case 'bigint':
      return 'int';
    case 'string':
      return 'str';
  }
  if (value instanceof PyFloat) return 'float';
  if (Array.isArray(value)) return isTuple(value) ? 'tuple' : 'list';
  if (value instanceof Map) return 'dict';
  return (value as PyObject).typeName;
}

export const isInt = (value: PyValue): value is number | bigint | boolean =>
  typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean';
export const isNumber = (value: PyValue): value is number | bigint | boolean | PyFloat => isInt(value) || value instanceof PyFloat;
export const isString = (value: PyValue): value is string | PyMarkup => typeof value === 'string' || value instanceof PyMarkup;

/** A number's value as a JS number (bool counts as int, as in Python). */
export function toJsNumber(value: number | bigint | boolean | PyFloat): number {
  if (value instanceof PyFloat) return value.value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return Number(value);
}

/** Normalises a computed integer: bigint when it no longer fits a double exactly. */
export function makeInt(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

export function toBigInt(value: number | bigint | boolean): bigint {
  if (typeof value === 'boolean') return value ? 1n : 0n;
  return typeof value === 'bigint' ? value : BigInt(value);
}

// ---------------------------------------------------------------------------------------------
// str() and repr().

export function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  // Shortest round-tripping digits (same algorithm as CPython's repr), then CPython's layout:
  // positional for exponents -4..15, scientific with a two-digit exponent otherwise.
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  const digits = mantissa.replace('.', '');
  const sign = value < 0 ? '-' : '';
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
    const integerPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    const fraction = digits.slice(exponent + 1);
    return `${sign}${integerPart}.${fraction || '0'}`;
  }
  const body = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const expSign = exponent < 0 ? '-' : '+';
  return `${sign}${body}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

export function pyStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === quote || char === '\\') out += '\\' + char;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else if (code >= 0x80 && code < 0xa0) out += '\\x' + code.toString(16).padStart(2, '0');
    else if (code === 0xad) out += '\\xad';
    else if ((code >= 0x2028 && code <= 0x2029) || (code >= 0xd800 && code <= 0xdfff)) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += char;
  }
  return out + quote;
}

/** Python's repr(). Throws 'unsupported' where CPython would print a memory address. */
export function pyRepr(value: PyValue): string {
  if (value === null) return 'None';
  switch (typeof value) {
    case 'boolean':
      return value ? 'True' : 'False';
    case 'number':
      return Number.isInteger(value) ? String(value) : pyFloatRepr(value); // non-integers are floats that lost their wrapper
    case 'bigint':
      return value.toString();
    case 'string':
      return pyStringRepr(value);
  }
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (Array.isArray(value)) {
    const inner = value.map(pyRepr).join(', ');
    if (isTuple(value)) return value.length === 1 ? `(${inner},)` : `(${inner})`;
    return `[${inner}]`;
  }
  if (value instanceof Map) return dictRepr(value);
  if (value instanceof PyUndefined) return 'Undefined';
  if (value instanceof PyMarkup) return `Markup(${pyStringRepr(value.text)})`;
  if (value instanceof PyRange) return value.step === 1 ? `range(${value.start}, ${value.stop})` : `range(${value.start}, ${value.stop}, ${value.step})`;
  if (value instanceof PyDictView) return `${value.typeName}([${[...value].map(pyRepr).join(', ')}])`;
  if (value instanceof PyNamespace) return `<Namespace ${dictRepr(value.attributes as Map<PyKey, PyValue>)}>`;
  const reprText = (value as { reprText?: unknown }).reprText;
  if (typeof reprText === 'string') return reprText;
  if (value instanceof PyOpaque && typeof value.reprText === 'function') return value.reprText();
  throw unsupported(`Printing a ${value.typeName} object (Jinja2 prints its memory address; add |list or |join?)`);
}

function dictRepr(dict: Map<PyKey, PyValue>): string {
  const parts: string[] = [];
  for (const [key, value] of dict) parts.push(`${pyRepr(key as PyValue)}: ${pyRepr(value)}`);
  return `{${parts.join(', ')}}`;
}

/** Python's str(), which is what {{ value }} prints. */
export function pyStr(value: PyValue): string {
  if (typeof value === 'string') return value;
  if (value instanceof PyUndefined) return '';
  if (value instanceof PyMarkup) return value.text;
  return pyRepr(value);
}

// ---------------------------------------------------------------------------------------------
// Truth, length, iteration, equality, ordering.

export function pyTruthy(value: PyValue): boolean {
  if (value === null) return false;
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'number':
      return value !== 0;
    case 'bigint':
      return value !== 0n;
    case 'string':
      return value.length > 0;
  }
  if (value instanceof PyFloat) return value.value !== 0; // NaN is truthy in Python too
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map) return value.size > 0;
  if (value instanceof PyUndefined) return false;
  if (value instanceof PyMarkup) return value.text.length > 0;
  if (value instanceof PyRange) return value.length > 0;
  if (value instanceof PyDictView) return value.dict.size > 0;
  return true;
}

export function stringLength(text: string): number {
  // Python counts code points; JS strings count UTF-16 units.
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) length--;
  }
  return length;
}

/** len(); throws TypeError like CPython for types without a length. */
export function pyLen(value: PyValue): number {
  if (typeof value === 'string') return stringLength(value);
  if (Array.isArray(value)) return value.length;
  if (value instanceof Map) return value.size;
  if (value instanceof PyMarkup) return stringLength(value.text);
  if (value instanceof PyRange) return value.length;
  if (value instanceof PyDictView) return value.dict.size;
  if (value instanceof PyNamespace) return value.attributes.size;
  if (value instanceof PyUndefined) return 0;
  throw typeError(`object of type '${pyTypeName(value)}' has no len()`);
}

export function hasLength(value: PyValue): boolean {
  return typeof value === 'string' || Array.isArray(value) || value instanceof Map || value instanceof PyMarkup ||
    value instanceof PyRange || value instanceof PyDictView || value instanceof PyUndefined;
}

export function isIterable(value: PyValue): boolean {
  return hasLength(value) || value instanceof PyIterator;
}

/** iter(); strings iterate by code point, dicts by key. */
export function pyIter(value: PyValue): Iterable<PyValue> {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return Array.from(value);
  if (value instanceof Map) return value.keys() as Iterable<PyValue>;
  if (value instanceof PyRange || value instanceof PyDictView || value instanceof PyIterator) return value;
  if (value instanceof PyMarkup) return Array.from(value.text);
  if (value instanceof PyUndefined) return [];
  if (value instanceof PyNamespace) throw typeError("'Namespace' object is not iterable");
  throw typeError(`'${pyTypeName(value)}' object is not iterable`);
}

export const pyList = (value: PyValue): PyValue[] => Array.from(pyIter(value));

export function pyEquals(a: PyValue, b: PyValue): boolean {
  if (a === b) return !(a instanceof PyFloat && Number.isNaN(a.value));
  if (isNumber(a) && isNumber(b)) {
    if (typeof a === 'bigint' || typeof b === 'bigint') {
      if (a instanceof PyFloat || b instanceof PyFloat) return toJsNumber(a) === toJsNumber(b);
      return toBigInt(a as number) === toBigInt(b as number);
    }
    return toJsNumber(a) === toJsNumber(b);
  }
  if (typeof a === 'string' || a instanceof PyMarkup) {
    if (typeof b === 'string' || b instanceof PyMarkup) return pyStr(a) === pyStr(b);
    return false;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (isTuple(a) !== isTuple(b) || a.length !== b.length) return false;
    return a.every((item, i) => pyEquals(item, b[i]!));
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [key, value] of a) {
      if (!b.has(key) || !pyEquals(value, b.get(key)!)) return false;
    }
    return true;
  }
  if (a instanceof PyUndefined && b instanceof PyUndefined) return true;
  if (a instanceof PyRange && b instanceof PyRange) return pyEquals(pyList(a), pyList(b));
  return false;
}

/** Ordering for <, sort, min, max; throws CPython's TypeError for unorderable pairs. */
export function pyCompare(a: PyValue, b: PyValue, operator = '<'): number {
  if (isNumber(a) && isNumber(b)) {
    if (typeof a === 'bigint' || typeof b === 'bigint') {
      if (!(a instanceof PyFloat) && !(b instanceof PyFloat)) {
        const x = toBigInt(a as number), y = toBigInt(b as number);
        return x < y ? -1 : x > y ? 1 : 0;
      }
    }
    const x = toJsNumber(a), y = toJsNumber(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (isString(a) && isString(b)) {
    const x = pyStr(a), y = pyStr(b);
    return x < y ? -1 : x > y ? 1 : 0; // UTF-16 order equals code point order outside the astral planes
  }
  if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!pyEquals(a[i]!, b[i]!)) return pyCompare(a[i]!, b[i]!, operator);
    }
    return a.length - b.length;
  }
  throw typeError(`'${operator}' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

/** A dict key: Python hashes 1, 1.0 and True alike; Map compares floats by identity. */
export function dictKey(key: PyValue): PyKey {
  if (key instanceof PyFloat) return Number.isInteger(key.value) ? key.value : key;
  if (typeof key === 'boolean') return key ? 1 : 0;
  if (key instanceof PyMarkup) return key.text;
  if (Array.isArray(key) && !isTuple(key)) throw typeError("unhashable type: 'list'");
  if (key instanceof Map) throw typeError("unhashable type: 'dict'");
  return key;
}

export function dictGet(dict: Map<PyKey, PyValue>, key: PyValue): PyValue | undefined {
  if (key instanceof PyFloat && !Number.isInteger(key.value)) {
    for (const [candidate, value] of dict) if (candidate instanceof PyFloat && candidate.value === key.value) return value;
    return undefined;
  }
  const normal = dictKey(key);
  const found = dict.get(normal);
  if (found !== undefined || dict.has(normal)) return found;
  if (typeof key === 'boolean') return dict.get(key); // a bool key stored as such
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Conversion of host values (JSON, YAML, JS objects) into Python values.

/** Turns plain JS data into Python values: objects become dicts, so no JS member is reachable. */
export function fromJs(value: unknown): PyValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return value;
    case 'number':
      return Number.isInteger(value) ? value : new PyFloat(value);
  }
  if (value instanceof PyFloat || value instanceof PyObject) return value as PyValue;
  if (Array.isArray(value)) return isTuple(value) ? tuple(value.map(fromJs)) : value.map(fromJs);
  if (value instanceof Map) {
    const dict = new Map<PyKey, PyValue>();
    for (const [key, item] of value) dict.set(dictKey(fromJs(key)), fromJs(item));
    return dict;
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const dict = new Map<PyKey, PyValue>();
    for (const key of Object.keys(value)) dict.set(key, fromJs((value as Record<string, unknown>)[key]));
    return dict;
  }
  return null; // functions and symbols never reach templates
}
