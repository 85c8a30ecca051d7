import { tooLargeMessage } from './messages';

export { tooLargeMessage };

/**
 * What the core needs from a file system. The CLI reads the disk; the editor overlays unsaved
 * buffers. Every read, listing, stat, link resolution and write of a project file goes through
 * it: the core has no fs calls of its own outside src/core/files. Reads return regular files
 * only: a FIFO, a device or a file over the size limit is refused with FileRefusedError (see
 * files/checkedRead.ts), never read.
 */
export interface FileHost {
  /**
   * The file's bytes or text; undefined when there is no such file. Throws FileRefusedError for
   * what must not be read (over options.maxBytes, default the host's limit), other errors on I/O
   * errors.
   */
  readFile(path: string, options?: ReadOptions): Promise<Uint8Array | string | undefined>;
  /** Entries of a directory (names, with a trailing '/' for directories); undefined when missing. */
  readDirectory(path: string): Promise<string[] | undefined>;
  /** Size in bytes, or undefined when missing; lets the loader refuse huge files before reading them. */
  fileSize?(path: string): Promise<number | undefined>;
  /** The path with symbolic links resolved; undefined when it does not exist. Without it, containment is checked on the path's text only. */
  realPath?(path: string): Promise<string | undefined>;
  /**
   * What is at the path itself, a final symbolic link not followed (lstat); undefined when nothing.
   * Writes use it to refuse replacing a link or a special file; without it they check containment only.
   */
  entryType?(path: string): Promise<EntryType | undefined>;
  /** Writes the text as UTF-8, atomically (never half a file), creating missing folders. */
  writeFile(path: string, text: string): Promise<void>;
}

export interface ReadOptions {
  /** This read's size limit in bytes (generated files may be larger than metadata files). */
  maxBytes?: number;
  /** The limit's name in the refusal message ("for generated files"). */
  what?: string;
}

export type EntryType = 'file' | 'directory' | 'symlink' | 'other';

/** A file the host will not read (not a regular file, too large); the message says why and never quotes its content. */
export class FileRefusedError extends Error {}

export const MAX_FILE_BYTES = 5 * 1024 * 1024;

export type DecodedFile = { ok: true; text: string } | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a file's content, refusing binary, non-UTF-8 and oversized content with a reason a user can act on. */
export function decodeText(content: Uint8Array | string, maxBytes = MAX_FILE_BYTES): DecodedFile {
  if (typeof content === 'string') {
    // The limit is in bytes, as on disk: an unsaved buffer is measured as the file it would be.
    const bytes = content.length > maxBytes / 3 ? Buffer.byteLength(content, 'utf8') : content.length;
    if (bytes > maxBytes) return { ok: false, reason: tooLargeMessage(bytes, maxBytes) };
    if (content.includes('\u0000'))
      return { ok: false, reason: 'The file is binary (it contains NUL bytes), not text.' };
    return { ok: true, text: stripBom(content) };
  }
  if (content.byteLength > maxBytes) return { ok: false, reason: tooLargeMessage(content.byteLength, maxBytes) };
  // The whole file, as for an editor buffer: the same content must read the same from either.
  if (content.includes(0)) return { ok: false, reason: 'The file is binary (it contains NUL bytes), not text.' };
  try {
    return { ok: true, text: stripBom(utf8.decode(content)) };
  } catch {
    return { ok: false, reason: 'The file is not valid UTF-8 text. Save it as UTF-8.' };
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
