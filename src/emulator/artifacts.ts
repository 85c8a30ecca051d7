// A factory's artifacts (pipelines, datasets, linked services, triggers, …) as ADF keeps them:
// names case-insensitive but shown as first written, an etag per version, a trigger's runtime
// state kept by the service (never taken from the body), and a started trigger that cannot be
// changed or deleted until it is stopped.
import { randomUUID } from 'crypto';
import { ArmError, badRequest, isRecord, notFound } from './http';

/** The artifact kinds under a factory: the URL segment (lower case), the SDK's operation group and the ARM type. */
export const ARTIFACT_KINDS = {
  pipelines: { group: 'pipelines', type: 'pipelines', label: 'Pipeline' },
  datasets: { group: 'datasets', type: 'datasets', label: 'Dataset' },
  linkedservices: { group: 'linkedServices', type: 'linkedservices', label: 'Linked service' },
  triggers: { group: 'triggers', type: 'triggers', label: 'Trigger' },
  dataflows: { group: 'dataFlows', type: 'dataflows', label: 'Data flow' },
  integrationruntimes: { group: 'integrationRuntimes', type: 'integrationruntimes', label: 'Integration runtime' },
  credentials: { group: 'credentialOperations', type: 'credentials', label: 'Credential' },
  managedvirtualnetworks: {
    group: 'managedVirtualNetworks',
    type: 'managedVirtualNetworks',
    label: 'Managed virtual network',
  },
  globalparameters: { group: 'globalParameters', type: 'globalParameters', label: 'Global parameter' },
} as const;

export type ArtifactKind = keyof typeof ARTIFACT_KINDS;

export function artifactKindOf(segment: string): ArtifactKind | undefined {
  const lower = segment.toLowerCase();
  return Object.prototype.hasOwnProperty.call(ARTIFACT_KINDS, lower) ? (lower as ArtifactKind) : undefined;
}

/** The reference types that name another artifact of the factory, and the kind they name. */
const REFERENCE_KINDS: Record<string, ArtifactKind> = {
  LinkedServiceReference: 'linkedservices',
  DatasetReference: 'datasets',
  PipelineReference: 'pipelines',
  IntegrationRuntimeReference: 'integrationruntimes',
  DataFlowReference: 'dataflows',
  CredentialReference: 'credentials',
  ManagedVirtualNetworkReference: 'managedvirtualnetworks',
  TumblingWindowTriggerReference: 'triggers',
};

/** Always there, without being created. */
const BUILT_IN = new Set(['integrationruntimes/autoresolveintegrationruntime']);

/** The artifacts a body refers to by name (expressions, resolved only at run time, are not references yet). */
export function referencesOf(
  value: unknown,
  out: { kind: ArtifactKind; name: string }[] = [],
): { kind: ArtifactKind; name: string }[] {
  if (Array.isArray(value)) for (const v of value) referencesOf(v, out);
  else if (isRecord(value)) {
    const kind = typeof value['type'] === 'string' ? REFERENCE_KINDS[value['type']] : undefined;
    const name = value['referenceName'];
    if (kind && typeof name === 'string' && !name.startsWith('@')) out.push({ kind, name });
    for (const v of Object.values(value)) if (typeof v === 'object') referencesOf(v, out);
  }
  return out;
}

export interface Artifact {
  name: string;
  properties: Record<string, unknown>;
  etag: string;
  /** Emulator time of the last write. */
  changedAt: number;
}

export type TriggerRuntimeState = 'Started' | 'Stopped' | 'Disabled';
export type EventSubscriptionStatus = 'Enabled' | 'Provisioning' | 'Deprovisioning' | 'Disabled' | 'Unknown';

/** ADF's rule for names of pipelines, datasets, linked services, triggers and data flows. */
const ARTIFACT_NAME = /^[A-Za-z0-9_][^<>*#.%&:\\+?/]*$/;
const EVENT_TRIGGER_TYPES = new Set(['BlobEventsTrigger', 'CustomEventsTrigger']);

export function isEventTrigger(artifact: Artifact): boolean {
  return EVENT_TRIGGER_TYPES.has(String(artifact.properties['type']));
}

export class ArtifactStore {
  private readonly byKind = new Map<ArtifactKind, Map<string, Artifact>>();
  /** Per trigger (lower-case name): its runtime state and event subscription. */
  private readonly triggerState = new Map<
    string,
    { runtimeState: TriggerRuntimeState; subscription: EventSubscriptionStatus }
  >();

  /** validateReferences: refuse a PUT naming an artifact that does not exist, and a DELETE of one still named (as ADF does). */
  constructor(
    private readonly now: () => number,
    private readonly validateReferences = true,
  ) {}

  private checkReferences(kind: ArtifactKind, name: string, properties: Record<string, unknown>): void {
    for (const ref of referencesOf(properties)) {
      const self = ref.kind === kind && ref.name.toLowerCase() === name.toLowerCase();
      if (self || BUILT_IN.has(`${ref.kind}/${ref.name.toLowerCase()}`) || this.get(ref.kind, ref.name)) continue;
      throw badRequest(
        'BadRequest',
        `The document creation or update failed because of invalid reference '${ref.name}': ` +
          `${ARTIFACT_KINDS[ref.kind].label.toLowerCase()} '${ref.name}' does not exist in the factory (create it first).`,
      );
    }
  }

  /** Who still names this artifact (kind/name), for the refusal of its DELETE. */
  private referencedBy(kind: ArtifactKind, name: string): string | undefined {
    for (const [otherKind, table] of this.byKind)
      for (const other of table.values()) {
        if (otherKind === kind && other.name.toLowerCase() === name.toLowerCase()) continue;
        if (referencesOf(other.properties).some(r => r.kind === kind && r.name.toLowerCase() === name.toLowerCase()))
          return `${ARTIFACT_KINDS[otherKind].label.toLowerCase()} '${other.name}'`;
      }
    return undefined;
  }

  private table(kind: ArtifactKind): Map<string, Artifact> {
    let t = this.byKind.get(kind);
    if (!t) this.byKind.set(kind, (t = new Map()));
    return t;
  }

  get(kind: ArtifactKind, name: string): Artifact | undefined {
    return this.table(kind).get(name.toLowerCase());
  }

  /** The artifact or ADF's 404. */
  getOrThrow(kind: ArtifactKind, name: string): Artifact {
    const found = this.get(kind, name);
    if (!found) throw notFound('NotFound', `${ARTIFACT_KINDS[kind].label} '${name}' was not found.`);
    return found;
  }

  list(kind: ArtifactKind): Artifact[] {
    return [...this.table(kind).values()].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
  }

  /** PUT: create or replace; ifMatch is the If-Match header (an etag or *). */
  put(kind: ArtifactKind, name: string, body: unknown, ifMatch?: string): { artifact: Artifact; created: boolean } {
    checkName(kind, name);
    if (!isRecord(body) || !isRecord(body['properties']))
      throw badRequest(
        'BadRequest',
        `The request body of ${ARTIFACT_KINDS[kind].label.toLowerCase()} '${name}' must be an object with "properties".`,
      );
    const key = name.toLowerCase();
    const existing = this.table(kind).get(key);
    if (ifMatch && ifMatch !== '*' && (!existing || existing.etag !== ifMatch))
      throw new ArmError(
        412,
        'PreconditionFailed',
        `The etag '${ifMatch}' does not match ${existing ? `'${existing.etag}'` : 'any version'}.`,
      );
    const properties = { ...body['properties'] };
    if (kind === 'triggers') {
      const state = this.triggerState.get(key);
      if (state && state.runtimeState === 'Started') throw triggerEnabled();
      // The service owns runtimeState: a new trigger starts Stopped whatever the body says.
      delete properties['runtimeState'];
      if (!state) this.triggerState.set(key, { runtimeState: 'Stopped', subscription: 'Disabled' });
    }
    if (kind === 'pipelines') checkPipeline(name, properties);
    if (this.validateReferences) this.checkReferences(kind, name, properties);
    const artifact: Artifact = { name: existing?.name ?? name, properties, etag: newEtag(), changedAt: this.now() };
    this.table(kind).set(key, artifact);
    return { artifact, created: !existing };
  }

  /** DELETE: true when it existed (ARM answers 200), false when not (204). */
  delete(kind: ArtifactKind, name: string): boolean {
    const key = name.toLowerCase();
    if (kind === 'triggers' && this.triggerState.get(key)?.runtimeState === 'Started') throw triggerEnabled();
    const user = this.validateReferences && this.table(kind).has(key) ? this.referencedBy(kind, name) : undefined;
    if (user) throw badRequest('BadRequest', `The document cannot be deleted since it is referenced by ${user}.`);
    const existed = this.table(kind).delete(key);
    if (kind === 'triggers') this.triggerState.delete(key);
    return existed;
  }

  triggerRuntimeState(name: string): TriggerRuntimeState {
    return this.triggerState.get(name.toLowerCase())?.runtimeState ?? 'Stopped';
  }

  setTriggerRuntimeState(name: string, state: TriggerRuntimeState): void {
    const entry = this.triggerState.get(name.toLowerCase());
    if (entry) entry.runtimeState = state;
  }

  eventSubscription(name: string): EventSubscriptionStatus {
    return this.triggerState.get(name.toLowerCase())?.subscription ?? 'Disabled';
  }

  setEventSubscription(name: string, status: EventSubscriptionStatus): void {
    const entry = this.triggerState.get(name.toLowerCase());
    if (entry) entry.subscription = status;
  }

  /** Every artifact, for the control API and the state of a test. */
  snapshot(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [kind, table] of this.byKind) if (table.size > 0) out[kind] = [...table.values()].map(a => a.name);
    return out;
  }
}

function triggerEnabled(): ArmError {
  return badRequest(
    'TriggerEnabledCannotUpdate',
    'Cannot update enabled Trigger; the trigger needs to be disabled first. ',
  );
}

function newEtag(): string {
  return `"${randomUUID()}"`;
}

function checkName(kind: ArtifactKind, name: string): void {
  const label = ARTIFACT_KINDS[kind].label;
  if (name.length === 0 || name.length > 260 || !ARTIFACT_NAME.test(name))
    throw badRequest(
      'InvalidResourceName',
      `${label} name '${name}' is not valid: 1 to 260 characters, starting with a letter, digit or _, without any of < > * # . % & : \\ + ? /.`,
    );
}

/** The checks ADF makes on a pipeline when it is saved (those the run simulation relies on). */
function checkPipeline(name: string, properties: Record<string, unknown>): void {
  const activities = properties['activities'];
  if (activities !== undefined && !Array.isArray(activities))
    throw badRequest('BadRequest', `Pipeline '${name}': "activities" must be an array.`);
  const names = new Set<string>();
  for (const a of (activities as unknown[] | undefined) ?? []) {
    if (!isRecord(a) || typeof a['name'] !== 'string' || typeof a['type'] !== 'string')
      throw badRequest('BadRequest', `Pipeline '${name}': every activity needs a "name" and a "type".`);
    names.add(a['name'].toLowerCase());
  }
  for (const a of (activities as Record<string, unknown>[] | undefined) ?? []) {
    for (const d of Array.isArray(a['dependsOn']) ? a['dependsOn'] : []) {
      const target = isRecord(d) ? d['activity'] : undefined;
      if (typeof target !== 'string' || !names.has(target.toLowerCase()))
        throw badRequest(
          'BadRequest',
          `Pipeline '${name}': activity '${String(a['name'])}' depends on '${String(target)}', which is not an activity of the pipeline.`,
        );
    }
  }
  const concurrency = properties['concurrency'];
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || (concurrency as number) < 1))
    throw badRequest('BadRequest', `Pipeline '${name}': "concurrency" must be a whole number of at least 1.`);
}
