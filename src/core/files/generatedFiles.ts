// Reading files the product generates (rendered outputs, ADF artifacts) to compare them with what
// it would write now, and the one rule for "the same" that the CLI and the editor share.
import { statSync } from 'fs';
import { FileRefusedError, type FileHost } from './fileHost';
import { NodeFileHost } from './nodeFileHost';

/** Generated files (outputs, ADF artifacts) are compared up to this size; beyond it they are not ours. */
export const MAX_GENERATED_BYTES = 64 * 1024 * 1024;

/**
 * A generated file's text through the host (an editor's unsaved buffer included), undefined when
 * it does not exist. Regular files only: a FIFO or device where an output goes is refused
 * (FileRefusedError, naming the file).
 */
export async function readGeneratedText(host: Pick<FileHost, 'readFile'>, file: string): Promise<string | undefined> {
  let content;
  try {
    content = await host.readFile(file, { maxBytes: MAX_GENERATED_BYTES, what: 'for generated files' });
  } catch (e) {
    if (e instanceof FileRefusedError) throw new FileRefusedError(`${file}: ${e.message}`);
    throw e;
  }
  if (content === undefined || typeof content === 'string') return content;
  return Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8');
}

const disk = new NodeFileHost();

/**
 * Generated files as last read from the disk, with the stat they were read at: an editor plans
 * after each pause in typing, and the plan reads every artifact of the ADF folder (600 files,
 * 8 MiB at 10,000 tables); decoding them all again each time is most of its garbage. A file
 * whose inode, size, mtime or ctime moved is read again; `forget` is for what a watcher reports.
 * For a host that reads the disk: an editor looks at its unsaved buffers before asking.
 */
export class GeneratedTextCache {
  private readonly texts = new Map<string, { stamp: string; text: string }>();

  async read(host: Pick<FileHost, 'readFile'>, file: string): Promise<string | undefined> {
    // Taken before the read: a write meanwhile gives the next read another stamp.
    const stamp = stampOf(file);
    if (stamp === null) {
      // Nothing there: no read (and no error object from it; a plan asks for hundreds of files not generated yet).
      this.texts.delete(file);
      return undefined;
    }
    const known = this.texts.get(file);
    if (stamp !== undefined && known?.stamp === stamp) return known.text;
    const text = await readGeneratedText(host, file);
    if (stamp !== undefined && text !== undefined) this.texts.set(file, { stamp, text });
    else this.texts.delete(file);
    return text;
  }

  forget(file: string): void {
    this.texts.delete(file);
  }
}

/**
 * A regular file's identity and version as far as stat tells; null when nothing is there;
 * undefined for anything else (a FIFO, a folder, an error), which the checked read then judges.
 * Synchronous: a stat is microseconds, and its promise, or the Error of a missing file, is
 * garbage the editor's thread collects (a plan's callers pause between files).
 */
function stampOf(file: string): string | null | undefined {
  try {
    const st = statSync(file, { throwIfNoEntry: false });
    if (st === undefined) return null;
    return st.isFile() ? `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : undefined;
  } catch {
    return undefined;
  }
}

/** readGeneratedText from the disk (for callers without a host of their own). */
export function readFileIfExists(file: string): Promise<string | undefined> {
  return readGeneratedText(disk, file);
}

/**
 * Whether a generated file on disk already holds what would be written: the same text up to line
 * endings, so a checkout with CRLF (git's autocrlf on Windows) is up to date for the CLI and the
 * editor alike, and is not rewritten.
 */
export function sameGeneratedText(onDisk: string, generated: string): boolean {
  return onDisk === generated || onDisk.replace(/\r\n/g, '\n') === generated.replace(/\r\n/g, '\n');
}
