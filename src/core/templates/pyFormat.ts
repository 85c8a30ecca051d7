// CPython's number formatting ("%.2f" % x, "{:,.1f}".format(x), round()) done exactly: a
// double's exact decimal expansion is computed with BigInt and rounded half-even, as CPython
// does, where JS toFixed/toExponential round ties away from zero.
import {
  PyFloat,
  PyMarkup,
  type PyValue,
  TemplateError,
  dictGet,
  isInt,
  isNumber,
  isTuple,
  makeInt,
  pyRepr,
  pyStr,
  pyTypeName,
  toBigInt,
  toJsNumber,
  typeError,
  unsupported,
  stringLength,
  sliceString,
  intToDecimal,
} from './pyValue';
import { StringBuilder, checkString } from './limits';

/** The exact decimal value of a finite double: digits and the position of the decimal point. */
function exactDecimal(value: number): { digits: string; pointPosition: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(value));
  const bits = view.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & 0xfffffffffffffn;
  let exponent: number;
  if (exponentBits === 0) exponent = -1074;
  else {
    mantissa |= 1n << 52n;
    exponent = exponentBits - 1075;
  }
  if (exponent >= 0) return { digits: (mantissa << BigInt(exponent)).toString(), pointPosition: 0 };
  // m / 2^k = m * 5^k / 10^k
  const digits = (mantissa * 5n ** BigInt(-exponent)).toString();
  return { digits, pointPosition: -exponent };
}

/** Rounds |value| half-even to `fractionDigits` places; returns the digit string (no point). */
function roundedDigits(value: number, fractionDigits: number): { digits: string; fractionDigits: number } {
  const { digits, pointPosition } = exactDecimal(value);
  if (pointPosition <= fractionDigits) {
    return { digits: digits + '0'.repeat(fractionDigits - pointPosition), fractionDigits };
  }
  const cut = digits.length - (pointPosition - fractionDigits);
  const kept = cut > 0 ? digits.slice(0, cut) : '0';
  const rest = cut > 0 ? digits.slice(cut) : digits.padStart(digits.length - cut, '0');
  let roundUp = false;
  const firstDropped = rest.charCodeAt(0) - 48;
  if (firstDropped > 5) roundUp = true;
  else if (firstDropped === 5) {
    const tail = rest.slice(1);
    roundUp = /[1-9]/.test(tail) || Number(kept[kept.length - 1] ?? '0') % 2 === 1;
  }
  const result = roundUp ? (BigInt(kept) + 1n).toString() : BigInt(kept).toString();
  return { digits: result, fractionDigits };
}

export function formatFixed(value: number, precision: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  const { digits } = roundedDigits(value, precision);
  const padded = digits.padStart(precision + 1, '0');
  const integerPart = padded.slice(0, padded.length - precision);
  const fraction = padded.slice(padded.length - precision);
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  return sign + integerPart + (precision > 0 ? '.' + fraction : '');
}

export function formatExponent(value: number, precision: number, upper = false): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  // The exact decimal digits, cut to precision+1 significant digits and rounded half-even.
  const { digits, pointPosition } = exactDecimal(value);
  let exponent = value === 0 ? 0 : digits.length - 1 - pointPosition;
  const keep = precision + 1;
  let mantissa = digits.slice(0, keep).padEnd(keep, '0');
  const rest = digits.slice(keep);
  const firstDropped = rest.length ? rest.charCodeAt(0) - 48 : 0;
  if (
    firstDropped > 5 ||
    (firstDropped === 5 && (/[1-9]/.test(rest.slice(1)) || Number(mantissa[mantissa.length - 1]) % 2 === 1))
  ) {
    mantissa = (BigInt(mantissa) + 1n).toString();
    if (mantissa.length > keep) {
      mantissa = mantissa.slice(0, keep);
      exponent++;
    }
  }
  const body = precision > 0 ? `${mantissa[0]}.${mantissa.slice(1)}` : mantissa;
  const exponentText = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return `${sign}${body}${upper ? 'E' : 'e'}${exponentText}`;
}

/** %g / {:g}: significant-digit formatting with trailing zeros removed (unless alternate). */
export function formatGeneral(value: number, precision: number, alternate = false, upper = false): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  const p = precision === 0 ? 1 : precision;
  const scientific = formatExponent(value, p - 1);
  const exponent = Number(scientific.slice(scientific.indexOf('e') + 1));
  let text = exponent >= -4 && exponent < p ? formatFixed(value, p - 1 - exponent) : scientific;
  if (!alternate) {
    text = text.replace(/(\.\d*?)0+(?=e|$)/, '$1').replace(/\.(?=e|$)/, '');
  }
  return upper ? text.toUpperCase() : text;
}

/** Python's round(x, n): returns int for ints (n given or not) and for floats without n. */
export function pyRound(value: PyValue, ndigits: number | null): PyValue {
  if (isInt(value)) {
    if (ndigits === null || ndigits >= 0) return typeof value === 'boolean' ? Number(value) : value;
    const factor = 10n ** BigInt(-ndigits);
    const big = toBigInt(value);
    const quotient = big / factor,
      remainder = big % factor;
    let rounded = quotient;
    const twice = 2n * (remainder < 0n ? -remainder : remainder);
    if (twice > factor || (twice === factor && quotient % 2n !== 0n)) rounded += big < 0n ? -1n : 1n;
    return makeInt(rounded * factor);
  }
  if (!(value instanceof PyFloat)) throw typeError(`type ${pyTypeName(value)} doesn't define __round__ method`);
  const x = value.value;
  if (ndigits === null) {
    if (!Number.isFinite(x))
      throw new TemplateError(
        'runtime',
        Number.isNaN(x) ? 'cannot convert float NaN to integer' : 'cannot convert float infinity to integer',
      );
    const text = formatFixed(x, 0);
    return makeInt(BigInt(text));
  }
  if (!Number.isFinite(x)) return value;
  if (ndigits > 300) return value;
  if (ndigits < 0) {
    const factor = 10 ** -ndigits;
    const text = formatFixed(x / factor, 0);
    return new PyFloat(Number(text) * factor);
  }
  return new PyFloat(Number(formatFixed(x, ndigits)));
}

// ---------------------------------------------------------------------------------------------
// "%" formatting.

const PERCENT_SPEC = /%(?:\(([^)]*)\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])/g;

export function percentFormat(template: string, args: PyValue): string {
  const mapping = args instanceof Map ? args : undefined;
  const values = isTuple(args) ? args : [args];
  let index = 0;
  const take = (): PyValue => {
    if (index >= values.length) throw typeError('not enough arguments for format string');
    return values[index++]!;
  };
  const result = new StringBuilder();
  let last = 0;
  const specs = new RegExp(PERCENT_SPEC.source, 'g'); // its own lastIndex: a value's repr may format too
  for (let match = specs.exec(template); match; match = specs.exec(template)) {
    result.push(template.slice(last, match.index));
    last = specs.lastIndex;
    const [, key, flags = '', widthText, precisionText, type] = match;
    if (type === '%') {
      result.push('%');
      continue;
    }
    let value: PyValue;
    if (key !== undefined) {
      if (!mapping) throw typeError('format requires a mapping');
      const found = dictGet(mapping, key);
      if (found === undefined) throw new TemplateError('runtime', `KeyError: ${pyRepr(key)}`);
      value = found;
    }
    const width = widthText === '*' ? starArgument(take()) : widthText ? Number(widthText) : 0;
    const precision =
      precisionText === '*' ? starArgument(take()) : precisionText !== undefined ? Number(precisionText) : undefined;
    if (key === undefined) value = mapping && !isTuple(args) ? args : take();
    result.push(formatOne(value!, type!, flags, width, precision));
  }
  result.push(template.slice(last));
  if (!mapping && index < values.length) throw typeError('not all arguments converted during string formatting');
  return result.toString();
}

/** The int a '*' width or precision takes from the arguments. */
function starArgument(value: PyValue): number {
  if (!isInt(value)) throw typeError('* wants int');
  if (typeof value === 'bigint')
    throw new TemplateError('runtime', 'OverflowError: Python int too large to convert to C int');
  return Number(value);
}

function formatOne(value: PyValue, type: string, flags: string, width: number, precision: number | undefined): string {
  // Widths and precisions become characters: check them before padding.
  checkString(Math.abs(width));
  if (precision !== undefined) checkString(precision);
  let body: string;
  let numeric = false;
  let negative = false;
  switch (type) {
    case 's':
      body = pyStr(value);
      if (precision !== undefined) body = sliceString(body, null, Math.max(0, precision), 1);
      break;
    case 'r':
    case 'a':
      body = pyRepr(value);
      if (precision !== undefined) body = body.slice(0, precision);
      break;
    case 'c': {
      if (typeof value === 'string') body = value;
      else {
        const code = toJsNumber(requireNumber(value, type));
        if (!(code >= 0 && code <= 0x10ffff))
          throw new TemplateError('runtime', 'OverflowError: %c arg not in range(0x110000)');
        body = String.fromCodePoint(Math.trunc(code));
      }
      break;
    }
    case 'd':
    case 'i':
    case 'u': {
      const number = requireNumber(value, type);
      const integer = number instanceof PyFloat ? BigInt(Math.trunc(number.value)) : toBigInt(number);
      negative = integer < 0n;
      body = intToDecimal(negative ? -integer : integer);
      if (precision !== undefined) body = body.padStart(precision, '0');
      numeric = true;
      break;
    }
    case 'x':
    case 'X':
    case 'o': {
      const number = requireNumber(value, type);
      if (number instanceof PyFloat) throw typeError(`%${type} format: an integer is required, not float`);
      const integer = toBigInt(number);
      negative = integer < 0n;
      body = (negative ? -integer : integer).toString(type === 'o' ? 8 : 16);
      if (type === 'X') body = body.toUpperCase();
      if (flags.includes('#')) body = (type === 'o' ? '0o' : type === 'x' ? '0x' : '0X') + body;
      numeric = true;
      break;
    }
    default: {
      const x = toJsNumber(requireNumber(value, type));
      negative = x < 0 || Object.is(x, -0);
      const magnitude = Math.abs(x);
      const p = precision ?? 6;
      if (type === 'f' || type === 'F') body = formatFixed(magnitude, p);
      else if (type === 'e' || type === 'E') body = formatExponent(magnitude, p, type === 'E');
      else body = formatGeneral(magnitude, p, flags.includes('#'), type === 'G');
      if (type === 'F') body = body.toUpperCase();
      numeric = true;
    }
  }
  if (numeric) {
    const sign = negative ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
    if (flags.includes('0') && !flags.includes('-')) body = body.padStart(width - sign.length, '0');
    body = sign + body;
  }
  const length = stringLength(body);
  if (length < width)
    body = flags.includes('-') ? body + ' '.repeat(width - length) : ' '.repeat(width - length) + body;
  return body;
}

function requireNumber(value: PyValue, type: string): number | bigint | boolean | PyFloat {
  if (isNumber(value)) return value;
  throw typeError(
    `%${type} format: a ${type === 'c' ? 'int or char' : 'real number'} is required, not ${pyTypeName(value)}`,
  );
}

// ---------------------------------------------------------------------------------------------
// str.format and the format-spec mini-language.

const FORMAT_SPEC = /^(?:(.)?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/s;

export function formatWithSpec(value: PyValue, spec: string): string {
  const match = FORMAT_SPEC.exec(spec);
  if (!match)
    throw new TemplateError('runtime', `Invalid format specifier '${spec}' for object of type '${pyTypeName(value)}'`);
  const [, fillChar, alignChar, signChar = '-', , alternate, zero, widthText, grouping, precisionText, typeChar] =
    match;
  const width = widthText ? Number(widthText) : 0;
  const precision = precisionText !== undefined ? Number(precisionText) : undefined;
  // Widths and precisions become characters: check them before padding.
  checkString(width);
  if (precision !== undefined) checkString(precision);
  let fill = fillChar ?? (zero ? '0' : ' ');
  let align = alignChar ?? (zero && isNumber(value) ? '=' : undefined);
  let body: string;
  let sign = '';
  if (
    typeof value === 'string' ||
    value instanceof PyMarkup ||
    value === null ||
    Array.isArray(value) ||
    value instanceof Map
  ) {
    if (typeChar && typeChar !== 's')
      throw new TemplateError('runtime', `Unknown format code '${typeChar}' for object of type '${pyTypeName(value)}'`);
    if (!(typeof value === 'string' || value instanceof PyMarkup) && spec)
      throw typeError(`unsupported format string passed to ${pyTypeName(value)}.__format__`);
    body = pyStr(value);
    if (precision !== undefined) body = sliceString(body, null, precision, 1);
    align ??= '<';
  } else if (isNumber(value)) {
    const isFloatValue = value instanceof PyFloat;
    let type = typeChar ?? (isFloatValue ? '' : 'd');
    if (!isFloatValue && ['e', 'E', 'f', 'F', 'g', 'G', '%'].includes(type)) {
      return formatWithSpec(new PyFloat(toJsNumber(value)), spec);
    }
    if (isFloatValue && ['d', 'x', 'X', 'o', 'b', 'c'].includes(type)) {
      throw new TemplateError('runtime', `Unknown format code '${type}' for object of type 'float'`);
    }
    if (type === 'n') type = isFloatValue ? 'g' : 'd';
    if (isFloatValue) {
      const x = (value as PyFloat).value;
      const magnitude = Math.abs(x);
      if (x < 0 || Object.is(x, -0)) sign = '-';
      if (type === '') {
        body =
          precision === undefined ? pyRepr(new PyFloat(magnitude)) : formatGeneral(magnitude, precision, !!alternate);
        if (precision !== undefined && !/[.e]|inf|nan/.test(body)) body += ''; // CPython's "" type keeps at least one digit
      } else if (type === 'f' || type === 'F') body = formatFixed(magnitude, precision ?? 6);
      else if (type === 'e' || type === 'E') body = formatExponent(magnitude, precision ?? 6, type === 'E');
      else if (type === '%') body = formatFixed(magnitude * 100, precision ?? 6) + '%';
      else body = formatGeneral(magnitude, precision ?? 6, !!alternate, type === 'G');
    } else {
      const integer = toBigInt(value as number);
      if (integer < 0n) sign = '-';
      const magnitude = integer < 0n ? -integer : integer;
      if (precision !== undefined)
        throw new TemplateError('runtime', 'Precision not allowed in integer format specifier');
      const radix = type === 'x' || type === 'X' ? 16 : type === 'o' ? 8 : type === 'b' ? 2 : 10;
      if (type === 'c' && magnitude > 0x10ffffn)
        throw new TemplateError('runtime', 'OverflowError: %c arg not in range(0x110000)');
      body =
        type === 'c'
          ? String.fromCodePoint(Number(magnitude))
          : radix === 10
            ? intToDecimal(magnitude)
            : magnitude.toString(radix);
      if (type === 'X') body = body.toUpperCase();
      if (alternate && radix !== 10)
        body = (radix === 16 ? (type === 'X' ? '0X' : '0x') : radix === 8 ? '0o' : '0b') + body;
    }
    if (grouping) body = groupDigits(body, grouping);
    if (!sign && signChar === '+') sign = '+';
    else if (!sign && signChar === ' ') sign = ' ';
    align ??= '>';
  } else {
    if (spec) throw typeError(`unsupported format string passed to ${pyTypeName(value)}.__format__`);
    return pyStr(value);
  }
  const length = stringLength(sign + body);
  if (length >= width) return sign + body;
  const padding = width - length;
  if (align === '=') return sign + fill.repeat(padding) + body;
  if (align === '<') return sign + body + fill.repeat(padding);
  if (align === '^') {
    const left = Math.floor(padding / 2);
    return fill.repeat(left) + sign + body + fill.repeat(padding - left);
  }
  fill ||= ' ';
  return fill.repeat(padding) + sign + body;
}

function groupDigits(body: string, separator: string): string {
  const match = /^(\d+)(.*)$/s.exec(body);
  if (!match) return body;
  const [, integer = '', rest = ''] = match;
  return integer.replace(/\B(?=(\d{3})+(?!\d))/g, separator) + rest;
}

/** str.format(*args, **kwargs); field lookups go through the caller's (sandboxed) getattr. */
export function strFormat(
  template: string,
  positional: PyValue[],
  keywords: Map<string, PyValue>,
  lookup: { attribute(value: PyValue, name: string): PyValue; item(value: PyValue, key: PyValue): PyValue },
): string {
  const result = new StringBuilder();
  let autoIndex = 0;
  let i = 0;
  while (i < template.length) {
    const char = template[i]!;
    if (char === '}') {
      if (template[i + 1] !== '}') throw new TemplateError('runtime', "Single '}' encountered in format string");
      result.push('}');
      i += 2;
      continue;
    }
    if (char !== '{') {
      let end = i + 1;
      while (end < template.length && template[end] !== '{' && template[end] !== '}') end++;
      result.push(template.slice(i, end));
      i = end;
      continue;
    }
    if (template[i + 1] === '{') {
      result.push('{');
      i += 2;
      continue;
    }
    const close = template.indexOf('}', i);
    if (close < 0) throw new TemplateError('runtime', "Single '{' encountered in format string");
    const field = template.slice(i + 1, close);
    i = close + 1;
    const fieldMatch = /^([^.[!:]*)((?:\.[^.[!:]+|\[[^\]]*\])*)(?:!([rsa]))?(?::(.*))?$/s.exec(field);
    if (!fieldMatch) throw new TemplateError('runtime', `bad format field '${field}'`);
    const [, head = '', accessors = '', conversion, spec = ''] = fieldMatch;
    if (spec.includes('{')) throw unsupported('Nested replacement fields in a str.format spec');
    let value: PyValue;
    if (head === '') {
      const found = positional[autoIndex++];
      if (found === undefined)
        throw new TemplateError(
          'runtime',
          `IndexError: Replacement index ${autoIndex - 1} out of range for positional args tuple`,
        );
      value = found;
    } else if (/^\d+$/.test(head)) {
      const found = positional[Number(head)];
      if (found === undefined)
        throw new TemplateError(
          'runtime',
          `IndexError: Replacement index ${head} out of range for positional args tuple`,
        );
      value = found;
    } else {
      const found = keywords.get(head);
      if (found === undefined) throw new TemplateError('runtime', `KeyError: ${pyRepr(head)}`);
      value = found;
    }
    for (const accessor of accessors.match(/\.[^.[]+|\[[^\]]*\]/g) ?? []) {
      if (accessor.startsWith('.')) value = lookup.attribute(value, accessor.slice(1));
      else {
        const key = accessor.slice(1, -1);
        value = lookup.item(value, /^\d+$/.test(key) ? makeInt(BigInt(key)) : key);
      }
    }
    if (conversion === 'r' || conversion === 'a') value = pyRepr(value);
    else if (conversion === 's') value = pyStr(value);
    result.push(formatWithSpec(value, spec));
  }
  return result.toString();
}
