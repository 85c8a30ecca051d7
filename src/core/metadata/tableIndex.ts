import type { LakehouseMetadata, SourceSystem, Table } from './model';
import { keysOf, TableResolver, type TableLookup } from './semanticRules';

/** Versions are unique across indexes: a version names one index in one state. */
let versions = 0;
/** States are unique across indexes too: a state names one index after one update. */
let states = 0;
/** How many updates back an index can tell which keys changed (older states: "everything may have"). */
const LOG_LENGTH = 32;

/**
 * The tables of a project by every spelling a reference may use, kept from one load to the next:
 * a source system of an unchanged file is the same object, so a load adds and removes the tables
 * of the systems that came and went instead of indexing every table again (a keystroke at 10,000
 * tables re-indexes the 50 of the edited file). Resolves as a TableResolver over meta.tables does.
 */
export class TableIndex {
  private readonly systems = new Map<SourceSystem, number>();
  /** Every spelling (lower-cased name, schema.name, system.schema.name) to its table(s), in no order. */
  private readonly byKey = new Map<string, Table | Table[] | undefined>();
  private readonly fullKeyCount = new Map<string, number>();
  /**
   * Keys whose tables went (undefined in byKey, 0 in fullKeyCount): kept, because a keystroke
   * removes a file's keys and adds them back, and a Map with deleted entries rehashes its whole
   * table (megabytes at 10,000 tables, for the editor's thread to collect). Compacted when they
   * outnumber the others.
   */
  private vacant = 0;
  /** Full keys (system.schema.table) declared more than once. */
  private duplicates = 0;
  private readonly positions = new WeakMap<Table, { system: SourceSystem; index: number }>();
  private order = new Map<SourceSystem, number>();
  private version = ++versions;
  /** An update was left unfinished (its load was superseded at a pause): the next one starts a new version. */
  private unfinished = false;
  /** The keys each recent update added or removed tables under (all three spellings), by state; oldest first. */
  private readonly log: { state: number; keys: Set<string> }[] = [];
  private sources: readonly SourceSystem[] = [];
  /** The current update's log entry's keys (undefined: not needed, see update). */
  private changed: Set<string> | undefined;

  /**
   * Brings the index up to date with meta and returns the lookup of this load: the index itself
   * when meta.tables are the systems' tables in order (as mergeFragments makes them) and no table
   * is declared twice, otherwise a TableResolver over meta.tables (and bySystem false). pause() is
   * awaited between systems (a first load indexes every table); the index is consistent at each.
   */
  async update(meta: LakehouseMetadata, pause?: () => Promise<void>): Promise<TableLookup> {
    // Indexed loops: this runs on every keystroke, over every table.
    const all = meta.tables;
    let offset = 0;
    for (const system of meta.sources) {
      const tables = system.tables;
      for (let i = 0; i < tables.length; i++) if (all[offset++] !== tables[i]) return new TableResolver(all);
    }
    if (offset !== all.length) return new TableResolver(all);
    const next = new Map<SourceSystem, number>();
    for (const system of meta.sources) next.set(system, (next.get(system) ?? 0) + 1);
    // Whether a schema.name key names a table, before this update, for the keys it touches.
    const touched = new Map<string, boolean>();
    if (this.unfinished) this.version = ++versions;
    this.unfinished = true;
    // The keys this update changes, logged as it goes (an update superseded at a pause has logged what it did).
    const entry = { state: ++states, keys: new Set<string>() };
    // Systems in another order resolve ambiguous names in another order: nothing is known to be unchanged.
    if (!replacedInPlace(this.sources, meta.sources)) this.log.length = 0;
    this.sources = meta.sources;
    // An entry's keys answer questions from earlier states: the first entry's (a first load's 30,000) none.
    this.changed = this.log.length ? entry.keys : undefined;
    this.log.push(entry);
    if (this.log.length > LOG_LENGTH) this.log.shift();
    for (const [system, n] of [...this.systems]) {
      const delta = (next.get(system) ?? 0) - n;
      for (let i = delta; i < 0; i++) this.remove(system, touched);
      if (delta < 0) {
        if (n + delta > 0) this.systems.set(system, n + delta);
        else this.systems.delete(system);
      }
    }
    for (const [system, n] of next) {
      const delta = n - (this.systems.get(system) ?? 0);
      if (delta <= 0) continue;
      for (let i = 0; i < delta; i++) this.add(system, touched);
      this.systems.set(system, n);
      await pause?.();
    }
    this.unfinished = false;
    if (this.vacant > 1024 && this.vacant > (this.byKey.size + this.fullKeyCount.size) / 2) this.compact();
    for (const [key, had] of touched) {
      if (this.declares(key) !== had) {
        this.version = ++versions;
        break;
      }
    }
    if (this.duplicates > 0) return new TableResolver(meta.tables);
    this.order = new Map(meta.sources.map((s, i) => [s, i]));
    const names = lazy(() => new TableResolver(meta.tables).names());
    const state = entry.state;
    return {
      bySystem: true,
      keysVersion: this.version,
      resolve: reference => this.resolve(reference),
      names,
      declares: key => this.declares(key),
      owner: this,
      state,
      changedSince: earlier => this.changedSince(earlier, state),
    };
  }

  private compact(): void {
    for (const [key, found] of this.byKey) if (found === undefined) this.byKey.delete(key);
    for (const [key, count] of this.fullKeyCount) if (count === 0) this.fullKeyCount.delete(key);
    this.vacant = 0;
  }

  /** The keys under which tables came or went after state `earlier` up to `now`, or undefined when that is not known. */
  private changedSince(earlier: number, now: number): ReadonlySet<string> | undefined {
    const from = this.log.findIndex(e => e.state === earlier);
    const to = this.log.findIndex(e => e.state === now);
    if (from === -1 || to === -1 || to < from) return undefined;
    const keys = new Set<string>();
    for (let i = from + 1; i <= to; i++) for (const key of (this.log[i] as { keys: Set<string> }).keys) keys.add(key);
    return keys;
  }

  private add(system: SourceSystem, touched: Map<string, boolean>): void {
    system.tables.forEach((table, index) => {
      this.positions.set(table, { system, index });
      const keys = keysOf(table);
      const full = keys[2] as string;
      const count = (this.fullKeyCount.get(full) ?? 0) + 1;
      if (count === 1 && this.fullKeyCount.has(full)) this.vacant--;
      this.fullKeyCount.set(full, count);
      if (count === 2) this.duplicates++;
      if (!touched.has(keys[1] as string)) touched.set(keys[1] as string, this.declares(keys[1] as string));
      for (const key of keys) {
        this.changed?.add(key);
        const found = this.byKey.get(key);
        if (found === undefined) {
          if (this.byKey.has(key)) this.vacant--;
          this.byKey.set(key, table);
        } else if (Array.isArray(found)) found.push(table);
        else this.byKey.set(key, [found, table]);
      }
    });
  }

  private remove(system: SourceSystem, touched: Map<string, boolean>): void {
    for (const table of system.tables) {
      const keys = keysOf(table);
      const full = keys[2] as string;
      const count = (this.fullKeyCount.get(full) ?? 0) - 1;
      this.fullKeyCount.set(full, Math.max(count, 0));
      if (count === 0) this.vacant++;
      if (count === 1) this.duplicates--;
      if (!touched.has(keys[1] as string)) touched.set(keys[1] as string, this.declares(keys[1] as string));
      for (const key of keys) {
        this.changed?.add(key);
        const found = this.byKey.get(key);
        if (found === table) {
          this.byKey.set(key, undefined);
          this.vacant++;
        } else if (Array.isArray(found)) {
          const i = found.indexOf(table);
          if (i >= 0) found.splice(i, 1);
          if (found.length === 1) this.byKey.set(key, found[0] as Table);
        }
      }
    }
  }

  private resolve(reference: string): Table[] {
    const found = this.byKey.get(reference.trim().toLowerCase());
    if (found === undefined) return [];
    if (!Array.isArray(found)) return [found];
    // In declaration order, as TableResolver lists them (an ambiguity's message names them in that order).
    const rank = (t: Table) => {
      const p = this.positions.get(t)!;
      return [this.order.get(p.system) ?? 0, p.index] as const;
    };
    return [...found].sort((a, b) => {
      const [sa, ia] = rank(a);
      const [sb, ib] = rank(b);
      return sa - sb || ia - ib;
    });
  }

  /** Whether some table is schema.name (lower-cased) = key. */
  private declares(key: string): boolean {
    const found = this.byKey.get(key);
    if (found === undefined) return false;
    if (!Array.isArray(found)) return keysOf(found)[1] === key;
    return found.some(t => keysOf(t)[1] === key);
  }
}

/**
 * Whether `after` is `before` with some systems replaced by others at the same places (an edited
 * file's system is a new object where the old one was), so that the order of the others is the same.
 */
function replacedInPlace(before: readonly SourceSystem[], after: readonly SourceSystem[]): boolean {
  if (before.length !== after.length) return false;
  const gone = new Set<SourceSystem>(before);
  for (const s of after) gone.delete(s);
  const kept = new Set<SourceSystem>(before);
  for (let i = 0; i < after.length; i++) {
    const b = before[i] as SourceSystem;
    const a = after[i] as SourceSystem;
    if (a !== b && (!gone.has(b) || kept.has(a))) return false;
  }
  return true;
}

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
