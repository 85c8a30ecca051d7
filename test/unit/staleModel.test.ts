// While a metadata file is half typed (a YAML syntax error), the session keeps building the model
// from the file's last good parse and marks the snapshot stale, instead of losing every table
// the file declares. A real ProjectSession over a project on disk.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic } from '../../src/core/diagnostics/diagnostic';
import { NodeFileHost } from '../../src/core/files/nodeFileHost';
import { ProjectSession, type ProjectSnapshot } from '../../src/core/project/projectSession';
import { adfFolder, BASELINE } from './helpers/baseline';
import { edit } from './helpers/project';

const HALF_TYPED_KEY = ['  owner: data-platform\n', '  owner: data-platform\n  descr\n'] as const;

const ROOT = `version: 1
project:
  name: split
environments:
  dev: { subscriptionId: 00000000-0000-0000-0000-000000000000, resourceGroup: rg, factory: adf, storageAccount: stsplit }
include:
  - metadata/*.lakehouse.yaml
`;

/** Orders' CDC column is not one of its columns: LH206, located in this file. */
const SOURCES = `sources:
  - name: shop
    tables:
      - name: Orders
        primaryKey: [order_id]
        cdcColumn: changed_at
        columns: [{ name: order_id, type: int }, { name: customer_id, type: int }, { name: amount, type: money }]
      - name: Customers
        primaryKey: [customer_id]
        columns: [{ name: customer_id, type: int }]
`;

/** The fact names a dimension that does not exist: LH201, located in this file. */
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
      references: [{ column: customer_id, dimension: dim_custmer }]
`;

const codesIn = (snapshot: ProjectSnapshot, file: string): string[] =>
  (snapshot.diagnostics.get(file) ?? []).map((d: Diagnostic) => d.code).sort();
const all = (snapshot: ProjectSnapshot): Diagnostic[] => [...snapshot.diagnostics.values()].flat();

describe('the last good model while a file is half typed', () => {
  let tmp = '';
  const at = (file: string) => path.join(tmp, file);
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(at(file)), { recursive: true });
    fs.writeFileSync(at(file), text);
  };
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-stale-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('lakehouse.yaml: tables, ADF loops and their checks stay while a key is half typed, and the stale mark goes once it parses', async () => {
    const dir = at('root');
    fs.mkdirSync(dir);
    for (const [file, text] of Object.entries({ 'lakehouse.yaml': BASELINE, ...adfFolder() }))
      write(path.join('root', file), text);
    const rootFile = path.join(dir, 'lakehouse.yaml');
    const session = new ProjectSession(rootFile, new NodeFileHost());

    const good = await session.load();
    assert.equal(good.stale, undefined);
    assert.equal(good.metadata.tables.length, 4);
    assert.deepEqual(all(good), []);

    session.setOverlay(rootFile, edit(BASELINE, ...HALF_TYPED_KEY));
    const typing = await session.load();
    assert.deepEqual(typing.stale, { files: [rootFile] });
    assert.deepEqual(
      typing.metadata.tables.map(t => t.qualifiedName),
      ['dbo.DimUser', 'dbo.DimTrack', 'dbo.DimDate', 'dbo.FactStream'],
      'the last good model',
    );
    assert.equal(typing.metadata.project?.name, 'mini_spotify');
    assert.ok(typing.adf, 'the ADF folder is still read');
    assert.deepEqual(codesIn(typing, rootFile), ['LH001'], 'the syntax error, and nothing else, in lakehouse.yaml');
    const syntax = typing.diagnostics.get(rootFile)![0]!;
    assert.equal(syntax.range.start.line, 5, 'on the half-typed key, in the text as it is now');
    assert.deepEqual(
      all(typing).filter(d => d.code === 'LH404'),
      [],
      'every table the loop copies is still declared',
    );
    assert.equal(typing.metadataFiles.get(rootFile)!.parsed, false, 'metadataFiles holds the file as it is now');
    assert.deepEqual(
      typing.locator.range(typing.metadata.tables[0]!.origin, 'name'),
      good.locator.range(good.metadata.tables[0]!.origin, 'name'),
    );

    session.setOverlay(
      rootFile,
      edit(BASELINE, '  owner: data-platform\n', '  owner: data-platform\n  description: done\n'),
    );
    const fixed = await session.load();
    assert.equal(fixed.stale, undefined);
    assert.equal(fixed.metadata.project?.description, 'done');
    assert.deepEqual(all(fixed), []);
  });

  it('a fragment: the model keeps its tables; only the syntax error stands in it, while the other files keep theirs', async () => {
    write('frag/lakehouse.yaml', ROOT);
    write('frag/metadata/a-sources.lakehouse.yaml', SOURCES);
    write('frag/metadata/b-star.lakehouse.yaml', STAR);
    const rootFile = at('frag/lakehouse.yaml');
    const sources = at('frag/metadata/a-sources.lakehouse.yaml');
    const star = at('frag/metadata/b-star.lakehouse.yaml');
    const session = new ProjectSession(rootFile, new NodeFileHost());

    const good = await session.load();
    assert.equal(good.stale, undefined);
    assert.deepEqual(codesIn(good, sources), ['LH206']);
    assert.deepEqual(codesIn(good, star), ['LH201']);

    // Typed on disk this time (a save in the middle of a word), seen after an invalidation.
    write('frag/metadata/a-sources.lakehouse.yaml', `${SOURCES}      - name: Refunds\n        prim\n`);
    session.invalidate(sources);
    const typing = await session.load();
    assert.deepEqual(typing.stale, { files: [sources] });
    assert.deepEqual(
      typing.metadata.tables.map(t => t.name),
      ['Orders', 'Customers'],
    );
    assert.deepEqual(
      codesIn(typing, sources),
      ['LH001'],
      'LH206 was found in text that is gone: dropped while the file is stale',
    );
    assert.deepEqual(
      codesIn(typing, star),
      ['LH201'],
      'the fact still finds its source table and dimension source; its own problem stays',
    );

    write(
      'frag/metadata/a-sources.lakehouse.yaml',
      `${SOURCES}      - name: Refunds\n        primaryKey: [refund_id]\n        columns: [{ name: refund_id, type: int }]\n`,
    );
    session.invalidate(sources);
    const fixed = await session.load();
    assert.equal(fixed.stale, undefined);
    assert.deepEqual(
      fixed.metadata.tables.map(t => t.name),
      ['Orders', 'Customers', 'Refunds'],
    );
    assert.deepEqual(codesIn(fixed, sources), ['LH206']);
  });

  it('without a last good parse (the first load), a file that does not parse gives no model, as before', async () => {
    write('first/lakehouse.yaml', edit(BASELINE, ...HALF_TYPED_KEY));
    const snapshot = await new ProjectSession(at('first/lakehouse.yaml'), new NodeFileHost()).load();
    assert.equal(snapshot.stale, undefined);
    assert.deepEqual(snapshot.metadata.tables, []);
    assert.ok(codesIn(snapshot, at('first/lakehouse.yaml')).includes('LH001'));
  });

  it('a file that cannot be read at all (not a syntax error) is not replaced by its last good parse', async () => {
    write('binary/lakehouse.yaml', BASELINE);
    const rootFile = at('binary/lakehouse.yaml');
    const session = new ProjectSession(rootFile, new NodeFileHost());
    assert.equal((await session.load()).metadata.tables.length, 4);
    fs.writeFileSync(rootFile, Buffer.from([0x76, 0x00, 0x31]));
    session.invalidate(rootFile);
    const snapshot = await session.load();
    assert.equal(snapshot.stale, undefined);
    assert.deepEqual(snapshot.metadata.tables, []);
    assert.deepEqual(codesIn(snapshot, rootFile), ['LH002']);
  });
});
