// A project split over files: glob includes, and every way an include can go wrong (LH003),
// each reported where the include is written.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BASELINE } from './helpers/baseline';
import { abs, assertClean, assertFires, edit, loadProject } from './helpers/project';

/** A small root file (complete environment, no sources) that includes `patterns`. */
function rootIncluding(...patterns: string[]): string {
  return `version: 1
project:
  name: split
environments:
  dev: { subscriptionId: 00000000-0000-0000-0000-000000000000, resourceGroup: rg, factory: adf, storageAccount: stsplit }
include:
${patterns.map(p => `  - ${p}`).join('\n')}
`;
}

const SOURCES = `sources:
  - name: shop
    tables:
      - name: Orders
        primaryKey: [order_id]
        columns: [{ name: order_id, type: int }, { name: customer_id, type: int }, { name: amount, type: money }]
      - name: Customers
        primaryKey: [customer_id]
        columns: [{ name: customer_id, type: int }]
`;

const STAR = `starSchema:
  dimensions:
    - name: dim_customer
      source: Customers
      businessKey: [customer_id]
  facts:
    - name: fact_order
      source: shop.dbo.Orders
      grain: [order_id]
      measures: [{ column: amount }]
      references: [{ column: customer_id, dimension: dim_customer }]
`;

describe('includes', () => {
  it('a glob include loads every matching fragment, in sorted order, and the merged model checks clean', async () => {
    const p = await loadProject({
      'lakehouse.yaml': rootIncluding('metadata/*.lakehouse.yaml'),
      'metadata/b-star.lakehouse.yaml': STAR,
      'metadata/a-sources.lakehouse.yaml': SOURCES,
      'metadata/notes.yaml': 'not: included\n',
    });
    assertClean(p);
    assert.deepEqual(p.snapshot.metadata.files, [
      abs('lakehouse.yaml'),
      abs('metadata/a-sources.lakehouse.yaml'),
      abs('metadata/b-star.lakehouse.yaml'),
    ]);
    assert.deepEqual(
      p.snapshot.metadata.tables.map(t => `${t.system}.${t.qualifiedName}`),
      ['shop.dbo.Orders', 'shop.dbo.Customers'],
    );
    assert.deepEqual(
      p.snapshot.metadata.facts.map(f => f.name),
      ['fact_order'],
    );
    assert.deepEqual([...p.snapshot.diagnostics.keys()].sort(), [
      abs('lakehouse.yaml'),
      abs('metadata/a-sources.lakehouse.yaml'),
      abs('metadata/b-star.lakehouse.yaml'),
    ]);
  });

  it("'**' matches fragments in nested folders", async () => {
    const p = await loadProject({
      'lakehouse.yaml': rootIncluding('metadata/**/*.lakehouse.yaml'),
      'metadata/sales/sources.lakehouse.yaml': SOURCES,
      'metadata/star.lakehouse.yaml': STAR,
    });
    assertClean(p);
    assert.equal(p.snapshot.metadata.files.length, 3);
  });

  it('problems in a fragment are reported in the fragment', async () => {
    const p = await loadProject({
      'lakehouse.yaml': rootIncluding('sources.lakehouse.yaml', 'star.lakehouse.yaml'),
      'sources.lakehouse.yaml': SOURCES,
      'star.lakehouse.yaml': edit(STAR, 'dimension: dim_customer', 'dimension: ⟦dim_client⟧'),
    });
    assertFires(p, 'LH201', { file: 'star.lakehouse.yaml', message: ["references dimension 'dim_client'"] });
  });

  it('a glob that matches nothing is a warning at the include', async () => {
    const p = await loadProject({ 'lakehouse.yaml': rootIncluding('⟦metadata/*.lakehouse.yaml⟧') });
    assertFires(p, 'LH003', { severity: 'warning', message: ["No file matches include 'metadata/*.lakehouse.yaml'."] });
  });

  it('a missing include is an error at the include, naming the path looked for', async () => {
    const p = await loadProject({ 'lakehouse.yaml': rootIncluding('⟦metadata/sources.lakehouse.yaml⟧') });
    assertFires(p, 'LH003', {
      message: [
        "Included file 'metadata/sources.lakehouse.yaml' does not exist",
        `(looked for ${abs('metadata/sources.lakehouse.yaml')})`,
      ],
    });
  });

  it('a circular include (a includes b includes a) is an error at the include that closes the circle; each file loads once', async () => {
    const p = await loadProject({
      'lakehouse.yaml': rootIncluding('a.lakehouse.yaml'),
      'a.lakehouse.yaml': `include:\n  - b.lakehouse.yaml\n${SOURCES}`,
      'b.lakehouse.yaml': `include:\n  - ⟦a.lakehouse.yaml⟧\n${STAR}`,
    });
    assertFires(p, 'LH003', {
      file: 'b.lakehouse.yaml',
      message: ["Circular include: 'a.lakehouse.yaml' is already being loaded", 'Remove one of the includes.'],
    });
    assert.deepEqual(
      p.diagnostics.map(d => d.code),
      ['LH003'],
      'no duplicate definitions from loading a twice',
    );
    assert.equal(p.snapshot.metadata.files.length, 3);
  });

  it('a fragment including the root file, and the root including itself, are circular', async () => {
    const back = await loadProject({
      'lakehouse.yaml': rootIncluding('a.lakehouse.yaml'),
      'a.lakehouse.yaml': 'include:\n  - ⟦lakehouse.yaml⟧\n',
    });
    assertFires(back, 'LH003', { file: 'a.lakehouse.yaml', message: ["Circular include: 'lakehouse.yaml'"] });
    const self = await loadProject({ 'lakehouse.yaml': rootIncluding('⟦./lakehouse.yaml⟧') });
    assertFires(self, 'LH003', { message: ['Circular include'] });
  });

  it('a file included twice (under two spellings) is a warning at the second include, and loads once', async () => {
    const p = await loadProject({
      'lakehouse.yaml': rootIncluding(
        'metadata/sources.lakehouse.yaml',
        '⟦./metadata/../metadata/sources.lakehouse.yaml⟧',
      ),
      'metadata/sources.lakehouse.yaml': SOURCES,
    });
    assertFires(p, 'LH003', {
      severity: 'warning',
      message: [
        "'metadata/sources.lakehouse.yaml' is included more than once; its definitions are loaded only the first time.",
      ],
    });
    assert.deepEqual(
      p.diagnostics.map(d => d.code),
      ['LH003'],
      'no LH207 from loading its tables twice',
    );
  });

  it('a file named explicitly and again by a glob is included twice', async () => {
    const p = await loadProject({
      'lakehouse.yaml': rootIncluding('metadata/sources.lakehouse.yaml', '⟦metadata/*.lakehouse.yaml⟧'),
      'metadata/sources.lakehouse.yaml': SOURCES,
    });
    assertFires(p, 'LH003', { severity: 'warning', message: ['included more than once'] });
  });

  it('a dimension in a fragment that the root already defines is LH208 in the fragment, related to the root', async () => {
    const p = await loadProject({
      'lakehouse.yaml': edit(
        edit(BASELINE, 'version: 1\n', 'version: 1\ninclude:\n  - more.lakehouse.yaml\n'),
        '    - name: dim_date\n',
        '    - name: ⟦dim_date⟧\n',
      ),
      'more.lakehouse.yaml':
        'starSchema:\n  dimensions:\n    - name: ⟦dim_date⟧\n      source: DimDate\n      businessKey: [date_key]\n',
    });
    const d = assertFires(p, 'LH208', {
      file: 'more.lakehouse.yaml',
      message: ["Dimension 'dim_date' is defined twice"],
    });
    assert.deepEqual(d.related, [{ file: abs('lakehouse.yaml'), range: p.marker(0), message: 'first definition' }]);
  });

  it('a fragment may not hold root-only keys (environments, project)', async () => {
    const p = await loadProject({
      'lakehouse.yaml': rootIncluding('x.lakehouse.yaml'),
      'x.lakehouse.yaml': '⟦environments⟧: {}\n',
    });
    assertFires(p, 'LH102', {
      file: 'x.lakehouse.yaml',
      message: ["Unknown key 'environments' in the file. Allowed keys: 'include', 'sources', 'starSchema', 'todo'."],
    });
  });

  it('an empty fragment says what a fragment holds', async () => {
    const p = await loadProject({
      'lakehouse.yaml': rootIncluding('x.lakehouse.yaml'),
      'x.lakehouse.yaml': '# nothing yet\n',
    });
    assertFires(p, 'LH103', {
      file: 'x.lakehouse.yaml',
      at: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      message: ['A metadata fragment holds sources and a starSchema.'],
    });
  });

  it('a binary fragment is LH002 in the fragment; the rest of the project still loads', async () => {
    const p = await loadProject({
      'lakehouse.yaml': rootIncluding('sources.lakehouse.yaml', 'blob.lakehouse.yaml'),
      'sources.lakehouse.yaml': SOURCES,
      'blob.lakehouse.yaml': new Uint8Array([0x73, 0x00, 0x01, 0x02]),
    });
    assertFires(p, 'LH002', {
      file: 'blob.lakehouse.yaml',
      at: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      message: ['binary'],
    });
    assert.equal(p.snapshot.metadata.tables.length, 2);
  });

  it('an include naming a folder is reported, not read', async () => {
    const p = await loadProject({
      'lakehouse.yaml': rootIncluding('⟦metadata⟧'),
      'metadata/sources.lakehouse.yaml': SOURCES,
    });
    assertFires(p, 'LH003', {
      message: ["'metadata' is a folder; include the files in it, e.g. 'metadata/*.lakehouse.yaml'."],
    });
  });
});
