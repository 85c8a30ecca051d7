// One way to start, resume, list and pace backfills, for the CLI and the editor alike: the tables
// a window applies to (from the factory's own pipelines: what runs is what is deployed), a request
// checked into a plan, the journal locked while a process runs it (so `lakehouse backfill resume`
// and the editor never run one journal at once), and the pace of polls and looks for the target
// (ADF's budget of monitoring queries on Azure; the local emulator has no lag to wait out).
import type { Clock } from '../runs/clock';
import type { AdfRunsPort } from '../runs/ports';
import { DEFAULT_LOOP_PARAMETER, DEFAULT_PIPELINE } from '../adf/generate/settings';
import { readJournals } from './history';
import type { JournalFolder, PlanEntry } from './journal';
import { BackfillInputError, parseBackfillDate, windowBoundText } from './partitions';
import { planBackfill } from './plan';
import { Backfill, type BackfillOptions } from './runner';
import { summarize, type BackfillSummary } from './summary';
import {
  DEFAULT_BACKFILL_PARAMETERS,
  planBackfillTargets,
  windowedTablesOf,
  type BackfillParameterNames,
  type PipelineJson,
  type WindowedTable,
} from './targets';

/** The concurrency a backfill gets when none is given: well under ADF's 50 and its 100 queued runs. */
export const DEFAULT_BACKFILL_CONCURRENCY = 8;

/** What lakehouse.yaml says about the pipelines a backfill runs (its `adf` section, else the defaults). */
export interface BackfillSettings {
  entryPipeline: string;
  names: BackfillParameterNames;
}

export function backfillSettingsOf(metadata: {
  adf?: { pipeline?: string; loopParameter?: string };
}): BackfillSettings {
  return {
    entryPipeline: metadata.adf?.pipeline ?? DEFAULT_PIPELINE,
    names: { ...DEFAULT_BACKFILL_PARAMETERS, loop: metadata.adf?.loopParameter ?? DEFAULT_LOOP_PARAMETER },
  };
}

/** The tables of the factory's pipelines a backfill can copy; BackfillInputError (say, deploy first) otherwise. */
export function backfillTables(settings: BackfillSettings, pipelines: readonly PipelineJson[]): WindowedTable[] {
  return windowedTablesOf({ pipelines, entryPipeline: settings.entryPipeline, names: settings.names });
}

export interface BackfillRequest {
  /** schema.table or table names, or every table a window applies to. */
  tables: readonly string[] | 'all';
  /** YYYY-MM-DD or a UTC time; `to` exclusive. */
  from: string;
  to: string;
  granularity?: string;
  concurrency?: string | number;
  id?: string;
}

/** Where the backfill runs, for its plan (checked again on resume). */
export interface BackfillPlace {
  environment: string;
  /** The factory's ARM id. */
  factory: string;
}

/**
 * The plan of a request against the factory's pipelines: each argument checked with a message
 * that says what to type (dates, an empty or future range, unknown tables, the concurrency).
 */
export function prepareBackfill(
  settings: BackfillSettings,
  pipelines: readonly PipelineJson[],
  request: BackfillRequest,
  place: BackfillPlace,
  now: number,
): PlanEntry {
  const from = parseBackfillDate(request.from, '--from');
  const to = parseBackfillDate(request.to, '--to');
  if (from >= now)
    throw new BackfillInputError(
      `--from ${request.from} is not in the past: a backfill copies windows that have happened (today is ${windowBoundText(now).slice(0, 10)} UTC).`,
    );
  const tables = request.tables === 'all' ? undefined : request.tables.map(t => t.trim()).filter(t => t !== '');
  if (tables && tables.length === 0)
    throw new BackfillInputError('Name at least one table (--tables schema.table,…) or choose --all.');
  const targets = planBackfillTargets({
    pipelines,
    entryPipeline: settings.entryPipeline,
    names: settings.names,
    from,
    ...(tables ? { tables } : {}),
  });
  const plan = planBackfill({
    from: request.from,
    to: request.to,
    ...(request.granularity !== undefined ? { granularity: request.granularity } : {}),
    concurrency: request.concurrency ?? DEFAULT_BACKFILL_CONCURRENCY,
    targets,
    ...(request.id !== undefined ? { id: request.id } : {}),
    environment: place.environment,
    factory: place.factory,
    now,
  });
  if (to > now)
    plan.notes.push(
      `The range ends after now (${windowBoundText(now)} UTC): the last window is not over, so its run copies what exists so far.`,
    );
  return plan;
}

/**
 * How often to poll and how long to look for a run after an unclear createRun. Azure: every 15 s
 * (ADF allows about 1,000 monitoring queries a minute per factory, shared with everyone) and looks
 * after 5, 15, 30 s (query results lag behind new runs). The local emulator has no lag: every 2 s
 * by default, looks scaled to the poll.
 */
export function backfillPace(local: boolean, pollIntervalMs?: number): Omit<BackfillOptions, 'clock' | 'factory'> {
  if (!local) return pollIntervalMs !== undefined ? { pollIntervalMs } : {};
  const poll = pollIntervalMs ?? 2000;
  return {
    pollIntervalMs: poll,
    pollOverlapMs: Math.max(1000, 2 * poll),
    lookDelaysMs: [poll / 4, poll / 2, poll],
    staleAfterMs: 15 * poll,
    baseDelayMs: Math.max(10, poll / 4),
    maxDelayMs: Math.max(100, 5 * poll),
  };
}

/** A backfill this process holds (its journal locked) until release(). */
export interface HeldBackfill {
  backfill: Backfill;
  release(): Promise<void>;
}

export interface BackfillConnection {
  port: AdfRunsPort;
  folder: JournalFolder;
  clock: Clock;
  /** The factory's ARM id: a journal of another factory is not resumed. */
  factory: string;
  local: boolean;
  pollIntervalMs?: number;
}

function optionsOf(c: BackfillConnection): BackfillOptions {
  return { clock: c.clock, factory: c.factory, ...backfillPace(c.local, c.pollIntervalMs) };
}

async function held(c: BackfillConnection, id: string, make: () => Promise<Backfill>): Promise<HeldBackfill> {
  const lock = c.folder.lock ? await c.folder.lock(id) : { release: async () => undefined };
  try {
    return { backfill: await make(), release: () => lock.release() };
  } catch (e) {
    await lock.release();
    throw e;
  }
}

/** A new backfill: its plan on disk, held by this process. */
export function createBackfill(c: BackfillConnection, plan: PlanEntry): Promise<HeldBackfill> {
  return held(c, plan.id, () => Backfill.create(plan, c.folder.file(plan.id), c.port, optionsOf(c)));
}

/** A backfill from its journal (to resume it, rerun its failed partitions), held by this process. */
export function openBackfill(c: BackfillConnection, id: string): Promise<HeldBackfill> {
  return held(c, id, () => Backfill.open(c.folder.file(id), c.port, optionsOf(c), `backfill ${id}`));
}

export interface BackfillListing {
  id: string;
  environment?: string;
  factory?: string;
  createdAt: number;
  from: string;
  to: string;
  granularity: string;
  /** As the journal last recorded it (runs in flight as last polled). */
  summary: BackfillSummary;
  /** Partitions not started, or whose runs had not ended: a resume goes on with them. */
  unfinished: boolean;
}

/** The backfills of a journal folder, newest first; journals that cannot be read are reported. */
export async function listBackfills(
  folder: JournalFolder,
): Promise<{ backfills: BackfillListing[]; problems: { id: string; message: string }[] }> {
  const { states, problems } = await readJournals(folder);
  const backfills = states.map(state => {
    const summary = summarize(state);
    const listing: BackfillListing = {
      id: state.plan.id,
      createdAt: state.plan.createdAt,
      from: state.plan.from,
      to: state.plan.to,
      granularity: state.plan.granularity,
      summary,
      unfinished: !summary.complete,
    };
    if (state.plan.environment !== undefined) listing.environment = state.plan.environment;
    if (state.plan.factory !== undefined) listing.factory = state.plan.factory;
    return listing;
  });
  return { backfills, problems };
}

/** 2024-01-01 → 2024-02-01 by day: 31 partition(s) */
export function describePlan(plan: PlanEntry): string {
  const day = (t: string) => (t.endsWith('T00:00:00') ? t.slice(0, 10) : t);
  return `${day(plan.from)} → ${day(plan.to)} by ${plan.granularity}: ${plan.partitions.length} partition(s)`;
}
