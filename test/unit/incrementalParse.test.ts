// The incremental re-parse must be indistinguishable from a full parse: same value, same
// diagnostics, same range for every node, over many random edits in a row.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isMap, isNode, visit, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import { parseMetadataFile, type MetadataFile } from '../../src/core/metadata/metadataFile';
import { reparseIncrementally } from '../../src/core/metadata/incrementalParse';
import { REPO_ROOT } from './helpers/paths';
import { seededRandom as random } from '../../src/core/text/random';
import { generateProject } from '../../bench/generate';

function ranges(doc: Document | undefined): string {
  const out: string[] = [];
  if (doc) {
    visit(doc, (_key, node) => {
      if (isNode(node)) out.push(`${node.constructor.name}${JSON.stringify(node.range)}`);
    });
  }
  return out.join(' ');
}

function assertSameAsFullParse(incremental: MetadataFile, label: string): void {
  const full = parseMetadataFile(incremental.file, incremental.kind, incremental.text);
  assert.deepEqual(incremental.value, full.value, `${label}: value`);
  assert.deepEqual(incremental.diagnostics, full.diagnostics, `${label}: diagnostics`);
  assert.equal(ranges(incremental.doc), ranges(full.doc), `${label}: node ranges`);
}

const SAMPLE = path.join(REPO_ROOT, 'samples', 'spotify', 'lakehouse.yaml');
const STAR = path.join(REPO_ROOT, 'samples', 'spotify', 'metadata', 'star-schema.lakehouse.yaml');

describe('incremental re-parse of one list entry', () => {
  it('renaming a column value re-parses the entry and equals a full parse', () => {
    const text = fs.readFileSync(SAMPLE, 'utf8');
    const first = parseMetadataFile(SAMPLE, 'root', text);
    const edited = text.replace('cdcColumn: stream_timestamp', 'cdcColumn: stream_timestampX');
    const doc = first.doc;
    const result = reparseIncrementally(first, edited);
    assert.ok(result, 'an edit inside one table is re-parsed incrementally');
    assert.equal(result.doc, doc, 'the document was updated, not parsed again');
    assertSameAsFullParse(result, 'rename');
  });

  it('falls back (undefined) where it cannot be exact: across entries, anchors, syntax errors, block scalars', () => {
    const text = fs.readFileSync(STAR, 'utf8');
    const across = text.replace(
      '      sequenceBy: updated_at\n    - name: dim_track',
      '      sequenceBy: updated_at\n    - name: dim_track\n    - name: dim_x',
    );
    assert.equal(reparseIncrementally(parseMetadataFile(STAR, 'fragment', text), across), undefined);
    const anchor = text.replace('businessKey: [user_id]', 'businessKey: &k [user_id]');
    assert.equal(reparseIncrementally(parseMetadataFile(STAR, 'fragment', text), anchor), undefined);
    const broken = text.replace('businessKey: [user_id]', 'businessKey: [user_id');
    assert.equal(reparseIncrementally(parseMetadataFile(STAR, 'fragment', text), broken), undefined);
    const block = text.replace('      scdType: 2\n', '      scdType: 2\n      description: |\n        text\n');
    assert.equal(reparseIncrementally(parseMetadataFile(STAR, 'fragment', text), block), undefined);
  });

  /** The first table of the first source system, and its columns, as nodes. */
  const firstTable = (doc: Document | undefined) => {
    const sources = (doc?.contents as YAMLMap).get('sources') as YAMLSeq;
    const table = ((sources.items[0] as YAMLMap).get('tables') as YAMLSeq).items[0] as YAMLMap;
    return { table, columns: (table.get('columns') as YAMLSeq).items };
  };

  it("an edit of a `key: value` line re-parses that line only: the table's other nodes are kept", () => {
    const text = fs.readFileSync(SAMPLE, 'utf8');
    const first = parseMetadataFile(SAMPLE, 'root', text);
    const { table, columns } = firstTable(first.doc);
    const cdc = text.indexOf('cdcColumn: ', text.indexOf('tables:')) + 'cdcColumn: '.length;
    for (const edited of [
      text.slice(0, cdc) + 'x' + text.slice(cdc), // typing: everything after moves
      text.slice(0, cdc) + 'Y' + text.slice(cdc + 1), // a letter replaced: nothing moves
    ]) {
      const current = parseMetadataFile(SAMPLE, 'root', text);
      const { table: before, columns: beforeColumns } = firstTable(current.doc);
      const result = reparseIncrementally(current, edited);
      assert.ok(result, 'incremental');
      assert.equal(firstTable(result.doc).table, before, 'the table mapping is the same node');
      assert.equal(firstTable(result.doc).columns[0], beforeColumns[0], 'its columns are the same nodes');
      assertSameAsFullParse(result, 'cdcColumn');
    }
    assert.ok(isMap(table) && columns.length > 0);
  });

  it("an edit inside a column's one-line flow mapping re-parses that entry only", () => {
    const text = fs.readFileSync(SAMPLE, 'utf8');
    const current = parseMetadataFile(SAMPLE, 'root', text);
    const { table, columns } = firstTable(current.doc);
    const column = columns[1] as YAMLMap;
    assert.ok(column.flow, 'the sample writes columns as flow mappings');
    const at = column.range![0] + 3;
    const result = reparseIncrementally(current, text.slice(0, at) + 'z' + text.slice(at));
    assert.ok(result, 'incremental');
    const after = firstTable(result.doc);
    assert.equal(after.table, table, 'the table mapping is the same node');
    assert.notEqual(after.columns[1], column, 'the column was parsed again');
    assert.equal(after.columns[0], columns[0], 'the column before it is the same node');
    assertSameAsFullParse(result, 'column');
  });

  it('falls back where a line edit is not one: a value emptied, moved to the next line, a key renamed', () => {
    const text = fs.readFileSync(SAMPLE, 'utf8');
    const cdc = text.indexOf('cdcColumn: ', text.indexOf('tables:'));
    const lineEnd = text.indexOf('\n', cdc);
    for (const edited of [
      text.slice(0, cdc) + 'cdcColumn:' + text.slice(lineEnd), // empty: yaml would look at the next lines
      text.slice(0, cdc) + 'cdcColumn:\n' + text.slice(cdc + 'cdcColumn: '.length),
      text.slice(0, cdc) + 'cdcColumnX' + text.slice(cdc + 'cdcColumn'.length),
    ]) {
      const result = reparseIncrementally(parseMetadataFile(SAMPLE, 'root', text), edited);
      if (result) assertSameAsFullParse(result, 'fallback');
      else assert.equal(result, undefined);
    }
  });

  const generatedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-incremental-'));
  const GENERATED = generateProject(generatedDir, {
    tables: 10,
    tablesPerSystem: 10,
    adfTemplate: path.join(REPO_ROOT, 'samples', 'spotify', 'adf'),
  }).files.metadata.find(f => path.basename(f) !== 'lakehouse.yaml')!;
  const GENERATED_TEXT = fs.readFileSync(GENERATED, 'utf8');
  fs.rmSync(generatedDir, { recursive: true, force: true });

  for (const [name, file, kind, text] of [
    ['lakehouse.yaml', SAMPLE, 'root', undefined],
    ['star-schema fragment', STAR, 'fragment', undefined],
    ["bench's generated fragment", GENERATED, 'fragment', GENERATED_TEXT],
  ] as const) {
    it(`200 random edits in a row in the sample's ${name} stay identical to full parses`, () => {
      const next = random(name.length * 7919);
      let current = parseMetadataFile(file, kind, text ?? fs.readFileSync(file, 'utf8'));
      let incremental = 0;
      // Mostly typing (letters, digits, spaces), sometimes YAML punctuation that may break the file.
      const typing = 'abcxyz_019 ';
      const punctuation = ':-,[]"\n#';
      for (let step = 0; step < 200; step++) {
        const text = current.text;
        const at = Math.floor(next() * text.length);
        const op = next();
        const pool = next() < 0.85 ? typing : punctuation;
        const ch = pool[Math.floor(next() * pool.length)] as string;
        let edited: string;
        if (op < 0.5) edited = text.slice(0, at) + ch + text.slice(at);
        else if (op < 0.8) edited = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 3));
        else edited = text.slice(0, at) + ch + text.slice(at + 1);
        const result = reparseIncrementally(current, edited);
        if (result) {
          incremental++;
          assertSameAsFullParse(result, `step ${step}`);
          current = result;
        } else {
          const full = parseMetadataFile(file, kind, edited);
          // Keep editing a file that parses, as a person typing mostly does.
          current = full.parsed ? full : parseMetadataFile(file, kind, text);
        }
      }
      assert.ok(incremental > 60, `edits inside entries are incremental (${incremental} of 200)`);
    });
  }
});
