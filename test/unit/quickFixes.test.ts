// Quick fixes: applying a fix's edits to the file yields a file without that diagnostic (and,
// where the fix is complete, without any diagnostic at all).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BASELINE } from './helpers/baseline';
import {
  abs,
  applyEdits,
  applyFix,
  assertClean,
  assertFires,
  assertNo,
  edit,
  fixOf,
  loadProject,
  type LoadedProject,
} from './helpers/project';

const base = (from: string, to: string): string => edit(BASELINE, from, to);

function assertContains(text: string, snippet: string): void {
  assert.ok(text.includes(snippet), `the fixed file contains:\n${snippet}\n--- but it is:\n${text}`);
}
const root = (text: string): Promise<LoadedProject> => loadProject({ 'lakehouse.yaml': text });

describe('quick fixes', () => {
  it('LH201: did-you-mean renames the dimension, and the file is clean', async () => {
    const p = await root(base('          dimension: dim_track', '          dimension: ⟦dim_trak⟧'));
    const d = assertFires(p, 'LH201');
    assert.equal(fixOf(d, "Change to 'dim_track'").preferred, true);
    const { text, fixed } = await applyFix(p, d, "Change to 'dim_track'");
    assert.equal(text, BASELINE);
    assertClean(fixed);
  });

  it('LH201: no rename is offered when no dimension is close; the message lists the declared ones', async () => {
    const p = await root(base('          dimension: dim_track', '          dimension: ⟦dim_song⟧'));
    const d = assertFires(p, 'LH201', { message: ["Declared dimensions: 'dim_user', 'dim_track', 'dim_date'."] });
    assert.equal(d.fixes, undefined);
  });

  it('LH102: renames an unknown key to the known one', async () => {
    const p = await root(base('      scdType: 1\n', '      ⟦scdtype⟧: 1\n'));
    const d = assertFires(p, 'LH102', { message: ["Did you mean 'scdType'?"] });
    const { text, fixed } = await applyFix(p, d, "Rename 'scdtype' to 'scdType'");
    assert.equal(text, BASELINE);
    assertClean(fixed);
  });

  it('LH102: without a close key, lists the allowed keys and offers no fix', async () => {
    const p = await root(base('      scdType: 1\n', '      scdType: 1\n      ⟦colour⟧: blue\n'));
    const d = assertFires(p, 'LH102', {
      message: [
        "Unknown key 'colour' in dimension 'dim_track'. Allowed keys: 'name', 'source', 'businessKey', 'scdType'",
      ],
    });
    assert.equal(d.fixes, undefined);
  });

  it("LH203: adds businessKey (the source's primary key) to the dimension", async () => {
    const p = await root(base('      businessKey: [user_id]\n      scdType: 2\n', '      ⟦scdType: 2⟧\n'));
    const d = assertFires(p, 'LH203');
    const { text, fixed } = await applyFix(p, d, 'Add businessKey: [user_id]');
    assertContains(text, '      sequenceBy: updated_at\n      businessKey: [user_id]\n    - name: dim_track');
    assertClean(fixed);
  });

  it('LH203: without a primary key to propose, only "Mark as TODO" is offered, which turns it into LH901', async () => {
    const p = await root(
      edit(
        base('      businessKey: [user_id]\n      scdType: 2\n', '      ⟦scdType: 2⟧\n'),
        '        primaryKey: [user_id]\n',
        '',
      ),
    );
    const d = assertFires(p, 'LH203');
    assert.deepEqual(
      d.fixes?.map(f => f.title),
      ['Mark as TODO'],
    );
    const { fixed } = await applyFix(p, d, 'Mark as TODO');
    assertNo(fixed, 'LH203');
    assertNo(fixed, 'LH204');
    assert.deepEqual(
      fixed.diagnostics.map(x => `${x.code} ${x.message}`),
      ['LH901 TODO: Name the business key of dim_user'],
    );
  });

  it("LH204: adds sequenceBy (the source's CDC column) to the dimension", async () => {
    const p = await root(
      base(
        '      scdType: 2\n      trackedColumns: [user_name, country]\n      sequenceBy: updated_at\n',
        '      ⟦scdType: 2⟧\n      trackedColumns: [user_name, country]\n',
      ),
    );
    const d = assertFires(p, 'LH204');
    const { text, fixed } = await applyFix(p, d, 'Add sequenceBy: updated_at');
    assertContains(
      text,
      '      trackedColumns: [user_name, country]\n      sequenceBy: updated_at\n    - name: dim_track',
    );
    assertClean(fixed);
  });

  it('LH205: adds the missing column to the source table (its type left as a TODO)', async () => {
    const p = await root(base('      businessKey: [track_id]', '      businessKey: [⟦track_key⟧]'));
    const d = assertFires(p, 'LH205', { message: ["Business key column 'track_key'"] });
    const { text, fixed } = await applyFix(p, d, "Add column 'track_key' to table 'dbo.DimTrack'");
    assertContains(
      text,
      '          - { name: updated_at, type: datetime2, nullable: false }\n          - name: track_key\n            type: TODO\n      - name: DimDate',
    );
    assertNo(fixed, 'LH205');
    assert.deepEqual(
      fixed.diagnostics.map(x => x.code),
      ['LH901'],
      'only the TODO type is left',
    );
  });

  it('LH213, LH214, LH206, LH202: rename to the close column name fixes each', async () => {
    const mutations: [string, string, string, string][] = [
      ['LH213', '      grain: [stream_id]', '      grain: [stream_idd]', "Change to 'stream_id'"],
      ['LH214', '        primaryKey: [date_key]', '        primaryKey: [datekey]', "Change to 'date_key'"],
      [
        'LH206',
        '        cdcColumn: stream_timestamp',
        '        cdcColumn: stream_timestamps',
        "Change to 'stream_timestamp'",
      ],
      ['LH202', '        - column: track_id\n', '        - column: trackid\n', "Change to 'track_id'"],
    ];
    for (const [code, from, to, title] of mutations) {
      const p = await root(base(from, to));
      const d = assertFires(p, code, { at: 'any' });
      const { text, fixed } = await applyFix(p, d, title);
      assert.equal(text, BASELINE, `${code}: ${title} restores the baseline`);
      assertClean(fixed);
    }
  });

  it('LH301: adds the missing deployment keys as TODO values, which LH901 then lists', async () => {
    const p = await root(
      edit(
        edit(base('    factory: adf-mini-dev\n', ''), '    storageAccount: stminidev\n', ''),
        '  dev:\n',
        '  ⟦dev⟧:\n',
      ),
    );
    const d = assertFires(p, 'LH301', { message: ['it has no factory, storageAccount.'] });
    const { text, fixed } = await applyFix(p, d, 'Add factory, storageAccount as TODO');
    assertContains(text, '    resourceGroup: rg-mini-dev\n    factory: TODO\n    storageAccount: TODO\n\nlake:');
    assertNo(fixed, 'LH301');
    assertNo(fixed, 'LH104');
    assert.deepEqual(
      fixed.diagnostics.map(x => x.code),
      ['LH901', 'LH901'],
    );
  });

  it('LH211: "count it instead" replaces the aggregation', async () => {
    const p = await root(
      base(
        '        - column: listen_duration\n          aggregation: sum',
        '        - column: device_type\n          aggregation: sum',
      ),
    );
    const d = assertFires(p, 'LH211', { at: 'any' });
    const { text, fixed } = await applyFix(p, d, 'Count it instead (aggregation: count)');
    assertContains(text, '- column: device_type\n          aggregation: count\n');
    assertClean(fixed);
  });

  it('LH211: "count it instead" adds the aggregation when the measure has none', async () => {
    const p = await root(
      base('        - column: listen_duration\n          aggregation: sum', '        - column: device_type'),
    );
    const d = assertFires(p, 'LH211', { at: 'any' });
    const { text, fixed } = await applyFix(p, d, 'Count it instead (aggregation: count)');
    assertContains(text, '- column: device_type\n          aggregation: count\n        - column: stream_id');
    assertClean(fixed);
  });

  it('LH104: enum did-you-mean changes the value', async () => {
    const p = await root(base('      format: parquet', '      format: ⟦parket⟧'));
    const d = assertFires(p, 'LH104', {
      message: [
        "'format' in zone 'bronze' must be one of parquet, delta, json, csv; got the text 'parket'. Did you mean 'parquet'?",
      ],
    });
    const { text, fixed } = await applyFix(p, d, "Change to 'parquet'");
    assert.equal(text, BASELINE);
    assertClean(fixed);
  });

  it('LH217: did-you-mean renames the date dimension', async () => {
    const p = await root(base('  dateDimension: dim_date', '  dateDimension: dim_dates'));
    const d = assertFires(p, 'LH217', { at: 'any' });
    const { text, fixed } = await applyFix(p, d, "Change to 'dim_date'");
    assert.equal(text, BASELINE);
    assertClean(fixed);
  });

  it('LH212: declares the missing table in the first source, columns as a todo', async () => {
    const p = await root(base('      source: DimTrack', '      source: dbo.Tracks'));
    const d = assertFires(p, 'LH212', { at: 'any', message: ['Declare it, with its columns, under a source system.'] });
    const { text, fixed } = await applyFix(p, d, "Declare table dbo.Tracks in source 'spotify_sql'");
    assertContains(
      text,
      '          - { name: stream_timestamp, type: datetime2, nullable: false }\n      - name: ' +
        'Tracks\n        schema: dbo\n        todo: List the columns (name, type) and the ' +
        'primaryKey of dbo.Tracks\n        columns: []\n\nstarSchema:',
    );
    assertNo(fixed, 'LH212');
    assertNo(fixed, 'LH218');
    assert.deepEqual(
      fixed.diagnostics.map(x => x.code),
      ['LH901'],
    );
  });

  it('LH212: a system.schema.table reference is declared in the system it names', async () => {
    const text = base(
      '\nstarSchema:',
      '  - name: crm\n    tables:\n      - name: Accounts\n        columns: [{ name: id, type: int }]\n\nstarSchema:',
    );
    const p = await root(edit(text, '      source: DimTrack', '      source: CRM.sales.Tracks'));
    const d = assertFires(p, 'LH212', { at: 'any' });
    const { fixed } = await applyFix(p, d, "Declare table sales.Tracks in source 'crm'");
    assertNo(fixed, 'LH212');
    assert.deepEqual(
      fixed.diagnostics.map(x => x.code),
      ['LH901'],
    );
  });

  it('LH212: no "declare" fix for a reference naming a system that does not exist (it would not resolve)', async () => {
    const p = await root(base('      source: DimTrack', '      source: erp.dbo.Tracks'));
    const d = assertFires(p, 'LH212', { at: 'any' });
    assert.equal(
      d.fixes?.some(f => f.title.startsWith('Declare')) ?? false,
      false,
      JSON.stringify(d.fixes?.map(f => f.title)),
    );
  });

  it('LH210: adds the grain (the primary key)', async () => {
    const p = await root(base('      grain: [stream_id]\n', ''));
    const d = assertFires(p, 'LH210', { at: 'any' });
    const { fixed } = await applyFix(p, d, 'Add grain: [stream_id]');
    assertClean(fixed);
  });

  it('LH218: "Mark as TODO" adds a todo to the table', async () => {
    const p = await root(base('\nstarSchema:', '      - name: Extra\n\nstarSchema:'));
    const d = assertFires(p, 'LH218', { at: 'any' });
    const { text, fixed } = await applyFix(p, d, 'Mark as TODO');
    assertContains(
      text,
      '      - name: Extra\n        todo: List the columns (name, type) of dbo.Extra\n\nstarSchema:',
    );
    assert.deepEqual(
      fixed.diagnostics.map(x => x.code),
      ['LH901'],
    );
  });

  it('fixes keep CRLF line endings', async () => {
    const crlf = base('      businessKey: [user_id]\n      scdType: 2\n', '      ⟦scdType: 2⟧\n').replace(
      /\n/g,
      '\r\n',
    );
    const p = await root(crlf);
    const d = assertFires(p, 'LH203');
    const { text, fixed } = await applyFix(p, d, 'Add businessKey: [user_id]');
    assert.equal(/[^\r]\n/.test(text), false, 'no bare LF was inserted');
    assertClean(fixed);
  });

  it('fixes in an included file edit that file', async () => {
    const p = await loadProject({
      'lakehouse.yaml': base('version: 1\n', 'version: 1\ninclude:\n  - more.lakehouse.yaml\n'),
      'more.lakehouse.yaml':
        'starSchema:\n  facts:\n    - name: fact_plays\n      source: FactStream\n      grain: ' +
        '[stream_id]\n      references:\n        - column: user_id\n          dimension: ' +
        '⟦dim_usr⟧\n',
    });
    const d = assertFires(p, 'LH201', { file: 'more.lakehouse.yaml' });
    assert.deepEqual(
      fixOf(d, "Change to 'dim_user'").edits.map(e => e.file),
      [abs('more.lakehouse.yaml')],
    );
    const { fixed } = await applyFix(p, d, "Change to 'dim_user'");
    assertClean(fixed);
  });

  it('applyEdits applies several edits from the end, so earlier offsets stay valid', () => {
    const text = 'ab\ncd\nef';
    const out = applyEdits(text, '/f', [
      { file: '/f', range: { start: { line: 0, character: 1 }, end: { line: 0, character: 2 } }, newText: 'B' },
      { file: '/f', range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, newText: '>' },
    ]);
    assert.equal(out, 'aB\ncd\n>ef');
  });
});
