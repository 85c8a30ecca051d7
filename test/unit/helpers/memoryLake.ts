// A lake in memory for the Lake view's tree tests: blobs by container, listed the way the Blob API
// lists by hierarchy (names in order, blobs and prefixes counted together against the page size,
// an opaque continuation token) and folded by the core's foldListingPage, as the real adapter does.
// The real adapter on the wire is tested against Azurite (test/azure/lakeStorage.test.ts, lakeTree.test.ts).
import { foldListingPage, type ListedBlob } from '../../../src/core/lake/listing';
import { parseWatermarkFile } from '../../../src/core/lake/watermark';
import { parseDeltaCommit, type DeltaHistory } from '../../../src/core/lake/deltaLog';
import type { CdcMode } from '../../../src/core/metadata/model';
import type {
  FolderCursor,
  LakeContainer,
  LakeFilePreview,
  LakeFolderPage,
  WatermarkState,
} from '../../../src/azure/lake/lakeStorage';
import type { LakeBrowser } from '../../../src/extension/lake/lakeTreeModel';

export interface MemoryBlob {
  body: string;
  lastModified?: Date;
  /** A hierarchical account's directory (metadata hdi_isfolder=true). */
  directory?: boolean;
}

/** An error as the adapter throws it (LakeStorageError is recognised by its name and kind). */
export function lakeError(
  kind: string,
  message: string,
  extra: { status?: number; code?: string; container?: string } = {},
) {
  const error = new Error(message) as Error & { kind: string; status?: number; code?: string; target: object };
  error.name = 'LakeStorageError';
  error.kind = kind;
  if (extra.status !== undefined) error.status = extra.status;
  if (extra.code !== undefined) error.code = extra.code;
  error.target = {
    account: 'memory',
    endpoint: 'memory://',
    ...(extra.container ? { container: extra.container } : {}),
  };
  return error;
}

export class MemoryLake implements LakeBrowser {
  readonly accountName = 'memoryaccount';
  readonly endpoint = 'https://memoryaccount.blob.core.windows.net';
  readonly containers = new Map<string, Map<string, MemoryBlob>>();
  /** Calls made, for assertions on what the tree read (and did not read). */
  readonly calls: string[] = [];
  /** Makes the next calls whose text starts with the key throw the error (once each time it is set). */
  readonly failures = new Map<string, Error>();

  constructor(private readonly pageSize = 5000) {}

  put(container: string, name: string, blob: MemoryBlob | string): this {
    let blobs = this.containers.get(container);
    if (!blobs) this.containers.set(container, (blobs = new Map()));
    blobs.set(name, typeof blob === 'string' ? { body: blob } : blob);
    return this;
  }

  private check(call: string): void {
    this.calls.push(call);
    for (const [key, error] of this.failures)
      if (call.startsWith(key)) {
        this.failures.delete(key);
        throw error;
      }
  }

  async listContainers(cursor?: string): Promise<{ containers: LakeContainer[]; next?: string }> {
    this.check('listContainers');
    const names = [...this.containers.keys()].sort();
    const start = cursor ? Number(cursor) : 0;
    const page = names.slice(start, start + this.pageSize);
    const end = start + page.length;
    return { containers: page.map(name => ({ name })), ...(end < names.length ? { next: String(end) } : {}) };
  }

  async listFolder(container: string, folder: string, cursor?: FolderCursor): Promise<LakeFolderPage> {
    const prefix = folder && !folder.endsWith('/') ? `${folder}/` : folder;
    this.check(`listFolder ${container}/${prefix}${cursor ? ` @${cursor.token}` : ''}`);
    const blobs = this.containers.get(container);
    if (!blobs)
      throw lakeError('notFound', `container '${container}' does not exist`, {
        status: 404,
        code: 'ContainerNotFound',
        container,
      });
    // The service's entries in name order: blobs directly in the folder, and one prefix per subfolder.
    const entries = new Map<string, { blob?: ListedBlob; prefix?: string }>();
    for (const [name, blob] of blobs) {
      if (!name.startsWith(prefix)) continue;
      const rest = name.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash >= 0) {
        const p = `${prefix}${rest.slice(0, slash + 1)}`;
        entries.set(p, { prefix: p });
      } else
        entries.set(name, {
          blob: {
            name,
            size: Buffer.byteLength(blob.body),
            ...(blob.lastModified ? { lastModified: blob.lastModified } : {}),
            ...(blob.directory ? { isDirectoryMarker: true } : {}),
          },
        });
    }
    const ordered = [...entries.keys()].sort();
    const start = cursor ? Number(cursor.token) : 0;
    const page = ordered.slice(start, start + this.pageSize).map(k => entries.get(k)!);
    const end = start + page.length;
    const pageBlobs = page.flatMap(e => (e.blob ? [e.blob] : []));
    const prefixes = page.flatMap(e => (e.prefix ? [e.prefix] : []));
    const folded = foldListingPage(prefix, pageBlobs, prefixes, cursor?.carry ?? []);
    return {
      container,
      folder: prefix,
      folders: folded.folders,
      files: folded.files,
      ...(end < ordered.length ? { next: { token: String(end), carry: folded.carry } } : {}),
      hasDeltaLog: prefixes.includes(`${prefix}_delta_log/`),
    };
  }

  async readWatermark(container: string, file: string, mode?: CdcMode): Promise<WatermarkState> {
    this.check(`readWatermark ${container}/${file}`);
    const blob = this.containers.get(container)?.get(file);
    if (!blob) return { found: false, message: `No watermark yet: ${file} does not exist.` };
    return {
      found: true,
      size: Buffer.byteLength(blob.body),
      ...(blob.lastModified ? { lastModified: blob.lastModified } : {}),
      reading: parseWatermarkFile(blob.body, mode),
    };
  }

  async readDeltaHistory(
    container: string,
    tableFolder: string,
    options: { limit?: number } = {},
  ): Promise<DeltaHistory> {
    const log = `${tableFolder}_delta_log/`;
    this.check(`readDeltaHistory ${container}/${log}`);
    const commits = [...(this.containers.get(container) ?? new Map<string, MemoryBlob>()).entries()]
      .filter(([name]) => name.startsWith(log) && /^\d{20}\.json$/.test(name.slice(log.length)))
      .map(([name, blob]) => ({
        version: Number(name.slice(log.length, log.length + 20)),
        file: name.slice(log.length),
        blob,
      }))
      .sort((a, b) => b.version - a.version);
    const shown = commits.slice(0, options.limit ?? 50);
    return {
      versions: shown.map(c => ({ ...parseDeltaCommit(c.version, c.blob.body), file: c.file })),
      ...(commits[0] ? { latestVersion: commits[0].version, oldestVersion: commits[commits.length - 1]!.version } : {}),
      commitCount: commits.length,
      checkpoints: [],
      notes: [],
    };
  }

  async previewFile(container: string, path: string): Promise<LakeFilePreview> {
    this.check(`previewFile ${container}/${path}`);
    const blob = this.containers.get(container)?.get(path);
    if (!blob) throw lakeError('notFound', `${path} does not exist`, { status: 404, code: 'BlobNotFound' });
    return { kind: 'text', ok: true, text: blob.body, language: 'plaintext', truncated: false };
  }
}
