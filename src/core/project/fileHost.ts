/** What the core needs from a file system. The CLI reads the disk; the editor overlays unsaved buffers. */
export interface FileHost {
  /** The file's bytes or text; undefined when there is no such file. Throws only on I/O errors. */
  readFile(path: string): Promise<Uint8Array | string | undefined>;
  /** Entries of a directory (names, with a trailing '/' for directories); undefined when missing. */
  readDirectory(path: string): Promise<string[] | undefined>;
  /** Size in bytes, or undefined when missing; lets the loader refuse huge files before reading them. */
  fileSize?(path: string): Promise<number | undefined>;
}

export const MAX_FILE_BYTES = 5 * 1024 * 1024;

export type DecodedFile =
  | { ok: true; text: string }
  | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a file's content, refusing binary, non-UTF-8 and oversized content with a reason a user can act on. */
export function decodeText(content: Uint8Array | string, maxBytes = MAX_FILE_BYTES): DecodedFile {
  if (typeof content === 'string') {
    if (content.length > maxBytes) return { ok: false, reason: tooLargeMessage(content.length, maxBytes) };
    if (content.includes('\u0000')) return { ok: false, reason: 'The file is binary (it contains NUL bytes), not text.' };
    return { ok: true, text: stripBom(content) };
  }
  if (content.byteLength > maxBytes) return { ok: false, reason: tooLargeMessage(content.byteLength, maxBytes) };
  if (content.subarray(0, 8192).includes(0)) return { ok: false, reason: 'The file is binary (it contains NUL bytes), not text.' };
  try {
    return { ok: true, text: stripBom(utf8.decode(content)) };
  } catch {
    return { ok: false, reason: 'The file is not valid UTF-8 text. Save it as UTF-8.' };
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function tooLargeMessage(size: number, max: number): string {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `The file is ${mb(size)}, over the ${mb(max)} limit for metadata files; split it with 'include'.`;
}
