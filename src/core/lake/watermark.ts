// A table's watermark, read from the cdc.json the generated pipeline keeps beside its bronze folder
// (src/core/adf/generate/pipeline.ts, writeWatermark: a one-row copy into a JSON sink, {"cdc": …}).
// ADF's JSON sink writes one object per line (a "set of objects"), or an array when so set, in
// UTF-8 by default (with or without a BOM) or UTF-16; a hand-made file may be pretty-printed.
// Whatever the content, the answer is a value or a message saying what the next run will do.
import type { CdcMode } from '../metadata/model';

/** The largest watermark file read: the real one is under 100 bytes. */
export const MAX_WATERMARK_BYTES = 64 * 1024;

export type WatermarkReading =
  | {
      ok: true;
      /** The value as the file holds it, e.g. `2024-01-01T00:00:00.0000000` or `184467`. */
      value: string;
      /** time: a UTC date-time (watermark mode); number: a rowversion or Change Tracking version; text: neither. */
      kind: 'time' | 'number' | 'text';
      /** For a time: the same instant in ISO 8601 with its zone (`2024-01-01T00:00:00.0000000Z`). */
      utc?: string;
      /** Something worth knowing that does not stop the pipeline (several rows, a field in other case, …). */
      note?: string;
    }
  | { ok: false; message: string };

// yyyy-MM-ddTHH:mm:ss[.fffffff][Z|±hh:mm], or with a space: what SQL Server and ADF write.
const TIME = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d\d:?\d\d)?$/i;

/**
 * The watermark a cdc.json holds. `mode` (the table's cdcMode) says what kind of value the next
 * run expects: a time for `watermark`, a number for `rowversion` and `changeTracking`.
 */
export function parseWatermarkFile(content: Uint8Array | string, mode?: CdcMode): WatermarkReading {
  const file = 'cdc.json';
  const text = typeof content === 'string' ? stripBom(content) : decodeWatermarkBytes(content);
  if (text === undefined)
    return {
      ok: false,
      message: `${file} is not text (it is binary or not UTF-8/UTF-16): the next run's Lookup fails on it.`,
    };
  if (text.length > MAX_WATERMARK_BYTES)
    return {
      ok: false,
      message: `${file} is ${text.length} characters long; a watermark file holds one small JSON object.`,
    };
  if (!text.trim())
    return {
      ok: false,
      message: `${file} is empty: the next run's Lookup finds no row and fails. Delete it (the pipeline seeds it again) or write {"cdc": "…"}.`,
    };
  const rows = rowsOf(text);
  if ('message' in rows) return { ok: false, message: `${file} ${rows.message}` };
  const first = rows.values[0];
  if (first === null || typeof first !== 'object' || Array.isArray(first))
    return { ok: false, message: `${file} holds ${describe(first)}, not an object like {"cdc": "…"}.` };
  const record = first as Record<string, unknown>;
  let field = 'cdc';
  let note: string | undefined;
  if (!Object.prototype.hasOwnProperty.call(record, field)) {
    const other = Object.keys(record).find(k => k.toLowerCase() === 'cdc');
    const keys = Object.keys(record);
    const has = keys.length ? `it has ${keys.map(k => JSON.stringify(k)).join(', ')}` : 'it is {}';
    if (!other)
      return {
        ok: false,
        message: `${file} has no "cdc" field (${has}): the pipeline reads firstRow.cdc.`,
      };
    field = other;
    note = `The field is named "${other}"; the pipeline writes "cdc".`;
  }
  if (rows.values.length > 1)
    note = joinNotes(note, `The file holds ${rows.values.length} rows; the pipeline's Lookup reads the first.`);
  return classify(record[field], mode, note, file);
}

function classify(raw: unknown, mode: CdcMode | undefined, note: string | undefined, file: string): WatermarkReading {
  if (raw === null || raw === undefined)
    return { ok: false, message: `${file} has "cdc": null: the next run cannot compare against it and fails.` };
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return { ok: false, message: `${file} has a "cdc" that is not a number.` };
    const value = String(raw);
    if (mode === 'watermark')
      return {
        ok: false,
        message: `${file} holds the number ${value}, but the table's watermark is a time: the next run fails at formatDateTime.`,
      };
    const precision = Number.isSafeInteger(raw)
      ? undefined
      : `${value} is beyond JSON's exact integers: the pipeline writes versions as strings to keep every digit.`;
    return withNote({ ok: true, value, kind: 'number' }, joinNotes(note, precision));
  }
  if (typeof raw !== 'string')
    return { ok: false, message: `${file} has a "cdc" that is ${describe(raw)}, not a string.` };
  const value = raw.trim();
  if (/^-?\d+$/.test(value)) {
    if (mode === 'watermark')
      return {
        ok: false,
        message: `${file} holds ${JSON.stringify(raw)}, a number, but the table's watermark is a time: the next run fails at formatDateTime.`,
      };
    return withNote({ ok: true, value, kind: 'number' }, note);
  }
  const time = utcOf(value);
  if (time !== undefined) {
    const versionName = mode === 'rowversion' ? 'rowversion' : 'Change Tracking version';
    if (mode === 'rowversion' || mode === 'changeTracking')
      return {
        ok: false,
        message: `${file} holds the time ${JSON.stringify(raw)}, but the table's ${versionName} is a number: the next run fails.`,
      };
    return withNote({ ok: true, value, kind: 'time', utc: time }, note);
  }
  const shown = JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
  if (mode === 'watermark' || mode === 'rowversion' || mode === 'changeTracking')
    return {
      ok: false,
      message: `${file} holds ${shown}, which is not a ${mode === 'watermark' ? 'time' : 'number'}: the next run fails on it.`,
    };
  return withNote({ ok: true, value, kind: 'text' }, note);
}

/** A date-time in UTC as `yyyy-MM-ddTHH:mm:ss.fffffffZ` (seven fraction digits, as ADF writes them), or undefined. */
export function utcOf(value: string): string | undefined {
  const m = TIME.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d\d):?(\d\d)$/.exec(zone)!;
    if (Number(z[2]) > 23 || Number(z[3]) > 59) return undefined;
    offsetMinutes = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
  }
  // Date.UTC reads years 0–99 as 1900–1999: set the year on its own.
  const date = new Date(Date.UTC(2000, month - 1, day, Number(h), Number(mi), Number(s)));
  date.setUTCFullYear(year);
  const ms = date.getTime() - offsetMinutes * 60_000;
  const iso = new Date(ms).toISOString(); // yyyy-MM-ddTHH:mm:ss.sssZ; years 0000–9999 only
  if (Number.isNaN(ms) || iso.length !== 24) return undefined;
  return `${iso.slice(0, 19)}.${fraction.padEnd(7, '0')}Z`;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** One JSON value, an array of rows, or JSON lines (ADF's "set of objects"). */
function rowsOf(text: string): { values: unknown[] } | { message: string } {
  const trimmed = text.trim();
  try {
    const whole: unknown = JSON.parse(trimmed);
    if (Array.isArray(whole)) {
      if (whole.length === 0) return { message: "holds an empty array: the next run's Lookup finds no row and fails." };
      return { values: whole };
    }
    return { values: [whole] };
  } catch {
    // JSON lines: each non-blank line a value.
  }
  const values: unknown[] = [];
  const lines = trimmed.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    try {
      values.push(JSON.parse(line));
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      return { message: `is not JSON (line ${i + 1}: ${reason.slice(0, 120)}): the next run's Lookup fails on it.` };
    }
  }
  return { values };
}

function decodeWatermarkBytes(bytes: Uint8Array): string | undefined {
  try {
    if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
      return new TextDecoder('utf-16le', { fatal: true }).decode(bytes.subarray(2));
    if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff)
      return new TextDecoder('utf-16be', { fatal: true }).decode(bytes.subarray(2));
    if (bytes.includes(0)) return undefined;
    return stripBom(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `the ${typeof value} ${JSON.stringify(value)}`;
}

function joinNotes(a: string | undefined, b: string | undefined): string | undefined {
  return a && b ? `${a} ${b}` : (a ?? b);
}

function withNote<T extends object>(reading: T, note: string | undefined): T & { note?: string } {
  return note ? { ...reading, note } : reading;
}
