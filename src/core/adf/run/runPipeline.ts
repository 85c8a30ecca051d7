// Runs a pipeline of a factory the way Data Factory's orchestration does, without running anything
// outside it: activities start when their dependsOn conditions are met (Succeeded, Failed, Skipped,
// Completed; OR within one dependency, AND across dependencies; an activity whose conditions can no
// longer be met is Skipped), control activities (ForEach, IfCondition, Switch, Until, Filter,
// SetVariable, AppendVariable, Wait, Fail, ExecutePipeline) are executed, inactive activities take
// the status they are marked with, and every other activity is external: its inputs are evaluated
// and recorded, and its outcome comes from the caller (by default Succeeded with an Unknown output).
// A scope's status (the pipeline's, an iteration's, a branch's) follows ADF's rule: evaluate every
// leaf activity (one nothing depends on), a skipped leaf through its parents; the scope succeeds
// if and only if all of them succeeded. Everything is bounded; the result is a trace.

import {
  evaluateAdfString,
  evaluateJson,
  expressionObjectValue,
  type EvalError,
  type EvaluatedExpression,
  type ExpressionContext,
  type JsonPath,
} from './evaluate';
import { formatRoundTrip, parseTimestamp, timestampFromMs, type Timestamp } from './dates';
import { DEFAULT_EVAL_LIMITS, type EvalLimits } from './functions';
import { parseLenientJson } from './json';
import type { RunFactory } from './factory';
import { fromJson, getProperty, stringify, typeName, Unknown, type AdfObject, type AdfValue } from './values';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export type ActivityStatus = 'Succeeded' | 'Failed' | 'Skipped';

export interface ActivityErrorInfo {
  message: string;
  errorCode?: string;
  failureType?: string;
  /** The activity the error happened in. */
  target?: string;
}

/** One step of where an activity run happened: a ForEach or Until iteration, a branch, a child pipeline. */
export interface IterationStep {
  /** The container activity. */
  activity: string;
  /** ForEach and Until: the iteration (0-based). */
  index?: number;
  /** ForEach: the item of that iteration. */
  item?: AdfValue;
  /** IfCondition: 'true' / 'false'; Switch: the case value or 'default'. */
  branch?: string;
  /** ExecutePipeline: the pipeline it ran. */
  pipeline?: string;
}

export interface DatasetUse {
  role: 'input' | 'output' | 'dataset';
  name: string;
  /** The parameters the reference passes, evaluated. */
  parameters: AdfValue;
  /** The dataset's own typeProperties evaluated with those parameters (its location, table, …). */
  properties?: AdfValue;
}

export interface ActivityRun {
  /** Start order, from 0, across the whole run (child pipelines included). */
  order: number;
  name: string;
  type: string;
  /** The pipeline the activity belongs to. */
  pipeline: string;
  /** The run of the container this one ran in (ForEach, IfCondition, Switch, Until, ExecutePipeline). */
  parent?: number;
  iteration: IterationStep[];
  /** e.g. "for_each_table[3] > if_rows_copied > write_watermark". */
  path: string;
  status: ActivityStatus;
  /** Not run: "state": "Inactive". */
  inactive?: boolean;
  /** Evaluated typeProperties (for control activities, the properties they evaluate). */
  inputs?: AdfValue;
  /** The strings of the inputs that were expressions, with their values. */
  expressions: EvaluatedExpression[];
  /** Expressions that failed to evaluate (the activity fails with the first). */
  evaluationErrors: { path: JsonPath; source: string; error: EvalError }[];
  datasets: DatasetUse[];
  output?: AdfValue;
  error?: ActivityErrorInfo;
  /** What a reader should know: skipped because…, iterations may be concurrent, condition unknown… */
  notes: string[];
  /** Inside a branch taken only because its condition was unknown. */
  assumed?: boolean;
  /** An external activity whose outcome the caller did not describe (it succeeded, its output unknown). */
  undescribed?: boolean;
}

/** What an external activity did, as the caller describes it. */
export interface ExternalOutcome {
  status?: 'Succeeded' | 'Failed';
  /** Plain JSON (or ADF values); absent: Unknown. */
  output?: unknown;
  error?: { message?: string; errorCode?: string; failureType?: string };
}

export interface ExternalCall {
  activity: string;
  type: string;
  pipeline: string;
  path: string;
  iteration: IterationStep[];
  /** The innermost ForEach item, if any. */
  item?: AdfValue;
  typeProperties: AdfValue;
  datasets: DatasetUse[];
  /** How many times an activity of this name ran before in this run (Until loops poll). */
  attempt: number;
}

export type OutcomeFn = (call: ExternalCall) => ExternalOutcome | undefined | void;

export interface TriggerContext {
  /** TumblingWindowTrigger, ScheduleTrigger, BlobEventsTrigger, … or Manual. */
  type: string;
  name?: string;
  /** trigger().outputs.windowStartTime / windowEndTime (tumbling windows). */
  windowStart?: string;
  windowEnd?: string;
  /** trigger().scheduledTime (schedule and tumbling window triggers). */
  scheduledTime?: string;
  /** trigger().outputs.body (event triggers: fileName, folderPath, …). */
  body?: unknown;
}

export interface RunLimits {
  /** Activity runs in the whole run, child pipelines included. */
  maxActivityRuns: number;
  maxForEachItems: number;
  maxUntilIterations: number;
  /** Nested Execute Pipeline levels. */
  maxPipelineDepth: number;
  maxStringLength: number;
  maxArrayLength: number;
}

export const DEFAULT_RUN_LIMITS: RunLimits = Object.freeze({
  maxActivityRuns: 10_000,
  maxForEachItems: 5_000,
  maxUntilIterations: 100,
  maxPipelineDepth: 8,
  ...DEFAULT_EVAL_LIMITS,
});

export interface RunOptions {
  /** Values by parameter name: JSON values, or strings converted to the parameter's type. */
  parameters?: Record<string, unknown>;
  trigger?: TriggerContext;
  outcome?: OutcomeFn;
  limits?: Partial<RunLimits>;
  /** The run's time (pipeline().TriggerTime, utcNow()); default now. */
  now?: string;
  runId?: string;
  /**
   * What an IfCondition or Switch does when its expression is unknown: run every branch, marking
   * their runs as assumed ('all', the default, which shows what each branch would do), or none.
   */
  unknownBranches?: 'all' | 'none';
}

export interface PipelineRunResult {
  pipeline: string;
  runId: string;
  status: 'Succeeded' | 'Failed';
  error?: ActivityErrorInfo;
  /** The parameters as the run saw them. */
  parameters: AdfObject;
  variables: AdfObject;
  returnValue?: AdfObject;
  runs: ActivityRun[];
  /** Run-level remarks: parameters without a value, limits reached, … */
  notes: string[];
  /** Expressions that failed to evaluate, across the run. */
  evaluationErrors: number;
  triggerTime: string;
}

// ---- helpers ----

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A run stopped by a limit: the whole run fails with this message. */
class RunAborted extends Error {}

/** A deterministic GUID generator, so that dry runs are reproducible. */
function guidGenerator(seed: string): () => string {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619) >>> 0;
  let state = h || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  return () => {
    const hex = Array.from({ length: 4 }, () => next().toString(16).padStart(8, '0')).join('');
    // RFC 4122 version 4: the version nibble is 4, the variant's two high bits are 10.
    const variant = ((parseInt(hex[16]!, 16) & 3) | 8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };
}

/** Converts a parameter value to its declared type, as ADF does when a run starts. */
export function convertParameter(type: string | undefined, value: unknown): { value: AdfValue } | { error: string } {
  const t = (type ?? 'String').toLowerCase();
  const bad = (what: string) => ({
    error: `expects ${what}, not ${typeof value === 'string' ? `'${value}'` : JSON.stringify(value)}`,
  });
  switch (t) {
    case 'string':
    case 'securestring':
      if (typeof value === 'string') return { value };
      if (value === null) return { value: null };
      return { value: fromJson(value) };
    case 'int': {
      if (typeof value === 'number' && Number.isInteger(value)) return { value: BigInt(value) };
      if (typeof value === 'bigint') return { value };
      if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return { value: BigInt(value.trim()) };
      return bad('an integer');
    }
    case 'float': {
      if (typeof value === 'number') return { value };
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
        return { value: Number(value) };
      return bad('a number');
    }
    case 'bool':
    case 'boolean': {
      if (typeof value === 'boolean') return { value };
      if (typeof value === 'string' && /^\s*(true|false)\s*$/i.test(value))
        return { value: value.trim().toLowerCase() === 'true' };
      return bad('true or false');
    }
    case 'array':
    case 'object': {
      let v: unknown = value;
      if (typeof value === 'string') {
        const parsed = parseLenientJson(value);
        if (!parsed.ok) return bad(`${t === 'array' ? 'a JSON array' : 'a JSON object'} (${parsed.message})`);
        return (t === 'array' ? Array.isArray(parsed.value) : parsed.value instanceof Map)
          ? { value: parsed.value }
          : bad(t === 'array' ? 'a JSON array' : 'a JSON object');
      }
      if (t === 'array' ? !Array.isArray(v) : !isObj(v)) return bad(t === 'array' ? 'an array' : 'an object');
      v = fromJson(v);
      return { value: v as AdfValue };
    }
    default:
      return { value: fromJson(value) };
  }
}

// ---- scopes ----

interface Scope {
  parent?: Scope;
  /** Activities declared in this scope, by lower-case name. */
  declared: Set<string>;
  /** Their runs, once finished. */
  runs: Map<string, ActivityRun>;
  /** The ForEach item (or a Filter's), when this scope has one. */
  item?: { value: AdfValue };
  iteration: IterationStep[];
  /** The run of the container of this scope. */
  container?: number;
  /** Runs inside a branch taken because its condition was unknown. */
  assumed: boolean;
  /** Inside a ForEach whose iterations may run concurrently. */
  concurrent?: boolean;
  /** Runs of finished If, Switch and Until activities of this scope, which later activities may read. */
  inner?: Map<string, ActivityRun>;
}

/** One pipeline invocation (the top one or a child of Execute Pipeline). */
interface Invocation {
  name: string;
  runId: string;
  depth: number;
  pipelineObject: AdfObject;
  variables: AdfObject;
  declaredVariables: Map<string, string>;
  returnValue?: AdfObject;
  /** The steps leading here (the Execute Pipeline activity, and the iterations around it). */
  iterationPrefix: IterationStep[];
  parentRun?: number;
  assumed: boolean;
}

class Runner {
  readonly runs: ActivityRun[] = [];
  readonly notes: string[] = [];
  readonly limits: RunLimits;
  readonly evalLimits: EvalLimits;
  readonly newGuid: () => string;
  readonly now: Timestamp;
  readonly triggerTime: string;
  private readonly attempts = new Map<string, number>();
  private seq = 0;

  constructor(
    readonly factory: RunFactory,
    readonly options: RunOptions,
    now: Timestamp,
    seed: string,
  ) {
    this.limits = { ...DEFAULT_RUN_LIMITS, ...(options.limits ?? {}) };
    this.evalLimits = { maxStringLength: this.limits.maxStringLength, maxArrayLength: this.limits.maxArrayLength };
    this.newGuid = guidGenerator(seed);
    this.now = now;
    this.triggerTime = formatRoundTrip(now);
  }

  random(min: bigint, max: bigint): bigint {
    // Deterministic: the middle of the range (a dry run must be reproducible).
    return min + (max - min) / 2n;
  }

  // ---- expression contexts ----

  context(inv: Invocation, scope: Scope, extra: Partial<ExpressionContext> = {}): ExpressionContext {
    return {
      pipeline: () => inv.pipelineObject,
      activity: name => this.lookupActivity(scope, name),
      item: () => {
        for (let s: Scope | undefined = scope; s; s = s.parent) if (s.item) return s.item.value;
        return undefined;
      },
      variable: name => {
        if (inv.variables.has(name)) return inv.variables.get(name)!;
        const found = getProperty(inv.variables, name);
        return found?.value;
      },
      trigger: () => this.triggerObject(),
      now: this.now,
      newGuid: this.newGuid,
      random: (a, b) => this.random(a, b),
      limits: this.evalLimits,
      ...extra,
    };
  }

  private triggerObject(): AdfValue {
    const t = this.options.trigger;
    const o: AdfObject = new Map<string, AdfValue>([
      ['name', t?.name ?? 'Manual'],
      ['startTime', this.triggerTime],
    ]);
    if (t?.scheduledTime) o.set('scheduledTime', t.scheduledTime);
    const outputs: AdfObject = new Map();
    if (t?.windowStart !== undefined) outputs.set('windowStartTime', t.windowStart);
    if (t?.windowEnd !== undefined) outputs.set('windowEndTime', t.windowEnd);
    if (t?.body !== undefined) outputs.set('body', fromJson(t.body));
    if (outputs.size) o.set('outputs', outputs);
    return o;
  }

  private lookupActivity(scope: Scope, name: string): { value: AdfValue } | { error: string } {
    const lower = name.toLowerCase();
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      if (!s.declared.has(lower)) continue;
      const run = s.runs.get(lower);
      if (!run)
        return {
          error: `The output of activity '${name}' can't be referenced since it is either not an ancestor to the current activity or does not exist.`,
        };
      return { value: activityObject(run) };
    }
    // Activities inside an If, a Switch or an Until that has finished (the last iteration's).
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const run = s.inner?.get(lower);
      if (run) return { value: activityObject(run) };
    }
    return {
      error: `The output of activity '${name}' can't be referenced since it is either not an ancestor to the current activity or does not exist.`,
    };
  }

  // ---- bookkeeping ----

  private start(inv: Invocation, scope: Scope, activity: Obj): ActivityRun {
    if (this.runs.length >= this.limits.maxActivityRuns) {
      throw new RunAborted(
        `The dry run stopped after ${this.limits.maxActivityRuns} activity runs (its limit): a loop runs too many iterations.`,
      );
    }
    const name = str(activity.name) ?? '(unnamed)';
    const segments = scope.iteration.map(stepText);
    const run: ActivityRun = {
      order: this.seq++,
      name,
      type: str(activity.type) ?? '(no type)',
      pipeline: inv.name,
      parent: scope.container,
      iteration: scope.iteration,
      path: [...segments, name].join(' > '),
      status: 'Succeeded',
      expressions: [],
      evaluationErrors: [],
      datasets: [],
      notes: [],
      ...(scope.assumed ? { assumed: true } : {}),
    };
    this.runs.push(run);
    return run;
  }

  // ---- pipelines ----

  runPipeline(
    name: string,
    parameters: Record<string, unknown>,
    inv: Omit<Invocation, 'pipelineObject' | 'variables' | 'declaredVariables' | 'name'> & {
      parentPipeline?: string;
      parentRunId?: string;
    },
    explicit: boolean,
  ): { status: ActivityStatus; error?: ActivityErrorInfo; invocation: Invocation } {
    const pipeline = this.factory.pipeline(name);
    const props = isObj(pipeline?.properties) ? pipeline.properties : undefined;
    const actualName = str(pipeline?.name) ?? name;
    const params: AdfObject = new Map();
    const declared = isObj(props?.parameters) ? props.parameters : {};
    for (const [p, decl] of Object.entries(declared)) {
      const d = isObj(decl) ? decl : {};
      const given = Object.keys(parameters).find(k => k.toLowerCase() === p.toLowerCase());
      const raw = given !== undefined ? parameters[given] : 'defaultValue' in d ? d.defaultValue : undefined;
      if (raw === undefined) {
        params.set(p, new Unknown(`pipeline().parameters.${p}`));
        this.notes.push(
          `${actualName}: parameter '${p}' has no value (no default value, and none was given): expressions reading it are unknown.`,
        );
        continue;
      }
      if (raw instanceof Unknown) {
        params.set(p, raw);
        continue;
      }
      const converted =
        given !== undefined && !explicit ? { value: fromJson(raw) } : convertParameter(str(d.type), raw);
      if ('error' in converted) {
        const message = `Parameter '${p}' of pipeline '${actualName}' (${str(d.type) ?? 'String'}) ${converted.error}.`;
        return {
          status: 'Failed',
          error: { message, errorCode: 'BadRequest', failureType: 'UserError' },
          invocation: this.emptyInvocation(actualName, inv),
        };
      }
      params.set(p, converted.value);
    }
    for (const k of Object.keys(parameters)) {
      if (!Object.keys(declared).some(p => p.toLowerCase() === k.toLowerCase()))
        this.notes.push(`${actualName}: parameter '${k}' is not declared by the pipeline; it was ignored.`);
    }
    const globals: AdfObject = new Map();
    for (const [g, decl] of Object.entries(this.factory.globalParameters()))
      globals.set(g, fromJson(isObj(decl) ? decl.value : decl));
    const child = inv.parentPipeline !== undefined;
    const trigger = this.options.trigger;
    const pipelineObject: AdfObject = new Map<string, AdfValue>([
      ['DataFactory', this.factory.name ?? new Unknown('pipeline().DataFactory')],
      ['Pipeline', actualName],
      ['RunId', inv.runId],
      ['TriggerType', child ? 'PipelineActivity' : (trigger?.type ?? 'Manual')],
      ['TriggerId', child ? inv.parentRunId! : this.triggerId],
      ['TriggerName', child ? inv.parentPipeline! : (trigger?.name ?? 'Manual')],
      ['TriggerTime', this.triggerTime],
      ['GroupId', this.rootRunId],
      ['TriggeredByPipelineName', child ? inv.parentPipeline! : null],
      ['TriggeredByPipelineRunId', child ? inv.parentRunId! : null],
      ['parameters', params],
      ['globalParameters', globals],
    ]);
    const variables: AdfObject = new Map();
    const declaredVariables = new Map<string, string>();
    for (const [v, decl] of Object.entries(isObj(props?.variables) ? props.variables : {})) {
      const d = isObj(decl) ? decl : {};
      declaredVariables.set(v, str(d.type) ?? 'String');
      variables.set(
        v,
        'defaultValue' in d ? fromJson(d.defaultValue) : (str(d.type) ?? '').toLowerCase() === 'array' ? [] : null,
      );
    }
    const invocation: Invocation = { ...inv, name: actualName, pipelineObject, variables, declaredVariables };
    if (!pipeline || !props) {
      return {
        status: 'Failed',
        error: {
          message: `Pipeline '${name}' does not exist in the factory.`,
          errorCode: 'PipelineNotFound',
          failureType: 'UserError',
        },
        invocation,
      };
    }
    const activities = Array.isArray(props.activities) ? props.activities.filter(isObj) : [];
    const scope: Scope = {
      declared: new Set(),
      runs: new Map(),
      iteration: inv.iterationPrefix,
      container: inv.parentRun,
      assumed: inv.assumed,
    };
    const outcome = this.runScope(invocation, scope, activities);
    return { ...outcome, invocation };
  }

  triggerId = '';
  rootRunId = '';

  private emptyInvocation(
    name: string,
    inv: Omit<Invocation, 'pipelineObject' | 'variables' | 'declaredVariables' | 'name'>,
  ): Invocation {
    return { ...inv, name, pipelineObject: new Map(), variables: new Map(), declaredVariables: new Map() };
  }

  // ---- scopes: dependencies, leaves ----

  runScope(inv: Invocation, scope: Scope, activities: Obj[]): { status: ActivityStatus; error?: ActivityErrorInfo } {
    const byName = new Map<string, Obj>();
    for (const a of activities) {
      const n = str(a.name);
      if (n !== undefined && !byName.has(n.toLowerCase())) byName.set(n.toLowerCase(), a);
    }
    for (const k of byName.keys()) scope.declared.add(k);
    const deps = (a: Obj) => (Array.isArray(a.dependsOn) ? a.dependsOn.filter(isObj) : []);
    const pending = [...byName.values()];
    while (pending.length) {
      let progressed = false;
      for (let i = 0; i < pending.length; i++) {
        const a = pending[i]!;
        const ds = deps(a);
        const ready = ds.every(d => {
          const target = str(d.activity)?.toLowerCase();
          return target === undefined || !byName.has(target) || scope.runs.has(target);
        });
        if (!ready) continue;
        pending.splice(i, 1);
        progressed = true;
        this.runOrSkip(inv, scope, a, ds, byName);
        break; // restart from the first pending activity: definition order among the ready ones
      }
      if (!progressed) {
        // A dependency cycle: nothing can start.
        for (const a of pending) {
          const run = this.start(inv, scope, a);
          run.status = 'Skipped';
          run.notes.push('skipped: its dependencies form a cycle, so it can never start');
          scope.runs.set(run.name.toLowerCase(), run);
        }
        break;
      }
    }
    return this.scopeOutcome(scope, byName, deps);
  }

  private runOrSkip(inv: Invocation, scope: Scope, a: Obj, ds: Obj[], byName: Map<string, Obj>): void {
    const unmet: string[] = [];
    for (const d of ds) {
      const target = str(d.activity) ?? '';
      const conditions = Array.isArray(d.dependencyConditions)
        ? d.dependencyConditions.filter((c): c is string => typeof c === 'string')
        : [];
      const dep = scope.runs.get(target.toLowerCase());
      if (!byName.has(target.toLowerCase()) || !dep) {
        unmet.push(`'${target}' does not exist in this scope`);
        continue;
      }
      if (!conditionMet(dep.status, conditions))
        unmet.push(`'${dep.name}' ${dep.status.toLowerCase()} (needs ${conditions.join(' or ') || 'no condition'})`);
    }
    if (unmet.length) {
      const run = this.start(inv, scope, a);
      run.status = 'Skipped';
      run.notes.push(`skipped: ${unmet.join('; ')}`);
      scope.runs.set(run.name.toLowerCase(), run);
      return;
    }
    const run = this.execute(inv, scope, a);
    scope.runs.set(run.name.toLowerCase(), run);
  }

  /** ADF's rule: every leaf (a skipped one through its parents) must have succeeded. */
  private scopeOutcome(
    scope: Scope,
    byName: Map<string, Obj>,
    deps: (a: Obj) => Obj[],
  ): { status: ActivityStatus; error?: ActivityErrorInfo } {
    const dependents = new Set<string>();
    for (const a of byName.values())
      for (const d of deps(a)) if (str(d.activity)) dependents.add(str(d.activity)!.toLowerCase());
    const failed: ActivityRun[] = [];
    const seen = new Set<string>();
    const visit = (key: string) => {
      if (seen.has(key)) return;
      seen.add(key);
      const run = scope.runs.get(key);
      if (!run) return;
      if (run.status === 'Failed') failed.push(run);
      else if (run.status === 'Skipped') {
        const a = byName.get(key);
        for (const d of a ? deps(a) : []) {
          const t = str(d.activity)?.toLowerCase();
          if (t && byName.has(t)) visit(t);
        }
      }
    };
    for (const key of byName.keys()) if (!dependents.has(key)) visit(key);
    if (failed.length === 0) return { status: 'Succeeded' };
    failed.sort((x, y) => x.order - y.order);
    const first = failed[0]!;
    return {
      status: 'Failed',
      error: {
        message: `Operation on target ${first.name} failed: ${first.error?.message ?? 'the activity failed'}`,
        ...(first.error?.errorCode ? { errorCode: first.error.errorCode } : {}),
        failureType: first.error?.failureType ?? 'UserError',
        target: first.name,
      },
    };
  }

  // ---- activities ----

  private execute(inv: Invocation, scope: Scope, a: Obj): ActivityRun {
    const run = this.start(inv, scope, a);
    if (str(a.state)?.toLowerCase() === 'inactive') {
      const mark = str(a.onInactiveMarkAs);
      run.inactive = true;
      run.status = mark === 'Failed' || mark === 'Skipped' ? mark : 'Succeeded';
      run.notes.push(`inactive ("state": "Inactive"): not run, marked ${run.status}`);
      if (run.status === 'Failed')
        run.error = {
          message: 'The activity is inactive and marked as failed.',
          failureType: 'UserError',
          target: run.name,
        };
      return run;
    }
    const tp = isObj(a.typeProperties) ? a.typeProperties : {};
    try {
      switch (run.type.toLowerCase()) {
        case 'foreach':
          this.forEach(inv, scope, run, tp);
          break;
        case 'ifcondition':
          this.ifCondition(inv, scope, run, tp);
          break;
        case 'switch':
          this.switchActivity(inv, scope, run, tp);
          break;
        case 'until':
          this.until(inv, scope, run, tp);
          break;
        case 'filter':
          this.filter(inv, scope, run, tp);
          break;
        case 'setvariable':
          this.setVariable(inv, scope, run, tp, false);
          break;
        case 'appendvariable':
          this.setVariable(inv, scope, run, tp, true);
          break;
        case 'wait':
          this.wait(inv, scope, run, tp);
          break;
        case 'fail':
          this.fail(inv, scope, run, tp);
          break;
        case 'executepipeline':
          this.executePipeline(inv, scope, run, tp);
          break;
        default:
          this.external(inv, scope, run, a, tp);
      }
    } catch (e) {
      if (e instanceof RunAborted) {
        run.status = 'Failed';
        run.error = { message: e.message, errorCode: 'DryRunLimit', failureType: 'SystemError', target: run.name };
      }
      throw e;
    }
    return run;
  }

  /** Evaluates some properties of a control activity; returns undefined (and fails the run) on an error. */
  private evaluateInputs(
    inv: Invocation,
    scope: Scope,
    run: ActivityRun,
    json: Obj,
    extra?: Partial<ExpressionContext>,
  ): AdfObject | undefined {
    const r = evaluateJson(json, this.context(inv, scope, extra));
    run.expressions.push(...r.expressions);
    run.evaluationErrors.push(...r.errors);
    run.inputs = r.value;
    if (r.errors.length) {
      const e = r.errors[0]!;
      this.failRun(run, `${e.error.message}`, 'InvalidTemplate');
      return undefined;
    }
    return r.value instanceof Map ? r.value : new Map();
  }

  private failRun(run: ActivityRun, message: string, errorCode?: string): void {
    run.status = 'Failed';
    run.error = { message, ...(errorCode ? { errorCode } : {}), failureType: 'UserError', target: run.name };
  }

  private innerFailure(run: ActivityRun, error: ActivityErrorInfo | undefined): void {
    const target = error?.target;
    const inner = error?.message?.replace(/^Operation on target [^:]+ failed: /, '') ?? 'the activity failed';
    this.failRun(
      run,
      `Activity failed because an inner activity failed${target ? `; Inner activity name: ${target}, Error: ${inner}` : ''}`,
      error?.errorCode,
    );
  }

  private childScope(scope: Scope, run: ActivityRun, step: IterationStep, extra: Partial<Scope> = {}): Scope {
    return {
      parent: scope,
      declared: new Set(),
      runs: new Map(),
      iteration: [...scope.iteration, step],
      container: run.order,
      assumed: scope.assumed,
      ...(scope.concurrent ? { concurrent: true } : {}),
      ...extra,
    };
  }

  /** Makes a finished branch's or iteration's runs readable by the activities after the container. */
  private publish(scope: Scope, inner: Scope): void {
    scope.inner ??= new Map();
    for (const [k, v] of inner.runs) scope.inner.set(k, v);
    for (const [k, v] of inner.inner ?? []) scope.inner.set(k, v);
  }

  private nested(tp: Obj, key: string): Obj[] {
    const v = tp[key];
    return Array.isArray(v) ? v.filter(isObj) : [];
  }

  private forEach(inv: Invocation, scope: Scope, run: ActivityRun, tp: Obj): void {
    const inputs = this.evaluateInputs(inv, scope, run, {
      items: tp.items,
      isSequential: tp.isSequential ?? false,
      ...('batchCount' in tp ? { batchCount: tp.batchCount } : {}),
    });
    if (!inputs) return;
    const items = inputs.get('items') ?? null;
    const activities = this.nested(tp, 'activities');
    const sequential = inputs.get('isSequential') === true;
    const batch = inputs.get('batchCount');
    if (!sequential)
      run.notes.push(
        `iterations may run concurrently (batchCount ${typeof batch === 'bigint' ? batch : '20, the default'}); the dry run runs them one after the other`,
      );
    if (items instanceof Unknown) {
      run.notes.push('items unknown: one iteration is shown, with item() unknown');
      const s = this.childScope(
        scope,
        run,
        { activity: run.name, index: 0, item: new Unknown('item()') },
        { item: { value: new Unknown('item()') }, assumed: true, ...(sequential ? {} : { concurrent: true }) },
      );
      const outcome = this.runScope(inv, s, activities);
      if (outcome.status === 'Failed') this.innerFailure(run, outcome.error);
      return;
    }
    if (!Array.isArray(items)) {
      this.failRun(
        run,
        `The ForEach items must be an array; '${expressionText(tp.items)}' evaluated to a value of type '${typeName(items)}'.`,
        'InvalidTemplate',
      );
      return;
    }
    if (items.length > this.limits.maxForEachItems) {
      this.failRun(
        run,
        `The ForEach has ${items.length} items, more than the dry run's limit of ${this.limits.maxForEachItems}.`,
        'DryRunLimit',
      );
      return;
    }
    run.notes.push(`${items.length} item${items.length === 1 ? '' : 's'}`);
    let failure: ActivityErrorInfo | undefined;
    items.forEach((item, index) => {
      const s = this.childScope(
        scope,
        run,
        { activity: run.name, index, item },
        { item: { value: item }, ...(sequential ? {} : { concurrent: true }) },
      );
      const outcome = this.runScope(inv, s, activities);
      if (outcome.status === 'Failed' && !failure) failure = outcome.error;
    });
    if (failure) this.innerFailure(run, failure);
  }

  private ifCondition(inv: Invocation, scope: Scope, run: ActivityRun, tp: Obj): void {
    const inputs = this.evaluateInputs(inv, scope, run, { expression: tp.expression });
    if (!inputs) return;
    const cond = inputs.get('expression') ?? null;
    const branches: { key: 'ifTrueActivities' | 'ifFalseActivities'; branch: string }[] = [];
    let assumed = false;
    if (cond === true) branches.push({ key: 'ifTrueActivities', branch: 'true' });
    else if (cond === false) branches.push({ key: 'ifFalseActivities', branch: 'false' });
    else if (cond instanceof Unknown) {
      assumed = true;
      if (this.options.unknownBranches === 'none') {
        run.notes.push('condition unknown: no branch is shown');
        return;
      }
      run.notes.push('condition unknown: both branches are shown, as if each were taken');
      branches.push({ key: 'ifTrueActivities', branch: 'true' }, { key: 'ifFalseActivities', branch: 'false' });
    } else {
      this.failRun(
        run,
        `The IfCondition expression must evaluate to a boolean; '${expressionText(tp.expression)}' evaluated to a value of type '${typeName(cond)}'.`,
        'InvalidTemplate',
      );
      return;
    }
    let failure: ActivityErrorInfo | undefined;
    for (const b of branches) {
      const s = this.childScope(scope, run, { activity: run.name, branch: b.branch }, assumed ? { assumed: true } : {});
      const outcome = this.runScope(inv, s, this.nested(tp, b.key));
      this.publish(scope, s);
      if (outcome.status !== 'Failed') continue;
      // A branch shown only because the condition is unknown does not decide the outcome.
      if (assumed)
        run.notes.push(
          `if the condition is ${b.branch}, this activity fails: ${outcome.error?.message ?? 'an inner activity fails'}`,
        );
      else failure ??= outcome.error;
    }
    run.output = new Map();
    if (failure) this.innerFailure(run, failure);
  }

  private switchActivity(inv: Invocation, scope: Scope, run: ActivityRun, tp: Obj): void {
    const inputs = this.evaluateInputs(inv, scope, run, { on: tp.on });
    if (!inputs) return;
    const on = inputs.get('on') ?? null;
    const cases = Array.isArray(tp.cases) ? tp.cases.filter(isObj) : [];
    const chosen: { branch: string; activities: Obj[] }[] = [];
    let assumed = false;
    if (on instanceof Unknown) {
      assumed = true;
      if (this.options.unknownBranches === 'none') {
        run.notes.push('the value to switch on is unknown: no case is shown');
        return;
      }
      run.notes.push('the value to switch on is unknown: every case is shown, as if each were taken');
      for (const c of cases) chosen.push({ branch: String(c.value), activities: this.nested(c, 'activities') });
      chosen.push({ branch: 'default', activities: this.nested(tp, 'defaultActivities') });
    } else {
      if (typeof on !== 'string') {
        this.failRun(
          run,
          `The Switch 'on' expression must evaluate to a string; '${expressionText(tp.on)}' evaluated to a value of type '${typeName(on)}'.`,
          'InvalidTemplate',
        );
        return;
      }
      const match = cases.find(c => c.value === on);
      chosen.push(
        match
          ? { branch: on, activities: this.nested(match, 'activities') }
          : { branch: 'default', activities: this.nested(tp, 'defaultActivities') },
      );
      run.notes.push(match ? `case '${on}'` : `no case is '${on}': the default activities run`);
    }
    let failure: ActivityErrorInfo | undefined;
    for (const c of chosen) {
      const s = this.childScope(scope, run, { activity: run.name, branch: c.branch }, assumed ? { assumed: true } : {});
      const outcome = this.runScope(inv, s, c.activities);
      this.publish(scope, s);
      if (outcome.status !== 'Failed') continue;
      if (assumed)
        run.notes.push(
          `in case ${c.branch === 'default' ? 'of no match (default)' : `'${c.branch}'`}, this ` +
            `activity fails: ${outcome.error?.message ?? 'an inner activity fails'}`,
        );
      else failure ??= outcome.error;
    }
    run.output = new Map();
    if (failure) this.innerFailure(run, failure);
  }

  private until(inv: Invocation, scope: Scope, run: ActivityRun, tp: Obj): void {
    const activities = this.nested(tp, 'activities');
    run.inputs = new Map<string, AdfValue>([
      ['expression', expressionText(tp.expression) ?? null],
      ...(tp.timeout !== undefined ? [['timeout', fromJson(tp.timeout)] as [string, AdfValue]] : []),
    ]);
    for (let index = 0; ; index++) {
      if (index >= this.limits.maxUntilIterations) {
        this.failRun(
          run,
          `The Until loop ran ${index} iterations, the dry run's limit, and its condition never ` +
            `became true (in Data Factory it would run until its ` +
            `timeout${tp.timeout !== undefined ? `, ${String(tp.timeout)}` : ''}).`,
          'DryRunLimit',
        );
        return;
      }
      const s = this.childScope(scope, run, { activity: run.name, index });
      const outcome = this.runScope(inv, s, activities);
      this.publish(scope, s);
      if (outcome.status === 'Failed') {
        this.innerFailure(run, outcome.error);
        return;
      }
      // The condition is evaluated after each iteration, and can read that iteration's activities.
      const r = evaluateAdfString(expressionText(tp.expression) ?? '', this.context(inv, s));
      if (r.kind !== 'literal' && !r.error)
        run.expressions.push({
          path: ['expression'],
          source: expressionText(tp.expression) ?? '',
          kind: r.kind,
          value: r.value,
        });
      if (r.error) {
        run.evaluationErrors.push({
          path: ['expression'],
          source: expressionText(tp.expression) ?? '',
          error: r.error,
        });
        this.failRun(run, r.error.message, 'InvalidTemplate');
        return;
      }
      if (r.value === true) {
        run.notes.push(`${index + 1} iteration${index === 0 ? '' : 's'}`);
        return;
      }
      if (r.value instanceof Unknown) {
        run.notes.push(`condition unknown after iteration ${index}: the loop is shown once`);
        return;
      }
      if (r.value !== false) {
        this.failRun(
          run,
          `The Until expression must evaluate to a boolean; it evaluated to a value of type '${typeName(r.value)}'.`,
          'InvalidTemplate',
        );
        return;
      }
    }
  }

  private filter(inv: Invocation, scope: Scope, run: ActivityRun, tp: Obj): void {
    const inputs = this.evaluateInputs(inv, scope, run, { items: tp.items });
    if (!inputs) return;
    const items = inputs.get('items') ?? null;
    if (items instanceof Unknown) {
      run.output = new Unknown(`activity('${run.name}').output`);
      run.notes.push('items unknown: the output is unknown');
      return;
    }
    if (!Array.isArray(items)) {
      this.failRun(
        run,
        `The Filter items must be an array; '${expressionText(tp.items)}' evaluated to a value of type '${typeName(items)}'.`,
        'InvalidTemplate',
      );
      return;
    }
    const kept: AdfValue[] = [];
    let unknown = false;
    for (const item of items) {
      const r = evaluateAdfString(
        expressionText(tp.condition) ?? '',
        this.context(inv, { ...scope, item: { value: item } }),
      );
      if (r.error) {
        run.evaluationErrors.push({ path: ['condition'], source: expressionText(tp.condition) ?? '', error: r.error });
        this.failRun(run, r.error.message, 'InvalidTemplate');
        return;
      }
      if (r.value === true) kept.push(item);
      else if (r.value instanceof Unknown) unknown = true;
      else if (r.value !== false) {
        this.failRun(
          run,
          `The Filter condition must evaluate to a boolean; it evaluated to a value of type '${typeName(r.value)}'.`,
          'InvalidTemplate',
        );
        return;
      }
    }
    run.inputs = new Map<string, AdfValue>([
      ['items', items],
      ['condition', expressionText(tp.condition) ?? null],
    ]);
    run.output = unknown
      ? new Unknown(`activity('${run.name}').output`)
      : new Map<string, AdfValue>([
          ['ItemsCount', BigInt(items.length)],
          ['FilteredItemsCount', BigInt(kept.length)],
          ['Value', kept],
        ]);
    if (unknown) run.notes.push('the condition is unknown for some items: the output is unknown');
  }

  private setVariable(inv: Invocation, scope: Scope, run: ActivityRun, tp: Obj, append: boolean): void {
    const name = str(tp.variableName) ?? '';
    const system = tp.setSystemVariable === true || name === 'pipelineReturnValue';
    if (system && !append) {
      const entries = Array.isArray(tp.value) ? tp.value.filter(isObj) : [];
      const out: AdfObject = new Map();
      const json: Obj = {};
      for (const e of entries) if (typeof e.key === 'string') json[e.key] = returnValueJson(e.value);
      const inputs = this.evaluateInputs(inv, scope, run, json);
      if (!inputs) return;
      for (const [k, v] of inputs) out.set(k, v);
      inv.returnValue = out;
      run.output = new Map<string, AdfValue>([
        ['name', 'pipelineReturnValue'],
        ['value', out],
      ]);
      return;
    }
    const declared =
      [...inv.declaredVariables.keys()].find(v => v === name) ??
      [...inv.declaredVariables.keys()].find(v => v.toLowerCase() === name.toLowerCase());
    if (declared === undefined) {
      this.failRun(run, `The variable '${name}' is not declared in pipeline '${inv.name}'.`, 'InvalidTemplate');
      return;
    }
    const inputs = this.evaluateInputs(inv, scope, run, { value: tp.value ?? null });
    if (!inputs) return;
    const value = inputs.get('value') ?? null;
    const type = (inv.declaredVariables.get(declared) ?? 'String').toLowerCase();
    if (append) {
      const current = inv.variables.get(declared);
      if (type !== 'array' || !Array.isArray(current)) {
        this.failRun(
          run,
          `The variable '${declared}' is not an array: Append Variable needs an Array variable.`,
          'InvalidTemplate',
        );
        return;
      }
      if (current.length >= this.limits.maxArrayLength) {
        this.failRun(
          run,
          `The variable '${declared}' would have more than ${this.limits.maxArrayLength} items, the dry run's limit.`,
          'DryRunLimit',
        );
        return;
      }
      inv.variables.set(declared, [...current, value]);
    } else {
      if (!(value instanceof Unknown) && !variableTypeMatches(type, value)) {
        this.failRun(
          run,
          `The variable '${declared}' is of type '${inv.declaredVariables.get(declared)}' and cannot be set to a value of type '${typeName(value)}'.`,
          'InvalidTemplate',
        );
        return;
      }
      inv.variables.set(declared, value);
    }
    if (scope.concurrent)
      run.notes.push(
        'the variable is shared by concurrent ForEach iterations: in Data Factory the last iteration to finish wins',
      );
    run.output = new Map<string, AdfValue>([
      ['name', declared],
      ['value', inv.variables.get(declared) ?? null],
    ]);
  }

  private wait(inv: Invocation, scope: Scope, run: ActivityRun, tp: Obj): void {
    const inputs = this.evaluateInputs(inv, scope, run, { waitTimeInSeconds: tp.waitTimeInSeconds ?? null });
    if (!inputs) return;
    run.notes.push(`waits ${stringify(inputs.get('waitTimeInSeconds') ?? null)} seconds (not in a dry run)`);
  }

  private fail(inv: Invocation, scope: Scope, run: ActivityRun, tp: Obj): void {
    const inputs = this.evaluateInputs(inv, scope, run, { message: tp.message ?? '', errorCode: tp.errorCode ?? '' });
    if (!inputs) return;
    const message = inputs.get('message') ?? '';
    const code = inputs.get('errorCode') ?? '';
    run.status = 'Failed';
    run.error = { message: stringify(message), errorCode: stringify(code), failureType: 'UserError', target: run.name };
  }

  private executePipeline(inv: Invocation, scope: Scope, run: ActivityRun, tp: Obj): void {
    const ref = isObj(tp.pipeline) ? str(tp.pipeline.referenceName) : undefined;
    const inputs = this.evaluateInputs(inv, scope, run, {
      pipeline: tp.pipeline ?? null,
      parameters: tp.parameters ?? {},
      waitOnCompletion: tp.waitOnCompletion ?? false,
    });
    if (!inputs) return;
    if (!ref) {
      this.failRun(run, 'Execute Pipeline names no pipeline (typeProperties.pipeline.referenceName).', 'BadRequest');
      return;
    }
    if (inv.depth + 1 > this.limits.maxPipelineDepth) {
      this.failRun(
        run,
        `Execute Pipeline nests pipelines more than ${this.limits.maxPipelineDepth} levels deep (the dry run's limit): does a pipeline run itself?`,
        'DryRunLimit',
      );
      return;
    }
    const params = inputs.get('parameters');
    const values: Record<string, unknown> = {};
    if (params instanceof Map) for (const [k, v] of params) values[k] = v;
    const wait = inputs.get('waitOnCompletion') === true;
    const runId = this.newGuid();
    const step: IterationStep = { activity: run.name, pipeline: ref };
    const child = this.runPipeline(
      ref,
      values,
      {
        runId,
        depth: inv.depth + 1,
        iterationPrefix: [...scope.iteration, step],
        parentRun: run.order,
        assumed: scope.assumed,
        parentPipeline: inv.name,
        parentRunId: inv.runId,
        returnValue: undefined,
      },
      false,
    );
    const output: AdfObject = new Map<string, AdfValue>([
      ['pipelineName', child.invocation.name],
      ['pipelineRunId', runId],
    ]);
    if (wait && child.invocation.returnValue) output.set('pipelineReturnValue', child.invocation.returnValue);
    run.output = output;
    if (!wait)
      run.notes.push(
        'waitOnCompletion is false: this activity succeeds once the child pipeline starts, whatever its outcome',
      );
    if (wait && child.status === 'Failed') {
      const inner = child.error?.message ?? 'the pipeline failed';
      this.failRun(
        run,
        `Operation on target ${child.error?.target ?? ref} failed: ${inner.replace(/^Operation on target [^:]+ failed: /, '')}`,
        child.error?.errorCode,
      );
    }
  }

  private external(inv: Invocation, scope: Scope, run: ActivityRun, a: Obj, tp: Obj): void {
    const ctx = this.context(inv, scope);
    const r = evaluateJson(tp, ctx);
    run.inputs = r.value;
    run.expressions.push(...r.expressions);
    run.evaluationErrors.push(...r.errors);
    // Dataset references: in inputs / outputs (Copy), or typeProperties.dataset (Lookup, GetMetadata, Delete, …).
    const refs: { role: DatasetUse['role']; ref: Obj; path: JsonPath }[] = [];
    (Array.isArray(a.inputs) ? a.inputs : []).forEach(
      (x, i) => isObj(x) && refs.push({ role: 'input', ref: x, path: ['inputs', i] }),
    );
    (Array.isArray(a.outputs) ? a.outputs : []).forEach(
      (x, i) => isObj(x) && refs.push({ role: 'output', ref: x, path: ['outputs', i] }),
    );
    if (isObj(tp.dataset)) refs.push({ role: 'dataset', ref: tp.dataset, path: ['typeProperties', 'dataset'] });
    for (const { role, ref, path } of refs) run.datasets.push(this.datasetUse(inv, scope, run, role, ref, path));
    if (isObj(a.linkedServiceName) && isObj(a.linkedServiceName.parameters)) {
      const lr = evaluateJson(a.linkedServiceName.parameters, ctx);
      run.expressions.push(
        ...lr.expressions.map(e => ({ ...e, path: ['linkedServiceName', 'parameters', ...e.path] })),
      );
      run.evaluationErrors.push(
        ...lr.errors.map(e => ({ ...e, path: ['linkedServiceName', 'parameters', ...e.path] })),
      );
    }
    if (run.evaluationErrors.length) {
      this.failRun(run, run.evaluationErrors[0]!.error.message, 'InvalidTemplate');
      return;
    }
    const key = run.name.toLowerCase();
    const attempt = this.attempts.get(key) ?? 0;
    this.attempts.set(key, attempt + 1);
    const item = [...scope.iteration].reverse().find(s => s.item !== undefined)?.item;
    const outcome =
      this.options.outcome?.({
        activity: run.name,
        type: run.type,
        pipeline: inv.name,
        path: run.path,
        iteration: run.iteration,
        ...(item !== undefined ? { item } : {}),
        typeProperties: r.value,
        datasets: run.datasets,
        attempt,
      }) ?? undefined;
    const status = outcome?.status ?? (outcome?.error ? 'Failed' : 'Succeeded');
    run.status = status;
    run.output =
      outcome && 'output' in outcome && outcome.output !== undefined
        ? fromJson(outcome.output)
        : new Unknown(`activity('${run.name}').output`);
    if (!outcome) run.undescribed = true;
    if (status === 'Failed') {
      run.error = {
        message: outcome?.error?.message ?? 'The activity failed (as described for the dry run).',
        ...(outcome?.error?.errorCode ? { errorCode: outcome.error.errorCode } : {}),
        failureType: outcome?.error?.failureType ?? 'UserError',
        target: run.name,
      };
    }
  }

  private datasetUse(
    inv: Invocation,
    scope: Scope,
    run: ActivityRun,
    role: DatasetUse['role'],
    ref: Obj,
    path: JsonPath,
  ): DatasetUse {
    const name = str(ref.referenceName) ?? '(unnamed)';
    const ctx = this.context(inv, scope);
    const pr = evaluateJson(ref.parameters ?? {}, ctx);
    // typeProperties.dataset was evaluated with the rest of typeProperties.
    if (role !== 'dataset') {
      run.expressions.push(...pr.expressions.map(e => ({ ...e, path: [...path, 'parameters', ...e.path] })));
      run.evaluationErrors.push(...pr.errors.map(e => ({ ...e, path: [...path, 'parameters', ...e.path] })));
    }
    const use: DatasetUse = { role, name, parameters: pr.value };
    const dataset = this.factory.dataset(name);
    const props = isObj(dataset?.properties) ? dataset.properties : undefined;
    if (!props) {
      run.notes.push(`dataset '${name}' is not in the factory`);
      return use;
    }
    // dataset() is the dataset's declared parameters, with their defaults, overridden by what the reference passes.
    const params: AdfObject = new Map();
    const passed = pr.value instanceof Map ? pr.value : new Map<string, AdfValue>();
    for (const [p, decl] of Object.entries(isObj(props.parameters) ? props.parameters : {})) {
      const given = getProperty(passed, p);
      params.set(
        p,
        given
          ? given.value
          : isObj(decl) && 'defaultValue' in decl
            ? fromJson(decl.defaultValue)
            : new Unknown(`dataset().${p}`),
      );
    }
    const dr = evaluateJson(
      { ...(isObj(props.typeProperties) ? props.typeProperties : {}) },
      {
        ...ctx,
        dataset: () => params,
        pipeline: undefined,
        activity: undefined,
        item: undefined,
        variable: undefined,
      },
    );
    use.properties = dr.value;
    for (const e of dr.errors) run.notes.push(`dataset '${name}': ${e.error.message}`);
    return use;
  }
}

function conditionMet(status: ActivityStatus, conditions: string[]): boolean {
  return conditions.some(c => c === status || (c === 'Completed' && (status === 'Succeeded' || status === 'Failed')));
}

function variableTypeMatches(type: string, v: AdfValue): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string' || v === null;
    case 'bool':
    case 'boolean':
      return typeof v === 'boolean' || v === null;
    case 'array':
      return Array.isArray(v) || v === null;
    case 'integer':
    case 'int':
      return typeof v === 'bigint' || v === null;
    default:
      return true;
  }
}

/** A pipelineReturnValue entry's { type, content } as the JSON ADF evaluates. */
function returnValueJson(v: unknown): unknown {
  if (!isObj(v)) return v;
  const type = str(v.type)?.toLowerCase();
  const content = v.content;
  switch (type) {
    case 'expression':
      return typeof content === 'string' ? content : '';
    case 'array':
      return Array.isArray(content) ? content.map(returnValueJson) : [];
    case 'null':
      return null;
    case 'int':
      return typeof content === 'string' ? Number(content) : content;
    case 'float':
      return typeof content === 'string' ? Number(content) : content;
    case 'boolean':
      return typeof content === 'string' ? content.toLowerCase() === 'true' : content;
    case 'object':
      return typeof content === 'string' ? (parseObject(content) ?? content) : content;
    // A String is literal: escape what would read as an expression.
    default:
      return typeof content === 'string'
        ? `${content.startsWith('@') && !content.startsWith('@{') ? '@' : ''}${content.replace(/@\{/g, '@@{')}`
        : content;
  }
}

function parseObject(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
}

function expressionText(v: unknown): string | undefined {
  return typeof v === 'string'
    ? v
    : (expressionObjectValue(v) ?? (isObj(v) && typeof v.value === 'string' ? v.value : undefined));
}

function stepText(s: IterationStep): string {
  if (s.index !== undefined) return `${s.activity}[${s.index}]`;
  return s.activity;
}

/**
 * The object activity('X') reads: output, error, status and the run's identity. A skipped
 * activity has no output and no error (activity('X')?.error?.message is null; .output is an error).
 */
function activityObject(run: ActivityRun): AdfObject {
  if (run.status === 'Skipped') {
    return new Map<string, AdfValue>([
      ['status', run.status],
      ['activityName', run.name],
      ['activityType', run.type],
      ['pipelineName', run.pipeline],
    ]);
  }
  const error = run.error
    ? new Map<string, AdfValue>([
        ['message', run.error.message],
        ['errorCode', run.error.errorCode ?? ''],
        ['failureType', run.error.failureType ?? 'UserError'],
        ['target', run.error.target ?? run.name],
      ])
    : null;
  return new Map<string, AdfValue>([
    ['output', run.output ?? new Map()],
    ['error', error],
    ['status', run.status],
    ['activityName', run.name],
    ['activityType', run.type],
    ['pipelineName', run.pipeline],
  ]);
}

/**
 * Runs pipeline `name` of `factory`. Never throws for anything the factory or the caller's
 * outcomes contain: problems become failed activities, notes and evaluation errors.
 */
export function runPipeline(factory: RunFactory, name: string, options: RunOptions = {}): PipelineRunResult {
  let now: Timestamp;
  try {
    now = options.now !== undefined ? toUtc(parseTimestamp(options.now)) : timestampFromMs(Date.now());
  } catch {
    now = timestampFromMs(Date.now());
  }
  const seed = `${name}|${formatRoundTrip(now)}|${options.runId ?? ''}`;
  const runner = new Runner(factory, options, now, seed);
  const runId = options.runId ?? runner.newGuid();
  runner.rootRunId = runId;
  runner.triggerId = runner.newGuid();
  let status: 'Succeeded' | 'Failed';
  let error: ActivityErrorInfo | undefined;
  let invocation: Invocation | undefined;
  try {
    const r = runner.runPipeline(
      name,
      options.parameters ?? {},
      {
        runId,
        depth: 0,
        iterationPrefix: [],
        assumed: false,
      },
      true,
    );
    status = r.status === 'Failed' ? 'Failed' : 'Succeeded';
    error = r.error;
    invocation = r.invocation;
  } catch (e) {
    status = 'Failed';
    if (e instanceof RunAborted) {
      error = { message: e.message, errorCode: 'DryRunLimit', failureType: 'SystemError' };
      runner.notes.push(e.message);
    } else {
      // A bug of the dry run: reported as the run's failure rather than thrown at the caller.
      error = {
        message: `Internal error of the dry run: ${(e as Error)?.stack ?? String(e)}`,
        errorCode: 'DryRunInternalError',
        failureType: 'SystemError',
      };
    }
  }
  const evaluationErrors = runner.runs.reduce((n, r) => n + r.evaluationErrors.length, 0);
  return {
    pipeline: invocation?.name ?? name,
    runId,
    status,
    ...(error ? { error } : {}),
    parameters:
      invocation?.pipelineObject.get('parameters') instanceof Map
        ? (invocation.pipelineObject.get('parameters') as AdfObject)
        : new Map(),
    variables: invocation?.variables ?? new Map(),
    ...(invocation?.returnValue ? { returnValue: invocation.returnValue } : {}),
    runs: runner.runs,
    notes: runner.notes,
    evaluationErrors,
    triggerTime: runner.triggerTime,
  };
}

function toUtc(t: Timestamp): Timestamp {
  return { ticks: t.ticks, kind: 'utc' };
}
