// A parquet file's schema, row count and row groups from its footer, read with byte ranges only:
// the last 8 bytes (the footer's length and the magic PAR1), then the footer itself. The data pages
// are never read, so a 10 GB file costs two small requests. hyparquet parses the footer.
import { formatBytes } from '../text/bytes';
import { parquetMetadataAsync, parquetSchema, type AsyncBuffer, type FileMetaData, type SchemaTree } from 'hyparquet';

export { formatBytes };

/** Reads `length` bytes at `offset` of the file (a ranged GET on blob storage). */
export type RangeReader = (offset: number, length: number) => Promise<Uint8Array>;

/** Footers above this are refused: a normal footer is kilobytes; tens of megabytes means thousands of row groups × columns. */
export const MAX_PARQUET_FOOTER_BYTES = 32 * 1024 * 1024;
/** Row groups listed in a summary; the count says how many there are in all. */
export const MAX_LISTED_ROW_GROUPS = 200;

export interface ParquetColumn {
  /** Dotted path for nested fields (`address.city`); the name for top-level ones. */
  path: string;
  name: string;
  /** 0 for top-level fields. */
  depth: number;
  /** INT64, BYTE_ARRAY, … (absent for groups). */
  physicalType?: string;
  /** STRING, TIMESTAMP(MICROS, UTC), DECIMAL(18,2), LIST, … (logical or converted type). */
  logicalType?: string;
  repetition?: 'REQUIRED' | 'OPTIONAL' | 'REPEATED';
  /** A group (struct, list, map) with this many children. */
  children?: number;
}

export interface ParquetRowGroup {
  index: number;
  rows: number;
  /** Uncompressed bytes of the row group's column data. */
  bytes: number;
  compressedBytes?: number;
}

export interface ParquetSummary {
  rowCount: number;
  columns: ParquetColumn[];
  rowGroupCount: number;
  /** The first MAX_LISTED_ROW_GROUPS row groups. */
  rowGroups: ParquetRowGroup[];
  createdBy?: string;
  formatVersion: number;
  fileBytes: number;
  footerBytes: number;
  /** Keys of the footer's key-value metadata (e.g. `org.apache.spark.sql.parquet.row.metadata`). */
  metadataKeys: string[];
}

export type ParquetReading = { ok: true; summary: ParquetSummary } | { ok: false; message: string };

/**
 * The summary of a parquet file of `size` bytes, reading its tail through `read`. Content problems
 * (not parquet, encrypted, cut short) become a message; errors of `read` itself (access, network)
 * propagate to the caller, which knows the account and the path.
 */
export async function readParquetSummary(
  size: number,
  read: RangeReader,
  options: { maxFooterBytes?: number; name?: string } = {},
): Promise<ParquetReading> {
  const name = options.name ?? 'The file';
  const maxFooter = options.maxFooterBytes ?? MAX_PARQUET_FOOTER_BYTES;
  if (!Number.isSafeInteger(size) || size < 12)
    return {
      ok: false,
      message: `${name} has ${size} bytes: too small to be parquet (a parquet file has at least 12).`,
    };
  const tail = await read(size - 8, 8);
  if (tail.byteLength !== 8)
    return { ok: false, message: `${name}: its last 8 bytes could not be read (got ${tail.byteLength}).` };
  const magic = String.fromCharCode(tail[4]!, tail[5]!, tail[6]!, tail[7]!);
  if (magic === 'PARE')
    return { ok: false, message: `${name} is an encrypted parquet file: its footer cannot be read without its key.` };
  if (magic !== 'PAR1') return { ok: false, message: `${name} is not a parquet file (it does not end with PAR1).` };
  const footerLength = new DataView(tail.buffer, tail.byteOffset, 8).getUint32(0, true);
  if (footerLength + 8 > size - 4)
    return {
      ok: false,
      message: `${name} is cut short or damaged: its footer claims ${footerLength} bytes, more than the file holds.`,
    };
  if (footerLength > maxFooter)
    return {
      ok: false,
      message: `${name} has a footer of ${formatBytes(footerLength)}; previews read footers up to ${formatBytes(maxFooter)}.`,
    };
  // hyparquet asks for the footer and its 8-byte trailer in one slice (initialFetchSize); the
  // trailer is the tail already read, so only the footer itself is fetched.
  const file: AsyncBuffer = {
    byteLength: size,
    slice: async (start: number, end = size) => {
      const fromTail = end === size ? Math.min(8, end - start) : 0;
      let head: Uint8Array = new Uint8Array(0);
      if (end - fromTail > start) {
        try {
          head = await read(start, end - fromTail - start);
        } catch (e) {
          throw new ReaderFailure(e);
        }
        if (head.byteLength !== end - fromTail - start)
          throw new ShortReadError(end - fromTail - start, head.byteLength);
      }
      const out = new Uint8Array(end - start);
      out.set(head, 0);
      out.set(tail.subarray(8 - fromTail), head.byteLength);
      return out.buffer;
    },
  };
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file, { initialFetchSize: footerLength + 8 });
  } catch (e) {
    if (e instanceof ReaderFailure) throw e.failure; // access or network: the caller's to report
    if (e instanceof ShortReadError) return { ok: false, message: `${name}: ${e.message}` };
    // Anything else comes from parsing the footer: the content is damaged or not what it claims.
    return {
      ok: false,
      message: `${name} has a footer that cannot be read: ${e instanceof Error ? e.message : String(e)}.`,
    };
  }
  return { ok: true, summary: summarize(metadata, size, footerLength) };
}

class ShortReadError extends Error {
  constructor(expected: number, got: number) {
    super(`the footer read returned ${got} of ${expected} bytes (the file changed while it was read?)`);
  }
}

/** An error of the range reader, carried through hyparquet unchanged. */
class ReaderFailure extends Error {
  constructor(readonly failure: unknown) {
    super('range read failed');
  }
}

function summarize(metadata: FileMetaData, fileBytes: number, footerBytes: number): ParquetSummary {
  const columns: ParquetColumn[] = [];
  const walk = (node: SchemaTree, depth: number, prefix: string) => {
    for (const child of node.children) {
      const element = child.element;
      const path = prefix ? `${prefix}.${element.name}` : element.name;
      const column: ParquetColumn = { path, name: element.name, depth };
      if (element.type) column.physicalType = element.type;
      const logical = logicalTypeOf(child);
      if (logical) column.logicalType = logical;
      if (element.repetition_type) column.repetition = element.repetition_type;
      if (child.children.length) column.children = child.children.length;
      columns.push(column);
      walk(child, depth + 1, path);
    }
  };
  walk(parquetSchema(metadata), 0, '');
  const rowGroups = metadata.row_groups.slice(0, MAX_LISTED_ROW_GROUPS).map((group, index) => ({
    index,
    rows: Number(group.num_rows),
    bytes: Number(group.total_byte_size),
    ...(group.total_compressed_size !== undefined ? { compressedBytes: Number(group.total_compressed_size) } : {}),
  }));
  return {
    rowCount: Number(metadata.num_rows),
    columns,
    rowGroupCount: metadata.row_groups.length,
    rowGroups,
    ...(metadata.created_by ? { createdBy: metadata.created_by } : {}),
    formatVersion: metadata.version,
    fileBytes,
    footerBytes,
    metadataKeys: (metadata.key_value_metadata ?? []).map(kv => kv.key),
  };
}

function logicalTypeOf(node: SchemaTree): string | undefined {
  const logical = node.element.logical_type;
  if (logical) {
    switch (logical.type) {
      case 'DECIMAL':
        return `DECIMAL(${logical.precision},${logical.scale})`;
      case 'TIME':
      case 'TIMESTAMP':
        return `${logical.type}(${logical.unit}${logical.isAdjustedToUTC ? ', UTC' : ''})`;
      case 'INTEGER':
        return `${logical.isSigned ? 'INT' : 'UINT'}${logical.bitWidth}`;
      default:
        return logical.type;
    }
  }
  const converted = node.element.converted_type;
  if (converted === 'DECIMAL' && node.element.precision !== undefined)
    return `DECIMAL(${node.element.precision},${node.element.scale ?? 0})`;
  return converted === 'UTF8' ? 'STRING' : converted;
}
