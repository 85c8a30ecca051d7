// Watermark files as ADF's JSON sink writes them (JSON lines, UTF-8 with or without a BOM,
// UTF-16), as people edit them, and broken: a value or a message, never a throw.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWatermarkFile, utcOf, type WatermarkReading } from '../../../src/core/lake/watermark';

const utf8 = (text: string) => new TextEncoder().encode(text);
const ok = (r: WatermarkReading) => {
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r;
};
const failed = (r: WatermarkReading) => {
  assert.ok(!r.ok, 'expected a message');
  return r.message;
};

describe('watermark files', () => {
  it('reads what the generated pipeline writes: {"cdc": "yyyy-MM-ddTHH:mm:ss.fffffff"} on one line', () => {
    const r = ok(parseWatermarkFile(utf8('{"cdc":"2024-01-01T00:00:00.0000000"}\n'), 'watermark'));
    assert.deepEqual(r, {
      ok: true,
      value: '2024-01-01T00:00:00.0000000',
      kind: 'time',
      utc: '2024-01-01T00:00:00.0000000Z',
    });
  });

  it('tolerates a BOM, CRLF, a pretty-printed object, an array, UTF-16', () => {
    const value = '2025-03-04T05:06:07.1234567';
    const expected = { ok: true, value, kind: 'time', utc: `${value}Z` };
    assert.deepEqual(parseWatermarkFile(utf8(`\uFEFF{"cdc":"${value}"}\r\n`)), expected);
    assert.deepEqual(parseWatermarkFile(`{\n  "cdc": "${value}"\n}\n`), expected);
    assert.deepEqual(parseWatermarkFile(`[{"cdc": "${value}"}]`), expected);
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`{"cdc":"${value}"}`, 'utf16le')]);
    assert.deepEqual(parseWatermarkFile(le), expected);
    const be = Buffer.from(Buffer.from(`{"cdc":"${value}"}`, 'utf16le')).swap16();
    assert.deepEqual(parseWatermarkFile(Buffer.concat([Buffer.from([0xfe, 0xff]), be])), expected);
  });

  it('several JSON lines: the first row counts, as for the pipeline’s Lookup, with a note', () => {
    const r = ok(parseWatermarkFile('{"cdc":"2024-01-02T00:00:00"}\n\n{"cdc":"2024-01-03T00:00:00"}\n'));
    assert.equal(r.value, '2024-01-02T00:00:00');
    assert.equal(r.utc, '2024-01-02T00:00:00.0000000Z');
    assert.match(r.note ?? '', /2 rows.*first/);
  });

  it('rowversion and Change Tracking versions are numbers (strings, as the pipeline writes them)', () => {
    assert.deepEqual(parseWatermarkFile('{"cdc":"184467"}', 'rowversion'), {
      ok: true,
      value: '184467',
      kind: 'number',
    });
    assert.deepEqual(parseWatermarkFile('{"cdc":0}', 'changeTracking'), { ok: true, value: '0', kind: 'number' });
    const big = ok(parseWatermarkFile('{"cdc":18446744073709551615}', 'rowversion'));
    assert.match(big.note ?? '', /exact integers/);
  });

  it('zones and offsets become UTC; impossible dates are not times', () => {
    assert.equal(utcOf('2024-01-01T01:30:00+01:30'), '2024-01-01T00:00:00.0000000Z');
    assert.equal(utcOf('2024-01-01 00:00:00Z'), '2024-01-01T00:00:00.0000000Z');
    assert.equal(utcOf('2024-02-29'), '2024-02-29T00:00:00.0000000Z');
    assert.equal(utcOf('2023-02-29'), undefined);
    assert.equal(utcOf('0050-06-01T00:00:00'), '0050-06-01T00:00:00.0000000Z');
    assert.equal(utcOf('1900-01-01T00:00:00.0000000'), '1900-01-01T00:00:00.0000000Z');
    assert.equal(utcOf('2024-13-01'), undefined);
    assert.equal(utcOf('2024-01-01T24:00:00'), undefined);
    assert.equal(utcOf('yesterday'), undefined);
  });

  it('says what is wrong, and what the next run does, for bad content', () => {
    assert.match(failed(parseWatermarkFile('')), /empty.*Lookup finds no row/);
    assert.match(failed(parseWatermarkFile(utf8('  \n'))), /empty/);
    assert.match(failed(parseWatermarkFile('{"cdc": "2024-01-01"')), /not JSON \(line 1/);
    assert.match(failed(parseWatermarkFile('[]')), /empty array/);
    assert.match(failed(parseWatermarkFile('"2024-01-01"')), /not an object/);
    assert.match(failed(parseWatermarkFile('{"watermark":"2024-01-01"}')), /no "cdc" field \(it has "watermark"\)/);
    assert.match(failed(parseWatermarkFile('{}')), /no "cdc" field \(it is \{\}\)/);
    assert.match(failed(parseWatermarkFile('{"cdc":null}')), /null/);
    assert.match(failed(parseWatermarkFile('{"cdc":{"a":1}}')), /an object, not a string/);
    assert.match(failed(parseWatermarkFile('{"cdc":"soon"}', 'watermark')), /"soon", which is not a time/);
    assert.match(
      failed(parseWatermarkFile('{"cdc":"184467"}', 'watermark')),
      /a number, but the table's watermark is a time/,
    );
    assert.match(failed(parseWatermarkFile('{"cdc":"2024-01-01T00:00:00"}', 'rowversion')), /is a number/);
    assert.match(failed(parseWatermarkFile(new Uint8Array([0x7b, 0x00, 0x01, 0xff]))), /not text/);
    assert.match(failed(parseWatermarkFile(new Uint8Array([0xc3, 0x28]))), /not text/);
    assert.match(failed(parseWatermarkFile('x'.repeat(70_000))), /one small JSON object/);
  });

  it('a field in other case, or text without a mode, is read with a note', () => {
    const r = ok(parseWatermarkFile('{"CDC":"2024-01-01T00:00:00"}'));
    assert.equal(r.kind, 'time');
    assert.match(r.note ?? '', /named "CDC"/);
    assert.deepEqual(parseWatermarkFile('{"cdc":"v42"}'), { ok: true, value: 'v42', kind: 'text' });
  });

  it('never throws, whatever the bytes', () => {
    for (let seed = 1; seed < 300; seed++) {
      let x = seed;
      const bytes = new Uint8Array(seed % 40).map(() => ((x = (x * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff);
      for (const mode of [undefined, 'watermark', 'rowversion'] as const) {
        const r = parseWatermarkFile(bytes, mode);
        assert.equal(typeof r.ok, 'boolean');
      }
    }
  });
});
