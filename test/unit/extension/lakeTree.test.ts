// The Lake view's tree without a VS Code host: zones from lakehouse.yaml → containers → folders →
// files, paged with "Load more", each folder once, watermarks and Delta versions beside their
// table folders, failures as items that say what to do; and how the view words files, previews
// and addresses.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LakeFolderMarks, lakeZones } from '../../../src/core/lake/zones';
import { readParquetSummary } from '../../../src/core/lake/parquetFooter';
import {
  describeLakeError,
  describeWatermark,
  fileDescription,
  folderDescription,
  lakeAddress,
  md,
  parquetDocument,
  previewFileName,
  utcMinute,
  versionLabel,
} from '../../../src/extension/lake/lakePresentation';
import {
  LakeTreeModel,
  type LakeConnection,
  type LakeNode,
  type LakeProject,
} from '../../../src/extension/lake/lakeTreeModel';
import { loadProject } from '../helpers/project';
import { lakeError, MemoryLake } from '../helpers/memoryLake';
import { parquetFile, sparkCommit, v } from '../helpers/lakeFixtures';

const PROJECT = `version: 1
project: { name: lake }
lake:
  zones:
    bronze: { container: bronze, format: parquet }
    silver: { container: silver, format: delta }
sources:
  - name: crm
    tables:
      - name: customers
        schema: dbo
        primaryKey: [id]
        cdcColumn: updated_at
        loadType: incremental
        columns: [{ name: id, type: int }, { name: updated_at, type: datetime2 }]
      - name: regions
        schema: dbo
        loadType: full
        columns: [{ name: id, type: int }]
`;

const T = new Date(Date.UTC(2026, 11, 6, 21, 3, 30));

async function projectWith(lake: MemoryLake | undefined, rootFile = '/p/lakehouse.yaml'): Promise<LakeProject> {
  const { snapshot } = await loadProject({ 'lakehouse.yaml': PROJECT });
  const zones = lakeZones(snapshot.metadata);
  const connection: LakeConnection = lake
    ? { state: 'connected', browser: lake, key: 'test' }
    : { state: 'disconnected' };
  return {
    rootFile,
    name: 'lake',
    environment: 'local emulator',
    local: true,
    connectHint: 'starts the emulator',
    zones,
    marks: new LakeFolderMarks(zones),
    connection,
  };
}

function sampleLake(pageSize = 5000): MemoryLake {
  const lake = new MemoryLake(pageSize);
  lake.put('bronze', 'customers/customers_20261205.parquet', { body: 'x'.repeat(2048), lastModified: T });
  lake.put('bronze', 'customers_cdc/cdc.json', { body: '{"cdc":"2026-12-05T20:00:00.0000000"}', lastModified: T });
  lake.put('bronze', 'regions/regions.parquet', 'y');
  lake.put('silver', `customers/_delta_log/${v(0)}.json`, sparkCommit(0));
  lake.put('silver', `customers/_delta_log/${v(1)}.json`, sparkCommit(1, 'MERGE'));
  lake.put('silver', 'customers/part-00000-c000.snappy.parquet', 'p');
  lake.put('landing', 'readme.txt', 'not a zone');
  return lake;
}

function modelOf(...projects: LakeProject[]) {
  const fired: (LakeNode | undefined)[] = [];
  const model = new LakeTreeModel(node => fired.push(node));
  model.setProjects(projects);
  return { model, fired };
}

const labels = (nodes: LakeNode[]) =>
  nodes.map(n =>
    n.kind === 'folder'
      ? `folder ${n.name}`
      : n.kind === 'file'
        ? `file ${n.entry.name}`
        : n.kind === 'message'
          ? `message ${n.label}`
          : n.kind === 'zone'
            ? `zone ${n.zone.name}`
            : n.kind === 'container'
              ? `container ${n.container}`
              : n.kind,
  );

/** The child of `node` that `pick` names (by its label in `labels`). */
async function child(model: LakeTreeModel, node: LakeNode | undefined, pick: string): Promise<LakeNode> {
  const children = await model.getChildren(node);
  const found = children[labels(children).indexOf(pick)];
  assert.ok(found, `${pick} in ${JSON.stringify(labels(children))}`);
  return found;
}

describe('lake tree', () => {
  it('shows the zones of lakehouse.yaml before connecting, and reads nothing until asked', async () => {
    const { model } = modelOf(await projectWith(undefined));
    const roots = await model.getChildren();
    assert.deepEqual(labels(roots), ['connect', 'zone bronze', 'zone silver']);
    const container = await child(model, roots[1], 'container bronze');
    const listed = await model.getChildren(container);
    assert.equal(listed.length, 1);
    const notConnected = listed[0]!;
    assert.equal(notConnected.kind === 'message' && notConnected.action, 'connect');
    assert.match(
      notConnected.kind === 'message' ? (notConnected.description ?? '') : '',
      /connect to local emulator and list 'bronze'/,
    );
  });

  it('lists zone → container → table folder → files, with the watermark beside the folder and getParent back to the root', async () => {
    const lake = sampleLake();
    const { model } = modelOf(await projectWith(lake));
    const roots = await model.getChildren();
    assert.deepEqual(labels(roots), ['zone bronze', 'zone silver', 'containers']);
    const bronze = await child(model, roots[0], 'container bronze');
    assert.deepEqual(labels(await model.getChildren(bronze)), [
      'folder customers',
      'folder customers_cdc',
      'folder regions',
    ]);
    const customers = await child(model, bronze, 'folder customers');
    assert.equal(customers.kind === 'folder' && customers.mark?.kind, 'table');
    assert.equal(folderDescription(customers.kind === 'folder' ? customers.mark : undefined), 'table dbo.customers');
    const inside = await model.getChildren(customers);
    assert.deepEqual(labels(inside), ['watermark', 'file customers_20261205.parquet']);
    const watermark = inside[0]!;
    assert.ok(watermark.kind === 'watermark');
    assert.equal(watermark.file, 'customers_cdc/cdc.json');
    assert.equal(describeWatermark(watermark.state, watermark.file).description, '2026-12-05T20:00:00.0000000');
    const file = inside[1]!;
    assert.ok(file.kind === 'file');
    assert.equal(fileDescription(file.entry.size, file.entry.lastModified), '2.0 KiB · 2026-12-06 21:03 UTC');
    // getParent walks back to a root (reveal needs it), through the same objects getChildren gave.
    const chain: LakeNode[] = [];
    for (let n: LakeNode | undefined = file; n; n = model.getParent(n)) chain.push(n);
    assert.deepEqual(
      chain.map(n => n.kind),
      ['file', 'folder', 'container', 'zone'],
    );
    assert.equal(chain[3], roots[0]);
    // A table without a watermark (full load) has no watermark item; its folder was listed once.
    const regions = await child(model, bronze, 'folder regions');
    assert.deepEqual(labels(await model.getChildren(regions)), ['file regions.parquet']);
    assert.equal(lake.calls.filter(c => c === 'listFolder bronze/customers/').length, 1);
    // The containers no zone names, on their own.
    assert.deepEqual(labels(await model.getChildren(roots[2])), ['container landing']);
  });

  it('pages a folder with "Load more", keeping the items already shown, until the listing ends', async () => {
    const lake = new MemoryLake(3);
    for (let i = 0; i < 7; i++) lake.put('bronze', `regions/part-${i}.parquet`, 'x');
    const { model, fired } = modelOf(await projectWith(lake));
    const bronze = await child(model, (await model.getChildren())[0], 'container bronze');
    const regions = await child(model, bronze, 'folder regions');
    const first = await model.getChildren(regions);
    assert.deepEqual(labels(first), ['file part-0.parquet', 'file part-1.parquet', 'file part-2.parquet', 'loadMore']);
    const more = first[3]!;
    assert.equal(more.kind === 'loadMore' && more.shown, 3);
    await model.loadMore(more);
    assert.equal(fired.at(-1), regions, 'the folder is re-rendered, not the whole tree');
    const second = await model.getChildren(regions);
    assert.equal(second.length, 7);
    assert.equal(second[0], first[0], 'the same objects: the editor keeps their state');
    assert.equal(second[6], more, 'one Load more item, moved to the end');
    await model.loadMore(second[6]!);
    const all = await model.getChildren(regions);
    assert.deepEqual(labels(all).slice(-2), ['file part-5.parquet', 'file part-6.parquet']);
    assert.ok(!all.some(n => n.kind === 'loadMore'), 'nothing more to load');
    assert.deepEqual(
      lake.calls.filter(c => c.startsWith('listFolder bronze/regions/')),
      ['listFolder bronze/regions/', 'listFolder bronze/regions/ @3', 'listFolder bronze/regions/ @6'],
    );
  });

  it("lists a hierarchical account's directory once, when its directory blob and its prefix are on different pages", async () => {
    const lake = new MemoryLake(2);
    // The directory blob `dir` sorts before `dir-old` and `dir.txt`, which come before the prefix `dir/`.
    lake.put('bronze', 'x/dir', { body: '', directory: true });
    lake.put('bronze', 'x/dir-old', 'a');
    lake.put('bronze', 'x/dir.txt', 'b');
    lake.put('bronze', 'x/dir/inner.json', '{}');
    lake.put('bronze', 'x/empty', { body: '', directory: true });
    const { model } = modelOf(await projectWith(lake));
    const bronze = await child(model, (await model.getChildren())[0], 'container bronze');
    const x = await child(model, bronze, 'folder x');
    let children = await model.getChildren(x);
    while (children.at(-1)?.kind === 'loadMore') {
      await model.loadMore(children.at(-1)!);
      children = await model.getChildren(x);
    }
    assert.deepEqual(labels(children), ['folder dir', 'folder empty', 'file dir-old', 'file dir.txt']);
    const dir = children[0]!;
    assert.deepEqual(labels(await model.getChildren(dir)), ['file inner.json']);
  });

  it("shows a Delta table's versions from its _delta_log, newest first", async () => {
    const lake = sampleLake();
    const { model, fired } = modelOf(await projectWith(lake));
    const silver = await child(model, (await model.getChildren())[1], 'container silver');
    const customers = await child(model, silver, 'folder customers');
    const inside = await model.getChildren(customers);
    assert.deepEqual(labels(inside), ['versions', 'folder _delta_log', 'file part-00000-c000.snappy.parquet']);
    const versions = inside[0]!;
    const list = await model.getChildren(versions);
    assert.deepEqual(
      list.map(n => (n.kind === 'version' ? versionLabel(n.version) : n.kind)),
      ['v1 · MERGE', 'v0 · WRITE'],
    );
    assert.equal(list[0]!.kind === 'version' && list[0]!.version.file, `${v(1)}.json`);
    assert.equal(versions.kind === 'versions' && versions.summary, '2 commits in the log · latest v1');
    await new Promise(r => setTimeout(r, 5));
    assert.ok(fired.includes(versions), 'the Versions item is re-rendered with its summary');
    assert.equal(await model.getChildren(versions), list, 'read once');
  });

  it('turns failures into an item that says what happened and what to do; retry reads again', async () => {
    const lake = sampleLake();
    const { model } = modelOf(await projectWith(lake));
    const roots = await model.getChildren();
    lake.failures.set(
      'listFolder bronze/',
      lakeError('forbidden', "Cannot list container 'bronze': the signed-in identity has no data access.", {
        status: 403,
        code: 'AuthorizationPermissionMismatch',
      }),
    );
    const bronze = await child(model, roots[0], 'container bronze');
    const failed = await model.getChildren(bronze);
    assert.equal(failed.length, 1);
    const error = failed[0]!;
    assert.ok(error.kind === 'message');
    assert.equal(error.label, 'Access denied (403)');
    assert.match(error.description ?? '', /Storage Blob Data Reader/);
    assert.match(error.tooltip ?? '', /no data access/);
    assert.equal(error.action, 'retry');
    assert.equal(error.target, bronze);
    model.refresh(error.target);
    assert.deepEqual(labels(await model.getChildren(bronze)), [
      'folder customers',
      'folder customers_cdc',
      'folder regions',
    ]);
    // A container the zone names but the account lacks.
    lake.containers.delete('silver');
    const silver = await child(model, roots[1], 'container silver');
    const missing = (await model.getChildren(silver))[0]!;
    assert.equal(missing.kind === 'message' && missing.label, "Container 'silver' does not exist");
  });

  it('a failed "Load more" keeps what was shown and offers to try again', async () => {
    const lake = new MemoryLake(2);
    for (let i = 0; i < 3; i++) lake.put('bronze', `regions/f${i}`, 'x');
    const { model } = modelOf(await projectWith(lake));
    const bronze = await child(model, (await model.getChildren())[0], 'container bronze');
    const regions = await child(model, bronze, 'folder regions');
    const first = await model.getChildren(regions);
    lake.failures.set('listFolder bronze/regions/ @2', lakeError('network', 'ECONNRESET', {}));
    await model.loadMore(first.at(-1)!);
    const after = await model.getChildren(regions);
    assert.deepEqual(labels(after), [
      'file f0',
      'file f1',
      'message Could not load more: The local emulator does not answer',
    ]);
    const retry = after[2]!;
    assert.equal(retry.kind === 'message' && retry.action, 'connect', 'the local emulator: start it again');
    await model.loadMore({ ...retry, kind: 'message', action: 'loadMore' } as LakeNode);
    assert.deepEqual(labels(await model.getChildren(regions)), ['file f0', 'file f1', 'file f2']);
  });

  it('refresh keeps ids (expanded folders stay expanded) and reads again only below the node refreshed', async () => {
    const lake = sampleLake();
    const { model } = modelOf(await projectWith(lake));
    const roots = await model.getChildren();
    const bronze = await child(model, roots[0], 'container bronze');
    const customers = await child(model, bronze, 'folder customers');
    const before = (await model.getChildren(customers)).map(n => n.id);
    model.refresh(customers);
    lake.put('bronze', 'customers/customers_20261206.parquet', 'z');
    const after = await model.getChildren(customers);
    assert.deepEqual(after.map(n => n.id).slice(0, 2), before);
    assert.equal(after.length, 3);
    assert.equal(lake.calls.filter(c => c === 'listFolder bronze/').length, 1, 'the container was not listed again');
    model.refresh();
    const again = await model.getChildren();
    assert.deepEqual(
      again.map(n => n.id),
      roots.map(n => n.id),
    );
  });

  it('with several projects, each is a root with its own connection', async () => {
    const { model } = modelOf(
      await projectWith(sampleLake(), '/a/lakehouse.yaml'),
      await projectWith(undefined, '/b/lakehouse.yaml'),
    );
    const roots = await model.getChildren();
    assert.deepEqual(labels(roots), ['project', 'project']);
    const a = await model.getChildren(roots[0]);
    assert.deepEqual(labels(a), ['zone bronze', 'zone silver', 'containers']);
    assert.equal(model.getParent(a[0]!), roots[0]);
    assert.deepEqual(labels(await model.getChildren(roots[1])), ['connect', 'zone bronze', 'zone silver']);
  });
});

describe('lake presentation', () => {
  it('words errors by what to do', () => {
    assert.equal(describeLakeError(lakeError('unauthenticated', 'x'), false).action, 'connect');
    assert.equal(describeLakeError(lakeError('network', 'x'), false).label, 'Cannot reach the storage account');
    assert.equal(describeLakeError(lakeError('network', 'x'), true).action, 'connect');
    assert.equal(describeLakeError(lakeError('throttled', 'x', { status: 503 }), false).action, 'retry');
    assert.equal(describeLakeError(new TypeError('boom'), false).label, 'Unexpected error');
  });

  it('names previews by file, place and language, never with a path separator', () => {
    assert.equal(
      previewFileName('cdc.json', 'bronze', 'local emulator', { kind: 'text', language: 'json' }),
      'cdc.json (bronze · local emulator).json',
    );
    assert.equal(
      previewFileName('big.csv', 'bronze', 'dev (Azure)', { kind: 'text', language: 'csv', truncatedAt: 1024 * 1024 }),
      'big.csv (first 1.0 MiB · bronze · dev (Azure)).txt',
    );
    assert.equal(
      previewFileName('p.parquet', 'silver', 'dev', { kind: 'parquet' }),
      'p.parquet (schema · silver · dev).md',
    );
    const odd = previewFileName('a/../b\u0000.json', 'c', 'e/../f', { kind: 'text', language: 'json' });
    assert.ok(!odd.includes('/') && !odd.includes('\u0000'), odd);
  });

  it("renders a parquet footer's schema and row count as Markdown, escaping names", async () => {
    const bytes = parquetFile(25, 10);
    const reading = await readParquetSummary(bytes.byteLength, async (o, l) => bytes.subarray(o, o + l));
    assert.ok(reading.ok);
    const text = parquetDocument(
      { name: 'a_b.parquet', container: 'bronze', path: 'x/a_b.parquet', account: 'acct' },
      reading.summary,
    );
    assert.match(text, /^# `a_b\.parquet`$/m);
    assert.match(text, /\*\*Rows:\*\* 25 in 3 row groups/);
    assert.match(text, /^\| `id` +\| INT64 +\| +\| REQUIRED +\|$/m);
    assert.match(text, /^\| `name` +\| BYTE_ARRAY +\| STRING +\| OPTIONAL +\|$/m);
    // The raw text lines up: every row of a table is as long as its header.
    const schemaRows = text.split('\n').filter(l => l.startsWith('| ') && l.includes('`'));
    assert.ok(
      schemaRows.every(l => l.length === schemaRows[0]!.length),
      schemaRows.join('\n'),
    );
    assert.match(text, /^\| +2 \| +5 \|/m);
  });

  it('gives the address Spark reads for Azure and the blob URL for the emulator', () => {
    assert.equal(
      lakeAddress(
        { local: false, account: 'stdev', endpoint: 'https://stdev.blob.core.windows.net' },
        'bronze',
        'users/a b.parquet',
      ),
      'abfss://bronze@stdev.dfs.core.windows.net/users/a b.parquet',
    );
    assert.equal(
      lakeAddress(
        { local: true, account: 'devstoreaccount1', endpoint: 'http://127.0.0.1:1234/devstoreaccount1' },
        'bronze',
        'a b/c#d',
      ),
      'http://127.0.0.1:1234/devstoreaccount1/bronze/a%20b/c%23d',
    );
  });

  it('says what a watermark is, and when there is none or it cannot be read', () => {
    assert.equal(describeWatermark({ found: false, message: 'No watermark yet' }, 'a/cdc.json').look, 'none');
    assert.equal(describeWatermark({ failed: '403' }, 'a/cdc.json').description, 'cannot be read');
    const bad = describeWatermark(
      { found: true, size: 2, reading: { ok: false, message: 'cdc.json is empty' } },
      'a/cdc.json',
    );
    assert.equal(bad.look, 'problem');
    assert.equal(utcMinute(new Date(NaN)), 'unknown time');
    assert.equal(md('a_b*[c]'), 'a\\_b\\*\\[c\\]');
  });
});
