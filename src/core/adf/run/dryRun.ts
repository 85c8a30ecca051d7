// The dry run of a factory's pipeline: parameters as typed on a command line (converted to the
// declared types), an optional backfill window (trigger().outputs.windowStartTime / windowEndTime,
// and the parameters the factory's tumbling-window trigger of that pipeline passes, evaluated),
// the outcomes of external activities, and the run.

import { evaluateJson } from './evaluate';
import { DateError, formatRoundTrip, formatTimestamp, parseTimestamp, TICKS_PER_SECOND, type Timestamp } from './dates';
import type { RunFactory } from './factory';
import type { OutcomeFile } from './outcomes';
import { runPipeline, type PipelineRunResult, type RunLimits, type TriggerContext } from './runPipeline';
import { Unknown, type AdfValue } from './values';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface DryRunRequest {
  factory: RunFactory;
  pipeline: string;
  /** name → value as typed (converted to the parameter's declared type; JSON for arrays and objects). */
  parameters?: Record<string, string>;
  window?: { start: string; end: string };
  outcomes?: OutcomeFile;
  limits?: Partial<RunLimits>;
  /** The run's time; default: the outcomes file's triggerTime, else the window's end, else now. */
  now?: string;
  unknownBranches?: 'all' | 'none';
}

export interface DryRunResult {
  result: PipelineRunResult;
  /** The trigger whose parameters were applied (with --window). */
  trigger?: string;
  /** Remarks about the set-up (the window, the trigger used, unused outcomes). */
  notes: string[];
}

export class DryRunError extends Error {}

/** "START/END" (two timestamps, each in any form the date functions read), for --window. */
export function parseWindow(text: string): { start: string; end: string } {
  // Dates may contain '/' themselves (01/02/2024): split where both halves are timestamps.
  for (let i = text.indexOf('/'); i !== -1; i = text.indexOf('/', i + 1)) {
    const start = tryTime(text.slice(0, i));
    const end = tryTime(text.slice(i + 1));
    if (!start || !end) continue;
    if (start.ticks >= end.ticks) throw new DryRunError(`--window ${text}: the start must be before the end.`);
    return { start: windowText(start), end: windowText(end) };
  }
  throw new DryRunError(
    `--window takes START/END, two timestamps such as 2024-01-01/2024-01-02 or 2024-01-01T00:00:00Z/2024-01-02T00:00:00Z, not '${text}'.`,
  );
}

/** A window bound, read as UTC. */
function tryTime(s: string): Timestamp | undefined {
  try {
    const t = parseTimestamp(s.trim());
    return { ticks: t.ticks, kind: 'utc' };
  } catch (e) {
    if (e instanceof DateError) return undefined;
    throw e;
  }
}

/** Window bounds as a tumbling window trigger gives them: 2024-01-01T00:00:00Z. */
function windowText(t: Timestamp): string {
  return t.ticks % TICKS_PER_SECOND === 0n ? formatTimestamp(t, "yyyy-MM-dd'T'HH:mm:ss'Z'") : formatRoundTrip(t);
}

function triggersOf(factory: RunFactory, pipeline: string, type: string): Obj[] {
  return factory.triggers().filter(t => {
    const props = isObj(t.properties) ? t.properties : undefined;
    if (!props || String(props.type).toLowerCase() !== type.toLowerCase()) return false;
    const refs = isObj(props.pipeline)
      ? [props.pipeline]
      : Array.isArray(props.pipelines)
        ? props.pipelines.filter(isObj)
        : [];
    return refs.some(
      r =>
        isObj(r.pipelineReference) &&
        typeof r.pipelineReference.referenceName === 'string' &&
        r.pipelineReference.referenceName.toLowerCase() === pipeline.toLowerCase(),
    );
  });
}

export function dryRun(req: DryRunRequest): DryRunResult {
  const notes: string[] = [];
  const pipeline = req.factory.pipeline(req.pipeline);
  if (!pipeline) throw new DryRunError(`Pipeline '${req.pipeline}' is not in the factory.`);
  const name = String(pipeline.name);
  const parameters: Record<string, unknown> = {};
  let trigger: TriggerContext | undefined;
  let triggerName: string | undefined;
  const now = req.now ?? req.outcomes?.triggerTime ?? (req.window ? req.window.end : undefined);
  if (req.window) {
    const tumbling = triggersOf(req.factory, name, 'TumblingWindowTrigger');
    const chosen = tumbling[0];
    triggerName = typeof chosen?.name === 'string' ? chosen.name : undefined;
    trigger = {
      type: 'TumblingWindowTrigger',
      name: triggerName ?? 'dry-run window',
      windowStart: req.window.start,
      windowEnd: req.window.end,
      scheduledTime: req.window.end,
    };
    if (chosen) {
      if (tumbling.length > 1)
        notes.push(
          `${tumbling.length} tumbling window triggers run ${name}; the parameters of '${triggerName}' are used.`,
        );
      const props = chosen.properties as Obj;
      const ref = isObj(props.pipeline) ? props.pipeline : {};
      const triggerObject = new Map<string, AdfValue>([
        ['name', triggerName ?? ''],
        ['startTime', req.window.end],
        ['scheduledTime', req.window.end],
        [
          'outputs',
          new Map<string, AdfValue>([
            ['windowStartTime', req.window.start],
            ['windowEndTime', req.window.end],
          ]),
        ],
      ]);
      const evaluated = evaluateJson(ref.parameters ?? {}, {
        trigger: () => triggerObject,
        ...(now ? { now: parseTimestamp(now) } : {}),
      });
      for (const e of evaluated.errors)
        notes.push(`trigger '${triggerName}', parameter ${e.path.join('.')}: ${e.error.message}`);
      if (evaluated.value instanceof Map) {
        for (const [k, v] of evaluated.value) {
          parameters[k] = v;
          notes.push(
            `parameter ${k} = ${v instanceof Unknown ? v.render() : typeof v === 'string' ? `'${v}'` : String(v)} (from trigger '${triggerName}')`,
          );
        }
      }
    } else {
      notes.push(
        `No tumbling window trigger of the factory runs ${name}: only trigger().outputs.windowStartTime and windowEndTime are set.`,
      );
    }
  }
  for (const [k, v] of Object.entries(req.parameters ?? {})) parameters[k] = v;
  const result = runPipeline(req.factory, name, {
    parameters,
    ...(trigger ? { trigger } : {}),
    ...(req.outcomes ? { outcome: req.outcomes.outcome } : {}),
    ...(req.limits ? { limits: req.limits } : {}),
    ...(now ? { now } : {}),
    ...(req.outcomes?.runId ? { runId: req.outcomes.runId } : {}),
    ...(req.unknownBranches ? { unknownBranches: req.unknownBranches } : {}),
  });
  for (const key of req.outcomes?.unused() ?? [])
    notes.push(`outcome "${key}" matched no activity run (a misspelt name or path?)`);
  return { result, ...(triggerName ? { trigger: triggerName } : {}), notes };
}
