// GeneratedTextCache: what an editor's plan reads of the ADF folder after each pause in typing.
// Unchanged files come back as the text read before (the same string, no decoding); anything
// that moved (content, even at the same size; a replacement by rename; a deletion) is read again.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, it } from 'node:test';
import { GeneratedTextCache } from '../../../src/core/files/generatedFiles';
import { FileRefusedError } from '../../../src/core/files/fileHost';
import { NodeFileHost } from '../../../src/core/files/nodeFileHost';

describe('GeneratedTextCache', () => {
  const host = new NodeFileHost();
  /** Counts the host's reads, so a test sees whether the disk was read again. */
  const counting = () => {
    let reads = 0;
    return {
      host: {
        readFile: (file: string, options?: Parameters<NodeFileHost['readFile']>[1]) => (
          reads++,
          host.readFile(file, options)
        ),
      },
      reads: () => reads,
    };
  };

  it('an unchanged file is not read again; a changed one is, even at the same size and within the same second', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-gen-cache-'));
    try {
      const file = path.join(dir, 'pipeline.json');
      fs.writeFileSync(file, '{"a": 1}');
      const cache = new GeneratedTextCache();
      const reader = counting();
      const first = await cache.read(reader.host, file);
      assert.equal(first, '{"a": 1}');
      assert.equal(await cache.read(reader.host, file), first);
      assert.equal(reader.reads(), 1, 'the second read came from the cache');

      fs.writeFileSync(file, '{"a": 2}');
      assert.equal(await cache.read(reader.host, file), '{"a": 2}');
      assert.equal(reader.reads(), 2);

      // Replaced by a rename, as atomic writes do: another inode.
      fs.writeFileSync(path.join(dir, 'tmp'), '{"a": 3}');
      fs.renameSync(path.join(dir, 'tmp'), file);
      assert.equal(await cache.read(reader.host, file), '{"a": 3}');

      fs.rmSync(file);
      assert.equal(await cache.read(reader.host, file), undefined);
      fs.writeFileSync(file, '{"a": 4}');
      assert.equal(await cache.read(reader.host, file), '{"a": 4}');

      // forget(): read again although the stat did not move.
      const before = reader.reads();
      cache.forget(file);
      await cache.read(reader.host, file);
      assert.equal(reader.reads(), before + 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('what is not a regular file is never served from the cache: a FIFO is refused each time', async t => {
    if (process.platform === 'win32') return t.skip('no mkfifo on Windows');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-gen-cache-'));
    try {
      const file = path.join(dir, 'pipeline.json');
      execFileSync('mkfifo', [file]);
      const cache = new GeneratedTextCache();
      await assert.rejects(cache.read(host, file), FileRefusedError);
      await assert.rejects(cache.read(host, file), FileRefusedError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
