// The incremental re-parse must be indistinguishable from a full parse: same value, same
// diagnostics, same range for every node, over many random edits in a row.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { isNode, visit, type Document } from 'yaml';
import { parseMetadataFile, type MetadataFile } from '../../src/core/metadata/metadataFile';
import { reparseIncrementally } from '../../src/core/metadata/incrementalParse';
import { REPO_ROOT } from './helpers/paths';
import { seededRandom as random } from '../../src/core/text/random';

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

  for (const [name, file, kind] of [
    ['lakehouse.yaml', SAMPLE, 'root'],
    ['star-schema fragment', STAR, 'fragment'],
  ] as const) {
    it(`200 random edits in a row in the sample's ${name} stay identical to full parses`, () => {
      const next = random(name.length * 7919);
      let current = parseMetadataFile(file, kind, fs.readFileSync(file, 'utf8'));
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
