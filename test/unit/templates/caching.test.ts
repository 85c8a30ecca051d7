// An environment reads and compiles each template once in its lifetime; a new environment (one
// per render request in the worker, the CLI and the rendering runner) sees edited files, and
// unsaved editor text (overlays) wins over the disk. Also: loop bodies whose per-iteration scope
// is reused still behave like Jinja2 (expected texts checked against Jinja2 3.1).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createTemplateEnvironment } from '../../../src/core/templates/environment';
import { renderRequest } from '../../../src/core/templates/worker';

function project(t: { after: (fn: () => void) => void }): { root: string; templates: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-cache-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const templates = path.join(root, 'templates');
  fs.mkdirSync(templates);
  return { root, templates };
}

test('a new environment re-reads edited templates; one environment keeps what it read', t => {
  const { root, templates } = project(t);
  const main = path.join(templates, 'main.j2');
  fs.writeFileSync(main, "[{% include 'part.j2' %}|{% include ['new.j2', 'part.j2'] %}]");
  fs.writeFileSync(path.join(templates, 'part.j2'), 'v1');
  const options = { searchPaths: [templates], projectRoot: root };
  const first = createTemplateEnvironment(options);
  assert.deepEqual(first.renderFile(main, {}), { ok: true, text: '[v1|v1]' });
  fs.writeFileSync(path.join(templates, 'part.j2'), 'v2 (longer)');
  fs.writeFileSync(path.join(templates, 'new.j2'), 'created');
  assert.deepEqual(first.renderFile(main, {}), { ok: true, text: '[v1|v1]' });
  assert.deepEqual(createTemplateEnvironment(options).renderFile(main, {}), {
    ok: true,
    text: '[v2 (longer)|created]',
  });
  fs.writeFileSync(main, 'edited {{ 1 + 1 }}');
  assert.deepEqual(createTemplateEnvironment(options).renderFile(main, {}), { ok: true, text: 'edited 2' });
});

test('worker requests: overlays win over the disk, and every request sees the current files', t => {
  const { root, templates } = project(t);
  const main = path.join(templates, 'main.j2');
  const part = path.join(templates, 'part.j2');
  fs.writeFileSync(main, "<{% include 'part.j2' %}>");
  fs.writeFileSync(part, 'disk');
  const environment = { searchPaths: [templates], projectRoot: root };
  assert.deepEqual(renderRequest({ environment, file: main }), { ok: true, text: '<disk>' });
  assert.deepEqual(renderRequest({ environment, file: main, overlays: { [part]: 'unsaved' } }), {
    ok: true,
    text: '<unsaved>',
  });
  assert.deepEqual(renderRequest({ environment, file: main, overlays: { [main]: '{{ 6 * 7 }}' } }), {
    ok: true,
    text: '42',
  });
  fs.writeFileSync(part, 'saved');
  assert.deepEqual(renderRequest({ environment, file: main }), { ok: true, text: '<saved>' });
});

test('loop bodies: each iteration starts with a fresh scope, captured loops and callers still work', () => {
  const env = createTemplateEnvironment({ searchPaths: [], projectRoot: os.tmpdir() });
  const cases: [string, string][] = [
    [
      "{% for x in [1,2,3] %}{{ y|default('none') }}{% set y = x %}{{ y }};{% endfor %}{{ y|default('outer') }}",
      'none1;none2;none3;outer',
    ],
    [
      "{% macro w() %}[{{ caller() }}]{% endmacro %}{% for x in 'abc' %}{% call w() %}{{ x }}{% endcall %}{% endfor %}",
      '[a][b][c]',
    ],
    [
      '{% set ns = namespace(l=none) %}{% for x in [1,2] %}{% set ns.l = loop %}{% endfor %}{{ ns.l.index }} {{ ns.l.length }}',
      '2 2',
    ],
    [
      "{% for i in [{'n':'a','c':[{'n':'b','c':[]}]}] recursive %}{{ i.n }}{{ loop.depth }}({{ loop(i.c) }}){% endfor %}",
      'a1(b2())',
    ],
    [
      '{% for a in [1,2] %}{% for b in [3,4] %}{{ a }}{{ b }}{{ loop.index }}{{ ' +
        "loop.cycle('x','y') }}{{ loop.changed(a) }}{% endfor %}{{ loop.last }}{% endfor %}",
      '131xTrue142yFalseFalse231xTrue242yFalseTrue',
    ],
    ['{% for x in [1,2] %}{{ loop }};{% endfor %}', '<LoopContext 1/2>;<LoopContext 2/2>;'],
  ];
  for (const [template, expected] of cases) {
    for (let i = 0; i < 2; i++)
      assert.deepEqual(env.renderString(template, {}), { ok: true, text: expected }, template);
  }
});
