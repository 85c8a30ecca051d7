// json() parses text the way Newtonsoft's JToken.Parse does: leniently (unquoted or single-quoted
// property names, trailing commas, comments, NaN / Infinity), integers kept exact and distinct
// from floats (json('1.0') is a float, json('1') an integer), a later duplicate key replacing an
// earlier one, and an empty string giving null.

import type { AdfObject, AdfValue } from './values';

export type JsonParse = { ok: true; value: AdfValue } | { ok: false; message: string };

const MAX_DEPTH = 512;

class JsonSyntax extends Error {}

class Parser {
  pos = 0;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    throw new JsonSyntax(`${what} at position ${this.pos}`);
  }

  skip(): void {
    const s = this.s;
    for (;;) {
      while (this.pos < s.length && /\s/.test(s[this.pos]!)) this.pos++;
      if (s.startsWith('//', this.pos)) {
        const nl = s.indexOf('\n', this.pos);
        this.pos = nl === -1 ? s.length : nl + 1;
      } else if (s.startsWith('/*', this.pos)) {
        const end = s.indexOf('*/', this.pos + 2);
        if (end === -1) this.fail('unterminated comment');
        this.pos = end + 2;
      } else return;
    }
  }

  value(depth: number): AdfValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    this.skip();
    const c = this.s[this.pos];
    if (c === undefined) this.fail('unexpected end of text');
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"' || c === "'") return this.string(c);
    if (c === '-' || c === '+' || c === '.' || (c >= '0' && c <= '9')) return this.number();
    const word = /^[A-Za-z_$][\w$]*/.exec(this.s.slice(this.pos))?.[0];
    switch (word) {
      case 'true':
        this.pos += 4;
        return true;
      case 'false':
        this.pos += 5;
        return false;
      case 'null':
        this.pos += 4;
        return null;
      case 'undefined':
        this.pos += 9;
        return null;
      case 'NaN':
        this.pos += 3;
        return NaN;
      case 'Infinity':
        this.pos += 8;
        return Infinity;
      default:
        return this.fail(`unexpected character '${c}'`);
    }
  }

  object(depth: number): AdfObject {
    const out: AdfObject = new Map();
    this.pos++;
    for (;;) {
      this.skip();
      const c = this.s[this.pos];
      if (c === '}') {
        this.pos++;
        return out;
      }
      let key: string;
      if (c === '"' || c === "'") key = this.string(c);
      else {
        const m = /^[^\s:,{}[\]"']+/.exec(this.s.slice(this.pos));
        if (!m) this.fail('a property name is expected');
        key = m[0];
        this.pos += key.length;
      }
      this.skip();
      if (this.s[this.pos] !== ':') this.fail("':' is expected");
      this.pos++;
      out.set(key, this.value(depth + 1));
      this.skip();
      const d = this.s[this.pos];
      if (d === ',') {
        this.pos++;
        continue;
      }
      if (d === '}') {
        this.pos++;
        return out;
      }
      this.fail("',' or '}' is expected");
    }
  }

  array(depth: number): AdfValue[] {
    const out: AdfValue[] = [];
    this.pos++;
    for (;;) {
      this.skip();
      if (this.s[this.pos] === ']') {
        this.pos++;
        return out;
      }
      out.push(this.value(depth + 1));
      this.skip();
      const d = this.s[this.pos];
      if (d === ',') {
        this.pos++;
        continue;
      }
      if (d === ']') {
        this.pos++;
        return out;
      }
      this.fail("',' or ']' is expected");
    }
  }

  string(quote: string): string {
    const s = this.s;
    let out = '';
    let i = this.pos + 1;
    for (;;) {
      if (i >= s.length) {
        this.pos = i;
        this.fail('unterminated string');
      }
      const ch = s[i]!;
      if (ch === quote) {
        this.pos = i + 1;
        return out;
      }
      if (ch !== '\\') {
        out += ch;
        i++;
        continue;
      }
      const e = s[i + 1];
      i += 2;
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          const hex = s.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.pos = i;
            this.fail('invalid \\u escape');
          }
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        case undefined:
          this.pos = i;
          return this.fail('unterminated string');
        default:
          out += e;
      }
    }
  }

  number(): AdfValue {
    const m = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.pos));
    if (!m) {
      if (this.s.startsWith('-Infinity', this.pos)) {
        this.pos += 9;
        return -Infinity;
      }
      return this.fail('invalid number');
    }
    this.pos += m[0].length;
    const t = m[0];
    if (/^[+-]?\d+$/.test(t)) return BigInt(t);
    const x = Number(t);
    if (!Number.isFinite(x)) this.fail('the number is too large for a float');
    return x;
  }
}

export function parseLenientJson(text: string): JsonParse {
  if (text.trim() === '') return { ok: true, value: null };
  const p = new Parser(text);
  try {
    const value = p.value(0);
    p.skip();
    if (p.pos < text.length) p.fail('additional text after the value');
    return { ok: true, value };
  } catch (e) {
    if (e instanceof JsonSyntax) return { ok: false, message: e.message };
    throw e;
  }
}
