// Applying a deploy through a port (FactoryApi), so the core holds no SDK: the apply reads what the
// factory holds NOW, plans against it, and makes the plan's calls in order. A failure is reported
// on its artifact, what depends on a failed creation is skipped (Data Factory would refuse it),
// everything else still goes, and every trigger the deploy stopped is started again. Because each
// apply plans afresh, a second apply writes nothing, and a rerun after a failure converges.
import type { JsonObject } from '../adf/generate/adfJson';
import { excerpt } from '../text/excerpt';
import {
  artifactKey,
  DEPLOY_KINDS,
  describeArtifact,
  isJsonObject,
  type DeployKind,
  type LocalArtifacts,
  type RemoteArtifact,
} from './artifacts';
import {
  planDeploy,
  type ArtifactChange,
  type DeployOptions,
  type DeployPlan,
  type DeployStep,
  type FactorySnapshot,
} from './plan';
import { referencesOf } from './references';

/** The state of a trigger's Event Grid subscription, as Data Factory reports it. */
export type EventSubscriptionStatus = 'Enabled' | 'Provisioning' | 'Deprovisioning' | 'Disabled' | 'Unknown';

/** The factory operations a deploy needs. An implementation throws an Error whose message a person can act on. */
export interface FactoryApi {
  /** Every artifact of a kind as the factory returns it (all pages): `{name, properties, …}`. */
  list(kind: DeployKind): Promise<JsonObject[]>;
  /** Creates or replaces an artifact; body is `{properties}`, sent as it is. */
  put(kind: DeployKind, name: string, body: JsonObject): Promise<void>;
  /** Deletes an artifact (no error when it is already gone). */
  delete(kind: DeployKind, name: string): Promise<void>;
  startTrigger(name: string): Promise<void>;
  stopTrigger(name: string): Promise<void>;
  /** Asks for an event trigger's Event Grid subscription; returns its status when the call returns. */
  subscribeTriggerToEvents(name: string): Promise<EventSubscriptionStatus>;
  eventSubscriptionStatus(name: string): Promise<EventSubscriptionStatus>;
}

/** Reads every deployable artifact of the factory. */
export async function readFactory(api: FactoryApi): Promise<FactorySnapshot> {
  const lists = await Promise.all(DEPLOY_KINDS.map(async kind => ({ kind, values: await api.list(kind) })));
  const artifacts: RemoteArtifact[] = [];
  for (const { kind, values } of lists)
    for (const value of values)
      if (isJsonObject(value) && typeof value.name === 'string') artifacts.push({ kind, name: value.name, value });
  return { artifacts };
}

export type ArtifactOutcomeKind = 'created' | 'updated' | 'recreated' | 'unchanged' | 'deleted' | 'failed' | 'skipped';

export interface ArtifactOutcome {
  kind: DeployKind;
  name: string;
  outcome: ArtifactOutcomeKind;
  /** Why it failed or was skipped. */
  message?: string;
}

export interface TriggerOutcome {
  name: string;
  stopped: boolean;
  subscribed: boolean;
  started: boolean;
  /** What went wrong stopping, subscribing or starting it. */
  error?: string;
}

export interface DeployProgress {
  step: DeployStep;
  /** 1-based. */
  index: number;
  total: number;
  outcome: 'done' | 'failed' | 'skipped';
  message?: string;
}

export interface ApplyOptions extends DeployOptions {
  /** The plan the user confirmed: nothing is written when the factory has changed since (the calls would differ). */
  confirmed?: DeployPlan;
  onProgress?: (progress: DeployProgress) => void;
  /** Stops before the next write (stopped triggers are still started again). */
  signal?: AbortSignal;
  /** How long an event trigger's subscription may take to provision (default 5 minutes). */
  provisioningTimeoutMs?: number;
  /** Between two looks at a subscription's status (default 5 seconds). */
  provisioningPollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export type DeployStatus =
  /** Every call succeeded (or there was nothing to do). */
  | 'applied'
  /** Some calls failed: see the artifacts' outcomes; a rerun converges. */
  | 'failed'
  /** The plan has problems: nothing was written. */
  | 'refused'
  /** The factory changed since the confirmed plan: nothing was written; plan again. */
  | 'stale'
  /** Cancelled: what ran is reported. */
  | 'cancelled';

export interface DeployReport {
  status: DeployStatus;
  plan: DeployPlan;
  artifacts: ArtifactOutcome[];
  triggers: TriggerOutcome[];
  /** Calls that change the factory (PUT, DELETE, stop, start, subscribe). */
  writes: number;
  /** One line for a person. */
  message: string;
}

/** A text that changes when the calls of a plan change: what the user confirmed against what would run. */
export function planFingerprint(plan: DeployPlan): string {
  return JSON.stringify([plan.steps, plan.changes.filter(c => c.body).map(c => [c.kind, c.name, c.after])]);
}

/** Plans against the factory as it is now, then applies. */
export async function applyDeploy(
  api: FactoryApi,
  local: LocalArtifacts,
  options: ApplyOptions = {},
): Promise<DeployReport> {
  const snapshot = await readFactory(api);
  const plan = planDeploy(local, snapshot, options);
  const outcomes = new Map<string, ArtifactOutcome>();
  for (const c of plan.changes)
    outcomes.set(artifactKey(c.kind, c.name), {
      kind: c.kind,
      name: c.name,
      outcome: c.action === 'unchanged' ? 'unchanged' : 'skipped',
      ...(c.action === 'unchanged' ? {} : { message: 'not applied' }),
    });
  const report: DeployReport = { status: 'applied', plan, artifacts: [], triggers: [], writes: 0, message: '' };
  const finish = (status: DeployStatus, message: string): DeployReport => {
    report.status = status;
    report.message = message;
    report.artifacts = plan.changes.map(c => outcomes.get(artifactKey(c.kind, c.name))!);
    return report;
  };
  if (plan.problems.length > 0)
    return finish(
      'refused',
      `Nothing deployed: ${plan.problems.length} problem(s) to fix first, e.g. ${plan.problems[0]!.message}`,
    );
  if (options.confirmed && planFingerprint(options.confirmed) !== planFingerprint(plan))
    return finish(
      'stale',
      'Nothing deployed: the factory changed since the plan was shown. Plan again and confirm the new plan.',
    );

  const run = new Run(api, plan, snapshot, outcomes, report, options);
  const cancelled = await run.all();
  const done = finish('applied', '');
  const bad = done.artifacts.filter(a => a.outcome === 'failed' || a.outcome === 'skipped');
  const triggerErrors = done.triggers.filter(t => t.error);
  const counts = countOutcomes(done.artifacts);
  if (cancelled) {
    done.status = 'cancelled';
    done.message = `Cancelled after ${report.writes} write(s): ${counts}.`;
  } else if (bad.length > 0 || triggerErrors.length > 0) {
    done.status = 'failed';
    const first = bad[0]
      ? `${describeArtifact(bad[0].kind, bad[0].name)}: ${bad[0].message ?? bad[0].outcome}`
      : `trigger '${triggerErrors[0]!.name}': ${triggerErrors[0]!.error}`;
    done.message =
      `Deploy incomplete: ${bad.length} artifact(s) not applied` +
      (triggerErrors.length ? `, ${triggerErrors.length} trigger(s) not stopped or started` : '') +
      ` (first: ${first}). Run it again: it applies what is left.`;
  } else done.message = plan.upToDate ? 'The factory is up to date: nothing to deploy.' : `Deployed: ${counts}.`;
  return done;
}

function countOutcomes(outcomes: readonly ArtifactOutcome[]): string {
  const counts = new Map<ArtifactOutcomeKind, number>();
  for (const o of outcomes) counts.set(o.outcome, (counts.get(o.outcome) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing';
}

const defaultSleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

class Run {
  private readonly changes = new Map<string, ArtifactChange>();
  private readonly existed = new Set<string>();
  /** What each artifact referred to in the factory before the deploy. */
  private readonly factoryReferences = new Map<string, string[]>();
  private readonly triggers = new Map<string, TriggerOutcome>();
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly api: FactoryApi,
    private readonly plan: DeployPlan,
    snapshot: FactorySnapshot,
    private readonly outcomes: Map<string, ArtifactOutcome>,
    private readonly report: DeployReport,
    private readonly options: ApplyOptions,
  ) {
    for (const c of plan.changes) this.changes.set(artifactKey(c.kind, c.name), c);
    for (const a of snapshot.artifacts) {
      const key = artifactKey(a.kind, a.name);
      this.existed.add(key);
      this.factoryReferences.set(
        key,
        referencesOf(a.value).map(r => artifactKey(r.kind, r.name)),
      );
    }
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Runs every step; true when cancelled. */
  async all(): Promise<boolean> {
    const steps = this.plan.steps;
    let cancelled = false;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      // Once cancelled only the starts of triggers this deploy stopped run: none is left stopped.
      if (this.options.signal?.aborted) {
        cancelled = true;
        const restart =
          (step.op === 'startTrigger' || step.op === 'subscribeTrigger') && this.trigger(step.name).stopped;
        if (!restart) {
          this.progress(step, i, 'skipped', 'cancelled');
          continue;
        }
      }
      const skip = this.skipReason(step);
      if (skip) {
        this.skip(step, skip);
        this.progress(step, i, 'skipped', skip);
        continue;
      }
      try {
        await this.perform(step);
        this.progress(step, i, 'done');
      } catch (e) {
        const message = errorText(e);
        this.fail(step, message);
        this.progress(step, i, 'failed', message);
      }
    }
    this.report.triggers = [...this.triggers.values()];
    return cancelled;
  }

  private trigger(name: string): TriggerOutcome {
    const key = name.toLowerCase();
    let outcome = this.triggers.get(key);
    if (!outcome) this.triggers.set(key, (outcome = { name, stopped: false, subscribed: false, started: false }));
    return outcome;
  }

  private outcomeOf(kind: DeployKind, name: string): ArtifactOutcome {
    return this.outcomes.get(artifactKey(kind, name))!;
  }

  /** Why a step cannot run given what failed before it (undefined: it runs). */
  private skipReason(step: DeployStep): string | undefined {
    if (step.op === 'stopTrigger') return undefined;
    if (step.op === 'startTrigger' || step.op === 'subscribeTrigger') {
      const t = this.trigger(step.name);
      if (t.error && step.op === 'startTrigger') return `not started: ${t.error}`;
      const change = this.changes.get(artifactKey('trigger', step.name))!;
      const outcome = this.outcomeOf('trigger', step.name).outcome;
      const gone =
        (change.action === 'create' && outcome !== 'created') ||
        (change.action === 'recreate' && outcome !== 'recreated');
      return gone ? 'not started: it was not created' : undefined;
    }
    const key = artifactKey(step.kind, step.name);
    const change = this.changes.get(key)!;
    if (change.trigger?.stop && !this.trigger(step.name).stopped)
      return `it could not be stopped (${this.trigger(step.name).error ?? 'see above'})`;
    if (step.op === 'put') {
      if (change.action === 'recreate' && this.outcomeOf(step.kind, step.name).outcome === 'failed') return undefined; // reported at its delete
      for (const ref of change.references) {
        const refKey = artifactKey(ref.kind, ref.name);
        const target = this.changes.get(refKey);
        if (!target) continue;
        const outcome = this.outcomes.get(refKey)!.outcome;
        const missing =
          (target.action === 'create' && outcome !== 'created') ||
          (target.action === 'recreate' && outcome !== 'recreated');
        if (missing) return `it refers to ${describeArtifact(ref.kind, ref.name)}, which was not created`;
      }
      return undefined;
    }
    // A delete: whatever still refers to the artifact in the factory must be gone or no longer refer to it.
    for (const [other, refs] of this.factoryReferences) {
      if (other === key || !refs.includes(key)) continue;
      const otherChange = this.changes.get(other);
      const otherOutcome = this.outcomes.get(other)?.outcome;
      if (otherChange && (otherOutcome === 'failed' || otherOutcome === 'skipped'))
        return `${describeArtifact(otherChange.kind, otherChange.name)}, which refers to it, was not applied`;
    }
    return undefined;
  }

  private async perform(step: DeployStep): Promise<void> {
    switch (step.op) {
      case 'stopTrigger':
        await this.write(() => this.api.stopTrigger(step.name));
        this.trigger(step.name).stopped = true;
        return;
      case 'put': {
        const key = artifactKey(step.kind, step.name);
        const change = this.changes.get(key)!;
        await this.write(() => this.api.put(step.kind, step.name, change.body!));
        this.outcomes.get(key)!.outcome =
          change.action === 'create' ? 'created' : change.action === 'recreate' ? 'recreated' : 'updated';
        delete this.outcomes.get(key)!.message;
        return;
      }
      case 'delete': {
        const key = artifactKey(step.kind, step.name);
        await this.write(() => this.api.delete(step.kind, step.name));
        if (this.changes.get(key)!.action === 'delete') {
          this.outcomes.get(key)!.outcome = 'deleted';
          delete this.outcomes.get(key)!.message;
        }
        return;
      }
      case 'subscribeTrigger':
        return this.subscribe(step.name);
      case 'startTrigger':
        await this.write(() => this.api.startTrigger(step.name));
        this.trigger(step.name).started = true;
        return;
    }
  }

  private async write(call: () => Promise<void>): Promise<void> {
    this.report.writes++;
    await call();
  }

  /** Subscribes an event trigger and waits until its subscription is provisioned. */
  private async subscribe(name: string): Promise<void> {
    this.report.writes++;
    let status = await this.api.subscribeTriggerToEvents(name);
    const timeout = this.options.provisioningTimeoutMs ?? 300_000;
    const poll = this.options.provisioningPollMs ?? 5_000;
    let waited = 0;
    // Provisioning takes a while (Event Grid); a status that does not move to Enabled in time is reported as it is.
    while (status !== 'Enabled') {
      if (waited >= timeout)
        throw new Error(
          `its event subscription was still ${status} after ${Math.round(timeout / 1000)} s, not Enabled: ` +
            `check the subscription's Event Grid resource provider registration, then start the trigger.`,
        );
      await this.sleep(poll);
      waited += poll;
      status = await this.api.eventSubscriptionStatus(name);
    }
    this.trigger(name).subscribed = true;
  }

  private fail(step: DeployStep, message: string): void {
    if (step.op === 'stopTrigger' || step.op === 'startTrigger' || step.op === 'subscribeTrigger') {
      const verb = step.op === 'stopTrigger' ? 'stop' : step.op === 'startTrigger' ? 'start' : 'subscribe to events';
      this.trigger(step.name).error = `could not ${verb}: ${message}`;
      return;
    }
    const outcome = this.outcomeOf(step.kind, step.name);
    outcome.outcome = 'failed';
    const change = this.changes.get(artifactKey(step.kind, step.name))!;
    outcome.message =
      step.op === 'delete' && change.action === 'recreate'
        ? `could not delete it to create it again: ${message}`
        : message;
  }

  private skip(step: DeployStep, reason: string): void {
    if (step.op === 'startTrigger' || step.op === 'subscribeTrigger') {
      this.trigger(step.name).error ??= reason;
      return;
    }
    if (step.op === 'stopTrigger') return;
    const outcome = this.outcomeOf(step.kind, step.name);
    if (outcome.outcome === 'failed') return;
    outcome.outcome = 'skipped';
    outcome.message = `not applied: ${reason}`;
  }

  private progress(step: DeployStep, index: number, outcome: DeployProgress['outcome'], message?: string): void {
    this.options.onProgress?.({
      step,
      index: index + 1,
      total: this.plan.steps.length,
      outcome,
      ...(message ? { message } : {}),
    });
  }
}

function errorText(e: unknown): string {
  return excerpt(e instanceof Error ? e.message : String(e), 500);
}
