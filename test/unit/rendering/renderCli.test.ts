// `lakehouse render` and `lakehouse render-template`, in-process through main(): exit codes 0 ok,
// 1 render errors / out of date / Jinja2 differs, 2 usage or I/O; never a stack trace.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, before, describe, it } from 'node:test';
import { lakehouse, type Run } from '../helpers/cli';
import { jinja2, needJinja2, PYTHON } from '../helpers/python';
import { BASELINE } from '../helpers/baseline';
import { edit } from '../helpers/project';
import { REPO_ROOT, SAMPLE_DIR } from '../helpers/paths';

function assertNoStack(run: Run): void {
  assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(run.stderr, /internal error/);
}

describe('lakehouse render', () => {
  let tmp = '';
  const write = (rel: string, text: string): string => {
    const file = path.join(tmp, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  const project = (dir: string, templates: string, files: Record<string, string> = {}) => {
    write(`${dir}/lakehouse.yaml`, edit(BASELINE, '\nsources:', `paths:\n  templates: tpl\n\n${templates}\nsources:`));
    for (const [rel, text] of Object.entries(files)) write(`${dir}/${rel}`, text);
    return path.join(tmp, dir);
  };

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-render-cli-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('--check exits 0 on the sample, whose outputs are committed', async () => {
    const run = await lakehouse(['render', '--check', SAMPLE_DIR], REPO_ROOT);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.stdout, '11 of 11 output(s) up to date (environment dev).\n');
    assert.equal(run.stderr, '');
  });

  it('writes the outputs, then --check is clean; an edit makes --check exit 1 listing the file', async () => {
    const dir = project('writes', 'templates:\n  - template: t.txt.j2\n    for: table\n    output: out/{name}.txt\n', {
      'tpl/t.txt.j2': '{{ table.name }} in {{ environment.name }}\n\n',
    });
    const first = await lakehouse(['render', '--check'], dir);
    assert.equal(first.code, 1);
    assert.match(first.stdout, /^missing: out\/DimUser\.txt\n/);
    assert.match(
      first.stdout,
      /0 of 4 output\(s\) up to date, 4 out of date \(run `lakehouse render` and commit the result\)/,
    );
    const written = await lakehouse(['render', 'writes'], tmp);
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stdout, /^wrote out\/DimUser\.txt\n[\s\S]*4 written, 0 unchanged \(environment dev\)\.\n$/);
    assert.equal(fs.readFileSync(path.join(dir, 'out', 'DimTrack.txt'), 'utf8'), 'DimTrack in dev\n');
    assert.equal((await lakehouse(['render', '--check', dir], tmp)).code, 0);
    fs.writeFileSync(path.join(dir, 'out', 'DimDate.txt'), 'edited by hand\n');
    const stale = await lakehouse(['render', '--check', dir], tmp);
    assert.equal(stale.code, 1);
    assert.match(stale.stdout, /^out of date: out\/DimDate\.txt\n3 of 4 output\(s\) up to date, 1 out of date/);
    const again = await lakehouse(['render', dir], tmp);
    assert.match(again.stdout, /^wrote out\/DimDate\.txt\n1 written, 3 unchanged/);
  });

  it('--env renders for another environment; an unknown one is a usage error', async () => {
    const dir = project('envs', 'templates:\n  - template: t.txt.j2\n    for: project\n    output: out.txt\n', {
      'tpl/t.txt.j2': '{{ environment.name }} {{ environment.storageAccount }}',
    });
    assert.equal((await lakehouse(['render', '--env', 'dev', dir], tmp)).code, 0);
    assert.equal(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8'), 'dev stminidev');
    const unknown = await lakehouse(['render', '--env', 'prod', dir], tmp);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, "lakehouse: No environment 'prod' in lakehouse.yaml; declared: dev.\n");
  });

  it('exits 1 with FILE:LINE:COLUMN: error LH5xx message for a failing template, and writes the others', async () => {
    const dir = project(
      'fails',
      'templates:\n  - template: ok.txt.j2\n    for: project\n    output: ok.txt\n  - template: bad.txt.j2\n    for: fact\n    output: bad/{name}.txt\n',
      {
        'tpl/ok.txt.j2': 'fine',
        'tpl/bad.txt.j2': 'one\n{{ fact.grain | nosuchfilter }}\n',
      },
    );
    const run = await lakehouse(['render', dir], tmp);
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr,
      "tpl/bad.txt.j2:2:1: error LH510 Template does not render: No filter named 'nosuchfilter'. " +
        '(rendering bad/fact_stream.txt for fact fact_stream)\n',
    );
    assert.match(run.stdout, /wrote ok\.txt\n1 written, 0 unchanged, 1 failed \(not written\)/);
    assert.ok(!fs.existsSync(path.join(dir, 'bad')));
    assertNoStack(run);
    const json = await lakehouse(['render', dir, '--format', 'json'], tmp);
    const failed = (JSON.parse(json.stdout) as { outputs: { status: string; error?: unknown }[] }).outputs.filter(
      o => o.status === 'failed',
    );
    assert.deepEqual(
      failed.map(o => o.error),
      [{ message: "No filter named 'nosuchfilter'.", kind: 'syntax', code: 'LH510', file: 'tpl/bad.txt.j2', line: 2 }],
    );
  });

  it('refuses to render a project with errors, listing them', async () => {
    const dir = project('invalid', 'templates:\n  - template: missing.j2\n    for: project\n    output: out.txt\n');
    const run = await lakehouse(['render', dir], tmp);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /lakehouse\.yaml:\d+:\d+: error LH501 Template 'missing\.j2' was not found/);
    assert.match(run.stderr, /lakehouse: the project has 1 error\(s\); templates render from valid metadata only/);
  });

  it('--format json reports each output with its status', async () => {
    const dir = project('json', 'templates:\n  - template: t.txt.j2\n    for: dimension\n    output: d/{name}.txt\n', {
      'tpl/t.txt.j2': '{{ dimension.name }}',
    });
    const run = await lakehouse(['render', '--check', '--format', 'json', dir], tmp);
    assert.equal(run.code, 1);
    const parsed = JSON.parse(run.stdout) as {
      environment: string;
      outputs: { id: string; output: string; status: string }[];
    };
    assert.equal(parsed.environment, 'dev');
    assert.deepEqual(parsed.outputs[0], {
      id: 'dimension:dim_user:t.txt.j2',
      template: 't.txt.j2',
      output: 'd/dim_user.txt',
      status: 'missing',
    });
  });

  it('--verify-jinja2 compares with Python Jinja2 (exit 0 on the sample)', async t => {
    if (!needJinja2(t)) return;
    const run = await lakehouse(['render', '--verify-jinja2', '--python', PYTHON, SAMPLE_DIR], REPO_ROOT);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^11 of 11 output\(s\) identical to Jinja2 3\.\d+\.\d+\.\n$/);
  });

  /** Runs with LAKEHOUSE_PYTHON unset and PATH as given, restoring both. */
  async function withoutPythonEnv<T>(pathValue: string | undefined, body: () => Promise<T>): Promise<T> {
    const saved = { PATH: process.env.PATH, LAKEHOUSE_PYTHON: process.env.LAKEHOUSE_PYTHON };
    delete process.env.LAKEHOUSE_PYTHON;
    if (pathValue !== undefined) process.env.PATH = pathValue;
    try {
      return await body();
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  }

  it('--verify-jinja2 exits 2 with a clear message when python3 is missing', async () => {
    const run = await withoutPythonEnv(path.join(tmp, 'no-such-bin'), () =>
      lakehouse(['render', '--verify-jinja2', SAMPLE_DIR], REPO_ROOT),
    );
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /^lakehouse: --verify-jinja2 needs Python 3 with Jinja2: python3 was not found on PATH: install Python 3 with Jinja2 3\.1\.6, or set LAKEHOUSE_PYTHON/,
    );
    assertNoStack(run);
  });

  it('--verify-jinja2 says what to install when the Python has no Jinja2', async t => {
    if (!needJinja2(t)) return;
    // The same interpreter without site-packages (-S) and isolated from the environment (-I).
    const bin = path.join(tmp, 'bare-python');
    write('bare-python/python3', `#!/bin/sh\nexec ${JSON.stringify(jinja2().pythonExecutable ?? PYTHON)} -I -S "$@"\n`);
    fs.chmodSync(path.join(bin, 'python3'), 0o755);
    const run = await withoutPythonEnv(`${bin}${path.delimiter}${process.env.PATH ?? ''}`, () =>
      lakehouse(['render', '--verify-jinja2', SAMPLE_DIR], REPO_ROOT),
    );
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(
      run.stderr,
      new RegExp(
        [
          '^lakehouse: --verify-jinja2 needs Python 3 with Jinja2: \\S+ \\(Python 3\\.\\d+\\.\\d+\\) has no Jinja2: ',
          'install it with `python3 -m pip install Jinja2==3\\.1\\.6`, or set LAKEHOUSE_PYTHON to a Python that has it\\.\\n$',
        ].join(''),
      ),
    );
    assertNoStack(run);
    // --python names another interpreter; LAKEHOUSE_PYTHON likewise
    const explicit = await lakehouse(
      ['render', '--verify-jinja2', '--python', path.join(bin, 'python3'), SAMPLE_DIR],
      REPO_ROOT,
    );
    assert.equal(explicit.code, 2);
    assert.match(
      explicit.stderr,
      /has no Jinja2: install it with `\S+bare-python\/python3 -m pip install Jinja2==3\.1\.6`/,
    );
    assert.equal(
      (await lakehouse(['render', '--python', PYTHON, SAMPLE_DIR], REPO_ROOT)).code,
      2,
      '--python without --verify-jinja2 is a usage error',
    );
  });

  it('usage errors exit 2', async () => {
    assert.equal((await lakehouse(['render', '--format', 'xml', SAMPLE_DIR], REPO_ROOT)).code, 2);
    assert.equal((await lakehouse(['render', 'a', 'b'], REPO_ROOT)).code, 2);
    const missing = await lakehouse(['render', 'nowhere'], tmp);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'lakehouse: nowhere is not a folder.\n');
  });
});

describe('lakehouse render-template', () => {
  let tmp = '';
  const write = (rel: string, text: string): string => {
    const file = path.join(tmp, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-render-template-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('prints the rendered text; the context is read as Python reads JSON (2.0 stays a float)', async () => {
    write(
      't/query.sql.j2',
      '{% include "header.j2" %}SELECT {{ cols | join(", ") }} -- {{ ratio }} {{ n }} {{ flag }} {{ none }}\n',
    );
    write('shared/header.j2', '-- header\n');
    write('ctx.json', '{"cols": ["a", "b"], "ratio": 2.0, "n": 3, "flag": true, "none": null}');
    const run = await lakehouse(
      ['render-template', 't/query.sql.j2', '--context', 'ctx.json', '--search-path', 'shared'],
      tmp,
    );
    assert.equal(run.stderr, '');
    assert.equal(run.code, 0);
    assert.equal(
      run.stdout,
      '-- headerSELECT a, b -- 2.0 3 True None',
      "Jinja2 drops the include's trailing newline too",
    );
  });

  it('exits 1 with FILE:LINE:COLUMN: error LH5xx message on stderr when rendering fails', async () => {
    write('bad.j2', 'ok\n{% for x in items %}\n{{ x.missing.deeper }}\n{% endfor %}\n');
    write('items.json', '{"items": [{}]}');
    const run = await lakehouse(['render-template', 'bad.j2', '--context', 'items.json'], tmp);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^bad\.j2:3:1: error LH511 Template does not render: .*'missing'/);
    assertNoStack(run);
    const syntax = await lakehouse(['render-template', write('syntax.j2', 'a\n{% if %}\n')], tmp);
    assert.equal(syntax.code, 1);
    assert.match(syntax.stderr, /^syntax\.j2:2:1: error LH510 Template does not render: /);
  });

  it('user errors exit 2 without a stack trace', async () => {
    write('plain.j2', '{{ x }}');
    write('broken.json', '{"x": ');
    write('list.json', '[1]');
    for (const [args, message] of [
      [['render-template', 'nope.j2'], /^lakehouse: nope\.j2 does not exist or is not a file\.\n$/],
      [['render-template', 'plain.j2', '--context', 'none.json'], /^lakehouse: none\.json does not exist\.\n$/],
      [['render-template', 'plain.j2', '--context', 'broken.json'], /^lakehouse: broken\.json is not valid JSON: /],
      [['render-template', 'plain.j2', '--context', 'list.json'], /^lakehouse: list\.json must hold a JSON object/],
      [['render-template'], /^lakehouse: render-template takes exactly one template file\./],
    ] as const) {
      const run = await lakehouse([...args], tmp);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assertNoStack(run);
    }
  });
});
