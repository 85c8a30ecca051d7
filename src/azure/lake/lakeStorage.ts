// The Lake view's one storage adapter, over the Blob API of @azure/storage-blob.
//
// Why the Blob API and not the dfs endpoint (@azure/storage-file-datalake): hierarchical listing
// with delimiter '/' and ranged reads are served by the blob endpoint of every account, ADLS Gen2
// (hierarchical namespace) included, and by Azurite 3.37, which has no dfs endpoint. So one code
// path browses real accounts and the local emulator alike. The one difference, a hierarchical
// account's directories also listed as empty blobs (metadata hdi_isfolder=true), is folded away by
// the core (src/core/lake/listing.ts). Nothing here needs a dfs-only call (ACLs, rename); if one is
// ever needed, it goes in a module of its own, tested at the HTTP level.
//
// Every read is bounded: folders a page at a time (5,000, the service's maximum, with a cursor for
// "Load more"), files by byte ranges (a preview's first MiB, a parquet footer, a commit's head).
// Errors are LakeStorageError: the account and container named, no secret.
import {
  BlobServiceClient,
  StorageSharedKeyCredential,
  type ContainerClient,
  type ContainerListBlobHierarchySegmentResponse,
  type ServiceListContainersSegmentResponse,
} from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
import { containerNameProblem, folderKey } from '../../core/lake/zones';
import { foldListingPage, type LakeFileEntry, type LakeFolderEntry, type ListedBlob } from '../../core/lake/listing';
import { parseWatermarkFile, MAX_WATERMARK_BYTES, type WatermarkReading } from '../../core/lake/watermark';
import {
  COMMIT_HEAD_BYTES,
  DELTA_LOG_FOLDER,
  DeltaLogListing,
  parseDeltaCommit,
  parseLastCheckpoint,
  type DeltaHistory,
  type DeltaVersion,
} from '../../core/lake/deltaLog';
import { readParquetSummary, type ParquetReading } from '../../core/lake/parquetFooter';
import { previewPlan, textPreview, PREVIEW_LIMIT_BYTES, type TextPreview } from '../../core/lake/preview';
import type { CdcMode } from '../../core/metadata/model';
import { LakeStorageError, toLakeStorageError, type LakeTarget } from './lakeStorageError';

/** The service's largest page of a listing. */
export const MAX_PAGE_SIZE = 5000;
/** The largest single ranged read the adapter makes (a guard against reading a whole big file by mistake). */
export const MAX_RANGE_BYTES = 64 * 1024 * 1024;

export type LakeConnection =
  /** A real account, signed in: `https://<account>.blob.<endpointSuffix>` (or `blobEndpoint`, e.g. a private endpoint's name). */
  | { kind: 'token'; accountName: string; credential: TokenCredential; endpointSuffix?: string; blobEndpoint?: string }
  /** A connection string (Azurite's, or an account key or SAS one). */
  | { kind: 'connectionString'; connectionString: string }
  /** An account key against an endpoint (Azurite: `http://127.0.0.1:10000/devstoreaccount1`). */
  | { kind: 'sharedKey'; accountName: string; accountKey: string; blobEndpoint: string };

export interface LakeStorageOptions {
  /** Entries per listing page, at most 5,000 (the default). */
  pageSize?: number;
  /** The SDK's retries (defaults: 3 tries, 30 s per try). */
  retry?: { maxTries?: number; tryTimeoutMs?: number; retryDelayMs?: number; maxRetryDelayMs?: number };
}

export interface LakeContainer {
  name: string;
  lastModified?: Date;
}

/** Where "Load more" continues a folder: opaque to the caller, passed back as it came. */
export interface FolderCursor {
  readonly token: string;
  /** Directory blobs whose prefix may still come (see foldListingPage). */
  readonly carry: readonly string[];
}

export interface LakeFolderPage {
  container: string;
  /** The folder listed ('' for the container's root, else ending with '/'). */
  folder: string;
  folders: LakeFolderEntry[];
  files: LakeFileEntry[];
  /** More entries follow: pass it to listFolder for the next page. */
  next?: FolderCursor;
  /** The page holds `_delta_log/`: the folder is a Delta table. */
  hasDeltaLog: boolean;
}

export interface LakeFileInfo {
  size: number;
  lastModified?: Date;
  contentType?: string;
}

export type LakeFilePreview =
  | ({ kind: 'text' } & TextPreview)
  | { kind: 'parquet'; reading: ParquetReading }
  | { kind: 'refused'; message: string };

export type WatermarkState =
  { found: true; reading: WatermarkReading; lastModified?: Date; size: number } | { found: false; message: string };

/** Bytes and requests of downloads since the adapter was made (for the log and the bench). */
export interface TransferCounts {
  downloads: number;
  bytesDownloaded: number;
}

export class LakeStorage {
  readonly accountName: string;
  /** The blob endpoint, without any query (safe to show). */
  readonly endpoint: string;
  readonly transfers: TransferCounts = { downloads: 0, bytesDownloaded: 0 };
  private readonly pageSize: number;

  private constructor(
    private readonly service: BlobServiceClient,
    options: LakeStorageOptions,
    /** The account as the caller named it (the SDK reads it from the URL, which a private endpoint or emulator may not carry). */
    accountName?: string,
  ) {
    this.accountName = accountName || service.accountName || '(unknown account)';
    this.endpoint = withoutQuery(service.url);
    this.pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(options.pageSize ?? MAX_PAGE_SIZE)));
  }

  /** An adapter for an account; a bad account name or connection string throws a LakeStorageError that says which. */
  static connect(connection: LakeConnection, options: LakeStorageOptions = {}): LakeStorage {
    const pipeline = {
      retryOptions: {
        maxTries: options.retry?.maxTries ?? 3,
        tryTimeoutInMs: options.retry?.tryTimeoutMs ?? 30_000,
        ...(options.retry?.retryDelayMs !== undefined ? { retryDelayInMs: options.retry.retryDelayMs } : {}),
        ...(options.retry?.maxRetryDelayMs !== undefined ? { maxRetryDelayInMs: options.retry.maxRetryDelayMs } : {}),
      },
      userAgentOptions: { userAgentPrefix: 'lakehouse-workbench' },
    };
    switch (connection.kind) {
      case 'token': {
        const name = connection.accountName;
        if (!/^[a-z0-9]{3,24}$/.test(name))
          throw invalidAccount(name, 'a storage account name is 3 to 24 lower-case letters and digits');
        const suffix = connection.endpointSuffix ?? 'core.windows.net';
        if (!/^[a-z0-9.-]+$/i.test(suffix))
          throw invalidAccount(name, `'${suffix}' is not an endpoint suffix like core.windows.net`);
        const url = connection.blobEndpoint ?? `https://${name}.blob.${suffix}`;
        return new LakeStorage(
          new BlobServiceClient(checkedUrl(url, name), connection.credential, pipeline),
          options,
          name,
        );
      }
      case 'sharedKey': {
        const credential = new StorageSharedKeyCredential(connection.accountName, connection.accountKey);
        return new LakeStorage(
          new BlobServiceClient(checkedUrl(connection.blobEndpoint, connection.accountName), credential, pipeline),
          options,
          connection.accountName,
        );
      }
      case 'connectionString':
        try {
          return new LakeStorage(
            BlobServiceClient.fromConnectionString(connection.connectionString, pipeline),
            options,
          );
        } catch {
          // The SDK's message may quote the string (and its key): say what, not what it holds.
          throw new LakeStorageError(
            'invalidName',
            'The storage connection string is not valid: it needs AccountName and AccountKey (or SharedAccessSignature) ' +
              'and a BlobEndpoint or DefaultEndpointsProtocol.',
            { account: '(unknown)', endpoint: '' },
          );
        }
    }
  }

  /** One page of the account's containers. */
  async listContainers(cursor?: string): Promise<{ containers: LakeContainer[]; next?: string }> {
    const target = this.target();
    try {
      const pages = this.service
        .listContainers()
        .byPage({ maxPageSize: this.pageSize, ...(cursor ? { continuationToken: cursor } : {}) });
      const result = await pages.next();
      const page: ServiceListContainersSegmentResponse | undefined = result.done ? undefined : result.value;
      const containers = (page?.containerItems ?? []).map(c => ({
        name: c.name,
        lastModified: c.properties.lastModified,
      }));
      return { containers, ...(page?.continuationToken ? { next: page.continuationToken } : {}) };
    } catch (e) {
      throw toLakeStorageError(e, 'list the containers of', target);
    }
  }

  /**
   * One page (up to 5,000 entries) of a folder's children: folders once each, files with size and
   * last-modified time. `folder` is '' for the container's root or a path ('a/b' or 'a/b/').
   */
  async listFolder(container: string, folder: string, cursor?: FolderCursor): Promise<LakeFolderPage> {
    const prefix = folderKey(folder);
    const client = this.container(container);
    const target = this.target(container, prefix || undefined);
    let page: ContainerListBlobHierarchySegmentResponse | undefined;
    try {
      const pages = client
        .listBlobsByHierarchy('/', { ...(prefix ? { prefix } : {}), includeMetadata: true })
        .byPage({ maxPageSize: this.pageSize, ...(cursor ? { continuationToken: cursor.token } : {}) });
      const result = await pages.next();
      page = result.done ? undefined : result.value;
    } catch (e) {
      throw toLakeStorageError(e, 'list', target);
    }
    const blobs: ListedBlob[] = (page?.segment.blobItems ?? []).map(b => ({
      name: b.name,
      size: b.properties.contentLength ?? 0,
      lastModified: b.properties.lastModified,
      ...(b.properties.contentType ? { contentType: b.properties.contentType } : {}),
      ...(isDirectoryMarker(b.metadata) ? { isDirectoryMarker: true } : {}),
    }));
    const prefixes = (page?.segment.blobPrefixes ?? []).map(p => p.name);
    const folded = foldListingPage(prefix, blobs, prefixes, cursor?.carry ?? []);
    const token = page?.continuationToken;
    return {
      container,
      folder: prefix,
      folders: folded.folders,
      files: folded.files,
      ...(token ? { next: { token, carry: folded.carry } } : {}),
      hasDeltaLog: prefixes.includes(`${prefix}${DELTA_LOG_FOLDER}/`),
    };
  }

  /** Size, time and type of one file. */
  async fileInfo(container: string, path: string): Promise<LakeFileInfo> {
    const target = this.target(container, path);
    try {
      const p = await this.blob(container, path).getProperties();
      return {
        size: p.contentLength ?? 0,
        ...(p.lastModified ? { lastModified: p.lastModified } : {}),
        ...(p.contentType ? { contentType: p.contentType } : {}),
      };
    } catch (e) {
      throw toLakeStorageError(e, 'read the properties of', target);
    }
  }

  /** `length` bytes at `offset` (fewer at the end of the file): one ranged GET. */
  async readRange(container: string, path: string, offset: number, length: number): Promise<Uint8Array> {
    const target = this.target(container, path);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0)
      throw new LakeStorageError(
        'invalidRange',
        `Cannot read ${path}: the range ${offset}+${length} is not valid.`,
        target,
      );
    if (length > MAX_RANGE_BYTES)
      throw new LakeStorageError(
        'invalidRange',
        `Cannot read ${length} bytes of ${path} at once: at most ${MAX_RANGE_BYTES}.`,
        target,
      );
    if (length === 0) return new Uint8Array(0);
    try {
      const response = await this.blob(container, path).download(offset, length, { maxRetryRequests: 2 });
      const bytes = await readBody(response.readableStreamBody, length);
      this.transfers.downloads++;
      this.transfers.bytesDownloaded += bytes.byteLength;
      return bytes;
    } catch (e) {
      throw toLakeStorageError(e, 'read', target);
    }
  }

  /**
   * What opening a file shows (read-only): the first MiB of a text file with a note when cut, a
   * parquet file's schema, row count and row groups from its footer, or why it is not shown.
   */
  async previewFile(
    container: string,
    path: string,
    options: { size?: number; limitBytes?: number } = {},
  ): Promise<LakeFilePreview> {
    const size = options.size ?? (await this.fileInfo(container, path)).size;
    const plan = previewPlan(path, size, options.limitBytes ?? PREVIEW_LIMIT_BYTES);
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (plan.kind === 'refused') return plan;
    if (plan.kind === 'parquet') return { kind: 'parquet', reading: await this.readParquet(container, path, size) };
    const bytes = await this.readRange(container, path, 0, plan.readBytes);
    return { kind: 'text', ...textPreview(plan, bytes, name) };
  }

  /** A parquet file's schema, row count and row groups, from ranged reads of its footer only. */
  async readParquet(container: string, path: string, size?: number): Promise<ParquetReading> {
    const bytes = size ?? (await this.fileInfo(container, path)).size;
    const name = path.slice(path.lastIndexOf('/') + 1);
    return readParquetSummary(bytes, (offset, length) => this.readRange(container, path, offset, length), { name });
  }

  /**
   * A table's watermark from its cdc.json (`file`: the path in the container, e.g. `users_cdc/cdc.json`).
   * A missing file is an answer (no run has written it yet), not an error.
   */
  async readWatermark(container: string, file: string, mode?: CdcMode): Promise<WatermarkState> {
    let info: LakeFileInfo;
    try {
      info = await this.fileInfo(container, file);
    } catch (e) {
      if (e instanceof LakeStorageError && e.kind === 'notFound')
        return {
          found: false,
          message:
            e.code === 'ContainerNotFound'
              ? `No watermark: container '${container}' does not exist in storage account '${this.accountName}'.`
              : `No watermark yet: ${file} does not exist (the pipeline writes it on the table's first run).`,
        };
      throw e;
    }
    if (info.size > MAX_WATERMARK_BYTES)
      return {
        found: true,
        size: info.size,
        ...(info.lastModified ? { lastModified: info.lastModified } : {}),
        reading: { ok: false, message: `${file} is ${info.size} bytes; a watermark file holds one small JSON object.` },
      };
    const bytes = await this.readRange(container, file, 0, info.size);
    return {
      found: true,
      size: info.size,
      ...(info.lastModified ? { lastModified: info.lastModified } : {}),
      reading: parseWatermarkFile(bytes, mode),
    };
  }

  /**
   * A Delta table's versions, newest first: the log's listing (paged, keeping the newest `limit`
   * commits), `_last_checkpoint`, and the head of each of those commit files for its commitInfo.
   */
  async readDeltaHistory(
    container: string,
    tableFolder: string,
    options: { limit?: number; maxPages?: number; concurrency?: number } = {},
  ): Promise<DeltaHistory> {
    const limit = Math.max(1, options.limit ?? 50);
    const maxPages = Math.max(1, options.maxPages ?? 20);
    const logFolder = `${folderKey(tableFolder)}${DELTA_LOG_FOLDER}/`;
    const listing = new DeltaLogListing(limit);
    const notes: string[] = [];
    let cursor: FolderCursor | undefined;
    let pages = 0;
    do {
      const page = await this.listFolder(container, logFolder, cursor);
      for (const file of page.files) listing.add(file.name, file.size, file.lastModified);
      cursor = page.next;
      pages++;
    } while (cursor && pages < maxPages);
    if (cursor)
      notes.push(
        `The log has more than ${(maxPages * this.pageSize).toLocaleString('en-US')} files; versions after them are not shown.`,
      );
    if (listing.commitCount === 0 && !listing.hasLastCheckpoint) {
      notes.push(`No Delta log in ${logFolder}: the folder is not a Delta table (yet).`);
      return { versions: [], commitCount: 0, checkpoints: listing.checkpoints(), notes };
    }
    let lastCheckpoint: DeltaHistory['lastCheckpoint'];
    if (listing.hasLastCheckpoint) {
      try {
        const info = await this.fileInfo(container, `${logFolder}_last_checkpoint`);
        const text = new TextDecoder().decode(
          await this.readRange(container, `${logFolder}_last_checkpoint`, 0, Math.min(info.size, 1024 * 1024)),
        );
        const parsed = parseLastCheckpoint(text);
        if ('problem' in parsed) notes.push(parsed.problem);
        else lastCheckpoint = parsed;
      } catch (e) {
        if (!(e instanceof LakeStorageError && e.kind === 'notFound')) throw e;
      }
    }
    const commits = listing.newestCommits();
    const versions = await mapLimit(commits, options.concurrency ?? 8, async (commit): Promise<DeltaVersion> => {
      const size = commit.size ?? COMMIT_HEAD_BYTES;
      const head = Math.min(size, COMMIT_HEAD_BYTES);
      try {
        const bytes = await this.readRange(container, `${logFolder}${commit.name}`, 0, head);
        const parsed = parseDeltaCommit(commit.version, new TextDecoder().decode(bytes), {
          truncated: size > head,
          size,
          ...(commit.lastModified ? { lastModified: commit.lastModified } : {}),
        });
        return { ...parsed, file: commit.name };
      } catch (e) {
        // Cleaned up between the listing and the read (log retention): the version is gone.
        if (e instanceof LakeStorageError && e.kind === 'notFound')
          return {
            version: commit.version,
            file: commit.name,
            problem: 'The commit file was removed since the log was listed (log clean-up).',
          };
        throw e;
      }
    });
    if (listing.oldestVersion !== undefined && listing.oldestVersion > 0)
      notes.push(
        `Versions before ${listing.oldestVersion} were cleaned up from the log (they live on in checkpoints).`,
      );
    return {
      versions,
      ...(listing.latestVersion !== undefined ? { latestVersion: listing.latestVersion } : {}),
      ...(listing.oldestVersion !== undefined ? { oldestVersion: listing.oldestVersion } : {}),
      commitCount: listing.commitCount,
      checkpoints: listing.checkpoints(),
      ...(lastCheckpoint ? { lastCheckpoint } : {}),
      notes,
    };
  }

  private container(name: string): ContainerClient {
    const problem = containerNameProblem(name);
    if (problem) throw new LakeStorageError('invalidName', problem, this.target(name));
    return this.service.getContainerClient(name);
  }

  private blob(container: string, path: string) {
    if (!path || path.length > 1024 || path.endsWith('/'))
      throw new LakeStorageError(
        'invalidName',
        `'${path}' is not a file name in Azure Storage.`,
        this.target(container, path),
      );
    // The SDK encodes each segment of the name (encodeURIComponent): names are data, '%' and '#' included.
    return this.container(container).getBlobClient(path);
  }

  private target(container?: string, path?: string): LakeTarget {
    return {
      account: this.accountName,
      endpoint: this.endpoint,
      ...(container ? { container } : {}),
      ...(path ? { path } : {}),
    };
  }
}

function isDirectoryMarker(metadata: Record<string, string> | undefined): boolean {
  if (!metadata) return false;
  for (const [key, value] of Object.entries(metadata))
    if (key.toLowerCase() === 'hdi_isfolder') return value.toLowerCase() === 'true';
  return false;
}

function withoutQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function checkedUrl(url: string, account: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidAccount(account, 'the blob endpoint is not a URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw invalidAccount(account, 'the blob endpoint is not http(s)');
  return url;
}

function invalidAccount(account: string, why: string): LakeStorageError {
  return new LakeStorageError('invalidName', `Cannot open storage account '${account}': ${why}.`, {
    account,
    endpoint: '',
  });
}

/** A response body of at most `limit` bytes (the range asked). */
async function readBody(body: NodeJS.ReadableStream | undefined, limit: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buffer.byteLength;
    if (total > limit) throw new Error(`the service sent more than the ${limit} bytes asked`);
    chunks.push(buffer);
  }
  const out = Buffer.concat(chunks, total);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** `fn` over `items`, at most `limit` at a time, results in the items' order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
