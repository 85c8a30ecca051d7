// The test helpers themselves: markers, the in-memory file host and edit application. Every
// other suite relies on them, so they get their own checks.
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { describe, it } from 'node:test';
import { expandGlob, matchSegment } from '../../src/core/project/glob';
import { LineIndex } from '../../src/core/text/lineIndex';
import { MemoryHost } from './helpers/memoryHost';
import { applyEdits, edit, marked } from './helpers/project';

describe('test helpers', () => {
  it('marked() strips ⟦…⟧ and returns exact, nested and empty ranges in opening order', () => {
    const m = marked('a: ⟦one⟧\nb: ⟦t⟦w⟧o⟧\n⟦⟧');
    assert.equal(m.text, 'a: one\nb: two\n');
    assert.deepEqual(m.ranges, [
      { start: { line: 0, character: 3 }, end: { line: 0, character: 6 } },
      { start: { line: 1, character: 3 }, end: { line: 1, character: 6 } },
      { start: { line: 1, character: 4 }, end: { line: 1, character: 5 } },
      { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } },
    ]);
    assert.throws(() => marked('⟦a'), /unbalanced/);
    assert.throws(() => marked('a⟧'), /unbalanced/);
  });

  it('edit() insists the replaced text occurs exactly once', () => {
    assert.equal(edit('a b c', 'b', 'B'), 'a B c');
    assert.throws(() => edit('a b b', 'b', 'B'), /only once/);
    assert.throws(() => edit('a', 'z', 'Z'), /contains/);
  });

  it('MemoryHost lists folders with a trailing slash, reports sizes, and misses what does not exist', async () => {
    const root = path.resolve('/mem');
    const host = new MemoryHost({
      [path.join(root, 'a.yaml')]: 'é',
      [path.join(root, 'sub', 'b.json')]: new Uint8Array(3),
    });
    host.mkdir(path.join(root, 'empty'));
    assert.deepEqual(await host.readDirectory(root), ['a.yaml', 'empty/', 'sub/']);
    assert.deepEqual(await host.readDirectory(path.join(root, 'empty')), []);
    assert.equal(await host.readDirectory(path.join(root, 'nope')), undefined);
    assert.equal(await host.fileSize?.(path.join(root, 'a.yaml')), 2, 'UTF-8 bytes, not characters');
    assert.equal(await host.fileSize?.(path.join(root, 'sub', 'b.json')), 3);
    assert.equal(await host.readFile(path.join(root, 'missing')), undefined);
    assert.equal(new MemoryHost({}, { withFileSize: false }).fileSize, undefined);
    assert.deepEqual(await expandGlob(host, root, '**/*.json'), [path.join(root, 'sub', 'b.json')]);
  });

  it('applyEdits maps positions with LineIndex, CRLF included', () => {
    const text = 'x: 1\r\ny: 2\r\n';
    const at = { line: 1, character: 3 };
    assert.equal(new LineIndex(text).offsetAt(at), 9);
    assert.equal(
      applyEdits(text, '/f', [{ file: '/f', range: { start: at, end: { line: 1, character: 4 } }, newText: '3' }]),
      'x: 1\r\ny: 3\r\n',
    );
  });

  it(
    "LineIndex never gives a position past its line's text (an offset between CR and LF is the " +
      "line's end), nor a range that ends before it starts (fuzz findings)",
    () => {
      const lines = new LineIndex('\u0001version: 1\r\nproject:\r');
      assert.deepEqual(lines.positionAt(12), { line: 0, character: 11 }, 'the LF of a CRLF');
      assert.deepEqual(lines.positionAt(11), { line: 0, character: 11 }, 'the CR');
      assert.deepEqual(lines.positionAt(13), { line: 1, character: 0 });
      assert.deepEqual(lines.positionAt(21), { line: 1, character: 8 }, 'a lone CR at the end');
      assert.deepEqual(lines.positionAt(22), { line: 2, character: 0 });
      assert.deepEqual(new LineIndex('!!binary ').rangeOf([9, 8]), {
        start: { line: 0, character: 9 },
        end: { line: 0, character: 9 },
      });
    },
  );

  it('include patterns match by segment without a RegExp, so a pattern of any length is safe', async () => {
    assert.ok(matchSegment('*.lakehouse.yaml', 'sales.lakehouse.yaml'));
    assert.ok(!matchSegment('*.lakehouse.yaml', 'sales.lakehouse.yml'));
    assert.ok(matchSegment('a?c*', 'abcdef') && matchSegment('*', '') && matchSegment('**x*y', 'zzxqy'));
    assert.ok(!matchSegment('a?c', 'ac') && !matchSegment('{name}', 'name'));
    assert.ok(matchSegment('[x].yaml', '[x].yaml'), 'brackets are literal');
    const root = path.resolve('/mem');
    const host = new MemoryHost({ [path.join(root, 'a.yaml')]: 'x' });
    const huge = '"{name}"'.repeat(6000);
    assert.deepEqual(await expandGlob(host, root, huge), []);
    // A pathological pattern stays fast: backtracking is bounded by pattern × name.
    const started = Date.now();
    assert.ok(!matchSegment(`${'*a'.repeat(2000)}b`, 'a'.repeat(3000)));
    assert.ok(Date.now() - started < 5000);
  });

  it("many '**' segments list each folder once and walk it once per position (fuzz finding: 4,054 of them took 2.3 s)", async () => {
    const root = path.resolve('/mem');
    const files: Record<string, string> = {};
    for (const a of ['a', 'b', 'c'])
      for (const b of ['x', 'y']) for (const c of ['1', '2']) files[path.join(root, a, b, c, 'm.lakehouse.yaml')] = 'x';
    files[path.join(root, 'top.lakehouse.yaml')] = 'x';
    const host = new MemoryHost(files);
    let listings = 0;
    const read = host.readDirectory.bind(host);
    host.readDirectory = (dir: string) => {
      listings++;
      return read(dir);
    };
    const all = Object.keys(files).sort();
    // The same files, whatever the number of '**' (in a run or spread between other segments).
    assert.deepEqual(await expandGlob(host, root, '**/*.lakehouse.yaml'), all);
    assert.deepEqual(await expandGlob(host, root, `${'**/'.repeat(4054)}*.lakehouse.yaml`), all);
    listings = 0;
    assert.deepEqual(await expandGlob(host, root, `${'**/*/'.repeat(40)}**/*.lakehouse.yaml`), []);
    assert.deepEqual(
      await expandGlob(host, root, '**/x/**/*.lakehouse.yaml'),
      all.filter(f => f.includes(`${path.sep}x${path.sep}`)),
    );
    assert.deepEqual(
      await expandGlob(host, root, '*/**/2/*.lakehouse.yaml'),
      all.filter(f => f.includes(`${path.sep}2${path.sep}`)),
    );
    assert.ok(
      listings <= 3 * 22,
      `each of the 22 folders listed at most once per call, in 3 calls (${listings} listings)`,
    );
  });
});
