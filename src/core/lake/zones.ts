// The Lake view's map of the project: each zone of lakehouse.yaml (`lake.zones`) with its container
// and, per table, the folder it writes there (and in bronze, its watermark folder), so the tree can
// go Zones → containers → folders → files and say which folder belongs to which table.
import type { CdcMode, LakehouseMetadata, SourceSystem, Table, Zone } from '../metadata/model';
import {
  layoutParts,
  folderFromParts,
  watermarkFolder,
  WATERMARK_FILE,
  DEFAULT_ZONE_LAYOUT,
} from '../metadata/lakeLayout';
import { TableResolver } from '../metadata/semanticRules';
import { writesWatermark } from '../adf/generate/pipeline';

/** What a folder belongs to, as the tree names it: a source table (bronze, silver) or a star-schema table (gold). */
export interface LakeTableRef {
  kind: 'table' | 'dimension' | 'fact';
  /** The source table's system and schema (for a dimension or fact: of its source table, '' when it resolves to none). */
  system: string;
  schema: string;
  /** The table's name, or the dimension's or fact's. */
  name: string;
  /** system.schema.name for a source table; the dimension's or fact's name otherwise. */
  key: string;
  /** A dimension's or fact's source, as written in the metadata. */
  source?: string;
}

export interface LakeTableFolder {
  table: LakeTableRef;
  zone: string;
  container: string;
  /** The table's folder in the container, without a trailing '/' (e.g. `users`, `raw/spotify/users`). */
  folder: string;
  format?: string;
  /** Bronze only, for tables whose pipeline keeps a watermark: `<folder>_cdc`, its `cdc.json`, and what the value is (the table's cdcMode). */
  watermark?: { folder: string; file: string; mode: CdcMode };
  /** Why the folder cannot be named (a placeholder the layout does not know); the tree shows it instead. */
  problem?: string;
}

export interface LakeZone {
  name: string;
  container: string;
  /** Why the container name cannot reach the service (Azure's naming rules); nothing is listed then. */
  containerProblem?: string;
  /** The zone's `path` (default `{table}`). */
  layout: string;
  /** The folders of the layout before its first placeholder (`raw/` for `raw/{table}`), '' when none: where the zone starts. */
  root: string;
  format?: string;
  tables: LakeTableFolder[];
}

/** What a listed folder is to the project. */
export type FolderMark =
  | {
      kind: 'table';
      zone: string;
      table: LakeTableRef;
      format?: string;
      /** The table's watermark file (bronze, incremental tables), shown with its folder. */
      watermark?: { file: string; mode: CdcMode };
    }
  | { kind: 'watermark'; zone: string; table: LakeTableRef; watermark: { file: string; mode: CdcMode } }
  /** A folder on the way to table folders (`raw/` of `raw/{schema}/{table}`), with how many are below. */
  | { kind: 'tables'; zones: string[]; count: number };

/** Azure's container names: 3–63 of a-z, 0-9 and '-', starting and ending with a letter or digit, no '--'. */
export function containerNameProblem(name: string): string | undefined {
  if (name === '$root' || name === '$logs' || name === '$web') return undefined;
  if (name.length < 3 || name.length > 63)
    return `Container name '${name}' has ${name.length} characters; Azure allows 3 to 63.`;
  if (!/^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$/.test(name))
    return `Container name '${name}' is not valid in Azure: lower-case letters, digits and single hyphens, starting and ending with a letter or digit.`;
  return undefined;
}

const UNKNOWN_PLACEHOLDER = /\{(?!table\}|schema\}|system\})[^{}]*\}/;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a of a text into a running hash, then a separator (ab + c must not hash as a + bc). */
function mixText(hash: number, text: string): number {
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return Math.imul(hash ^ 0x1f, FNV_PRIME);
}

/** What lakeZones() reads of a table. */
function mixTable(hash: number, t: Table): number {
  hash = mixText(hash, t.system);
  hash = mixText(hash, t.schema);
  hash = mixText(hash, t.name);
  return mixText(hash, writesWatermark(t) ? t.cdcMode : '-');
}

/** Per source system object (the model's objects are never changed: an edit makes new ones), the hash of its tables. */
const systemHashes = new WeakMap<SourceSystem, number>();

function systemHash(system: SourceSystem): number {
  let hash = systemHashes.get(system);
  if (hash === undefined) {
    hash = FNV_OFFSET;
    for (const t of system.tables) hash = mixTable(hash, t);
    systemHashes.set(system, hash);
  }
  return hash;
}

/** Whether meta.tables are the systems' tables in order (as mergeFragments makes them). */
function tablesAreTheSystems(metadata: LakehouseMetadata): boolean {
  let offset = 0;
  for (const system of metadata.sources)
    for (const table of system.tables) if (metadata.tables[offset++] !== table) return false;
  return offset === metadata.tables.length;
}

/**
 * What lakeZones() reads of the metadata, as a short text that changes when its result can: the
 * zones' settings as they are, and the tables, dimensions and facts as one FNV-1a hash. A keystroke
 * at 10,000 tables costs a pass over the edited file's systems (the others' hashes are kept per
 * system object) instead of every table folder rebuilt and compared (the Lake view asks after
 * each pause in typing).
 */
export function lakeZonesSignature(metadata: LakehouseMetadata): string {
  let hash = FNV_OFFSET;
  const mix = (text: string): void => {
    hash = mixText(hash, text);
  };
  if (tablesAreTheSystems(metadata))
    for (const system of metadata.sources) hash = Math.imul(hash ^ systemHash(system), FNV_PRIME);
  else for (const t of metadata.tables) hash = mixTable(hash, t);
  for (const d of metadata.dimensions) {
    mix(d.name);
    mix(d.source);
  }
  for (const f of metadata.facts) {
    mix(f.name);
    mix(f.source);
  }
  const zones = metadata.zones.map(z => [z.name, z.container, z.path ?? '', z.format ?? '']);
  return `${JSON.stringify(zones)}#${metadata.tables.length}/${metadata.dimensions.length}/${metadata.facts.length}#${(hash >>> 0).toString(16)}`;
}

/**
 * The zones of the project with their containers and the folder of each table in them, in metadata
 * order: source tables in bronze and silver (and any other zone), the star schema's dimensions and
 * facts in gold (named after them, the `{schema}` and `{system}` of their source table). A zone's
 * `tables` are made when first read: at 10,000 tables they are a few hundred milliseconds, and the
 * Lake view needs them only to mark the folders of a lake it lists.
 */
export function lakeZones(metadata: LakehouseMetadata): LakeZone[] {
  let sourceTables: LakeTableRef[] | undefined;
  let starTables: LakeTableRef[] | undefined;
  let tableByKey: Map<string, Table> | undefined;
  const sources = (): LakeTableRef[] => {
    if (sourceTables) return sourceTables;
    sourceTables = [];
    const seen = new Set<string>();
    for (const table of metadata.tables) {
      const key = `${table.system}.${table.schema}.${table.name}`;
      if (seen.has(key.toLowerCase())) continue; // declared twice: reported by the metadata checks
      seen.add(key.toLowerCase());
      sourceTables.push({ kind: 'table', system: table.system, schema: table.schema, name: table.name, key });
    }
    return sourceTables;
  };
  const stars = (): LakeTableRef[] => {
    if (starTables) return starTables;
    const resolver = new TableResolver(metadata.tables);
    starTables = [
      ...metadata.dimensions.map(d => ({ kind: 'dimension' as const, name: d.name, source: d.source })),
      ...metadata.facts.map(f => ({ kind: 'fact' as const, name: f.name, source: f.source })),
    ].map(item => {
      const source = resolver.resolve(item.source)[0];
      return { ...item, system: source?.system ?? '', schema: source?.schema ?? '', key: item.name };
    });
    return starTables;
  };
  const byKey = () => (tableByKey ??= new Map(metadata.tables.map(t => [`${t.system}.${t.schema}.${t.name}`, t])));
  return metadata.zones.map(zone => zoneOf(zone, zone.name === 'gold' ? stars : sources, byKey));
}

function zoneOf(
  zone: Zone,
  tablesOf: () => readonly LakeTableRef[],
  tableByKey: () => ReadonlyMap<string, Table>,
): LakeZone {
  const layout = zone.path ?? DEFAULT_ZONE_LAYOUT;
  const unknown = UNKNOWN_PLACEHOLDER.exec(layout)?.[0];
  const problem = unknown
    ? `The folder pattern of zone '${zone.name}' uses ${unknown}, which is not one of {table}, {schema}, {system}.`
    : undefined;
  const folders = (): LakeTableFolder[] => {
    const parts = layoutParts(layout);
    const bySource = tableByKey();
    const out: LakeTableFolder[] = [];
    for (const table of tablesOf()) {
      const folder = folderFromParts(parts, table);
      const entry: LakeTableFolder = {
        table,
        zone: zone.name,
        container: zone.container,
        folder,
        ...(zone.format !== undefined ? { format: zone.format } : {}),
        ...(problem ? { problem } : {}),
      };
      const source = table.kind === 'table' ? bySource.get(table.key) : undefined;
      if (zone.name === 'bronze' && source && writesWatermark(source)) {
        const cdc = watermarkFolder(folder);
        entry.watermark = { folder: cdc, file: `${cdc}/${WATERMARK_FILE}`, mode: source.cdcMode };
      }
      out.push(entry);
    }
    return out;
  };
  const containerProblem = containerNameProblem(zone.container);
  let tables: LakeTableFolder[] | undefined;
  return {
    name: zone.name,
    container: zone.container,
    ...(containerProblem ? { containerProblem } : {}),
    layout,
    root: layoutRoot(layout),
    ...(zone.format !== undefined ? { format: zone.format } : {}),
    get tables() {
      return (tables ??= folders());
    },
  };
}

/** The constant folders a layout starts with: `raw/` of `raw/{system}/{table}`, '' for `{table}` or `t_{table}`. */
export function layoutRoot(layout: string): string {
  const first = layout.search(/\{/);
  const constant = (first < 0 ? layout : layout.slice(0, first)).replace(/^\/+/, '');
  const cut = constant.lastIndexOf('/');
  return cut < 0 ? '' : constant.slice(0, cut + 1);
}

/** A folder path as a listing key: no leading '/', exactly one trailing '/' ('' for the container's root). */
export function folderKey(folder: string): string {
  const trimmed = folder.replace(/^\/+|\/+$/g, '');
  return trimmed ? `${trimmed}/` : '';
}

/**
 * Marks for listed folders, by container: a table's folder, its watermark folder, or a folder on
 * the way to table folders. Built once per metadata; lookups are exact (blob names are
 * case-sensitive, and so is what the pipeline writes).
 */
export class LakeFolderMarks {
  private readonly byContainer = new Map<string, Map<string, FolderMark>>();

  constructor(zones: readonly LakeZone[]) {
    for (const zone of zones) {
      if (zone.containerProblem) continue;
      const marks = this.containerMarks(zone.container);
      for (const entry of zone.tables) {
        if (entry.problem) continue;
        const watermark = entry.watermark ? { file: entry.watermark.file, mode: entry.watermark.mode } : undefined;
        this.set(marks, entry.folder, {
          kind: 'table',
          zone: zone.name,
          table: entry.table,
          ...(entry.format !== undefined ? { format: entry.format } : {}),
          ...(watermark ? { watermark } : {}),
        });
        if (watermark)
          this.set(marks, entry.watermark!.folder, {
            kind: 'watermark',
            zone: zone.name,
            table: entry.table,
            watermark,
          });
        for (const ancestor of ancestorsOf(entry.folder)) {
          const existing = marks.get(ancestor);
          if (!existing) marks.set(ancestor, { kind: 'tables', zones: [zone.name], count: 1 });
          else if (existing.kind === 'tables') {
            existing.count++;
            if (!existing.zones.includes(zone.name)) existing.zones.push(zone.name);
          }
        }
      }
    }
  }

  /** The mark of a folder of a container ('a/b' or 'a/b/'), undefined for a folder the project does not name. */
  markOf(container: string, folder: string): FolderMark | undefined {
    return this.byContainer.get(container)?.get(folderKey(folder));
  }

  private containerMarks(container: string): Map<string, FolderMark> {
    let marks = this.byContainer.get(container);
    if (!marks) this.byContainer.set(container, (marks = new Map()));
    return marks;
  }

  /** A table's own folder wins over a "tables below" mark (a table folder may also hold other tables' folders). */
  private set(marks: Map<string, FolderMark>, folder: string, mark: FolderMark): void {
    const key = folderKey(folder);
    if (!key) return;
    const existing = marks.get(key);
    if (!existing || existing.kind === 'tables') marks.set(key, mark);
  }
}

function ancestorsOf(folder: string): string[] {
  const segments = folder.split('/').filter(Boolean);
  const out: string[] = [];
  for (let i = 1; i < segments.length; i++) out.push(`${segments.slice(0, i).join('/')}/`);
  return out;
}
