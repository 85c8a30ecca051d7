// Names are matched the way SQL Server and Spark match them: case-insensitively. Table references
// may be table, schema.table or system.schema.table; one that matches several tables is LH219.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Table } from '../../src/core/metadata/model';
import { TableResolver } from '../../src/core/metadata/semanticRules';
import { BASELINE } from './helpers/baseline';
import { assertClean, assertFires, edit, loadProject, type LoadedProject } from './helpers/project';

const root = (text: string): Promise<LoadedProject> => loadProject({ 'lakehouse.yaml': text });

/** Applies several (from, to) edits to the baseline, each checked to occur exactly once. */
function mutate(...edits: [string, string][]): string {
  return edits.reduce((text, [from, to]) => edit(text, from, to), BASELINE);
}

const SECOND_SYSTEM = `  - name: crm
    tables:
      - name: DimTrack
        schema: dbo
        columns: [{ name: track_id, type: int }]
      - name: Accounts
        schema: sales
        columns: [{ name: account_id, type: int }]

starSchema:`;
/** Two systems may declare one table name when the lake keeps their folders apart (else LH229). */
const BY_SYSTEM: [string, string] = ['path: "{table}"', 'path: "{system}/{table}"'];

describe('case-insensitive names', () => {
  it('column names match in every role whatever their letter case', async () => {
    assertClean(
      await root(
        mutate(
          ['        primaryKey: [user_id]', '        primaryKey: [USER_ID]'],
          ['        cdcColumn: stream_timestamp', '        cdcColumn: Stream_Timestamp'],
          ['      businessKey: [user_id]', '      businessKey: [User_Id]'],
          ['      trackedColumns: [user_name, country]', '      trackedColumns: [USER_NAME, Country]'],
          ['      sequenceBy: updated_at', '      sequenceBy: Updated_At'],
          ['      grain: [stream_id]', '      grain: [STREAM_ID]'],
          ['        - column: listen_duration', '        - column: Listen_Duration'],
          ['        - column: date_key', '        - column: DATE_KEY'],
        ),
      ),
    );
  });

  it('dimension names match in references and dateDimension whatever their letter case', async () => {
    assertClean(
      await root(
        mutate(
          ['  dateDimension: dim_date', '  dateDimension: Dim_Date'],
          ['          dimension: dim_user', '          dimension: DIM_USER'],
        ),
      ),
    );
  });

  it('dimension and fact names differing only in letter case are duplicates (LH208, LH209)', async () => {
    const dims = await root(
      mutate([
        '    - name: dim_date\n',
        '    - name: ⟦DIM_TRACK⟧\n      source: DimTrack\n      businessKey: [track_id]\n    - name: dim_date\n',
      ]),
    );
    assertFires(dims, 'LH208', { message: ["Dimension 'DIM_TRACK' is defined twice"] });
    const facts = await root(
      mutate([
        '      sequenceBy: stream_timestamp\n',
        '      sequenceBy: stream_timestamp\n    - name: ⟦Fact_Stream⟧\n      source: FactStream\n      grain: [stream_id]\n',
      ]),
    );
    assertFires(facts, 'LH209', { message: ["Fact 'Fact_Stream' is defined twice"] });
  });
});

describe('table references', () => {
  for (const reference of [
    'DimTrack',
    'dbo.DimTrack',
    'spotify_sql.dbo.DimTrack',
    'dimtrack',
    'DBO.DIMTRACK',
    'Spotify_SQL.Dbo.dimTrack',
  ]) {
    it(`'${reference}' resolves to spotify_sql.dbo.DimTrack`, async () => {
      assertClean(await root(mutate(['      source: DimTrack', `      source: ${reference}`])));
    });
  }

  it('a table name two systems declare is ambiguous unqualified and as schema.table (LH219)', async () => {
    for (const reference of ['DimTrack', 'dbo.DimTrack']) {
      const p = await root(
        mutate(['\nstarSchema:', SECOND_SYSTEM], ['      source: DimTrack', `      source: ⟦${reference}⟧`]),
      );
      assertFires(p, 'LH219', {
        message: [
          `Source '${reference}' of dimension 'dim_track' matches 2 tables ` +
            `('spotify_sql.dbo.DimTrack', 'crm.dbo.DimTrack'); qualify it as system.schema.table.`,
        ],
      });
    }
  });

  it('system.schema.table picks one of them, either one', async () => {
    for (const reference of ['spotify_sql.dbo.DimTrack', 'crm.dbo.DimTrack']) {
      assertClean(
        await root(
          mutate(['\nstarSchema:', SECOND_SYSTEM], ['      source: DimTrack', `      source: ${reference}`], BY_SYSTEM),
        ),
      );
    }
  });

  it('a name only one system declares needs no qualification', async () => {
    const p = await root(
      mutate(
        ['\nstarSchema:', SECOND_SYSTEM],
        ['      source: DimTrack', '      source: spotify_sql.dbo.DimTrack'],
        BY_SYSTEM,
        [
          '    - name: dim_date\n',
          '    - name: dim_account\n      source: Accounts\n      businessKey: [account_id]\n    - name: dim_date\n',
        ],
      ),
    );
    assertClean(p);
  });

  it('a reference qualified with the wrong schema or system is undeclared (LH212)', async () => {
    for (const reference of ['sales.DimTrack', 'crm.dbo.DimTrack', 'spotify_sql.DimTrack']) {
      const p = await root(mutate(['      source: DimTrack', `      source: ⟦${reference}⟧`]));
      assertFires(p, 'LH212', {
        message: [`Source table '${reference}' of dimension 'dim_track' is not declared under sources.`],
      });
    }
  });

  it('a table declared twice in one system is LH207 only: references resolve to the first definition, not LH219', async () => {
    const p = await root(
      mutate([
        '      - name: DimDate\n',
        '      - name: ⟦DimTrack⟧\n        columns: [{ name: track_id, type: int }]\n      - name: DimDate\n',
      ]),
    );
    assertFires(p, 'LH207');
    assert.deepEqual(
      p.diagnostics.map(d => d.code),
      ['LH207'],
    );
  });
});

describe('TableResolver', () => {
  const table = (system: string, schema: string, name: string): Table => ({
    system,
    schema,
    name,
    qualifiedName: `${schema}.${name}`,
    columns: [],
    primaryKey: [],
    loadType: 'full',
    cdcMode: 'watermark',
    origin: { file: '/f', path: [] },
  });
  const a = table('erp', 'dbo', 'Orders');
  const b = table('shop', 'sales', 'Orders');
  const c = table('shop', 'dbo', 'Customers');
  const resolver = new TableResolver([a, b, c, table('erp', 'DBO', 'orders')]);

  it('resolves table, schema.table and system.schema.table, case-insensitively and ignoring surrounding blanks', () => {
    assert.deepEqual(resolver.resolve('Orders'), [a, b]);
    assert.deepEqual(resolver.resolve('dbo.orders'), [a]);
    assert.deepEqual(resolver.resolve(' SHOP.SALES.ORDERS '), [b]);
    assert.deepEqual(resolver.resolve('customers'), [c]);
  });

  it('resolves nothing for unknown, partial or over-qualified references', () => {
    assert.deepEqual(resolver.resolve('Order'), []);
    assert.deepEqual(resolver.resolve('shop.Orders'), []);
    assert.deepEqual(resolver.resolve('x.shop.sales.Orders'), []);
  });

  it('offers the qualified names of the first definitions for did-you-mean', () => {
    assert.deepEqual([...new Set(resolver.names())].sort(), ['dbo.Customers', 'dbo.Orders', 'sales.Orders']);
    assert.equal(resolver.names().includes('DBO.orders'), false, 'a duplicate definition is not a candidate');
  });
});
