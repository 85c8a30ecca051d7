// What opening a lake file shows, read-only: text formats (JSON, JSON lines, CSV, plain text) up to
// a limit, with a note when cut; parquet as its footer's summary (parquetFooter.ts); anything
// binary refused with a message. The plan is decided from the name and size before any byte is
// read, so a 5 GB CSV costs one ranged read of its first MiB.
import { formatBytes } from '../text/bytes';

/** How much of a text file a preview reads. */
export const PREVIEW_LIMIT_BYTES = 1024 * 1024;

export type PreviewLanguage =
  'json' | 'jsonl' | 'csv' | 'tsv' | 'plaintext' | 'yaml' | 'xml' | 'python' | 'sql' | 'markdown';

export type PreviewPlan =
  /** Read bytes [0, readBytes) and pass them to textPreview. */
  | { kind: 'text'; language: PreviewLanguage; readBytes: number; size: number }
  | { kind: 'parquet'; size: number }
  | { kind: 'refused'; message: string };

const LANGUAGES: Record<string, PreviewLanguage> = {
  json: 'json',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  csv: 'csv',
  tsv: 'tsv',
  txt: 'plaintext',
  log: 'plaintext',
  text: 'plaintext',
  crc: 'json', // Delta's <version>.crc files are JSON
  yaml: 'yaml',
  yml: 'yaml',
  xml: 'xml',
  py: 'python',
  sql: 'sql',
  md: 'markdown',
};

const BINARY: Record<string, string> = {
  avro: 'Avro',
  orc: 'ORC',
  gz: 'gzip-compressed',
  gzip: 'gzip-compressed',
  zip: 'a zip archive',
  snappy: 'snappy-compressed',
  bz2: 'bzip2-compressed',
  zst: 'zstd-compressed',
  lz4: 'LZ4-compressed',
  deflate: 'deflate-compressed',
  xlsx: 'an Excel workbook',
  xls: 'an Excel workbook',
  png: 'an image',
  jpg: 'an image',
  jpeg: 'an image',
  gif: 'an image',
  pdf: 'a PDF',
  bin: 'binary',
  exe: 'a program',
  dll: 'a library',
  jar: 'a Java archive',
  whl: 'a Python wheel',
};

const SUPPORTED = 'previews show JSON, CSV, text and parquet (schema and row count)';

/** The extension of a blob's name, lower case ('' when none): `part-0001.snappy.parquet` → `parquet`. */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** How to preview a file of `size` bytes named `path`. */
export function previewPlan(path: string, size: number, limitBytes = PREVIEW_LIMIT_BYTES): PreviewPlan {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const ext = extensionOf(path);
  if (ext === 'parquet' || ext === 'parq') return { kind: 'parquet', size };
  const binary = BINARY[ext];
  if (binary) return { kind: 'refused', message: `${name} is ${binary}: ${SUPPORTED}.` };
  // Delta's `_last_checkpoint` and other extension-less files: text if their bytes say so.
  const language = LANGUAGES[ext] ?? (name === '_last_checkpoint' ? 'json' : 'plaintext');
  return { kind: 'text', language, readBytes: Math.max(0, Math.min(size, limitBytes)), size };
}

export type TextPreview =
  | {
      ok: true;
      text: string;
      language: PreviewLanguage;
      truncated: boolean;
      /** Shown above the text when cut: "Showing the first 1.0 MiB of 12 MiB (truncated)." */
      note?: string;
    }
  | { ok: false; message: string };

/**
 * The text of a preview from the bytes read for `plan` (the file's first plan.readBytes). A cut is
 * moved back to the last line break (CSV rows and JSON lines stay whole) and never splits a
 * character; bytes that are not text refuse the preview.
 */
export function textPreview(
  plan: Extract<PreviewPlan, { kind: 'text' }>,
  bytes: Uint8Array,
  name = 'The file',
): TextPreview {
  const truncated = plan.size > bytes.byteLength;
  let view = bytes;
  let encoding: 'utf-8' | 'utf-16le' | 'utf-16be' = 'utf-8';
  if (view.length >= 2 && view[0] === 0xff && view[1] === 0xfe) encoding = 'utf-16le';
  else if (view.length >= 2 && view[0] === 0xfe && view[1] === 0xff) encoding = 'utf-16be';
  if (encoding === 'utf-8') {
    if (looksBinary(view)) return { ok: false, message: `${name} is binary, not text: ${SUPPORTED}.` };
    if (truncated) view = view.subarray(0, utf8Boundary(view));
  } else if (truncated && view.length % 2) view = view.subarray(0, view.length - 1);
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(view);
  } catch {
    return { ok: false, message: `${name} is not valid ${encoding.toUpperCase()} text: ${SUPPORTED}.` };
  }
  if (truncated) {
    const lastBreak = text.lastIndexOf('\n');
    if (lastBreak > 0 && lastBreak > text.length - 64 * 1024) text = text.slice(0, lastBreak + 1);
  }
  const result: TextPreview = { ok: true, text, language: plan.language, truncated };
  if (truncated)
    result.note = `Showing the first ${formatBytes(bytes.byteLength)} of ${formatBytes(plan.size)} (truncated); the preview is read-only.`;
  return result;
}

/** NUL bytes, or many control characters, in the first 8 KiB: not text. */
function looksBinary(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 8192);
  let control = 0;
  for (const b of sample) {
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  return sample.length > 0 && control / sample.length > 0.1;
}

/** The length of the longest prefix that ends on a whole UTF-8 character. */
function utf8Boundary(bytes: Uint8Array): number {
  let end = bytes.length;
  // Step back over continuation bytes (10xxxxxx) to the lead byte of the last character.
  let i = end - 1;
  while (i >= 0 && i > end - 4 && (bytes[i]! & 0xc0) === 0x80) i--;
  if (i < 0) return end;
  const lead = bytes[i]!;
  const width = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  if (i + width > end) end = i;
  return end;
}
