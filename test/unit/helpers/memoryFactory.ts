// A Data Factory in memory behind the deploy's FactoryApi port, keeping the service's rules that a
// deploy must respect (so a test fails when the deploy breaks one): a PUT whose references do not
// exist is refused, as is the update or delete of a Started trigger, a change of a tumbling-window
// trigger's startTime, frequency or interval, the delete of an artifact something refers to, and the
// start of an event trigger whose subscription is not Enabled. Answers look like ARM's (id, etag,
// type added, keys in another order). Faults can be injected per call.
import type { JsonObject } from '../../../src/core/adf/generate/adfJson';
import {
  artifactKey,
  referencesOf,
  type DeployKind,
  type EventSubscriptionStatus,
  type FactoryApi,
} from '../../../src/core/deploy';

export type Call =
  | { op: 'list'; kind: DeployKind }
  | { op: 'put' | 'delete'; kind: DeployKind; name: string }
  | { op: 'stop' | 'start' | 'subscribe' | 'status'; name: string };

const ARM_TYPE: Record<DeployKind, string> = {
  integrationRuntime: 'integrationruntimes',
  credential: 'credentials',
  linkedService: 'linkedservices',
  dataset: 'datasets',
  dataflow: 'dataflows',
  pipeline: 'pipelines',
  trigger: 'triggers',
};

export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export class MemoryFactory implements FactoryApi {
  readonly calls: Call[] = [];
  private readonly store = new Map<string, { kind: DeployKind; value: JsonObject }>();
  private readonly subscriptions = new Map<string, { status: EventSubscriptionStatus; pollsLeft: number }>();
  private readonly faults: { match: (call: Call) => boolean; error: Error; times: number }[] = [];
  private etag = 0;

  /** How many status looks an event subscription stays Provisioning. */
  provisioningPolls = 2;

  /** Seeds an artifact as the factory would hold it (no rules checked). */
  seed(kind: DeployKind, value: JsonObject, runtimeState?: 'Started' | 'Stopped'): void {
    const name = value.name as string;
    const properties = structuredClone(value.properties as JsonObject);
    if (kind === 'trigger') properties.runtimeState = runtimeState ?? 'Stopped';
    this.store.set(artifactKey(kind, name), { kind, value: this.armShape(kind, name, properties) });
  }

  /** The next call matching makes this error (times: how many calls in a row). */
  failOn(match: (call: Call) => boolean, error: Error, times = 1): void {
    this.faults.push({ match, error, times });
  }

  get(kind: DeployKind, name: string): JsonObject | undefined {
    return this.store.get(artifactKey(kind, name))?.value;
  }

  stateOf(trigger: string): string | undefined {
    return (this.get('trigger', trigger)?.properties as JsonObject | undefined)?.runtimeState as string | undefined;
  }

  /** Calls that change the factory. */
  writes(): Call[] {
    return this.calls.filter(c => c.op !== 'list' && c.op !== 'status');
  }

  private record(call: Call): void {
    this.calls.push(call);
    const fault = this.faults.find(f => f.times > 0 && f.match(call));
    if (fault) {
      fault.times--;
      throw fault.error;
    }
  }

  private armShape(kind: DeployKind, name: string, properties: JsonObject): JsonObject {
    // ARM's order: id, name, type, properties, etag; the properties' keys sorted (another order than the files').
    const sorted: JsonObject = {};
    for (const key of Object.keys(properties).sort()) sorted[key] = properties[key]!;
    return {
      id: `/subscriptions/sub/resourceGroups/rg/providers/Microsoft.DataFactory/factories/df/${ARM_TYPE[kind]}/${name}`,
      name,
      type: `Microsoft.DataFactory/factories/${ARM_TYPE[kind]}`,
      properties: sorted,
      etag: `"${(++this.etag).toString(16).padStart(8, '0')}-0000"`,
    };
  }

  async list(kind: DeployKind): Promise<JsonObject[]> {
    this.record({ op: 'list', kind });
    return [...this.store.values()].filter(e => e.kind === kind).map(e => structuredClone(e.value));
  }

  async put(kind: DeployKind, name: string, body: JsonObject): Promise<void> {
    this.record({ op: 'put', kind, name });
    const properties = structuredClone(body.properties as JsonObject);
    for (const ref of referencesOf(properties)) {
      if (ref.kind === kind && ref.name.toLowerCase() === name.toLowerCase()) continue;
      if (!this.store.has(artifactKey(ref.kind, ref.name)))
        throw new ServiceError('BadRequest', `The referenced ${ref.kind} '${ref.name}' of '${name}' does not exist.`);
    }
    const existing = this.store.get(artifactKey(kind, name))?.value;
    let state = 'Stopped';
    if (kind === 'trigger' && existing) {
      const old = existing.properties as JsonObject;
      state = old.runtimeState as string;
      if (state === 'Started')
        throw new ServiceError('TriggerEnabledCannotUpdate', `Cannot update enabled Trigger '${name}'; stop it first.`);
      if (old.type === 'TumblingWindowTrigger') {
        const before = old.typeProperties as JsonObject;
        const after = properties.typeProperties as JsonObject;
        for (const field of ['startTime', 'frequency', 'interval'])
          if (
            String(before[field]) !== String(after[field]) &&
            Date.parse(String(before[field])) !== Date.parse(String(after[field]))
          )
            throw new ServiceError(
              'BadRequest',
              `Tumbling window trigger '${name}': ${field} cannot be changed after it is published.`,
            );
      }
    }
    if (kind === 'trigger') properties.runtimeState = state;
    this.store.set(artifactKey(kind, name), {
      kind,
      value: this.armShape(kind, existing ? (existing.name as string) : name, properties),
    });
  }

  async delete(kind: DeployKind, name: string): Promise<void> {
    this.record({ op: 'delete', kind, name });
    const key = artifactKey(kind, name);
    const existing = this.store.get(key);
    if (!existing) return;
    if (kind === 'trigger' && (existing.value.properties as JsonObject).runtimeState === 'Started')
      throw new ServiceError('TriggerEnabledCannotDelete', `Cannot delete enabled Trigger '${name}'; stop it first.`);
    for (const [other, entry] of this.store) {
      if (other === key) continue;
      if (referencesOf(entry.value.properties).some(r => artifactKey(r.kind, r.name) === key))
        throw new ServiceError(
          'BadRequest',
          `'${name}' cannot be deleted: '${entry.value.name as string}' refers to it.`,
        );
    }
    this.store.delete(key);
    this.subscriptions.delete(key);
  }

  private triggerProperties(name: string): JsonObject {
    const entry = this.store.get(artifactKey('trigger', name));
    if (!entry) throw new ServiceError('NotFound', `Trigger '${name}' does not exist.`);
    return entry.value.properties as JsonObject;
  }

  async stopTrigger(name: string): Promise<void> {
    this.record({ op: 'stop', name });
    this.triggerProperties(name).runtimeState = 'Stopped';
  }

  async startTrigger(name: string): Promise<void> {
    this.record({ op: 'start', name });
    const properties = this.triggerProperties(name);
    if (properties.type === 'BlobEventsTrigger' || properties.type === 'CustomEventsTrigger') {
      const status = this.subscriptions.get(artifactKey('trigger', name))?.status;
      if (status !== 'Enabled')
        throw new ServiceError(
          'BadRequest',
          `Trigger '${name}': its event subscription is ${status ?? 'missing'}; subscribe first.`,
        );
    }
    properties.runtimeState = 'Started';
  }

  async subscribeTriggerToEvents(name: string): Promise<EventSubscriptionStatus> {
    this.record({ op: 'subscribe', name });
    this.triggerProperties(name);
    const subscription = { status: 'Provisioning' as EventSubscriptionStatus, pollsLeft: this.provisioningPolls };
    if (subscription.pollsLeft === 0) subscription.status = 'Enabled';
    this.subscriptions.set(artifactKey('trigger', name), subscription);
    return subscription.status;
  }

  async eventSubscriptionStatus(name: string): Promise<EventSubscriptionStatus> {
    this.record({ op: 'status', name });
    const subscription = this.subscriptions.get(artifactKey('trigger', name));
    if (!subscription) return 'Disabled';
    if (subscription.status === 'Provisioning' && --subscription.pollsLeft <= 0) subscription.status = 'Enabled';
    return subscription.status;
  }
}
