// Writes: atomic (a failure never leaves half a file) and, for anything whose path comes from the
// metadata or an ADF folder, contained (see containment.ts).
import { promises as fs } from 'fs';
import * as path from 'path';
import type { Containment } from './containment';

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

/** Why `file` may not be written (outside the project, a link, a special file), or undefined. */
export async function writeProblem(containment: Containment, file: string, shown = file): Promise<string | undefined> {
  const outside = await containment.problem(file, `'${shown}'`);
  if (outside) return outside;
  let stat;
  try {
    stat = await fs.lstat(file);
  } catch {
    return undefined; // a new file
  }
  if (stat.isSymbolicLink())
    return `'${shown}' is a symbolic link; it is neither followed nor replaced. Replace it with a regular file to let it be written.`;
  if (!stat.isFile()) return `'${shown}' exists and is not a regular file; it is not replaced.`;
  return undefined;
}

/** writeFileAtomic inside the containment; throws WriteRefusedError before writing anything otherwise. */
export async function writeContained(
  containment: Containment,
  file: string,
  text: string,
  shown = file,
): Promise<void> {
  const problem = await writeProblem(containment, file, shown);
  if (problem) throw new WriteRefusedError(problem);
  await writeFileAtomic(file, text);
}
