// The fast path (js-yaml, fastYaml.ts) must give exactly the values of the exact path (the yaml
// package's parseDocument + toJS, YAML 1.2 core schema, uniqueKeys), or decline so that the exact
// path runs. Every YAML file of the repository and of ../shared/fixtures, their CRLF variants, the
// written-down differences between the two libraries, and thousands of seeded mutations.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { fastYamlValue } from '../../src/core/metadata/fastYaml';
import { parseMetadataFileFast, hasExactDocument } from '../../src/core/metadata/fastMetadataFile';
import { buildFragment } from '../../src/core/metadata/buildFragment';
import { parseMetadataFile, YAML_OPTIONS } from '../../src/core/metadata/metadataFile';
import { generateProject } from '../../bench/generate';
import { REPO_ROOT, SHARED_FIXTURES, SHARED_MISSING } from './helpers/paths';

/** The exact path's value, or undefined when yaml reports an error or a warning (then the fast path must decline). */
function exact(text: string): { value: unknown } | undefined {
  const doc = parseDocument(text, YAML_OPTIONS);
  if (doc.errors.length || doc.warnings.length) return undefined;
  try {
    return { value: doc.toJS({ maxAliasCount: 1000 }) };
  } catch {
    return undefined;
  }
}

/** The property that matters: when the fast path answers, its value is the exact one. */
function assertAgrees(text: string, label: string): boolean {
  const fast = fastYamlValue(text);
  if (!fast) return false;
  const expected = exact(text);
  assert.ok(expected, `${label}: the fast path read a text that yaml rejects or warns about:\n${text.slice(0, 400)}`);
  assert.deepStrictEqual(fast.value, expected.value, `${label}: values differ`);
  return true;
}

function yamlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name.startsWith('out')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(full));
    else if (/\.ya?ml$/i.test(entry.name)) out.push(full);
  }
  return out;
}

const REPO_FILES = ['test', 'samples', 'templates'].flatMap(d => yamlFiles(path.join(REPO_ROOT, d)));

describe('fast YAML path: the same values as the yaml package, or none', () => {
  it('every YAML file of the repository (and its CRLF variant) reads the same, on the fast path', () => {
    assert.ok(REPO_FILES.length >= 3, `found ${REPO_FILES.length} YAML files`);
    for (const file of REPO_FILES) {
      const text = fs.readFileSync(file, 'utf8');
      // These are plain metadata: the fast path must take them, or the test proves nothing.
      assert.ok(assertAgrees(text, file), `${file}: the fast path declined a plain file`);
      assert.ok(assertAgrees(text.replace(/\r?\n/g, '\r\n'), `${file} (CRLF)`), `${file} (CRLF): declined`);
    }
  });

  it('every YAML file in ../shared/fixtures reads the same', t => {
    if (!fs.existsSync(SHARED_FIXTURES)) return t.skip(SHARED_MISSING);
    const files = yamlFiles(SHARED_FIXTURES);
    assert.ok(files.length > 0);
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      assertAgrees(text, file);
      assertAgrees(text.replace(/\r?\n/g, '\r\n'), `${file} (CRLF)`);
    }
  });

  it('a generated project of 200 tables reads the same, file by file, on the fast path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fast-yaml-'));
    try {
      const p = generateProject(dir, { tables: 200, adfTemplate: path.join(REPO_ROOT, 'samples', 'spotify', 'adf') });
      for (const file of p.files.metadata) {
        assert.ok(assertAgrees(fs.readFileSync(file, 'utf8'), file), `${file}: declined`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // Where js-yaml 4 and yaml 2 (YAML 1.2 core schema, uniqueKeys) differ, and what we do: 'same'
  // = the fast path reads it, with yaml's value; 'exact' = it declines and the exact path runs.
  const CASES: [string, string, 'same' | 'exact'][] = [
    ['YAML 1.1 booleans are strings in 1.2', 'a: yes\nb: no\nc: on\nd: off\ne: y\nf: True\ng: FALSE', 'same'],
    ['0777 is decimal in 1.2, 0o777 octal', 'a: 0777\nb: 0o777\nc: 0x1F\nd: +12\ne: -0\nf: 1_000\ng: 0b11', 'same'],
    ['sexagesimal is a string in 1.2', 'a: 1:20\nb: 190:20:30.15', 'same'],
    ['~, null, Null, NULL and empty are null', 'a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: nULL', 'same'],
    [
      '.inf, -.inf, .nan; 1e3, 1.5, .5, 1.',
      'a: .inf\nb: -.Inf\nc: .NaN\nd: 1e3\ne: 1.5\nf: .5\ng: 1.\nh: .nan.',
      'same',
    ],
    [
      'timestamps are strings (js-yaml default schema: Dates)',
      'a: 2024-01-01\nb: 2001-12-14t21:59:43.10-05:00',
      'same',
    ],
    ['<< is an ordinary key (no merge in 1.2)', 'a: {x: 1}\n<<: {b: 1}\nc:\n  <<: {d: 2}', 'same'],
    ['quoted scalars are strings', "a: \"1\"\nb: 'true'\nc: \"\\u00e9\\x41\\t\"\nd: 'it''s'", 'same'],
    ['block scalars, folding, chomping', 'a: |\n  x\n   y\nb: >-\n  p\n  q\n\n  r\nc: |+\n  k\n\nd: x', 'same'],
    ['multi-line plain and quoted scalars fold', 'a: one\n  two\n\n  three\nb: "x\n  y"', 'same'],
    ['a document start marker', '---\na: 1\n', 'same'],
    ['comments and flow collections on one line', '# c\na: [1, "b", {c: d}] # e\nb: {}\nc: []', 'same'],
    [
      'scalars told by their first character, near misses too',
      'a: nul\nb: Nulls\nc: N\nd: tru\ne: TRUEx\nf: -x\ng: .x\nh: +\ni: -.inf\nj: +1.5e-3\nk: f\nl: False\nm: "null"\nn: nUll',
      'same',
    ],
    ['& and ! in plain scalars are no anchor or tag', 'a: R&D\nb: Hello!\nc: [x&y, a!b]', 'same'],
    ['a comment right after a quote, after a comment on the first line', '#c\na: "x"#c', 'exact'],
    ['!!binary (a tag): yaml gives a Buffer', 'a: !!binary aGk=', 'exact'],
    ['explicit tags', 'a: !!str 1\nb: !!int "2"\nc: !custom x', 'exact'],
    ['the non-specific tag !', 'a: ! 12', 'exact'],
    ['anchors and aliases', 'a: &x {b: 1}\nc: *x', 'exact'],
    ['a recursive alias (LH001 at the alias on the exact path)', 'a: &x [*x]', 'exact'],
    ['an alias to no anchor', 'a: *nothing', 'exact'],
    ['duplicate keys (LH001 at the second key on the exact path)', 'a: 1\nb: 2\na: 3', 'exact'],
    ['keys equal only as strings (1 and "1": yaml keeps the last)', '1: a\n"1": b', 'exact'],
    ['a null key (yaml: "", js-yaml: "null")', '~: 1\nb: 2', 'exact'],
    ['an empty key', ': 1', 'exact'],
    ['a collection as a key (yaml stringifies it its way)', '[a, b]: 1', 'exact'],
    ['an explicit key', '? a\n: 1', 'exact'],
    ['two documents', 'a: 1\n---\nb: 2', 'exact'],
    ['a document end marker', 'a: 1\n...\n', 'exact'],
    ['content after ---', '--- a: 1', 'exact'],
    ['a directive (a %YAML 1.1 document has 1.1 scalars in yaml)', '%YAML 1.1\n---\na: yes', 'exact'],
    ['tabs', 'a:\n\tb: 1', 'exact'],
    ['a tab after a value', 'a: 1\t\nb: 2', 'exact'],
    ['a BOM (the session strips a leading one)', '\ufeffa: 1', 'exact'],
    ['a lone CR line break', 'a: 1\rb: 2', 'exact'],
    ['NEL, LS, PS', 'a: x\u2028y', 'exact'],
    ['a flow collection over several lines', 'a: [1,\n  2]', 'exact'],
    ['a flow collection under-indented (yaml: an error)', 'a:\n  b: [1,\n2]', 'exact'],
    ['a comment right after a quote (yaml: an error)', 'a: "x"#c', 'exact'],
    ['a key over 1,024 characters (yaml: an error)', `${'k'.repeat(1100)}: 1`, 'exact'],
    ['a block scalar with a more-indented blank line first', 'a: |\n     \n  x\n', 'exact'],
    ['nesting past 64 levels', `${'['.repeat(80)}${']'.repeat(80)}`, 'exact'],
    [
      'very deep block nesting',
      Array.from({ length: 70 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' 1',
      'exact',
    ],
    ['a syntax error', 'a: [1, 2\nb: 3', 'exact'],
    ['an unterminated quote', 'a: "x', 'exact'],
  ];
  for (const [what, text, expected] of CASES) {
    it(`${expected === 'same' ? 'reads' : 'leaves to the exact path'}: ${what}`, () => {
      const fast = fastYamlValue(text);
      if (expected === 'exact') {
        assert.equal(fast, undefined, `the fast path read ${JSON.stringify(text.slice(0, 80))}`);
      } else {
        assert.ok(fast, 'the fast path declined');
        assert.ok(assertAgrees(text, what));
      }
    });
  }

  it('seeded mutations of every file: whenever the fast path answers, it is yaml’s value (3,000 cases)', () => {
    const sources = REPO_FILES.map(f => fs.readFileSync(f, 'utf8'));
    const snippets = [
      '&a ',
      '*a',
      '!',
      '\t',
      '? ',
      '[',
      ']',
      '{',
      '}',
      ':',
      ': ',
      '"',
      "'",
      '#',
      ' #',
      '|',
      '>',
      '- ',
      ' ',
      '\n',
      '\n  ',
      '~',
      'null',
      '<<: ',
      '---',
      '...',
      '%',
      '@',
      '`',
      ',',
      '0o7',
      '.inf',
      'yes',
      '\\',
      '\r',
      '  ',
      'x: y',
      '- a\n',
      '{a: 1}',
      '[1, 2]',
      '"a\nb"',
      '|-\n  z\n',
      '\ufeff',
      '\u2028',
    ];
    let seed = 1;
    const rand = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
    let answered = 0;
    for (let i = 0; i < 3000; i++) {
      // A whole file, or a small window of one, so that each mutation matters.
      const source = pick(sources);
      const from = rand() < 0.5 ? 0 : source.lastIndexOf('\n', Math.floor(rand() * source.length)) + 1;
      let text = from === 0 ? source : source.slice(from, from + 200 + Math.floor(rand() * 600));
      for (let m = 1 + Math.floor(rand() * 3); m > 0; m--) {
        const at = Math.floor(rand() * (text.length + 1));
        const kind = rand();
        if (kind < 0.6) text = text.slice(0, at) + pick(snippets) + text.slice(at);
        else if (kind < 0.85) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 8));
        else {
          const lines = text.split('\n');
          const l = Math.floor(rand() * lines.length);
          lines.splice(l, 0, lines[l] ?? '');
          text = lines.join('\n');
        }
      }
      if (assertAgrees(text, `mutation ${i}`)) answered++;
    }
    // Most mutations of plain files stay plain: the property was really exercised.
    assert.ok(answered > 600, `the fast path answered only ${answered} of 3000`);
  });

  it('parseMetadataFileFast: the same value, diagnostics and ranges as parseMetadataFile', () => {
    const texts: [string, string][] = [
      ...REPO_FILES.filter(f => /lakehouse\.ya?ml$/.test(f)).map(
        f => [f, fs.readFileSync(f, 'utf8')] as [string, string],
      ),
      ['bad.yaml', 'version: 1\nproject: {name: x}\nversion: 2\n'],
      ['schema.yaml', 'sources:\n  - name: s\n    tables:\n      - name: t\n        colums: []\n'],
      ['empty.yaml', '# nothing\n'],
      ['alias.yaml', 'sources: &a [*a]\n'],
    ];
    for (const [file, text] of texts) {
      const kind = /(^|[\\/])lakehouse\.ya?ml$/.test(file) ? 'root' : 'fragment';
      const fast = parseMetadataFileFast(file, kind, text);
      const full = parseMetadataFile(file, kind, text);
      assert.deepStrictEqual(fast.value, full.value, `${file}: value`);
      assert.deepStrictEqual(fast.diagnostics, full.diagnostics, `${file}: diagnostics`);
      assert.equal(fast.parsed, full.parsed, `${file}: parsed`);
      // The Document of a fast file is made when asked for, and is the exact one.
      assert.deepEqual(
        fast.doc?.errors.map(e => e.message),
        full.doc?.errors.map(e => e.message),
        `${file}: document errors`,
      );
      assert.deepEqual(fast.doc?.contents?.range, full.doc?.contents?.range, `${file}: ranges`);
      assert.ok(hasExactDocument(fast));
    }
    const sample = fs.readFileSync(path.join(REPO_ROOT, 'samples', 'spotify', 'lakehouse.yaml'), 'utf8');
    assert.equal(
      hasExactDocument(parseMetadataFileFast('lakehouse.yaml', 'root', sample)),
      false,
      'a valid file: no Document yet',
    );
  });
  it('buildFragment finds TODOs spelled outright or with escapes (the walk is skipped only when the text has neither)', () => {
    const text =
      'sources:\n  - name: s\n    tables:\n      - name: t\n        description: "\\u0054ODO: describe t"\n' +
      '        columns:\n          - { name: id, type: int, "to\\x64o": ask the DBA }\n';
    const fragment = buildFragment(parseMetadataFileFast('a.lakehouse.yaml', 'fragment', text));
    assert.deepEqual(
      fragment.todos.map(t => [t.text, t.origin.path.join('.')]),
      [
        ['TODO: describe t', 'sources.0.tables.0.description'],
        ['ask the DBA', 'sources.0.tables.0.columns.0.todo'],
      ],
    );
    const plain =
      'sources:\n  - name: s\n    tables:\n      - name: t\n        description: nothing to do\n        columns: []\n';
    assert.deepEqual(buildFragment(parseMetadataFileFast('b.lakehouse.yaml', 'fragment', plain)).todos, []);
  });
});
