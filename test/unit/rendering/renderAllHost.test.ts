// "Render all" on a FileHost alone (what the editor builds it on, with its unsaved buffers): the
// outputs are compared with and written through the host, never the disk, and a CRLF checkout is
// up to date under the one rule, sameGeneratedText.
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { describe, it } from 'node:test';
import { Containment } from '../../../src/core/files/containment';
import { sameGeneratedText } from '../../../src/core/files/generatedFiles';
import { FileRefusedError, type EntryType } from '../../../src/core/files/fileHost';
import { containedHost, WriteRefusedError } from '../../../src/core/files/writeFile';
import type { RenderJob } from '../../../src/core/rendering/plan';
import { checkOutputs, containJobs, renderJobs, writeOutputs } from '../../../src/core/rendering/run';
import { MemoryHost } from '../helpers/memoryHost';
import { abs, ROOT } from '../helpers/project';

function job(output: string, text: string | undefined): RenderJob {
  return {
    id: `project:${output}`,
    templateFile: abs('tpl/t.j2'),
    searchPaths: [abs('tpl')],
    projectRoot: ROOT,
    outputFile: abs(output),
    language: 'plaintext',
    binding: { kind: 'project' },
    source: { template: 't.j2', for: 'project', output },
    context: { text: text ?? null },
  };
}

/** Renders a job's context.text, or fails like a template with an undefined name. */
const render = async (j: RenderJob) =>
  typeof j.context.text === 'string'
    ? { ok: true as const, text: j.context.text }
    : { ok: false as const, error: { kind: 'undefined' as const, message: "'x' is undefined", line: 2 } };

describe('render all on a FileHost', () => {
  it('one rule for "up to date": line endings do not count, anything else does', () => {
    assert.ok(sameGeneratedText('a\r\nb\r\n', 'a\nb\n'));
    assert.ok(sameGeneratedText('a\nb\n', 'a\r\nb\r\n'));
    assert.ok(!sameGeneratedText('a\nb', 'a\nb\n'), 'a missing final newline is a change');
    assert.ok(!sameGeneratedText('a \nb\n', 'a\nb\n'), 'so is a trailing space');
    assert.ok(!sameGeneratedText('a\rb\n', 'a\nb\n'), 'a lone CR is not a line ending git writes');
  });

  it('compares with the host (an unsaved buffer included), writes through it, and leaves a CRLF checkout alone', async () => {
    const host = new MemoryHost({
      [abs('out/crlf.txt')]: Buffer.from('one\r\ntwo\r\n'),
      [abs('out/stale.txt')]: Buffer.from('old\n'),
      [abs('out/buffer.txt')]: 'typed in the editor, not saved\n',
    });
    const jobs = [
      job('out/crlf.txt', 'one\ntwo\n'),
      job('out/stale.txt', 'new\n'),
      job('out/buffer.txt', 'typed in the editor, not saved\n'),
      job('out/missing.txt', 'fresh\n'),
      job('out/broken.txt', undefined),
    ];
    const checks = await checkOutputs(jobs, await renderJobs(jobs, render), host);
    assert.deepEqual(
      checks.map(c => [path.basename(c.job.outputFile), c.status]),
      [
        ['crlf.txt', 'up-to-date'],
        ['stale.txt', 'out-of-date'],
        ['buffer.txt', 'up-to-date'],
        ['missing.txt', 'missing'],
        ['broken.txt', 'failed'],
      ],
    );
    assert.equal(checks[4]!.error?.kind, 'undefined');
    const report = await writeOutputs(checks, host);
    assert.deepEqual([report.written.length, report.unchanged.length, report.failed.length], [2, 2, 1]);
    assert.deepEqual(host.writes, [abs('out/stale.txt'), abs('out/missing.txt')]);
    assert.equal(await host.readFile(abs('out/stale.txt')), 'new\n');
    assert.deepEqual(
      [...((await host.readFile(abs('out/crlf.txt'))) as Uint8Array)],
      [...Buffer.from('one\r\ntwo\r\n')],
    );
  });

  it('a refused read names the file', async () => {
    const host = new MemoryHost();
    host.readFile = async () => {
      throw new FileRefusedError('It is a named pipe (FIFO), not a regular file.');
    };
    const jobs = [job('out/fifo.txt', 'x')];
    await assert.rejects(checkOutputs(jobs, await renderJobs(jobs, render), host), (e: Error) => {
      assert.ok(e instanceof FileRefusedError);
      assert.equal(e.message, `${abs('out/fifo.txt')}: It is a named pipe (FIFO), not a regular file.`);
      return true;
    });
  });

  it('contains outputs and writes through the host: outside the project, or onto a link, nothing is written', async () => {
    const types = new Map<string, EntryType>([[abs('out/link.txt'), 'symlink']]);
    const host = Object.assign(new MemoryHost(), { entryType: async (file: string) => types.get(file) });
    const containment = new Containment([ROOT]);
    const jobs = [job('out/ok.txt', 'ok\n'), job('out/link.txt', 'x\n'), job('../elsewhere/evil.txt', 'x\n')];
    const { allowed, refused } = await containJobs(jobs, containment, host, f => path.relative(ROOT, f));
    assert.deepEqual(
      allowed.map(j => path.basename(j.outputFile)),
      ['ok.txt'],
    );
    assert.match(refused[0]!.reason, /^'out.link\.txt' is a symbolic link; it is neither followed nor replaced/);
    assert.match(refused[1]!.reason, /is outside the project folder/);
    // The same checks again at write time, through containedHost.
    const guarded = containedHost(host, containment);
    await assert.rejects(guarded.writeFile(abs('out/link.txt'), 'x'), WriteRefusedError);
    await assert.rejects(guarded.writeFile(abs('../elsewhere/evil.txt'), 'x'), WriteRefusedError);
    await guarded.writeFile(abs('out/ok.txt'), 'ok\n');
    assert.deepEqual(host.writes, [abs('out/ok.txt')]);
  });
});
