// Append-only JSON-lines files on disk for the backfill journals: each append written and
// fsynced before it resolves (the file's folder fsynced too when the file is new, so the file
// itself survives a crash). One folder holds one file per backfill, <id>.jsonl; while a process
// runs a backfill it holds <id>.lock, so the CLI and the editor never run the same one at once
// (two runners of one journal would each start its pending partitions: twice).
import { promises as fs, constants } from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Where a project keeps its backfill journals, for the CLI and the editor alike (resume either's). */
export function backfillJournalDir(projectDir: string): string {
  return path.join(projectDir, '.lakehouse', 'backfills');
}

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

  /**
   * Holds the backfill for this process until release(): refused with a clear message while
   * another live process (or this one) holds it. A lock left by a process that died on this
   * machine is taken over; one from another machine cannot be checked and is reported.
   */
  async lock(id: string): Promise<JournalLock> {
    this.file(id); // checks the id is a file name
    const file = path.join(this.folder, `${id}.lock`);
    await fs.mkdir(this.folder, { recursive: true });
    const mine: LockOwner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.writeFile(file, JSON.stringify(mine), { flag: 'wx' });
        let released = false;
        return {
          release: async () => {
            if (released) return;
            released = true;
            await fs.rm(file, { force: true });
          },
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw lockError(e, id, file);
      }
      const owner = await readOwner(file);
      const stale = owner !== undefined && owner.host === mine.host && owner.pid !== process.pid && !alive(owner.pid);
      if (!stale) throw new JournalLockedError(lockedMessage(id, file, owner, mine));
      await fs.rm(file, { force: true });
    }
  }

  /** Whether a live process (this one included), or one on another machine, holds the backfill now. */
  async isHeld(id: string): Promise<boolean> {
    this.file(id);
    const file = path.join(this.folder, `${id}.lock`);
    if (
      !(await fs.access(file).then(
        () => true,
        () => false,
      ))
    )
      return false;
    const owner = await readOwner(file);
    return owner === undefined || owner.host !== os.hostname() || owner.pid === process.pid || alive(owner.pid);
  }

  async close(): Promise<void> {
    await Promise.all([...this.open.values()].map(f => f.close()));
    this.open.clear();
  }
}

export interface JournalLock {
  release(): Promise<void>;
}

/** Another process (or this one) runs the backfill. */
export class JournalLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JournalLockedError';
  }
}

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    const value = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.since === 'string')
      return value as LockOwner;
  } catch {
    // Unreadable (being written, or damaged): reported as held by someone unknown.
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockedMessage(id: string, file: string, owner: LockOwner | undefined, mine: LockOwner): string {
  if (owner && owner.host === mine.host && owner.pid === mine.pid)
    return `Backfill ${id} is running already in this window.`;
  const who = owner
    ? `process ${owner.pid}${owner.host === mine.host ? '' : ` on ${owner.host}`} (since ${owner.since})`
    : 'another process';
  return (
    `Backfill ${id} is being run by ${who}: wait for it to end or stop it (Ctrl-C, or Cancel in the editor). ` +
    `If no process runs it any more, delete ${file}.`
  );
}

function lockError(e: unknown, id: string, file: string): Error {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EEXIST') return new JournalLockedError(`Backfill ${id} is being run by another process (${file}).`);
  return err;
}
