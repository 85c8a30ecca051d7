// `databricks bundle plan -o json` (direct engine, plan_version 2), read into what a reviewer
// needs: per resource, the action and the changed fields. `bundle deploy --plan FILE` then applies
// exactly the plan that was reviewed.

export type BundleAction = 'skip' | 'resize' | 'update' | 'update_id' | 'create' | 'recreate' | 'delete';
const ACTIONS = new Set<string>(['skip', 'resize', 'update', 'update_id', 'create', 'recreate', 'delete']);

export interface BundleFieldChange {
  field: string;
  action: string;
  reason?: string;
  old?: unknown;
  new?: unknown;
  remote?: unknown;
}

export interface BundlePlanEntry {
  /** `resources.pipelines.gold` or `resources.pipelines.gold.permissions`. */
  key: string;
  /** `pipelines`, `jobs`, `schemas`, … */
  kind: string;
  name: string;
  /** `permissions` or `grants` for a resource's child entry. */
  child?: string;
  action: BundleAction;
  /** A delete of something already gone remotely: only the state forgets it. */
  gone: boolean;
  changes: BundleFieldChange[];
  newState?: unknown;
  remoteState?: unknown;
}

export interface BundlePlanCounts {
  add: number;
  change: number;
  delete: number;
  unchanged: number;
}

export interface BundlePlan {
  cliVersion?: string;
  entries: BundlePlanEntry[];
  counts: BundlePlanCounts;
}

export class BundlePlanError extends Error {}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Splits `resources.<kind>.<name>[.<child>]`; names with dots come quoted in brackets (`resources.jobs["a.b"]`). */
function splitKey(key: string): { kind: string; name: string; child?: string } {
  const bracket = /^resources\.([\w-]+)\[(["'])(.*)\2\](?:\.(\w+))?$/.exec(key);
  if (bracket) return { kind: bracket[1]!, name: bracket[3]!, child: bracket[4] };
  const parts = key.split('.');
  if (parts[0] === 'resources' && parts.length >= 3)
    return { kind: parts[1]!, name: parts[2]!, child: parts.length > 3 ? parts.slice(3).join('.') : undefined };
  return { kind: '', name: key };
}

/** Reads the CLI's plan JSON (its stdout); a clear error for anything else (an older CLI, a truncated output). */
export function parseBundlePlan(stdout: string): BundlePlan {
  const start = stdout.indexOf('{');
  if (start < 0) throw new BundlePlanError('the Databricks CLI printed no plan (no JSON on its output)');
  let raw: unknown;
  try {
    raw = JSON.parse(stdout.slice(start));
  } catch (e) {
    throw new BundlePlanError(`the Databricks CLI's plan is not JSON: ${(e as Error).message}`);
  }
  if (!isRecord(raw)) throw new BundlePlanError("the Databricks CLI's plan is not a JSON object");
  if (raw.plan_version !== undefined && raw.plan_version !== 2)
    throw new BundlePlanError(
      `the Databricks CLI's plan has version ${String(raw.plan_version)}; this version of Lakehouse Workbench reads version 2 ` +
        '(Databricks CLI 0.27x–1.x)',
    );
  const plan = raw.plan === undefined ? {} : raw.plan;
  if (!isRecord(plan)) throw new BundlePlanError("the Databricks CLI's plan has no 'plan' object");
  const entries: BundlePlanEntry[] = [];
  for (const [key, value] of Object.entries(plan)) {
    if (!isRecord(value)) continue;
    const action =
      typeof value.action === 'string' && ACTIONS.has(value.action) ? (value.action as BundleAction) : undefined;
    if (!action)
      throw new BundlePlanError(`the plan's entry ${key} has an unknown action ${JSON.stringify(value.action)}`);
    const changes: BundleFieldChange[] = isRecord(value.changes)
      ? Object.entries(value.changes)
          .filter((c): c is [string, Record<string, unknown>] => isRecord(c[1]))
          .map(([field, c]) => ({
            field,
            action: String(c.action ?? ''),
            ...(typeof c.reason === 'string' ? { reason: c.reason } : {}),
            ...('old' in c ? { old: c.old } : {}),
            ...('new' in c ? { new: c.new } : {}),
            ...('remote' in c ? { remote: c.remote } : {}),
          }))
          .sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0))
      : [];
    const newState = isRecord(value.new_state) && 'value' in value.new_state ? value.new_state.value : value.new_state;
    entries.push({
      key,
      ...splitKey(key),
      action,
      gone: value.gone === true,
      changes,
      ...(newState !== undefined ? { newState } : {}),
      ...(value.remote_state !== undefined ? { remoteState: value.remote_state } : {}),
    });
  }
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    ...(typeof raw.cli_version === 'string' ? { cliVersion: raw.cli_version } : {}),
    entries,
    counts: countActions(entries),
  };
}

/** As the CLI counts them: a recreate is a delete and an add. */
export function countActions(entries: readonly BundlePlanEntry[]): BundlePlanCounts {
  const counts: BundlePlanCounts = { add: 0, change: 0, delete: 0, unchanged: 0 };
  for (const e of entries) {
    if (e.action === 'create') counts.add++;
    else if (e.action === 'update' || e.action === 'update_id' || e.action === 'resize') counts.change++;
    else if (e.action === 'delete') counts.delete++;
    else if (e.action === 'recreate') {
      counts.add++;
      counts.delete++;
    } else counts.unchanged++;
  }
  return counts;
}

export const bundlePlanHasChanges = (plan: BundlePlan): boolean =>
  plan.counts.add + plan.counts.change + plan.counts.delete > 0;

export function bundlePlanSummary(plan: BundlePlan): string {
  const c = plan.counts;
  return `${c.add} to add, ${c.change} to change, ${c.delete} to delete, ${c.unchanged} unchanged`;
}

const VERB: Record<BundleAction, string> = {
  skip: 'unchanged',
  resize: 'resize',
  update: 'update',
  update_id: 'update (new id)',
  create: 'create',
  recreate: 'recreate',
  delete: 'delete',
};

/** `create pipelines.spotify_lakehouse_gold`, `update schemas.gold.grants (comment)`. */
export function bundleEntryText(e: BundlePlanEntry): string {
  const name = e.kind ? `${e.kind}.${e.name}${e.child ? `.${e.child}` : ''}` : e.key;
  const fields =
    e.action === 'update' || e.action === 'update_id' || e.action === 'resize' || e.action === 'recreate'
      ? e.changes.filter(c => c.action !== 'skip').map(c => c.field)
      : [];
  const shown = fields.length ? ` (${fields.slice(0, 4).join(', ')}${fields.length > 4 ? ', …' : ''})` : '';
  return `${VERB[e.action]} ${name}${shown}${e.gone ? ' (already gone)' : ''}`;
}

/** Sets `a.b[2].c` in a JSON value (creating what is missing); a path it cannot follow is left alone. */
function setPath(target: unknown, fieldPath: string, value: unknown): void {
  const keys = fieldPath.match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let node = target;
  for (let i = 0; i < keys.length; i++) {
    const raw = keys[i]!;
    const key: string | number = raw.startsWith('[') ? Number(raw.slice(1, -1)) : raw;
    if (typeof node !== 'object' || node === null) return;
    const container = node as Record<string | number, unknown>;
    if (i === keys.length - 1) {
      if (value === undefined) delete container[key];
      else container[key] = value;
      return;
    }
    if (container[key] === undefined)
      container[key] = typeof keys[i + 1] === 'string' && keys[i + 1]!.startsWith('[') ? [] : {};
    node = container[key];
  }
}

/**
 * What the reviewer sees side by side for one entry. For an update, the workspace's side is the
 * bundle's state with each changed field put back to its remote value, so the diff shows the
 * changes and not the server's own fields (ids, owners, timestamps).
 */
export function bundleEntrySides(e: BundlePlanEntry): { before: string; after: string } {
  const text = (v: unknown): string => (v === undefined ? '' : `${JSON.stringify(v, null, 2)}\n`);
  if (e.action === 'create') return { before: '', after: text(e.newState) };
  if (e.action === 'delete') return { before: text(e.remoteState), after: '' };
  const before = e.newState === undefined ? undefined : (JSON.parse(JSON.stringify(e.newState)) as unknown);
  if (before !== undefined)
    for (const c of e.changes) if (c.action !== 'skip') setPath(before, c.field, 'remote' in c ? c.remote : c.old);
  return { before: text(before ?? e.remoteState), after: text(e.newState) };
}
