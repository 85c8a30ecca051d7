// A backfill's plan: its id, the range cut into windows, and per window and target a partition
// with the parameters its run gets (the target's, the window, and the backfill's id where the
// pipeline declares it). The plan is the journal's first line.
import { randomBytes } from 'crypto';
import { BACKFILL_ID, JOURNAL_VERSION, type PartitionPlan, type PlanEntry } from './journal';
import {
  BackfillInputError,
  parseBackfillDate,
  parseConcurrency,
  parseGranularity,
  windowBoundText,
  windowsOf,
  type Granularity,
} from './partitions';
import type { TargetPlan } from './targets';

export interface BackfillInput {
  /** YYYY-MM-DD (UTC) or a UTC time; `to` is exclusive. */
  from: string;
  to: string;
  granularity?: Granularity | string;
  concurrency?: number | string;
  targets: TargetPlan;
  /** Default: bf-<yyyymmdd>-<random>. */
  id?: string;
  environment?: string;
  /** The factory's ARM id (see factoryResourceId in core/runs/studio.ts). */
  factory?: string;
  now: number;
}

/** bf-20240131-3f9a1c: sorts by day, unique enough for one user's backfills. */
export function newBackfillId(now: number, random: () => string = () => randomBytes(3).toString('hex')): string {
  return `bf-${new Date(now).toISOString().slice(0, 10).replace(/-/g, '')}-${random()}`;
}

export function planBackfill(input: BackfillInput): PlanEntry {
  const from = parseBackfillDate(input.from, '--from');
  const to = parseBackfillDate(input.to, '--to');
  const granularity = parseGranularity(input.granularity);
  const concurrency = parseConcurrency(input.concurrency);
  const id = input.id ?? newBackfillId(input.now);
  if (!BACKFILL_ID.test(id))
    throw new BackfillInputError(
      `The backfill id ${JSON.stringify(id)} may hold letters, digits, '-' and '_' only (64 at most).`,
    );
  if (input.targets.targets.length === 0) throw new BackfillInputError('The backfill has nothing to run.');
  const windows = windowsOf(from, to, granularity);
  const partitions: PartitionPlan[] = [];
  for (const w of windows)
    input.targets.targets.forEach((t, target) => {
      const windowStart = windowBoundText(w.start);
      const windowEnd = windowBoundText(w.end);
      partitions.push({
        key: partitionKey(t.pipeline, windowStart, windowEnd),
        target,
        pipeline: t.pipeline,
        windowStart,
        windowEnd,
      });
    });
  const plan: PlanEntry = {
    t: 'backfill',
    v: JOURNAL_VERSION,
    id,
    createdAt: input.now,
    from: windowBoundText(from),
    to: windowBoundText(to),
    granularity,
    concurrency,
    names: input.targets.names,
    targets: input.targets.targets,
    partitions,
    notes: input.targets.notes,
  };
  if (input.environment !== undefined) plan.environment = input.environment;
  if (input.factory !== undefined) plan.factory = input.factory;
  return plan;
}

/** A partition's key in the journal: its pipeline and window. */
export function partitionKey(pipeline: string, windowStart: string, windowEnd: string): string {
  return `${pipeline}@${windowStart}/${windowEnd}`;
}

/** The parameters a partition's run is started with. */
export function runParametersOf(plan: PlanEntry, p: PartitionPlan): Record<string, unknown> {
  const target = plan.targets[p.target];
  if (!target)
    throw new BackfillInputError(`Partition ${p.key} names target ${p.target}, which the plan does not have.`);
  const parameters: Record<string, unknown> = {
    ...target.parameters,
    [plan.names.windowStart]: p.windowStart,
    [plan.names.windowEnd]: p.windowEnd,
  };
  if (target.tagsBackfillId) parameters[plan.names.backfillId] = plan.id;
  return parameters;
}
