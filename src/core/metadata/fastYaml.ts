import { load, Schema, Type, type LoaderState } from 'js-yaml';

/**
 * The plain value of a YAML text read with js-yaml (about 15× faster than the `yaml` package's
 * parseDocument), or undefined when that value is not guaranteed to equal what
 * `parseDocument(text, YAML_OPTIONS).toJS()` gives for a document without errors or warnings.
 * Undefined means "use the exact path": the caller then parses with `yaml`, so diagnostics and
 * messages are exactly as they always were. A differential test holds the two to each other.
 *
 * Where the libraries differ, and what is done (see test/unit/fastYaml.test.ts):
 * - scalars: js-yaml's own schemas are replaced by yaml's YAML 1.2 core schema, test by test
 *   (null ~/null/Null/NULL/empty, true/True/TRUE…, 0o17, 123, 0x1F, .inf/.nan, 1e3, 1.5); so yes,
 *   on, 0777 (decimal), 1:20, 2024-01-01 and !!binary-looking text are strings or numbers as in yaml;
 * - no merge type: `<<` is an ordinary key, as in yaml 1.2 without `merge: true`;
 * - anchors, aliases (recursive ones too), tags (even `!`), directives, duplicate keys, a null
 *   or collection as a key, more than one document, tabs, a lone CR, NEL/LS/PS, BOMs, lines over
 *   1,000 characters (yaml's 1,024-character limit on implicit keys), flow collections over several
 *   lines, block scalars with whitespace-only lines, `#` right after a quote or bracket, content
 *   after `---` on its line, `...`, an explicit key (`? `), nesting past 64 levels: the exact path, always.
 */
export function fastYamlValue(text: string): { value: unknown; text: string } | undefined {
  if (unsafeText(text) || hasLongLine(text)) return undefined;
  const blockScalars = text.includes('|') || text.includes('>');
  // The listener runs for every node (a million at 10,000 tables): checks that the text shows to be
  // needless are left out of it. An anchor needs a '&', a tag a '!'.
  const properties = text.includes('&') || text.includes('!');
  const opens: number[] = [];
  let depth = 0;
  let unsafe = false;
  let state: LoaderState | undefined;
  let input: string | undefined;
  // Called as each node opens and closes; only what the text alone cannot tell is checked here.
  const listener = (event: 'open' | 'close', s: LoaderState): void => {
    if (event === 'open') {
      if (depth === 0) input = s.input;
      opens[depth++] = s.position;
      return;
    }
    const start = opens[--depth] as number;
    if (properties) {
      state = s;
      if (s.anchor !== null || s.tag === '!') {
        unsafe = true;
        return;
      }
    }
    const kind = s.kind;
    if (kind === 'mapping' || kind === 'sequence') {
      if (kind === 'mapping' && Object.prototype.hasOwnProperty.call(s.result, 'null')) unsafe = true;
      const last = s.input.charCodeAt(s.position - 1);
      // A flow collection ends right after its bracket: over several lines, or as a key, it is not for us.
      if (last === 0x5d /* ] */ || last === 0x7d /* } */) {
        if (s.input.lastIndexOf('\n', s.position - 1) > start) unsafe = true;
        let i = s.position;
        while (s.input.charCodeAt(i) === 0x20) i++;
        if (s.input.charCodeAt(i) === 0x3a /* : */) unsafe = true;
      }
    } else if (blockScalars && kind === 'scalar') {
      const first = firstSignificant(s.input, start, s.position);
      const c = s.input.charCodeAt(first);
      if ((c === 0x7c /* | */ || c === 0x3e) /* > */ && BLANK_WITH_SPACES.test(s.input.slice(first, s.position)))
        unsafe = true;
    }
  };
  let value: unknown;
  try {
    value = load(text, { schema: CORE_SCHEMA, maxDepth: 64, listener });
  } catch {
    return undefined;
  }
  if (unsafe || (state && Object.keys(state.anchorMap).length > 0)) return undefined;
  return { value, text: sameTextIn(input, text) };
}

/**
 * js-yaml reads a copy of the text (it appends a '\0', which flattens the string into a new one),
 * and the value's strings are slices of that copy: they keep it alive as long as they live. The
 * same text, as a slice of that copy, lets a caller keep one copy instead of two.
 */
function sameTextIn(input: string | undefined, text: string): string {
  if (input === undefined || input.length <= text.length) return text;
  const slice = input.slice(0, text.length);
  return slice === text ? slice : text;
}

/**
 * Anything for which the two libraries may read differently (see above): one regular expression
 * each, run only when the text has the character it needs (indexOf is a fast scan; an alternation
 * tried at every position of 10 MB is not).
 */
function unsafeText(text: string): boolean {
  for (const c of ODD_CHARACTERS) if (text.includes(c)) return true;
  if (text.includes('\r') && LONE_CR.test(text)) return true;
  if (text.includes('%') && DIRECTIVE.test(text)) return true;
  if ((text.includes('---') || text.includes('...')) && DOCUMENT_MARKER.test(text)) return true;
  if (text.includes('?') && EXPLICIT_KEY.test(text)) return true;
  // '#' right after a quote or a closing bracket.
  for (let i = text.indexOf('#'); i !== -1; i = text.indexOf('#', i + 1)) {
    const c = i > 0 ? text.charCodeAt(i - 1) : 0;
    if (c === 0x22 /* " */ || c === 0x27 /* ' */ || c === 0x5d /* ] */ || c === 0x7d /* } */) return true;
  }
  return false;
}
const ODD_CHARACTERS = ['\t', '\u0085', '\u2028', '\u2029', '\ufeff'];
const LONE_CR = /\r(?!\n)/;
const DIRECTIVE = /^%/m;
const DOCUMENT_MARKER = /^(?:---.*\S|\.\.\.)/m;
const EXPLICIT_KEY = /(?:^|[\s,[{])\?(?:\s|$)/m;
const BLANK_WITH_SPACES = /\n +\r?(?:\n|$)/;

function hasLongLine(text: string): boolean {
  let from = 0;
  for (;;) {
    const nl = text.indexOf('\n', from);
    const end = nl === -1 ? text.length : nl;
    if (end - from > 1000) return true;
    if (nl === -1) return false;
    from = nl + 1;
  }
}

/** The first character at or after `from` that is not white space or a comment, or `to`. */
function firstSignificant(text: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d) i++;
    else if (c === 0x23 /* # */) {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? to : nl;
    } else break;
  }
  return i;
}

// yaml 2's core schema (node_modules/yaml/dist/schema/core), test for test and in its order. Each
// test takes values of its own first characters, so a scalar is tried only on those its first
// character allows (most scalars of a metadata file are names and types: strings, told at a look).
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const NUMBER_TESTS: [RegExp, (s: string) => unknown][] = [
  [/^0o[0-7]+$/, s => parseInt(s.substring(2), 8)],
  [/^[-+]?[0-9]+$/, s => parseInt(s, 10)],
  [/^0x[0-9a-fA-F]+$/, s => parseInt(s.substring(2), 16)],
  [
    /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    s =>
      s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY,
  ],
  [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, s => parseFloat(s)],
  [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, s => parseFloat(s)],
];
const toNull = () => null;
const toBool = (s: string) => s[0] === 't' || s[0] === 'T';

/** How yaml's core schema reads a plain scalar, or undefined when it is a string. */
function coreTest(s: string): ((s: string) => unknown) | undefined {
  if (s.length === 0) return toNull;
  const c = s.charCodeAt(0);
  switch (c) {
    case 0x7e /* ~ */:
    case 0x6e /* n */:
    case 0x4e /* N */:
      return s.length <= 4 && NULL.test(s) ? toNull : undefined;
    case 0x74 /* t */:
    case 0x54 /* T */:
    case 0x66 /* f */:
    case 0x46 /* F */:
      return (s.length === 4 || s.length === 5) && BOOL.test(s) ? toBool : undefined;
  }
  if (!((c >= 0x30 && c <= 0x39) /* 0-9 */ || c === 0x2b /* + */ || c === 0x2d /* - */ || c === 0x2e) /* . */)
    return undefined;
  for (const [test, construct] of NUMBER_TESTS) if (test.test(s)) return construct;
  return undefined;
}

// One implicit type for all of them (js-yaml tries each implicit type in turn on every plain scalar).
// The tag has spaces so that no document can name it (`!<…>` takes no spaces).
const CORE_SCHEMA = new Schema({
  implicit: [
    new Type('lakehouse core scalar', {
      kind: 'scalar',
      resolve: data => typeof data === 'string' && coreTest(data) !== undefined,
      construct: data => (coreTest(data as string) as (s: string) => unknown)(data as string),
    }),
  ],
});
