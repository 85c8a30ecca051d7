// The deploy plan: the local folder against what the factory holds, artifact by artifact (create,
// update, recreate, unchanged, and delete only when asked), in the order of references, with the
// trigger stops and starts around the writes and what the user must know before confirming.
import type { JsonObject } from '../adf/generate/adfJson';
import {
  artifactKey,
  DEPLOY_KINDS,
  describeArtifact,
  type DeployKind,
  type DeployProblem,
  type LocalArtifact,
  type LocalArtifacts,
  type RemoteArtifact,
} from './artifacts';
import {
  artifactText,
  comparable,
  compareArtifacts,
  inOrderOf,
  summarizeDifferences,
  type Difference,
} from './compare';
import { referenceOrder } from './order';
import { referencesOf, type ArtifactReference } from './references';
import {
  isEventTrigger,
  runtimeStateOf,
  triggerTimes,
  triggerTypeOf,
  tumblingWindowImmutableChanges,
  windowsUntil,
  type TriggerState,
} from './triggers';

export interface DeployOptions {
  /** Delete what the factory holds and the folder does not (off unless asked). */
  deleteMissing?: boolean;
  /**
   * Which state each trigger ends in. 'keep' (the default): an existing trigger keeps its state in
   * the factory, a new one takes the state its file was committed with (runtimeState, Stopped when
   * absent). 'source': every trigger ends in its file's state.
   */
  triggerStates?: 'keep' | 'source';
  /** The time a recreated tumbling-window trigger's replay is counted to (default: now). */
  now?: Date;
}

/** What the factory holds now, as its list operations return it. */
export interface FactorySnapshot {
  artifacts: RemoteArtifact[];
}

export type ChangeAction = 'create' | 'update' | 'recreate' | 'unchanged' | 'delete';

export interface TriggerPlan {
  type: string | undefined;
  /** Its state in the factory now (undefined when it is new). */
  stateBefore: TriggerState | undefined;
  /** The state it is left in (undefined when it is deleted). */
  stateAfter: 'Started' | 'Stopped' | undefined;
  /** Stopped before anything is written. */
  stop: boolean;
  /** Subscribed to its events, and its subscription waited for, before it starts. */
  subscribe: boolean;
  /** Started after everything is written. */
  start: boolean;
}

export interface ArtifactChange {
  kind: DeployKind;
  name: string;
  action: ChangeAction;
  /** One line for a person: what differs, or why it is created, recreated or deleted. */
  summary: string;
  differences: Difference[];
  /** The local file (undefined for a delete). */
  file?: string;
  /** The factory's artifact as JSON text (for the diff editor's left side; undefined when it is new). */
  before?: string;
  /** What is sent, as JSON text (the right side; undefined for a delete). */
  after?: string;
  /** The request body of its PUT (create, update, recreate). */
  body?: JsonObject;
  /** What it refers to (for a delete: what the factory's artifact refers to). */
  references: ArtifactReference[];
  trigger?: TriggerPlan;
  warnings: string[];
  notes: string[];
}

export type DeployStep =
  | { op: 'stopTrigger'; name: string }
  | { op: 'put'; kind: DeployKind; name: string }
  | { op: 'delete'; kind: DeployKind; name: string }
  | { op: 'subscribeTrigger'; name: string }
  | { op: 'startTrigger'; name: string };

export interface DeployPlan {
  /** Every artifact: those written in the order of their writes (unchanged ones where they would go), then deletes in theirs. */
  changes: ArtifactChange[];
  /** The calls an apply makes, in order. */
  steps: DeployStep[];
  /** What stops the apply (nothing is written while there is one). */
  problems: DeployProblem[];
  /** What the user must read before confirming (a tumbling-window trigger's replay, times ADF may refuse). */
  warnings: string[];
  notes: string[];
  counts: Record<ChangeAction, number>;
  /** Nothing to write, stop or start. */
  upToDate: boolean;
}

const KIND_RANK = new Map<DeployKind, number>(DEPLOY_KINDS.map((k, i) => [k, i]));

interface Prepared {
  local: LocalArtifact;
  key: string;
  /** `{name, properties}` as sent (trigger times in UTC) and compared. */
  wire: JsonObject;
  references: ArtifactReference[];
  notes: string[];
  warnings: string[];
}

export function planDeploy(local: LocalArtifacts, factory: FactorySnapshot, options: DeployOptions = {}): DeployPlan {
  const now = options.now ?? new Date();
  const triggerStates = options.triggerStates ?? 'keep';
  const problems: DeployProblem[] = [...local.problems];
  const warnings: string[] = [];
  const notes: string[] = [...local.notes];

  const prepared = new Map<string, Prepared>();
  for (const artifact of local.artifacts) {
    const times =
      artifact.kind === 'trigger'
        ? triggerTimes(artifact.name, artifact.value)
        : { value: artifact.value, notes: [], warnings: [] };
    const wire = comparable(artifact.kind, times.value);
    prepared.set(artifactKey(artifact.kind, artifact.name), {
      local: artifact,
      key: artifactKey(artifact.kind, artifact.name),
      wire,
      references: referencesOf(wire),
      notes: times.notes,
      warnings: times.warnings,
    });
  }
  const remote = new Map<string, RemoteArtifact>();
  for (const artifact of factory.artifacts) remote.set(artifactKey(artifact.kind, artifact.name), artifact);

  // Deletes: what only the factory holds, unless something that stays still refers to it.
  const deletes = new Map<string, RemoteArtifact>();
  if (options.deleteMissing) {
    for (const [key, artifact] of remote) if (!prepared.has(key)) deletes.set(key, artifact);
    const keep = (key: string, because: string) => {
      const artifact = deletes.get(key);
      if (!artifact) return;
      deletes.delete(key);
      warnings.push(
        `${capitalized(describeArtifact(artifact.kind, artifact.name))} is not in the folder but is not deleted: ${because} refers to it.`,
      );
      for (const ref of referencesOf(artifact.value))
        keep(artifactKey(ref.kind, ref.name), describeArtifact(artifact.kind, artifact.name));
    };
    for (const p of prepared.values())
      for (const ref of p.references)
        keep(artifactKey(ref.kind, ref.name), describeArtifact(p.local.kind, p.local.name));
  }

  // References that nothing will satisfy.
  for (const p of prepared.values()) {
    for (const ref of p.references) {
      const key = artifactKey(ref.kind, ref.name);
      if (prepared.has(key) || (remote.has(key) && !deletes.has(key))) continue;
      problems.push({
        kind: p.local.kind,
        name: p.local.name,
        file: p.local.file,
        message:
          `${capitalized(describeArtifact(p.local.kind, p.local.name))} refers to ${describeArtifact(ref.kind, ref.name)} ` +
          `(${ref.at}), which is neither in the folder nor in the factory.`,
      });
    }
  }

  const changes = new Map<string, ArtifactChange>();
  for (const p of prepared.values()) changes.set(p.key, changeOf(p, remote.get(p.key), triggerStates, now));

  // The order of writes: by references among the folder's artifacts.
  const rank = (kind: DeployKind, name: string) => `${KIND_RANK.get(kind)}:${name.toLowerCase()}`;
  const putOrder = referenceOrder(
    [...prepared.values()].map(p => ({
      key: p.key,
      rank: rank(p.local.kind, p.local.name),
      refersTo: p.references.map(r => artifactKey(r.kind, r.name)),
    })),
  );
  for (const cycle of putOrder.cycles) {
    const names = cycle.map(key => describeArtifact(prepared.get(key)!.local.kind, prepared.get(key)!.local.name));
    const created = cycle.filter(
      key => changes.get(key)!.action === 'create' || changes.get(key)!.action === 'recreate',
    );
    const circle = `${names.join(' → ')} → ${names[0]}`;
    if (created.length > 0)
      problems.push({
        message:
          `${circle} refer to each other in a circle, and ${created.length === cycle.length ? 'none' : 'not all'} of them ` +
          `exist in the factory: Data Factory refuses an artifact whose references do not exist yet, in any order. Break the circle.`,
      });
    else
      warnings.push(
        `${circle} refer to each other in a circle; they all exist in the factory, so they are updated in place.`,
      );
  }
  // Deletes: whatever refers to an artifact goes before it (the reverse of the order of creation).
  const deleteOrder = referenceOrder(
    [...deletes.entries()].map(([key, a]) => ({
      key,
      rank: rank(a.kind, a.name),
      refersTo: referencesOf(a.value).map(r => artifactKey(r.kind, r.name)),
    })),
  ).order.reverse();
  for (const key of deleteOrder) changes.set(key, deleteOf(deletes.get(key)!));

  const ordered = [...putOrder.order, ...deleteOrder].map(key => changes.get(key)!);
  for (const change of ordered) {
    warnings.push(...change.warnings);
    notes.push(...change.notes);
  }

  const steps = stepsOf(ordered);
  const counts: Record<ChangeAction, number> = { create: 0, update: 0, recreate: 0, unchanged: 0, delete: 0 };
  for (const change of ordered) counts[change.action]++;
  return {
    changes: ordered,
    steps,
    problems,
    warnings: [...new Set(warnings)],
    notes: [...new Set(notes)],
    counts,
    upToDate: steps.length === 0,
  };
}

function changeOf(
  p: Prepared,
  remote: RemoteArtifact | undefined,
  triggerStates: 'keep' | 'source',
  now: Date,
): ArtifactChange {
  const { kind, name, file } = p.local;
  const after = artifactText(p.wire);
  const change: ArtifactChange = {
    kind,
    name,
    action: 'create',
    summary: 'new: not in the factory',
    differences: [],
    file,
    references: p.references,
    warnings: [...p.warnings],
    notes: [...p.notes],
  };
  if (!remote) {
    change.after = after;
    change.body = { properties: p.wire.properties! };
  } else {
    const theirs = comparable(kind, remote.value);
    const comparison = compareArtifacts(p.wire, theirs);
    if (comparison.maskedSecrets > 0)
      change.notes.push(
        `Secure strings in ${describeArtifact(kind, name)} cannot be read back from the factory: taken as unchanged.`,
      );
    change.differences = comparison.differences;
    const immutable = kind === 'trigger' ? tumblingWindowImmutableChanges(p.wire, theirs) : [];
    if (immutable.length > 0) {
      change.action = 'recreate';
      const fields = immutable.map(c => `${c.field} ${String(c.before)} → ${String(c.after)}`).join(', ');
      change.summary = `deleted and created again (${fields}: fixed once published); ${summarizeDifferences(comparison.differences)}`;
    } else if (comparison.differences.length > 0) {
      change.action = 'update';
      change.summary = summarizeDifferences(comparison.differences);
    } else {
      change.action = 'unchanged';
      change.summary = 'no change';
    }
    if (change.action !== 'unchanged') {
      change.before = artifactText(inOrderOf(theirs, p.wire) as JsonObject);
      change.after = after;
      change.body = { properties: p.wire.properties! };
    }
  }
  if (kind === 'trigger') change.trigger = triggerPlanOf(p, remote, change, triggerStates, now);
  return change;
}

function triggerPlanOf(
  p: Prepared,
  remote: RemoteArtifact | undefined,
  change: ArtifactChange,
  triggerStates: 'keep' | 'source',
  now: Date,
): TriggerPlan {
  const stateBefore = remote ? (runtimeStateOf(remote.value) ?? 'Stopped') : undefined;
  const inSource = runtimeStateOf(p.local.value) === 'Started' ? 'Started' : 'Stopped';
  const stateAfter =
    triggerStates === 'source' || !remote ? inSource : stateBefore === 'Started' ? 'Started' : 'Stopped';
  const running = stateBefore === 'Started';
  const written = change.action !== 'unchanged';
  // A Started trigger cannot be updated or deleted; one that ends Stopped is stopped whether or not it changes.
  const stop = running && (written || stateAfter === 'Stopped');
  const start = stateAfter === 'Started' && (!running || stop);
  const plan: TriggerPlan = {
    type: triggerTypeOf(p.wire),
    stateBefore,
    stateAfter,
    stop,
    subscribe: start && isEventTrigger(p.wire),
    start,
  };
  if (change.action === 'recreate') {
    const windows = windowsUntil(p.wire, now);
    const typeProperties = (p.wire.properties as JsonObject).typeProperties as JsonObject | undefined;
    const startTime = String(typeProperties?.startTime);
    const when = stateAfter === 'Started' ? 'as soon as it starts again after the deploy' : 'once it is started';
    change.warnings.push(
      `Trigger '${p.local.name}' (tumbling window) is deleted and created again: its startTime, frequency and interval ` +
        `cannot change after publish. The new trigger replays its windows from startTime ${startTime}` +
        (windows !== undefined ? ` (${windows} window${windows === 1 ? '' : 's'} up to now)` : '') +
        `, ${when}: each runs its pipeline again.`,
    );
  }
  return plan;
}

function deleteOf(artifact: RemoteArtifact): ArtifactChange {
  const change: ArtifactChange = {
    kind: artifact.kind,
    name: artifact.name,
    action: 'delete',
    summary: 'not in the folder: deleted from the factory',
    differences: [],
    before: artifactText(comparable(artifact.kind, artifact.value)),
    references: referencesOf(artifact.value),
    warnings: [],
    notes: [],
  };
  if (artifact.kind === 'trigger') {
    const stateBefore = runtimeStateOf(artifact.value) ?? 'Stopped';
    change.trigger = {
      type: triggerTypeOf(artifact.value),
      stateBefore,
      stateAfter: undefined,
      stop: stateBefore === 'Started',
      subscribe: false,
      start: false,
    };
  }
  return change;
}

/** Stops first, then the writes in order (a recreated trigger deleted just before its PUT), deletes, then starts. */
function stepsOf(changes: readonly ArtifactChange[]): DeployStep[] {
  const steps: DeployStep[] = [];
  for (const c of changes) if (c.trigger?.stop) steps.push({ op: 'stopTrigger', name: c.name });
  for (const c of changes) {
    if (c.action === 'recreate') steps.push({ op: 'delete', kind: c.kind, name: c.name });
    if (c.action === 'create' || c.action === 'update' || c.action === 'recreate')
      steps.push({ op: 'put', kind: c.kind, name: c.name });
  }
  for (const c of changes) if (c.action === 'delete') steps.push({ op: 'delete', kind: c.kind, name: c.name });
  for (const c of changes) {
    if (c.trigger?.subscribe) steps.push({ op: 'subscribeTrigger', name: c.name });
    if (c.trigger?.start) steps.push({ op: 'startTrigger', name: c.name });
  }
  return steps;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A step as a person reads it ("write pipeline pl_ingest", "stop trigger tr_daily"). */
export function stepText(step: DeployStep): string {
  switch (step.op) {
    case 'put':
      return `write ${step.kind} ${step.name}`;
    case 'delete':
      return `delete ${step.kind} ${step.name}`;
    case 'stopTrigger':
      return `stop trigger ${step.name}`;
    case 'startTrigger':
      return `start trigger ${step.name}`;
    case 'subscribeTrigger':
      return `subscribe trigger ${step.name} to its events`;
  }
}
