// A backfill's date range cut into windows: day, week (ISO weeks, from Monday) or month, in UTC,
// `to` exclusive (January is from 2024-01-01 to 2024-02-01). Windows follow the calendar: a range
// that starts mid-week has a short first week, one that ends mid-month a short last month, so
// consecutive windows neither miss nor repeat a row.

export type Granularity = 'day' | 'week' | 'month';

export const GRANULARITIES: readonly Granularity[] = ['day', 'week', 'month'];

/** A window [start, end) in ms since the epoch (UTC). */
export interface TimeWindow {
  start: number;
  end: number;
}

/** More partitions than this is a mistake (27 years of days), not a backfill. */
export const MAX_PARTITIONS = 10_000;

/** ADF runs at most this many runs of one pipeline at once, so more concurrency buys nothing. */
export const MAX_CONCURRENCY = 50;

export class BackfillInputError extends Error {}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]00:?00)?)?$/;

/** A date (2024-01-31) or UTC time (2024-01-31T06:00:00Z) as ms; `what` names it in the message. */
export function parseBackfillDate(text: string, what: string): number {
  const m = DATE.exec(text.trim());
  if (!m)
    throw new BackfillInputError(
      `${what} ${JSON.stringify(text)} is not a date: use YYYY-MM-DD (UTC), e.g. 2024-01-01, or a UTC time such as 2024-01-01T06:00:00Z.`,
    );
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1).map(v => v ?? undefined) as string[];
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const back = new Date(ms);
  if (
    back.getUTCFullYear() !== Number(y) ||
    back.getUTCMonth() !== Number(mo) - 1 ||
    back.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  )
    throw new BackfillInputError(`${what} ${JSON.stringify(text)} is not a day of the calendar.`);
  return ms;
}

export function parseGranularity(text: string | undefined): Granularity {
  const g = (text ?? 'day').trim().toLowerCase();
  if ((GRANULARITIES as readonly string[]).includes(g)) return g as Granularity;
  throw new BackfillInputError(`The granularity ${JSON.stringify(text)} is not one of day, week, month.`);
}

export function parseConcurrency(value: string | number | undefined, fallback = 4): number {
  const n = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY)
    throw new BackfillInputError(
      `The concurrency ${JSON.stringify(value)} must be a whole number from 1 to ${MAX_CONCURRENCY} (runs in flight at once).`,
    );
  return n;
}

/** The next boundary after t: the next UTC midnight, Monday or first of the month. */
function nextBoundary(t: number, granularity: Granularity): number {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  switch (granularity) {
    case 'day':
      return Date.UTC(y, m, day + 1);
    case 'week': {
      const sinceMonday = (d.getUTCDay() + 6) % 7;
      return Date.UTC(y, m, day - sinceMonday + 7);
    }
    case 'month':
      return Date.UTC(y, m + 1, 1);
  }
}

/** The windows of [from, to) at this granularity. */
export function windowsOf(from: number, to: number, granularity: Granularity): TimeWindow[] {
  if (!(from < to))
    throw new BackfillInputError(
      `The range is empty: --to (${isoDay(to)}) is exclusive and must be after --from (${isoDay(from)}); ` +
        `January is --from 2024-01-01 --to 2024-02-01.`,
    );
  const windows: TimeWindow[] = [];
  for (let start = from; start < to;) {
    const end = Math.min(nextBoundary(start, granularity), to);
    windows.push({ start, end });
    if (windows.length > MAX_PARTITIONS)
      throw new BackfillInputError(
        `${isoDay(from)} to ${isoDay(to)} by ${granularity} is more than ${MAX_PARTITIONS} partitions; choose a coarser granularity or a shorter range.`,
      );
    start = end;
  }
  return windows;
}

/** A window bound as the tumbling-window trigger passes it to the generated pipelines: yyyy-MM-ddTHH:mm:ss (UTC). */
export function windowBoundText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

function isoDay(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : String(ms);
}
