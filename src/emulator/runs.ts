// Pipeline runs as ADF keeps them: Queued → InProgress → Succeeded/Failed (or Canceling →
// Cancelled), with activity runs made from the pipeline's top-level activities in dependsOn
// order, child runs for Execute Pipeline activities, reruns grouped with their original, the
// pipeline's concurrency and its queue of at most 100 runs, and 45 days of history.
import { randomUUID } from 'crypto';
import { timestampFromMs } from '../core/adf/run/dates';
import { evaluateAdfString } from '../core/adf/run/evaluate';
import { containsUnknown, firstUnknown, fromJson, toJson, type AdfObject, type AdfValue } from '../core/adf/run/values';
import type { ArtifactStore } from './artifacts';
import type { SimClock } from './clock';
import { ArmError, badRequest, isRecord, notFound } from './http';
import type { OutcomeBook } from './outcomes';

export type PipelineRunStatus = 'Queued' | 'InProgress' | 'Succeeded' | 'Failed' | 'Canceling' | 'Cancelled';
export type ActivityRunStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Cancelled';

/** How long simulated work takes, in real milliseconds (tests: a few ms; the demo: seconds). */
export interface RunTiming {
  /** From createRun until the run leaves the queue (when its pipeline's concurrency allows). */
  queuedMs: number;
  /** One activity. */
  activityMs: number;
  /** From cancel until Cancelled. */
  cancelMs: number;
}

export const TEST_TIMING: RunTiming = { queuedMs: 5, activityMs: 10, cancelMs: 5 };
export const DEMO_TIMING: RunTiming = { queuedMs: 2_000, activityMs: 4_000, cancelMs: 1_500 };

/** ADF's limits that the emulator enforces. */
export const MAX_QUEUED_RUNS_PER_PIPELINE = 100;
export const RUN_RETENTION_DAYS = 45;
export const RUNS_PAGE_SIZE = 100;

export interface InvokedBy {
  name: string;
  id: string;
  invokedByType: string;
  pipelineName?: string;
  pipelineRunId?: string;
}

export interface ActivityRunRecord {
  activityRunId: string;
  activityName: string;
  activityType: string;
  pipelineName: string;
  pipelineRunId: string;
  linkedServiceName?: string;
  status: ActivityRunStatus;
  activityRunStart: number;
  activityRunEnd?: number;
  input: unknown;
  output: unknown;
  error: { errorCode: string; message: string; failureType: string; target: string; details: string };
  lastUpdated: number;
  /** The child run of an Execute Pipeline activity. */
  childRunId?: string;
}

export interface PipelineRunRecord {
  runId: string;
  runGroupId: string;
  isLatest: boolean;
  pipelineName: string;
  parameters: Record<string, string>;
  invokedBy: InvokedBy;
  /** createRun time (ADF's runStart: queued runs have one). */
  runStart: number;
  /** When it left the queue. */
  startedAt?: number;
  runEnd?: number;
  status: PipelineRunStatus;
  message: string;
  lastUpdated: number;
  activityRuns: ActivityRunRecord[];
  referencePipelineRunId?: string;
  isRecovery?: boolean;
  /** The parent run, for a run started by an Execute Pipeline activity. */
  parentRunId?: string;
}

/** A finished run for importRun(); times in ms since the epoch. */
export interface HistoricalRun {
  pipelineName: string;
  parameters?: Record<string, unknown>;
  status: 'Succeeded' | 'Failed' | 'Cancelled';
  runStart: number;
  runEnd: number;
  message?: string;
  runGroupId?: string;
  invokedBy?: InvokedBy;
}

export interface CreateRunRequest {
  parameters?: Record<string, unknown>;
  referencePipelineRunId?: string;
  isRecovery?: boolean;
  startActivityName?: string;
  startFromFailure?: boolean;
}

interface ActivityDefinition {
  name: string;
  type: string;
  dependsOn: { activity: string; conditions: string[] }[];
  typeProperties: Record<string, unknown>;
  linkedServiceName?: string;
}

type ActivityState = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Skipped' | 'Cancelled' | 'Carried';

/** What the engine needs to know of a run while it moves. */
interface Simulation {
  definitions: ActivityDefinition[];
  state: Map<string, ActivityState>;
  /** Activity run per activity (lower-case name) while it runs. */
  running: Map<string, ActivityRunRecord>;
  tasks: Set<number>;
  /** Left the queue's delay; may start when the pipeline's concurrency allows. */
  ready: boolean;
  concurrency?: number;
  /** Lower-case names of the activities that succeeded (or were carried over), for recovery reruns. */
  succeeded: Set<string>;
  /** The parameters with their JSON types (the run shows them as text), for pipeline().parameters in expressions. */
  values: Record<string, unknown>;
}

export interface RunFilter {
  lastUpdatedAfter?: unknown;
  lastUpdatedBefore?: unknown;
  continuationToken?: unknown;
  filters?: unknown;
  orderBy?: unknown;
}

export interface RunEngineOptions {
  clock: SimClock;
  artifacts: ArtifactStore;
  outcomes: OutcomeBook;
  timing: RunTiming;
  /** The factory's ARM id (the prefix of a run's id). */
  factoryId: string;
  activityPageSize?: number;
  maxQueuedPerPipeline?: number;
  retentionDays?: number;
}

const TERMINAL = new Set<PipelineRunStatus>(['Succeeded', 'Failed', 'Cancelled']);
export const isTerminal = (status: PipelineRunStatus) => TERMINAL.has(status);
const key = (name: string) => name.toLowerCase();
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export class RunEngine {
  private readonly runs = new Map<string, PipelineRunRecord>();
  /** Every run, in creation order. */
  private readonly order: PipelineRunRecord[] = [];
  private readonly sims = new Map<string, Simulation>();
  /** Per pipeline (lower case), its runs not yet finished, oldest first: admission never scans the whole history. */
  private readonly unfinished = new Map<string, PipelineRunRecord[]>();
  private readonly listeners = new Set<(run: PipelineRunRecord) => void>();

  constructor(private readonly options: RunEngineOptions) {}

  private get now(): number {
    return this.options.clock.now();
  }

  /** Called on every change of a run's status. */
  onRunChanged(listener: (run: PipelineRunRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every run ever created (also those past the 45 days), in creation order. */
  all(): readonly PipelineRunRecord[] {
    return this.order;
  }

  createRun(
    pipelineName: string,
    request: CreateRunRequest,
    invokedBy?: InvokedBy,
    parentRunId?: string,
  ): PipelineRunRecord {
    const pipeline = this.options.artifacts.get('pipelines', pipelineName);
    if (!pipeline) throw notFound('PipelineNotFound', `Pipeline '${pipelineName}' was not found in the factory.`);
    const properties = pipeline.properties;
    const reference = request.referencePipelineRunId ? this.visibleRun(request.referencePipelineRunId) : undefined;
    if (reference && key(reference.pipelineName) !== key(pipeline.name))
      throw badRequest(
        'BadRequest',
        `Run ${reference.runId} is a run of pipeline '${reference.pipelineName}', not of '${pipeline.name}'.`,
      );
    if (reference && request.isRecovery && !isTerminal(reference.status))
      throw badRequest(
        'BadRequest',
        `Run ${reference.runId} is still ${reference.status}: it can be rerun once it has finished.`,
      );
    const concurrency = typeof properties['concurrency'] === 'number' ? properties['concurrency'] : undefined;
    if (concurrency !== undefined) {
      const limit = this.options.maxQueuedPerPipeline ?? MAX_QUEUED_RUNS_PER_PIPELINE;
      const queued = (this.unfinished.get(key(pipeline.name)) ?? []).filter(r => r.status === 'Queued').length;
      if (queued >= limit)
        throw badRequest(
          'PipelineExecutionThrottled',
          `Pipeline execution throttled. If the concurrency value is set for a pipeline, a maximum of ${limit} runs will be queued for execution.`,
        );
    }
    // ADF: "If run ID is specified the parameters of the specified run will be used to create a new run."
    const values = reference
      ? { ...(this.sims.get(reference.runId)?.values ?? reference.parameters) }
      : effectiveParameters(pipeline.name, properties['parameters'], request.parameters ?? {});
    const parameters = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, asText(v)]));
    const definitions = activitiesOf(properties);
    const carried =
      reference && request.isRecovery ? this.carriedActivities(reference, definitions, request) : new Set<string>();
    const now = this.now;
    const runId = randomUUID();
    const run: PipelineRunRecord = {
      runId,
      runGroupId: reference && request.isRecovery ? reference.runGroupId : runId,
      isLatest: true,
      pipelineName: pipeline.name,
      parameters,
      invokedBy: invokedBy ?? { name: 'Manual', id: randomUUID().replace(/-/g, ''), invokedByType: 'Manual' },
      runStart: now,
      status: 'Queued',
      message: '',
      lastUpdated: now,
      activityRuns: [],
      ...(reference ? { referencePipelineRunId: reference.runId } : {}),
      ...(request.isRecovery ? { isRecovery: true } : {}),
      ...(parentRunId ? { parentRunId } : {}),
    };
    if (reference && request.isRecovery)
      for (const other of this.order) if (other.runGroupId === run.runGroupId) other.isLatest = false;
    const state = new Map<string, ActivityState>(
      definitions.map(d => [key(d.name), carried.has(key(d.name)) ? 'Carried' : 'Pending']),
    );
    this.runs.set(runId, run);
    this.order.push(run);
    const pending = this.unfinished.get(key(run.pipelineName)) ?? [];
    pending.push(run);
    this.unfinished.set(key(run.pipelineName), pending);
    this.sims.set(runId, {
      definitions,
      state,
      running: new Map(),
      tasks: new Set(),
      ready: false,
      ...(concurrency !== undefined ? { concurrency } : {}),
      succeeded: new Set(carried),
      values,
    });
    this.schedule(run, this.options.timing.queuedMs, () => {
      this.sims.get(runId)!.ready = true;
      this.admit(run.pipelineName);
    });
    this.changed(run);
    return run;
  }

  /**
   * A finished run put straight into the history (no simulation): for a demo's past and a bench's
   * 10,000 runs without 10,000 createRun calls. The pipeline need not exist (it may have been deleted since).
   */
  importRun(run: HistoricalRun): PipelineRunRecord {
    if (!isTerminal(run.status))
      throw new TypeError(`A historical run has finished: ${run.status} is not Succeeded, Failed or Cancelled.`);
    if (!(run.runEnd >= run.runStart)) throw new TypeError('A historical run ends after it starts.');
    const runId = randomUUID();
    const record: PipelineRunRecord = {
      runId,
      runGroupId: run.runGroupId ?? runId,
      isLatest: true,
      pipelineName: run.pipelineName,
      parameters: Object.fromEntries(Object.entries(run.parameters ?? {}).map(([k, v]) => [k, asText(v)])),
      invokedBy: run.invokedBy ?? { name: 'Manual', id: randomUUID().replace(/-/g, ''), invokedByType: 'Manual' },
      runStart: run.runStart,
      startedAt: run.runStart,
      runEnd: run.runEnd,
      status: run.status,
      message: run.message ?? '',
      lastUpdated: run.runEnd,
      activityRuns: [],
    };
    if (run.runGroupId) for (const other of this.order) if (other.runGroupId === run.runGroupId) other.isLatest = false;
    this.runs.set(runId, record);
    this.order.push(record);
    this.sims.set(runId, {
      definitions: [],
      state: new Map(),
      running: new Map(),
      tasks: new Set(),
      ready: true,
      succeeded: new Set(),
      values: { ...(run.parameters ?? {}) },
    });
    return record;
  }

  /** A run within ADF's history (45 days), or ADF's 404. */
  visibleRun(runId: string): PipelineRunRecord {
    const run = this.runs.get(runId) ?? this.runs.get(runId.toLowerCase());
    if (!run || this.expired(run)) throw notFound('PipelineRunNotFound', `Pipeline run '${runId}' was not found.`);
    return run;
  }

  cancel(runId: string, recursive: boolean): void {
    const run = this.visibleRun(runId);
    if (isTerminal(run.status))
      throw badRequest(
        'BadRequest',
        `Pipeline run ${run.runId} has already finished (${run.status}): there is nothing to cancel.`,
      );
    if (run.status === 'Canceling') return;
    this.cancelRun(run, recursive);
  }

  private cancelRun(run: PipelineRunRecord, recursive: boolean): void {
    const sim = this.sims.get(run.runId)!;
    for (const id of sim.tasks) this.options.clock.cancel(id);
    sim.tasks.clear();
    const now = this.now;
    const children: PipelineRunRecord[] = [];
    for (const [name, activity] of sim.running) {
      activity.status = 'Cancelled';
      activity.activityRunEnd = now;
      activity.lastUpdated = now;
      activity.error = { ...activity.error, message: 'Operation cancelled: the pipeline run was cancelled.' };
      sim.state.set(name, 'Cancelled');
      const child = activity.childRunId ? this.runs.get(activity.childRunId) : undefined;
      if (child && !isTerminal(child.status) && child.status !== 'Canceling') children.push(child);
    }
    sim.running.clear();
    if (run.status === 'Queued') {
      this.finish(run, 'Cancelled', '');
    } else {
      run.status = 'Canceling';
      run.lastUpdated = now;
      this.changed(run);
      this.schedule(run, this.options.timing.cancelMs, () => this.finish(run, 'Cancelled', ''));
    }
    if (recursive) for (const child of children) this.cancelRun(child, true);
  }

  /** queryPipelineRuns: filtered on last-updated time, in pages of 100 with a continuation token. */
  query(filter: RunFilter): { value: unknown[]; continuationToken?: string } {
    const { after, before } = window(filter);
    const predicates = parseFilters(filter.filters, RUN_OPERANDS);
    const matching = this.order.filter(
      r =>
        !this.expired(r) &&
        r.lastUpdated >= after &&
        r.lastUpdated <= before &&
        predicates.every(p => p.test(runOperand(r, p.operand))),
    );
    const sorted = sortBy(
      matching,
      filter.orderBy,
      RUN_ORDER,
      [{ field: 'RunStart', descending: true }],
      runOrderValue,
    );
    return page(sorted, filter.continuationToken, RUNS_PAGE_SIZE, r => this.toApi(r));
  }

  /** queryActivityruns of one run, paged by continuation token. */
  queryActivities(runId: string, filter: RunFilter): { value: unknown[]; continuationToken?: string } {
    const run = this.visibleRun(runId);
    const { after, before } = window(filter);
    const predicates = parseFilters(filter.filters, ACTIVITY_OPERANDS);
    const matching = run.activityRuns.filter(
      a =>
        a.lastUpdated >= after &&
        a.lastUpdated <= before &&
        predicates.every(p => p.test(activityOperand(a, p.operand))),
    );
    const sorted = sortBy(
      matching,
      filter.orderBy,
      ACTIVITY_ORDER,
      [{ field: 'ActivityRunStart', descending: false }],
      activityOrderValue,
    );
    return page(sorted, filter.continuationToken, this.options.activityPageSize ?? RUNS_PAGE_SIZE, a =>
      activityToApi(a),
    );
  }

  /** The run as the REST API shows it. */
  toApi(run: PipelineRunRecord): Record<string, unknown> {
    const end = run.runEnd;
    return {
      id: `${this.options.factoryId}/pipelineruns/${run.runId}`,
      runId: run.runId,
      debugRunId: null,
      runGroupId: run.runGroupId,
      isLatest: run.isLatest,
      pipelineName: run.pipelineName,
      parameters: run.parameters,
      runDimensions: {},
      invokedBy: run.invokedBy,
      lastUpdated: iso(run.lastUpdated),
      runStart: iso(run.runStart),
      runEnd: iso(end),
      durationInMs: end === undefined ? null : end - run.runStart,
      status: run.status,
      message: run.message,
      annotations: [],
    };
  }

  /** Drops all scheduled work (the clock's stop() does too). */
  stop(): void {
    for (const sim of this.sims.values()) {
      for (const id of sim.tasks) this.options.clock.cancel(id);
      sim.tasks.clear();
    }
  }

  private expired(run: PipelineRunRecord): boolean {
    const days = this.options.retentionDays ?? RUN_RETENTION_DAYS;
    return run.lastUpdated < this.now - days * 86_400_000;
  }

  private schedule(run: PipelineRunRecord, delayMs: number, work: () => void): void {
    const sim = this.sims.get(run.runId)!;
    const id = this.options.clock.after(delayMs, () => {
      sim.tasks.delete(id);
      work();
    });
    sim.tasks.add(id);
  }

  private changed(run: PipelineRunRecord): void {
    for (const listener of this.listeners) listener(run);
  }

  /** Starts the pipeline's ready queued runs, oldest first, as far as its concurrency allows. */
  private admit(pipelineName: string): void {
    const mine = [...(this.unfinished.get(key(pipelineName)) ?? [])];
    let active = mine.filter(r => r.status === 'InProgress' || r.status === 'Canceling').length;
    for (const run of mine) {
      if (run.status !== 'Queued') continue;
      const sim = this.sims.get(run.runId)!;
      if (!sim.ready) continue;
      if (sim.concurrency !== undefined && active >= sim.concurrency) break;
      active++;
      run.status = 'InProgress';
      run.startedAt = this.now;
      run.lastUpdated = this.now;
      this.changed(run);
      this.step(run);
    }
  }

  /** Starts every activity whose dependencies are settled; finishes the run when nothing is left. */
  private step(run: PipelineRunRecord): void {
    if (run.status !== 'InProgress') return;
    const sim = this.sims.get(run.runId)!;
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const def of sim.definitions) {
        const name = key(def.name);
        if (sim.state.get(name) !== 'Pending') continue;
        const deps = def.dependsOn.map(d => ({
          state: sim.state.get(key(d.activity)) ?? 'Skipped',
          conditions: d.conditions,
        }));
        if (deps.some(d => d.state === 'Pending' || d.state === 'Running')) continue;
        progressed = true;
        if (deps.every(d => conditionMet(d.state, d.conditions))) this.startActivity(run, sim, def);
        else sim.state.set(name, 'Skipped');
      }
    }
    if ([...sim.state.values()].some(s => s === 'Pending' || s === 'Running')) return;
    const failed = failedLeaves(sim, run);
    if (sim.definitions.length === 0) {
      const outcome = this.options.outcomes.decide({
        pipelineName: run.pipelineName,
        activityName: '',
        parameters: run.parameters,
      });
      this.finish(run, outcome.status, outcome.message);
      return;
    }
    if (failed.length === 0) this.finish(run, 'Succeeded', '');
    else
      this.finish(
        run,
        'Failed',
        failed.map(f => `Operation on target ${f.activityName} failed: ${f.error.message}`).join('\n'),
      );
  }

  private startActivity(run: PipelineRunRecord, sim: Simulation, def: ActivityDefinition): void {
    const now = this.now;
    const activity: ActivityRunRecord = {
      activityRunId: randomUUID(),
      activityName: def.name,
      activityType: def.type,
      pipelineName: run.pipelineName,
      pipelineRunId: run.runId,
      ...(def.linkedServiceName ? { linkedServiceName: def.linkedServiceName } : {}),
      status: 'InProgress',
      activityRunStart: now,
      input: def.typeProperties,
      output: {},
      error: { errorCode: '', message: '', failureType: '', target: def.name, details: '' },
      lastUpdated: now,
    };
    run.activityRuns.push(activity);
    run.lastUpdated = now;
    sim.state.set(key(def.name), 'Running');
    sim.running.set(key(def.name), activity);
    const outcome = this.options.outcomes.decide({
      pipelineName: run.pipelineName,
      activityName: def.name,
      parameters: run.parameters,
    });
    const duration = outcome.durationMs ?? this.options.timing.activityMs;
    if (def.type === 'ExecutePipeline' && outcome.status === 'Succeeded') {
      this.schedule(run, Math.min(duration, this.options.timing.queuedMs), () =>
        this.startChild(run, sim, def, activity),
      );
      return;
    }
    this.schedule(run, duration, () =>
      this.completeActivity(
        run,
        sim,
        activity,
        outcome.status,
        outcome.errorCode,
        outcome.message,
        outputOf(def, outcome.status),
      ),
    );
  }

  private startChild(
    run: PipelineRunRecord,
    sim: Simulation,
    def: ActivityDefinition,
    activity: ActivityRunRecord,
  ): void {
    const reference = def.typeProperties['pipeline'];
    const childName =
      isRecord(reference) && typeof reference['referenceName'] === 'string' ? reference['referenceName'] : undefined;
    const fail = (message: string) => this.completeActivity(run, sim, activity, 'Failed', '2011', message, {});
    if (!childName) return fail(`Execute Pipeline activity '${def.name}' names no pipeline.`);
    let child: PipelineRunRecord;
    try {
      child = this.createRun(
        childName,
        { parameters: this.childParameters(def, run, sim) },
        {
          name: def.name,
          id: activity.activityRunId,
          invokedByType: 'PipelineActivity',
          pipelineName: run.pipelineName,
          pipelineRunId: run.runId,
        },
        run.runId,
      );
    } catch (e) {
      return fail(e instanceof ArmError ? e.message : String(e));
    }
    activity.childRunId = child.runId;
    activity.output = { pipelineName: child.pipelineName, pipelineRunId: child.runId };
    activity.lastUpdated = this.now;
    if (def.typeProperties['waitOnCompletion'] !== true)
      return this.completeActivity(run, sim, activity, 'Succeeded', '', '', activity.output);
    // Waits: finishChild() completes the activity when the child run ends.
  }

  /**
   * An Execute Pipeline activity's parameters for its child run: literals as they are,
   * expressions evaluated by the core's ADF expression evaluator against this run (pipeline()
   * with its parameters, RunId, TriggerTime, …). What cannot be evaluated fails the activity.
   */
  private childParameters(def: ActivityDefinition, run: PipelineRunRecord, sim: Simulation): Record<string, unknown> {
    const spec = def.typeProperties['parameters'];
    const out: Record<string, unknown> = {};
    if (!isRecord(spec)) return out;
    const parameters: AdfObject = new Map(Object.entries(sim.values).map(([k, v]) => [k, fromJson(v)]));
    const pipeline: AdfObject = new Map<string, AdfValue>([
      ['DataFactory', this.options.factoryId.split('/').pop() ?? ''],
      ['Pipeline', run.pipelineName],
      ['RunId', run.runId],
      ['TriggerType', run.invokedBy.invokedByType],
      ['TriggerName', run.invokedBy.name],
      ['TriggerId', run.invokedBy.id],
      ['TriggerTime', new Date(run.runStart).toISOString()],
      ['GroupId', run.runGroupId],
      ['parameters', parameters],
      ['globalParameters', new Map()],
    ]);
    const ctx = { pipeline: () => pipeline, now: timestampFromMs(this.now), newGuid: () => randomUUID() };
    for (const [name, raw] of Object.entries(spec)) {
      const text = isRecord(raw) && raw['type'] === 'Expression' ? `@${String(raw['value']).replace(/^@/, '')}` : raw;
      if (typeof text !== 'string') {
        out[name] = text;
        continue;
      }
      const result = evaluateAdfString(text, ctx);
      if (result.error)
        throw badRequest(
          'BadRequest',
          `Parameter '${name}' of Execute Pipeline activity '${def.name}': ${result.error.message}`,
        );
      if (containsUnknown(result.value))
        throw badRequest(
          'BadRequest',
          `Parameter '${name}' of Execute Pipeline activity '${def.name}' uses ` +
            `${firstUnknown(result.value)?.text ?? 'a value'}, which the emulator does not know.`,
        );
      out[name] = toJson(result.value);
    }
    return out;
  }

  private completeActivity(
    run: PipelineRunRecord,
    sim: Simulation,
    activity: ActivityRunRecord,
    status: 'Succeeded' | 'Failed',
    errorCode: string,
    message: string,
    output: unknown,
  ): void {
    if (activity.status !== 'InProgress' || run.status !== 'InProgress') return;
    const now = this.now;
    activity.status = status;
    activity.activityRunEnd = now;
    activity.lastUpdated = now;
    activity.output = output;
    if (status === 'Failed')
      activity.error = { errorCode, message, failureType: 'UserError', target: activity.activityName, details: '' };
    const name = key(activity.activityName);
    sim.running.delete(name);
    sim.state.set(name, status);
    if (status === 'Succeeded') sim.succeeded.add(name);
    run.lastUpdated = now;
    this.step(run);
  }

  private finish(run: PipelineRunRecord, status: 'Succeeded' | 'Failed' | 'Cancelled', message: string): void {
    const pending = this.unfinished.get(key(run.pipelineName));
    if (pending) {
      const at = pending.indexOf(run);
      if (at >= 0) pending.splice(at, 1);
      if (pending.length === 0) this.unfinished.delete(key(run.pipelineName));
    }
    const now = this.now;
    run.status = status;
    run.runEnd = now;
    run.lastUpdated = now;
    run.message = message;
    this.changed(run);
    if (run.parentRunId) this.finishChild(run);
    this.admit(run.pipelineName);
  }

  /** A child run ended: its parent's waiting Execute Pipeline activity ends with it. */
  private finishChild(child: PipelineRunRecord): void {
    const parent = this.runs.get(child.parentRunId!);
    const sim = parent ? this.sims.get(parent.runId) : undefined;
    if (!parent || !sim) return;
    const activity = [...sim.running.values()].find(a => a.childRunId === child.runId);
    if (!activity) return;
    if (child.status === 'Succeeded')
      this.completeActivity(parent, sim, activity, 'Succeeded', '', '', activity.output);
    else
      this.completeActivity(
        parent,
        sim,
        activity,
        'Failed',
        '2011',
        child.status === 'Cancelled'
          ? `The pipeline run ${child.runId} of '${child.pipelineName}' was cancelled.`
          : child.message || `The pipeline run ${child.runId} of '${child.pipelineName}' failed.`,
        activity.output,
      );
  }

  /** Activities a recovery rerun does not run again (they count as succeeded). */
  private carriedActivities(
    reference: PipelineRunRecord,
    definitions: ActivityDefinition[],
    request: CreateRunRequest,
  ): Set<string> {
    const succeeded = this.sims.get(reference.runId)?.succeeded ?? new Set<string>();
    if (request.startActivityName) {
      const start = definitions.find(d => key(d.name) === key(request.startActivityName!));
      if (!start)
        throw badRequest(
          'BadRequest',
          `Activity '${request.startActivityName}' is not a top-level activity of pipeline '${reference.pipelineName}'.`,
        );
      // The start activity and everything downstream of it run again; the rest is carried over.
      const rerun = new Set([key(start.name)]);
      let grew = true;
      while (grew) {
        grew = false;
        for (const d of definitions)
          if (!rerun.has(key(d.name)) && d.dependsOn.some(dep => rerun.has(key(dep.activity)))) {
            rerun.add(key(d.name));
            grew = true;
          }
      }
      return new Set(definitions.map(d => key(d.name)).filter(n => !rerun.has(n) && succeeded.has(n)));
    }
    if (request.startFromFailure) return new Set(definitions.map(d => key(d.name)).filter(n => succeeded.has(n)));
    return new Set();
  }
}

function activitiesOf(properties: Record<string, unknown>): ActivityDefinition[] {
  const raw = Array.isArray(properties['activities']) ? properties['activities'] : [];
  return raw.filter(isRecord).map(a => {
    const linked = a['linkedServiceName'];
    return {
      name: String(a['name']),
      type: String(a['type']),
      dependsOn: (Array.isArray(a['dependsOn']) ? a['dependsOn'] : []).filter(isRecord).map(d => ({
        activity: String(d['activity']),
        conditions: Array.isArray(d['dependencyConditions']) ? d['dependencyConditions'].map(String) : ['Succeeded'],
      })),
      typeProperties: isRecord(a['typeProperties']) ? a['typeProperties'] : {},
      ...(isRecord(linked) && typeof linked['referenceName'] === 'string'
        ? { linkedServiceName: linked['referenceName'] }
        : {}),
    };
  });
}

/** ADF's dependency conditions: any of a dependency's conditions; Completed is Succeeded or Failed. */
function conditionMet(state: ActivityState, conditions: string[]): boolean {
  const outcome = state === 'Carried' ? 'Succeeded' : state;
  return conditions.some(
    c => c === outcome || (c === 'Completed' && (outcome === 'Succeeded' || outcome === 'Failed')),
  );
}

/**
 * ADF's rule for the pipeline's result: it succeeds when every leaf activity succeeds; a leaf
 * skipped because of a failure counts as that failure. Returns the failed activity runs that decide.
 */
function failedLeaves(sim: Simulation, run: PipelineRunRecord): ActivityRunRecord[] {
  const byName = new Map(sim.definitions.map(d => [key(d.name), d]));
  const dependents = new Set(sim.definitions.flatMap(d => d.dependsOn.map(x => key(x.activity))));
  const failures = new Set<string>();
  const visit = (name: string, seen: Set<string>): boolean => {
    if (seen.has(name)) return false;
    seen.add(name);
    const state = sim.state.get(name);
    if (state === 'Failed' || state === 'Cancelled') {
      failures.add(name);
      return true;
    }
    if (state !== 'Skipped') return false;
    let failed = false;
    for (const dep of byName.get(name)?.dependsOn ?? []) failed = visit(key(dep.activity), seen) || failed;
    return failed;
  };
  for (const d of sim.definitions) if (!dependents.has(key(d.name))) visit(key(d.name), new Set());
  const recordOf = (name: string) =>
    [...run.activityRuns]
      .reverse()
      .find(a => key(a.activityName) === name && (a.status === 'Failed' || a.status === 'Cancelled'));
  return [...failures.keys()].map(recordOf).filter((a): a is ActivityRunRecord => a !== undefined);
}

/** The run's parameters: the pipeline's defaults, then the given values (the run shows them as text, as ADF does). */
function effectiveParameters(
  pipeline: string,
  declared: unknown,
  given: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const declarations = isRecord(declared) ? declared : {};
  for (const [name, spec] of Object.entries(declarations))
    if (isRecord(spec) && spec['defaultValue'] !== undefined) out[name] = spec['defaultValue'];
  for (const [name, value] of Object.entries(given)) out[name] = value;
  const missing = Object.keys(declarations).filter(n => !(n in out));
  if (missing.length > 0)
    throw badRequest(
      'BadRequest',
      `Pipeline '${pipeline}' needs a value for ${missing.map(m => `'${m}'`).join(', ')}: the parameter has no default value.`,
    );
  return out;
}

const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

function outputOf(def: ActivityDefinition, status: 'Succeeded' | 'Failed'): unknown {
  if (status === 'Failed') return {};
  if (def.type === 'Copy')
    return {
      rowsRead: 3,
      rowsCopied: 3,
      dataRead: 1024,
      dataWritten: 1024,
      copyDuration: 1,
      usedParallelCopies: 1,
      executionDetails: [],
    };
  return {};
}

function activityToApi(a: ActivityRunRecord): Record<string, unknown> {
  return {
    activityRunId: a.activityRunId,
    activityName: a.activityName,
    activityType: a.activityType,
    pipelineName: a.pipelineName,
    pipelineRunId: a.pipelineRunId,
    linkedServiceName: a.linkedServiceName ?? '',
    status: a.status,
    activityRunStart: iso(a.activityRunStart),
    activityRunEnd: iso(a.activityRunEnd),
    durationInMs: a.activityRunEnd === undefined ? null : a.activityRunEnd - a.activityRunStart,
    input: a.input,
    output: a.output,
    error: a.error,
    retryAttempt: null,
    userProperties: {},
  };
}

// ---- queries: filters, order, pages ----

const RUN_OPERANDS = ['PipelineName', 'Status', 'RunGroupId', 'RunId', 'LatestOnly', 'TriggerName'] as const;
const ACTIVITY_OPERANDS = ['ActivityName', 'ActivityType', 'Status', 'ActivityRunId'] as const;
const RUN_ORDER = ['RunStart', 'RunEnd', 'PipelineName', 'Status'] as const;
const ACTIVITY_ORDER = ['ActivityRunStart', 'ActivityRunEnd', 'ActivityName', 'Status'] as const;

interface Predicate {
  operand: string;
  test: (value: string) => boolean;
}

function runOperand(run: PipelineRunRecord, operand: string): string {
  switch (operand) {
    case 'PipelineName':
      return run.pipelineName;
    case 'Status':
      return run.status;
    case 'RunGroupId':
      return run.runGroupId;
    case 'RunId':
      return run.runId;
    case 'LatestOnly':
      return String(run.isLatest);
    default: // TriggerName
      return run.invokedBy.invokedByType.endsWith('Trigger') ? run.invokedBy.name : '';
  }
}

function activityOperand(a: ActivityRunRecord, operand: string): string {
  return operand === 'ActivityName'
    ? a.activityName
    : operand === 'ActivityType'
      ? a.activityType
      : operand === 'Status'
        ? a.status
        : a.activityRunId;
}

function parseFilters(raw: unknown, operands: readonly string[]): Predicate[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw badRequest('BadRequest', '"filters" must be an array.');
  return raw.map(f => {
    if (!isRecord(f))
      throw badRequest('BadRequest', 'Each filter must be an object with operand, operator and values.');
    const operand = operands.find(o => o.toLowerCase() === String(f['operand']).toLowerCase());
    if (!operand)
      throw badRequest(
        'BadRequest',
        `Filter operand '${String(f['operand'])}' is not supported here (supported: ${operands.join(', ')}).`,
      );
    const values = Array.isArray(f['values']) ? f['values'].map(v => String(v).toLowerCase()) : undefined;
    if (!values || values.length === 0)
      throw badRequest('BadRequest', `Filter on ${operand}: "values" must be a non-empty array.`);
    const operator = String(f['operator']);
    const has = (v: string) => values.includes(v.toLowerCase());
    switch (operator) {
      case 'Equals':
        if (values.length !== 1)
          throw badRequest('BadRequest', `Filter on ${operand}: Equals takes exactly one value (In takes several).`);
        return { operand, test: has };
      case 'In':
        return { operand, test: has };
      case 'NotEquals':
        if (values.length !== 1)
          throw badRequest(
            'BadRequest',
            `Filter on ${operand}: NotEquals takes exactly one value (NotIn takes several).`,
          );
        return { operand, test: v => !has(v) };
      case 'NotIn':
        return { operand, test: v => !has(v) };
      default:
        throw badRequest('BadRequest', `Filter operator '${operator}' is not one of Equals, NotEquals, In, NotIn.`);
    }
  });
}

function window(filter: RunFilter): { after: number; before: number } {
  const parse = (name: string, value: unknown): number => {
    if (value === undefined || value === null || value === '')
      throw badRequest('BadRequest', `'${name}' is required: runs are queried on their last-updated time.`);
    const t = typeof value === 'string' ? Date.parse(value) : NaN;
    if (Number.isNaN(t)) throw badRequest('BadRequest', `'${name}' is not a date and time: ${JSON.stringify(value)}.`);
    return t;
  };
  const after = parse('lastUpdatedAfter', filter.lastUpdatedAfter);
  const before = parse('lastUpdatedBefore', filter.lastUpdatedBefore);
  if (before < after) throw badRequest('BadRequest', "'lastUpdatedBefore' is earlier than 'lastUpdatedAfter'.");
  return { after, before };
}

function runOrderValue(run: PipelineRunRecord, field: string): string | number {
  switch (field) {
    case 'RunStart':
      return run.runStart;
    case 'RunEnd':
      return run.runEnd ?? Number.MAX_SAFE_INTEGER;
    case 'PipelineName':
      return run.pipelineName.toLowerCase();
    default:
      return run.status;
  }
}

function activityOrderValue(a: ActivityRunRecord, field: string): string | number {
  switch (field) {
    case 'ActivityRunStart':
      return a.activityRunStart;
    case 'ActivityRunEnd':
      return a.activityRunEnd ?? Number.MAX_SAFE_INTEGER;
    case 'ActivityName':
      return a.activityName.toLowerCase();
    default:
      return a.status;
  }
}

function sortBy<T>(
  items: T[],
  raw: unknown,
  fields: readonly string[],
  fallback: { field: string; descending: boolean }[],
  valueOf: (item: T, field: string) => string | number,
): T[] {
  let order = fallback;
  if (raw !== undefined && raw !== null) {
    if (!Array.isArray(raw)) throw badRequest('BadRequest', '"orderBy" must be an array.');
    order = raw.map(o => {
      const field = isRecord(o) ? fields.find(f => f.toLowerCase() === String(o['orderBy']).toLowerCase()) : undefined;
      if (!field || !isRecord(o)) throw badRequest('BadRequest', `orderBy must name one of ${fields.join(', ')}.`);
      const direction = String(o['order'] ?? 'ASC').toUpperCase();
      if (direction !== 'ASC' && direction !== 'DESC')
        throw badRequest('BadRequest', `order must be ASC or DESC, not '${String(o['order'])}'.`);
      return { field, descending: direction === 'DESC' };
    });
  }
  // Creation order breaks ties, so pages never overlap however many runs share a time.
  const indexed = items.map((item, index) => ({ item, index }));
  indexed.sort((a, b) => {
    for (const { field, descending } of order) {
      const x = valueOf(a.item, field);
      const y = valueOf(b.item, field);
      if (x !== y) return (x < y ? -1 : 1) * (descending ? -1 : 1);
    }
    return a.index - b.index;
  });
  return indexed.map(x => x.item);
}

function page<T>(
  sorted: T[],
  token: unknown,
  size: number,
  toApi: (item: T) => unknown,
): { value: unknown[]; continuationToken?: string } {
  let offset = 0;
  if (token !== undefined && token !== null && token !== '') {
    const decoded =
      typeof token === 'string'
        ? Number(
            Buffer.from(token, 'base64url')
              .toString('utf8')
              .replace(/^offset:/, ''),
          )
        : NaN;
    if (!Number.isInteger(decoded) || decoded < 0)
      throw badRequest('BadRequest', 'The continuation token is not valid.');
    offset = decoded;
  }
  const slice = sorted.slice(offset, offset + size);
  const next = offset + size < sorted.length ? Buffer.from(`offset:${offset + size}`).toString('base64url') : undefined;
  return { value: slice.map(toApi), ...(next ? { continuationToken: next } : {}) };
}
