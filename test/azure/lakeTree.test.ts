// The Lake view's tree over the real storage adapter on the wire: LakeTreeModel reading Azurite 3.37
// (npm, started here on a free loopback port, data in memory) through LakeStorage and the real
// @azure/storage-blob client. Real continuation tokens page the folders; directory blobs of a
// hierarchical account (metadata hdi_isfolder=true) are listed once; the service's refusals and an
// endpoint that does not answer become items that say what to do.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { LakeStorage } from '../../src/azure/lake/lakeStorage';
import { LakeFolderMarks, lakeZones } from '../../src/core/lake/zones';
import { LakeTreeModel, type LakeBrowser, type LakeNode } from '../../src/extension/lake/lakeTreeModel';
import { loadProject } from '../unit/helpers/project';
import { parquetFile, sparkCommit, v } from '../unit/helpers/lakeFixtures';
import { AZURITE_ACCOUNT, startAzurite, type Azurite } from './helpers/azurite';

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
`;

let azurite: Azurite;
let seed: BlobServiceClient;

async function put(container: string, name: string, content: string | Uint8Array, metadata?: Record<string, string>) {
  const body = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
  await seed
    .getContainerClient(container)
    .getBlockBlobClient(name)
    .upload(body, body.byteLength, metadata ? { metadata } : {});
}

/** The tree of the project over `browser`, and what it said changed. */
async function treeOver(browser: LakeBrowser, local = true) {
  const { snapshot } = await loadProject({ 'lakehouse.yaml': PROJECT });
  const zones = lakeZones(snapshot.metadata);
  const model = new LakeTreeModel(() => undefined);
  model.setProjects([
    {
      rootFile: '/p/lakehouse.yaml',
      name: 'lake',
      environment: local ? 'local emulator' : 'dev (Azure)',
      local,
      connectHint: '',
      zones,
      marks: new LakeFolderMarks(zones),
      connection: { state: 'connected', browser, key: 'k' },
    },
  ]);
  return model;
}

function name(node: LakeNode): string {
  switch (node.kind) {
    case 'folder':
      return `${node.name}/`;
    case 'file':
      return node.entry.name;
    case 'message':
      return `! ${node.label}`;
    case 'container':
      return `[${node.container}]`;
    default:
      return node.kind;
  }
}

/** Every child of a listed node, following Load more to the end. */
async function everything(model: LakeTreeModel, node: LakeNode): Promise<{ names: string[]; pages: number }> {
  let children = await model.getChildren(node);
  let pages = 1;
  while (children.at(-1)?.kind === 'loadMore') {
    await model.loadMore(children.at(-1)!);
    children = await model.getChildren(node);
    pages++;
  }
  return { names: children.map(name), pages };
}

async function containerNode(model: LakeTreeModel, zone: 'bronze' | 'silver'): Promise<LakeNode> {
  const roots = await model.getChildren();
  const zoneNode = roots.find(n => n.kind === 'zone' && n.zone.name === zone)!;
  return (await model.getChildren(zoneNode))[0]!;
}

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}

before(async () => {
  azurite = await startAzurite();
  seed = BlobServiceClient.fromConnectionString(azurite.connectionString);
  for (const c of ['bronze', 'silver', 'other']) await seed.getContainerClient(c).create();
  await put('bronze', 'customers/customers_20261205.parquet', parquetFile(4));
  await put('bronze', 'customers_cdc/cdc.json', '{"cdc":"2026-12-05T20:00:00.0000000"}');
  for (let version = 0; version < 3; version++)
    await put(
      'silver',
      `customers/_delta_log/${v(version)}.json`,
      sparkCommit(version, version === 2 ? 'MERGE' : 'WRITE'),
    );
  await put('silver', 'customers/part-00000-c000.snappy.parquet', parquetFile(4));
  // A hierarchical account's folders: the directory blob `landing/x` sorts before `landing/x-old`
  // and `landing/x.csv`, and those before the prefix `landing/x/`.
  const folder = { hdi_isfolder: 'true' };
  await put('bronze', 'landing', '', folder);
  await put('bronze', 'landing/x', '', folder);
  await put('bronze', 'landing/x-old', 'a');
  await put('bronze', 'landing/x.csv', 'b');
  await put('bronze', 'landing/x/inner.json', '{}');
  await put('bronze', 'landing/empty', '', folder);
  for (let i = 0; i < 7; i++) await put('bronze', `many/part-${i}.parquet`, 'p');
});

after(async () => {
  await azurite?.stop();
});

describe('the Lake view tree on Azurite', () => {
  it('pages folders with the service continuation tokens and lists each directory of a hierarchical account once', async () => {
    const storage = LakeStorage.connect(
      { kind: 'connectionString', connectionString: azurite.connectionString },
      { pageSize: 2 },
    );
    const model = await treeOver(storage);
    const bronze = await containerNode(model, 'bronze');
    const top = await everything(model, bronze);
    assert.deepEqual(top.names, ['customers/', 'customers_cdc/', 'landing/', 'many/']);
    const landing = (await model.getChildren(bronze)).find(n => n.kind === 'folder' && n.name === 'landing')!;
    const inside = await everything(model, landing);
    assert.deepEqual(inside.names, ['empty/', 'x/', 'x-old', 'x.csv']);
    assert.ok(inside.pages > 1, 'the directory blob and its prefix came on different pages');
    const many = (await model.getChildren(bronze)).find(n => n.kind === 'folder' && n.name === 'many')!;
    const all = await everything(model, many);
    assert.equal(all.pages, 4);
    assert.deepEqual(
      all.names,
      Array.from({ length: 7 }, (_, i) => `part-${i}.parquet`),
    );
  });

  it("shows the table's watermark from cdc.json and a Delta table's versions from _delta_log", async () => {
    const storage = LakeStorage.connect({ kind: 'connectionString', connectionString: azurite.connectionString });
    const model = await treeOver(storage);
    const bronze = await containerNode(model, 'bronze');
    const customers = (await model.getChildren(bronze)).find(n => n.kind === 'folder' && n.name === 'customers')!;
    const [watermark, file] = await model.getChildren(customers);
    assert.ok(watermark?.kind === 'watermark' && 'found' in watermark.state && watermark.state.found);
    assert.deepEqual(watermark.state.reading, {
      ok: true,
      value: '2026-12-05T20:00:00.0000000',
      kind: 'time',
      utc: '2026-12-05T20:00:00.0000000Z',
    });
    assert.equal(file?.kind === 'file' && file.entry.name, 'customers_20261205.parquet');
    const silver = await containerNode(model, 'silver');
    const table = (await model.getChildren(silver)).find(n => n.kind === 'folder' && n.name === 'customers')!;
    const versions = (await model.getChildren(table))[0]!;
    assert.equal(versions.kind, 'versions');
    const list = await model.getChildren(versions);
    assert.deepEqual(
      list.map(n => (n.kind === 'version' ? `${n.version.version} ${n.version.operation} ${n.version.file}` : n.kind)),
      [`2 MERGE ${v(2)}.json`, `1 WRITE ${v(1)}.json`, `0 WRITE ${v(0)}.json`],
    );
    // The account's other containers, apart from the zones'.
    const roots = await model.getChildren();
    assert.deepEqual((await model.getChildren(roots.at(-1)!)).map(name), ['[other]']);
  });

  it('says what happened when the service refuses, the container is missing, or the endpoint does not answer', async () => {
    const wrongKey = LakeStorage.connect(
      {
        kind: 'sharedKey',
        accountName: AZURITE_ACCOUNT,
        accountKey: Buffer.from('not the key').toString('base64'),
        blobEndpoint: azurite.blobEndpoint,
      },
      { retry: { maxTries: 1 } },
    );
    const refused = await treeOver(wrongKey, false);
    const denied = (await refused.getChildren(await containerNode(refused, 'bronze')))[0]!;
    assert.ok(denied.kind === 'message', name(denied));
    assert.equal(denied.severity, 'error');
    // Azurite answers a wrong key as the service does: 403 AuthorizationFailure.
    assert.equal(denied.label, 'Access denied (403)');
    assert.equal(denied.description, "the account's firewall, or the key or SAS, refuses it");
    assert.match(denied.tooltip ?? '', /bronze/);

    await seed.getContainerClient('silver').delete();
    try {
      const storage = LakeStorage.connect({ kind: 'connectionString', connectionString: azurite.connectionString });
      const model = await treeOver(storage);
      const missing = (await model.getChildren(await containerNode(model, 'silver')))[0]!;
      assert.equal(missing.kind === 'message' && missing.label, "Container 'silver' does not exist");
      assert.equal(missing.kind === 'message' && missing.action, 'retry');
    } finally {
      await seed.getContainerClient('silver').create();
    }

    const port = await closedPort();
    const gone = LakeStorage.connect(
      {
        kind: 'connectionString',
        connectionString: azurite.connectionStringFor(`http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`),
      },
      { retry: { maxTries: 1, tryTimeoutMs: 2000 } },
    );
    const local = await treeOver(gone, true);
    const down = (await local.getChildren(await containerNode(local, 'bronze')))[0]!;
    assert.equal(down.kind === 'message' && down.label, 'The local emulator does not answer');
    assert.equal(down.kind === 'message' && down.action, 'connect', 'connecting starts it again');
    assert.match(down.kind === 'message' ? (down.tooltip ?? '') : '', /ECONNREFUSED/);
    const azure = await treeOver(gone, false);
    const unreachable = (await azure.getChildren(await containerNode(azure, 'bronze')))[0]!;
    assert.equal(unreachable.kind === 'message' && unreachable.label, 'Cannot reach the storage account');
  });
});
