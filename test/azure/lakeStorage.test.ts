// The Lake view's storage adapter on the wire: the real @azure/storage-blob client against Azurite
// 3.37 (npm, started here on a free loopback port, data in memory). Lake content is written with the
// same SDK, as ADF, Spark and Databricks would leave it; a counting proxy measures what the adapter
// downloads, from outside the adapter.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { LakeStorage, type FolderCursor } from '../../src/azure/lake/lakeStorage';
import { startAzurite, type Azurite } from './helpers/azurite';
import { startCountingProxy, type CountingProxy } from './helpers/countingProxy';
import { uploadBlobs } from './helpers/bulkUpload';
import { parquetFile, sparkCommit, v } from '../unit/helpers/lakeFixtures';

let azurite: Azurite;
let proxy: CountingProxy;
let seed: BlobServiceClient;
/** The adapter, through the counting proxy. */
let lake: LakeStorage;

/** Writes a blob with the SDK (as ADF or Spark would leave it). */
async function put(container: string, name: string, content: string | Uint8Array, metadata?: Record<string, string>) {
  const body =
    typeof content === 'string'
      ? Buffer.from(content)
      : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  await seed
    .getContainerClient(container)
    .getBlockBlobClient(name)
    .upload(body, body.byteLength, metadata ? { metadata } : {});
}

/** Every page of a folder, following the cursors. */
async function allPages(storage: LakeStorage, container: string, folder: string) {
  const pages = [];
  let cursor: FolderCursor | undefined;
  do {
    const page = await storage.listFolder(container, folder, cursor);
    pages.push(page);
    cursor = page.next;
  } while (cursor);
  return pages;
}

before(async () => {
  azurite = await startAzurite();
  proxy = await startCountingProxy(azurite.port);
  seed = BlobServiceClient.fromConnectionString(azurite.connectionString);
  for (const name of ['bronze', 'silver', 'names']) await seed.getContainerClient(name).create();
  lake = LakeStorage.connect({
    kind: 'connectionString',
    connectionString: azurite.connectionStringFor(`http://127.0.0.1:${proxy.port}/devstoreaccount1`),
  });
});

after(async () => {
  await proxy?.close();
  await azurite?.stop();
});

describe('lake storage on Azurite', () => {
  it('lists the containers of the account', async () => {
    const page = await lake.listContainers();
    assert.deepEqual(
      page.containers.map(c => c.name),
      ['bronze', 'names', 'silver'],
    );
    assert.equal(page.next, undefined);
    assert.equal(lake.accountName, 'devstoreaccount1');
    assert.equal(lake.endpoint, `http://127.0.0.1:${proxy.port}/devstoreaccount1`);
  });

  it(
    'pages a folder of 12,000 blobs by 5,000: three pages, none twice, none missing',
    { timeout: 180_000 },
    async () => {
      const names = Array.from({ length: 12_000 }, (_, i) => `big/part-${String(i).padStart(5, '0')}.parquet`);
      await uploadBlobs(seed.getContainerClient('bronze'), names, { concurrency: 32 });
      for (const sub of ['big/_delta_log/x.json', 'big/sub-a/y.csv', 'big/zz/z.csv']) await put('bronze', sub, 'x');
      proxy.reset();
      const pages = await allPages(lake, 'bronze', 'big');
      assert.deepEqual(
        pages.map(p => p.files.length + p.folders.length),
        [5000, 5000, 2003],
      );
      assert.ok(pages[0]!.next && pages[1]!.next && !pages[2]!.next);
      const listed = pages.flatMap(p => p.files.map(f => f.path));
      assert.equal(new Set(listed).size, listed.length, 'no file twice');
      assert.deepEqual(listed.sort(), names.sort(), 'every file, once');
      assert.deepEqual(
        pages.flatMap(p => p.folders.map(f => f.name)),
        ['_delta_log', 'sub-a', 'zz'],
      );
      assert.ok(pages[0]!.hasDeltaLog, '_delta_log/ sorts first: the first page tells a Delta folder');
      assert.equal(pages[0]!.files[0]!.size, 0);
      assert.ok(pages[0]!.files[0]!.lastModified instanceof Date);
      const listRequests = proxy.requests.filter(r => r.method === 'GET' && /comp=list/.test(r.url));
      assert.equal(listRequests.length, 3, 'one request per page');
      assert.ok(listRequests.every(r => /maxresults=5000/.test(r.url) && /delimiter=%2F/.test(r.url)));
    },
  );

  it('lists each folder of a hierarchical account once (its directory blob and its prefix), on any page size', async () => {
    // As ADLS Gen2 answers the Blob API: each directory is also an empty blob with hdi_isfolder=true.
    const marker = { hdi_isfolder: 'true' };
    await put('bronze', 'hns', '', marker);
    await put('bronze', 'hns/users', '', marker);
    await put('bronze', 'hns/users/part-0.parquet', 'p');
    await put('bronze', 'hns/users_cdc', '', marker);
    await put('bronze', 'hns/users_cdc/cdc.json', '{"cdc":"2024-01-01T00:00:00.0000000"}');
    await put('bronze', 'hns/users-old.txt', 'o');
    await put('bronze', 'hns/empty', '', marker);
    for (const pageSize of [5000, 1, 2, 3]) {
      const storage = LakeStorage.connect(
        { kind: 'connectionString', connectionString: azurite.connectionString },
        { pageSize },
      );
      const pages = await allPages(storage, 'bronze', 'hns/');
      assert.deepEqual(
        pages.flatMap(p => p.folders.map(f => f.name)).sort(),
        ['empty', 'users', 'users_cdc'],
        `page size ${pageSize}`,
      );
      assert.deepEqual(
        pages.flatMap(p => p.files.map(f => f.name)),
        ['users-old.txt'],
        `page size ${pageSize}`,
      );
    }
    const root = await allPages(lake, 'bronze', '');
    assert.equal(root.flatMap(p => p.folders).filter(f => f.name === 'hns').length, 1);
  });

  it("reads a parquet file's schema and row count from ranged reads of its footer only", async () => {
    const file = parquetFile(200_000, 50_000);
    await put('bronze', 'streams/part-00000.snappy.parquet', file);
    proxy.reset();
    const reading = await lake.readParquet('bronze', 'streams/part-00000.snappy.parquet');
    assert.ok(reading.ok, reading.ok ? '' : reading.message);
    assert.equal(reading.summary.rowCount, 200_000);
    assert.equal(reading.summary.rowGroupCount, 4);
    assert.deepEqual(
      reading.summary.columns.map(c => c.name),
      ['id', 'name', 'ts', 'amount'],
    );
    const gets = proxy.requests.filter(r => r.method === 'GET');
    const footer = reading.summary.footerBytes;
    assert.deepEqual(
      gets.map(r => [r.range, r.bytes]),
      [
        [`bytes=${file.byteLength - 8}-${file.byteLength - 1}`, 8],
        [`bytes=${file.byteLength - 8 - footer}-${file.byteLength - 9}`, footer],
      ],
    );
    const downloaded = gets.reduce((n, r) => n + r.bytes, 0);
    assert.ok(downloaded * 100 < file.byteLength, `${downloaded} bytes of ${file.byteLength}`);
    assert.equal(proxy.requests.filter(r => r.method === 'HEAD').length, 1, 'the size, asked once');
    const preview = await lake.previewFile('bronze', 'streams/part-00000.snappy.parquet', { size: file.byteLength });
    assert.equal(preview.kind, 'parquet');
  });

  it("reads a Delta table's versions from _delta_log: newest first, checkpoints, _last_checkpoint", async () => {
    const log = 'users/_delta_log/';
    for (let version = 0; version <= 11; version++) {
      await put('silver', `${log}${v(version)}.json`, sparkCommit(version, version % 3 === 2 ? 'MERGE' : 'WRITE'));
      await put('silver', `${log}${v(version)}.crc`, '{"tableSizeBytes":1}');
    }
    await put('silver', `${log}${v(12)}.json`, sparkCommit(12, 'WRITE', 2000)); // ~300 KiB: only its head is read
    await put('silver', `${log}${v(10)}.checkpoint.parquet`, parquetFile(10));
    await put('silver', `${log}_last_checkpoint`, '{"version":10,"size":13}');
    await put('silver', 'users/part-00000.snappy.parquet', parquetFile(10));
    const table = await lake.listFolder('silver', 'users');
    assert.equal(table.hasDeltaLog, true);
    proxy.reset();
    const history = await lake.readDeltaHistory('silver', 'users', { limit: 5 });
    assert.deepEqual(
      history.versions.map(x => [x.version, x.operation, x.timestampSource]),
      [
        [12, 'WRITE', 'commitInfo'],
        [11, 'MERGE', 'commitInfo'],
        [10, 'WRITE', 'commitInfo'],
        [9, 'WRITE', 'commitInfo'],
        [8, 'MERGE', 'commitInfo'],
      ],
    );
    assert.equal(history.versions[0]!.timestamp, 1_700_000_000_000 + 12 * 60_000);
    assert.equal(history.versions[0]!.partial, true);
    assert.equal(history.versions[0]!.file, `${v(12)}.json`, 'each version names its commit file (the view opens it)');
    assert.equal(history.versions[1]!.parameters, 'predicate=["(id = 1)"]');
    assert.equal(history.versions[2]!.parameters, 'mode=Append, partitionBy=[]');
    assert.equal(history.latestVersion, 12);
    assert.equal(history.commitCount, 13);
    assert.deepEqual(history.checkpoints, [10]);
    assert.deepEqual(history.lastCheckpoint, { version: 10, size: 13 });
    const bigCommit = proxy.requests.find(r => r.method === 'GET' && r.url.includes(`${v(12)}.json`))!;
    assert.equal(bigCommit.bytes, 64 * 1024, 'the head of a big commit, not all of it');
    // A log longer than a page: the same history through pages of 5; a cap on pages is said.
    const small = LakeStorage.connect(
      { kind: 'connectionString', connectionString: azurite.connectionString },
      { pageSize: 5 },
    );
    const paged = await small.readDeltaHistory('silver', 'users', { limit: 5 });
    assert.deepEqual(
      paged.versions.map(x => x.version),
      [12, 11, 10, 9, 8],
    );
    assert.deepEqual(paged.lastCheckpoint, { version: 10, size: 13 });
    const capped = await small.readDeltaHistory('silver', 'users', { limit: 5, maxPages: 2 });
    assert.match(capped.notes.join(' '), /The log has more than 10 files; versions after them are not shown/);
    const none = await lake.readDeltaHistory('silver', 'nothing-here');
    assert.deepEqual(none.versions, []);
    assert.match(none.notes.join(' '), /No Delta log in nothing-here\/_delta_log\/: the folder is not a Delta table/);
  });

  it('reads watermarks from cdc.json: a value, "no watermark yet", or what is wrong', async () => {
    await put('bronze', 'DimUser_cdc/cdc.json', '\uFEFF{"cdc":"2026-12-07T02:00:00.0000000"}\r\n');
    await put('bronze', 'DimTrack_cdc/cdc.json', '{"cdc":');
    const found = await lake.readWatermark('bronze', 'DimUser_cdc/cdc.json', 'watermark');
    assert.ok(found.found && found.reading.ok);
    assert.equal(found.reading.ok && found.reading.utc, '2026-12-07T02:00:00.0000000Z');
    assert.ok(found.lastModified instanceof Date);
    const missing = await lake.readWatermark('bronze', 'DimArtist_cdc/cdc.json', 'watermark');
    assert.deepEqual(missing, {
      found: false,
      message:
        "No watermark yet: DimArtist_cdc/cdc.json does not exist (the pipeline writes it on the table's first run).",
    });
    const bad = await lake.readWatermark('bronze', 'DimTrack_cdc/cdc.json', 'watermark');
    assert.ok(bad.found && !bad.reading.ok && /not JSON/.test(bad.reading.message));
    const noContainer = await lake.readWatermark('gold', 'x_cdc/cdc.json');
    assert.ok(
      !noContainer.found &&
        /container 'gold' does not exist in storage account 'devstoreaccount1'/.test(noContainer.message),
    );
  });

  it('previews text read-only: a big CSV by its first MiB only, small JSON whole, binary refused without reading', async () => {
    const row = 'stream_id,user_id,track_id,listen_duration\n';
    const csv = row + '123456789,42,4711,180\n'.repeat(120_000); // ~2.6 MiB
    await put('bronze', 'exports/streams.csv', csv);
    await put('bronze', 'exports/streams.csv.gz', Buffer.from([0x1f, 0x8b, 8, 0]));
    await put('bronze', 'exports/mystery', Buffer.from([0, 1, 2, 3, 0, 5]));
    proxy.reset();
    const preview = await lake.previewFile('bronze', 'exports/streams.csv');
    assert.ok(preview.kind === 'text' && preview.ok);
    assert.equal(preview.truncated, true);
    assert.ok(preview.text.startsWith(row) && preview.text.endsWith('180\n'));
    assert.match(preview.note ?? '', /first 1\.0 MiB of 2\.\d MiB \(truncated\)/);
    const gets = proxy.requests.filter(r => r.method === 'GET');
    assert.deepEqual(
      gets.map(r => [r.range, r.bytes]),
      [['bytes=0-1048575', 1024 * 1024]],
    );
    proxy.reset();
    const gz = await lake.previewFile('bronze', 'exports/streams.csv.gz', { size: 4 });
    assert.equal(gz.kind, 'refused');
    assert.equal(proxy.requests.length, 0, 'refused from its name: nothing read');
    const mystery = await lake.previewFile('bronze', 'exports/mystery');
    assert.ok(mystery.kind === 'text' && !mystery.ok && /mystery is binary/.test(mystery.message));
    const json = await lake.previewFile('bronze', 'DimUser_cdc/cdc.json');
    assert.ok(json.kind === 'text' && json.ok && !json.truncated && json.language === 'json');
  });

  it('treats names as data: %, #, ?, spaces and non-ASCII reach the service as they are', async () => {
    const names = [
      'odd/100% done.csv',
      'odd/a%2Fb.txt',
      'odd/#1 ?x=y&sig=z.txt',
      'odd/città/ü ñ.json',
      'odd/+plus+.txt',
    ];
    for (const name of names) await put('names', name, `content of ${name}`);
    const pages = await allPages(lake, 'names', 'odd/');
    assert.deepEqual(
      pages.flatMap(p => [...p.folders.map(f => f.path), ...p.files.map(f => f.path)]).sort(),
      ['odd/#1 ?x=y&sig=z.txt', 'odd/+plus+.txt', 'odd/100% done.csv', 'odd/a%2Fb.txt', 'odd/città/'].sort(),
    );
    for (const name of names) {
      const bytes = await lake.readRange('names', name, 0, 1000);
      assert.equal(Buffer.from(bytes).toString(), `content of ${name}`, name);
    }
    const inFolder = await lake.listFolder('names', 'odd/città/');
    assert.deepEqual(
      inFolder.files.map(f => f.name),
      ['ü ñ.json'],
    );
  });
});
