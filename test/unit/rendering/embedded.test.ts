// Jinja templates embedded in notebooks (the reference project's pattern) and the Python literals
// that feed them.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { embeddedContextJson, findEmbeddedTemplates } from '../../../src/core/rendering/embedded';
import { pythonLiteralToJson } from '../../../src/core/rendering/pythonLiteral';
import { createTemplateEnvironment } from '../../../src/core/templates/environment';
import { parsePythonJson } from '../../../src/core/templates/pythonJson';
import { PyFloat, type PyValue } from '../../../src/core/templates/pyValue';

const TEMPLATE = `
    SELECT
        {% for param in parameters %}
            {{ param.cols }}
            {% if not loop.last %}
                ,
            {% endif %}
        {% endfor %}
    FROM
        {% for param in parameters %}
            {% if loop.first %}
                {{ param['table'] }} AS {{ param['alias'] }}
            {% endif %}
        {% endfor %}
        {% for param in parameters %}
            {% if not loop.first %}
            LEFT JOIN
                {{ param['table'] }} AS {{ param['alias'] }}
            ON
                {{ param['condition'] }}
            {% endif %}
        {% endfor %}
`;

const NOTEBOOK = `# Databricks notebook source
from jinja2 import Template

# COMMAND ----------

parameters = [
    {
        "table": "spotify_cata.silver.factstream",
        "alias": "factstream",
        "cols": "factstream.stream_id, factstream.listen_duration",
    },
    {
        'table': 'spotify_cata.silver.dimuser',  # the users
        'alias': 'dimuser',
        'cols': 'dimuser.user_id, dimuser.user_name',
        'condition': 'factstream.user_id = dimuser.user_id',
    },
]

# COMMAND ----------

query_text = """${TEMPLATE}"""

# COMMAND ----------

jinja_sql_str = Template(query_text)
query = jinja_sql_str.render(parameters=parameters)
print(query)
`;

describe('findEmbeddedTemplates', () => {
  it('finds Template(variable) over a triple-quoted string, with its parameters list as JSON', () => {
    const found = findEmbeddedTemplates(NOTEBOOK, 'silver_dims.py');
    assert.equal(found.length, 1);
    const t = found[0]!;
    assert.equal(t.name, 'jinja_sql_str');
    assert.equal(t.templateText, TEMPLATE);
    assert.equal(NOTEBOOK.slice(t.templateSpan[0], t.templateSpan[1]), TEMPLATE);
    assert.equal(
      t.line,
      NOTEBOOK.slice(0, t.templateSpan[0]).split('\n').length - 1,
      '0-based line of the content start',
    );
    assert.deepEqual(JSON.parse(t.contextJson!), [
      {
        table: 'spotify_cata.silver.factstream',
        alias: 'factstream',
        cols: 'factstream.stream_id, factstream.listen_duration',
      },
      {
        table: 'spotify_cata.silver.dimuser',
        alias: 'dimuser',
        cols: 'dimuser.user_id, dimuser.user_name',
        condition: 'factstream.user_id = dimuser.user_id',
      },
    ]);
    const rendered = createTemplateEnvironment({ searchPaths: [], projectRoot: '/' }).renderString(
      t.templateText,
      parsePythonJson(embeddedContextJson(t)) as Map<string, PyValue>,
    );
    assert.ok(rendered.ok);
    assert.match(
      rendered.text.replace(/\s+/g, ' '),
      new RegExp(
        [
          'SELECT factstream\\.stream_id, factstream\\.listen_duration , dimuser\\.user_id, dimuser\\.user_name ',
          'FROM spotify_cata\\.silver\\.factstream AS factstream ',
          'LEFT JOIN spotify_cata\\.silver\\.dimuser AS dimuser ON factstream\\.user_id = dimuser\\.user_id',
        ].join(''),
      ),
    );
  });

  it('finds Template("""…""") with a direct literal and chained .render(parameters=[…])', () => {
    const text =
      'from jinja2 import Template\nq = Template("""SELECT {{ parameters[0] }}""").render(parameters=[1.0, True, None])\n';
    const [t] = findEmbeddedTemplates(text, 'q.py');
    assert.equal(t?.templateText, 'SELECT {{ parameters[0] }}');
    assert.equal(t?.name, 'q');
    assert.equal(t?.contextJson, '[1.0, true, null]');
    assert.equal(t?.line, 1);
  });

  it('has no contextJson when parameters is not a plain literal, and ignores Template( in comments', () => {
    const text =
      '# t = Template("""{{ x }}""")\nparameters = build()\nt = Template("""{{ parameters }}""")\nt.render(parameters=parameters)\n';
    const found = findEmbeddedTemplates(text, 'n.py');
    assert.equal(found.length, 1);
    assert.equal(found[0]?.contextJson, undefined);
    assert.equal(embeddedContextJson(found[0]!), '{}');
  });

  it('works on .ipynb notebooks, with offsets into the JSON text', () => {
    const cells = [
      { cell_type: 'markdown', source: ['# Star query\n'] },
      { cell_type: 'code', source: ['parameters = [{"table": "f", "alias": "f"}]\n'] },
      {
        cell_type: 'code',
        source: [
          't = Template("""\n',
          'SELECT * FROM {{ parameters[0].table }} \\"x\\"\n',
          '""")\n',
          't.render(parameters=parameters)\n',
        ],
      },
    ];
    const text = JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1);
    const [t] = findEmbeddedTemplates(text, 'star.ipynb');
    assert.equal(t?.templateText, '\nSELECT * FROM {{ parameters[0].table }} \\"x\\"\n'.replace(/\\"/g, '"'));
    assert.equal(t?.contextJson, '[{"table": "f", "alias": "f"}]');
    assert.equal(t?.line, text.slice(0, t.templateSpan[0]).split('\n').length - 1);
    assert.ok(text.slice(t.templateSpan[0], t.templateSpan[1]).includes('SELECT * FROM {{ parameters[0].table }}'));
  });
});

describe('pythonLiteralToJson', () => {
  const json = (text: string) => pythonLiteralToJson(text, 0)?.json;
  it('reads lists, tuples, dicts, strings, numbers, True/False/None', () => {
    assert.equal(
      json('[1, 2.0, -3, 1e3, .5, 1_000, 0x1F, "a", \'b\', r"\\d", True, False, None, (1,), (2), {"k": [1]}]'),
      '[1, 2.0, -3, 1e3, 0.5, 1000, 31, "a", "b", "\\\\d", true, false, null, [1], 2, {"k": [1]}]',
    );
    assert.equal(json('"a" \'b\'  # concatenated'), '"ab"');
    assert.equal(json("'tab\\there \\u00e9 \\x41'"), JSON.stringify('tab\there é A'));
    assert.ok((parsePythonJson(json('[2.0]')!) as unknown[])[0] instanceof PyFloat, 'floats stay floats');
  });
  it('refuses what is not a plain literal', () => {
    for (const text of ['build()', 'f"x{y}"', 'b"bytes"', '{1, 2}', '{1: "a"}', 'x', '[1, y]', '1.5.2'])
      assert.equal(json(text), undefined, text);
  });
});
