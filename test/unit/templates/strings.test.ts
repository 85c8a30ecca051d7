// String filters and methods work by scanning (so that a 16 MB string never becomes a list of 16
// million characters): on random strings made of the characters they treat specially, they must
// still give Jinja2's bytes.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as os from 'os';
import * as fc from 'fast-check';
import { verifyWithJinja2, type VerifyCase } from '../../../src/core/templates/jinja2Oracle';
import { needJinja2, PYTHON } from '../helpers/python';

const EXPRESSIONS = [
  's|reverse',
  's[::-1]',
  's[1:-1]',
  's[::2]',
  's[-3:]',
  's[2]',
  's[-1]',
  's|list',
  's|length',
  's|first',
  's|last',
  's|title',
  's|capitalize',
  's.title()',
  's.swapcase()',
  's.upper()',
  's|lower',
  's.istitle()',
  's.isupper()',
  's.split()',
  's.split(None, 1)',
  's.rsplit(None, 1)',
  's.split("a")',
  's.rsplit("a", 1)',
  's.split("ab", 2)',
  's.splitlines()',
  's.splitlines(True)',
  's.strip()',
  's.lstrip()',
  's.rstrip()',
  's.strip("a 😀")',
  's|trim',
  's|trim("ab")',
  's.find("a")',
  's.rfind("a")',
  's.find("a", 1, -1)',
  's.count("a")',
  's.count("")',
  's.startswith("a")',
  's.endswith(("a", "b"), 1)',
  's.replace("a", "xy")',
  's.replace("", "-")',
  's.replace("a", "", 1)',
  's|replace("b", "\\n", 2)',
  's|center(12)',
  's.ljust(9, "*")',
  's.rjust(9)',
  's.zfill(8)',
  's|truncate(9, leeway=0)',
  's|truncate(9, True, "…", 0)',
  's|indent(2)',
  's|indent(2, True, True)',
  's|wordcount',
  's|striptags',
  's|urlencode',
  's|e',
  's|tojson',
  's|pprint',
  '"%-8s|%5.2s" % (s, s)',
  '"{:>9}|{:.3}".format(s, s)',
  '[s, s]',
  '{s: s}',
  's ~ s',
  's * 2',
  '", ".join([s, s])',
];

const ALPHABET = fc.constantFrom(
  'a',
  'b',
  'A',
  'ß',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  '\r',
  '\x0b',
  '\x1c',
  '\x85',
  '\u00a0',
  '\u2028',
  '\u3000',
  '-',
  '(',
  '<',
  '>',
  '&',
  '"',
  "'",
  '\\',
  '<b>',
  '&amp;',
  '<!--',
  '-->',
  'é',
  'ǆ',
  '😀',
  '中',
  '\u0000',
  '_',
  '1',
  '/',
  '%',
);

test('string filters and methods on random strings: byte for byte as Jinja2', async t => {
  if (!needJinja2(t)) return;
  const strings = fc.sample(
    fc.array(ALPHABET, { maxLength: 10 }).map(parts => parts.join('')),
    { numRuns: 40, seed: 7 },
  );
  const cases: VerifyCase[] = [];
  strings.forEach((s, i) =>
    EXPRESSIONS.forEach((expression, j) =>
      cases.push({
        id: `${i}:${j}`,
        source: `{{ ${expression} }}`,
        context: JSON.stringify({ s }),
        searchPaths: [os.tmpdir()],
        projectRoot: os.tmpdir(),
      }),
    ),
  );
  const report = await verifyWithJinja2(cases, { python: PYTHON });
  const problems = report.outcomes
    .filter(o => o.status !== 'identical' && o.status !== 'both-failed')
    .map(o => {
      const [i, j] = o.id.split(':').map(Number);
      const ours = o.ours.ok ? JSON.stringify(o.ours.text) : `error ${o.ours.error.message}`;
      const theirs = o.jinja2.ok ? JSON.stringify(o.jinja2.text) : `error ${o.jinja2.type}: ${o.jinja2.message}`;
      return `{{ ${EXPRESSIONS[j!]} }} with s = ${JSON.stringify(strings[i!])}: ours ${ours}, Jinja2 ${theirs}`;
    });
  assert.deepEqual(problems, []);
});

test('int and float of random numeric strings (bases, prefixes, underscores, signs): as Jinja2', async t => {
  if (!needJinja2(t)) return;
  const pieces = fc.constantFrom(
    '0',
    '1',
    '7',
    '9',
    'a',
    'f',
    'x',
    'o',
    'b',
    'e',
    'E',
    '_',
    '__',
    '.',
    '-',
    '+',
    ' ',
    'inf',
    'nan',
    'z',
    '0x',
    '0o',
    '0b',
    '\t',
  );
  const strings = fc.sample(
    fc.array(pieces, { maxLength: 7 }).map(parts => parts.join('')),
    { numRuns: 150, seed: 11 },
  );
  const expressions = [
    's|int',
    's|int(-1, 16)',
    's|int(-1, 0)',
    's|int(-1, 8)',
    's|int(-1, 2)',
    's|int(-1, 36)',
    's|float(-1.5)',
  ];
  const cases: VerifyCase[] = [];
  strings.forEach((s, i) =>
    expressions.forEach((expression, j) =>
      cases.push({
        id: `${i}:${j}`,
        source: `{{ ${expression} }}`,
        context: JSON.stringify({ s }),
        searchPaths: [os.tmpdir()],
        projectRoot: os.tmpdir(),
      }),
    ),
  );
  const report = await verifyWithJinja2(cases, { python: PYTHON });
  const problems = report.outcomes
    .filter(o => o.status !== 'identical' && o.status !== 'both-failed')
    .map(o => {
      const [i, j] = o.id.split(':').map(Number);
      return `{{ ${expressions[j!]} }} with s = ${JSON.stringify(strings[i!])}: ours ${JSON.stringify(o.ours)}, Jinja2 ${JSON.stringify(o.jinja2)}`;
    });
  assert.deepEqual(problems, []);
});
