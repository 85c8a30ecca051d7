// Started triggers fire runs, as in ADF: a schedule trigger at each occurrence of its recurrence
// from the moment it starts; a tumbling-window trigger for every window from its startTime that
// has ended (catching up on the past, maxConcurrency windows at a time), each window's run with
// its trigger().outputs.windowStartTime / windowEndTime, and a record of each window (a trigger
// run) that can be queried and rerun. Deleting and recreating a tumbling-window trigger forgets
// its windows, so it replays them from its start time. Event triggers fire nothing here.
import { randomUUID } from 'crypto';
import { timestampFromMs } from '../core/adf/run/dates';
import { evaluateAdfString } from '../core/adf/run/evaluate';
import { containsUnknown, toJson, type AdfObject, type AdfValue } from '../core/adf/run/values';
import type { Artifact, ArtifactStore } from './artifacts';
import type { SimClock } from './clock';
import { ArmError, badRequest, isRecord, notFound } from './http';
import { isTerminal, type PipelineRunRecord, type RunEngine } from './runs';

export type TriggerRunStatus = 'Succeeded' | 'Failed' | 'Inprogress';

export interface TriggerRunRecord {
  triggerRunId: string;
  triggerName: string;
  triggerType: string;
  /** When it fired. */
  triggerRunTimestamp: number;
  status: TriggerRunStatus;
  message: string;
  /** The window of a tumbling-window trigger run; the scheduled time of a schedule trigger's. */
  windowStart?: number;
  windowEnd?: number;
  scheduledTime?: number;
  /** Pipeline name → run id. */
  triggeredPipelines: Record<string, string>;
  lastUpdated: number;
}

interface TumblingState {
  /** Start of the next window to fire. */
  next: number;
  /** Trigger runs of windows in flight, by triggerRunId. */
  inFlight: Set<string>;
}

export class TriggerRunner {
  private readonly runs: TriggerRunRecord[] = [];
  private readonly byRunId = new Map<string, TriggerRunRecord>();
  private readonly tasks = new Map<string, Set<number>>();
  private readonly tumbling = new Map<string, TumblingState>();

  constructor(
    private readonly clock: SimClock,
    private readonly artifacts: ArtifactStore,
    private readonly engine: RunEngine,
  ) {
    engine.onRunChanged(run => this.runChanged(run));
  }

  /** Throws ADF's 400 when the trigger cannot run (a tumbling window without a valid frequency, …). */
  check(name: string): void {
    const trigger = this.artifacts.getOrThrow('triggers', name);
    const type = String(trigger.properties['type']);
    if (type === 'ScheduleTrigger') recurrenceOf(trigger);
    else if (type === 'TumblingWindowTrigger') this.tumblingSpec(trigger);
  }

  /** A trigger was started: it fires from now on (a tumbling window catches up on ended windows first). */
  started(name: string): void {
    const trigger = this.artifacts.getOrThrow('triggers', name);
    const type = String(trigger.properties['type']);
    if (type === 'ScheduleTrigger') this.scheduleNext(trigger, this.clock.now());
    else if (type === 'TumblingWindowTrigger') {
      const key = trigger.name.toLowerCase();
      if (!this.tumbling.has(key))
        this.tumbling.set(key, { next: this.tumblingSpec(trigger).start, inFlight: new Set() });
      this.pump(trigger.name);
    }
  }

  /** Stopped: nothing new fires; runs in flight go on. */
  stopped(name: string): void {
    for (const id of this.tasks.get(name.toLowerCase()) ?? []) this.clock.cancel(id);
    this.tasks.delete(name.toLowerCase());
  }

  /** Deleted: its windows are forgotten (a new trigger of the same name replays them). */
  removed(name: string): void {
    this.stopped(name);
    this.tumbling.delete(name.toLowerCase());
  }

  /** queryTriggerRuns: the trigger runs updated in the window, newest first, in pages of 100. */
  query(after: number, before: number, triggerNames?: Set<string>): TriggerRunRecord[] {
    return this.runs
      .filter(r => r.lastUpdated >= after && r.lastUpdated <= before)
      .filter(r => !triggerNames || triggerNames.has(r.triggerName.toLowerCase()))
      .sort((a, b) => b.triggerRunTimestamp - a.triggerRunTimestamp);
  }

  /** Reruns a window (or a schedule occurrence): a new pipeline run for the same trigger run. */
  rerun(triggerName: string, triggerRunId: string): void {
    const record = this.byRunId.get(triggerRunId);
    if (!record || record.triggerName.toLowerCase() !== triggerName.toLowerCase())
      throw notFound('TriggerRunNotFound', `Trigger run '${triggerRunId}' of trigger '${triggerName}' was not found.`);
    if (record.status === 'Inprogress')
      throw badRequest('BadRequest', `Trigger run '${triggerRunId}' is still in progress.`);
    const trigger = this.artifacts.getOrThrow('triggers', triggerName);
    this.fire(trigger, record);
  }

  /** Cancels a trigger run's pipeline runs. */
  cancel(triggerName: string, triggerRunId: string): void {
    const record = this.byRunId.get(triggerRunId);
    if (!record || record.triggerName.toLowerCase() !== triggerName.toLowerCase())
      throw notFound('TriggerRunNotFound', `Trigger run '${triggerRunId}' of trigger '${triggerName}' was not found.`);
    for (const runId of Object.values(record.triggeredPipelines)) {
      const run = this.engine.visibleRun(runId);
      if (!isTerminal(run.status) && run.status !== 'Canceling') this.engine.cancel(runId, true);
    }
  }

  toApi(r: TriggerRunRecord): Record<string, unknown> {
    const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
    return {
      triggerRunId: r.triggerRunId,
      triggerName: r.triggerName,
      triggerType: r.triggerType,
      triggerRunTimestamp: iso(r.triggerRunTimestamp),
      status: r.status,
      message: r.message,
      properties: {
        TriggerTime: iso(r.triggerRunTimestamp),
        ...(r.windowStart !== undefined
          ? { windowStartTime: iso(r.windowStart), windowEndTime: iso(r.windowEnd) }
          : {}),
        ...(r.scheduledTime !== undefined ? { ScheduleTime: iso(r.scheduledTime) } : {}),
      },
      triggeredPipelines: r.triggeredPipelines,
      runDimension: {},
      dependencyStatus: {},
    };
  }

  // ---- schedule triggers ----

  private scheduleNext(trigger: Artifact, from: number): void {
    const recurrence = recurrenceOf(trigger);
    const at = nextOccurrence(recurrence, from);
    if (at === undefined) return;
    this.after(trigger.name, at - this.clock.now(), () => {
      const current = this.artifacts.get('triggers', trigger.name);
      if (!current || this.artifacts.triggerRuntimeState(trigger.name) !== 'Started') return;
      this.fire(current, this.newRecord(current, { scheduledTime: at }));
      this.scheduleNext(current, at + 1);
    });
  }

  // ---- tumbling windows ----

  private tumblingSpec(trigger: Artifact): {
    start: number;
    end?: number;
    windowEnd: (start: number) => number;
    delayMs: number;
    maxConcurrency: number;
  } {
    const tp = isRecord(trigger.properties['typeProperties']) ? trigger.properties['typeProperties'] : {};
    const frequency = String(tp['frequency'] ?? '').toLowerCase();
    const interval = Number(tp['interval'] ?? 1);
    const start = Date.parse(String(tp['startTime']));
    if (
      !['minute', 'hour', 'month'].includes(frequency) ||
      !Number.isInteger(interval) ||
      interval < 1 ||
      Number.isNaN(start)
    )
      throw badRequest(
        'BadRequest',
        `Tumbling window trigger '${trigger.name}' needs a frequency of Minute, Hour or Month, a whole interval of at least 1 and a startTime.`,
      );
    const end = tp['endTime'] === undefined || tp['endTime'] === null ? undefined : Date.parse(String(tp['endTime']));
    const max = Number(tp['maxConcurrency'] ?? 1);
    const windowEnd = (from: number) => {
      if (frequency !== 'month') return from + interval * (frequency === 'minute' ? 60_000 : 3_600_000);
      const d = new Date(from);
      d.setUTCMonth(d.getUTCMonth() + interval);
      return d.getTime();
    };
    return {
      start,
      ...(end !== undefined && !Number.isNaN(end) ? { end } : {}),
      windowEnd,
      delayMs: timeSpanMs(tp['delay']),
      maxConcurrency: Number.isInteger(max) && max >= 1 ? Math.min(max, 50) : 1,
    };
  }

  /** Fires every window that has ended, up to maxConcurrency at a time; waits for the next one to end. */
  private pump(name: string): void {
    const trigger = this.artifacts.get('triggers', name);
    const state = this.tumbling.get(name.toLowerCase());
    if (!trigger || !state || this.artifacts.triggerRuntimeState(name) !== 'Started') return;
    const spec = this.tumblingSpec(trigger);
    while (state.inFlight.size < spec.maxConcurrency) {
      const windowStart = state.next;
      const windowEnd = spec.windowEnd(windowStart);
      if (spec.end !== undefined && windowStart >= spec.end) return;
      const due = windowEnd + spec.delayMs;
      if (due > this.clock.now()) {
        if ((this.tasks.get(name.toLowerCase())?.size ?? 0) === 0)
          this.after(name, due - this.clock.now(), () => this.pump(name));
        return;
      }
      state.next = windowEnd;
      const record = this.newRecord(trigger, { windowStart, windowEnd });
      state.inFlight.add(record.triggerRunId);
      this.fire(trigger, record);
    }
  }

  // ---- firing ----

  private newRecord(
    trigger: Artifact,
    times: { windowStart?: number; windowEnd?: number; scheduledTime?: number },
  ): TriggerRunRecord {
    const now = this.clock.now();
    const record: TriggerRunRecord = {
      triggerRunId: randomUUID().replace(/-/g, '').toUpperCase(),
      triggerName: trigger.name,
      triggerType: String(trigger.properties['type']),
      triggerRunTimestamp: now,
      status: 'Inprogress',
      message: '',
      ...times,
      triggeredPipelines: {},
      lastUpdated: now,
    };
    this.runs.push(record);
    this.byRunId.set(record.triggerRunId, record);
    return record;
  }

  /** Starts the trigger's pipelines for this trigger run, parameters evaluated with trigger(). */
  private fire(trigger: Artifact, record: TriggerRunRecord): void {
    const now = this.clock.now();
    record.status = 'Inprogress';
    record.message = '';
    record.lastUpdated = now;
    record.triggeredPipelines = {};
    const triggerObject: AdfObject = new Map<string, AdfValue>([
      ['name', trigger.name],
      ['startTime', new Date(now).toISOString()],
      ['scheduledTime', new Date(record.scheduledTime ?? record.windowEnd ?? now).toISOString()],
      [
        'outputs',
        new Map<string, AdfValue>(
          record.windowStart !== undefined
            ? [
                ['windowStartTime', new Date(record.windowStart).toISOString()],
                ['windowEndTime', new Date(record.windowEnd!).toISOString()],
              ]
            : [],
        ),
      ],
    ]);
    for (const { pipeline, parameters } of pipelinesOf(trigger)) {
      try {
        const values: Record<string, unknown> = {};
        for (const [name, raw] of Object.entries(parameters)) {
          if (typeof raw !== 'string') {
            values[name] = raw;
            continue;
          }
          const result = evaluateAdfString(raw, {
            trigger: () => triggerObject,
            now: timestampFromMs(now),
            newGuid: () => randomUUID(),
          });
          if (result.error || containsUnknown(result.value))
            throw badRequest(
              'BadRequest',
              `Parameter '${name}': ${result.error?.message ?? 'uses a value the emulator does not know'}`,
            );
          values[name] = toJson(result.value);
        }
        const run = this.engine.createRun(
          pipeline,
          { parameters: values },
          {
            name: trigger.name,
            id: record.triggerRunId,
            invokedByType: record.triggerType,
          },
        );
        record.triggeredPipelines[run.pipelineName] = run.runId;
      } catch (e) {
        record.status = 'Failed';
        record.message = e instanceof ArmError ? e.message : String(e);
      }
    }
    if (record.status === 'Failed' || Object.keys(record.triggeredPipelines).length === 0)
      this.settle(record, record.status === 'Failed' ? 'Failed' : 'Succeeded');
  }

  private runChanged(run: PipelineRunRecord): void {
    if (!isTerminal(run.status)) return;
    const record = this.byRunId.get(run.invokedBy.id);
    if (!record || !Object.values(record.triggeredPipelines).includes(run.runId)) return;
    const runs = Object.values(record.triggeredPipelines).map(id => this.engine.visibleRun(id));
    if (!runs.every(r => isTerminal(r.status))) return;
    const failed = runs.find(r => r.status !== 'Succeeded');
    this.settle(
      record,
      failed ? 'Failed' : 'Succeeded',
      failed ? `Pipeline run ${failed.runId} ${failed.status.toLowerCase()}.` : '',
    );
  }

  private settle(record: TriggerRunRecord, status: 'Succeeded' | 'Failed', message = record.message): void {
    record.status = status;
    record.message = message;
    record.lastUpdated = this.clock.now();
    const state = this.tumbling.get(record.triggerName.toLowerCase());
    if (state?.inFlight.delete(record.triggerRunId)) this.pump(record.triggerName);
  }

  private after(name: string, delayMs: number, work: () => void): void {
    const key = name.toLowerCase();
    const set = this.tasks.get(key) ?? new Set<number>();
    this.tasks.set(key, set);
    const id = this.clock.after(delayMs, () => {
      set.delete(id);
      work();
    });
    set.add(id);
  }
}

/** A tumbling-window trigger's frequency, interval and start cannot change once it exists (ADF refuses them). */
export function checkTumblingWindowUpdate(existing: Artifact, properties: Record<string, unknown>): void {
  if (existing.properties['type'] !== 'TumblingWindowTrigger' || properties['type'] !== 'TumblingWindowTrigger') return;
  const before = isRecord(existing.properties['typeProperties']) ? existing.properties['typeProperties'] : {};
  const after = isRecord(properties['typeProperties']) ? properties['typeProperties'] : {};
  const same = (k: string) => String(before[k] ?? '').toLowerCase() === String(after[k] ?? '').toLowerCase();
  if (!same('frequency') || !same('interval'))
    throw badRequest(
      'TumblingWindowTriggerFrequencyOrIntervalUpdateNotAllowed',
      `The frequency and interval of tumbling window trigger '${existing.name}' cannot change: ` +
        'delete it and create it again (its windows then run again from its start time).',
    );
  if (Date.parse(String(before['startTime'])) !== Date.parse(String(after['startTime'])))
    throw badRequest(
      'TumblingWindowTriggerStartTimeUpdateNotAllowed',
      `The startTime of tumbling window trigger '${existing.name}' cannot change: ` +
        'delete it and create it again (its windows then run again from the new start time).',
    );
}

function pipelinesOf(trigger: Artifact): { pipeline: string; parameters: Record<string, unknown> }[] {
  const p = trigger.properties;
  const refs = Array.isArray(p['pipelines']) ? p['pipelines'] : isRecord(p['pipeline']) ? [p['pipeline']] : [];
  return refs.filter(isRecord).flatMap(r => {
    const ref = r['pipelineReference'];
    if (!isRecord(ref) || typeof ref['referenceName'] !== 'string') return [];
    return [{ pipeline: ref['referenceName'], parameters: isRecord(r['parameters']) ? r['parameters'] : {} }];
  });
}

interface Recurrence {
  frequency: string;
  interval: number;
  start: number;
  end?: number;
}

function recurrenceOf(trigger: Artifact): Recurrence {
  const tp = isRecord(trigger.properties['typeProperties']) ? trigger.properties['typeProperties'] : {};
  const r = isRecord(tp['recurrence']) ? tp['recurrence'] : {};
  const start = Date.parse(String(r['startTime']));
  const end = r['endTime'] ? Date.parse(String(r['endTime'])) : undefined;
  const interval = Number(r['interval'] ?? 1);
  if (Number.isNaN(start) || !(interval >= 1))
    throw badRequest(
      'BadRequest',
      `Schedule trigger '${trigger.name}' needs a recurrence with a startTime and an interval of at least 1.`,
    );
  return {
    frequency: String(r['frequency'] ?? 'Day').toLowerCase(),
    interval,
    start,
    ...(end !== undefined && !Number.isNaN(end) ? { end } : {}),
  };
}

/** The first occurrence at or after `from` (UTC; the advanced schedule's hours and minutes are not modelled). */
export function nextOccurrence(r: Recurrence, from: number): number | undefined {
  const step = (t: number, k: number): number => {
    const d = new Date(t);
    switch (r.frequency) {
      case 'minute':
        return t + k * r.interval * 60_000;
      case 'hour':
        return t + k * r.interval * 3_600_000;
      case 'day':
        return t + k * r.interval * 86_400_000;
      case 'week':
        return t + k * r.interval * 7 * 86_400_000;
      case 'month':
        d.setUTCMonth(d.getUTCMonth() + k * r.interval);
        return d.getTime();
      default:
        return t + k * r.interval * 86_400_000;
    }
  };
  let at = r.start;
  if (at < from) {
    // Jump close for the fixed-length units, then walk.
    const unit = step(r.start, 1) - r.start;
    if (r.frequency !== 'month') at = step(r.start, Math.floor((from - r.start) / unit));
    while (at < from) at = r.frequency === 'month' ? step(at, 1) : at + unit;
  }
  return r.end !== undefined && at > r.end ? undefined : at;
}

/** A .NET time span (hh:mm:ss or d.hh:mm:ss) in ms; 0 when absent. */
function timeSpanMs(value: unknown): number {
  if (typeof value !== 'string') return 0;
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/.exec(value);
  if (!m) return 0;
  return ((Number(m[1] ?? 0) * 24 + Number(m[2])) * 60 + Number(m[3])) * 60_000 + Number(m[4]) * 1000;
}
