// The Python methods templates call on strings, lists and dicts ("x.strip()", "d.items()",
// "l.append(1)"), with CPython's results and error messages.
import {
  type CallArgs,
  PyCallable,
  PyDictView,
  PyFloat,
  PyMarkup,
  type PyKey,
  type PyValue,
  TemplateError,
  dictGet,
  dictKey,
  isInt,
  isString,
  isTuple,
  pyEquals,
  pyIter,
  pyRepr,
  pyStr,
  pyTypeName,
  stringLength,
  toJsNumber,
  tuple,
  typeError,
  pyCompare,
  PyUndefined,
  pyList,
  pyTruthy,
  codePointOffset,
} from './pyValue';
import { strFormat } from './pyFormat';
import { MAX_ITEMS, StringBuilder, checkItems, checkString, itemsError } from './limits';
import { pyTitleCase } from './pyUnicode';
import { unsupported } from './pyValue';

export interface AttributeLookup {
  getAttribute(owner: PyValue, name: string): PyValue;
  getItem(owner: PyValue, key: PyValue): PyValue;
}

/** Python's str.isspace() characters (JS \s differs on \x1c-\x1f, \x85 and \ufeff). */
export const PY_WHITESPACE =
  '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const WS_RUN = new RegExp(`[${PY_WHITESPACE}]+`);

/** The line boundaries of Python's str.splitlines(), \r\n first. */
// eslint-disable-next-line no-control-regex
export const PY_LINE_BREAK = /(\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029])/;

export type Signature = readonly (string | [string, PyValue])[];

/** Binds call arguments to a Python-style signature: positional then keyword, with defaults. */
export function bindArgs(functionName: string, args: CallArgs, signature: Signature): PyValue[] {
  const { positional, keywords } = args;
  if (positional.length > signature.length) {
    throw typeError(
      `${functionName}() takes at most ${signature.length} argument${signature.length === 1 ? '' : 's'} (${positional.length} given)`,
    );
  }
  const names = signature.map(p => (typeof p === 'string' ? p : p[0]));
  for (const key of keywords.keys()) {
    if (!names.includes(key)) throw typeError(`${functionName}() got an unexpected keyword argument '${key}'`);
  }
  return signature.map((param, i) => {
    const name = names[i]!;
    if (i < positional.length) {
      if (keywords.has(name)) throw typeError(`${functionName}() got multiple values for argument '${name}'`);
      return positional[i]!;
    }
    if (keywords.has(name)) return keywords.get(name)!;
    if (typeof param === 'string') throw typeError(`${functionName}() missing required argument: '${name}'`);
    return param[1];
  });
}

const method = (name: string, signature: Signature, body: (...values: PyValue[]) => PyValue) =>
  new PyCallable(name, args => body(...bindArgs(name, args, signature)));

function requireString(value: PyValue, what: string): string {
  if (typeof value === 'string') return value;
  if (value instanceof PyMarkup) return value.text;
  throw typeError(`${what} must be str, not ${pyTypeName(value)}`);
}

function requireIndex(value: PyValue, fallback: number): number {
  if (value === null) return fallback;
  if (!isInt(value)) throw typeError(`'${pyTypeName(value)}' object cannot be interpreted as an integer`);
  return Number(value);
}

const WHITESPACE_SET = new RegExp(`^[${PY_WHITESPACE}]$`);
const WHITESPACE_CODES = new Set<number>();
for (let code = 0; code < 0x3001; code++)
  if (WHITESPACE_SET.test(String.fromCharCode(code))) WHITESPACE_CODES.add(code);

/** str.strip(): scans from the ends (a /\s+$/ regex is quadratic on long runs of spaces). */
export function pyStrip(text: string, chars: PyValue, side: 'both' | 'left' | 'right'): string {
  let start = 0,
    end = text.length;
  if (chars === null) {
    if (side !== 'right') while (start < end && WHITESPACE_CODES.has(text.charCodeAt(start))) start++;
    if (side !== 'left') while (end > start && WHITESPACE_CODES.has(text.charCodeAt(end - 1))) end--;
    return start === 0 && end === text.length ? text : text.slice(start, end);
  }
  const set = new Set(Array.from(requireString(chars, 'strip arg')));
  if (side !== 'right') {
    while (start < end) {
      const point = String.fromCodePoint(text.codePointAt(start)!);
      if (!set.has(point)) break;
      start += point.length;
    }
  }
  if (side !== 'left') {
    while (end > start) {
      const low = text.charCodeAt(end - 1);
      const width =
        low >= 0xdc00 &&
        low <= 0xdfff &&
        end - 2 >= start &&
        text.charCodeAt(end - 2) >= 0xd800 &&
        text.charCodeAt(end - 2) <= 0xdbff
          ? 2
          : 1;
      if (!set.has(text.slice(end - width, end))) break;
      end -= width;
    }
  }
  return text.slice(start, end);
}

/** str.split / str.rsplit; the list is never longer than MAX_ITEMS. */
export function pySplit(text: string, separator: PyValue, maxsplit: number, fromRight = false): string[] {
  const parts: string[] = [];
  const add = (part: string) => {
    if (parts.length >= MAX_ITEMS) throw itemsError();
    parts.push(part);
  };
  if (separator === null) {
    if (!fromRight || maxsplit < 0) {
      let rest = pyStrip(text, null, 'left');
      while (rest && (maxsplit < 0 || parts.length < maxsplit)) {
        const match = WS_RUN.exec(rest);
        if (!match) break;
        add(rest.slice(0, match.index));
        rest = rest.slice(match.index + match[0].length);
      }
      if (rest) add(rest);
      return parts;
    }
    let rest = pyStrip(text, null, 'right');
    while (rest && parts.length < maxsplit) {
      let end = rest.length;
      while (end > 0 && !WHITESPACE_CODES.has(rest.charCodeAt(end - 1))) end--;
      if (end === 0) break;
      let start = end;
      while (start > 0 && WHITESPACE_CODES.has(rest.charCodeAt(start - 1))) start--;
      add(rest.slice(end));
      rest = rest.slice(0, start);
    }
    if (rest) add(rest);
    return parts.reverse();
  }
  const sep = requireString(separator, 'separator');
  if (!sep) throw new TemplateError('runtime', 'ValueError: empty separator');
  if (!fromRight) {
    let position = 0;
    for (
      let at = text.indexOf(sep);
      at >= 0 && (maxsplit < 0 || parts.length < maxsplit);
      at = text.indexOf(sep, position)
    ) {
      add(text.slice(position, at));
      position = at + sep.length;
    }
    add(text.slice(position));
    return parts;
  }
  let end = text.length;
  while (maxsplit < 0 || parts.length < maxsplit) {
    const at = end >= sep.length ? text.lastIndexOf(sep, end - sep.length) : -1;
    if (at < 0) break;
    add(text.slice(at + sep.length, end));
    end = at;
  }
  add(text.slice(0, end));
  return parts.reverse();
}

/** str.splitlines(); the list is never longer than MAX_ITEMS. */
export function pySplitLines(text: string, keepends: boolean): string[] {
  const lines: string[] = [];
  const breaks = new RegExp(PY_LINE_BREAK.source, 'g');
  let position = 0;
  for (let match = breaks.exec(text); match; match = breaks.exec(text)) {
    if (lines.length >= MAX_ITEMS) throw itemsError();
    const end = match.index + match[0].length;
    lines.push(text.slice(position, keepends ? end : match.index));
    position = end;
  }
  if (position < text.length) {
    if (lines.length >= MAX_ITEMS) throw itemsError();
    lines.push(text.slice(position));
  }
  return lines;
}

const isCased = (char: string) => char.toLowerCase() !== char.toUpperCase();

function hasCased(text: string): boolean {
  for (const char of text) if (isCased(char)) return true;
  return false;
}

/** separator.join(parts), within MAX_STRING: the length is known before joining. */
export function joinStrings(parts: string[], separator: string): string {
  let length = parts.length ? separator.length * (parts.length - 1) : 0;
  for (const part of parts) length += part.length;
  checkString(length);
  return parts.join(separator);
}

/** str.title(): a cased character after an uncased one is titlecased, the others lowered. */
export function pyTitle(text: string): string {
  let previousCased = false;
  const out = new StringBuilder();
  for (const char of text) {
    if (isCased(char)) {
      out.push(previousCased ? char.toLowerCase() : pyTitleCase(char));
      previousCased = true;
    } else {
      out.push(char);
      previousCased = false;
    }
  }
  return out.toString();
}

/** str.capitalize(): the first character titlecased ('ß' gives 'Ss'), the rest lowered. */
export function pyCapitalize(text: string): string {
  return changeFirst(text, pyTitleCase);
}

/** Jinja2's do_title per word: item[0].upper() + item[1:].lower(). */
export function upperFirst(text: string): string {
  return changeFirst(text, char => char.toUpperCase());
}

function changeFirst(text: string, first: (char: string) => string): string {
  if (!text) return text;
  const head = String.fromCodePoint(text.codePointAt(0)!);
  const result = first(head) + text.slice(head.length).toLowerCase();
  checkString(result.length);
  return result;
}

export function pyCenter(text: string, width: number, fill = ' '): string {
  const length = stringLength(text);
  if (width <= length) return text;
  checkString(text.length + (width - length) * fill.length);
  const padding = width - length;
  // CPython puts the extra space on the left when the text length is odd... exactly as below.
  const left = Math.floor(padding / 2) + (padding & width & 1);
  return fill.repeat(left) + text + fill.repeat(padding - left);
}

/** The text between code point indexes (Python's start/end arguments of find, startswith…). */
function window(
  text: string,
  start: number | null,
  end: number | null,
): { window: string; from: number; astral: boolean } {
  const length = stringLength(text);
  const norm = (v: number | null, fallback: number) =>
    v === null ? fallback : v < 0 ? Math.max(0, v + length) : Math.min(v, length);
  const from = norm(start, 0),
    to = Math.max(from, norm(end, length));
  const astral = length !== text.length;
  if (!astral) return { window: from === 0 && to === length ? text : text.slice(from, to), from, astral };
  return { window: text.slice(codePointOffset(text, from), codePointOffset(text, to)), from, astral };
}

function findIndex(text: string, needle: string, start: number | null, end: number | null, fromRight: boolean): number {
  const { window: part, from, astral } = window(text, start, end);
  const found = fromRight ? part.lastIndexOf(needle) : part.indexOf(needle);
  return found < 0 ? -1 : from + (astral ? stringLength(part.slice(0, found)) : found);
}

function matchesAffix(text: string, affix: PyValue, start: PyValue, end: PyValue, atEnd: boolean): boolean {
  const bound = (v: PyValue) => (v === null ? null : Number(v));
  const { window: part } = window(text, bound(start), bound(end));
  const candidates = isTuple(affix) ? affix : [affix];
  return candidates.some(candidate => {
    const s = requireString(candidate, `${atEnd ? 'endswith' : 'startswith'} first arg`);
    return atEnd ? part.endsWith(s) : part.startsWith(s);
  });
}

function stringMethod(owner: string, name: string, lookup: AttributeLookup): PyCallable | undefined {
  const s = owner;
  switch (name) {
    case 'upper':
      return method(name, [], () => s.toUpperCase());
    case 'lower':
      return method(name, [], () => s.toLowerCase());
    case 'casefold':
      return method(name, [], () => s.toLowerCase());
    case 'swapcase':
      return method(name, [], () => {
        const out = new StringBuilder();
        for (const c of s) out.push(c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase());
        return out.toString();
      });
    case 'title':
      return method(name, [], () => pyTitle(s));
    case 'capitalize':
      return method(name, [], () => pyCapitalize(s));
    case 'strip':
      return method(name, [['chars', null]], chars => pyStrip(s, chars, 'both'));
    case 'lstrip':
      return method(name, [['chars', null]], chars => pyStrip(s, chars, 'left'));
    case 'rstrip':
      return method(name, [['chars', null]], chars => pyStrip(s, chars, 'right'));
    case 'split':
      return method(
        name,
        [
          ['sep', null],
          ['maxsplit', -1],
        ],
        (sep, max) => pySplit(s, sep, requireIndex(max, -1)),
      );
    case 'rsplit':
      return method(
        name,
        [
          ['sep', null],
          ['maxsplit', -1],
        ],
        (sep, max) => pySplit(s, sep, requireIndex(max, -1), true),
      );
    case 'splitlines':
      return method(name, [['keepends', false]], keep => pySplitLines(s, pyTruthy(keep)));
    case 'join':
      return method(name, ['iterable'], iterable =>
        joinStrings(
          pyList(iterable).map((item, i) => {
            if (typeof item === 'string') return item;
            if (item instanceof PyMarkup) return item.text;
            throw typeError(`sequence item ${i}: expected str instance, ${pyTypeName(item)} found`);
          }),
          s,
        ),
      );
    case 'replace':
      return method(name, ['old', 'new', ['count', -1]], (old, replacement, count) => {
        const from = requireString(old, 'replace() argument 1'),
          to = requireString(replacement, 'replace() argument 2');
        return pyReplace(s, from, to, requireIndex(count, -1));
      });
    case 'startswith':
      return method(name, ['prefix', ['start', null], ['end', null]], (p, a, b) => matchesAffix(s, p, a, b, false));
    case 'endswith':
      return method(name, ['suffix', ['start', null], ['end', null]], (p, a, b) => matchesAffix(s, p, a, b, true));
    case 'find':
    case 'index':
    case 'rfind':
    case 'rindex':
      return method(name, ['sub', ['start', null], ['end', null]], (sub, a, b) => {
        const found = findIndex(
          s,
          requireString(sub, 'must be str'),
          a === null ? null : Number(a),
          b === null ? null : Number(b),
          name.startsWith('r'),
        );
        if (found < 0 && name.endsWith('index')) throw new TemplateError('runtime', 'ValueError: substring not found');
        return found;
      });
    case 'count':
      return method(name, ['sub'], sub => {
        const needle = requireString(sub, 'must be str');
        if (!needle) return stringLength(s) + 1;
        let count = 0;
        for (let at = s.indexOf(needle); at >= 0; at = s.indexOf(needle, at + needle.length)) count++;
        return count;
      });
    case 'zfill':
      return method(name, ['width'], width => {
        const w = requireIndex(width, 0);
        const length = stringLength(s); // code points, as Python counts
        if (w <= length) return s;
        checkString(s.length + w - length);
        const sign = s[0] === '-' || s[0] === '+' ? s[0] : '';
        return sign + '0'.repeat(w - length) + (sign ? s.slice(1) : s);
      });
    case 'ljust':
    case 'rjust':
    case 'center':
      return method(name, ['width', ['fillchar', ' ']], (width, fillchar) => {
        const w = requireIndex(width, 0);
        const fill = requireString(fillchar, 'fillchar');
        if (stringLength(fill) !== 1) throw typeError('The fill character must be exactly one character long');
        const length = stringLength(s);
        if (w <= length) return s;
        checkString(s.length + (w - length) * fill.length);
        if (name === 'ljust') return s + fill.repeat(w - length);
        if (name === 'rjust') return fill.repeat(w - length) + s;
        return pyCenter(s, w, fill);
      });
    case 'isdigit':
    case 'isnumeric':
    case 'isdecimal':
      return method(name, [], () => /^\p{Nd}+$/u.test(s));
    case 'isalpha':
      return method(name, [], () => /^\p{L}+$/u.test(s));
    case 'isalnum':
      return method(name, [], () => /^[\p{L}\p{Nd}]+$/u.test(s));
    case 'isspace':
      return method(name, [], () => new RegExp(`^[${PY_WHITESPACE}]+$`).test(s));
    case 'isupper':
      return method(name, [], () => hasCased(s) && s === s.toUpperCase());
    case 'islower':
      return method(name, [], () => hasCased(s) && s === s.toLowerCase());
    case 'istitle':
      return method(name, [], () => hasCased(s) && pyTitle(s) === s);
    case 'isidentifier':
      return method(name, [], () => /^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(s));
    case 'partition':
    case 'rpartition':
      return method(name, ['sep'], sep => {
        const separator = requireString(sep, 'sep');
        const at = name === 'partition' ? s.indexOf(separator) : s.lastIndexOf(separator);
        if (at < 0) return name === 'partition' ? tuple([s, '', '']) : tuple(['', '', s]);
        return tuple([s.slice(0, at), separator, s.slice(at + separator.length)]);
      });
    case 'removeprefix':
      return method(name, ['prefix'], p => {
        const x = requireString(p, 'prefix');
        return x && s.startsWith(x) ? s.slice(x.length) : s;
      });
    case 'removesuffix':
      return method(name, ['suffix'], p => {
        const x = requireString(p, 'suffix');
        return x && s.endsWith(x) ? s.slice(0, -x.length) : s;
      });
    case 'format':
      return new PyCallable(name, args =>
        strFormat(s, args.positional, args.keywords, {
          attribute: (value, attribute) => lookup.getAttribute(value, attribute),
          item: (value, key) => lookup.getItem(value, key),
        }),
      );
    case 'format_map':
      return method(name, ['mapping'], mapping => {
        if (!(mapping instanceof Map)) throw typeError(`'${pyTypeName(mapping)}' object is not a mapping`);
        const keywords = new Map<string, PyValue>();
        for (const [k, v] of mapping) keywords.set(String(k), v);
        return strFormat(s, [], keywords, {
          attribute: (v, a) => lookup.getAttribute(v, a),
          item: (v, k) => lookup.getItem(v, k),
        });
      });
    case 'encode':
    case 'translate':
    case 'maketrans':
    case 'expandtabs':
      return new PyCallable(name, () => {
        throw unsupported(`str.${name}()`);
      });
  }
  return undefined;
}

/** str.replace; the size of the result is known, and checked, before it is built. */
export function pyReplace(text: string, from: string, to: string, count: number): string {
  let occurrences = 0;
  if (from === '') occurrences = stringLength(text) + 1;
  else
    for (
      let at = text.indexOf(from);
      at >= 0 && (count < 0 || occurrences < count);
      at = text.indexOf(from, at + from.length)
    )
      occurrences++;
  if (count >= 0) occurrences = Math.min(occurrences, count);
  if (!occurrences) return text;
  checkString(text.length + occurrences * (to.length - from.length));
  const out = new StringBuilder();
  if (from === '') {
    let offset = 0;
    for (let n = 0; n < occurrences; n++) {
      out.push(to);
      if (offset >= text.length) break;
      const width = text.codePointAt(offset)! > 0xffff ? 2 : 1;
      out.push(text.slice(offset, offset + width));
      offset += width;
    }
    out.push(text.slice(offset));
    return out.toString();
  }
  let position = 0;
  for (let n = 0; n < occurrences; n++) {
    const at = text.indexOf(from, position);
    out.push(text.slice(position, at));
    out.push(to);
    position = at + from.length;
  }
  out.push(text.slice(position));
  return out.toString();
}

function listMethod(list: PyValue[], name: string): PyCallable | undefined {
  const isTupleValue: boolean = isTuple(list as unknown);
  switch (name) {
    case 'index':
      return method(name, ['value'], value => {
        const found = list.findIndex(item => pyEquals(item, value));
        if (found < 0)
          throw new TemplateError(
            'runtime',
            `ValueError: ${pyRepr(value)} is not in ${isTupleValue ? 'tuple' : 'list'}`,
          );
        return found;
      });
    case 'count':
      return method(name, ['value'], value => list.filter(item => pyEquals(item, value)).length);
  }
  if (isTupleValue) return undefined;
  switch (name) {
    case 'append':
      return method(name, ['object'], value => {
        checkItems(list.length + 1);
        list.push(value);
        return null;
      });
    case 'extend':
      return method(name, ['iterable'], values => {
        const items = pyList(values);
        checkItems(list.length + items.length);
        for (const item of items) list.push(item);
        return null;
      });
    case 'insert':
      return method(name, ['index', 'object'], (index, value) => {
        checkItems(list.length + 1);
        let i = requireIndex(index, 0);
        if (i < 0) i = Math.max(0, i + list.length);
        list.splice(Math.min(i, list.length), 0, value);
        return null;
      });
    case 'pop':
      return method(name, [['index', -1]], index => {
        if (!list.length) throw new TemplateError('runtime', 'IndexError: pop from empty list');
        let i = requireIndex(index, -1);
        if (i < 0) i += list.length;
        if (i < 0 || i >= list.length) throw new TemplateError('runtime', 'IndexError: pop index out of range');
        return list.splice(i, 1)[0]!;
      });
    case 'remove':
      return method(name, ['value'], value => {
        const found = list.findIndex(item => pyEquals(item, value));
        if (found < 0) throw new TemplateError('runtime', 'ValueError: list.remove(x): x not in list');
        list.splice(found, 1);
        return null;
      });
    case 'reverse':
      return method(name, [], () => {
        list.reverse();
        return null;
      });
    case 'sort':
      return method(
        name,
        [
          ['key', null],
          ['reverse', false],
        ],
        (key, reverse) => {
          if (key !== null) throw unsupported('list.sort(key=…)');
          const sorted = stableSort(list, (a, b) => pyCompare(a, b));
          if (reverse) sorted.reverse();
          list.splice(0, list.length, ...sorted);
          return null;
        },
      );
    case 'copy':
      return method(name, [], () => [...list]);
    case 'clear':
      return method(name, [], () => {
        list.length = 0;
        return null;
      });
  }
  return undefined;
}

export function stableSort<T>(items: readonly T[], compare: (a: T, b: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => compare(a.item, b.item) || a.index - b.index)
    .map(e => e.item);
}

function dictMethod(dict: Map<PyKey, PyValue>, name: string): PyCallable | undefined {
  switch (name) {
    case 'items':
    case 'keys':
    case 'values':
      return method(name, [], () => new PyDictView(name, dict));
    case 'get':
      return method(name, ['key', ['default', null]], (key, fallback) => dictGet(dict, key) ?? fallback);
    case 'pop':
      return new PyCallable(name, args => {
        const [key, fallback] = bindArgs(name, args, ['key', ['default', new PyUndefined('__missing__')]]);
        const found = dictGet(dict, key!);
        if (found !== undefined) {
          dict.delete(dictKey(key!));
          return found;
        }
        if (fallback instanceof PyUndefined && fallback.name === '__missing__')
          throw new TemplateError('runtime', `KeyError: ${pyRepr(key!)}`);
        return fallback!;
      });
    case 'setdefault':
      return method(name, ['key', ['default', null]], (key, fallback) => {
        const found = dictGet(dict, key);
        if (found !== undefined) return found;
        checkItems(dict.size + 1, 'dict');
        dict.set(dictKey(key), fallback);
        return fallback;
      });
    case 'update':
      return new PyCallable(name, args => {
        if (args.positional.length > 1)
          throw typeError(`update expected at most 1 argument, got ${args.positional.length}`);
        const [source] = args.positional;
        if (source instanceof Map) for (const [k, v] of source) dict.set(k, v);
        else if (source !== undefined) {
          for (const pair of pyIter(source)) {
            const items = pyList(pair);
            if (items.length !== 2)
              throw new TemplateError(
                'runtime',
                `ValueError: dictionary update sequence element has length ${items.length}; 2 is required`,
              );
            dict.set(dictKey(items[0]!), items[1]!);
          }
        }
        for (const [k, v] of args.keywords) dict.set(k, v);
        checkItems(dict.size, 'dict');
        return null;
      });
    case 'copy':
      return method(name, [], () => new Map(dict));
    case 'clear':
      return method(name, [], () => {
        dict.clear();
        return null;
      });
    case 'popitem':
      return method(name, [], () => {
        const last = [...dict.keys()].pop();
        if (last === undefined && !dict.size)
          throw new TemplateError('runtime', "KeyError: 'popitem(): dictionary is empty'");
        const value = dict.get(last!)!;
        dict.delete(last!);
        return tuple([last as PyValue, value]);
      });
  }
  return undefined;
}

/** The bound method `owner.name`, or undefined when the type has no such method. */
export function getMethod(owner: PyValue, name: string, lookup: AttributeLookup): PyCallable | undefined {
  if (typeof owner === 'string') return stringMethod(owner, name, lookup);
  if (owner instanceof PyMarkup) return stringMethod(owner.text, name, lookup);
  if (Array.isArray(owner)) return listMethod(owner, name);
  if (owner instanceof Map) return dictMethod(owner, name);
  if (owner instanceof PyFloat && name === 'is_integer') return method(name, [], () => Number.isInteger(owner.value));
  if (isInt(owner) && name === 'bit_length')
    return method(name, [], () => (toJsNumber(owner) === 0 ? 0 : Math.abs(toJsNumber(owner)).toString(2).length));
  if (isString(owner)) return undefined;
  return undefined;
}

export { pyStr };
