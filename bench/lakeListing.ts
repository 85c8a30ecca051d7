// Lake listing at scale (issue 12: "a folder of 100,000 blobs: the first page in ≤ 1 s, with memory
// flat"). Azurite (npm, in memory, on a free loopback port) is seeded with 100,000 empty blobs in one
// folder (plain parallel PUTs, timed apart: seeding is not what is measured), then through the Lake
// view's adapter (src/azure/lake, the real @azure/storage-blob client):
//   - the first page (5,000 entries) of that folder: once on a fresh adapter (cold: connection,
//     first request) and the median of later first pages; beside it the same request as plain HTTP
//     (no SDK, body not parsed): Azurite's own share of the time;
//   - the heap (after gc) before listing, after each of 3 pages where only the cursor is kept (as
//     the tree keeps a "Load more" cursor, earlier pages dropped by the adapter), and, for scale, what
//     one page costs when it is kept.
// Run with --expose-gc for the heap figures (scripts/bench.mjs's worker() does).
import { performance } from 'perf_hooks';
import * as http from 'http';
import { BlobServiceClient, ContainerSASPermissions } from '@azure/storage-blob';
import { LakeStorage, MAX_PAGE_SIZE, type FolderCursor, type LakeFolderPage } from '../src/azure/lake/lakeStorage';
import { startAzurite } from '../test/azure/helpers/azurite';
import { uploadBlobs } from '../test/azure/helpers/bulkUpload';
import { stats } from './stats';

const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const log = (msg: string) => process.stderr.write(`    ${msg}\n`);

export interface LakeListingResult {
  blobs: number;
  pageSize: number;
  uploadMs: number;
  uploadConcurrency: number;
  /** The first page on a fresh adapter (includes the connection's set-up). */
  firstPageColdMs: number;
  /** Later first pages (fresh request, warm process). */
  firstPage: ReturnType<typeof stats>;
  /** The first page's entry count (5,000 expected). */
  firstPageEntries: number;
  /** The same list request as plain HTTP (the server's time and the transfer, no XML parsing). */
  serverOnly: ReturnType<typeof stats>;
  /** Size of one page's XML answer. */
  pageResponseBytes: number;
  /** Three pages in a row, each dropped before the next. */
  threePagesMs: number;
  heap: {
    gcExposed: boolean;
    beforeBytes: number;
    /** After page 1, 2 and 3, earlier pages dropped (only the cursor kept). */
    afterPagesBytes: number[];
    /** After page 3 minus before. */
    growthBytes: number;
    /** What holding one page costs (kept, for scale): the growth would be this per page if pages piled up. */
    onePageRetainedBytes: number;
  };
  /** The target: first page ≤ 1,000 ms. */
  targetMs: number;
}

export async function lakeListing(
  options: { blobs?: number; concurrency?: number; quick?: boolean } = {},
): Promise<LakeListingResult> {
  const blobs = options.blobs ?? 100_000;
  const concurrency = options.concurrency ?? 32;
  if (!(blobs > 3 * MAX_PAGE_SIZE))
    throw new Error(`lake-listing lists 3 full pages and needs more than ${3 * MAX_PAGE_SIZE} blobs`);
  const azurite = await startAzurite();
  try {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('bench');
    await container.create();
    const names = Array.from({ length: blobs }, (_, i) => `big/part-${String(i).padStart(6, '0')}-c000.snappy.parquet`);
    log(`lake listing: uploading ${blobs.toLocaleString('en-US')} empty blobs to Azurite (${concurrency} at a time)…`);
    const t0 = performance.now();
    await uploadBlobs(container, names, { concurrency });
    const uploadMs = performance.now() - t0;
    log(`lake listing: uploaded in ${(uploadMs / 1000).toFixed(1)} s; listing…`);

    const connect = () => LakeStorage.connect({ kind: 'connectionString', connectionString: azurite.connectionString });
    const cold = connect();
    const c0 = performance.now();
    const first = await cold.listFolder('bench', 'big/');
    const firstPageColdMs = performance.now() - c0;
    const firstPageEntries = first.files.length + first.folders.length;
    if (firstPageEntries !== MAX_PAGE_SIZE)
      throw new Error(`the first page has ${firstPageEntries} entries, not ${MAX_PAGE_SIZE}`);

    const lake = connect();
    await lake.listFolder('bench', 'big/'); // warm-up of this adapter's connection
    const samples: number[] = [];
    for (let i = 0; i < (options.quick ? 3 : 7); i++) {
      const s0 = performance.now();
      await lake.listFolder('bench', 'big/');
      samples.push(performance.now() - s0);
    }

    // Memory: three pages, each dropped before the next (only the cursor survives), after the
    // warm-up above (the SDK's one-time allocations are not the listing's).
    gc();
    gc();
    const beforeBytes = process.memoryUsage().heapUsed;
    const afterPagesBytes: number[] = [];
    let cursor: FolderCursor | undefined;
    const p0 = performance.now();
    for (let page = 0; page < 3; page++) {
      const result: LakeFolderPage = await lake.listFolder('bench', 'big/', cursor);
      if (result.files.length !== MAX_PAGE_SIZE) throw new Error(`page ${page + 1} has ${result.files.length} files`);
      cursor = result.next;
      gc();
      afterPagesBytes.push(process.memoryUsage().heapUsed);
    }
    const threePagesMs = performance.now() - p0;
    if (!cursor) throw new Error('the folder ended after 3 pages');

    // For scale: one page kept.
    gc();
    gc();
    const keptBefore = process.memoryUsage().heapUsed;
    const kept = await lake.listFolder('bench', 'big/');
    gc();
    const onePageRetainedBytes = process.memoryUsage().heapUsed - keptBefore;
    if (kept.files.length !== MAX_PAGE_SIZE) throw new Error('the kept page is short');

    // The same request without the SDK (plain HTTP with a container SAS, body read, not parsed): what
    // the server alone takes, so the client's share (the SDK's XML parsing and model) shows.
    const serverSamples: number[] = [];
    const sas = new URL(
      await container.generateSasUrl({
        permissions: ContainerSASPermissions.parse('rl'),
        expiresOn: new Date(Date.now() + 3600_000),
      }),
    );
    const listQuery = `restype=container&comp=list&delimiter=%2F&prefix=big%2F&maxresults=${MAX_PAGE_SIZE}&include=metadata`;
    const listUrl = `${sas.origin}${sas.pathname}?${listQuery}&${sas.search.slice(1)}`;
    let listBytes = 0;
    for (let i = 0; i < samples.length; i++) {
      const s0 = performance.now();
      listBytes = await httpGetLength(listUrl);
      serverSamples.push(performance.now() - s0);
    }

    return {
      blobs,
      pageSize: MAX_PAGE_SIZE,
      uploadMs,
      uploadConcurrency: concurrency,
      firstPageColdMs,
      firstPage: stats(samples),
      firstPageEntries,
      serverOnly: stats(serverSamples),
      pageResponseBytes: listBytes,
      threePagesMs,
      heap: {
        gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
        beforeBytes,
        afterPagesBytes,
        growthBytes: afterPagesBytes[afterPagesBytes.length - 1]! - beforeBytes,
        onePageRetainedBytes,
      },
      targetMs: 1000,
    };
  } finally {
    await azurite.stop();
  }
}

/** GETs a URL (plain HTTP on loopback) and resolves with the body's length. */
function httpGetLength(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, res => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.byteLength));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(bytes) : reject(new Error(`list: ${res.statusCode ?? '?'}`)),
        );
      })
      .on('error', reject);
  });
}
