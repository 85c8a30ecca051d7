// The one way the product reads a file from disk: regular files only (a FIFO would hang the read,
// /dev/zero would never end), the type checked before anything is read, the size limit enforced
// in bytes on what is really read (a file may grow, /proc files report size 0), and an optional
// containment check (see containment.ts) before the file is even opened.
import * as fs from 'fs';
import { tooLargeMessage } from './messages';

export type CheckedRead =
  { status: 'ok'; bytes: Uint8Array } | { status: 'missing' } | { status: 'refused'; reason: string };

export interface ReadLimits {
  /** Refuse files over this many bytes. */
  maxBytes: number;
  /** The limit's name in messages ("for metadata files", "for templates"). */
  what?: string;
}

const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}

/** Why a file of this type cannot be read as text, or undefined for a regular file. */
export function fileTypeProblem(stat: fs.Stats): string | undefined {
  if (stat.isFile()) return undefined;
  if (stat.isDirectory()) return 'It is a folder, not a file.';
  if (stat.isFIFO()) return 'It is a named pipe (FIFO), not a regular file; reading it could wait forever.';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'It is a device, not a regular file.';
  if (stat.isSocket()) return 'It is a socket, not a regular file.';
  return 'It is not a regular file.';
}

export async function readChecked(file: string, limits: ReadLimits): Promise<CheckedRead> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (e) {
    if (isMissing(e)) return { status: 'missing' };
    throw e;
  }
  const typeProblem = fileTypeProblem(stat);
  if (typeProblem) return stat.isDirectory() ? { status: 'missing' } : { status: 'refused', reason: typeProblem };
  if (stat.size > limits.maxBytes)
    return { status: 'refused', reason: tooLargeMessage(stat.size, limits.maxBytes, limits.what) };
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, OPEN_FLAGS);
  } catch (e) {
    if (isMissing(e)) return { status: 'missing' };
    throw e;
  }
  try {
    // The file may have been replaced between stat and open: judge what was opened.
    const opened = await handle.stat();
    const problem = fileTypeProblem(opened);
    if (problem) return { status: 'refused', reason: problem };
    const buffer = Buffer.alloc(Math.min(opened.size, limits.maxBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) break;
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > limits.maxBytes || (length === buffer.length && !(await atEnd(handle)))) {
      return {
        status: 'refused',
        reason: tooLargeMessage(Math.max(length, opened.size), limits.maxBytes, limits.what),
      };
    }
    return { status: 'ok', bytes: buffer.subarray(0, length) };
  } finally {
    await handle.close();
  }
}

async function atEnd(handle: fs.promises.FileHandle): Promise<boolean> {
  const probe = Buffer.alloc(1);
  return (await handle.read(probe, 0, 1, null)).bytesRead === 0;
}

/** readChecked for callers that cannot wait (the template engine resolves includes synchronously). */
export function readCheckedSync(file: string, limits: ReadLimits): CheckedRead {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file, { throwIfNoEntry: false });
  } catch (e) {
    if (isMissing(e)) return { status: 'missing' };
    throw e;
  }
  if (!stat) return { status: 'missing' };
  const typeProblem = fileTypeProblem(stat);
  if (typeProblem) return stat.isDirectory() ? { status: 'missing' } : { status: 'refused', reason: typeProblem };
  if (stat.size > limits.maxBytes)
    return { status: 'refused', reason: tooLargeMessage(stat.size, limits.maxBytes, limits.what) };
  let fd: number;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch (e) {
    if (isMissing(e)) return { status: 'missing' };
    throw e;
  }
  try {
    const opened = fs.fstatSync(fd);
    const problem = fileTypeProblem(opened);
    if (problem) return { status: 'refused', reason: problem };
    const buffer = Buffer.alloc(Math.min(opened.size, limits.maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const bytesRead = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    const more = length === buffer.length && fs.readSync(fd, Buffer.alloc(1), 0, 1, null) > 0;
    if (length > limits.maxBytes || more)
      return {
        status: 'refused',
        reason: tooLargeMessage(Math.max(length, opened.size), limits.maxBytes, limits.what),
      };
    return { status: 'ok', bytes: buffer.subarray(0, length) };
  } finally {
    fs.closeSync(fd);
  }
}

/** The path with symbolic links resolved, or undefined when it does not exist (for sync callers). */
export function realPathSync(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined;
  }
}
