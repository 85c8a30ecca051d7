// Reading files the product generates (rendered outputs, ADF artifacts) to compare them with what
// it would write now, and the one rule for "the same" that the CLI and the editor share.
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
