// Rules that check an ADF folder against the project's metadata (the metadata is the single source
// of truth for what the factory copies).
import { makeDiagnostic, type Diagnostic } from '../../diagnostics/diagnostic';
import { RULES } from '../../diagnostics/rules';
import type { LakehouseMetadata } from '../../metadata/model';
import { keysOf, type TableLookup } from '../../metadata/semanticRules';
import { jsonSpan, type AdfFile } from '../adfFile';
import type { AdfFactory } from '../adfFolder';
import type { MetadataLoop } from '../metadataLoops';

/** A loop's findings, for its (immutable) file and the state of the table index they were found against. */
const loopFindings = new WeakMap<MetadataLoop, { file: AdfFile; keysVersion: number; out: Diagnostic[] }>();

/**
 * LH404: a metadata-driven loop (a ForEach over an array parameter of tables) copies a table the
 * metadata does not declare. Nothing is reported while no table is declared (a fresh project:
 * importing the factory is the way forward). With a session's table index (`tables`), a loop is
 * looked up again only when a table name comes or goes; `pause` gives the event loop back between
 * loops.
 */
export async function checkLoopsAgainstMetadata(
  adf: AdfFactory,
  metadata: LakehouseMetadata,
  out: Diagnostic[],
  tables?: TableLookup,
  pause?: () => Promise<void> | void,
): Promise<void> {
  if (metadata.tables.length === 0) return;
  let declares = tables?.declares?.bind(tables);
  if (!declares) {
    const declared = new Set(metadata.tables.map(t => keysOf(t)[1] as string));
    declares = key => declared.has(key);
  }
  const files = new Map(adf.files.map(f => [f.file, f]));
  for (const loop of adf.loops) {
    const file = files.get(loop.file);
    if (!file) continue;
    const version = tables?.keysVersion;
    const cached = loopFindings.get(loop);
    if (version !== undefined && cached && cached.file === file && cached.keysVersion === version) {
      for (const d of cached.out) out.push(d);
      continue;
    }
    const own: Diagnostic[] = [];
    await pause?.();
    checkLoop(loop, file, declares, own);
    if (version !== undefined) loopFindings.set(loop, { file, keysVersion: version, out: own });
    for (const d of own) out.push(d);
  }
}

function checkLoop(loop: MetadataLoop, file: AdfFile, declares: (key: string) => boolean, out: Diagnostic[]): void {
  for (const item of loop.items) {
    if (declares(`${item.schema}.${item.table}`.toLowerCase())) continue;
    const span = jsonSpan(file, [...item.path, ...tableKeyPath(file, item.path)]) ??
      jsonSpan(file, item.path) ?? [0, 0];
    out.push(
      makeDiagnostic(
        file.file,
        file.lines,
        span,
        RULES.adfLoopTableUndeclared,
        `Pipeline '${loop.pipeline}' copies ${item.schema}.${item.table} (parameter ` +
          `'${loop.parameter}'), which lakehouse.yaml does not declare. Declare it under sources so ` +
          `the metadata stays the single source of truth.`,
      ),
    );
  }
}

function tableKeyPath(file: AdfFile, itemPath: (string | number)[]): string[] {
  let node: unknown = file.value;
  for (const s of itemPath)
    node = node && typeof node === 'object' ? (node as Record<string | number, unknown>)[s] : undefined;
  if (!node || typeof node !== 'object') return [];
  const key = Object.keys(node).find(k =>
    ['table', 'table_name', 'tablename', 'source_table'].includes(k.toLowerCase()),
  );
  return key ? [key] : [];
}
