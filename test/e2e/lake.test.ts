// End-to-end: the Lake view in a real VS Code host on the local emulator (Azurite seeded from the
// sample's lakehouse.yaml with real parquet files, watermark files and Delta logs). Before the user
// asks, it shows the zones and "Connect to …" and starts nothing; after "Use Local Emulator" it
// lists zones → containers → table folders → files, a table's watermark and a Delta table's
// versions, pages a folder of more than 5,000 files with "Load more", and opens files read-only.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { BlobServiceClient } from '@azure/storage-blob';
import type { LakehouseApi } from '../../src/extension/extension';
import type { LakeNode } from '../../src/extension/lake/lakeTreeModel';
import type { LakeOpenResult } from '../../src/extension/lake/lakeDocuments';
import { uploadBlobs } from '../azure/helpers/bulkUpload';
import { parquetFile } from '../unit/helpers/lakeFixtures';
import { checkpoint } from './checkpoint';
import { EXTENSION_ID, revertAndCloseEditors, waitFor } from './util';

const SIDEBAR = '#workbench\\.parts\\.sidebar';
/** More than one page of the service (5,000 entries): the folder needs "Load more". */
const MANY_FILES = 5001;

function labelOf(api: LakehouseApi, node: LakeNode): string {
  const label = api.ctx.lake.getTreeItem(node).label;
  return typeof label === 'string' ? label : (label?.label ?? '');
}

/** The child of `node` labelled `label` (waits for the tree to list it). */
async function childOf(api: LakehouseApi, node: LakeNode | undefined, label: string): Promise<LakeNode> {
  return waitFor(`'${label}' in the Lake view`, async () => {
    const children = await api.ctx.lake.getChildren(node);
    return children.find(n => labelOf(api, n) === label);
  });
}

/** Shows a node in the view, its ancestors expanded (the tree may still be rendering: retried). */
async function reveal(api: LakehouseApi, node: LakeNode, expand = false): Promise<void> {
  await waitFor('the node to be revealed', async () => {
    try {
      await api.ctx.lake.view.reveal(node, { expand, select: true, focus: false });
      return true;
    } catch {
      return undefined;
    }
  });
}

/**
 * The Lake view alone in a wider side bar, for its screenshots (the other Lakehouse views hidden,
 * the panel closed: an earlier suite may have opened the log); the returned function puts the layout back.
 */
async function roomForLake(): Promise<() => Promise<void>> {
  const others = ['lakehouse.sources', 'lakehouse.pipelines', 'lakehouse.runs'];
  for (const view of others) await vscode.commands.executeCommand(`${view}.toggleVisibility`);
  await vscode.commands.executeCommand('workbench.action.closePanel');
  await vscode.commands.executeCommand('lakehouse.lake.focus');
  await vscode.commands.executeCommand('workbench.action.focusSideBar');
  const steps = 4;
  for (let i = 0; i < steps; i++) await vscode.commands.executeCommand('workbench.action.increaseViewSize');
  return async () => {
    await vscode.commands.executeCommand('workbench.action.focusSideBar');
    for (let i = 0; i < steps; i++) await vscode.commands.executeCommand('workbench.action.decreaseViewSize');
    for (const view of others) await vscode.commands.executeCommand(`${view}.toggleVisibility`);
  };
}

function activeText(): string {
  return vscode.window.activeTextEditor?.document.getText() ?? '';
}

suite('Lake view on the local emulator in a real VS Code host', () => {
  let api: LakehouseApi;

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<LakehouseApi>(EXTENSION_ID)!.activate();
    await api.ready;
    await api.ctx.projects.whenIdle();
    const snapshot = api.ctx.currentProject()!;
    await api.ctx.environments.set(snapshot.rootFile, 'dev');
  });

  suiteTeardown(async () => {
    const snapshot = api.ctx.currentProject();
    if (snapshot) {
      await api.ctx.operations.stopEmulator(snapshot);
      await api.ctx.environments.set(snapshot.rootFile, 'dev');
    }
    await revertAndCloseEditors();
  });

  test('before the user asks: the zones of lakehouse.yaml and "Connect to dev (Azure)…", nothing signed in or started', async () => {
    const snapshot = api.ctx.currentProject()!;
    await vscode.commands.executeCommand('lakehouse.lake.focus');
    const connect = await childOf(api, undefined, 'Connect to dev (Azure)…');
    assert.strictEqual(connect.kind, 'connect');
    const roots = await api.ctx.lake.getChildren();
    assert.deepStrictEqual(
      roots.map(n => labelOf(api, n)),
      ['Connect to dev (Azure)…', 'bronze', 'silver', 'gold'],
    );
    assert.match(String(api.ctx.lake.getTreeItem(connect).description), /storage account stspotifydev/);
    assert.strictEqual(api.ctx.operations.emulatorState(snapshot), undefined, 'no emulator was started');
    assert.strictEqual(api.ctx.operations.accountLabel, undefined, 'no sign-in');
    assert.strictEqual(api.ctx.lake.view.description, 'dev (Azure) · not connected');
    await checkpoint('lake-not-connected', { waitForText: 'Connect to dev (Azure)', selector: SIDEBAR });
  });

  test('Use Local Emulator: zones → container → table folder → files, watermark, Delta versions, Load more, previews', async function () {
    this.timeout(300_000);
    const snapshot = api.ctx.currentProject()!;
    await vscode.commands.executeCommand('lakehouse.emulator.use');
    const state = api.ctx.operations.emulatorState(snapshot);
    assert.ok(state?.storage, 'the emulator runs with Azurite');
    // The emulator runs: the view connects by itself (no side effect), and says where it reads.
    await vscode.commands.executeCommand('lakehouse.lake.focus');
    await api.ctx.lake.getChildren();
    await waitFor('the Lake view to connect', () => api.ctx.lake.model.browserOf(snapshot.rootFile), 30_000);
    assert.match(String(api.ctx.lake.view.description), /^local emulator · devstoreaccount1$/);

    // A busy table: more files in its bronze folder than one page of the service holds.
    const blobs = BlobServiceClient.fromConnectionString(state.storage.connectionString);
    const bronzeBlobs = blobs.getContainerClient('bronze');
    const t0 = Date.now();
    await uploadBlobs(
      bronzeBlobs,
      Array.from(
        { length: MANY_FILES },
        (_, i) => `FactStream/FactStream_20240101000000_${String(i).padStart(5, '0')}.parquet`,
      ),
      { content: Buffer.from(parquetFile(3)), concurrency: 16 },
    );
    const big = Buffer.alloc(1536 * 1024, 'stream_id,user_id,track_id\n1,2,3\n');
    await bronzeBlobs.getBlockBlobClient('exports/streams.csv').upload(big, big.byteLength);
    await bronzeBlobs.getBlockBlobClient('exports/streams.zip').upload(Buffer.from('PK\u0003\u0004'), 4);
    console.log(`seeded ${MANY_FILES} blobs in ${Date.now() - t0} ms`);
    await vscode.commands.executeCommand('lakehouse.lake.refresh');

    // bronze → container bronze → DimUser: its watermark (from DimUser_cdc/cdc.json) and its parquet files.
    const bronzeZone = await childOf(api, undefined, 'bronze');
    const bronze = await childOf(api, bronzeZone, 'bronze');
    const dimUser = await childOf(api, bronze, 'DimUser');
    assert.strictEqual(api.ctx.lake.getTreeItem(dimUser).description, 'table dbo.DimUser');
    const watermark = await childOf(api, dimUser, 'Watermark');
    const cdc = JSON.parse(
      (await bronzeBlobs.getBlobClient('DimUser_cdc/cdc.json').downloadToBuffer()).toString('utf8'),
    ) as { cdc: string };
    assert.strictEqual(api.ctx.lake.getTreeItem(watermark).description, cdc.cdc, 'the value cdc.json holds');
    const files = (await api.ctx.lake.getChildren(dimUser)).filter(n => n.kind === 'file');
    assert.strictEqual(files.length, 2, 'the two seeded runs');
    assert.match(
      String(api.ctx.lake.getTreeItem(files[0]!).description),
      /^\d+(\.\d)? (B|KiB) · \d{4}-\d\d-\d\d \d\d:\d\d UTC$/,
    );
    await reveal(api, files[0]!);

    // silver → DimUser is a Delta table: its versions from _delta_log, newest first.
    const silverZone = await childOf(api, undefined, 'silver');
    const silver = await childOf(api, silverZone, 'silver');
    const silverUser = await childOf(api, silver, 'DimUser');
    const versions = await childOf(api, silverUser, 'Versions');
    const versionLabels = (await api.ctx.lake.getChildren(versions)).map(n => labelOf(api, n));
    assert.deepStrictEqual(versionLabels, ['v2 · WRITE', 'v1 · WRITE', 'v0 · WRITE']);
    const goldZone = await childOf(api, undefined, 'gold');
    const gold = await childOf(api, goldZone, 'gold');
    const goldVersions = await childOf(api, await childOf(api, gold, 'dim_user'), 'Versions');
    assert.strictEqual(labelOf(api, (await api.ctx.lake.getChildren(goldVersions))[0]!), 'v2 · MERGE');
    const newest = (await api.ctx.lake.getChildren(versions))[0]!;
    await reveal(api, newest);
    await waitFor('the Versions summary', () =>
      /latest v2/.test(String(api.ctx.lake.getTreeItem(versions).description)),
    );
    const restoreLayout = await roomForLake();
    try {
      await reveal(api, watermark);
      await checkpoint('lake-view', { waitForText: 'v2 · WRITE', selector: SIDEBAR });
    } finally {
      await restoreLayout();
    }

    // FactStream: 5,000 entries, then "Load more…"; one click lists the rest.
    const factStream = await childOf(api, bronze, 'FactStream');
    let t1 = Date.now();
    const firstPage = await waitFor('the first page of FactStream', () => api.ctx.lake.getChildren(factStream), 60_000);
    console.log(`first page of FactStream (5,000 entries) in ${Date.now() - t1} ms`);
    const more = firstPage.at(-1)!;
    assert.strictEqual(more.kind, 'loadMore');
    assert.strictEqual(firstPage.filter(n => n.kind === 'file').length, 5000, 'one page: 5,000 entries');
    assert.strictEqual(labelOf(api, firstPage[0]!), 'Watermark');
    assert.match(String(api.ctx.lake.getTreeItem(more).description), /^5,000 shown/);
    const restore = await roomForLake();
    try {
      await reveal(api, more);
      await checkpoint('lake-load-more', { waitForText: 'Load more…', selector: SIDEBAR });
    } finally {
      await restore();
    }
    t1 = Date.now();
    await vscode.commands.executeCommand('lakehouse.lake.loadMore', more);
    const all = await api.ctx.lake.getChildren(factStream);
    console.log(`Load more in ${Date.now() - t1} ms`);
    assert.strictEqual(all.filter(n => n.kind === 'file').length, MANY_FILES + 2, 'every file, each once');
    assert.ok(!all.some(n => n.kind === 'loadMore'), 'nothing more to load');
    // Refreshing the container forgets its 5,000 files; the nodes are found again from the top.
    await vscode.commands.executeCommand('workbench.actions.treeView.lakehouse.lake.collapseAll');
    await vscode.commands.executeCommand('lakehouse.lake.refresh', bronze);
    const again = await childOf(api, bronze, 'DimUser');
    assert.notStrictEqual(again, dimUser, 'made again after the refresh');
    assert.strictEqual(again.id, dimUser.id, 'with the same id');
    const parquet = (await api.ctx.lake.getChildren(again)).find(n => n.kind === 'file')!;
    assert.strictEqual(parquet.id, files[0]!.id);
    await reveal(api, parquet);

    // A parquet file opens as its footer's schema and row count (the data pages are not read).
    const opened = await vscode.commands.executeCommand<LakeOpenResult>('lakehouse.lake.open', parquet);
    assert.ok(opened?.uri, JSON.stringify(opened));
    await waitFor('the parquet preview', () => activeText().includes('## Schema'));
    const schema = activeText();
    assert.match(schema, /\*\*Rows:\*\* 4 in 1 row group/);
    for (const column of ['user_id', 'user_name', 'updated_at'])
      assert.match(schema, new RegExp(`^\\| \`${column}\` +\\|`, 'm'), column);
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.scheme, 'lakehouse-lake');
    await checkpoint('lake-parquet-preview', { waitForText: 'Row groups' });

    // The watermark opens cdc.json as it is.
    await vscode.commands.executeCommand('lakehouse.lake.open', watermark);
    await waitFor('cdc.json', () => activeText().includes(cdc.cdc));
    assert.deepStrictEqual(JSON.parse(activeText()), cdc);
    assert.match(vscode.window.activeTextEditor!.document.fileName, /cdc\.json \(bronze · local emulator\)\.json$/);
    assert.strictEqual(vscode.window.activeTextEditor!.document.languageId, 'json');
    await checkpoint('lake-watermark-preview', { waitForText: cdc.cdc });

    // Over the size cap: the first MiB, saying so; a zip: a message, nothing opened.
    const exports = await childOf(api, await childOf(api, bronzeZone, 'bronze'), 'exports');
    const csv = await childOf(api, exports, 'streams.csv');
    await vscode.commands.executeCommand('lakehouse.lake.open', csv);
    await waitFor('the cut CSV', () => activeText().startsWith('[Lakehouse: Showing the first 1.0 MiB of 1.5 MiB'));
    assert.match(
      vscode.window.activeTextEditor!.document.fileName,
      /streams\.csv \(first 1\.0 MiB · bronze · local emulator\)\.txt$/,
    );
    const zip = await childOf(api, exports, 'streams.zip');
    const refused = await vscode.commands.executeCommand<LakeOpenResult>('lakehouse.lake.open', zip);
    assert.match(refused?.message ?? '', /streams\.zip is a zip archive/);
    assert.strictEqual(refused?.uri, undefined);

    // Stopping the emulator drops the connection: the view offers to connect again.
    await api.ctx.operations.stopEmulator(snapshot);
    const reconnect = await childOf(api, undefined, 'Connect to local emulator…');
    assert.strictEqual(api.ctx.lake.model.browserOf(snapshot.rootFile), undefined);
    // Connecting by hand starts it again (the user asked), and the view lists again.
    assert.strictEqual(await vscode.commands.executeCommand('lakehouse.lake.connect', reconnect), true);
    assert.ok(api.ctx.operations.emulatorState(snapshot), 'started on request');
    const bronzeAgain = await childOf(api, await childOf(api, undefined, 'bronze'), 'bronze');
    await childOf(api, bronzeAgain, 'DimUser');
  });
});
