// A warm session re-checks only what an edit touched (per-table and per-source-system caches,
// the lake folders' counts): its diagnostics must be those of a fresh session on the same texts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { ProjectSession } from '../../src/core/project/projectSession';
import { MemoryHost } from './helpers/memoryHost';
import { diagnosticLines, TWO_FRAGMENTS } from './helpers/twoFragments';

const { root: ROOT, a: A, b: B, rootText: root } = TWO_FRAGMENTS;
const source = (system: string, tables: string[]): string =>
  `sources:\n  - name: ${system}\n    tables:\n` +
  tables
    .map(
      t =>
        `      - name: ${t}\n        primaryKey: [id]\n        cdcColumn: updated_at\n        columns:\n` +
        `          - { name: id, type: int, nullable: false }\n          - { name: updated_at, type: datetime2, nullable: false }\n`,
    )
    .join('');

const diagnostics = diagnosticLines;

describe('re-validation after edits equals a fresh load', () => {
  it('lake folders: a collision that an edit makes, moves and removes', async () => {
    const host = new MemoryHost({
      [ROOT]: root,
      [A]: source('erp', ['Orders', 'Lines']),
      [B]: source('crm', ['Accounts', 'Contacts']),
    });
    const warm = new ProjectSession(ROOT, host);
    await warm.load();
    const edits: [string, string][] = [
      [B, source('crm', ['Accounts', 'orders'])], // same bronze folder as erp's Orders (case-insensitive)
      [A, source('erp', ['Invoices', 'Lines'])], // the collision goes away from the other side
      [A, source('erp', ['Orders', 'Lines', 'ORDERS'])], // back, and a third writer in the file itself
      [B, source('crm', ['Accounts', 'Contacts'])],
      [A, source('erp', ['Orders', 'Lines_cdc'])], // a table's folder = another's watermark folder
      [A, source('erp', ['Orders', 'Lines'])],
    ];
    const texts = new Map<string, string>();
    let sawCollision = false;
    for (const [file, text] of edits) {
      texts.set(file, text);
      warm.setOverlay(file, text);
      const incremental = diagnostics(await warm.load());
      const fresh = new ProjectSession(ROOT, host);
      for (const [f, t] of texts) fresh.setOverlay(f, t);
      assert.deepEqual(incremental, diagnostics(await fresh.load()), `after editing ${path.basename(file)}`);
      sawCollision ||= incremental.some(d => d.includes('writes its'));
    }
    assert.ok(sawCollision, 'the edits made a lake folder collision');
  });

  it('tables, dimensions, facts and ADF loops: edits that resolve, break and move references', async () => {
    const STAR = path.resolve('/proj/metadata/star.lakehouse.yaml');
    const PIPELINE = path.resolve('/proj/adf/pipeline/pl_ingest.json');
    const star = (dimSource: string, factSource: string, extra = ''): string =>
      `starSchema:\n  dimensions:\n    - name: dim_orders\n      source: ${dimSource}\n      businessKey: [id]\n` +
      `      scdType: 2\n      sequenceBy: updated_at\n  facts:\n    - name: fact_lines\n      source: ${factSource}\n` +
      `      grain: [id]\n      measures:\n        - { column: id, aggregation: count }\n      references:\n` +
      `        - { column: id, dimension: dim_orders }\n${extra}`;
    const pipeline = JSON.stringify({
      name: 'pl_ingest',
      properties: {
        parameters: {
          loop_input: {
            type: 'array',
            defaultValue: [
              { schema: 'dbo', table: 'Orders' },
              { schema: 'dbo', table: 'Lines' },
              { schema: 'dbo', table: 'Accounts' },
            ],
          },
        },
        activities: [
          {
            name: 'ForEachTable',
            type: 'ForEach',
            typeProperties: {
              items: { value: '@pipeline().parameters.loop_input', type: 'Expression' },
              activities: [],
            },
          },
        ],
      },
    });
    const host = new MemoryHost({
      [ROOT]: root,
      [A]: source('erp', ['Orders', 'Lines']),
      [B]: source('crm', ['Accounts', 'Contacts']),
      [STAR]: star('erp.dbo.Orders', 'Lines'),
      [PIPELINE]: pipeline,
    });
    const warm = new ProjectSession(ROOT, host);
    await warm.load();
    const edits: [string, string][] = [
      [B, source('crm', ['Accounts', 'Lines'])], // fact_lines' source becomes ambiguous
      [B, source('crm', ['Accounts', 'Contacts'])],
      [A, source('erp', ['Invoices', 'Lines'])], // dim_orders' source and a loop's table disappear
      [A, source('erp', ['Orders', 'Lines']).replace('updated_at\n        columns', 'modified_at\n        columns')],
      [A, source('erp', ['Orders', 'Lines'])],
      [STAR, star('erp.dbo.Orders', 'Lines').replace('dimension: dim_orders', 'dimension: dim_order')], // unknown dimension
      [STAR, star('erp.dbo.Orders', 'Lines', '    - name: fact_lines\n      source: Lines\n      grain: [id]\n')],
      [B, source('crm', ['Accounts', 'Contacts', 'Contacts'])], // a table declared twice: the full checks
      [B, source('crm', ['Accounts'])],
      [STAR, star('crm.dbo.Accounts', 'crm.dbo.Accountz')],
      [B, source('crm', ['Accounts', 'Accountz'])],
      [STAR, star('erp.dbo.Orders', 'Lines')],
    ];
    const texts = new Map<string, string>();
    const codes = new Set<string>();
    for (const [file, text] of edits) {
      texts.set(file, text);
      warm.setOverlay(file, text);
      const incremental = diagnostics(await warm.load());
      const fresh = new ProjectSession(ROOT, host);
      for (const [f, t] of texts) fresh.setOverlay(f, t);
      assert.deepEqual(incremental, diagnostics(await fresh.load()), `after editing ${path.basename(file)}`);
      for (const d of incremental) codes.add(d.split(' ')[1] as string);
    }
    // The edits reached the rules they are meant to exercise.
    for (const code of ['LH201', 'LH207', 'LH212', 'LH219', 'LH404'])
      assert.ok(codes.has(code), `${code} among ${[...codes].join(', ')}`);
  });
  it('dimensions and facts: findings kept per item while the items are the same, re-checked when their tables change', async () => {
    const STAR = path.resolve('/proj/metadata/star.lakehouse.yaml');
    const C = path.resolve('/proj/metadata/c.lakehouse.yaml');
    const table = (name: string, idType = 'int', backfill = '', extra = ''): string =>
      `      - name: ${name}\n        primaryKey: [id]\n        cdcColumn: updated_at\n${backfill}        columns:\n` +
      `          - { name: id, type: ${idType}, nullable: false }\n` +
      `          - { name: updated_at, type: datetime2, nullable: false }\n${extra}`;
    const system = (name: string, ...tables: string[]) =>
      `sources:\n  - name: ${name}\n    tables:\n${tables.join('')}`;
    const star =
      'starSchema:\n  calendar: { from: 2020-01-01 }\n  dimensions:\n' +
      ['Orders', 'Lines', 'Accounts', 'Contacts']
        .map(
          t =>
            `    - name: dim_${t.toLowerCase()}\n      source: ${t}\n      businessKey: [id]\n      scdType: 2\n      sequenceBy: updated_at\n`,
        )
        .join('') +
      '  facts:\n' +
      ['Lines', 'Contacts']
        .map(
          t =>
            `    - name: fact_${t.toLowerCase()}\n      source: ${t}\n      grain: [id]\n      measures:\n        - { column: id, aggregation: sum }\n` +
            `      references:\n        - { column: id, dimension: dim_orders }\n        - { column: id, dimension: dim_accounts }\n`,
        )
        .join('');
    const host = new MemoryHost({
      [ROOT]: root,
      [A]: system('erp', table('Orders'), table('Lines')),
      [B]: system('crm', table('Accounts'), table('Contacts')),
      [C]: system('hr', table('People')),
      [STAR]: star,
    });
    const warm = new ProjectSession(ROOT, host);
    await warm.load();
    const edits: [string, string][] = [
      [A, system('erp', table('Orders', 'varchar(10)'), table('Lines'))], // a join's types differ (dim_orders' table)
      [A, system('erp', table('Orders'), table('Lines', 'int', '        backfillFrom: 2019-06-01\n'))], // before the calendar
      [A, system('erp', table('Orders'), table('Lines', 'int', '', '          - { name: qty, type: int }\n'))],
      [
        B,
        system(
          'crm',
          table('Accounts'),
          table('Contacts').replace('updated_at, type: datetime2', 'updated_at, type: int'),
        ),
      ],
      [C, system('hr', table('People'), table('Orders'))], // dim_orders' source becomes ambiguous
      [A, system('erp', table('Lines'))], // and resolves again (to hr's), fact_lines' dimension table moves
      [C, system('hr', table('People'))], // dim_orders' source disappears: unresolved (its fix names a system)
      [B, system('crm', table('Contacts'))], // so does dim_accounts'
      [ROOT, root.replace('metadata/*.lakehouse.yaml', 'metadata/c.lakehouse.yaml\n  - metadata/*.lakehouse.yaml')], // order
      [A, system('erp', table('Orders'), table('Lines'))],
      [B, system('crm', table('Accounts'), table('Contacts'))],
      [C, system('hr', table('People'), table('Accounts', 'bigint'))], // ambiguous again, in another system order
      [C, system('hr', table('People'))],
      [ROOT, `${root}adf:\n  backfill: { startTime: '2019-01-01T00:00:00Z' }\n`], // backfill windows
      [A, system('erp', table('Orders'), table('Lines', 'int', '        backfillFrom: 2018-06-01\n'))], // before them
      [B, system('crm', table('Accounts', 'int', '        backfillFrom: 2017-06-01\n'), table('Contacts'))],
      [A, system('erp', table('Orders'), table('Lines'))],
    ];
    const texts = new Map<string, string>();
    const codes = new Set<string>();
    for (const [file, text] of edits) {
      texts.set(file, text);
      warm.setOverlay(file, text);
      const incremental = diagnostics(await warm.load());
      const fresh = new ProjectSession(ROOT, host);
      for (const [f, t] of texts) fresh.setOverlay(f, t);
      assert.deepEqual(
        incremental,
        diagnostics(await fresh.load()),
        `after editing ${path.basename(file)}: ${text.slice(0, 80)}`,
      );
      for (const d of incremental) codes.add(d.split(' ')[1] as string);
    }
    for (const code of ['LH212', 'LH219', 'LH221'])
      assert.ok(codes.has(code), `${code} among ${[...codes].join(', ')}`);
  });
});
