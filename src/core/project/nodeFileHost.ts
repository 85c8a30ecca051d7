import { promises as fs } from 'fs';
import type { FileHost } from './fileHost';

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The disk, through Node's fs (CLI, benchmarks, and the editor underneath its buffers). */
export class NodeFileHost implements FileHost {
  async readFile(path: string): Promise<Uint8Array | undefined> {
    try {
      return await fs.readFile(path);
    } catch (e) {
      if (isMissing(e) || (e as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
      throw e;
    }
  }

  async readDirectory(path: string): Promise<string[] | undefined> {
    try {
      const entries = await fs.readdir(path, { withFileTypes: true });
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
}
