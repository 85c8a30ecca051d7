// Lakehouse Workbench's quoting filters (py_str, sql_ident, sql_str, spark_ident, spark_str,
// adf_str, one_line): names from metadata written into generated code stay data, whatever they
// contain. Our filters must give the bytes of their Python definitions (docs/templates.md), which
// the oracle registers: checked on hostile and random strings, and repr() on every code point.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { createTemplateEnvironment } from '../../../src/core/templates/environment';
import {
  JINJA2_RENDER_SCRIPT,
  LAKEHOUSE_FILTERS_PYTHON,
  verifyWithJinja2,
  type VerifyCase,
} from '../../../src/core/templates/jinja2Oracle';
import { needJinja2, PYTHON } from '../helpers/python';
import { REPO_ROOT } from '../helpers/paths';

const FILTERS = ['py_str', 'sql_ident', 'sql_str', 'spark_ident', 'spark_str', 'adf_str', 'one_line'] as const;
const environment = { searchPaths: [os.tmpdir()], projectRoot: os.tmpdir() };

function render(text: string, context: Record<string, unknown> = {}): string {
  const result = createTemplateEnvironment(environment).renderString(text, context);
  if (!result.ok) throw new Error(`${result.error.kind}: ${result.error.message}`);
  return result.text;
}

const apply = (filter: string, value: unknown) => render(`{{ v|${filter} }}`, { v: value });

test('py_str: a Python string literal, repr(str(value))', () => {
  assert.equal(apply('py_str', `x"; import os; os.system('id'); y="`), `'x"; import os; os.system(\\'id\\'); y="'`);
  assert.equal(apply('py_str', "O'Brien"), `"O'Brien"`);
  assert.equal(apply('py_str', 'a\\b\nc\r\td\u0000e\u2028f'), "'a\\\\b\\nc\\r\\td\\x00e\\u2028f'");
  assert.equal(
    apply('py_str', 'café 😀 中文 nbsp\u00a0 zw\u200b bom\ufeff'),
    "'café 😀 中文 nbsp\\xa0 zw\\u200b bom\\ufeff'",
  );
  assert.equal(apply('py_str', 'new in Unicode 15: \u{1FAE8}'), "'new in Unicode 15: \\U0001fae8'"); // unassigned for Python 3.11
  assert.equal(apply('py_str', 42), "'42'");
  assert.equal(apply('py_str', null), "'None'");
  assert.equal(apply('py_str', ['a', "b'"]), `'[\\'a\\', "b\\'"]'`); // str() of the list has both quotes
});

test('sql_ident, sql_str: T-SQL delimited identifier and string literal', () => {
  assert.equal(apply('sql_ident', 'a]b]]c'), '[a]]b]]]]c]');
  assert.equal(apply('sql_ident', "O'Brien [x]"), "[O'Brien [x]]]");
  assert.equal(apply('sql_str', "'; DROP TABLE t; --"), "'''; DROP TABLE t; --'");
  assert.equal(apply('sql_str', 'é\n"x"'), '\'é\n"x"\'');
});

test('spark_ident, spark_str: Spark SQL identifier and string literal', () => {
  assert.equal(apply('spark_ident', 'a`b``c'), '`a``b````c`');
  assert.equal(apply('spark_str', "it's a \\ test"), "'it\\'s a \\\\ test'");
  assert.equal(apply('spark_str', "\\'"), "'\\\\\\''");
});

test('adf_str: an Azure Data Factory expression string literal', () => {
  assert.equal(apply('adf_str', "O'Brien @{pipeline()}"), "'O''Brien @{pipeline()}'");
});

test('one_line: control characters and line separators become spaces', () => {
  assert.equal(
    apply('one_line', 'a\r\nb\tc\u0000d\u007fe\u0085f\u009fg\u2028h\u2029i\u00a0j'),
    'a  b c d e f g h i\u00a0j',
  );
  assert.equal(apply('one_line', '*/ stays'), '*/ stays');
});

test('undefined values print as empty, Markup values as their text', () => {
  assert.equal(render(FILTERS.map(f => `[{{ missing|${f} }}]`).join('')), "[''][[]][''][``][''][''][]");
  assert.equal(render("{{ '<b>'|safe|py_str }} {{ 'a]'|e|sql_ident }}"), "'<b>' [a]]]");
});

test('docs/templates.md gives the Python definitions the oracle registers', () => {
  const docs = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'templates.md'), 'utf8');
  const definitions = LAKEHOUSE_FILTERS_PYTHON.split('\n').filter(line => line.startsWith('    "'));
  assert.deepEqual(
    definitions.map(line => /"(\w+)"/.exec(line)![1]),
    [...FILTERS],
  );
  for (const line of definitions) assert.ok(docs.includes(line), `docs/templates.md has ${line}`);
  assert.ok(
    JINJA2_RENDER_SCRIPT.includes(LAKEHOUSE_FILTERS_PYTHON) &&
      JINJA2_RENDER_SCRIPT.includes('env.filters.update(LAKEHOUSE_FILTERS)'),
  );
});

/** Renders each source with the context {"v": value} on both sides; returns the differences. */
async function differences(sources: { source: string; value: string }[]): Promise<string[]> {
  const cases: VerifyCase[] = sources.map((s, i) => ({
    id: `q${i}`,
    source: s.source,
    context: JSON.stringify({ v: s.value }),
    searchPaths: environment.searchPaths,
    projectRoot: environment.projectRoot,
  }));
  const report = await verifyWithJinja2(cases, { python: PYTHON });
  return report.outcomes
    .filter(o => o.status !== 'identical' && o.status !== 'both-failed')
    .map(o => {
      const input = sources[Number(o.id.slice(1))]!;
      return (
        `${input.source} with ${JSON.stringify(input.value)}: ${o.status} ` +
        `${JSON.stringify(o.ours.ok ? o.ours.text : o.ours.error)} vs ` +
        `${JSON.stringify(o.jinja2.ok ? o.jinja2.text : o.jinja2.message)}`
      );
    });
}

test('random strings: every filter byte for byte as its Python definition', async t => {
  if (!needJinja2(t)) return;
  const hostile = fc.constantFrom(
    "'",
    '"',
    '\\',
    '`',
    ']',
    '[',
    '\n',
    '\r',
    '\t',
    '\u0000',
    '\u0085',
    '\u2028',
    '\u2029',
    '\u00a0',
    '\u200b',
    '\ufeff',
    'é',
    '😀',
    '中',
    '\u{1FAE8}',
    '\ud800',
    '\udfff',
    '@{',
    '--',
    '*/',
  );
  const value = fc
    .array(fc.oneof(hostile, fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 12 })
    .map(parts => parts.join(''));
  const values = fc.sample(value, { numRuns: 150, seed: 20240521 });
  const sources = values.flatMap(v => FILTERS.map(filter => ({ source: `{{ v|${filter} }}`, value: v })));
  assert.deepEqual(await differences(sources), []);
});

test("repr() of every code point is CPython 3.11's (str.isprintable, Unicode 14.0)", async t => {
  if (!needJinja2(t)) return;
  const chunks: string[] = [];
  let chunk = '';
  for (let code = 0; code <= 0x10ffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue; // lone surrogates: one per string below
    chunk += String.fromCodePoint(code);
    if (chunk.length >= 65536) {
      chunks.push(chunk);
      chunk = '';
    }
  }
  chunks.push(chunk);
  const sources = chunks.map(c => ({ source: '{{ v|py_str }}', value: c }));
  sources.push({ source: '{{ [v] }}', value: 'a\ud800b\udc00c\udbff' });
  assert.deepEqual(await differences(sources), []);
});
