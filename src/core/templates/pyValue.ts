// Python's value model, as Jinja2 templates see it. JavaScript has one number type and no
// None/tuple/Undefined, so values carry just enough extra shape to print, compare and compute
// exactly like CPython: ints are JS numbers (or bigints beyond 2^53), floats are PyFloat, tuples
// are tagged arrays, dicts are Maps, and Jinja2's Undefined is a class of its own.

import { isPyPrintable } from './pyUnicode';
import { MAX_INT_DIGITS, MAX_ITEMS, StringBuilder, charge, checkItems, itemsError } from './limits';

export type PyValue = null | boolean | number | bigint | string | PyFloat | PyValue[] | Map<PyKey, PyValue> | PyObject;

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
  constructor(
    readonly kind: TemplateErrorKind,
    message: string,
    line?: number,
  ) {
    super(message);
    if (line !== undefined) this.line = line;
  }
}

export const typeError = (message: string) => new TemplateError('type', message);
export const unsupported = (what: string) =>
  new TemplateError(
    'unsupported',
    `${what} is not supported by the preview renderer (it cannot reproduce Jinja2's output exactly)`,
  );

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
  /** As Python keeps them (ints: numbers when they are safe, bigints else). */
  readonly start: number | bigint;
  readonly stop: number | bigint;
  readonly step: number | bigint;
  /** Ranges are at most MAX_RANGE long (range() checks it; slices are shorter). */
  readonly length: number;
  /** Every item is a safe integer: iterate with numbers. */
  private readonly small: boolean;
  constructor(start: bigint, stop: bigint, step: bigint) {
    super();
    this.start = makeInt(start);
    this.stop = makeInt(stop);
    this.step = makeInt(step);
    this.length = Number(rangeLength(start, stop, step));
    const last = start + BigInt(Math.max(0, this.length - 1)) * step;
    this.small = typeof this.start === 'number' && typeof this.step === 'number' && typeof makeInt(last) === 'number';
  }
  /** The item at a non-negative index below length. */
  at(index: number): number | bigint {
    if (this.small) return (this.start as number) + index * (this.step as number);
    return makeInt(toBigInt(this.start) + BigInt(index) * toBigInt(this.step));
  }
  *[Symbol.iterator](): Iterator<number | bigint> {
    if (this.small) {
      const start = this.start as number,
        step = this.step as number;
      for (let i = 0; i < this.length; i++) yield start + i * step;
      return;
    }
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }
}

/** len(range(start, stop, step)), exactly (CPython's compute_range_length). */
export function rangeLength(start: bigint, stop: bigint, step: bigint): bigint {
  if (step > 0n) return start < stop ? (stop - start - 1n) / step + 1n : 0n;
  return start > stop ? (start - stop - 1n) / -step + 1n : 0n;
}

export class PyDictView extends PyObject {
  constructor(
    readonly kind: 'keys' | 'values' | 'items',
    readonly dict: Map<PyKey, PyValue>,
  ) {
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
  constructor(
    readonly typeName: string,
    private readonly source: Iterable<PyValue>,
  ) {
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
export const isNumber = (value: PyValue): value is number | bigint | boolean | PyFloat =>
  isInt(value) || value instanceof PyFloat;
export const isString = (value: PyValue): value is string | PyMarkup =>
  typeof value === 'string' || value instanceof PyMarkup;

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
  const out = new StringBuilder();
  stringReprInto(text, out);
  return out.toString();
}

/** CPython's unicode_repr: printable characters as they are, others escaped. */
function stringReprInto(text: string, out: StringBuilder): void {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let run = 0; // start of the characters not yet written, kept as they are
  let opened = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code < 0x7f && code !== 0x27 && code !== 0x22 && code !== 0x5c) continue;
    let escape: string | undefined;
    let width = 1;
    if (code === 0x27 || code === 0x22) escape = text[i] === quote ? '\\' + quote : undefined;
    else if (code === 0x5c) escape = '\\\\';
    else if (code === 0x0a) escape = '\\n';
    else if (code === 0x0d) escape = '\\r';
    else if (code === 0x09) escape = '\\t';
    else if (code < 0x20 || code === 0x7f) escape = '\\x' + hex(code, 2);
    else {
      const point = text.codePointAt(i)!;
      width = point > 0xffff ? 2 : 1;
      if (!isPyPrintable(point))
        escape =
          point <= 0xff ? '\\x' + hex(point, 2) : point <= 0xffff ? '\\u' + hex(point, 4) : '\\U' + hex(point, 8);
    }
    if (escape === undefined) {
      i += width - 1;
      continue;
    }
    if (!opened) {
      out.push(quote);
      opened = true;
    }
    if (run < i) out.push(text.slice(run, i));
    out.push(escape);
    run = i + width;
    i += width - 1;
  }
  if (!opened) return out.push(quote + text + quote); // nothing to escape: the common case
  if (run < text.length) out.push(text.slice(run));
  out.push(quote);
}

const hex = (code: number, digits: number) => code.toString(16).padStart(digits, '0');

/** Python's repr(). Throws 'unsupported' where CPython would print a memory address. */
export function pyRepr(value: PyValue): string {
  switch (typeof value) {
    case 'boolean':
      return value ? 'True' : 'False';
    case 'number':
      return Number.isInteger(value) ? String(value) : pyFloatRepr(value); // non-integers are floats that lost their wrapper
    case 'bigint':
      return intToDecimal(value);
  }
  if (value === null) return 'None';
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  const out = new StringBuilder();
  reprInto(value, out);
  return out.toString();
}

/** str() of an int: CPython (3.11 and later) refuses more than 4300 digits. */
const SMALL_INT = 1n << 64n;

export function intToDecimal(value: bigint): string {
  // Every int a template prints is small: one conversion (this runs for each int output).
  if (value < SMALL_INT && value > -SMALL_INT) return value.toString();
  const magnitude = value < 0n ? -value : value;
  // 14,300 bits are more than 4,300 digits: refuse before converting (it is quadratic).
  const text = magnitude.toString(16).length * 4 > 14300 ? undefined : value.toString();
  if (text === undefined || text.length - (value < 0n ? 1 : 0) > MAX_INT_DIGITS) {
    throw new TemplateError(
      'runtime',
      `ValueError: Exceeds the limit (${MAX_INT_DIGITS} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit`,
    );
  }
  return text;
}

/** repr() into a builder, so that a list of big strings fails at MAX_STRING, before it is built. */
function reprInto(value: PyValue, out: StringBuilder): void {
  if (typeof value === 'string') return stringReprInto(value, out);
  if (Array.isArray(value)) {
    out.push(isTuple(value) ? '(' : '[');
    for (let i = 0; i < value.length; i++) {
      if (i) out.push(', ');
      reprInto(value[i]!, out);
    }
    out.push(isTuple(value) ? (value.length === 1 ? ',)' : ')') : ']');
    return;
  }
  if (value instanceof Map) return dictReprInto(value, out);
  if (value instanceof PyMarkup) {
    out.push('Markup(');
    stringReprInto(value.text, out);
    out.push(')');
    return;
  }
  if (value instanceof PyDictView) {
    out.push(`${value.typeName}([`);
    let first = true;
    for (const item of value) {
      if (!first) out.push(', ');
      first = false;
      reprInto(item, out);
    }
    out.push('])');
    return;
  }
  if (value instanceof PyNamespace) {
    out.push('<Namespace ');
    dictReprInto(value.attributes as Map<PyKey, PyValue>, out);
    out.push('>');
    return;
  }
  if (value === null || typeof value !== 'object' || value instanceof PyFloat) return out.push(pyRepr(value));
  if (value instanceof PyUndefined) return out.push('Undefined');
  if (value instanceof PyRange) {
    const step = value.step === 1 ? '' : `, ${pyRepr(value.step)}`;
    return out.push(`range(${pyRepr(value.start)}, ${pyRepr(value.stop)}${step})`);
  }
  const reprText = (value as { reprText?: unknown }).reprText;
  if (typeof reprText === 'string') return out.push(reprText);
  if (value instanceof PyOpaque && typeof value.reprText === 'function') return out.push(value.reprText());
  throw unsupported(`Printing a ${value.typeName} object (Jinja2 prints its memory address; add |list or |join?)`);
}

function dictReprInto(dict: Map<PyKey, PyValue>, out: StringBuilder): void {
  out.push('{');
  let first = true;
  for (const [key, value] of dict) {
    if (!first) out.push(', ');
    first = false;
    reprInto(key as PyValue, out);
    out.push(': ');
    reprInto(value, out);
  }
  out.push('}');
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

/** text[start:stop:step] by code points, as Python slices a str (start and stop unclamped, or null). */
export function sliceString(text: string, start: number | null, stop: number | null, step: number): string {
  const length = stringLength(text);
  const [from, to] = sliceBounds(length, start, stop, step);
  const count = step > 0 ? Math.max(0, Math.ceil((to - from) / step)) : Math.max(0, Math.ceil((from - to) / -step));
  if (!count) return '';
  // Offsets of code points in UTF-16 units, only when the text has characters beyond U+FFFF.
  const offsets = length === text.length ? undefined : codePointOffsets(text, length);
  if (step === 1) return offsets ? text.slice(offsets[from], offsets[to]) : text.slice(from, to);
  const out = new StringBuilder();
  if (offsets) {
    for (let n = 0, i = from; n < count; n++, i += step) out.push(text.slice(offsets[i], offsets[i + 1]));
    return out.toString();
  }
  // UTF-16 units, a few thousand at a time.
  const codes = new Uint16Array(Math.min(count, 4096));
  for (let n = 0, i = from; n < count;) {
    let k = 0;
    for (; k < codes.length && n < count; k++, n++, i += step) codes[k] = text.charCodeAt(i);
    out.push(
      String.fromCharCode.apply(
        null,
        k === codes.length ? (codes as unknown as number[]) : (codes.subarray(0, k) as unknown as number[]),
      ),
    );
  }
  return out.toString();
}

/** slice.indices(length): the first index and the bound, clamped as CPython does. */
export function sliceBounds(length: number, start: number | null, stop: number | null, step: number): [number, number] {
  const clamp = (value: number | null, fallback: number, low: number, high: number) => {
    if (value === null) return fallback;
    const v = value < 0 ? value + length : value;
    return Math.min(Math.max(v, low), high);
  };
  if (step > 0) return [clamp(start, 0, 0, length), clamp(stop, length, 0, length)];
  return [clamp(start, length - 1, -1, length - 1), clamp(stop, -1, -1, length - 1)];
}

/** The UTF-16 offset of every code point, and of the end. */
function codePointOffsets(text: string, length: number): Uint32Array {
  const offsets = new Uint32Array(length + 1);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    offsets[n++] = i;
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  offsets[n] = text.length;
  return offsets;
}

/** text[index] by code points (negative from the end); undefined when out of range. */
export function codePointAtIndex(text: string, index: number): string | undefined {
  const length = stringLength(text);
  const i = index < 0 ? index + length : index;
  if (i < 0 || i >= length) return undefined;
  if (length === text.length) return text[i];
  let offset = 0;
  for (let n = 0; n < i; n++) offset += text.codePointAt(offset)! > 0xffff ? 2 : 1;
  return String.fromCodePoint(text.codePointAt(offset)!);
}

/** The UTF-16 offset where code point `index` starts (index clamped to the text). */
export function codePointOffset(text: string, index: number): number {
  let offset = 0;
  for (let n = 0; n < index && offset < text.length; n++) offset += text.codePointAt(offset)! > 0xffff ? 2 : 1;
  return offset;
}

export function stringLength(text: string): number {
  // Python counts code points; JS strings count UTF-16 units.
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--;
        i++;
      }
    }
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
  return (
    typeof value === 'string' ||
    Array.isArray(value) ||
    value instanceof Map ||
    value instanceof PyMarkup ||
    value instanceof PyRange ||
    value instanceof PyDictView ||
    value instanceof PyUndefined
  );
}

export function isIterable(value: PyValue): boolean {
  return hasLength(value) || value instanceof PyIterator;
}

/** iter(); strings iterate by code point, dicts by key. */
export function pyIter(value: PyValue): Iterable<PyValue> {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return value; // JS strings iterate by code point, as Python's do
  if (value instanceof Map) return value.keys() as Iterable<PyValue>;
  if (value instanceof PyRange || value instanceof PyDictView || value instanceof PyIterator) return value;
  if (value instanceof PyMarkup) return value.text;
  if (value instanceof PyUndefined) return [];
  if (value instanceof PyNamespace) throw typeError("'Namespace' object is not iterable");
  throw typeError(`'${pyTypeName(value)}' object is not iterable`);
}

/** list(value): a new list, never longer than MAX_ITEMS. */
export function pyList(value: PyValue): PyValue[] {
  if (Array.isArray(value)) {
    if (value.length > 4096) charge(value.length);
    return value.slice();
  }
  if (value instanceof PyRange) {
    const items = new Array<PyValue>(value.length);
    for (let i = 0; i < value.length; i++) items[i] = value.at(i);
    if (items.length > 4096) charge(items.length);
    return items;
  }
  if (hasLength(value)) checkItems(pyLen(value));
  const items: PyValue[] = [];
  for (const item of pyIter(value)) {
    if (items.length >= MAX_ITEMS) throw itemsError();
    items.push(item);
  }
  if (items.length > 4096) charge(items.length);
  return items;
}

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
  if (a instanceof PyRange && b instanceof PyRange) {
    // CPython compares ranges as sequences: same length, same first item, same step when it matters.
    if (a.length !== b.length) return false;
    if (a.length === 0) return true;
    return pyEquals(a.start, b.start) && (a.length === 1 || pyEquals(a.step, b.step));
  }
  return false;
}

/** Ordering for <, sort, min, max; throws CPython's TypeError for unorderable pairs. */
export function pyCompare(a: PyValue, b: PyValue, operator = '<'): number {
  if (isNumber(a) && isNumber(b)) {
    if (typeof a === 'bigint' || typeof b === 'bigint') {
      if (!(a instanceof PyFloat) && !(b instanceof PyFloat)) {
        const x = toBigInt(a as number),
          y = toBigInt(b as number);
        return x < y ? -1 : x > y ? 1 : 0;
      }
    }
    const x = toJsNumber(a),
      y = toJsNumber(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (isString(a) && isString(b)) {
    const x = pyStr(a),
      y = pyStr(b);
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
    for (const [candidate, value] of dict)
      if (candidate instanceof PyFloat && candidate.value === key.value) return value;
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
