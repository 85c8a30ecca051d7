// `lakehouse backfill`: a date range copied again, window by window, each partition's run started
// exactly once (docs/backfill.md). The journal is <project>/.lakehouse/backfills/<id>.jsonl, the
// same folder the editor uses, so either resumes what the other started. Progress goes to stderr,
// the summary to stdout (text or JSON). Ctrl-C stops starting runs (those in flight go on in the
// factory, the journal stays consistent) and says how to resume; a second Ctrl-C stops at once.
import { setMaxListeners } from 'events';
import { AbortedError, systemClock } from '../../core/runs/clock';
import { BACKFILL_ID, JournalError, type PlanEntry } from '../../core/backfill/journal';
import {
  BackfillInputError,
  parseBackfillDate,
  parseConcurrency,
  parseGranularity,
  windowsOf,
} from '../../core/backfill/partitions';
import { BackfillNotFoundError, type BackfillProgress } from '../../core/backfill/runner';
import {
  backfillSettingsOf,
  createBackfill,
  DEFAULT_BACKFILL_CONCURRENCY,
  describePlan,
  listBackfills,
  openBackfill,
  prepareBackfill,
  type BackfillConnection,
  type BackfillListing,
  type BackfillRequest,
  type HeldBackfill,
} from '../../core/backfill/session';
import { formatSummary, type BackfillSummary } from '../../core/backfill/summary';
import { backfillJournalDir, JournalFolderOnDisk, JournalLockedError } from '../../core/files/journalFiles';
import { UserError } from '../../core/project/loadProject';
import { factoryIdOf, factoryPipelinesFor, runsClientFor } from '../../azure/clients';
import { parse, UsageError } from '../args';
import type { Io } from '../main';
import { parsePollInterval, splitList } from './operationArgs';
import { formatOf, openProject, openTargetOf, PROJECT_OPTIONS, protectedRefusal, type OpenedTarget } from './target';

export const BACKFILL_USAGE = `  backfill --env ENV (--tables T[,T…] | --all) --from DATE --to DATE [--granularity day|week|month]
           [--concurrency N] [--id ID] [--dry-run] [--confirm ENV] [--poll-interval 15s] [--project DIR] [--format text|json]
                                           Copy a date range again with the generated pipelines, window by
                                           window (--to exclusive: January is --from 2024-01-01 --to
                                           2024-02-01), each partition's run started exactly once, at most N
                                           (1-50, default ${DEFAULT_BACKFILL_CONCURRENCY}) at a time. Tables: schema.table or table names the
                                           factory's ingestion loops copy by watermark. --dry-run prints the
                                           partitions and starts nothing. Progress on stderr, the summary on
                                           stdout. Ctrl-C stops starting runs (runs in flight go on) and says
                                           how to resume. The journal: <project>/.lakehouse/backfills/ID.jsonl.
  backfill resume ID [--env ENV] [--poll-interval 15s]
                                           Go on with a backfill that stopped (interrupted, killed, signed
                                           out): runs in flight followed, unclear starts looked for, the rest
                                           started. --env defaults to the journal's environment.
  backfill rerun-failed ID [--env ENV]     A new round of exactly the failed (or cancelled) partitions.
  backfill status [ID] [--project DIR] [--format text|json]
                                           The project's backfills, or one backfill's partitions, as the
                                           journal last recorded them (no Azure call).
                                           Exit 0: every partition succeeded (status: read); 1: partitions
                                           failed, were cancelled or not run, duplicates, or refused; 2: usage,
                                           a bad argument, or the factory's answer.
`;

const OPTIONS = {
  ...PROJECT_OPTIONS,
  tables: { type: 'string', multiple: true },
  all: { type: 'boolean' },
  from: { type: 'string' },
  to: { type: 'string' },
  granularity: { type: 'string' },
  concurrency: { type: 'string' },
  id: { type: 'string' },
  'dry-run': { type: 'boolean' },
  confirm: { type: 'string' },
  'poll-interval': { type: 'string' },
  resume: { type: 'string' },
} as const;

type Values = Record<string, unknown>;

export type BackfillCommand =
  | { kind: 'help' }
  | { kind: 'start'; values: Values; request: BackfillRequest; dryRun: boolean; format: 'text' | 'json' }
  | { kind: 'resume' | 'rerun-failed'; id: string; values: Values; format: 'text' | 'json' }
  | { kind: 'status'; id?: string; values: Values; format: 'text' | 'json' };

const SUBCOMMANDS = ['resume', 'rerun-failed', 'status'] as const;
/** The options that make a plan: a resume takes its plan from the journal. */
const NOT_PLAN = new Set(['project', 'env', 'format', 'help', 'confirm', 'poll-interval', 'resume']);
const PLAN_OPTIONS = Object.keys(OPTIONS).filter(o => !NOT_PLAN.has(o));

/**
 * The command line, checked before anything is read or sent: which subcommand, and for a new
 * backfill every argument that can be checked without the factory (dates, range, granularity,
 * concurrency, id). Throws UsageError or BackfillInputError with a message that says what to type.
 */
export function parseBackfillCommand(args: string[], now: number): BackfillCommand {
  const { values, positionals } = parse(args, OPTIONS);
  if (values.help) return { kind: 'help' };
  const format = formatOf(values);
  const [first, ...rest] = positionals;
  const sub = values.resume !== undefined ? 'resume' : SUBCOMMANDS.find(s => s === first);
  if (sub) {
    const ids: string[] = values.resume !== undefined ? [values.resume as string, ...positionals] : rest;
    const given = PLAN_OPTIONS.filter(o => values[o] !== undefined);
    if (given.length)
      throw new UsageError(
        `backfill ${sub} takes the plan from the journal: --${given.join(', --')} cannot be given (start a new backfill instead).`,
      );
    if (sub !== 'status' && values.confirm !== undefined && values.env === undefined)
      throw new UsageError('--confirm ENV goes with --env ENV.');
    if (ids.length > 1) throw new UsageError(`backfill ${sub} takes one backfill id, not ${ids.length}.`);
    const id = ids[0];
    if (id !== undefined && !BACKFILL_ID.test(id))
      throw new UsageError(
        `${JSON.stringify(id)} is not a backfill id (letters, digits, '-' and '_', as status lists them).`,
      );
    if (sub === 'status') {
      if (values.env !== undefined || values['poll-interval'] !== undefined)
        throw new UsageError('backfill status reads the journals only: it takes no --env or --poll-interval.');
      return id === undefined ? { kind: 'status', values, format } : { kind: 'status', id, values, format };
    }
    if (id === undefined)
      throw new UsageError(`backfill ${sub} needs the backfill's id (lakehouse backfill status lists them).`);
    return { kind: sub, id, values, format };
  }
  if (positionals.length)
    throw new UsageError(
      `backfill takes no positional arguments but resume, rerun-failed and status (got ${JSON.stringify(first)}).`,
    );
  if (!values.env)
    throw new UsageError('--env is required (an environment of lakehouse.yaml, or local for the local emulator).');
  const tables = splitList(values.tables as string[] | undefined, '--tables');
  if (values.all && tables.length) throw new UsageError('Give --tables or --all, not both.');
  if (!values.all && !tables.length)
    throw new UsageError('Which tables? --tables schema.table[,schema.table…] (or table names), or --all.');
  const from = values.from as string | undefined;
  const to = values.to as string | undefined;
  if (from === undefined || to === undefined)
    throw new UsageError(
      `--from and --to are required: the range to copy, --to exclusive (January is --from 2024-01-01 --to 2024-02-01).`,
    );
  // Checked here so a mistake costs no sign-in: dates, range, granularity, concurrency, id.
  const granularity = parseGranularity(values.granularity as string | undefined);
  const fromMs = parseBackfillDate(from, '--from');
  const toMs = parseBackfillDate(to, '--to');
  windowsOf(fromMs, toMs, granularity);
  if (fromMs >= now)
    throw new BackfillInputError(`--from ${from} is not in the past: a backfill copies windows that have happened.`);
  const concurrency = parseConcurrency(values.concurrency as string | undefined, DEFAULT_BACKFILL_CONCURRENCY);
  const id = values.id as string | undefined;
  if (id !== undefined && !BACKFILL_ID.test(id))
    throw new UsageError(`--id ${JSON.stringify(id)} may hold letters, digits, '-' and '_' only (64 at most).`);
  const request: BackfillRequest = {
    tables: values.all ? 'all' : tables,
    from,
    to,
    granularity,
    concurrency,
    ...(id !== undefined ? { id } : {}),
  };
  return { kind: 'start', values, request, dryRun: values['dry-run'] === true, format };
}

export async function backfillCommand(args: string[], io: Io, usage: string): Promise<number> {
  try {
    const command = parseBackfillCommand(args, Date.now());
    switch (command.kind) {
      case 'help':
        io.stdout(usage);
        return 0;
      case 'status':
        return await status(command, io);
      case 'start':
        return await start(command, io);
      default:
        return await resume(command, io);
    }
  } catch (e) {
    // The user's to act on (a bad argument, a journal that cannot be resumed here, one running elsewhere).
    if (
      e instanceof BackfillInputError ||
      e instanceof JournalError ||
      e instanceof BackfillNotFoundError ||
      e instanceof JournalLockedError
    )
      throw new UserError(e.message);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------

interface Connected {
  opened: OpenedTarget;
  /** --project as given, for the resume command we print. */
  projectShown: string | undefined;
  connection: BackfillConnection;
  folder: JournalFolderOnDisk;
}

function connect(opened: OpenedTarget, values: Values): Connected {
  const folder = new JournalFolderOnDisk(backfillJournalDir(opened.projectDir));
  const pollIntervalMs = parsePollInterval(values['poll-interval'] as string | undefined, opened.target.local);
  return {
    opened,
    projectShown: values.project as string | undefined,
    folder,
    connection: {
      port: runsClientFor(opened.target, opened.credential),
      folder,
      clock: systemClock,
      factory: factoryIdOf(opened.target),
      local: opened.target.local,
      ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
    },
  };
}

async function start(command: Extract<BackfillCommand, { kind: 'start' }>, io: Io): Promise<number> {
  const project = await openProject(command.values, io);
  const opened = await openTargetOf(project, command.values.env as string);
  const { target } = opened;
  if (!command.dryRun) {
    const refusal = protectedRefusal(target, command.values.confirm, 'start a backfill on it');
    if (refusal) {
      io.stderr(`lakehouse: ${refusal}\n`);
      return 1;
    }
  }
  const c = connect(opened, command.values);
  const settings = backfillSettingsOf(project.snapshot.metadata);
  const pipelines = await factoryPipelinesFor(target, opened.credential);
  const plan = prepareBackfill(
    settings,
    pipelines,
    command.request,
    { environment: target.environment, factory: c.connection.factory },
    Date.now(),
  );
  if (command.dryRun) {
    if (command.format === 'json')
      io.stdout(`${JSON.stringify({ ...placeJson(opened), dryRun: true, plan: planJson(plan) }, null, 2)}\n`);
    else io.stdout(planText(plan, opened));
    return 0;
  }
  if (command.format === 'text') io.stderr(planHeader(plan, opened));
  const held = await createBackfill(c.connection, plan);
  return follow(held, c, command.format, io, plan);
}

async function resume(command: Extract<BackfillCommand, { kind: 'resume' | 'rerun-failed' }>, io: Io): Promise<number> {
  const project = await openProject(command.values, io);
  const folder = new JournalFolderOnDisk(backfillJournalDir(project.projectDir));
  const listing = (await listBackfills(folder)).backfills.find(b => b.id === command.id);
  if (!listing)
    throw new UserError(
      `There is no backfill ${command.id} in ${folder.folder} (lakehouse backfill status lists them).`,
    );
  const env = (command.values.env as string | undefined) ?? listing.environment;
  if (!env) throw new UsageError(`The journal of ${command.id} does not say its environment: give --env.`);
  if (listing.environment && env !== listing.environment)
    throw new UserError(
      `Backfill ${command.id} ran on '${listing.environment}', not '${env}': resume it there (--env ${listing.environment}).`,
    );
  const opened = await openTargetOf(project, env);
  const refusal = protectedRefusal(opened.target, command.values.confirm, `${command.kind} a backfill on it`, false);
  if (refusal) {
    io.stderr(`lakehouse: ${refusal}\n`);
    return 1;
  }
  const c = connect(opened, command.values);
  const held = await openBackfill(c.connection, command.id);
  const plan = held.backfill.state.plan;
  if (command.kind === 'rerun-failed') {
    let keys: string[];
    try {
      keys = await held.backfill.rerunFailed();
    } catch (e) {
      await held.release();
      throw e;
    }
    if (command.format === 'text')
      io.stderr(
        keys.length
          ? `Backfill ${plan.id}: round ${held.backfill.state.round}, ${keys.length} partition(s) again.\n`
          : `Backfill ${plan.id}: no partition failed; going on with what is left, if anything.\n`,
      );
  } else if (command.format === 'text') io.stderr(`Resuming ${planHeader(plan, opened)}`);
  return follow(held, c, command.format, io, plan);
}

/** Runs (or resumes) a held backfill with progress on stderr and Ctrl-C handled; prints the summary. */
async function follow(
  held: HeldBackfill,
  c: Connected,
  format: 'text' | 'json',
  io: Io,
  plan: PlanEntry,
): Promise<number> {
  const { backfill } = held;
  const abort = new AbortController();
  // Every request in flight listens on it (up to 50 partitions at once): not a leak.
  setMaxListeners(0, abort.signal);
  let interrupted: 'stopping' | 'killed' | undefined;
  const stopListening = io.onInterrupt?.(signal => {
    if (signal === 'SIGINT' && interrupted === undefined) {
      interrupted = 'stopping';
      io.stderr(
        `\nStopping backfill ${backfill.id}: no new run starts; runs in flight go on in the factory. Ctrl-C again to stop at once.\n`,
      );
      void backfill.cancel().catch(() => abort.abort());
    } else {
      interrupted = 'killed';
      io.stderr(`\nStopping backfill ${backfill.id} now: the journal has every step.\n`);
      abort.abort();
    }
  });
  const progress = format === 'text' ? backfill.onProgress.on(p => progressLine(p, io)) : undefined;
  let summary: BackfillSummary;
  try {
    summary = await backfill.run(abort.signal);
  } catch (e) {
    if (!(e instanceof AbortedError)) throw e;
    summary = backfill.summary();
  } finally {
    progress?.dispose();
    stopListening?.();
    await held.release();
    await c.folder.close();
  }
  const resumeCommand = `lakehouse backfill resume ${summary.id} --env ${c.opened.target.environment}${projectArg(c)}`;
  if (format === 'json')
    io.stdout(
      `${JSON.stringify(
        {
          ...placeJson(c.opened),
          dryRun: false,
          interrupted: interrupted !== undefined,
          plan: planJson(plan),
          summary,
          ...(interrupted || !summary.complete ? { resume: resumeCommand } : {}),
        },
        null,
        2,
      )}\n`,
    );
  else {
    io.stdout(`${formatSummary(summary)}\n`);
    if (interrupted)
      io.stderr(
        `Interrupted: ${summary.running + summary.queued} run(s) go on in the factory. Go on with: ${resumeCommand}\n`,
      );
  }
  return summary.succeeded === summary.total && summary.duplicates === 0 && !interrupted ? 0 : 1;
}

function projectArg(c: Connected): string {
  return c.projectShown !== undefined ? ` --project ${quote(c.projectShown)}` : '';
}

function quote(s: string): string {
  return /^[\w./:@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function progressLine(p: BackfillProgress, io: Io): void {
  if (!p.partition) return;
  io.stderr(`  ${p.partition.status.padEnd(13)} ${p.partition.key}  [${p.message}]\n`);
}

async function status(command: Extract<BackfillCommand, { kind: 'status' }>, io: Io): Promise<number> {
  const project = await openProject(command.values, io);
  const folder = new JournalFolderOnDisk(backfillJournalDir(project.projectDir));
  const { backfills, problems } = await listBackfills(folder);
  for (const p of problems) io.stderr(`warning: the journal of ${p.id} cannot be read: ${p.message}\n`);
  if (command.id !== undefined) {
    const one = backfills.find(b => b.id === command.id);
    if (!one) throw new UserError(`There is no backfill ${command.id} in ${folder.folder}.`);
    if (command.format === 'json') io.stdout(`${JSON.stringify(listingJson(one, true), null, 2)}\n`);
    else io.stdout(`${listingHeader(one)}\n${formatSummary(one.summary, 200)}\n`);
    return 0;
  }
  if (command.format === 'json')
    io.stdout(`${JSON.stringify({ backfills: backfills.map(b => listingJson(b, false)), problems }, null, 2)}\n`);
  else if (!backfills.length) io.stdout(`No backfills in ${folder.folder}.\n`);
  else for (const b of backfills) io.stdout(`${listingHeader(b)}\n`);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Output

function placeJson(opened: OpenedTarget) {
  return { environment: opened.target.environment, target: opened.target.label, factory: opened.target.factory.name };
}

/** The plan in JSON: what runs, without the loops' large table arrays (their table names instead). */
export function planJson(plan: PlanEntry) {
  return {
    id: plan.id,
    from: plan.from,
    to: plan.to,
    granularity: plan.granularity,
    concurrency: plan.concurrency,
    notes: plan.notes,
    targets: plan.targets.map(t => ({ pipeline: t.pipeline, tables: t.tables, tagsBackfillId: t.tagsBackfillId })),
    partitions: plan.partitions.map(p => ({
      key: p.key,
      pipeline: p.pipeline,
      windowStart: p.windowStart,
      windowEnd: p.windowEnd,
    })),
  };
}

function planHeader(plan: PlanEntry, opened: OpenedTarget): string {
  const lines = [
    `Backfill ${plan.id} on ${opened.target.label} (factory ${opened.target.factory.name}): ${describePlan(plan)}, concurrency ${plan.concurrency}`,
    ...plan.targets.map(t => `  ${t.pipeline}: ${t.tables.join(', ')}`),
    ...plan.notes.map(n => `  note: ${n}`),
  ];
  return `${lines.join('\n')}\n`;
}

function planText(plan: PlanEntry, opened: OpenedTarget): string {
  const lines = [planHeader(plan, opened).trimEnd(), 'Partitions:'];
  for (const p of plan.partitions) lines.push(`  ${p.pipeline}  ${p.windowStart} → ${p.windowEnd}`);
  lines.push('Dry run: nothing started.');
  return `${lines.join('\n')}\n`;
}

function listingHeader(b: BackfillListing): string {
  const s = b.summary;
  const state = b.unfinished ? 'unfinished' : s.succeeded === s.total ? 'done' : 'ended';
  const counts = [
    `${s.succeeded}/${s.total} succeeded`,
    s.failed ? `${s.failed} failed` : '',
    s.cancelled ? `${s.cancelled} cancelled` : '',
    s.running + s.queued ? `${s.running + s.queued} running` : '',
    s.notStarted ? `${s.notStarted} not started` : '',
  ].filter(Boolean);
  return (
    `${b.id}  ${state.padEnd(10)} ${b.environment ?? '?'}  ${b.from.slice(0, 10)} → ${b.to.slice(0, 10)} by ${b.granularity}` +
    `  created ${new Date(b.createdAt).toISOString().slice(0, 16).replace('T', ' ')}Z  ${counts.join(', ')}`
  );
}

function listingJson(b: BackfillListing, withPartitions: boolean) {
  const { partitions, id, environment, ...counts } = b.summary;
  return {
    id,
    environment: environment ?? null,
    createdAt: new Date(b.createdAt).toISOString(),
    from: b.from,
    to: b.to,
    granularity: b.granularity,
    unfinished: b.unfinished,
    ...counts,
    ...(withPartitions ? { partitions } : {}),
  };
}
