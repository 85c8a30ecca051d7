// JSON read the way Python's json.loads reads it: "2.0" stays a float (JSON.parse would make
// it the integer 2, which then prints as "2" where Jinja2 prints "2.0"), objects become dicts.
import { PyFloat, type PyKey, type PyValue, makeInt } from './pyValue';

export function parsePythonJson(text: string): PyValue {
  let pos = 0;
  const fail = (message: string): never => {
    throw new SyntaxError(`${message} at position ${pos}`);
  };
  const skipSpace = () => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos]!)) pos++;
  };
  const parseValue = (): PyValue => {
    skipSpace();
    const char = text[pos];
    if (char === '{') {
      pos++;
      const dict = new Map<PyKey, PyValue>();
      skipSpace();
      if (text[pos] === '}') {
        pos++;
        return dict;
      }
      for (;;) {
        skipSpace();
        if (text[pos] !== '"') fail('expected a string key');
        const key = parseString();
        skipSpace();
        if (text[pos++] !== ':') fail("expected ':'");
        dict.set(key, parseValue());
        skipSpace();
        const next = text[pos++];
        if (next === '}') return dict;
        if (next !== ',') fail("expected ',' or '}'");
      }
    }
    if (char === '[') {
      pos++;
      const list: PyValue[] = [];
      skipSpace();
      if (text[pos] === ']') {
        pos++;
        return list;
      }
      for (;;) {
        list.push(parseValue());
        skipSpace();
        const next = text[pos++];
        if (next === ']') return list;
        if (next !== ',') fail("expected ',' or ']'");
      }
    }
    if (char === '"') return parseString();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
      ['NaN', new PyFloat(NaN)],
      ['Infinity', new PyFloat(Infinity)],
      ['-Infinity', new PyFloat(-Infinity)],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return value;
      }
    }
    const number = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(pos, pos + 400));
    if (!number) return fail('unexpected character');
    pos += number[0].length;
    if (number[1] !== undefined || number[2] !== undefined) return new PyFloat(Number(number[0]));
    return makeInt(BigInt(number[0]));
  };
  const parseString = (): string => {
    const start = pos;
    pos++;
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  const value = parseValue();
  skipSpace();
  if (pos < text.length) fail('unexpected trailing data');
  return value;
}
