// Known escape payloads (nunjucks' constructor chains, Jinja2 SSTI's __class__/__globals__
// walks, path traversal, symlinks) must fail with a 'security' error and run nothing.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createTemplateEnvironment } from '../../../src/core/templates/environment';

const marker = path.join(os.tmpdir(), `lakehouse-template-pwned-${process.pid}.txt`);
const run = (code: string) =>
  JSON.stringify(`return process.getBuiltinModule('fs').writeFileSync(${JSON.stringify(marker)}, '${code}')`);

const expressionPayloads: Record<string, string> = {
  'range.constructor (the nunjucks RCE)': `{{ range.constructor(${run('range')})() }}`,
  'string literal constructor.constructor': `{{ ''.constructor.constructor(${run('str')})() }}`,
  'list literal constructor': `{{ [].constructor.constructor(${run('list')})() }}`,
  'dict literal constructor': `{{ {}.constructor.constructor(${run('dict')})() }}`,
  'number literal constructor': `{{ (1).constructor.constructor(${run('num')})() }}`,
  'cycler.constructor': `{{ cycler.constructor(${run('cycler')})() }}`,
  'joiner via set': `{% set F = joiner.constructor %}{{ F(${run('joiner')})() }}`,
  'namespace.constructor': `{{ namespace.constructor(${run('ns')})() }}`,
  'dict global': `{{ dict.constructor(${run('dictg')})() }}`,
  'lipsum global': `{{ lipsum.constructor(${run('lipsum')})() }}`,
  'macro constructor': `{% macro m() %}{% endmacro %}{{ m.constructor(${run('macro')})() }}`,
  'loop object constructor': `{% for x in [1] %}{{ loop.constructor(${run('loop')})() }}{% endfor %}`,
  'loop.cycle constructor': `{% for x in [1] %}{{ loop.cycle.constructor(${run('cycle')})() }}{% endfor %}`,
  'bound method constructor': `{{ 'x'.upper.constructor(${run('method')})() }}`,
  'context value constructor': `{{ user.constructor.constructor(${run('ctx')})() }}`,
  __proto__: `{{ user.__proto__ }}`,
  prototype: `{{ range.prototype }}`,
  'subscript constructor': `{{ range['constructor'](${run('subscript')})() }}`,
  'map(attribute=constructor)': `{{ [range] | map(attribute='constructor') | first }}`,
  'selectattr constructor': `{{ [range] | selectattr('constructor') | list }}`,
  'sort(attribute=__class__)': `{{ ['a', 'b'] | sort(attribute='__class__') }}`,
  'groupby __class__': `{{ ['a'] | groupby('__class__') }}`,
  'sum attribute __proto__': `{{ [user] | sum(attribute='__proto__') }}`,
  'python __class__': `{{ ''.__class__ }}`,
  'python __class__.__mro__ walk': `{{ ''.__class__.__mro__[1].__subclasses__() }}`,
  'python __globals__ via cycler': `{{ cycler.__init__.__globals__.os.popen('id').read() }}`,
  'python self._TemplateReference__context': `{{ self._TemplateReference__context }}`,
  'python request.application': `{{ namespace.__init__.__globals__ }}`,
  'format string attribute walk': `{{ '{0.__class__}'.format('x') }}`,
  'format string constructor': `{{ '{0.constructor}'.format(range) }}`,
  'mro attribute': `{{ ''.mro }}`,
};

for (const [name, template] of Object.entries(expressionPayloads)) {
  test(`escape payload blocked: ${name}`, () => {
    const env = createTemplateEnvironment({ searchPaths: [os.tmpdir()], projectRoot: os.tmpdir() });
    const result = env.renderString(template, { user: { name: 'ann' } });
    assert.equal(result.ok, false, `rendered: ${result.ok ? result.text : ''}`);
    assert.equal(!result.ok && result.error.kind, 'security', JSON.stringify(result));
    assert.match(!result.ok ? result.error.message : '', /unsafe/);
    assert.equal(fs.existsSync(marker), false, 'a payload wrote the marker file');
  });
}

test('a dict key named like a JS internal is plain data, not a prototype', () => {
  const env = createTemplateEnvironment({ searchPaths: [os.tmpdir()], projectRoot: os.tmpdir() });
  const result = env.renderString("{{ d.constructor }}|{{ d['__proto__'] }}", {
    d: JSON.parse('{"constructor": "c", "__proto__": "p"}'),
  });
  assert.deepEqual(result, { ok: true, text: 'c|p' });
});

test('includes never leave the project: traversal, absolute paths and symlinks', t => {
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-outside-'));
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-project-'));
  t.after(() => {
    fs.rmSync(outside, { recursive: true, force: true });
    fs.rmSync(project, { recursive: true, force: true });
  });
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'TOP SECRET');
  fs.mkdirSync(path.join(project, 'templates'));
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(project, 'templates', 'link.j2'));
  fs.symlinkSync(outside, path.join(project, 'templates', 'linkdir'));
  fs.writeFileSync(path.join(project, 'templates', 'ok.j2'), 'fine');
  const env = createTemplateEnvironment({ searchPaths: [path.join(project, 'templates')], projectRoot: project });
  const attempts = [
    "{% include '../../../../../../etc/passwd' %}",
    "{% include '/etc/passwd' %}",
    `{% include '${path.join(outside, 'secret.txt')}' %}`,
    "{% include 'link.j2' %}",
    "{% include 'linkdir/secret.txt' %}",
    "{% import '../x.j2' as x %}",
    "{% extends '..\\\\..\\\\secret.txt' %}",
    "{% from 'link.j2' import anything %}",
  ];
  for (const attempt of attempts) {
    const result = env.renderString(attempt, {});
    assert.equal(result.ok, false, `${attempt} rendered ${result.ok ? result.text : ''}`);
    assert.equal(!result.ok && result.error.kind, 'security', `${attempt}: ${JSON.stringify(result)}`);
  }
  assert.deepEqual(env.renderString("{% include 'ok.j2' %}", {}), { ok: true, text: 'fine' });
  const direct = env.renderFile(path.join(project, 'templates', 'link.j2'), {});
  assert.equal(!direct.ok && direct.error.kind, 'security');
});
