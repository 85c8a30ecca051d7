// Plain Python literals (what a notebook writes as `parameters = [...]`) read as JSON text, keeping
// Python's int/float distinction (2.0 stays "2.0", so parsePythonJson reads a float). Anything that
// is not a plain literal (a name, a call, an f-string, bytes, a set) gives undefined.

/** A string literal's decoded value and where its content lies (offsets into the source). */
export interface PyStringLiteral {
  value: string;
  /** Start of the first piece's content and end of the last's (adjacent literals concatenate). */
  contentStart: number;
  contentEnd: number;
  /** Offset just after the literal. */
  end: number;
}

class NotLiteral extends Error {}

/** Skips spaces, newlines, comments and line continuations. */
export function skipSpace(text: string, pos: number, newlines = true): number {
  for (;;) {
    const ch = text[pos];
    if (ch === ' ' || ch === '\t' || ch === '\f' || (newlines && (ch === '\n' || ch === '\r'))) pos++;
    else if (ch === '\\' && (text[pos + 1] === '\n' || text[pos + 1] === '\r'))
      pos += text[pos + 1] === '\r' && text[pos + 2] === '\n' ? 3 : 2;
    else if (ch === '#' && newlines) {
      while (pos < text.length && text[pos] !== '\n') pos++;
    } else return pos;
  }
}

/** Reads one string literal (with adjacent ones concatenated) at pos, or undefined. */
export function readStringLiteral(text: string, pos: number, newlines = true): PyStringLiteral | undefined {
  const first = readOneString(text, pos);
  if (!first) return undefined;
  let { value, end } = first;
  let contentEnd = first.contentEnd;
  for (;;) {
    const next = readOneString(text, skipSpace(text, end, newlines));
    if (!next) break;
    value += next.value;
    end = next.end;
    contentEnd = next.contentEnd;
  }
  return { value, contentStart: first.contentStart, contentEnd, end };
}

function readOneString(text: string, pos: number): PyStringLiteral | undefined {
  const prefix = /^([rRuU]?)(['"])/.exec(text.slice(pos, pos + 2));
  if (!prefix) return undefined;
  const raw = prefix[1] === 'r' || prefix[1] === 'R';
  const quote = prefix[2]!;
  let i = pos + (prefix[1] ? 1 : 0);
  const triple = text.startsWith(quote.repeat(3), i);
  const delimiter = triple ? quote.repeat(3) : quote;
  i += delimiter.length;
  const contentStart = i;
  let value = '';
  while (i < text.length) {
    if (text.startsWith(delimiter, i)) return { value, contentStart, contentEnd: i, end: i + delimiter.length };
    const ch = text[i]!;
    if (!triple && (ch === '\n' || ch === '\r')) return undefined;
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined) return undefined;
      if (raw) {
        value += ch + next;
        i += 2;
        continue;
      }
      const escaped = decodeEscape(text, i);
      if (!escaped) return undefined;
      value += escaped.value;
      i = escaped.end;
      continue;
    }
    value += ch;
    i++;
  }
  return undefined;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

function decodeEscape(text: string, i: number): { value: string; end: number } | undefined {
  const next = text[i + 1]!;
  if (next in SIMPLE_ESCAPES) return { value: SIMPLE_ESCAPES[next]!, end: i + 2 };
  if (next === '\n') return { value: '', end: i + 2 };
  if (next === '\r') return { value: '', end: text[i + 2] === '\n' ? i + 3 : i + 2 };
  const hex = (len: number) => {
    const digits = text.slice(i + 2, i + 2 + len);
    if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(digits)) return undefined;
    const code = parseInt(digits, 16);
    if (code > 0x10ffff) return undefined;
    return { value: String.fromCodePoint(code), end: i + 2 + len };
  };
  if (next === 'x') return hex(2);
  if (next === 'u') return hex(4);
  if (next === 'U') return hex(8);
  const octal = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4));
  if (octal) return { value: String.fromCharCode(parseInt(octal[0], 8)), end: i + 1 + octal[0].length };
  if (next === 'N') return undefined;
  return { value: `\\${next}`, end: i + 2 }; // Python keeps unknown escapes as written
}

/** The literal at pos as JSON text and the offset after it, or undefined when it is not a plain literal. */
export function pythonLiteralToJson(text: string, pos: number): { json: string; end: number } | undefined {
  let i = pos;
  const value = (): string => {
    i = skipSpace(text, i);
    const ch = text[i];
    if (ch === '[' || ch === '(') {
      const close = ch === '[' ? ']' : ')';
      i++;
      const items: string[] = [];
      let sawComma = false;
      for (;;) {
        i = skipSpace(text, i);
        if (text[i] === close) {
          i++;
          break;
        }
        items.push(value());
        i = skipSpace(text, i);
        if (text[i] === ',') {
          sawComma = true;
          i++;
        } else if (text[i] !== close) throw new NotLiteral();
      }
      if (ch === '(' && items.length === 1 && !sawComma) return items[0]!;
      return `[${items.join(', ')}]`;
    }
    if (ch === '{') {
      i++;
      const entries: string[] = [];
      for (;;) {
        i = skipSpace(text, i);
        if (text[i] === '}') {
          i++;
          break;
        }
        const key = readStringLiteral(text, i);
        if (!key) throw new NotLiteral();
        i = skipSpace(text, key.end);
        if (text[i] !== ':') throw new NotLiteral();
        i++;
        entries.push(`${JSON.stringify(key.value)}: ${value()}`);
        i = skipSpace(text, i);
        if (text[i] === ',') i++;
        else if (text[i] !== '}') throw new NotLiteral();
      }
      return `{${entries.join(', ')}}`;
    }
    const string = readStringLiteral(text, i);
    if (string) {
      i = string.end;
      return JSON.stringify(string.value);
    }
    for (const [word, json] of [
      ['True', 'true'],
      ['False', 'false'],
      ['None', 'null'],
    ] as const) {
      if (text.startsWith(word, i) && !/[\w]/.test(text[i + word.length] ?? '')) {
        i += word.length;
        return json;
      }
    }
    return number();
  };
  const number = (): string => {
    const m =
      /^([-+]?)\s*(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][-+]?\d[\d_]*)?|\d[\d_]*\.(?:[eE][-+]?\d[\d_]*)?)/.exec(
        text.slice(i, i + 400),
      );
    if (!m || !m[2]) throw new NotLiteral();
    const after = text[i + m[0].length];
    if (after !== undefined && /[\w.]/.test(after)) throw new NotLiteral();
    i += m[0].length;
    const sign = m[1] === '-' ? '-' : '';
    const body = m[2].replace(/_/g, '');
    if (/^0[xob]/i.test(body)) return sign + BigInt(body).toString();
    if (/[.eE]/.test(body)) {
      let f = body;
      if (f.startsWith('.')) f = `0${f}`;
      f = f.replace(/\.(?=[eE]|$)/, '.0');
      const parsed = Number(f);
      if (!Number.isFinite(parsed)) throw new NotLiteral();
      return sign + f.replace(/^0+(?=\d)/, '');
    }
    return sign + BigInt(body).toString();
  };
  try {
    const json = value();
    return { json, end: i };
  } catch (e) {
    if (e instanceof NotLiteral) return undefined;
    throw e;
  }
}
