// The preview policy: what is read for a file (from its name and size, before any byte), and the
// text shown from those bytes: cut at a line and a whole character, noted; binary refused.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extensionOf, previewPlan, textPreview, PREVIEW_LIMIT_BYTES } from '../../../src/core/lake/preview';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('file previews', () => {
  it('plans from the name and size: text up to 1 MiB, parquet by footer, binary formats refused', () => {
    assert.deepEqual(previewPlan('bronze/users/part.csv', 10), {
      kind: 'text',
      language: 'csv',
      readBytes: 10,
      size: 10,
    });
    assert.deepEqual(previewPlan('a/b.json', 5e9), {
      kind: 'text',
      language: 'json',
      readBytes: PREVIEW_LIMIT_BYTES,
      size: 5e9,
    });
    assert.equal((previewPlan('x/_delta_log/00000000000000000001.json', 100) as { language: string }).language, 'json');
    assert.equal((previewPlan('x/_delta_log/_last_checkpoint', 100) as { language: string }).language, 'json');
    assert.equal((previewPlan('x/_delta_log/00000000000000000001.crc', 100) as { language: string }).language, 'json');
    assert.equal((previewPlan('logs/run.ndjson', 100) as { language: string }).language, 'jsonl');
    assert.equal((previewPlan('README', 100) as { language: string }).language, 'plaintext');
    assert.deepEqual(previewPlan('t/part-0.snappy.parquet', 1e9), { kind: 'parquet', size: 1e9 });
    const gz = previewPlan('raw/export.csv.gz', 100);
    assert.equal(gz.kind, 'refused');
    assert.match(
      (gz as { message: string }).message,
      /export\.csv\.gz is gzip-compressed: previews show JSON, CSV, text and parquet/,
    );
    assert.equal(previewPlan('a.avro', 1).kind, 'refused');
    assert.equal(previewPlan('empty.txt', 0).kind, 'text');
    assert.equal(extensionOf('.hidden'), '');
    assert.equal(extensionOf('dir.v2/file'), '');
  });

  it('shows a whole small file as it is', () => {
    const bytes = utf8('{"cdc":"2024-01-01T00:00:00.0000000"}\n');
    const plan = previewPlan('cdc.json', bytes.byteLength);
    assert.equal(plan.kind, 'text');
    const r = textPreview(plan as Extract<typeof plan, { kind: 'text' }>, bytes);
    assert.deepEqual(r, {
      ok: true,
      text: '{"cdc":"2024-01-01T00:00:00.0000000"}\n',
      language: 'json',
      truncated: false,
    });
  });

  it('cuts a big file at its last line break within the limit, never inside a character, with a note', () => {
    const row = 'id;name;città\n';
    const text = row.repeat(200_000); // ~3 MiB
    const bytes = utf8(text);
    const plan = previewPlan('big.csv', bytes.byteLength) as Extract<ReturnType<typeof previewPlan>, { kind: 'text' }>;
    const r = textPreview(plan, bytes.subarray(0, plan.readBytes));
    assert.ok(r.ok);
    assert.equal(r.truncated, true);
    assert.ok(r.text.endsWith('città\n'), 'ends on a whole row');
    assert.equal(r.text.length % row.length, 0);
    assert.match(r.note ?? '', /Showing the first 1\.0 MiB of 2\.9 MiB \(truncated\)/);
    // A cut inside the two bytes of 'à' and no line break in sight: the character is left out whole.
    const oneLine = utf8('à'.repeat(10));
    const cut = textPreview({ kind: 'text', language: 'plaintext', readBytes: 5, size: 20 }, oneLine.subarray(0, 5));
    assert.ok(cut.ok);
    assert.equal(cut.text, 'àà');
  });

  it('refuses binary bytes whatever the name says, and decodes UTF-16 with a BOM', () => {
    const binary = textPreview(
      { kind: 'text', language: 'plaintext', readBytes: 6, size: 6 },
      new Uint8Array([1, 2, 0, 4, 5, 6]),
      'blob.dat',
    );
    assert.deepEqual(binary, {
      ok: false,
      message: 'blob.dat is binary, not text: previews show JSON, CSV, text and parquet (schema and row count).',
    });
    const latin1 = textPreview(
      { kind: 'text', language: 'csv', readBytes: 4, size: 4 },
      new Uint8Array([0x63, 0x61, 0x66, 0xe9]),
    );
    assert.ok(!latin1.ok && /not valid UTF-8/.test(latin1.message));
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n1,2\n', 'utf16le')]);
    const r = textPreview({ kind: 'text', language: 'csv', readBytes: utf16.length, size: utf16.length }, utf16);
    assert.ok(r.ok);
    assert.equal(r.text, 'a,b\n1,2\n');
  });
});
