// Append-only JSON-lines files on disk for the backfill journals: each append written and
// fsynced before it resolves (the file's folder fsynced too when the file is new, so the file
// itself survives a crash). One folder holds one file per backfill, <id>.jsonl.
import { promises as fs, constants } from 'fs';
import * as path from 'path';

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** One append-only file. Appends are serialised; each resolves once its text is on disk. */
export class AppendOnlyFile {
  private handle: fs.FileHandle | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {}

  async read(): Promise<string | undefined> {
    try {
      return await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  append(text: string): Promise<void> {
    const next = this.chain.then(() => this.write(text));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async write(text: string): Promise<void> {
    if (!this.handle) {
      const dir = path.dirname(this.file);
      await fs.mkdir(dir, { recursive: true });
      const existed = await fs
        .access(this.file, constants.F_OK)
        .then(() => true)
        .catch(() => false);
      this.handle = await fs.open(this.file, 'a');
      if (!existed) await syncFolder(dir);
    }
    await this.handle.write(text);
    await this.handle.datasync();
  }

  /** Closes the file (appends after this reopen it). */
  async close(): Promise<void> {
    await this.chain;
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }
}

/** fsync of a folder, so a new entry in it survives a crash (not supported on Windows: skipped there). */
async function syncFolder(dir: string): Promise<void> {
  let h: fs.FileHandle | undefined;
  try {
    h = await fs.open(dir, 'r');
    await h.sync();
  } catch {
    // Windows cannot open a folder for fsync; NTFS journals the entry itself.
  } finally {
    await h?.close();
  }
}

/** A folder of journals: <folder>/<id>.jsonl. */
export class JournalFolderOnDisk {
  private readonly open = new Map<string, AppendOnlyFile>();

  constructor(readonly folder: string) {}

  file(id: string): AppendOnlyFile {
    if (!ID.test(id)) throw new Error(`${JSON.stringify(id)} is not a backfill id (letters, digits, '-' and '_').`);
    let f = this.open.get(id);
    if (!f) this.open.set(id, (f = new AppendOnlyFile(path.join(this.folder, `${id}.jsonl`))));
    return f;
  }

  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.folder);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return names
      .filter(n => n.endsWith('.jsonl'))
      .map(n => n.slice(0, -'.jsonl'.length))
      .filter(id => ID.test(id))
      .sort();
  }

  async close(): Promise<void> {
    await Promise.all([...this.open.values()].map(f => f.close()));
    this.open.clear();
  }
}
