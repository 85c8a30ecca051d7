// Jinja2 templates from a grammar: expressions (literals, variables, attributes, subscripts,
// operators, the engine's filters and tests, globals, methods), statements (if, for, set, macros
// and calls, call blocks, includes and imports of other generated snippets, filter blocks, with,
// raw, extends/blocks) and known bombs (huge ranges turned into lists, recursion).
import fc from 'fast-check';
import { createBuiltins } from '../../src/core/templates/builtins';

const builtins = createBuiltins();
const FILTERS = [...builtins.filters.keys()];
const TESTS = [...builtins.tests.keys()];

const VARIABLES = [
  'x',
  'y',
  's',
  'items',
  'd',
  'project',
  'tables',
  'table',
  'n',
  'f',
  'big',
  'missing',
  'loop',
  'ns',
  'lib',
  'm',
  'caller',
  'varargs',
  'kwargs',
  'self',
  'range',
  'dict',
  'namespace',
  'cycler',
  'joiner',
  'lipsum',
  'item',
  'k',
  'v',
  'a',
  'b',
];
const ATTRIBUTES = [
  'name',
  'columns',
  'schema',
  'tables',
  'length',
  'index',
  'index0',
  'first',
  'last',
  'revindex',
  'depth',
  'cycle',
  'upper',
  'items',
  'keys',
  '__class__',
  '__init__',
  '__globals__',
  '__subclasses__',
  'mro',
  'constructor',
  'prototype',
  '__proto__',
  'toString',
  'real',
  'imag',
  'a',
  'b',
  'type',
  'previtem',
  'nextitem',
  'changed',
];
const METHODS = [
  'upper()',
  'lower()',
  "split(',')",
  'strip()',
  "replace('a', 'b')",
  'format(1, 2)',
  'items()',
  'keys()',
  'values()',
  "get('a')",
  'join(items)',
  "startswith('a')",
  "endswith('b')",
  "count('a')",
  'index(1)',
  'title()',
  'capitalize()',
  'append(1)',
  "update({'a': 1})",
  'pop()',
  'copy()',
  '__class__.__mro__',
  "constructor('return 1')",
  'call()',
  'apply()',
  'bind()',
  'center(30)',
  'zfill(10)',
  'ljust(5)',
  'splitlines()',
  'encode()',
  'isdigit()',
  '__len__()',
  'hasOwnProperty("x")',
  'valueOf()',
];
const BINARY_OPERATORS = [
  '+',
  '-',
  '*',
  '/',
  '//',
  '%',
  '**',
  '~',
  'and',
  'or',
  'in',
  'not in',
  '==',
  '!=',
  '<',
  '>',
  '<=',
  '>=',
];
const STRINGS = [
  "'a'",
  '"b"',
  "'it\\'s'",
  "''",
  "'\\n\\t'",
  "'\\x41'",
  "'\\u00e9'",
  "'\\N{BULLET}'",
  "'{{ x }}'",
  "'%s-%d'",
  "'{0}'",
  "'é🎵'",
  "'a,b,c'",
  "'../x'",
  "'\\\\'",
];

const intLiteral = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 30 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('-1', '0x1F', '0o7', '0b11', '1_000', '99999999999999999999', '-0', '007') },
);

export const templateExpression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>(tie => {
  const e = tie('expr');
  const args = fc.array(e, { maxLength: 3 }).map(a => a.join(', '));
  return {
    expr: fc.oneof(
      { depthSize: 'small', maxDepth: 4, withCrossShrink: true },
      {
        weight: 6,
        arbitrary: fc.oneof(
          intLiteral,
          fc.constantFrom(...STRINGS),
          fc.constantFrom('1.5', '1e3', '.5', 'None', 'True', 'False', 'none', 'true', '1e400', 'nan'),
        ),
      },
      { weight: 6, arbitrary: fc.constantFrom(...VARIABLES) },
      { weight: 3, arbitrary: fc.tuple(e, fc.constantFrom(...ATTRIBUTES)).map(([x, a]) => `${x}.${a}`) },
      { weight: 2, arbitrary: fc.tuple(e, e).map(([x, i]) => `${x}[${i}]`) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(e, fc.option(intLiteral), fc.option(intLiteral), fc.option(fc.constantFrom('1', '-1', '2', '0')))
          .map(([x, a, b, c]) => `${x}[${a ?? ''}:${b ?? ''}${c === null ? '' : `:${c}`}]`),
      },
      {
        weight: 4,
        arbitrary: fc.tuple(e, fc.constantFrom(...BINARY_OPERATORS), e).map(([a, op, b]) => `${a} ${op} ${b}`),
      },
      {
        weight: 5,
        arbitrary: fc
          .tuple(
            e,
            fc.oneof(
              { weight: 20, arbitrary: fc.constantFrom(...FILTERS) },
              { weight: 1, arbitrary: fc.constantFrom('nope', 'upper2') },
            ),
            fc.option(args),
          )
          .map(([x, f, a]) => `${x}|${f}${a === null ? '' : `(${a})`}`),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(
            e,
            fc.boolean(),
            fc.oneof(
              { weight: 20, arbitrary: fc.constantFrom(...TESTS) },
              { weight: 1, arbitrary: fc.constant('nope') },
            ),
            fc.option(e),
          )
          .map(([x, not, t, a]) => `${x} is ${not ? 'not ' : ''}${t}${a === null ? '' : ` ${a}`}`),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(
            fc.constantFrom(
              'range',
              'dict',
              'namespace',
              'cycler',
              'joiner',
              'lipsum',
              'm',
              'n',
              'caller',
              'lib.m',
              'loop.cycle',
              'super',
              'self.b',
              'x',
              'loop',
            ),
            args,
          )
          .map(([f, a]) => `${f}(${a})`),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'dict(a=1, b=[1, 2])',
          'namespace(a=1)',
          'range(3)',
          'range(1, 10, 3)',
          'range(5, 0, -1)',
          "cycler('a', 'b')",
          "joiner(', ')",
          'm(1, 2, 3, x=4)',
          'm(*items)',
          'm(**d)',
        ),
      },
      { weight: 2, arbitrary: fc.tuple(e, fc.constantFrom(...METHODS)).map(([x, m]) => `${x}.${m}`) },
      { weight: 1, arbitrary: fc.tuple(e, e, e).map(([a, b, c]) => `${a} if ${b} else ${c}`) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom('not ', '-', '+'), e).map(([op, x]) => `${op}${x}`) },
      { weight: 1, arbitrary: e.map(x => `(${x})`) },
      {
        weight: 2,
        arbitrary: fc.oneof(
          args.map(a => `[${a}]`),
          args.map(a => `(${a},)`),
          fc
            .array(fc.tuple(fc.constantFrom("'a'", "'b'", '1', 'None', "'__proto__'"), e), { maxLength: 3 })
            .map(kv => `{${kv.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
        ),
      },
    ),
  };
}).expr;

const TEXT = [
  'SELECT * FROM ',
  '\n',
  ' ',
  'a',
  '{',
  '}',
  '#',
  '%',
  '{ {',
  'é',
  '🎵',
  '\t',
  '-',
  '\r\n',
  '}}',
  '%}',
  '#}',
  'text\n',
  '    ',
];

const open = fc.constantFrom('{{ ', '{{- ', '{{+ ');
const close = fc.constantFrom(' }}', ' -}}');
const tag = (body: string, trim = false) => `{%${trim ? '-' : ''} ${body} ${trim ? '-' : ''}%}`;

export const templateBody: fc.Arbitrary<string> = fc.letrec<{ body: string; stmt: string }>(tie => {
  const body = tie('body');
  const e = templateExpression;
  const trim = fc.boolean();
  return {
    body: fc.array(tie('stmt'), { maxLength: 5 }).map(parts => parts.join('')),
    stmt: fc.oneof(
      { depthSize: 'small', maxDepth: 3, withCrossShrink: true },
      { weight: 5, arbitrary: fc.oneof(fc.constantFrom(...TEXT), fc.string({ unit: 'binary', maxLength: 6 })) },
      { weight: 6, arbitrary: fc.tuple(open, e, close).map(([o, x, c]) => `${o}${x}${c}`) },
      {
        weight: 3,
        arbitrary: fc
          .tuple(e, body, fc.option(fc.tuple(e, body)), fc.option(body), trim)
          .map(
            ([c, b, elif, els, t]) =>
              `${tag(`if ${c}`, t)}${b}${elif ? `${tag(`elif ${elif[0]}`)}${elif[1]}` : ''}${els === null ? '' : `${tag('else')}${els}`}${tag('endif', t)}`,
          ),
      },
      {
        weight: 3,
        arbitrary: fc
          .tuple(
            fc.constantFrom('x', 'k, v', 'item', 'a, b', '(a, b)', 'loop'),
            e,
            fc.option(e),
            fc.boolean(),
            body,
            fc.option(body),
          )
          .map(([t, it, cond, rec, b, els]) => {
            const head = `for ${t} in ${it}${cond === null ? '' : ` if ${cond}`}${rec ? ' recursive' : ''}`;
            const recurse = rec ? '{{ loop(x) if x is iterable and x is not string else "" }}' : '';
            const orElse = els === null ? '' : `${tag('else')}${els}`;
            return `${tag(head)}${b}${recurse}${orElse}${tag('endfor')}`;
          }),
      },
      {
        weight: 3,
        arbitrary: fc
          .tuple(fc.constantFrom('x', 'y', 'a, b', 'ns.a', 'items', 'missing', 'loop', '__proto__'), e)
          .map(([t, v]) => tag(`set ${t} = ${v}`)),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom('x', 'y'), fc.option(fc.constantFrom(...FILTERS)), body)
          .map(([t, f, b]) => `${tag(`set ${t}${f ? ` | ${f}` : ''}`)}${b}${tag('endset')}`),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom('m', 'n', 'helper'), fc.constantFrom('', 'a', 'a, b=1', 'a, b=x', 'a=[], *rest'), body)
          .map(([name, params, b]) => `${tag(`macro ${name}(${params})`)}${b}${tag('endmacro')}`),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            fc.constantFrom('m', 'n', 'lib.m', 'helper'),
            fc.constantFrom('', 'a', '1, 2', 'x=1'),
            fc.boolean(),
            body,
          )
          .map(
            ([name, a, withArgs, b]) =>
              `${tag(`call${withArgs ? '(z)' : ''} ${name}(${a})`)}${b}{{ caller() }}${tag('endcall')}`,
          ),
      },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          "{% include 'inc0.j2' %}",
          "{% include 'inc1.j2' %}",
          "{% include 'inc2.j2' with context %}",
          "{% include ['missing.j2', 'inc1.j2'] ignore missing %}",
          "{% include 'missing.j2' ignore missing %}",
          '{% include x %}',
          "{% include '../x.j2' %}",
          "{% include '/etc/passwd' %}",
          "{% include 'main.j2' %}",
          "{% include 'inc0.j2' without context %}",
        ),
      },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          "{% import 'inc0.j2' as lib %}{{ lib.m(1) }}",
          "{% from 'inc1.j2' import m as n %}{{ n() }}",
          "{% from 'inc0.j2' import m with context %}",
          "{% import 'inc2.j2' as lib with context %}",
          "{% from 'inc0.j2' import missing %}",
          '{% import x as y %}',
        ),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(...FILTERS), body)
          .map(([f, b]) => `${tag(`filter ${f}`)}${b}${tag('endfilter')}`),
      },
      { weight: 1, arbitrary: fc.tuple(e, body).map(([v, b]) => `${tag(`with a = ${v}`)}${b}${tag('endwith')}`) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '{% raw %}{{ x }}{% endraw %}',
          '{# comment #}',
          '{# unclosed',
          '{% raw %}',
          '{%- raw -%} a {%- endraw -%}',
        ),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom('b', 'c'), body)
          .map(([n, b]) => `${tag(`block ${n}`)}${b}{{ super() }}${tag('endblock')}`),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "{% extends 'inc0.j2' %}",
          "{% extends 'main.j2' %}",
          '{% extends x %}',
          '{% autoescape true %}<{{ x }}>{% endautoescape %}',
          '{% break %}',
          '{% continue %}',
          '{% nope %}',
          '{% do x %}',
          '{% print x %}',
          '{% if x %}',
          '{% endfor %}',
          '{{ }}',
          '{{ x',
          '{% for %}',
          '{% endif %}',
          '{{ x }',
          '{% set %}',
        ),
      },
    ),
  };
}).body;

/** Templates that try to exhaust time, memory or the stack. */
export const TEMPLATE_BOMBS: readonly string[] = [
  '{{ range(10**8)|list|length }}',
  '{{ range(10**9)|list }}',
  '{{ range(10**7)|join(",")|length }}',
  '{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}',
  '{% macro r() %}{{ caller() }}{% call r() %}x{% endcall %}{% endmacro %}{% call r() %}x{% endcall %}',
  "{% include 'main.j2' %}",
  "{% include 'inc0.j2' %}",
  '{{ "x" * 10**9 }}',
  '{{ ("ab" * 10**6) * 10**3 }}',
  '{{ (range(10**6)|list) * 10**3 }}',
  '{% for a in range(10**4) %}{% for b in range(10**4) %}{% endfor %}{% endfor %}',
  '{{ 9**9**9 }}',
  '{{ 10**10**10 }}',
  '{{ (10**100000)|string|length }}',
  '{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l|length }}',
  '{% set x = [] %}{% for i in range(10**7) %}{{ x.append(i) }}{% endfor %}',
  '{{ lipsum(10**6) }}',
  '{{ range(10**6)|batch(1)|list|tojson }}',
  '{{ "%s" % (range(10**7)|list) }}',
  '{{ (range(10**7)|list)|sort|reverse|list|length }}',
  '{{ "x"|center(10**9) }}',
  '{{ "x"|indent(10**9) }}',
  '{{ "{0:>1000000000}".format(1) }}',
  '{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}',
  // Many structures each under a per-value limit, together over any memory limit.
  '{% set ns = namespace(l=[]) %}{% for i in range(1000) %}{% set ns.l = ns.l + [range(99999)|list] %}{% endfor %}{{ ns.l|length }}',
  '{% set ns = namespace(l=[]) %}{% for i in range(200) %}{% set ns.l = ns.l + ["x" * 16000000] %}{% endfor %}{{ ns.l|length }}',
  '{% set d = {} %}{% for i in range(100000) %}{% set _ = d.update({i: range(1000)|list}) %}{% endfor %}{{ d|length }}',
  '{% set ns = namespace(s="x" * 1000000) %}{% for i in range(10000) %}{% set ns.s = ns.s ~ "x" * 1000000 %}{% endfor %}{{ ns.s|length }}',
  '{% set l = range(99999)|list %}{% set ns = namespace(m=[l]) %}{% for i in range(30) %}{% set ns.m = [ns.m, ns.m] %}{% endfor %}{{ ns.m|tojson|length }}',
  '{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}',
  `{{ ${'('.repeat(100000)}1${')'.repeat(100000)} }}`,
  `{{ ${'['.repeat(20000)}${']'.repeat(20000)} }}`,
  `${'{% if x %}'.repeat(20000)}${'{% endif %}'.repeat(20000)}`,
];

export interface TemplatesSpec {
  main: string;
  snippets: string[];
  mode: 'text' | 'file';
  context: number;
}

/** Contexts the templates render with: plain data, then Python JSON (NaN, big ints, 2.0, __proto__ keys). */
export const TEMPLATE_CONTEXTS: readonly ({ context: Record<string, unknown> } | { contextJson: string })[] = [
  {
    context: {
      x: 1,
      y: 'abc',
      s: "it's",
      items: [1, 2, 3],
      d: { a: 1, b: [1, 2] },
      n: null,
      f: 2.5,
      a: 'A',
      b: 2,
      project: {
        name: 'spotify_lakehouse',
        tables: [
          {
            name: 'DimUser',
            schema: 'dbo',
            columns: [
              { name: 'user_id', type: 'int' },
              { name: 'updated_at', type: 'datetime2' },
            ],
          },
        ],
      },
      table: { name: 'DimUser', schema: 'dbo', columns: [{ name: 'user_id', type: 'int' }], cdcColumn: 'updated_at' },
      tables: [{ name: 'DimUser' }, { name: 'FactStream' }],
    },
  },
  {
    contextJson:
      '{"x": 2.0, "big": 123456789012345678901234567890, "nan": NaN, "inf": Infinity, "items": ' +
      '[1, 2.5, null, true], "d": {"__proto__": {"polluted": 1}, "constructor": "c", "toString": ' +
      '1}, "s": "\\u0000\\ud800"}',
  },
  {
    contextJson:
      '{"x": "{{ 7*7 }}", "y": "</script>", "items": [], "d": {"__proto__": 1, "items": 2, ' +
      '"keys": "k"}, "project": {"__proto__": {"name": "p"}}, "loop": 1, "range": "r"}',
  },
  { context: {} },
];

const rawTemplateDamage = fc.array(
  fc.record({
    at: fc.nat(),
    text: fc.constantFrom(
      '{{',
      '}}',
      '{%',
      '%}',
      '{#',
      '#}',
      '-',
      '"',
      "'",
      '(',
      ')',
      '[',
      '|',
      '\\',
      '\n',
      '\u0000',
      '\uD800',
    ),
  }),
  { maxLength: 2 },
);

function damage(text: string, edits: { at: number; text: string }[]): string {
  for (const edit of edits) {
    const at = edit.at % (text.length + 1);
    text = text.slice(0, at) + edit.text + text.slice(at);
  }
  return text;
}

/** A generated template, sometimes damaged, sometimes a bomb. */
export const templateText: fc.Arbitrary<string> = fc.oneof(
  { weight: 300, arbitrary: fc.tuple(templateBody, rawTemplateDamage).map(([t, d]) => damage(t, d)) },
  // Rare: most bombs run into the renderer's time limit (5 s each).
  { weight: 1, arbitrary: fc.constantFrom(...TEMPLATE_BOMBS) },
);

export const templatesSpec: fc.Arbitrary<TemplatesSpec> = fc.record({
  main: templateText,
  snippets: fc.array(
    fc.oneof({ weight: 300, arbitrary: templateBody }, { weight: 1, arbitrary: fc.constantFrom(...TEMPLATE_BOMBS) }),
    { maxLength: 3 },
  ),
  mode: fc.constantFrom<'text' | 'file'>('text', 'file'),
  context: fc.nat({ max: TEMPLATE_CONTEXTS.length - 1 }),
});

/** Inputs for the lexer and parser alone: generated templates, damaged ones, and huge or deep ones. */
export const parserText: fc.Arbitrary<string> = fc.oneof(
  { weight: 60, arbitrary: templateText },
  {
    weight: 9,
    arbitrary: fc
      .tuple(
        templateBody,
        fc.array(fc.record({ at: fc.nat(), text: fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
      )
      .map(([t, d]) => damage(t, d)),
  },
  {
    weight: 1,
    // Up to 300 KB of one unit: deep nesting, unclosed tags, strings, comments.
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          '(',
          '[',
          '{{ ',
          '{% if x %}',
          '{%',
          '{#',
          "'",
          '"\\',
          '\\',
          '{{ x|',
          'x.',
          '-',
          'not ',
          '{% for x in y %}',
          '{% raw %}',
          'a',
          '{{ "',
        ),
        fc.integer({ min: 1, max: 300_000 }),
      )
      .map(([unit, count]) => unit.repeat(Math.max(1, Math.floor(count / unit.length)))),
  },
);
