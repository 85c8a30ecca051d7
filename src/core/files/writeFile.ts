// Writes: atomic (a failure never leaves half a file) and, for anything whose path comes from the
// metadata or an ADF folder, contained (see containment.ts).
import { promises as fs } from 'fs';
import * as path from 'path';
import type { Containment } from './containment';
import type { EntryType, FileHost } from './fileHost';

/** A write that was refused before anything was written; the message says why. */
export class WriteRefusedError extends Error {}

/** Writes through a temporary file and a rename, so a failure never leaves half a file. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await fs.writeFile(tmp, text, 'utf8');
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** What is at a path on disk, a final link not followed (lstat); undefined when nothing (or unreadable). */
export async function entryTypeOnDisk(file: string): Promise<EntryType | undefined> {
  let stat;
  try {
    stat = await fs.lstat(file);
  } catch {
    return undefined;
  }
  return stat.isSymbolicLink() ? 'symlink' : stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other';
}

const DISK: Pick<FileHost, 'entryType' | 'writeFile'> = { entryType: entryTypeOnDisk, writeFile: writeFileAtomic };

/**
 * Why `file` may not be written (outside the project, a link, a special file), or undefined.
 * The link and type checks ask `host` (the disk by default); a host without entryType gets the
 * containment check only.
 */
export async function writeProblem(
  containment: Containment,
  file: string,
  shown = file,
  host: Pick<FileHost, 'entryType'> = DISK,
): Promise<string | undefined> {
  const outside = await containment.problem(file, `'${shown}'`);
  if (outside) return outside;
  const type = await host.entryType?.(file);
  if (type === undefined || type === 'file') return undefined; // a new file, or a regular one
  if (type === 'symlink')
    return (
      `'${shown}' is a symbolic link; it is neither followed nor replaced. ` +
      `Replace it with a regular file to let it be written.`
    );
  return `'${shown}' exists and is not a regular file; it is not replaced.`;
}

/** Writes inside the containment (through `host`, the disk by default); throws WriteRefusedError before writing anything otherwise. */
export async function writeContained(
  containment: Containment,
  file: string,
  text: string,
  shown = file,
  host: Pick<FileHost, 'entryType' | 'writeFile'> = DISK,
): Promise<void> {
  const problem = await writeProblem(containment, file, shown, host);
  if (problem) throw new WriteRefusedError(problem);
  await host.writeFile(file, text);
}

/**
 * The host with every write checked against the containment first (WriteRefusedError, nothing
 * written); reads are unchanged. What the CLI and the editor hand to writeOutputs and writeAdfPlan.
 */
export function containedHost(
  host: FileHost,
  containment: Containment,
  shown: (file: string) => string = file => file,
): FileHost {
  return {
    readFile: (file, options) => host.readFile(file, options),
    readDirectory: dir => host.readDirectory(dir),
    ...(host.fileSize ? { fileSize: (file: string) => host.fileSize!(file) } : {}),
    ...(host.realPath ? { realPath: (file: string) => host.realPath!(file) } : {}),
    ...(host.entryType ? { entryType: (file: string) => host.entryType!(file) } : {}),
    writeFile: (file, text) => writeContained(containment, file, text, shown(file), host),
  };
}
