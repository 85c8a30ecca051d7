// Python's arithmetic, containment and comparison operators over PyValue.
import {
  PyFloat, PyMarkup, PyUndefined, type PyValue, TemplateError, dictGet, isInt, isNumber, isString, isTuple, makeInt,
  pyCompare, pyEquals, pyIter, pyStr, pyTypeName, toBigInt, toJsNumber, tuple, typeError, PyDictView, PyRange,
} from './pyValue';
import { percentFormat } from './pyFormat';

const OPERATOR_NAMES: Record<string, string> = { '+': '+', '-': '-', '*': '*', '/': '/', '//': '//', '%': '%', '**': '** or pow()' };

function unsupportedOperands(operator: string, a: PyValue, b: PyValue): TemplateError {
  return typeError(`unsupported operand type(s) for ${OPERATOR_NAMES[operator] ?? operator}: '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

function failIfUndefined(...values: PyValue[]): void {
  for (const value of values) if (value instanceof PyUndefined) value.fail();
}

type IntLike = number | bigint | boolean;

/** Integer arithmetic that stays exact past 2^53 (Python ints never overflow). */
function intOp(a: IntLike, b: IntLike, operator: string): PyValue {
  if (typeof a !== 'bigint' && typeof b !== 'bigint') {
    const x = Number(a), y = Number(b);
    let result: number;
    switch (operator) {
      case '+': result = x + y; break;
      case '-': result = x - y; break;
      case '*': result = x * y; break;
      default: result = NaN;
    }
    if (Number.isSafeInteger(result)) return result;
  }
  const x = toBigInt(a), y = toBigInt(b);
  switch (operator) {
    case '+': return makeInt(x + y);
    case '-': return makeInt(x - y);
    case '*': return makeInt(x * y);
    case '//': {
      if (y === 0n) throw new TemplateError('runtime', 'ZeroDivisionError: integer division or modulo by zero');
      const q = x / y;
      return makeInt((x % y !== 0n && (x < 0n) !== (y < 0n)) ? q - 1n : q);
    }
    case '%': {
      if (y === 0n) throw new TemplateError('runtime', 'ZeroDivisionError: integer modulo by zero');
      const r = x % y;
      return makeInt(r !== 0n && (r < 0n) !== (y < 0n) ? r + y : r);
    }
    case '**': {
      if (y < 0n) return new PyFloat(Number(x) ** Number(y));
      if (y > 100000n) throw new TemplateError('runtime', 'exponent too large to compute in a template preview');
      return makeInt(x ** y);
    }
  }
  throw new Error(`bad int operator ${operator}`);
}

function floatOp(x: number, y: number, operator: string): PyValue {
  switch (operator) {
    case '+': return new PyFloat(x + y);
    case '-': return new PyFloat(x - y);
    case '*': return new PyFloat(x * y);
    case '/':
      if (y === 0) throw new TemplateError('runtime', 'ZeroDivisionError: float division by zero');
      return new PyFloat(x / y);
    case '//':
      if (y === 0) throw new TemplateError('runtime', 'ZeroDivisionError: float floor division by zero');
      return new PyFloat(Math.floor(x / y));
    case '%': {
      if (y === 0) throw new TemplateError('runtime', 'ZeroDivisionError: float modulo');
      const r = x % y;
      return new PyFloat(r !== 0 && (r < 0) !== (y < 0) ? r + y : r === 0 ? (y < 0 ? -0 : 0) : r);
    }
    case '**': {
      if (x === 0 && y < 0) throw new TemplateError('runtime', 'ZeroDivisionError: 0.0 cannot be raised to a negative power');
      const result = x ** y;
      if (Number.isNaN(result) && !Number.isNaN(x) && !Number.isNaN(y)) throw unsupported('Raising a negative number to a fractional power (a complex result)');
      return new PyFloat(result);
    }
  }
  throw new Error(`bad float operator ${operator}`);
}

function unsupported(what: string): TemplateError {
  return new TemplateError('unsupported', `${what} is not supported by the preview renderer`);
}

function repeat(sequence: PyValue, count: IntLike): PyValue {
  const times = Math.max(0, Number(count));
  if (times > 10_000_000) throw new TemplateError('runtime', 'MemoryError: repetition too large');
  if (typeof sequence === 'string') return sequence.repeat(times);
  if (sequence instanceof PyMarkup) return new PyMarkup(sequence.text.repeat(times));
  const items = sequence as PyValue[];
  const result: PyValue[] = [];
  for (let i = 0; i < times; i++) result.push(...items);
  return isTuple(items) ? tuple(result) : result;
}

export function binaryOperation(operator: string, a: PyValue, b: PyValue): PyValue {
  failIfUndefined(a, b);
  if (isNumber(a) && isNumber(b)) {
    if (operator === '/') {
      const y = toJsNumber(b);
      if (y === 0) throw new TemplateError('runtime', 'ZeroDivisionError: division by zero');
      return new PyFloat(toJsNumber(a) / y);
    }
    if (isInt(a) && isInt(b)) return intOp(a, b, operator);
    return floatOp(toJsNumber(a), toJsNumber(b), operator);
  }
  switch (operator) {
    case '+':
      if (isString(a) && isString(b)) {
        if (a instanceof PyMarkup) return new PyMarkup(a.text + (b instanceof PyMarkup ? b.text : escapeHtml(b as string)));
        if (b instanceof PyMarkup) return new PyMarkup(escapeHtml(a as string) + b.text);
        return (a as string) + (b as string);
      }
      if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
        return isTuple(a) ? tuple([...a, ...b]) : [...a, ...b];
      }
      if (typeof a === 'string') throw typeError(`can only concatenate str (not "${pyTypeName(b)}") to str`);
      if (Array.isArray(a)) throw typeError(`can only concatenate ${isTuple(a) ? 'tuple' : 'list'} (not "${pyTypeName(b)}") to ${isTuple(a) ? 'tuple' : 'list'}`);
      break;
    case '*':
      if ((isString(a) || Array.isArray(a)) && isInt(b)) return repeat(a, b);
      if ((isString(b) || Array.isArray(b)) && isInt(a)) return repeat(b, a);
      if (isString(a) || Array.isArray(a)) throw typeError(`can't multiply sequence by non-int of type '${pyTypeName(b)}'`);
      break;
    case '%':
      if (typeof a === 'string') return percentFormat(a, b);
      if (a instanceof PyMarkup) return new PyMarkup(percentFormat(a.text, b));
      break;
  }
  throw unsupportedOperands(operator, a, b);
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}

export function unaryOperation(operator: '-' | '+', value: PyValue): PyValue {
  failIfUndefined(value);
  if (isInt(value)) {
    const big = typeof value === 'bigint';
    if (operator === '+') return typeof value === 'boolean' ? Number(value) : value;
    return big ? makeInt(-value) : Number(value) === 0 ? 0 : -Number(value);
  }
  if (value instanceof PyFloat) return operator === '+' ? value : new PyFloat(-value.value);
  throw typeError(`bad operand type for unary ${operator}: '${pyTypeName(value)}'`);
}

/** `needle in haystack`. */
export function contains(haystack: PyValue, needle: PyValue): boolean {
  if (typeof haystack === 'string' || haystack instanceof PyMarkup) {
    if (!isString(needle)) throw typeError(`'in <string>' requires string as left operand, not ${pyTypeName(needle)}`);
    return pyStr(haystack).includes(pyStr(needle));
  }
  if (haystack instanceof Map) return dictGet(haystack, needle) !== undefined;
  if (haystack instanceof PyRange) {
    if (!isInt(needle) && !(needle instanceof PyFloat)) return false;
    const n = toJsNumber(needle);
    const { start, step, length } = haystack;
    const offset = (n - start) / step;
    return Number.isInteger(offset) && offset >= 0 && offset < length;
  }
  if (haystack instanceof PyDictView && haystack.kind === 'keys') return dictGet(haystack.dict, needle) !== undefined;
  if (haystack instanceof PyUndefined) haystack.fail();
  if (haystack === null || typeof haystack !== 'object' || haystack instanceof PyFloat) {
    throw typeError(`argument of type '${pyTypeName(haystack)}' is not iterable`);
  }
  for (const item of pyIter(haystack)) if (pyEquals(item, needle)) return true;
  return false;
}

export function compare(operator: string, a: PyValue, b: PyValue): boolean {
  switch (operator) {
    case '==': return pyEquals(a, b);
    case '!=': return !pyEquals(a, b);
    case 'in': return contains(b, a);
    case 'notin': return !contains(b, a);
  }
  failIfUndefined(a, b);
  const order = pyCompare(a, b, operator);
  switch (operator) {
    case '<': return order < 0;
    case '<=': return order <= 0;
    case '>': return order > 0;
    case '>=': return order >= 0;
  }
  throw new Error(`bad comparison ${operator}`);
}
