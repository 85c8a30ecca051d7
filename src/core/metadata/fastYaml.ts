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
export function fastYamlValue(text: string): { value: unknown } | undefined {
  if (UNSAFE_TEXT.test(text) || hasLongLine(text)) return undefined;
  const blockScalars = BLOCK_SCALAR_INDICATOR.test(text);
  const opens: number[] = [];
  let unsafe = false;
  let state: LoaderState | undefined;
  // Called as each node opens and closes; only what the text alone cannot tell is checked here.
  const listener = (event: 'open' | 'close', s: LoaderState): void => {
    if (event === 'open') {
      opens.push(s.position);
      return;
    }
    state = s;
    const start = opens.pop() as number;
    if (s.anchor !== null || s.tag === '!') unsafe = true;
    else if (s.kind === 'mapping' || s.kind === 'sequence') {
      if (s.kind === 'mapping' && Object.prototype.hasOwnProperty.call(s.result, 'null')) unsafe = true;
      const last = s.input.charCodeAt(s.position - 1);
      // A flow collection ends right after its bracket: over several lines, or as a key, it is not for us.
      if (last === 0x5d /* ] */ || last === 0x7d /* } */) {
        if (s.input.lastIndexOf('\n', s.position - 1) > start) unsafe = true;
        let i = s.position;
        while (s.input.charCodeAt(i) === 0x20) i++;
        if (s.input.charCodeAt(i) === 0x3a /* : */) unsafe = true;
      }
    } else if (blockScalars && s.kind === 'scalar') {
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
  return { value };
}

/** Anything for which the two libraries may read differently (see above). */
const UNSAFE_TEXT = /[\t\u0085\u2028\u2029\ufeff]|\r(?!\n)|^%|["'\]}]#|^(?:---.*\S|\.\.\.)|(?:^|[\s,[{])\?(?:\s|$)/m;
const BLOCK_SCALAR_INDICATOR = /[|>]/;
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

// yaml 2's core schema (node_modules/yaml/dist/schema/core), test for test and in its order.
// The tags have spaces so that no document can name them (`!<…>` takes no spaces).
const scalar = (tag: string, test: RegExp, construct: (s: string) => unknown): Type =>
  new Type(`lakehouse core ${tag}`, {
    kind: 'scalar',
    resolve: data => typeof data === 'string' && test.test(data),
    construct: data => construct(data as string),
  });
const CORE_SCHEMA = new Schema({
  implicit: [
    scalar('null', /^(?:~|[Nn]ull|NULL)?$/, () => null),
    scalar('bool', /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, s => s[0] === 't' || s[0] === 'T'),
    scalar('int oct', /^0o[0-7]+$/, s => parseInt(s.substring(2), 8)),
    scalar('int', /^[-+]?[0-9]+$/, s => parseInt(s, 10)),
    scalar('int hex', /^0x[0-9a-fA-F]+$/, s => parseInt(s.substring(2), 16)),
    scalar('float nan', /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, s =>
      s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY,
    ),
    scalar('float exp', /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, s => parseFloat(s)),
    scalar('float', /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, s => parseFloat(s)),
  ],
});
