// Python's arithmetic, containment and comparison operators over PyValue.
import {
  PyFloat,
  PyMarkup,
  PyUndefined,
  type PyValue,
  TemplateError,
  dictGet,
  isInt,
  isNumber,
  isString,
  isTuple,
  makeInt,
  pyCompare,
  pyEquals,
  pyIter,
  pyStr,
  pyTypeName,
  toBigInt,
  toJsNumber,
  tuple,
  typeError,
  PyDictView,
  PyRange,
} from './pyValue';
import { percentFormat } from './pyFormat';
import {
  MAX_INT_BITS,
  MAX_SSIZE,
  StringBuilder,
  bitLength,
  charge,
  checkItems,
  checkString,
  memoryError,
} from './limits';

const OPERATOR_NAMES: Record<string, string> = {
  '+': '+',
  '-': '-',
  '*': '*',
  '/': '/',
  '//': '//',
  '%': '%',
  '**': '** or pow()',
};

function unsupportedOperands(operator: string, a: PyValue, b: PyValue): TemplateError {
  return typeError(
    `unsupported operand type(s) for ${OPERATOR_NAMES[operator] ?? operator}: '${pyTypeName(a)}' and '${pyTypeName(b)}'`,
  );
}

function failIfUndefined(...values: PyValue[]): void {
  for (const value of values) if (value instanceof PyUndefined) value.fail();
}

type IntLike = number | bigint | boolean;

/** Integer arithmetic that stays exact past 2^53 (Python ints never overflow). */
function intOp(a: IntLike, b: IntLike, operator: string): PyValue {
  if (typeof a !== 'bigint' && typeof b !== 'bigint') {
    const x = Number(a),
      y = Number(b);
    let result: number;
    switch (operator) {
      case '+':
        result = x + y;
        break;
      case '-':
        result = x - y;
        break;
      case '*':
        result = x * y;
        break;
      default:
        result = NaN;
    }
    if (Number.isSafeInteger(result)) return result;
  }
  const x = toBigInt(a),
    y = toBigInt(b);
  switch (operator) {
    case '+':
      return makeInt(x + y);
    case '-':
      return makeInt(x - y);
    case '*':
      if (bitLength(x) + bitLength(y) > MAX_INT_BITS) throw intTooBig();
      return makeInt(x * y);
    case '//': {
      if (y === 0n) throw new TemplateError('runtime', 'ZeroDivisionError: integer division or modulo by zero');
      const q = x / y;
      return makeInt(x % y !== 0n && x < 0n !== y < 0n ? q - 1n : q);
    }
    case '%': {
      if (y === 0n) throw new TemplateError('runtime', 'ZeroDivisionError: integer modulo by zero');
      const r = x % y;
      return makeInt(r !== 0n && r < 0n !== y < 0n ? r + y : r);
    }
    case '**': {
      if (y < 0n) return new PyFloat(Number(x) ** Number(y));
      if (y > 100000n) throw new TemplateError('runtime', 'exponent too large to compute in a template preview');
      if (x !== 0n && x !== 1n && x !== -1n && (bitLength(x) - 1) * Number(y) > MAX_INT_BITS) throw intTooBig();
      return makeInt(x ** y);
    }
  }
  throw new Error(`bad int operator ${operator}`);
}

function intTooBig(): TemplateError {
  return memoryError(`the template computes an integer of more than ${MAX_INT_BITS.toLocaleString('en-US')} bits`);
}

function floatOp(x: number, y: number, operator: string): PyValue {
  switch (operator) {
    case '+':
      return new PyFloat(x + y);
    case '-':
      return new PyFloat(x - y);
    case '*':
      return new PyFloat(x * y);
    case '/':
      if (y === 0) throw new TemplateError('runtime', 'ZeroDivisionError: float division by zero');
      return new PyFloat(x / y);
    case '//':
      if (y === 0) throw new TemplateError('runtime', 'ZeroDivisionError: float floor division by zero');
      return new PyFloat(Math.floor(x / y));
    case '%': {
      if (y === 0) throw new TemplateError('runtime', 'ZeroDivisionError: float modulo');
      const r = x % y;
      return new PyFloat(r !== 0 && r < 0 !== y < 0 ? r + y : r === 0 ? (y < 0 ? -0 : 0) : r);
    }
    case '**': {
      if (x === 0 && y < 0)
        throw new TemplateError('runtime', 'ZeroDivisionError: 0.0 cannot be raised to a negative power');
      const result = x ** y;
      if (Number.isNaN(result) && !Number.isNaN(x) && !Number.isNaN(y))
        throw unsupported('Raising a negative number to a fractional power (a complex result)');
      return new PyFloat(result);
    }
  }
  throw new Error(`bad float operator ${operator}`);
}

function unsupported(what: string): TemplateError {
  return new TemplateError('unsupported', `${what} is not supported by the preview renderer`);
}

function repeat(sequence: PyValue, count: IntLike): PyValue {
  if (typeof count === 'bigint' && (count > MAX_SSIZE || count < -MAX_SSIZE - 1n)) {
    throw new TemplateError('runtime', "OverflowError: cannot fit 'int' into an index-sized integer");
  }
  const times = Math.max(0, Number(count));
  if (typeof sequence === 'string' || sequence instanceof PyMarkup) {
    const text = typeof sequence === 'string' ? sequence : sequence.text;
    if (text.length && times) {
      checkString(text.length * times); // before repeating
      charge(text.length * times);
    }
    return typeof sequence === 'string' ? text.repeat(times) : new PyMarkup(text.repeat(times));
  }
  const items = sequence as PyValue[];
  if (items.length && times) {
    checkItems(items.length * times, isTuple(items) ? 'tuple' : 'list');
    charge(items.length * times);
  }
  const result = new Array<PyValue>(items.length * times);
  for (let i = 0, n = 0; i < times; i++) for (const item of items) result[n++] = item;
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
        if (a instanceof PyMarkup)
          return new PyMarkup(concatenate(a.text, b instanceof PyMarkup ? b.text : escapeHtml(b as string)));
        if (b instanceof PyMarkup) return new PyMarkup(concatenate(escapeHtml(a as string), b.text));
        return concatenate(a as string, b as string);
      }
      if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
        checkItems(a.length + b.length, isTuple(a) ? 'tuple' : 'list');
        charge(a.length + b.length);
        const joined = a.concat(b);
        return isTuple(a) ? tuple(joined) : joined;
      }
      if (typeof a === 'string') throw typeError(`can only concatenate str (not "${pyTypeName(b)}") to str`);
      if (Array.isArray(a))
        throw typeError(
          `can only concatenate ${isTuple(a) ? 'tuple' : 'list'} (not "${pyTypeName(b)}") to ${isTuple(a) ? 'tuple' : 'list'}`,
        );
      break;
    case '*':
      if ((isString(a) || Array.isArray(a)) && isInt(b)) return repeat(a, b);
      if ((isString(b) || Array.isArray(b)) && isInt(a)) return repeat(b, a);
      if (isString(a) || Array.isArray(a))
        throw typeError(`can't multiply sequence by non-int of type '${pyTypeName(b)}'`);
      break;
    case '%':
      if (typeof a === 'string') return percentFormat(a, b);
      if (a instanceof PyMarkup) return new PyMarkup(percentFormat(a.text, b));
      break;
  }
  throw unsupportedOperands(operator, a, b);
}

/** a + b for strings, within MAX_STRING. */
export function concatenate(a: string, b: string): string {
  checkString(a.length + b.length);
  return a + b;
}

const HTML_SPECIAL = /[&<>"']/;
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/** markupsafe.escape: a scan, not chained replaces (each of those holds one part per match). */
export function escapeHtml(text: string): string {
  if (!HTML_SPECIAL.test(text)) return text;
  const out = new StringBuilder();
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const escape = HTML_ESCAPES[text[i]!];
    if (escape === undefined) continue;
    if (run < i) out.push(text.slice(run, i));
    out.push(escape);
    run = i + 1;
  }
  if (run < text.length) out.push(text.slice(run));
  return out.toString();
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
    // CPython: arithmetic for ints; other numbers compare equal to an item (2.0 in range(3)).
    let n: bigint;
    if (isInt(needle)) n = toBigInt(needle);
    else if (needle instanceof PyFloat && Number.isInteger(needle.value)) n = BigInt(needle.value);
    else return false;
    const start = toBigInt(haystack.start),
      step = toBigInt(haystack.step);
    const offset = n - start;
    return offset % step === 0n && offset / step >= 0n && offset / step < BigInt(haystack.length);
  }
  if (haystack instanceof PyDictView && haystack.kind === 'keys') return dictGet(haystack.dict, needle) !== undefined;
  // Jinja2's Undefined has no __contains__: Python's `in` falls back to its __iter__, which is empty.
  if (haystack instanceof PyUndefined) return false;
  if (haystack === null || typeof haystack !== 'object' || haystack instanceof PyFloat) {
    throw typeError(`argument of type '${pyTypeName(haystack)}' is not iterable`);
  }
  for (const item of pyIter(haystack)) if (pyEquals(item, needle)) return true;
  return false;
}

export function compare(operator: string, a: PyValue, b: PyValue): boolean {
  switch (operator) {
    case '==':
      return pyEquals(a, b);
    case '!=':
      return !pyEquals(a, b);
    case 'in':
      return contains(b, a);
    case 'notin':
      return !contains(b, a);
  }
  failIfUndefined(a, b);
  const order = pyCompare(a, b, operator);
  switch (operator) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
  throw new Error(`bad comparison ${operator}`);
}
