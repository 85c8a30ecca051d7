// What the metadata means, checked the way the engineer who deploys it on Monday would: the types
// of the columns a watermark, a join or an aggregation relies on; times that cannot be right;
// environments that would share one another's resources; and placeholders that nothing will
// substitute. Names were checked before (nameRules.ts); shapes by the schema.
import type { Diagnostic, Fix } from '../diagnostics/diagnostic';
import { RULES } from '../diagnostics/rules';
import { quoteList } from '../text/suggest';
import { drain, drainSliced } from '../text/timeSlices';
import type { MetadataLocator } from './locator';
import { DEFAULT_ZONE_LAYOUT, folderFromParts, layoutParts, watermarkFolder } from './lakeLayout';
import {
  DEFAULT_SCHEDULE_START,
  columnNamed,
  type Column,
  type Dimension,
  type Environment,
  type Fact,
  type LakehouseMetadata,
  type Origin,
  type SourceSystem,
  type Table,
  type Zone,
} from './model';
import { changesSinceMemo, sameItems, starKeysOf, TableResolver, type TableLookup } from './semanticRules';
import type { PathSegment } from './yamlLocate';

/** The kinds of value a source column holds, as far as comparing and ordering them goes. */
export type TypeFamily =
  'number' | 'text' | 'date' | 'datetime' | 'time' | 'boolean' | 'binary' | 'rowversion' | 'other';

const FAMILIES: [RegExp, TypeFamily][] = [
  [
    /^(tinyint|smallint|int|integer|bigint|decimal|numeric|float|real|double|money|smallmoney|number|long|short|byte)$/,
    'number',
  ],
  // uniqueidentifier arrives in Spark as a string, and compares as one.
  [/^(char|varchar|nchar|nvarchar|text|ntext|string|sysname|uniqueidentifier)$/, 'text'],
  [/^date$/, 'date'],
  [/^(datetime|datetime2|smalldatetime|datetimeoffset|timestamp_ntz|timestamp_ltz)$/, 'datetime'],
  [/^time$/, 'time'],
  [/^(bit|boolean|bool)$/, 'boolean'],
  [/^(binary|varbinary|image)$/, 'binary'],
  // In SQL Server, timestamp is rowversion: a number the database assigns, not a time.
  [/^(rowversion|timestamp)$/, 'rowversion'],
];

/** The family of a SQL type as written in the metadata; undefined when it is not known (empty, TODO). */
export function typeFamily(sqlType: string | undefined): TypeFamily | undefined {
  const base = /^\s*([A-Za-z_][\w]*)/.exec(sqlType ?? '')?.[1]?.toLowerCase();
  if (!base || base === 'todo') return undefined;
  for (const [pattern, family] of FAMILIES) if (pattern.test(base)) return family;
  return 'other';
}

const isTime = (f: TypeFamily | undefined) => f === 'date' || f === 'datetime';

/** Whether Spark compares values of the two families as the same values (a date with a timestamp at midnight). */
function comparable(a: TypeFamily, b: TypeFamily): boolean {
  return (
    a === b ||
    (isTime(a) && isTime(b)) ||
    (a === 'binary' && b === 'rowversion') ||
    (a === 'rowversion' && b === 'binary')
  );
}

const describe = (column: Column) => `${column.name} (${column.type})`;

export function checkMeaning(
  meta: LakehouseMetadata,
  at: MetadataLocator,
  tables: TableLookup = new TableResolver(meta.tables),
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const sourceOf = sourceOfIn(tables);
  if (tables.bySystem) {
    for (const system of meta.sources) for (const d of checkSystemMeaning(system, at).cdc) out.push(d);
  } else for (const table of meta.tables) for (const d of cdcOf(table, at)) out.push(d);
  const facts = checkFactsMeaning(meta, at, tables, sourceOf);
  for (const list of facts.out) for (const d of list) out.push(d);
  checkTimes(meta, facts.tables, at, out, tables.bySystem === true);
  checkLakeFolders(meta, at, out, tables);
  checkPlaceholders(meta, at, out);
  checkEnvironmentResources(meta, at, out);
  return out;
}

/** A fact's or dimension's source table, undefined when unresolved or ambiguous (reported elsewhere). */
function sourceOfIn(tables: TableLookup): (reference: string) => Table | undefined {
  return reference => {
    const found = tables.resolve(reference);
    return found.length === 1 ? found[0] : undefined;
  };
}

/**
 * The facts' meaning findings and source tables of the last load, per table index: while the
 * dimensions and facts are the same objects in the same order, a fact is checked again only when
 * a table came or went under a key it or a dimension it references names.
 */
interface FactsMemo {
  dimensions: readonly Dimension[];
  facts: readonly Fact[];
  state: number;
  byName: Map<string, Dimension>;
  datasets: Map<string, { kind: 'dimension' | 'fact'; name: string }>;
  out: Diagnostic[][];
  /** Each fact's source table (undefined: unresolved or ambiguous). */
  tables: (Table | undefined)[];
  /** Source key -> the facts (index) whose findings depend on its tables. */
  byKey: Map<string, number[]>;
}
const factsMemos = new WeakMap<object, FactsMemo>();

function checkFactsMeaning(
  meta: LakehouseMetadata,
  at: MetadataLocator,
  tables: TableLookup,
  sourceOf: (reference: string) => Table | undefined,
): FactsMemo {
  const memo = tables.owner ? factsMemos.get(tables.owner) : undefined;
  const changed = changesSinceMemo(memo, meta, tables);
  if (memo && changed) {
    const again = new Set<number>();
    for (const key of changed) for (const i of memo.byKey.get(key) ?? []) again.add(i);
    // The source table of each dimension, once per load.
    const dimensionTables = new Map<Dimension, Table | undefined>();
    for (const i of again) {
      const r = factMeaning(meta.facts[i] as Fact, memo, at, sourceOf, dimensionTables);
      memo.out[i] = r.out;
      memo.tables[i] = r.table;
    }
    memo.state = tables.state!;
    return memo;
  }
  return drain(factsMemoSteps(meta, at, tables, sourceOf));
}

/**
 * The facts' meaning findings of a load from scratch, as steps (a pause point per fact): the
 * project session spreads a first load's over slices with prepareFactsMeaning.
 */
function* factsMemoSteps(
  meta: LakehouseMetadata,
  at: MetadataLocator,
  tables: TableLookup,
  sourceOf: (reference: string) => Table | undefined,
): Generator<void, FactsMemo> {
  const dimensions = new Map<string, Dimension>();
  for (const d of meta.dimensions) dimensions.set(starKeysOf(d).name, d);
  // Gold dataset names (the first of a name; duplicates are LH2xx's): a measures view must not take one.
  const datasets = new Map<string, { kind: 'dimension' | 'fact'; name: string }>();
  for (const d of meta.dimensions) {
    const key = starKeysOf(d).name;
    if (!datasets.has(key)) datasets.set(key, { kind: 'dimension', name: d.name });
  }
  for (const f of meta.facts) {
    const key = starKeysOf(f).name;
    if (!datasets.has(key)) datasets.set(key, { kind: 'fact', name: f.name });
  }
  const next: FactsMemo = {
    dimensions: [...meta.dimensions],
    facts: [...meta.facts],
    state: tables.state ?? 0,
    byName: dimensions,
    datasets,
    out: [],
    tables: [],
    byKey: new Map(),
  };
  const dimensionTables = new Map<Dimension, Table | undefined>();
  for (const [i, fact] of meta.facts.entries()) {
    yield;
    const r = factMeaning(fact, next, at, sourceOf, dimensionTables);
    next.out.push(r.out);
    next.tables.push(r.table);
    const keys = starKeysOf(fact);
    const depends = new Set([keys.source]);
    for (const ref of keys.references) {
      const dim = dimensions.get(ref);
      if (dim) depends.add(starKeysOf(dim).source);
    }
    for (const key of depends) {
      const list = next.byKey.get(key);
      if (list) list.push(i);
      else next.byKey.set(key, [i]);
    }
  }
  if (tables.owner && tables.state !== undefined) factsMemos.set(tables.owner, next);
  return next;
}

/** Computes the facts' meaning memo of a load in slices when checkMeaning would compute it at once (see checkFactsMeaning). */
export async function prepareFactsMeaning(
  meta: LakehouseMetadata,
  at: MetadataLocator,
  tables: TableLookup,
  pause: () => Promise<void>,
): Promise<void> {
  if (!tables.owner || tables.state === undefined) return;
  if (changesSinceMemo(factsMemos.get(tables.owner), meta, tables) !== undefined) return;
  await drainSliced(factsMemoSteps(meta, at, tables, sourceOfIn(tables)), pause);
}

/**
 * A fact's findings, which depend on it, its table, the dimensions it references and theirs, and the
 * dataset its measures view would shadow: kept while all of those are the same.
 */
function factMeaning(
  fact: Fact,
  memo: FactsMemo,
  at: MetadataLocator,
  sourceOf: (reference: string) => Table | undefined,
  dimensionTables: Map<Dimension, Table | undefined>,
): { out: Diagnostic[]; table: Table | undefined } {
  const dimensionTable = (dim: Dimension): Table | undefined => {
    if (dimensionTables.has(dim)) return dimensionTables.get(dim);
    const table = sourceOf(starKeysOf(dim).source);
    dimensionTables.set(dim, table);
    return table;
  };
  const keys = starKeysOf(fact);
  const taken = fact.measures.length ? memo.datasets.get(`${keys.name}_measures`) : undefined;
  const table = sourceOf(keys.source);
  const deps: unknown[] = [table, taken?.kind, taken?.name];
  for (const ref of keys.references) {
    const dim = memo.byName.get(ref);
    deps.push(dim, dim && dimensionTable(dim));
  }
  const cached = factFindings.get(fact);
  if (cached && sameItems(cached.deps, deps)) return { out: cached.out, table };
  const own: Diagnostic[] = [];
  checkFactMeaning(fact, table, memo.byName, memo.datasets, sourceOf, at, own);
  factFindings.set(fact, { deps, out: own });
  return { out: own, table };
}

const factFindings = new WeakMap<Fact, { deps: unknown[]; out: Diagnostic[] }>();

/** What checkMeaning finds in a source system's tables on their own, kept per system object. */
interface SystemMeaning {
  cdc: Diagnostic[];
  /** Its incremental tables with a backfillFrom (checkTimes). */
  backfilled: Table[];
  /** checkTimes's findings on those, for a schedule start. */
  backfillLate?: { start: string | undefined; out: Diagnostic[] };
  /** Its first backfilled table from before a backfill window start (an instant), for that start. */
  backfilledBefore?: { start: string; table: Table | undefined };
}
const systemMeaning = new WeakMap<SourceSystem, SystemMeaning>();

/**
 * The per-table meaning checks of a system (its CDC columns), computed once per system object; with
 * the zones, also its tables' lake folders (what checkLakeFolders counts).
 */
export function checkSystemMeaning(system: SourceSystem, at: MetadataLocator, zones?: readonly Zone[]): SystemMeaning {
  if (zones) folderKeysOf(system, zones);
  let found = systemMeaning.get(system);
  if (!found) {
    found = { cdc: [], backfilled: [] };
    for (const table of system.tables) {
      for (const d of cdcOf(table, at)) found.cdc.push(d);
      if (isBackfilled(table)) found.backfilled.push(table);
    }
    systemMeaning.set(system, found);
  }
  return found;
}

// ---- What a CDC column can be ----------------------------------------------------------------

/** checkCdc's findings by table (it reads nothing but the table). */
const cdcFindings = new WeakMap<Table, Diagnostic[]>();

function cdcOf(table: Table, at: MetadataLocator): Diagnostic[] {
  // A table of a file that did not change is the same object from one check to the next (and its
  // positions too): its findings are kept, so a keystroke re-checks only the tables it touched.
  let found = cdcFindings.get(table);
  if (!found) {
    found = [];
    checkCdc(table, at, found);
    cdcFindings.set(table, found);
  }
  return found;
}

function checkCdc(table: Table, at: MetadataLocator, out: Diagnostic[]): void {
  if (table.loadType !== 'incremental') {
    if (table.cdcOverlap !== undefined) {
      out.push(
        at.diagnostic(
          RULES.timeImplausible,
          table.origin,
          'cdcOverlap',
          `Table '${table.qualifiedName}' is copied whole every run (loadType: full), so its ` +
            `cdcOverlap is not used. Remove it, or load the table incrementally.`,
          { severity: 'warning', part: 'key' },
        ),
      );
    }
    return;
  }
  if (table.cdcMode === 'changeTracking') {
    if (table.primaryKey.length === 0) {
      out.push(
        at.diagnostic(
          RULES.changeTrackingWithoutKey,
          table.origin,
          'cdcMode',
          `Table '${table.qualifiedName}' uses SQL Server Change Tracking, which reports changes by ` +
            `primary key: list its primaryKey (Change Tracking needs one on the source table too).`,
        ),
      );
    }
  }
  if (table.cdcMode !== 'watermark' && table.cdcOverlap !== undefined) {
    out.push(
      at.diagnostic(
        RULES.timeImplausible,
        table.origin,
        'cdcOverlap',
        `Table '${table.qualifiedName}' finds its changes by ` +
          `${table.cdcMode === 'rowversion' ? 'rowversion' : 'Change Tracking'}, which misses nothing, ` +
          `so cdcOverlap is not used. Remove it.`,
        { severity: 'warning', part: 'key' },
      ),
    );
  }
  if (!table.cdcColumn || table.cdcMode === 'changeTracking') return;
  const column = columnNamed(table, table.cdcColumn);
  if (!column) return; // LH206
  const family = typeFamily(column.type);
  if (family === undefined) return;
  if (table.cdcMode === 'watermark') {
    if (!isTime(family)) {
      const why =
        family === 'rowversion'
          ? `In SQL Server ${column.type} is a rowversion the database assigns, not a time: set cdcMode: rowversion, which misses nothing.`
          : family === 'number'
            ? 'A number (an identity, say) is not a time: the copy compares the column with a datetime2 ' +
              'watermark and fails. Use a date/time column the application sets, or a rowversion column ' +
              'with cdcMode: rowversion.'
            : 'The copy compares the column with a datetime2 watermark (date, datetime, datetime2, ' +
              'smalldatetime or datetimeoffset), so every run would fail or compare text.';
      out.push(
        at.diagnostic(
          RULES.cdcColumnType,
          table.origin,
          'cdcColumn',
          `CDC column ${describe(column)} of table '${table.qualifiedName}' cannot be a watermark. ${why}`,
          {
            fixes:
              family === 'rowversion'
                ? [setKeyFix(at, table.origin, 'cdcMode', 'rowversion', 'Set cdcMode: rowversion')]
                : undefined,
          },
        ),
      );
      return;
    }
    if (column.nullable !== false) {
      const declared = column.nullable === true;
      out.push(
        at.diagnostic(
          RULES.cdcColumnNullable,
          column.origin,
          declared ? 'nullable' : 'name',
          declared
            ? `CDC column '${column.name}' of table '${table.qualifiedName}' is nullable: a row whose ` +
                `${column.name} is NULL is never past the watermark, so it is never copied. Make the ` +
                `source column NOT NULL (with a default), or use cdcMode: rowversion or changeTracking.`
            : `CDC column '${column.name}' of table '${table.qualifiedName}' may be NULL (its ` +
                `nullability is not declared): a row whose ${column.name} is NULL is never copied. If the ` +
                `source column is NOT NULL, declare nullable: false; if not, make it so, or use cdcMode: ` +
                `rowversion or changeTracking.`,
          {
            severity: declared ? 'error' : 'warning',
            fixes: declared
              ? undefined
              : [
                  addToMapFix(
                    at,
                    column.origin,
                    'nullable: false',
                    'Declare nullable: false (the source column is NOT NULL)',
                  ),
                ],
          },
        ),
      );
    }
  } else if (
    table.cdcMode === 'rowversion' &&
    family !== 'rowversion' &&
    !(family === 'binary' && /\(\s*8\s*\)/.test(column.type))
  ) {
    out.push(
      at.diagnostic(
        RULES.cdcColumnType,
        table.origin,
        'cdcColumn',
        `CDC column ${describe(column)} of table '${table.qualifiedName}' is not a rowversion: ` +
          `cdcMode: rowversion reads a rowversion (or binary(8)) column that SQL Server assigns at ` +
          `every change. Use such a column, or cdcMode: watermark for a time the application sets.`,
      ),
    );
  }
}

// ---- Joins, measures and the time a fact happened ----------------------------------------------

function checkFactMeaning(
  fact: Fact,
  table: Table | undefined,
  dimensions: Map<string, Dimension>,
  datasets: Map<string, { kind: 'dimension' | 'fact'; name: string }>,
  sourceOf: (r: string) => Table | undefined,
  at: MetadataLocator,
  out: Diagnostic[],
): void {
  const factColumn = (name: string | undefined) => (name === undefined ? undefined : table && columnNamed(table, name));

  // The event time: explicit, else the fact's sequenceBy, else its table's CDC column (as generation does).
  const eventTime = fact.eventTime ?? fact.sequenceBy ?? table?.cdcColumn;
  const eventColumn = factColumn(eventTime);
  const eventFamily = eventColumn ? typeFamily(eventColumn.type) : undefined;

  for (const ref of fact.references) {
    const dim = dimensions.get(ref.dimension.toLowerCase());
    if (!dim) continue; // LH201
    const dimTable = sourceOf(dim.source);

    // Which dimension column the reference joins (as generation does): the business key of the
    // reference column's name, else the only business key, else a column of that name.
    const keys = dim.businessKey;
    const sameName = keys.find(k => k.toLowerCase() === ref.column.toLowerCase());
    if (keys.length > 1) {
      out.push(
        at.diagnostic(
          RULES.referenceJoinKey,
          ref.origin,
          'column',
          `Dimension '${dim.name}' is keyed on ${quoteList(keys)} together, but a reference joins on ` +
            `one column (${sameName ?? keys[0]} for ${ref.column}): each ${fact.name} row would match ` +
            `every ${dim.name} row that shares that part of the key, multiplying the fact. Give ` +
            `${dim.name} a single-column business key (a surrogate key of the source, say).`,
        ),
      );
      continue;
    }
    const joinName = sameName ?? (keys.length === 1 ? keys[0]! : ref.column);
    const dimColumn = dimTable && columnNamed(dimTable, joinName);
    if (keys.length === 0 && dimTable && dimTable.columns.length && !dimColumn) {
      out.push(
        at.diagnostic(
          RULES.referenceJoinKey,
          ref.origin,
          'column',
          `Dimension '${dim.name}' has no businessKey, so the reference joins on a column of the ` +
            `same name, ${ref.column}, which its source table '${dimTable.qualifiedName}' does not ` +
            `have. Give ${dim.name} a businessKey.`,
        ),
      );
      continue;
    }
    const refColumn = factColumn(ref.column);
    if (refColumn && dimColumn) {
      const a = typeFamily(refColumn.type);
      const b = typeFamily(dimColumn.type);
      if (a && b && !comparable(a, b)) {
        out.push(
          at.diagnostic(
            RULES.joinTypeMismatch,
            ref.origin,
            'column',
            `${fact.name}.${describe(refColumn)} is joined to ${dim.name}.${describe(dimColumn)}: ` +
              `Spark compares ${a} with ${b} by casting one of them, which fails on values that do not ` +
              `convert (ANSI mode) or matches nothing. Join columns of one type, or convert one in the ` +
              `source.`,
          ),
        );
      }
    }

    if (dim.scdType !== 2 || ref.version !== 'asOfEvent') continue;
    // The SCD2 version valid at the fact's event time: that needs a time on both sides.
    if (!eventTime) {
      out.push(
        at.diagnostic(
          RULES.asOfJoinTime,
          ref.origin,
          'dimension',
          `${fact.name} has no event time (eventTime, sequenceBy, or its table's cdcColumn), so it ` +
            `joins the current version of SCD Type 2 dimension '${dim.name}': every past row gets ` +
            `today's attributes. Set eventTime on the fact, or say version: current on this reference ` +
            `if that is what you want.`,
          {
            severity: 'warning',
            fixes: [addToMapFix(at, ref.origin, 'version: current', 'Join the current version (version: current)')],
          },
        ),
      );
      continue;
    }
    if (eventColumn && eventFamily && !isTime(eventFamily)) {
      out.push(
        at.diagnostic(
          RULES.asOfJoinTime,
          fact.origin,
          fact.eventTime ? 'eventTime' : fact.sequenceBy ? 'sequenceBy' : 'source',
          `The event time of ${fact.name}, ${describe(eventColumn)}, is not a date or time, so it ` +
            `cannot pick the version of '${dim.name}' valid when the fact happened (versions start at ` +
            `a time). Set eventTime to a date/time column of ${table!.qualifiedName}.`,
        ),
      );
      continue;
    }
    const sequence = dim.sequenceBy ? dimTable && columnNamed(dimTable, dim.sequenceBy) : undefined;
    const sequenceFamily = sequence ? typeFamily(sequence.type) : undefined;
    if (sequence && sequenceFamily && !isTime(sequenceFamily)) {
      out.push(
        at.diagnostic(
          RULES.asOfJoinTime,
          ref.origin,
          'dimension',
          `The versions of '${dim.name}' start at its sequenceBy, ${describe(sequence)}, which is ` +
            `not a time, so the version valid at ${fact.name}'s ${eventTime} cannot be found (a time ` +
            `compared with ${sequenceFamily === 'number' ? 'a number' : sequenceFamily}). Sequence ` +
            `${dim.name} by a date/time column, or join its current version (version: current).`,
          { fixes: [addToMapFix(at, ref.origin, 'version: current', 'Join the current version (version: current)')] },
        ),
      );
    }
  }

  // Measures: the names the measures view gets must be distinct, and distinct from its grouping columns.
  const outputs = new Map<string, string>();
  for (const ref of fact.references) outputs.set(ref.column.toLowerCase(), `reference column '${ref.column}'`);
  fact.measures.forEach(measure => {
    const name =
      measure.name !== undefined && measure.name !== measure.column
        ? measure.name
        : `${measure.aggregation}_${measure.column}`;
    const clash = outputs.get(name.toLowerCase());
    if (clash) {
      out.push(
        at.diagnostic(
          RULES.measureNameCollision,
          measure.origin,
          measure.name !== undefined ? 'name' : 'column',
          `Measure ${measure.aggregation}(${measure.column}) of ${fact.name} is named '${name}', as ` +
            `is the ${clash}: the ${fact.name}_measures view would have two columns of one name, which ` +
            `Delta refuses. Give it another name.`,
        ),
      );
    } else outputs.set(name.toLowerCase(), `measure ${measure.aggregation}(${measure.column})`);
  });
  if (fact.measures.length) {
    const taken = datasets.get(`${fact.name}_measures`.toLowerCase());
    if (taken) {
      out.push(
        at.diagnostic(
          RULES.measureNameCollision,
          fact.origin,
          'measures',
          `The measures of ${fact.name} are published as the view ${fact.name}_measures, the name of ` +
            `${taken.kind} '${taken.name}': one would overwrite the other. Rename one of them.`,
          { part: 'key' },
        ),
      );
    }
  }
}

// ---- Times that cannot be right ----------------------------------------------------------------

/** The 'YYYY-MM-DDTHH:MM:SS' of a date or time as written (comparable as text). */
const instant = (value: string) => (value.length === 10 ? `${value}T00:00:00` : value.slice(0, 19));

const isBackfilled = (t: Table) => t.backfillFrom !== undefined && t.loadType === 'incremental';

function checkTimes(
  meta: LakehouseMetadata,
  factTables: readonly (Table | undefined)[],
  at: MetadataLocator,
  out: Diagnostic[],
  bySystem: boolean,
): void {
  const adf = meta.adf;
  const scheduleStart = adf?.schedule?.startTime;
  // By system, the backfilled tables are only counted and searched (per system, kept): no list of them all per keystroke.
  const backfilled = bySystem ? undefined : meta.tables.filter(isBackfilled);
  const anyBackfilled = backfilled
    ? backfilled.length > 0
    : meta.sources.some(s => checkSystemMeaning(s, at).backfilled.length > 0);

  if (scheduleStart && adf?.schedule?.timeZone && adf.schedule.timeZone !== 'UTC' && scheduleStart.endsWith('Z')) {
    out.push(
      at.diagnostic(
        RULES.timeImplausible,
        adf.origin,
        ['schedule', 'startTime'],
        `adf.schedule.startTime ends with Z (UTC), but the schedule's time zone is ` +
          `${adf.schedule.timeZone}: ADF refuses a UTC start time with another time zone. Write it ` +
          `without the Z, in ${adf.schedule.timeZone}.`,
      ),
    );
  }
  // The backfill windows run from backfillFrom up to the schedule's first run, where the table's watermark starts.
  const effectiveStart = scheduleStart ?? DEFAULT_SCHEDULE_START;
  if (bySystem) {
    // The same findings, system by system, kept while the system and the schedule's start are.
    for (const system of meta.sources) {
      const found = checkSystemMeaning(system, at);
      if (found.backfillLate?.start !== scheduleStart || !found.backfillLate) {
        const own: Diagnostic[] = [];
        backfillAfterStart(found.backfilled, scheduleStart, at, own);
        found.backfillLate = { start: scheduleStart, out: own };
      }
      for (const d of found.backfillLate.out) out.push(d);
    }
  } else backfillAfterStart(backfilled!, scheduleStart, at, out);

  const backfill = adf?.backfill;
  const windowStart = backfill?.startTime;
  const windowEnd = backfill?.endTime ?? effectiveStart;
  const inverted = !!windowStart && !!windowEnd && instant(windowEnd) <= instant(windowStart);
  if (inverted) {
    out.push(
      at.diagnostic(
        RULES.timeImplausible,
        adf!.origin,
        ['backfill', backfill?.endTime ? 'endTime' : 'startTime'],
        `The backfill windows start at ${windowStart!} and end at ` +
          `${windowEnd!}${backfill?.endTime ? '' : " (the schedule's start)"}: no window fits in ` +
          `between. Start them earlier${backfill?.endTime ? ', or end them later' : ''}.`,
      ),
    );
  } else if (windowStart) {
    const early = backfilled
      ? backfilled.find(t => instant(t.backfillFrom!) < instant(windowStart))
      : firstBackfilledBefore(meta.sources, windowStart, at);
    if (early) {
      const table = early;
      out.push(
        at.diagnostic(
          RULES.timeImplausible,
          adf!.origin,
          ['backfill', 'startTime'],
          `The backfill windows start at ${windowStart}, after table '${table.qualifiedName}''s ` +
            `backfillFrom (${table.backfillFrom}): its rows before ${windowStart.slice(0, 10)} are ` +
            `never copied. Start the windows at ${table.backfillFrom}T00:00:00Z (or remove ` +
            `adf.backfill.startTime: that is the default).`,
          { severity: 'warning' },
        ),
      );
    }
  }
  if (
    !inverted &&
    backfill?.endTime &&
    scheduleStart &&
    instant(backfill.endTime) < instant(scheduleStart) &&
    anyBackfilled
  ) {
    out.push(
      at.diagnostic(
        RULES.timeImplausible,
        adf!.origin,
        ['backfill', 'endTime'],
        `The backfill windows end at ${backfill.endTime}, before the schedule starts ` +
          `(${scheduleStart}), where the backfilled tables' watermarks begin: rows between the two ` +
          `are never copied. End the windows at the schedule's start (the default).`,
        { severity: 'warning' },
      ),
    );
  }

  const calendar = meta.calendar;
  if (calendar?.from && calendar.to && calendar.to < calendar.from) {
    out.push(
      at.diagnostic(
        RULES.timeImplausible,
        calendar.origin,
        'to',
        `The calendar ends (${calendar.to}) before it starts (${calendar.from}): the date dimension would be empty.`,
      ),
    );
  } else if (calendar?.from) {
    for (const [i, fact] of meta.facts.entries()) {
      const table = factTables[i];
      if (table?.backfillFrom && table.backfillFrom < calendar.from) {
        out.push(
          at.diagnostic(
            RULES.timeImplausible,
            calendar.origin,
            'from',
            `The calendar starts at ${calendar.from}, after ${fact.name}'s history begins (its table ` +
              `is backfilled from ${table.backfillFrom}): those facts would find no date. Start the ` +
              `calendar at ${table.backfillFrom.slice(0, 4)}-01-01 or earlier.`,
            { severity: 'warning' },
          ),
        );
        break;
      }
    }
  }
}

/** The first backfilled table (in declaration order) whose backfillFrom is before the windows' start. */
function firstBackfilledBefore(
  systems: readonly SourceSystem[],
  windowStart: string,
  at: MetadataLocator,
): Table | undefined {
  const start = instant(windowStart);
  for (const system of systems) {
    const found = checkSystemMeaning(system, at);
    if (found.backfilledBefore?.start !== start)
      found.backfilledBefore = { start, table: found.backfilled.find(t => instant(t.backfillFrom!) < start) };
    if (found.backfilledBefore.table) return found.backfilledBefore.table;
  }
  return undefined;
}

/** Tables backfilled from when the scheduled loads have started already: their windows copy nothing. */
function backfillAfterStart(
  backfilled: readonly Table[],
  scheduleStart: string | undefined,
  at: MetadataLocator,
  out: Diagnostic[],
): void {
  const effectiveStart = scheduleStart ?? DEFAULT_SCHEDULE_START;
  for (const table of backfilled) {
    if (instant(table.backfillFrom!) >= instant(effectiveStart)) {
      const start = scheduleStart
        ? `adf.schedule.startTime ${scheduleStart}`
        : `${DEFAULT_SCHEDULE_START}, the default: adf.schedule.startTime is not set`;
      const fix = scheduleStart
        ? `Backfill from a date before ${scheduleStart.slice(0, 10)}, or remove backfillFrom.`
        : 'Set adf.schedule.startTime to when the scheduled loads begin.';
      out.push(
        at.diagnostic(
          RULES.timeImplausible,
          table.origin,
          'backfillFrom',
          `Table '${table.qualifiedName}' is backfilled from ${table.backfillFrom}, not before the schedule ` +
            `starts (${start}): the backfill windows end where the schedule starts, so they copy nothing. ${fix}`,
        ),
      );
    }
  }
}

// ---- Lake folders ------------------------------------------------------------------------------

/** Each table's folder in each zone: two tables in one folder mix their files. */
function checkLakeFolders(meta: LakehouseMetadata, at: MetadataLocator, out: Diagnostic[], lookup: TableLookup): void {
  // Almost always no two folders meet: that is known from counts kept up to date source system by
  // source system (per table index: per project), so a keystroke costs the folders of the system
  // it changed, not of every table.
  const index = lookup.owner ? lakeFolderIndexes.get(lookup.owner) : undefined;
  if (index && !index.mayCollide(meta)) return;
  // A table declared twice is LH207's: each identity once. (Runs on every keystroke: no per-table regex.)
  const declared = new Set<string>();
  const tables = meta.tables.filter(table => {
    const identity = `${table.system}.${table.schema}.${table.name}`.toLowerCase();
    if (declared.has(identity)) return false;
    declared.add(identity);
    return true;
  });
  for (const zone of meta.zones) {
    const layout = zone.path ?? DEFAULT_ZONE_LAYOUT;
    if (/\{(?!table\}|schema\}|system\})[^{}]*\}/.test(layout)) continue; // LH230 reports it
    const parts = layoutParts(layout);
    const owners = new Map<string, { table: Table; what: string }>();
    for (const table of tables) {
      const folder = folderFromParts(parts, table);
      // The bronze zone also keeps each incremental table's watermark in <folder>_cdc.
      const folders: [string, string][] = [[folder, 'files']];
      if (zone.name === 'bronze' && table.loadType === 'incremental')
        folders.push([watermarkFolder(folder), 'watermark']);
      for (const [name, what] of folders) {
        // ADLS Gen2 folder names are case-sensitive, but Windows clients and Spark table names are not.
        const key = name.toLowerCase();
        const first = owners.get(key);
        if (first && first.table !== table) {
          const layoutNote = zone.path === undefined ? 'the default layout, {table}' : `the layout ${zone.path}`;
          out.push(
            at.diagnostic(
              RULES.lakeFolderCollision,
              table.origin,
              'name',
              `Table '${table.system}.${table.qualifiedName}' writes its ${what} to folder ${name} of ` +
                `zone '${zone.name}', where table '${first.table.system}.${first.table.qualifiedName}' ` +
                `writes its ${first.what} (${layoutNote}): their files would mix. Give the zone a path ` +
                `with {schema} or {system}, or rename one table.`,
              { related: [{ origin: first.table.origin, field: 'name', message: 'the other table' }] },
            ),
          );
        } else if (!first) owners.set(key, { table, what });
      }
    }
  }
}

/** The lower-cased folder names of one table in one zone (its layout split once), as checkLakeFolders computes them. */
function folderKeys(table: Table, zone: Zone, parts: readonly string[], out: string[], prefix: string): void {
  const folder = folderFromParts(parts, table);
  out.push(prefix + folder.toLowerCase());
  if (zone.name === 'bronze' && table.loadType === 'incremental')
    out.push(prefix + watermarkFolder(folder).toLowerCase());
}

/** Lake folder layouts as LakeFolderIndex compares them. */
const layoutOf = (zones: readonly Zone[]) => zones.map(z => `${z.name}\u0000${z.path ?? '{table}'}`).join('\u0001');

/**
 * How many tables write to each folder of each zone, kept from one check to the next: a source
 * system that did not change is the same object, so only the systems that came and went are
 * counted again. When no folder has two writers there is nothing to report; otherwise (or with a
 * table declared twice, which counts twice here) the full check runs, so the findings are the same.
 */
class LakeFolderIndex {
  private layout = '';
  private readonly systems = new Map<SourceSystem, number>();
  private readonly counts = new Map<string, number>();
  /** Folders no table writes to any more: kept at 0 (see TableIndex.vacant), compacted when they outnumber the others. */
  private vacant = 0;
  private shared = 0;

  mayCollide(meta: LakehouseMetadata): boolean {
    const steps = this.sync(meta);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /** Counts the folders of the systems that came (a first load: all of them), pausing between systems. */
  async prepare(meta: LakehouseMetadata, pause: () => Promise<void>): Promise<void> {
    const steps = this.sync(meta);
    while (!steps.next().done) await pause();
  }

  /** Brings the counts up to date, yielding after each system counted; the state is consistent at each yield. */
  private *sync(meta: LakehouseMetadata): Generator<void, boolean> {
    const layout = layoutOf(meta.zones);
    if (layout !== this.layout) {
      this.layout = layout;
      this.systems.clear();
      this.counts.clear();
      this.vacant = 0;
      this.shared = 0;
    }
    // The tables must be the systems' tables, in order (as mergeFragments makes them); else check them all.
    let offset = 0;
    for (const system of meta.sources) {
      if (system.tables.length && meta.tables[offset] !== system.tables[0]) return true;
      offset += system.tables.length;
    }
    if (offset !== meta.tables.length) return true;
    const next = new Map<SourceSystem, number>();
    for (const system of meta.sources) next.set(system, (next.get(system) ?? 0) + 1);
    for (const [system, n] of [...this.systems]) {
      const delta = (next.get(system) ?? 0) - n;
      if (delta >= 0) continue;
      this.add(this.keysOf(system, meta.zones), delta);
      if (n + delta > 0) this.systems.set(system, n + delta);
      else this.systems.delete(system);
    }
    for (const [system, n] of next) {
      const delta = n - (this.systems.get(system) ?? 0);
      if (delta <= 0) continue;
      this.add(this.keysOf(system, meta.zones), delta);
      this.systems.set(system, n);
      yield;
    }
    if (this.vacant > 1024 && this.vacant > this.counts.size / 2) {
      for (const [key, count] of this.counts) if (count === 0) this.counts.delete(key);
      this.vacant = 0;
    }
    return this.shared > 0;
  }

  private add(keys: string[], delta: number): void {
    for (const key of keys) {
      const known = this.counts.get(key);
      const before = known ?? 0;
      const after = Math.max(before + delta, 0);
      this.counts.set(key, after);
      if (before > 0 && after === 0) this.vacant++;
      else if (known === 0 && after > 0) this.vacant--;
      if (before < 2 && after >= 2) this.shared++;
      else if (before >= 2 && after < 2) this.shared--;
    }
  }

  private keysOf(system: SourceSystem, zones: readonly Zone[]): string[] {
    return folderKeysOf(system, zones, this.layout);
  }
}

const keysBySystem = new WeakMap<SourceSystem, { layout: string; keys: string[] }>();

/** A system's folder keys for a layout, kept per system object. */
function folderKeysOf(system: SourceSystem, zones: readonly Zone[], layout = layoutOf(zones)): string[] {
  const cached = keysBySystem.get(system);
  if (cached && cached.layout === layout) return cached.keys;
  const keys: string[] = [];
  zones.forEach((zone, i) => {
    const parts = layoutParts(zone.path ?? DEFAULT_ZONE_LAYOUT);
    for (const table of system.tables) folderKeys(table, zone, parts, keys, `${i}\u0000`);
  });
  keysBySystem.set(system, { layout, keys });
  return keys;
}

/** Per table index (one per project session): its lake folder counts. One shared by two projects would count one and then the other in full at each load. */
const lakeFolderIndexes = new WeakMap<object, LakeFolderIndex>();

/** What checkMeaning keeps from one load to the next (per table index), brought up to date a source system at a time. */
export function prepareMeaning(
  meta: LakehouseMetadata,
  tables: TableLookup,
  pause: () => Promise<void>,
): Promise<void> {
  if (!tables.owner) return Promise.resolve();
  let index = lakeFolderIndexes.get(tables.owner);
  if (!index) lakeFolderIndexes.set(tables.owner, (index = new LakeFolderIndex()));
  return index.prepare(meta, pause);
}

// ---- Placeholders nothing substitutes ----------------------------------------------------------

/** ${VAR}, $(VAR), {{ var }}, %VAR%: a shell's, a pipeline's or a template's, but nobody's here. */
const FOREIGN_PLACEHOLDER = /\$\{[^}]*\}|\$\([^)]*\)|\{\{[^}]*\}\}|%[A-Za-z_][A-Za-z0-9_]*%/;

function checkPlaceholders(meta: LakehouseMetadata, at: MetadataLocator, out: Diagnostic[]): void {
  const foreign = (origin: Origin, field: PathSegment[], value: string | undefined, what: string) => {
    const match = value === undefined ? null : FOREIGN_PLACEHOLDER.exec(value);
    if (!match) return false;
    out.push(
      at.diagnostic(
        RULES.placeholderNotSubstituted,
        origin,
        field,
        `${what} contains ${match[0].slice(0, 60)}, which nothing substitutes: lakehouse.yaml is ` +
          `not expanded from environment variables or pipeline variables, so it would be used as ` +
          `written. Write the value itself (one environment per target, under environments).`,
      ),
    );
    return true;
  };
  for (const env of meta.environments) {
    for (const key of [
      'subscriptionId',
      'tenantId',
      'resourceGroup',
      'factory',
      'storageAccount',
      'databricksHost',
      'bundleTarget',
      'alertUrl',
      'deployUser',
      'catalog',
      'keyVault',
      'alertUrlSecret',
    ] as const) {
      foreign(env.origin, [key], env[key], `${key} of environment '${env.name}'`);
    }
  }
  for (const system of meta.sources) {
    foreign(system.origin, ['server'], system.server, `The server of source '${system.name}'`);
    foreign(system.origin, ['database'], system.database, `The database of source '${system.name}'`);
  }
  for (const zone of meta.zones) {
    if (
      zone.path === undefined ||
      foreign(zone.origin, ['path'], zone.path, `The folder layout of zone '${zone.name}'`)
    )
      continue;
    const unknown = /\{([^{}]*)\}/g;
    for (const match of zone.path.matchAll(unknown)) {
      if (['table', 'schema', 'system'].includes(match[1] ?? '')) continue;
      out.push(
        at.diagnostic(
          RULES.placeholderNotSubstituted,
          zone.origin,
          'path',
          `The folder layout of zone '${zone.name}' uses {${(match[1] ?? '').slice(0, 40)}}, which ` +
            `is not one of {table}, {schema}, {system}: the folder would be named ` +
            `${match[0].slice(0, 42)} literally, the same for every table.`,
        ),
      );
      break;
    }
    if (/[{}]/.test(zone.path.replace(/\{[^{}]*\}/g, ''))) {
      out.push(
        at.diagnostic(
          RULES.placeholderNotSubstituted,
          zone.origin,
          'path',
          `The folder layout of zone '${zone.name}' has an unmatched brace: write placeholders as {table}, {schema} or {system}.`,
        ),
      );
    }
  }
  const databricks = meta.adf?.databricks;
  const known = ['subscriptionId', 'resourceGroup', 'environment', 'bundleTarget', 'project'];
  for (const key of ['notebookFolder', 'workspaceResourceId'] as const) {
    const value = databricks?.[key];
    if (value === undefined || foreign(meta.adf!.origin, ['databricks', key], value, `adf.databricks.${key}`)) continue;
    for (const match of value.matchAll(/\{([^{}]*)\}/g)) {
      if (known.includes(match[1] ?? '')) continue;
      out.push(
        at.diagnostic(
          RULES.placeholderNotSubstituted,
          meta.adf!.origin,
          ['databricks', key],
          `adf.databricks.${key} uses {${(match[1] ?? '').slice(0, 40)}}, which is not one of ` +
            `${known.map(k => `{${k}}`).join(', ')}: it would be written literally into the generated ` +
            `linked service or notebook paths.`,
        ),
      );
      break;
    }
  }
  foreign(meta.adf?.origin ?? meta.paths.origin, ['alertUrl'], meta.adf?.alertUrl, 'adf.alertUrl');
}

// ---- Environments that share what must be their own ---------------------------------------------

interface SharedResource {
  what: string;
  field: keyof Environment;
  value(env: Environment): string | undefined;
  /** Sharing it is wrong only when one side is protected (prod): a shared Key Vault between dev and test, say. */
  tolerableBetweenUnprotected?: boolean;
}

function checkEnvironmentResources(meta: LakehouseMetadata, at: MetadataLocator, out: Diagnostic[]): void {
  const known = (v: string | undefined) =>
    v === undefined || /^TODO/i.test(v) ? undefined : v.toLowerCase().replace(/\/+$/, '');
  const zoneCatalog =
    meta.zones.find(z => z.name === 'silver')?.catalog ?? meta.zones.find(z => z.name === 'gold')?.catalog ?? 'main';
  const resources: SharedResource[] = [
    { what: 'storage account (the lake)', field: 'storageAccount', value: e => known(e.storageAccount) },
    {
      what: 'data factory',
      field: 'factory',
      value: e =>
        known(e.factory) && known(e.resourceGroup)
          ? `${known(e.subscriptionId) ?? ''}/${known(e.resourceGroup)}/${known(e.factory)}`
          : undefined,
    },
    { what: 'Unity Catalog catalog', field: 'catalog', value: e => known(e.catalog ?? zoneCatalog) },
    { what: 'bundle target', field: 'bundleTarget', value: e => known(e.bundleTarget ?? e.name) },
    { what: 'Key Vault', field: 'keyVault', value: e => known(e.keyVault), tolerableBetweenUnprotected: true },
  ];
  const envs = meta.environments;
  for (const resource of resources) {
    const firstBy = new Map<string, Environment>();
    for (const env of envs) {
      const value = resource.value(env);
      if (value === undefined) continue;
      const first = firstBy.get(value);
      if (!first) {
        firstBy.set(value, env);
        continue;
      }
      const protectedSide = env.protected || first.protected;
      if (!protectedSide && resource.tolerableBetweenUnprotected) continue;
      const implicit = resource.field === 'catalog' && env.catalog === undefined;
      const value_ =
        resource.field === 'factory'
          ? env.factory
          : resource.field === 'catalog'
            ? (env.catalog ?? zoneCatalog)
            : String(env[resource.field] ?? env.name);
      out.push(
        at.diagnostic(
          RULES.environmentSharedResource,
          env.origin,
          implicit || env[resource.field] === undefined ? [] : [resource.field],
          `Environments '${first.name}' and '${env.name}' use the same ${resource.what}, ` +
            `${value_}${implicit ? " (neither sets catalog, so both use the zones' catalog)" : ''}: ` +
            `${consequence(resource.field, first, env)} Give each environment its own.`,
          {
            severity: protectedSide ? 'error' : 'warning',
            part: implicit ? 'key' : 'value',
            related: [
              {
                origin: first.origin,
                field: first[resource.field] === undefined ? undefined : resource.field,
                message: `${resource.what} of '${first.name}'`,
              },
            ],
          },
        ),
      );
    }
  }

  for (const env of envs) {
    const url = env.alertUrl;
    if (url && /[?&](sig|code|sv|key)=/i.test(url) && !(env.keyVault && env.alertUrlSecret)) {
      out.push(
        at.diagnostic(
          RULES.alertUrlSecret,
          env.origin,
          'alertUrl',
          `The alert URL of environment '${env.name}' carries its signature ` +
            `(${/[?&](sig|code|sv|key)=/i.exec(url)![1]}=…): committed to git and written into the ` +
            `pipeline's parameters, it lets anyone who reads either call the Logic App. Put it in Key ` +
            `Vault (keyVault and alertUrlSecret): the pipeline reads it at run time.`,
        ),
      );
    }
  }
  const adfUrl = meta.adf?.alertUrl;
  if (adfUrl && /[?&](sig|code|sv|key)=/i.test(adfUrl)) {
    out.push(
      at.diagnostic(
        RULES.alertUrlSecret,
        meta.adf!.origin,
        'alertUrl',
        "adf.alertUrl carries its signature: committed to git and written into the pipeline's " +
          'parameters, it lets anyone who reads either call the Logic App. Set keyVault and ' +
          'alertUrlSecret on each environment instead: the pipeline reads the URL from Key Vault at ' +
          'run time.',
      ),
    );
  }
}

function consequence(field: keyof Environment, a: Environment, b: Environment): string {
  const [dev, prod] = a.protected ? [b, a] : [a, b];
  switch (field) {
    case 'storageAccount':
      return `${dev.name}'s runs would read and write ${prod.name}'s lake.`;
    case 'factory':
      return `deploying ${dev.name} would overwrite ${prod.name}'s pipelines and triggers.`;
    case 'catalog':
      return `${dev.name}'s pipelines would write ${prod.name}'s tables.`;
    case 'bundleTarget':
      return `both would deploy the same bundle target, so one environment's notebooks and pipeline overwrite the other's.`;
    case 'keyVault':
      return `${dev.name} could read ${prod.name}'s secrets.`;
    default:
      return "one would change the other's.";
  }
}

function setKeyFix(at: MetadataLocator, origin: Origin, key: string, value: string, title: string): Fix | undefined {
  const edit = at.replaceValue(origin, [key], value) ?? at.appendToMap(origin, [`${key}: ${value}`]);
  return edit ? { title, edits: [edit] } : undefined;
}

function addToMapFix(at: MetadataLocator, origin: Origin, line: string, title: string): Fix | undefined {
  const edit = at.appendToMap(origin, [line]);
  return edit ? { title, edits: [edit] } : undefined;
}
