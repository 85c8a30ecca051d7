// Metadata YAML: generated values (wrong types, hostile names, aliases, tags, huge and deep
// values) and mutations of realistic documents (the sample, the unit tests' baseline) that
// insert them, plus raw character-level damage. Every mutation is a plain record, so fast-check
// can shrink a failing case to the fewest, smallest mutations.
import fc from 'fast-check';

export type QuoteStyle = 'plain' | 'single' | 'double';

export type YamlValue =
  /** A scalar (or anything) written as is: 42, ~, .inf, !!binary aGk=, *a, [unclosed… */
  | { t: 'raw'; text: string }
  | { t: 'str'; value: string; style: QuoteStyle }
  /** unit repeated count times: 240 KB of '../' is { unit: '../', count: 80000 }. */
  | { t: 'huge'; unit: string; count: number; style: QuoteStyle }
  | { t: 'seq'; flow: boolean; items: YamlValue[] }
  | { t: 'map'; flow: boolean; entries: [string, YamlValue][] }
  /** Nesting `depth` levels deep. */
  | { t: 'deep'; kind: 'seq' | 'map' | 'block'; depth: number }
  /** A value that refers to itself or expands exponentially through aliases (RECURSIVE[form]). */
  | { t: 'recursive'; form: number };

export type YamlMutation =
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; length: number }
  /** Replace the value of the line-th `key:` line (and its nested block). */
  | { op: 'setValue'; line: number; value: YamlValue }
  /** Replace the value of the line-th `name:` (or column:, dimension:, source:) line. */
  | { op: 'rename'; line: number; value: YamlValue }
  /** Add `key: value` after the line-th key line, at its indentation. */
  | { op: 'addKey'; line: number; key: string; value: YamlValue }
  /** Repeat the line-th key line with its block: duplicate keys, duplicate list entries. */
  | { op: 'duplicate'; line: number }
  | { op: 'deleteLine'; line: number }
  | { op: 'indent'; line: number; by: number }
  /** Set the file's include list. */
  | { op: 'include'; patterns: string[] }
  /** Anchor the value of one key line and refer to it (or merge it) at another. */
  | { op: 'alias'; from: number; to: number; merge: boolean }
  | { op: 'newlines'; style: '\r\n' | '\r' | '\u2028' | '\u0085' };

/** Names meant to break whoever turns a name into a path, code, a query, a regex or an object key. */
export const HOSTILE_NAMES: readonly string[] = [
  '../../../tmp/pwn',
  `x"; import os; os.system('id'); y="`,
  'a\nb',
  'name]\n- injected: 1',
  ']',
  '[',
  '\u0000',
  'x\u0000y',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  '{name}',
  '{table}',
  '{unknown}',
  '${env:HOME}',
  '$(id)',
  '`id`',
  '<script>alert(1)</script>',
  "'; DROP TABLE users; --",
  '%s%n%x',
  '..',
  '.',
  '/',
  '\\',
  'C:\\Windows\\System32',
  '\\\\server\\share\\x',
  'CON',
  'nul',
  'aux.txt',
  '',
  ' ',
  '\t',
  '\u202Eevil',
  '\u200B',
  '🎵',
  'e\u0301',
  '\uD800',
  '\uDFFF',
  'a'.repeat(300),
  'dbo.DimUser',
  'spotify_sql.dbo.DimUser',
  'a.b.c.d',
  '*',
  '?',
  '[a-z]',
  '**/*',
  '-',
  '#',
  'x: y',
  '&a',
  '*a',
  '!!binary',
  'null',
  '~',
  'true',
  '0x10',
  '1e3',
  '2024-01-01',
  '@{pipeline().parameters.x}',
  "@concat('a')",
  '{{ 7*7 }}',
  '{% include "x" %}',
  'DimUser',
  'dim_user',
  'fact_stream',
  'user_id',
  'updated_at',
  'spotify_sql',
  'DIMUSER',
  'dimuser',
];

/** Keys of the schema, and keys no schema expects. */
export const KEYS: readonly string[] = [
  'name',
  'type',
  'schema',
  'columns',
  'tables',
  'sources',
  'cdcColumn',
  'primaryKey',
  'loadType',
  'backfillFrom',
  'dimensions',
  'facts',
  'businessKey',
  'scdType',
  'trackedColumns',
  'sequenceBy',
  'grain',
  'measures',
  'references',
  'column',
  'dimension',
  'aggregation',
  'include',
  'environments',
  'lake',
  'zones',
  'paths',
  'adf',
  'bundle',
  'templates',
  'template',
  'for',
  'output',
  'version',
  'project',
  'owner',
  'description',
  'linkedService',
  'server',
  'database',
  'container',
  'path',
  'format',
  'catalog',
  'dateDimension',
  'starSchema',
  'nullable',
  'source',
  'factory',
  'storageAccount',
  'subscriptionId',
  'resourceGroup',
  'x',
  '__proto__',
  'constructor',
  'toString',
  '<<',
  '',
  ' ',
  'a b',
  'Name',
  'NAME',
  'x'.repeat(1000),
  '?',
  '-',
  '🎵',
];

/** Scalars of every YAML type and shape, valid or not. */
export const RAW_SCALARS: readonly string[] = [
  '0',
  '-1',
  '42',
  '3.14',
  '1e400',
  '-.inf',
  '.nan',
  '0x1F',
  '0o17',
  '0b101',
  '1_000',
  '99999999999999999999999',
  '-0',
  'true',
  'false',
  'yes',
  'no',
  'on',
  'off',
  'null',
  '~',
  '',
  '2024-13-45',
  '2024-01-01',
  '2001-12-14t21:59:43.10-05:00',
  '!!binary aGVsbG8=',
  '!!str 1',
  '!!int x',
  '!!float abc',
  '!!bool maybe',
  '!!null x',
  '!!timestamp 2024-01-01',
  '!!set {a, b}',
  '!!omap [a: 1]',
  '!!pairs [a: 1]',
  '!!map []',
  '!!seq {}',
  '!custom x',
  '!<tag:yaml.org,2002:str> x',
  '!!js/function "function(){}"',
  '!!python/object/apply:os.system ["id"]',
  '*a',
  '*undefined_anchor',
  '&a x',
  '&a',
  '? complex',
  '|',
  '>',
  '|-',
  '"unterminated',
  "'unterminated",
  '[unclosed',
  '{unclosed',
  '@reserved',
  '`backtick',
  '%directive',
  '- nested',
  ': colon',
  '#comment',
  '[]',
  '{}',
  '[[]]',
  '{a: }',
  '[a, [b, {c: d}]]',
  '{? a}',
  '! x',
  '!!',
  '&',
  '*',
  '<<: *a',
  '"\\x00"',
  '"\\uD800"',
  '"\\N\\_\\L\\P"',
];

/** Values that refer to themselves, or expand exponentially when aliases are resolved. */
export const RECURSIVE: readonly ((indent: number) => string)[] = [
  () => ' &a [*a]',
  () => ' &a {x: *a}',
  () => ' &a [*a, *a]',
  indent => ` &a\n${' '.repeat(indent + 2)}k: *a\n${' '.repeat(indent + 2)}l: [*a]`,
  () => ' &a [&b [*a, *b], *a]',
  () => {
    // "Billion laughs": nine levels of nine aliases each.
    const levels = ['&l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `&l${i} [${Array(9)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    return ` [${levels.join(', ')}]`;
  },
  () => ' &a {<<: *a}',
  indent => ` &a\n${' '.repeat(indent + 2)}<<: *a\n${' '.repeat(indent + 2)}name: x`,
  () => ' &a [!!binary aGk=, *a, {k: *a}]',
  () => ' *a',
];

// --- rendering ---------------------------------------------------------------------------------

function quote(value: string, style: QuoteStyle): string {
  if (style === 'double') return JSON.stringify(value);
  if (style === 'single') return `'${value.replace(/'/g, "''")}'`;
  return value;
}

function key(k: string): string {
  return /^[A-Za-z_<][\w<]*$/.test(k) ? k : JSON.stringify(k);
}

/** A value in flow context (inside [ ] or { }, or after a key on one line). */
function inline(v: YamlValue): string {
  switch (v.t) {
    case 'raw':
      return v.text;
    case 'str':
      return quote(v.value, v.style);
    case 'huge':
      return quote(v.unit.repeat(v.count), v.style);
    case 'seq':
      return `[${v.items.map(inline).join(', ')}]`;
    case 'map':
      return `{${v.entries.map(([k, x]) => `${key(k)}: ${inline(x)}`).join(', ')}}`;
    case 'deep':
      return v.kind === 'map'
        ? `${'{a: '.repeat(v.depth)}1${'}'.repeat(v.depth)}`
        : `${'['.repeat(v.depth)}${']'.repeat(v.depth)}`;
    case 'recursive':
      return (RECURSIVE[v.form % RECURSIVE.length] as (indent: number) => string)(0).trim();
  }
}

/** The text after `key:` for a key at column `indent`: ' value', or a block on the next lines. */
export function renderValue(v: YamlValue, indent: number): string {
  const pad = ' '.repeat(indent + 2);
  if (v.t === 'seq' && !v.flow && v.items.length)
    return `\n${v.items.map(item => `${pad}-${renderValue(item, indent + 2)}`).join('\n')}`;
  if (v.t === 'map' && !v.flow && v.entries.length)
    return `\n${v.entries.map(([k, x]) => `${pad}${key(k)}:${renderValue(x, indent + 2)}`).join('\n')}`;
  if (v.t === 'deep' && v.kind === 'block') {
    const depth = Math.min(v.depth, 300); // 300 levels is already 90 KB of indentation
    const lines: string[] = [];
    for (let i = 0; i < depth; i++) lines.push(`${' '.repeat(indent + 2 + i * 2)}a:${i === depth - 1 ? ' 1' : ''}`);
    return `\n${lines.join('\n')}`;
  }
  if (v.t === 'recursive') return (RECURSIVE[v.form % RECURSIVE.length] as (indent: number) => string)(indent);
  return ` ${inline(v)}`;
}

// --- applying mutations -------------------------------------------------------------------------

interface KeyLine {
  /** Line index. */
  line: number;
  /** Column of the key (after "- "). */
  column: number;
  key: string;
}

const KEY_LINE = /^(\s*)(-\s+)?("[^"]*"|'[^']*'|[^\s#:'"{[\]][^:#]*?)\s*:(?=\s|$)/;

function keyLines(lines: string[]): KeyLine[] {
  const out: KeyLine[] = [];
  lines.forEach((text, line) => {
    const m = KEY_LINE.exec(text);
    if (m) out.push({ line, column: (m[1] ?? '').length + (m[2] ?? '').length, key: m[3] ?? '' });
  });
  return out;
}

/** The lines of the block under a key line: those indented deeper (blank lines in between included). */
function blockEnd(lines: string[], k: KeyLine): number {
  let end = k.line + 1;
  let last = k.line + 1;
  while (end < lines.length) {
    const text = lines[end] as string;
    if (text.trim() === '') {
      end++;
      continue;
    }
    const indent = text.length - text.trimStart().length;
    if (indent <= k.column) break;
    end++;
    last = end;
  }
  return last;
}

const NAME_KEYS = new Set(['name', 'column', 'dimension', 'source', 'dateDimension', 'cdcColumn', 'sequenceBy']);

export function applyYamlMutation(text: string, m: YamlMutation): string {
  if (m.op === 'insert') {
    const at = m.at % (text.length + 1);
    return text.slice(0, at) + m.text + text.slice(at);
  }
  if (m.op === 'delete') {
    const at = m.at % (text.length + 1);
    return text.slice(0, at) + text.slice(at + m.length);
  }
  if (m.op === 'newlines') return text.replace(/\r?\n/g, m.style);
  const lines = text.split('\n');
  const keys = keyLines(lines);
  const pick = (n: number, among = keys): KeyLine | undefined => among[n % Math.max(1, among.length)];
  const splice = (from: number, to: number, replacement: string[]): string => {
    lines.splice(from, to - from, ...replacement);
    return lines.join('\n');
  };
  const prefixOf = (k: KeyLine): string => {
    const line = lines[k.line] as string;
    const m2 = KEY_LINE.exec(line);
    return m2 ? m2[0] : line;
  };
  switch (m.op) {
    case 'setValue':
    case 'rename': {
      const k = pick(m.line, m.op === 'rename' ? keys.filter(x => NAME_KEYS.has(x.key)) : keys);
      if (!k) return text;
      const flowRest = (lines[k.line] as string).slice(prefixOf(k).length);
      // In a flow mapping line ("- { name: x, type: int }") replace just up to the next comma.
      const inFlow = /^\s*-?\s*\{/.test(lines[k.line] as string) && flowRest.includes(',');
      if (inFlow)
        return splice(k.line, k.line + 1, [
          prefixOf(k) + renderValue(m.value, k.column).replace(/\n/g, ' ') + flowRest.slice(flowRest.indexOf(',')),
        ]);
      return splice(k.line, blockEnd(lines, k), (prefixOf(k) + renderValue(m.value, k.column)).split('\n'));
    }
    case 'addKey': {
      const k = pick(m.line);
      if (!k) return `${text}\n${key(m.key)}:${renderValue(m.value, 0)}\n`;
      const end = blockEnd(lines, k);
      return splice(end, end, `${' '.repeat(k.column)}${key(m.key)}:${renderValue(m.value, k.column)}`.split('\n'));
    }
    case 'duplicate': {
      const k = pick(m.line);
      if (!k) return text;
      const end = blockEnd(lines, k);
      const block = lines.slice(k.line, end);
      return splice(end, end, block);
    }
    case 'deleteLine': {
      if (!lines.length) return text;
      const i = m.line % lines.length;
      return splice(i, i + 1, []);
    }
    case 'indent': {
      if (!lines.length) return text;
      const i = m.line % lines.length;
      const line = lines[i] as string;
      const changed =
        m.by >= 0 ? ' '.repeat(m.by) + line : line.slice(Math.min(-m.by, line.length - line.trimStart().length));
      return splice(i, i + 1, [changed]);
    }
    case 'include': {
      const block = ['include:', ...m.patterns.map(p => `  - ${JSON.stringify(p)}`)];
      const existing = keys.find(k => k.column === 0 && k.key === 'include');
      if (existing) return splice(existing.line, blockEnd(lines, existing), block);
      let end = text.length;
      while (end > 0 && text[end - 1] === '\n') end--;
      return `${text.slice(0, end)}\n${block.join('\n')}\n`;
    }
    case 'alias': {
      const from = pick(m.from);
      const to = pick(m.to);
      if (!from || !to) return text;
      const fromLine = lines[from.line] as string;
      const fromPrefix = prefixOf(from);
      lines[from.line] = `${fromPrefix} &a${fromLine.slice(fromPrefix.length)}`;
      if (m.merge) return splice(to.line + 1, to.line + 1, [`${' '.repeat(to.column + 2)}<<: *a`]);
      return splice(to.line, blockEnd(lines, to), [`${prefixOf(to)} *a`]);
    }
  }
}

// --- arbitraries --------------------------------------------------------------------------------

const style = fc.constantFrom<QuoteStyle>('double', 'plain', 'single');

export const hostileName: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_NAMES) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/) },
);

const HUGE_UNITS = ['../', 'x', 'a', ' ', '\\', '"', 'é', '🎵', '{name}', '*', '**/', 'ab', '../../', '%s', '\n'];

export const hugeValue: fc.Arbitrary<YamlValue> = fc.record({
  t: fc.constant('huge' as const),
  unit: fc.constantFrom(...HUGE_UNITS),
  // Mostly 100 KB and more (a uniform pick in the range); shrinks toward 1.
  count: fc.integer({ min: 1, max: 120_000 }),
  style,
});

export const deepValue: fc.Arbitrary<YamlValue> = fc.record({
  t: fc.constant('deep' as const),
  kind: fc.constantFrom<'seq' | 'map' | 'block'>('seq', 'map', 'block'),
  depth: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 200 }) },
    { weight: 1, arbitrary: fc.constantFrom(500, 1000, 5000, 20000) },
  ),
});

export const recursiveValue: fc.Arbitrary<YamlValue> = fc.record({
  t: fc.constant('recursive' as const),
  form: fc.nat({ max: RECURSIVE.length - 1 }),
});

const scalarValue: fc.Arbitrary<YamlValue> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('raw' as const), text: fc.constantFrom(...RAW_SCALARS) }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('str' as const), value: hostileName, style }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('raw' as const),
      text: fc.oneof(fc.integer().map(String), fc.double().map(String)),
    }),
  },
);

/** Any YAML value: scalars of every type, collections of them, huge, deep and recursive values. */
export const yamlValue: fc.Arbitrary<YamlValue> = fc.letrec<{ value: YamlValue }>(tie => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3, withCrossShrink: true },
    { weight: 16, arbitrary: scalarValue },
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant('seq' as const),
        flow: fc.boolean(),
        items: fc.array(tie('value'), { maxLength: 4 }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant('map' as const),
        flow: fc.boolean(),
        entries: fc.array(fc.tuple(fc.constantFrom(...KEYS), tie('value')), { maxLength: 4 }),
      }),
    },
    { weight: 1, arbitrary: recursiveValue },
    { weight: 1, arbitrary: deepValue },
    { weight: 1, arbitrary: hugeValue },
  ),
})).value;

const YAML_TOKENS = [
  ':',
  ': ',
  '- ',
  '-',
  '&a ',
  '*a',
  '!!binary ',
  '<<: ',
  '<<: *a',
  '\t',
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '#',
  '|',
  '>',
  '|-',
  '>+',
  ',',
  '?',
  '? ',
  '%',
  '@',
  '`',
  '!',
  '&',
  '*',
  '\n',
  '\n  ',
  '\n- ',
  '---\n',
  '...\n',
  '\\',
  '\u00a0',
  '\ufeff',
  '\u0000',
  '\r',
  '\u2028',
  '\u0085',
  '\uD800',
  '🎵',
  'é',
  '  ',
  'x: &a [*a]\n',
  '&a [*a]',
];

const TYPING = 'abcxyz_019 .'.split('');

export const insertedText: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...YAML_TOKENS) },
  { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom(...TYPING), minLength: 1, maxLength: 6 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: hostileName },
);

export const INCLUDE_PATTERNS: readonly string[] = [
  'metadata/*.lakehouse.yaml',
  'metadata/extra.lakehouse.yaml',
  'metadata/**/*.lakehouse.yaml',
  'metadata/sub/deep.lakehouse.yaml',
  'other/x.yaml',
  '../outside.yaml',
  'lakehouse.yaml',
  './lakehouse.yaml',
  'lakehouse.yml',
  '/etc/passwd',
  '/tmp/pwn.yaml',
  '/virtual/lakehouse/lakehouse.yaml',
  'C:\\Windows\\win.ini',
  '\\\\server\\share\\x.yaml',
  '..',
  '../',
  '../../../../etc/*',
  '**',
  '**/*',
  '*',
  '*/',
  'metadata/',
  'metadata',
  'metadata/[',
  'metadata/{a,b}.yaml',
  '?',
  '',
  ' ',
  '~/x.yaml',
  'metadata\\star-schema.lakehouse.yaml',
  'metadata/../metadata/*.lakehouse.yaml',
  'x\u0000.yaml',
  'metadata/*.lakehouse.yaml/..',
  '[!a]*.yaml',
  'metadata/***.yaml',
  '**/**/*.yaml',
];

/** Patterns that make glob expansion work hard: long runs of wildcards, deep globstars. */
export const EXPENSIVE_INCLUDE_PATTERNS: readonly string[] = [
  '**/**/**/**/**/*.yaml',
  '*'.repeat(200),
  '*/'.repeat(300),
  '**/'.repeat(100),
  'metadata/*/*/*/*/*/*/*',
  '**/'.repeat(8),
  '*/'.repeat(12) + '*.yaml',
];

const includePattern = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom(...INCLUDE_PATTERNS) },
  { weight: 6, arbitrary: hostileName },
  { weight: 1, arbitrary: fc.constantFrom(...EXPENSIVE_INCLUDE_PATTERNS) },
  { weight: 1, arbitrary: hugeValue.map(v => (v.t === 'huge' ? v.unit.repeat(Math.min(v.count, 20000)) : '')) },
);

const position = fc.nat();
const lineIndex = fc.nat({ max: 10_000 });

export const yamlMutation: fc.Arbitrary<YamlMutation> = fc.oneof(
  { weight: 22, arbitrary: fc.record({ op: fc.constant('insert' as const), at: position, text: insertedText }) },
  {
    weight: 8,
    arbitrary: fc.record({ op: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 40 }) }),
  },
  { weight: 22, arbitrary: fc.record({ op: fc.constant('setValue' as const), line: lineIndex, value: yamlValue }) },
  {
    weight: 12,
    arbitrary: fc.record({
      op: fc.constant('rename' as const),
      line: lineIndex,
      value: fc.oneof(
        { weight: 16, arbitrary: fc.record({ t: fc.constant('str' as const), value: hostileName, style }) },
        { weight: 1, arbitrary: hugeValue },
        { weight: 4, arbitrary: yamlValue },
      ),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('addKey' as const),
      line: lineIndex,
      key: fc.constantFrom(...KEYS),
      value: yamlValue,
    }),
  },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('duplicate' as const), line: lineIndex }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('deleteLine' as const), line: lineIndex }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('indent' as const), line: lineIndex, by: fc.integer({ min: -4, max: 4 }) }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('include' as const),
      patterns: fc.array(includePattern, { minLength: 1, maxLength: 4 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('alias' as const), from: lineIndex, to: lineIndex, merge: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('newlines' as const),
      style: fc.constantFrom<'\r\n' | '\r' | '\u2028' | '\u0085'>('\r\n', '\r', '\u2028', '\u0085'),
    }),
  },
);

export const yamlMutations = (maxLength: number): fc.Arbitrary<YamlMutation[]> =>
  fc.array(yamlMutation, { minLength: 1, maxLength });
