import * as path from 'path';
import type { FileHost } from '../../../src/core/files/fileHost';

export type FileContent = string | Uint8Array;

export interface MemoryHostOptions {
  /** Report sizes through fileSize (the default, like the disk). false: a host without fileSize. */
  withFileSize?: boolean;
  /** Sizes to report instead of the content's, by absolute path (a huge file without its bytes). */
  sizes?: Record<string, number>;
  /** Paths whose reads fail with an I/O error (EACCES). */
  failing?: string[];
}

/**
 * An in-memory FileHost: a project built from strings, so tests never touch the disk. Paths are
 * absolute; folders exist implicitly for every file below them (and can be added empty).
 */
export class MemoryHost implements FileHost {
  private readonly files = new Map<string, FileContent>();
  private readonly dirs = new Set<string>();
  private readonly sizes: Map<string, number>;
  private readonly failing: Set<string>;
  /** Every path read through readFile, in order (to check what the loader touched). */
  readonly reads: string[] = [];
  fileSize?: (file: string) => Promise<number | undefined>;

  constructor(files: Record<string, FileContent> = {}, options: MemoryHostOptions = {}) {
    this.sizes = new Map(Object.entries(options.sizes ?? {}).map(([p, n]) => [path.resolve(p), n]));
    this.failing = new Set((options.failing ?? []).map(p => path.resolve(p)));
    for (const [file, content] of Object.entries(files)) this.write(file, content);
    if (options.withFileSize !== false) {
      this.fileSize = async file => {
        const p = path.resolve(file);
        const content = this.files.get(p);
        if (content === undefined) return undefined;
        return (
          this.sizes.get(p) ?? (typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.byteLength)
        );
      };
    }
  }

  write(file: string, content: FileContent): void {
    const p = path.resolve(file);
    this.files.set(p, content);
    this.mkdir(path.dirname(p));
  }

  mkdir(dir: string): void {
    let d = path.resolve(dir);
    for (;;) {
      this.dirs.add(d);
      const parent = path.dirname(d);
      if (parent === d) return;
      d = parent;
    }
  }

  async readFile(file: string): Promise<FileContent | undefined> {
    const p = path.resolve(file);
    this.reads.push(p);
    if (this.failing.has(p))
      throw Object.assign(new Error(`EACCES: permission denied, open '${p}'`), { code: 'EACCES' });
    return this.files.get(p);
  }

  /** Every write through writeFile, in order. */
  readonly writes: string[] = [];

  async writeFile(file: string, text: string): Promise<void> {
    this.writes.push(path.resolve(file));
    this.write(file, text);
  }

  async readDirectory(dir: string): Promise<string[] | undefined> {
    const d = path.resolve(dir);
    if (!this.dirs.has(d)) return undefined;
    const entries = new Set<string>();
    for (const file of this.files.keys()) if (path.dirname(file) === d) entries.add(path.basename(file));
    for (const sub of this.dirs) if (sub !== d && path.dirname(sub) === d) entries.add(`${path.basename(sub)}/`);
    return [...entries].sort();
  }
}
