// Parquet footers read through byte ranges: real files written by hyparquet-writer, every range
// asked recorded, and damaged files answered with a message.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readParquetSummary, formatBytes, type RangeReader } from '../../../src/core/lake/parquetFooter';
import { parquetFile } from '../helpers/lakeFixtures';

/** A reader over bytes in memory that records each range asked. */
function recordingReader(bytes: Uint8Array): { read: RangeReader; ranges: [number, number][] } {
  const ranges: [number, number][] = [];
  return {
    ranges,
    read: async (offset, length) => {
      ranges.push([offset, length]);
      return bytes.slice(offset, offset + length);
    },
  };
}

describe('parquet footer', () => {
  it('reads schema, row count and row groups from the last 8 bytes, then the footer: nothing else', async () => {
    const file = parquetFile(30_000, 10_000);
    const { read, ranges } = recordingReader(file);
    const reading = await readParquetSummary(file.byteLength, read, { name: 'streams.parquet' });
    assert.ok(reading.ok, reading.ok ? '' : reading.message);
    const s = reading.summary;
    assert.equal(s.rowCount, 30_000);
    assert.equal(s.rowGroupCount, 3);
    assert.deepEqual(
      s.rowGroups.map(g => g.rows),
      [10_000, 10_000, 10_000],
    );
    assert.deepEqual(
      s.columns.map(c => [c.path, c.physicalType, c.logicalType, c.repetition]),
      [
        ['id', 'INT64', undefined, 'REQUIRED'],
        ['name', 'BYTE_ARRAY', 'STRING', 'OPTIONAL'],
        ['ts', 'INT64', 'TIMESTAMP_MILLIS', 'OPTIONAL'],
        ['amount', 'DOUBLE', undefined, 'OPTIONAL'],
      ],
    );
    assert.equal(s.createdBy, 'lakehouse-workbench tests');
    assert.equal(s.fileBytes, file.byteLength);
    const footerLength = new DataView(file.buffer, file.byteOffset + file.byteLength - 8, 4).getUint32(0, true);
    assert.equal(s.footerBytes, footerLength);
    assert.deepEqual(ranges, [
      [file.byteLength - 8, 8],
      [file.byteLength - 8 - footerLength, footerLength],
    ]);
    assert.ok(8 + footerLength < file.byteLength / 50, 'the footer is a small part of the file');
  });

  it('refuses what is not parquet, encrypted, too small, cut short or damaged, with a message', async () => {
    const file = parquetFile(100);
    const answer = async (bytes: Uint8Array, size = bytes.byteLength) => {
      const r = await readParquetSummary(size, recordingReader(bytes).read, { name: 'x.parquet' });
      assert.ok(!r.ok);
      return r.message;
    };
    assert.match(await answer(new TextEncoder().encode('id,name\n1,a\n2,b\n')), /not a parquet file/);
    assert.match(await answer(new Uint8Array(5)), /too small/);
    const encrypted = file.slice();
    encrypted.set(new TextEncoder().encode('PARE'), encrypted.length - 4);
    assert.match(await answer(encrypted), /encrypted/);
    const huge = file.slice();
    new DataView(huge.buffer).setUint32(huge.length - 8, huge.length, true);
    assert.match(await answer(huge), /cut short or damaged/);
    const garbled = file.slice();
    const footerLength = new DataView(file.buffer).getUint32(file.length - 8, true);
    garbled.fill(0xff, file.length - 8 - footerLength, file.length - 8);
    assert.match(await answer(garbled), /footer that cannot be read/);
    const big = await readParquetSummary(file.byteLength, recordingReader(file).read, { maxFooterBytes: 16 });
    assert.ok(!big.ok && /footer of .* up to 16 B/.test(big.message));
  });

  it("a reader's own failure (access, network) is not turned into a content message", async () => {
    const file = parquetFile(10);
    let calls = 0;
    const failing: RangeReader = async (offset, length) => {
      if (++calls === 2) throw new Error('Cannot read x.parquet: parquet network down');
      return file.slice(offset, offset + length);
    };
    await assert.rejects(readParquetSummary(file.byteLength, failing), /network down/);
  });

  it('formats byte counts', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(1024 * 1024), '1.0 MiB');
    assert.equal(formatBytes(12 * 1024 * 1024 * 1024), '12 GiB');
  });
});
