// Arguments of the operations commands (trigger, runs, backfill) checked before anything is sent:
// durations (2s, 500ms), "since" (24h, 7d, or a UTC date/time), run statuses, comma lists. Each
// mistake is a UsageError whose message says what to type.
import { BackfillInputError, parseBackfillDate } from '../../core/backfill/partitions';
import { UsageError } from '../args';

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d)$/i;
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** 500ms, 2s, 1.5m, 1h, 7d as milliseconds. */
export function parseDurationMs(text: string, what: string, bounds: { min: number; max: number }): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new UsageError(`${what} ${JSON.stringify(text)} is not a duration: use e.g. 500ms, 2s, 1m, 24h or 7d.`);
  const ms = Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!;
  if (ms < bounds.min || ms > bounds.max)
    throw new UsageError(
      `${what} ${text} is out of range: from ${describeMs(bounds.min)} to ${describeMs(bounds.max)}.`,
    );
  return ms;
}

function describeMs(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** How far back `lakehouse runs --since` may look: runs older than ADF's 45 days come from backfill journals only. */
export const MAX_SINCE_MS = 400 * 86_400_000;

/** --since 24h | 7d | 90m | 2024-06-01 | 2024-06-01T06:00:00Z, as a time (ms) before `now`. */
export function parseSince(text: string, now: number): number {
  const t = text.trim();
  if (DURATION.test(t)) return now - parseDurationMs(t, '--since', { min: 60_000, max: MAX_SINCE_MS });
  let since: number;
  try {
    since = parseBackfillDate(t, '--since');
  } catch (e) {
    if (!(e instanceof BackfillInputError)) throw e;
    throw new UsageError(
      `--since ${JSON.stringify(text)} is neither a duration (24h, 7d, 90m) nor a UTC date or time (2024-06-01, 2024-06-01T06:00:00Z).`,
    );
  }
  if (since >= now) throw new UsageError(`--since ${text} is not in the past.`);
  if (now - since > MAX_SINCE_MS) throw new UsageError(`--since ${text} is more than 400 days ago.`);
  return since;
}

/** ADF's pipeline run statuses, as the service spells them. */
export const RUN_STATUSES = ['Queued', 'InProgress', 'Succeeded', 'Failed', 'Canceling', 'Cancelled'] as const;

/** --status Failed,InProgress (repeatable; any case) as the service's spelling. */
export function parseStatuses(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of splitList(values, '--status')) {
    const known = RUN_STATUSES.find(s => s.toLowerCase() === value.toLowerCase());
    if (!known)
      throw new UsageError(`--status ${JSON.stringify(value)} is not a run status: one of ${RUN_STATUSES.join(', ')}.`);
    if (!out.includes(known)) out.push(known);
  }
  return out;
}

/** Repeated and comma-separated values (--tables a,b --tables c) as one list; an empty item is a mistake. */
export function splitList(values: readonly string[] | string | undefined, what: string): string[] {
  const list = values === undefined ? [] : typeof values === 'string' ? [values] : values;
  const out: string[] = [];
  for (const value of list)
    for (const item of value.split(',')) {
      const t = item.trim();
      if (t === '') throw new UsageError(`${what} ${JSON.stringify(value)} has an empty item.`);
      out.push(t);
    }
  return out;
}

/** A whole number of milliseconds from --poll-interval, within what makes sense for the target. */
export function parsePollInterval(text: string | undefined, local: boolean): number | undefined {
  if (text === undefined) return undefined;
  // ADF allows about 1,000 monitoring queries a minute per factory, shared by everyone who watches it.
  return parseDurationMs(text, '--poll-interval', local ? { min: 10, max: 600_000 } : { min: 5000, max: 600_000 });
}
