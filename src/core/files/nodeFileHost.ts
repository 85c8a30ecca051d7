import { promises as fs } from 'fs';
import { readChecked } from './checkedRead';
import { FileRefusedError, MAX_FILE_BYTES, type EntryType, type FileHost, type ReadOptions } from './fileHost';
import { entryTypeOnDisk, writeFileAtomic } from './writeFile';

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}

/** The disk, through Node's fs (CLI, benchmarks, and the editor underneath its buffers). */
export class NodeFileHost implements FileHost {
  constructor(private readonly maxBytes = MAX_FILE_BYTES) {}

  async readFile(path: string, options: ReadOptions = {}): Promise<Uint8Array | undefined> {
    const read = await readChecked(path, {
      maxBytes: options.maxBytes ?? this.maxBytes,
      ...(options.what !== undefined ? { what: options.what } : {}),
    });
    if (read.status === 'missing') return undefined;
    if (read.status === 'refused') throw new FileRefusedError(read.reason);
    return read.bytes;
  }

  async readDirectory(path: string): Promise<string[] | undefined> {
    try {
      const entries = await fs.readdir(path, { withFileTypes: true });
      // Links are listed as files, never descended into (a link to a parent folder would make
      // '**' endless); reading one goes through the containment check like any other path.
      return entries.map(e => (e.isDirectory() ? `${e.name}/` : e.name));
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async fileSize(path: string): Promise<number | undefined> {
    try {
      const st = await fs.stat(path);
      return st.isFile() ? st.size : undefined;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async realPath(path: string): Promise<string | undefined> {
    try {
      return await fs.realpath(path);
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  entryType(path: string): Promise<EntryType | undefined> {
    return entryTypeOnDisk(path);
  }

  writeFile(path: string, text: string): Promise<void> {
    return writeFileAtomic(path, text);
  }
}
