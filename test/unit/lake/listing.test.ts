// Folding listing pages: each folder once, even when a hierarchical account lists a directory both
// as an empty blob (hdi_isfolder) and as a prefix, on the same page or on two.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldListingPage, type ListedBlob } from '../../../src/core/lake/listing';
import { redactSecrets } from '../../../src/core/text/redact';

/** The service's answer for a folder, split into pages of `size` entries in name order (blobs and prefixes interleaved). */
function pages(entries: ({ blob: ListedBlob } | { prefix: string })[], size: number) {
  const sorted = [...entries].sort((a, b) => {
    const na = 'blob' in a ? a.blob.name : a.prefix;
    const nb = 'blob' in b ? b.blob.name : b.prefix;
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
  const out: { blobs: ListedBlob[]; prefixes: string[] }[] = [];
  for (let i = 0; i < sorted.length; i += size) {
    const slice = sorted.slice(i, i + size);
    out.push({
      blobs: slice.flatMap(e => ('blob' in e ? [e.blob] : [])),
      prefixes: slice.flatMap(e => ('prefix' in e ? [e.prefix] : [])),
    });
  }
  return out;
}

describe('folder listing pages', () => {
  // A hierarchical account's answer for folder 'lake/': directories a (with children), empty (none),
  // and names that sort between a directory blob and its prefix ('a-old', 'a.txt').
  const entries = [
    { blob: { name: 'lake/a', size: 0, isDirectoryMarker: true } },
    { prefix: 'lake/a/' },
    { blob: { name: 'lake/a-old', size: 0, isDirectoryMarker: true } },
    { prefix: 'lake/a-old/' },
    { blob: { name: 'lake/a.txt', size: 3, lastModified: new Date(0) } },
    { blob: { name: 'lake/empty', size: 0, isDirectoryMarker: true } },
    { blob: { name: 'lake/zero-byte-file', size: 0 } },
    { prefix: 'lake/z/' },
  ];

  it('lists each folder once and each file once, whatever the page size', () => {
    for (let size = 1; size <= entries.length; size++) {
      let carry: string[] = [];
      const folders: string[] = [];
      const files: string[] = [];
      for (const page of pages(entries, size)) {
        const folded = foldListingPage('lake/', page.blobs, page.prefixes, carry);
        folders.push(...folded.folders.map(f => f.name));
        files.push(...folded.files.map(f => f.name));
        carry = folded.carry;
        assert.ok(carry.length <= 2, 'the carry stays small');
      }
      assert.deepEqual(folders.sort(), ['a', 'a-old', 'empty', 'z'], `page size ${size}`);
      assert.deepEqual(files.sort(), ['a.txt', 'zero-byte-file'], `page size ${size}`);
    }
  });

  it('gives names relative to the folder and paths from the root', () => {
    const folded = foldListingPage('lake/', [{ name: 'lake/a.txt', size: 3, contentType: 'text/plain' }], ['lake/a/']);
    assert.deepEqual(folded.folders, [{ kind: 'folder', name: 'a', path: 'lake/a/' }]);
    assert.deepEqual(folded.files, [
      { kind: 'file', name: 'a.txt', path: 'lake/a.txt', size: 3, contentType: 'text/plain' },
    ]);
    const root = foldListingPage('', [{ name: 'x', isDirectoryMarker: true }], []);
    assert.deepEqual(root.folders, [{ kind: 'folder', name: 'x', path: 'x/', fromDirectoryMarker: true }]);
  });

  it("hides a flat account's placeholder blob named like the folder itself", () => {
    const folded = foldListingPage(
      'lake/',
      [
        { name: 'lake/', size: 0 },
        { name: 'lake/f', size: 1 },
      ],
      [],
    );
    assert.deepEqual(
      folded.files.map(f => f.name),
      ['f'],
    );
  });
});

describe('secrets in messages', () => {
  it('redacts SAS signatures, keys, bearer tokens and JWTs, and keeps the rest', () => {
    const text =
      'GET https://acct.blob.core.windows.net/c/b?sv=2023-01-03&sig=abc%2Bdef&se=2026 failed; ' +
      'AccountKey=Eby8vdM02xNOcq==;SharedAccessSignature=sv=1&sig=zzz; Authorization: Bearer eyJabc.def.ghi ' +
      'SharedKey devstoreaccount1:c2lnbmF0dXJl token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sflKxwRJSMeKKF2QT4';
    const out = redactSecrets(text);
    assert.doesNotMatch(out, /abc%2Bdef|Eby8vd|zzz|c2lnbmF0dXJl|sflKxw|eyJhbGci/);
    assert.match(out, /sv=2023-01-03&sig=REDACTED&se=2026/);
    assert.match(out, /AccountKey=REDACTED/);
    assert.match(out, /Bearer REDACTED/);
    assert.match(out, /SharedKey REDACTED/);
    assert.equal(redactSecrets('config=1 design=2 signal=3'), 'config=1 design=2 signal=3');
  });
});
