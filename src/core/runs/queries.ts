// Queries over the port: every page of a run query (continuation tokens), "runs since D" (the
// service filters on last-updated time, so the query is widened to everything updated since D
// and then filtered on the run's start), a run's activity runs page by page, and the time range
// around an attempt in which to look for the run it may have started.
import type { Clock } from './clock';
import { timeOf, type ActivityRunRecord, type PipelineRunRecord } from './model';
import type { AdfRunsPort, RunsPage, RunsQuery } from './ports';
import { withRetries, type RetryOptions } from './retry';

/** The service's page size for run queries. */
export const RUNS_PAGE_SIZE = 100;

/** Slack for clocks that disagree (ours and the service's) and for the service's own lag. */
export const CLOCK_SKEW_MS = 5 * 60_000;

export interface PagingOptions extends Omit<RetryOptions, 'clock'> {
  clock: Clock;
  /** Stop after this many pages (a guard, not a filter). */
  maxPages?: number;
  /** Told of each page as it arrives (the Runs view shows the first before the rest). */
  onPage?: (page: RunsPage, index: number) => void;
}

/** Every run the query matches, page after page; each page retried on its own (429 with Retry-After). */
export async function queryAllRuns(
  port: AdfRunsPort,
  query: RunsQuery,
  options: PagingOptions,
): Promise<{ runs: PipelineRunRecord[]; pages: number; complete: boolean }> {
  const runs: PipelineRunRecord[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const q: RunsQuery = token ? { ...query, continuationToken: token } : query;
    const page = await withRetries(() => port.queryRuns(q, options.signal), options);
    options.onPage?.(page, pages);
    pages++;
    runs.push(...page.runs);
    token = page.continuationToken || undefined;
    if (options.maxPages !== undefined && pages >= options.maxPages) return { runs, pages, complete: !token };
  } while (token);
  return { runs, pages, complete: true };
}

export const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The query for runs that started at or after `since`: everything updated since then (a run that
 * started after D was last updated after D), up to now plus the skew. Filter its results with
 * startedSince.
 */
export function runsSinceQuery(since: number, now: number, extra: Partial<RunsQuery> = {}): RunsQuery {
  return {
    orderBy: 'RunStart',
    order: 'DESC',
    ...extra,
    lastUpdatedAfter: iso(since),
    lastUpdatedBefore: iso(now + CLOCK_SKEW_MS),
  };
}

/** Runs that started at or after `since` (queued runs, which have no start yet, count as started now). */
export function startedSince(runs: readonly PipelineRunRecord[], since: number): PipelineRunRecord[] {
  return runs.filter(r => (timeOf(r.runStart) ?? Number.POSITIVE_INFINITY) >= since);
}

/** All runs started at or after `since` (every page), newest first. */
export async function listRunsSince(
  port: AdfRunsPort,
  since: number,
  options: PagingOptions & { pipelineNames?: readonly string[] },
): Promise<PipelineRunRecord[]> {
  const extra: Partial<RunsQuery> = options.pipelineNames ? { pipelineNames: options.pipelineNames } : {};
  const { runs } = await queryAllRuns(port, runsSinceQuery(since, options.clock.now(), extra), options);
  return startedSince(runs, since);
}

/**
 * Every activity run of a run, paged by hand (the SDK does not page this query). The time range
 * covers the run's life: from a minute before it started to now.
 */
export async function allActivityRuns(
  port: AdfRunsPort,
  run: Pick<PipelineRunRecord, 'runId' | 'runStart' | 'lastUpdated'>,
  options: PagingOptions,
): Promise<ActivityRunRecord[]> {
  const now = options.clock.now();
  const start = timeOf(run.runStart) ?? timeOf(run.lastUpdated) ?? now - 45 * 86_400_000;
  const range = { lastUpdatedAfter: iso(start - 60_000), lastUpdatedBefore: iso(now + CLOCK_SKEW_MS) };
  const out: ActivityRunRecord[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const q = token ? { ...range, continuationToken: token } : range;
    const page = await withRetries(() => port.queryActivityRuns(run.runId, q, options.signal), options);
    out.push(...page.activityRuns);
    token = page.continuationToken || undefined;
    pages++;
  } while (token && (options.maxPages === undefined || pages < options.maxPages));
  return out.sort(
    (a, b) =>
      (timeOf(a.activityRunStart) ?? Number.POSITIVE_INFINITY) -
      (timeOf(b.activityRunStart) ?? Number.POSITIVE_INFINITY),
  );
}

/** A run parameter as the service reports it (text) equals the value we sent (any JSON value). */
export function sameParameterValue(reported: string | undefined, sent: unknown): boolean {
  if (reported === undefined) return false;
  if (typeof sent === 'string') return reported === sent;
  if (reported === JSON.stringify(sent) || reported === String(sent)) return true;
  try {
    return canonical(JSON.parse(reported)) === canonical(sent);
  } catch {
    return false;
  }
}

/** JSON with object keys sorted, so two values compare whatever their key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map(k => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
