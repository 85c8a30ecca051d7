// A local artifact against the factory's, compared for what it means: the factory's answer adds id,
// etag and type, keeps its own key order, returns a trigger's runtimeState and a publish time, may
// drop or add empty collections, writes the same instant in another form, and never returns a
// secure string. Only the name (letter case aside) and the properties count.
import { formatAdfJson, type JsonObject, type JsonValue } from '../adf/generate/adfJson';
import { isJsonObject, type DeployKind } from './artifacts';

export type DifferenceKind = 'added' | 'removed' | 'changed' | 'reordered';

/** One place where the folder and the factory differ (added: only in the folder; removed: only in the factory). */
export interface Difference {
  path: string;
  change: DifferenceKind;
}

/** What the factory manages itself in an artifact's properties: never sent, never compared. */
function serviceOwned(kind: DeployKind): string[] {
  if (kind === 'trigger') return ['lastPublishTime', 'runtimeState'];
  if (kind === 'integrationRuntime') return ['lastPublishTime', 'state'];
  return ['lastPublishTime'];
}

/** ADF's mask for a secure string it will not return. */
export const MASKED_SECRET = '**********';

/** The artifact as a deploy compares and sends it: `{name, properties}`, without what the factory owns. */
export function comparable(kind: DeployKind, value: JsonObject): JsonObject {
  const properties = isJsonObject(value.properties) ? { ...value.properties } : {};
  for (const key of serviceOwned(kind)) delete properties[key];
  return { name: typeof value.name === 'string' ? value.name : '', properties };
}

export interface Comparison {
  differences: Difference[];
  /** Secure strings the factory masks, taken as unchanged (their values cannot be read back). */
  maskedSecrets: number;
}

/** How the local artifact differs from the factory's (both as `comparable` makes them). */
export function compareArtifacts(local: JsonObject, remote: JsonObject): Comparison {
  const result: Comparison = { differences: [], maskedSecrets: 0 };
  diff(local.properties ?? {}, remote.properties ?? {}, 'properties', result);
  return result;
}

const MAX_SUMMARY_PATHS = 4;

/** A short line for a person: what changed, where. */
export function summarizeDifferences(differences: readonly Difference[]): string {
  if (differences.length === 0) return 'no change';
  const words: Record<DifferenceKind, string> = {
    changed: 'changed',
    added: 'added',
    removed: 'removed',
    reordered: 'in another order',
  };
  const shown = differences.slice(0, MAX_SUMMARY_PATHS).map(d => `${d.path} ${words[d.change]}`);
  const more = differences.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

function diff(local: unknown, remote: unknown, at: string, out: Comparison): void {
  if (local === remote) return;
  if (isMaskedSecret(remote) && isSecureString(local)) {
    out.maskedSecrets++;
    return;
  }
  if (Array.isArray(local) && Array.isArray(remote)) return diffArrays(local, remote, at, out);
  if (isJsonObject(local) && isJsonObject(remote)) {
    for (const key of Object.keys(local)) {
      const l = local[key];
      const r = remote[key];
      const place = childPath(at, key);
      if (l === undefined) continue;
      if (r === undefined) {
        if (!isEmptyCollection(l)) out.differences.push({ path: place, change: 'added' });
      } else diff(l, r, place, out);
    }
    for (const key of Object.keys(remote)) {
      if (local[key] !== undefined || remote[key] === undefined) continue;
      if (!isEmptyCollection(remote[key])) out.differences.push({ path: childPath(at, key), change: 'removed' });
    }
    return;
  }
  if (sameInstant(local, remote)) return;
  out.differences.push({ path: at, change: 'changed' });
}

function diffArrays(local: unknown[], remote: unknown[], at: string, out: Comparison): void {
  const localNames = namesOf(local);
  const remoteNames = namesOf(remote);
  if (localNames && remoteNames) {
    // Activities, parameters lists, sources and sinks: matched by name, so one inserted activity is one difference.
    const remoteByName = new Map(remote.map((item, i) => [remoteNames[i]!.toLowerCase(), item]));
    const localSet = new Set(localNames.map(n => n.toLowerCase()));
    const before = out.differences.length;
    local.forEach((item, i) => {
      const name = localNames[i]!;
      const place = `${at}[${quote(name)}]`;
      const other = remoteByName.get(name.toLowerCase());
      if (other === undefined) out.differences.push({ path: place, change: 'added' });
      else diff(item, other, place, out);
    });
    remote.forEach((_, i) => {
      const name = remoteNames[i]!;
      if (!localSet.has(name.toLowerCase())) out.differences.push({ path: `${at}[${quote(name)}]`, change: 'removed' });
    });
    const sameOrder = localNames.every((n, i) => remoteNames[i]?.toLowerCase() === n.toLowerCase());
    if (out.differences.length === before && !sameOrder) out.differences.push({ path: at, change: 'reordered' });
    return;
  }
  if (local.length !== remote.length) {
    out.differences.push({ path: at, change: 'changed' });
    return;
  }
  local.forEach((item, i) => diff(item, remote[i], `${at}[${i}]`, out));
}

/** The items' names when every item is an object with a distinct string name (else undefined). */
function namesOf(items: unknown[]): string[] | undefined {
  if (items.length === 0) return undefined;
  const names: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (!isJsonObject(item) || typeof item.name !== 'string') return undefined;
    const lower = item.name.toLowerCase();
    if (seen.has(lower)) return undefined;
    seen.add(lower);
    names.push(item.name);
  }
  return names;
}

/** An absent key and an empty list or object mean the same to ADF (the service drops or adds them). */
function isEmptyCollection(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return isJsonObject(value) && Object.keys(value).length === 0;
}

function isSecureString(value: unknown): boolean {
  return isJsonObject(value) && value.type === 'SecureString';
}

function isMaskedSecret(value: unknown): boolean {
  return isSecureString(value) && (value as JsonObject).value === MASKED_SECRET;
}

const INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)$/;

/** Two times with a zone that name the same instant (2024-01-01T00:00:00Z and 2024-01-01T00:00:00.000Z). */
export function sameInstant(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || !INSTANT.test(a) || !INSTANT.test(b)) return false;
  const ta = Date.parse(a);
  return !Number.isNaN(ta) && ta === Date.parse(b);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function childPath(at: string, key: string): string {
  return IDENTIFIER.test(key) ? `${at}.${key}` : `${at}[${quote(key)}]`;
}

function quote(name: string): string {
  return `'${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The factory's artifact in the local one's key order (its own keys after), so a diff editor shows
 * what differs and not how ARM orders keys; array items are matched by name where they have names.
 */
export function inOrderOf(value: unknown, model: unknown): JsonValue {
  if (Array.isArray(value)) {
    if (!Array.isArray(model)) return value as JsonValue;
    const modelNames = namesOf(model);
    const byName = modelNames ? new Map(model.map((m, i) => [modelNames[i]!.toLowerCase(), m])) : undefined;
    return value.map((item, i) =>
      inOrderOf(
        item,
        byName && isJsonObject(item) && typeof item.name === 'string' ? byName.get(item.name.toLowerCase()) : model[i],
      ),
    );
  }
  if (!isJsonObject(value)) return value as JsonValue;
  if (!isJsonObject(model)) return value;
  const ordered: JsonObject = {};
  for (const key of Object.keys(model)) if (value[key] !== undefined) ordered[key] = inOrderOf(value[key], model[key]);
  for (const key of Object.keys(value)) if (!(key in ordered)) ordered[key] = value[key]!;
  return ordered;
}

/** The text a diff editor shows for one side: ADF Studio's formatting. */
export function artifactText(value: JsonObject): string {
  return formatAdfJson(value);
}
