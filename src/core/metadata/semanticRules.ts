import type { Diagnostic, Fix } from '../diagnostics/diagnostic';
import { RULES } from '../diagnostics/rules';
import { didYouMean, quoteList } from '../text/suggest';
import { drain, drainSliced } from '../text/timeSlices';
import type { MetadataLocator } from './locator';
import {
  columnNamed,
  type Column,
  type Dimension,
  type Fact,
  type LakehouseMetadata,
  type Origin,
  type SourceSystem,
  type Table,
  type Todo,
} from './model';
import type { PathSegment } from './yamlLocate';

/** The keys an environment needs before anything can be deployed to it. */
export const DEPLOY_KEYS = ['subscriptionId', 'resourceGroup', 'factory', 'storageAccount'] as const;

const NUMERIC_TYPE =
  /^\s*(tinyint|smallint|int|integer|bigint|decimal|numeric|float|real|double|money|smallmoney|number|long|short|byte)\b/i;
const COUNTING = new Set(['count', 'countDistinct']);

export function isNumericType(sqlType: string): boolean {
  return NUMERIC_TYPE.test(sqlType);
}

// Per-table memos. A Table object is reused (from the session's cache) only while its
// file's text is unchanged, so what depends on that table alone is computed once.
const tableKeys = new WeakMap<Table, string[]>();
export function keysOf(t: Table): string[] {
  let keys = tableKeys.get(t);
  if (!keys) {
    keys = [
      t.name.toLowerCase(),
      `${t.schema}.${t.name}`.toLowerCase(),
      `${t.system}.${t.schema}.${t.name}`.toLowerCase(),
    ];
    tableKeys.set(t, keys);
  }
  return keys;
}
const tableChecks = new WeakMap<Table, Diagnostic[]>();

/** The lower-cased spellings the rules look a dimension or fact up by, made once per object (not per keystroke). */
export interface StarKeys {
  name: string;
  /** The source reference, trimmed and lower-cased ('' when none). */
  source: string;
  /** The dimensions its references name (a fact's). */
  references: string[];
}
const starKeys = new WeakMap<Dimension | Fact, StarKeys>();
export function starKeysOf(item: Dimension | Fact): StarKeys {
  let keys = starKeys.get(item);
  if (!keys) {
    keys = {
      name: item.name.toLowerCase(),
      source: item.source.trim().toLowerCase(),
      references: 'references' in item ? item.references.map(r => r.dimension.toLowerCase()) : [],
    };
    starKeys.set(item, keys);
  }
  return keys;
}

/** Table references resolved for the rules of one load (a TableResolver, or a session's TableIndex). */
export interface TableLookup {
  resolve(reference: string): Table[];
  /** Candidate spellings, for did-you-mean. */
  names(): string[];
  /**
   * True when meta.tables are the source systems' tables, in order, each declared once: then what
   * was found in a system's tables holds as long as the system is the same object.
   */
  readonly bySystem?: boolean;
  /** Changes when a schema.name key comes to name a table or stops naming any (bySystem only). */
  readonly keysVersion?: number;
  /** Whether some table is `schema.name` (lower-cased); bySystem only. */
  declares?(key: string): boolean;
  /** The index this lookup reads (a session's TableIndex), under which rules keep what they found between loads. */
  readonly owner?: object;
  /** The index's state at this load. */
  readonly state?: number;
  /**
   * The keys (lower-cased name, schema.name, system.schema.name) under which tables came or went
   * since an earlier state of the same index: a reference under no such key resolves as it did then.
   * Undefined when that is not known (then everything is checked again).
   */
  changedSince?(state: number): ReadonlySet<string> | undefined;
}

/** Resolves table references (table, schema.table, system.schema.table), case-insensitively. */
export class TableResolver implements TableLookup {
  private readonly byKey = new Map<string, Table[]>();

  constructor(tables: readonly Table[]) {
    const declared = new Set<string>();
    for (const t of tables) {
      // A table declared twice is reported once (LH207); references resolve to its first definition.
      const keys = keysOf(t);
      const full = keys[2] as string;
      if (declared.has(full)) continue;
      declared.add(full);
      for (const k of keys) {
        const list = this.byKey.get(k);
        if (list) {
          if (!list.includes(t)) list.push(t);
        } else this.byKey.set(k, [t]);
      }
    }
  }

  resolve(reference: string): Table[] {
    return this.byKey.get(reference.trim().toLowerCase()) ?? [];
  }

  /** Candidate spellings, for did-you-mean. */
  names(): string[] {
    return [...this.byKey.values()].flat().map(t => t.qualifiedName);
  }
}

/** The star-schema and project rules; the schema has already checked shapes. */
export function checkMetadata(
  meta: LakehouseMetadata,
  at: MetadataLocator,
  tables: TableLookup = new TableResolver(meta.tables),
): Diagnostic[] {
  const out: Diagnostic[] = [];

  checkSources(meta, at, out, tables.bySystem === true);

  const dimensionsByName = checkStar(meta, at, tables, out);
  if (meta.dateDimension && !dimensionsByName.has(meta.dateDimension.name.toLowerCase())) {
    const suggestion = didYouMean(
      meta.dateDimension.name,
      [...dimensionsByName.values()].map(d => d.name),
    );
    out.push(
      at.diagnostic(
        RULES.dateDimensionUnknown,
        meta.dateDimension.origin,
        undefined,
        `Date dimension '${meta.dateDimension.name}' is not a declared dimension.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`,
        { fixes: [renameFix(at, meta.dateDimension.origin, [], suggestion)] },
      ),
    );
  }

  checkEnvironments(meta, at, out);

  for (const todo of meta.todos) {
    let found = todoFindings.get(todo);
    if (!found) {
      found = at.diagnostic(
        RULES.todo,
        todo.origin,
        undefined,
        `TODO: ${todo.text.replace(/^TODO:?\s*/, '') || 'fill this in'}`,
      );
      todoFindings.set(todo, found);
    }
    out.push(found);
  }
  return out;
}

/**
 * What checkStar found last time, per table index: while the dimensions and facts are the same
 * objects in the same order, an item's findings change only when a table came or went under the
 * key its source names (or, for the few that also depend on other things, every time: `volatile`).
 */
interface StarMemo {
  dimensions: readonly Dimension[];
  facts: readonly Fact[];
  state: number;
  dimensionsByName: Map<string, Dimension>;
  dimensionOut: Diagnostic[][];
  factOut: Diagnostic[][];
  /** A fact's name clash with a dimension (LH2xx), by index. */
  factClash: (Diagnostic | undefined)[];
  /** Source key -> the dimensions (index) and facts (index) whose findings depend on its tables. */
  dimensionsByKey: Map<string, number[]>;
  factsByKey: Map<string, number[]>;
  /** Items whose findings depend on more than their table (an unresolved source's fix names the systems). */
  volatileDimensions: Set<number>;
  volatileFacts: Set<number>;
}
const starMemos = new WeakMap<object, StarMemo>();

export function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * What a memo of the star schema's findings (made from these dimensions and facts, at a state of
 * the table index) must redo: the keys whose tables changed since, or undefined when it must be
 * made again (another star schema, or a state the index no longer remembers).
 */
export function changesSinceMemo(
  memo: { dimensions: readonly unknown[]; facts: readonly unknown[]; state: number } | undefined,
  meta: LakehouseMetadata,
  tables: TableLookup,
): ReadonlySet<string> | undefined {
  return memo &&
    tables.state !== undefined &&
    sameItems(memo.dimensions, meta.dimensions) &&
    sameItems(memo.facts, meta.facts)
    ? tables.changedSince?.(memo.state)
    : undefined;
}

function addTo(map: Map<string, number[]>, key: string, index: number): void {
  const list = map.get(key);
  if (list) list.push(index);
  else map.set(key, [index]);
}

/** The dimensions' and facts' findings, in order, into out; returns the dimensions by lower-cased name. */
/** Each list's items onto out; indexed loops, as this runs a keystroke over every dimension and fact (mostly empty lists). */
function pushAll(out: Diagnostic[], lists: readonly (readonly Diagnostic[])[]): void {
  for (let i = 0; i < lists.length; i++) {
    const list = lists[i]!;
    for (let j = 0; j < list.length; j++) out.push(list[j]!);
  }
}

function checkStar(
  meta: LakehouseMetadata,
  at: MetadataLocator,
  tables: TableLookup,
  out: Diagnostic[],
): Map<string, Dimension> {
  const memo = tables.owner ? starMemos.get(tables.owner) : undefined;
  const changed = changesSinceMemo(memo, meta, tables);
  if (memo && changed) {
    const dims = new Set(memo.volatileDimensions);
    const facts = new Set(memo.volatileFacts);
    for (const key of changed) {
      for (const i of memo.dimensionsByKey.get(key) ?? []) dims.add(i);
      for (const i of memo.factsByKey.get(key) ?? []) facts.add(i);
    }
    for (const i of dims) {
      const r = dimensionFindings(meta.dimensions[i] as Dimension, meta, at, tables);
      memo.dimensionOut[i] = r.out;
      if (r.volatile) memo.volatileDimensions.add(i);
      else memo.volatileDimensions.delete(i);
    }
    for (const i of facts) {
      const r = factFindings(meta.facts[i] as Fact, meta, at, tables, memo.dimensionsByName);
      // A fact's name clash (found with the names, which are the same) comes first.
      const clash = memo.factClash[i];
      memo.factOut[i] = clash ? [clash, ...r.out] : r.out;
      if (r.volatile) memo.volatileFacts.add(i);
      else memo.volatileFacts.delete(i);
    }
    memo.state = tables.state!;
    pushAll(out, memo.dimensionOut);
    pushAll(out, memo.factOut);
    return memo.dimensionsByName;
  }

  const next = drain(starMemoSteps(meta, at, tables));
  const dimensionsByName = next.dimensionsByName;
  pushAll(out, next.dimensionOut);
  pushAll(out, next.factOut);
  return dimensionsByName;
}

/**
 * The dimensions' and facts' findings of a load from scratch, as steps (a pause point per item):
 * a first load of a large star schema is tens of milliseconds, which the project session spreads
 * over slices with prepareStar before checkMetadata reads the memo.
 */
function* starMemoSteps(meta: LakehouseMetadata, at: MetadataLocator, tables: TableLookup): Generator<void, StarMemo> {
  const next: StarMemo = {
    dimensions: [...meta.dimensions],
    facts: [...meta.facts],
    state: tables.state ?? 0,
    dimensionsByName: new Map(),
    dimensionOut: [],
    factOut: [],
    factClash: [],
    dimensionsByKey: new Map(),
    factsByKey: new Map(),
    volatileDimensions: new Set(),
    volatileFacts: new Set(),
  };
  const dimensionsByName = next.dimensionsByName;
  for (const [i, dim] of meta.dimensions.entries()) {
    yield;
    const keys = starKeysOf(dim);
    const first = dimensionsByName.get(keys.name);
    if (first) {
      next.dimensionOut.push([
        at.diagnostic(
          RULES.duplicateDimension,
          dim.origin,
          'name',
          `Dimension '${dim.name}' is defined twice; rename or remove one.`,
          { related: [{ origin: first.origin, field: 'name', message: 'first definition' }] },
        ),
      ]);
      continue;
    }
    dimensionsByName.set(keys.name, dim);
    const r = dimensionFindings(dim, meta, at, tables);
    next.dimensionOut.push(r.out);
    if (dim.source) addTo(next.dimensionsByKey, keys.source, i);
    if (r.volatile) next.volatileDimensions.add(i);
  }

  const factsByName = new Map<string, Fact>();
  for (const [i, fact] of meta.facts.entries()) {
    yield;
    const keys = starKeysOf(fact);
    const first = factsByName.get(keys.name);
    const clashingDimension = dimensionsByName.get(keys.name);
    const own: Diagnostic[] = [];
    next.factOut.push(own);
    next.factClash.push(undefined);
    if (first || clashingDimension) {
      own.push(
        (next.factClash[i] = at.diagnostic(
          RULES.duplicateFact,
          fact.origin,
          'name',
          first
            ? `Fact '${fact.name}' is defined twice; rename or remove one.`
            : `Fact '${fact.name}' has the name of a dimension; gold table names must be unique.`,
          { related: [{ origin: (first ?? clashingDimension)!.origin, field: 'name', message: 'first definition' }] },
        )),
      );
      if (first) continue;
    }
    factsByName.set(keys.name, fact);
    const r = factFindings(fact, meta, at, tables, dimensionsByName);
    for (const d of r.out) own.push(d);
    if (fact.source) addTo(next.factsByKey, keys.source, i);
    if (r.volatile) next.volatileFacts.add(i);
  }
  if (tables.owner && tables.state !== undefined) starMemos.set(tables.owner, next);
  return next;
}

/** Whether a table index's star memo can be brought up to date incrementally (see checkStar). */
function starMemoCurrent(meta: LakehouseMetadata, tables: TableLookup): boolean {
  return changesSinceMemo(tables.owner ? starMemos.get(tables.owner) : undefined, meta, tables) !== undefined;
}

/** Computes the star memo of a load in slices when checkStar would compute it at once (a first load, or the star schema changed). */
export async function prepareStar(
  meta: LakehouseMetadata,
  at: MetadataLocator,
  tables: TableLookup,
  pause: () => Promise<void>,
): Promise<void> {
  if (!tables.owner || tables.state === undefined || starMemoCurrent(meta, tables)) return;
  await drainSliced(starMemoSteps(meta, at, tables), pause);
}

/** A dimension's own findings (the first of its name): kept per object while its source resolves to the same table. */
function dimensionFindings(
  dim: Dimension,
  meta: LakehouseMetadata,
  at: MetadataLocator,
  tables: TableLookup,
): { out: Diagnostic[]; volatile: boolean } {
  const keys = starKeysOf(dim);
  const found = dim.source ? tables.resolve(keys.source) : undefined;
  const resolved = found === undefined || found.length === 1;
  const cached = dimensionChecks.get(dim);
  if (resolved && cached && cached.table === found?.[0]) return { out: cached.out, volatile: false };
  const own: Diagnostic[] = [];
  const table = resolveSource(
    dim.source,
    dim.origin,
    'dimension',
    dim.name,
    found,
    () => tables.names(),
    at,
    own,
    meta.sources,
  );
  checkDimension(dim, table, at, own);
  if (resolved) dimensionChecks.set(dim, { table, out: own });
  return { out: own, volatile: !resolved };
}

/** A fact's own findings (besides a name clash): kept while it, its table and the dimensions it references are. */
function factFindings(
  fact: Fact,
  meta: LakehouseMetadata,
  at: MetadataLocator,
  tables: TableLookup,
  dimensionsByName: Map<string, Dimension>,
): { out: Diagnostic[]; volatile: boolean } {
  const keys = starKeysOf(fact);
  const found = fact.source ? tables.resolve(keys.source) : undefined;
  let cacheable = found === undefined || found.length === 1;
  for (const ref of keys.references) if (!dimensionsByName.has(ref)) cacheable = false;
  const cached = factChecks.get(fact);
  if (cacheable && cached && cached.table === found?.[0]) return { out: cached.out, volatile: false };
  const own: Diagnostic[] = [];
  const table = resolveSource(
    fact.source,
    fact.origin,
    'fact',
    fact.name,
    found,
    () => tables.names(),
    at,
    own,
    meta.sources,
  );
  checkFact(fact, table, dimensionsByName, at, own);
  if (cacheable) factChecks.set(fact, { table, out: own });
  return { out: own, volatile: !cacheable };
}

const dimensionChecks = new WeakMap<Dimension, { table: Table | undefined; out: Diagnostic[] }>();
const factChecks = new WeakMap<Fact, { table: Table | undefined; out: Diagnostic[] }>();
const todoFindings = new WeakMap<Todo, Diagnostic>();
const systemChecks = new WeakMap<SourceSystem, Diagnostic[]>();

/** The findings of a source system's tables on their own (LH2xx: columns, keys), kept per system object. */
export function checkSystemTables(system: SourceSystem, at: MetadataLocator): Diagnostic[] {
  let found = systemChecks.get(system);
  if (!found) {
    found = [];
    for (const table of system.tables) for (const d of ownTableChecks(table, at)) found.push(d);
    systemChecks.set(system, found);
  }
  return found;
}

function ownTableChecks(table: Table, at: MetadataLocator): Diagnostic[] {
  let own = tableChecks.get(table);
  if (!own) {
    own = [];
    checkTable(table, at, own);
    tableChecks.set(table, own);
  }
  return own;
}

function checkSources(meta: LakehouseMetadata, at: MetadataLocator, out: Diagnostic[], bySystem: boolean): void {
  const systems = new Map<string, Origin>();
  for (const system of meta.sources) {
    const key = system.name.toLowerCase();
    const first = systems.get(key);
    if (first) {
      out.push(
        at.diagnostic(
          RULES.duplicateSourceSystem,
          system.origin,
          'name',
          `Source system '${system.name}' is defined twice; merge the two or rename one.`,
          { related: [{ origin: first, field: 'name', message: 'first definition' }] },
        ),
      );
    } else systems.set(key, system.origin);
  }

  if (bySystem) {
    // No table is declared twice (TableIndex knows): each system's findings are its tables'.
    for (const system of meta.sources) for (const d of checkSystemTables(system, at)) out.push(d);
    return;
  }
  const seenTables = new Map<string, Table>();
  for (const table of meta.tables) {
    const key = keysOf(table)[2] as string;
    const first = seenTables.get(key);
    if (first) {
      out.push(
        at.diagnostic(
          RULES.duplicateTable,
          table.origin,
          'name',
          `Table '${table.qualifiedName}' is declared twice in source '${table.system}'; remove one of the definitions.`,
          { related: [{ origin: first.origin, field: 'name', message: 'first definition' }] },
        ),
      );
      continue;
    }
    seenTables.set(key, table);
    for (const d of ownTableChecks(table, at)) out.push(d);
  }
}

/** Each column whose name (case-insensitively) an earlier column has, with that first column. */
function duplicateColumns(columns: readonly Column[]): [Column, Column][] {
  const duplicates: [Column, Column][] = [];
  const keys = columns.map(c => c.name.toLowerCase());
  // Tens of columns: comparing pairs allocates nothing, where a Map per table would (once per table and load).
  if (keys.length <= 64) {
    for (let i = 1; i < keys.length; i++)
      for (let j = 0; j < i; j++)
        if (keys[j] === keys[i]) {
          duplicates.push([columns[i]!, columns[j]!]);
          break;
        }
    return duplicates;
  }
  const first = new Map<string, Column>();
  keys.forEach((key, i) => {
    const seen = first.get(key);
    if (seen) duplicates.push([columns[i]!, seen]);
    else first.set(key, columns[i]!);
  });
  return duplicates;
}

function checkTable(table: Table, at: MetadataLocator, out: Diagnostic[]): void {
  for (const [column, first] of duplicateColumns(table.columns))
    out.push(
      at.diagnostic(
        RULES.duplicateColumn,
        column.origin,
        'name',
        `Column '${column.name}' appears twice in table '${table.qualifiedName}'.`,
        { related: [{ origin: first.origin, field: 'name', message: 'first definition' }] },
      ),
    );

  if (table.loadType === 'incremental' && !table.cdcColumn && table.cdcMode !== 'changeTracking') {
    out.push(
      at.diagnostic(
        RULES.schemaMissingKey,
        table.origin,
        'loadType',
        `Table '${table.qualifiedName}' loads incrementally but has no cdcColumn: name the watermark column (e.g. updated_at), or set loadType: full.`,
      ),
    );
  }

  if (table.columns.length === 0) {
    if (!table.todo) {
      out.push(
        at.diagnostic(
          RULES.tableWithoutColumns,
          table.origin,
          'name',
          `Table '${table.qualifiedName}' lists no columns, so its keys, CDC column and every ` +
            `dimension or fact built on it cannot be checked. Add its columns (name and type).`,
          { fixes: [todoFix(at, table.origin, `List the columns (name, type) of ${table.qualifiedName}`)] },
        ),
      );
    }
    return;
  }

  table.primaryKey.forEach((col, i) => {
    if (!columnNamed(table, col)) {
      out.push(
        unknownColumn(
          RULES.tableColumnUnknown,
          at,
          table,
          table.origin,
          ['primaryKey', i],
          col,
          `Primary key column '${col}' is not a column of table '${table.qualifiedName}'.`,
        ),
      );
    }
  });
  if (table.cdcColumn && !columnNamed(table, table.cdcColumn)) {
    out.push(
      unknownColumn(
        RULES.cdcColumnUnknown,
        at,
        table,
        table.origin,
        'cdcColumn',
        table.cdcColumn,
        `CDC column '${table.cdcColumn}' is not a column of table '${table.qualifiedName}': the incremental copy would filter on a column that does not exist.`,
      ),
    );
  }
}

function resolveSource(
  reference: string,
  origin: Origin,
  kind: 'dimension' | 'fact',
  name: string,
  found: Table[] | undefined,
  tableNames: () => string[],
  at: MetadataLocator,
  out: Diagnostic[],
  systems: readonly SourceSystem[],
): Table | undefined {
  if (!reference || !found) return undefined; // the schema reports the missing key
  if (found.length === 1) return found[0];
  if (found.length > 1) {
    out.push(
      at.diagnostic(
        RULES.ambiguousTableReference,
        origin,
        'source',
        `Source '${reference}' of ${kind} '${name}' matches ${found.length} tables ` +
          `(${quoteList(found.map(t => `${t.system}.${t.qualifiedName}`))}); qualify it as ` +
          `system.schema.table.`,
      ),
    );
    return undefined;
  }
  const suggestion = didYouMean(reference, tableNames());
  out.push(
    at.diagnostic(
      RULES.sourceTableUndeclared,
      origin,
      'source',
      `Source table '${reference}' of ${kind} '${name}' is not declared under ` +
        `sources.${suggestion ? ` Did you mean '${suggestion}'?` : ' Declare it, with its columns, under a source system.'}`,
      { fixes: [renameFix(at, origin, ['source'], suggestion), declareTableFix(at, systems, reference)] },
    ),
  );
  return undefined;
}

/**
 * Declares a referenced table, with its columns left as a todo: in the system a system.schema.table
 * reference names, else in the first source system.
 */
function declareTableFix(at: MetadataLocator, systems: readonly SourceSystem[], reference: string): Fix | undefined {
  const parts = reference.split('.');
  if (parts.length > 3) return undefined;
  const system =
    parts.length === 3 ? systems.find(s => s.name.toLowerCase() === (parts[0] as string).toLowerCase()) : systems[0];
  if (!system) return undefined;
  const name = parts[parts.length - 1] as string;
  const schema = parts.length >= 2 ? (parts[parts.length - 2] as string) : 'dbo';
  if (!/^[A-Za-z_][\w$#@]*$/.test(name) || !/^[A-Za-z_][\w$#@]*$/.test(schema)) return undefined;
  const edit = at.appendToSeq(
    system.origin,
    ['tables'],
    [
      `name: ${name}`,
      `schema: ${schema}`,
      `todo: List the columns (name, type) and the primaryKey of ${schema}.${name}`,
      'columns: []',
    ],
  );
  return edit ? { title: `Declare table ${schema}.${name} in source '${system.name}'`, edits: [edit] } : undefined;
}

function todoFix(at: MetadataLocator, origin: Origin, text: string): Fix | undefined {
  const edit = at.appendToMap(origin, [`todo: ${text}`]);
  return edit ? { title: 'Mark as TODO', edits: [edit] } : undefined;
}

function checkDimension(dim: Dimension, table: Table | undefined, at: MetadataLocator, out: Diagnostic[]): void {
  if (dim.scdType === 2) {
    // A todo on the dimension stands in for missing information: LH901 reports it instead.
    if (dim.businessKey.length === 0 && !dim.todo) {
      const pk = table?.primaryKey ?? [];
      out.push(
        at.diagnostic(
          RULES.scd2MissingBusinessKey,
          dim.origin,
          'scdType',
          `SCD Type 2 dimension '${dim.name}' has no businessKey: name the column(s) that identify ` +
            `one ${dim.name.replace(/^dim_/, '')} across ` +
            `versions${pk.length ? ` (its source's primary key is ${quoteList(pk)})` : ''}.`,
          {
            part: 'entry',
            fixes: [
              pk.length
                ? addKeyFix(at, dim.origin, `Add businessKey: [${pk.join(', ')}]`, [`businessKey: [${pk.join(', ')}]`])
                : undefined,
              todoFix(at, dim.origin, `Name the business key of ${dim.name}`),
            ],
          },
        ),
      );
    }
    if (!dim.sequenceBy && !dim.todo) {
      const candidate = table?.cdcColumn;
      out.push(
        at.diagnostic(
          RULES.scd2MissingSequenceColumn,
          dim.origin,
          'scdType',
          `SCD Type 2 dimension '${dim.name}' has no sequenceBy column to order its changes${candidate ? ` (its source's CDC column is '${candidate}')` : ''}.`,
          {
            part: 'entry',
            fixes: [
              candidate
                ? addKeyFix(at, dim.origin, `Add sequenceBy: ${candidate}`, [`sequenceBy: ${candidate}`])
                : undefined,
              todoFix(at, dim.origin, `Name the column that orders the changes of ${dim.name}`),
            ],
          },
        ),
      );
    }
  } else if (dim.trackedColumns.length > 0) {
    out.push(
      at.diagnostic(
        RULES.scd1WithTrackedColumns,
        dim.origin,
        'trackedColumns',
        `Dimension '${dim.name}' is SCD Type 1, so its trackedColumns are ignored. Set scdType: 2 to keep history, or remove trackedColumns.`,
        { part: 'key' },
      ),
    );
  }
  if (!table || table.columns.length === 0) return;
  const check = (field: PathSegment[], col: string, role: string) => {
    if (!columnNamed(table, col)) {
      out.push(
        unknownColumn(
          RULES.dimensionColumnUnknown,
          at,
          table,
          dim.origin,
          field,
          col,
          `${role} '${col}' of dimension '${dim.name}' is not a column of its source table '${table.qualifiedName}'.`,
        ),
      );
    }
  };
  dim.businessKey.forEach((c, i) => check(['businessKey', i], c, 'Business key column'));
  dim.trackedColumns.forEach((c, i) => check(['trackedColumns', i], c, 'Tracked column'));
  if (dim.sequenceBy) check(['sequenceBy'], dim.sequenceBy, 'Sequence column');
}

function checkFact(
  fact: Fact,
  table: Table | undefined,
  dimensions: Map<string, Dimension>,
  at: MetadataLocator,
  out: Diagnostic[],
): void {
  if (fact.grain.length === 0 && !fact.todo) {
    const pk = table?.primaryKey ?? [];
    out.push(
      at.diagnostic(
        RULES.factWithoutGrain,
        fact.origin,
        'name',
        `Fact '${fact.name}' has no grain: list the column(s) that identify one row${pk.length ? ` (its source's primary key is ${quoteList(pk)})` : ''}.`,
        {
          fixes: [
            pk.length
              ? addKeyFix(at, fact.origin, `Add grain: [${pk.join(', ')}]`, [`grain: [${pk.join(', ')}]`])
              : undefined,
            todoFix(at, fact.origin, `Name the grain of ${fact.name}`),
          ],
        },
      ),
    );
  }
  for (const ref of fact.references) {
    if (!dimensions.has(ref.dimension.toLowerCase())) {
      const suggestion = didYouMean(
        ref.dimension,
        [...dimensions.values()].map(d => d.name),
      );
      const hint = suggestion
        ? ` Did you mean '${suggestion}'?`
        : dimensions.size
          ? ` Declared dimensions: ${quoteList([...dimensions.values()].map(d => d.name))}.`
          : ' No dimensions are declared.';
      out.push(
        at.diagnostic(
          RULES.factUnknownDimension,
          ref.origin,
          'dimension',
          `Fact '${fact.name}' references dimension '${ref.dimension}', which is not declared.${hint}`,
          { fixes: [renameFix(at, ref.origin, ['dimension'], suggestion)] },
        ),
      );
    }
  }
  if (!table || table.columns.length === 0) return;
  fact.grain.forEach((col, i) => {
    if (!columnNamed(table, col)) {
      out.push(
        unknownColumn(
          RULES.factColumnUnknown,
          at,
          table,
          fact.origin,
          ['grain', i],
          col,
          `Grain column '${col}' of fact '${fact.name}' is not a column of its source table '${table.qualifiedName}'.`,
        ),
      );
    }
  });
  if (fact.sequenceBy && !columnNamed(table, fact.sequenceBy)) {
    out.push(
      unknownColumn(
        RULES.factColumnUnknown,
        at,
        table,
        fact.origin,
        ['sequenceBy'],
        fact.sequenceBy,
        `Sequence column '${fact.sequenceBy}' of fact '${fact.name}' is not a column of its source table '${table.qualifiedName}'.`,
      ),
    );
  }
  if (fact.eventTime && !columnNamed(table, fact.eventTime)) {
    out.push(
      unknownColumn(
        RULES.factColumnUnknown,
        at,
        table,
        fact.origin,
        ['eventTime'],
        fact.eventTime,
        `Event time column '${fact.eventTime}' of fact '${fact.name}' is not a column of its source table '${table.qualifiedName}'.`,
      ),
    );
  }
  for (const measure of fact.measures) {
    const column = columnNamed(table, measure.column);
    if (!column) {
      out.push(
        unknownColumn(
          RULES.factColumnUnknown,
          at,
          table,
          measure.origin,
          ['column'],
          measure.column,
          `Measure column '${measure.column}' of fact '${fact.name}' is not a column of its source table '${table.qualifiedName}'.`,
        ),
      );
    } else if (!COUNTING.has(measure.aggregation) && !isNumericType(column.type)) {
      const aggregated =
        measure.aggregation === 'avg'
          ? 'averaged'
          : measure.aggregation === 'sum'
            ? 'summed'
            : `aggregated with ${measure.aggregation}`;
      out.push(
        at.diagnostic(
          RULES.measureNotNumeric,
          measure.origin,
          'column',
          `Measure '${measure.column}' of fact '${fact.name}' is ${column.type || 'untyped'}, not ` +
            `numeric, so it cannot be ${aggregated}. Use aggregation: count, or a numeric column.`,
          { fixes: [setAggregationFix(at, measure.origin)] },
        ),
      );
    }
  }
  for (const ref of fact.references) {
    if (!columnNamed(table, ref.column)) {
      out.push(
        unknownColumn(
          RULES.factReferenceColumnUnknown,
          at,
          table,
          ref.origin,
          ['column'],
          ref.column,
          `Reference column '${ref.column}' of fact '${fact.name}' is not a column of its source table '${table.qualifiedName}'.`,
        ),
      );
    }
  }
}

function checkEnvironments(meta: LakehouseMetadata, at: MetadataLocator, out: Diagnostic[]): void {
  if (meta.environments.length === 0 && meta.project) {
    out.push(
      at.diagnostic(
        RULES.noEnvironment,
        meta.project.origin,
        undefined,
        "No environments are declared: add one under 'environments' (dev, prod, …) with its subscription, resource group, factory and storage account.",
        { part: 'key' },
      ),
    );
    return;
  }
  for (const env of meta.environments) {
    // A Databricks bundle deploys to a workspace: with one, the host is needed too.
    const needed: (keyof typeof env)[] = meta.paths.bundle ? [...DEPLOY_KEYS, 'databricksHost'] : [...DEPLOY_KEYS];
    const missing = needed.filter(k => env[k] === undefined);
    if (missing.length === 0) continue;
    out.push(
      at.diagnostic(
        RULES.environmentIncomplete,
        env.origin,
        undefined,
        `Environment '${env.name}' cannot be deployed to: it has no ${missing.join(', ')}.`,
        {
          part: 'key',
          fixes: [
            addKeyFix(
              at,
              env.origin,
              `Add ${missing.join(', ')} as TODO`,
              missing.map(k => `${k}: TODO`),
            ),
          ],
        },
      ),
    );
  }
}

function unknownColumn(
  rule: (typeof RULES)[keyof typeof RULES],
  at: MetadataLocator,
  table: Table,
  origin: Origin,
  field: PathSegment | PathSegment[],
  column: string,
  message: string,
): Diagnostic {
  const suggestion = didYouMean(
    column,
    table.columns.map(c => c.name),
  );
  const fixes: (Fix | undefined)[] = [renameFix(at, origin, Array.isArray(field) ? field : [field], suggestion)];
  const add = at.appendToSeq(table.origin, ['columns'], [`name: ${column}`, 'type: TODO']);
  if (add) fixes.push({ title: `Add column '${column}' to table '${table.qualifiedName}'`, edits: [add] });
  return at.diagnostic(rule, origin, field, suggestion ? `${message} Did you mean '${suggestion}'?` : message, {
    fixes,
  });
}

function renameFix(
  at: MetadataLocator,
  origin: Origin,
  field: PathSegment[],
  suggestion: string | undefined,
): Fix | undefined {
  if (!suggestion) return undefined;
  const edit = at.replaceValue(origin, field, suggestion);
  return edit ? { title: `Change to '${suggestion}'`, preferred: true, edits: [edit] } : undefined;
}

function addKeyFix(at: MetadataLocator, origin: Origin, title: string, lines: string[]): Fix | undefined {
  const edit = at.appendToMap(origin, lines);
  return edit ? { title, preferred: true, edits: [edit] } : undefined;
}

function setAggregationFix(at: MetadataLocator, origin: Origin): Fix | undefined {
  const replace = at.replaceValue(origin, ['aggregation'], 'count');
  const edit = replace ?? at.appendToMap(origin, ['aggregation: count']);
  return edit ? { title: 'Count it instead (aggregation: count)', edits: [edit] } : undefined;
}
