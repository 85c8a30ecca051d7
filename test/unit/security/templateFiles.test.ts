// Issue 9, finding 5: with an unsaved editor buffer, the template worker read includes with
// readFileSync before any check: `{% include 'z' %}` with z -> /dev/zero grew to 16.8 GB. Every
// read now checks where the file is, then what it is, before a byte is read.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, before, describe, it } from 'node:test';
import { renderRequest } from '../../../src/core/templates/worker';

const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;

describe('template includes are checked before they are read (issue 9, finding 5)', () => {
  let tmp = '';
  let project = '';
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-template-files-'));
    project = path.join(tmp, 'project');
    fs.mkdirSync(path.join(project, 'tpl'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'secret.txt'), 'ghp_template_secret');
    fs.symlinkSync('/dev/zero', path.join(project, 'tpl', 'zero'));
    fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(project, 'tpl', 'secret'));
    fs.writeFileSync(path.join(project, 'tpl', 'main.j2'), 'unused');
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const render = (text: string, withBuffer: boolean) =>
    renderRequest({
      environment: { searchPaths: [path.join(project, 'tpl')], projectRoot: project },
      text,
      name: path.join(project, 'tpl', 'main.j2'),
      // An unsaved buffer of another file: the reader with overlays is the one that read unchecked.
      ...(withBuffer ? { overlays: { [path.join(project, 'tpl', 'other.j2')]: 'x' } } : {}),
    });

  for (const withBuffer of [true, false]) {
    const label = withBuffer ? 'with an unsaved buffer' : 'from disk';
    it(`an include that links to /dev/zero is refused at once (${label})`, () => {
      const t0 = performance.now();
      const result = render("{% include 'zero' %}", withBuffer);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.error.kind, 'security');
      assert.match(result.error.message, /is outside the project folder .* \(a symlink to \/dev\/zero\)/);
      assert.ok(performance.now() - t0 < 5000);
    });

    it(`an include that links out of the project is refused, and its content never shown (${label})`, () => {
      const result = render("{% include 'secret' %}", withBuffer);
      assert.equal(result.ok, false);
      assert.doesNotMatch(JSON.stringify(result), /ghp_template_secret/);
    });

    it(
      `an include that is a FIFO is refused, never waited on (${label})`,
      { skip: hasMkfifo ? false : 'mkfifo is not available' },
      () => {
        const fifo = path.join(project, 'tpl', `fifo-${withBuffer}`);
        assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
        const result = render(`{% include 'fifo-${withBuffer}' %}`, withBuffer);
        assert.equal(result.ok, false);
        if (!result.ok) assert.match(result.error.message, /named pipe \(FIFO\), not a regular file/);
      },
    );
  }

  it('a template name with a NUL character is not found, as in Jinja2, rather than an internal error (fuzz finding)', () => {
    for (const withBuffer of [true, false]) {
      const result = render("{% import '\\x00other.j2' as lib %}{% include 'a\\0b' ignore missing %}x", withBuffer) as {
        ok: boolean;
        error?: { message: string };
      };
      assert.equal(result.ok, false);
      assert.match(result.error!.message, /^TemplateNotFound: /);
      assert.doesNotMatch(result.error!.message, /internal error/);
    }
    assert.deepEqual(render("{% include 'a\\0b' ignore missing %}x", false), { ok: true, text: 'x' });
  });

  it('the unsaved buffer itself is used, inside the project', () => {
    assert.deepEqual(render("{% include 'other.j2' %}", true), { ok: true, text: 'x' });
  });
});
