// Rules that check an ADF folder against the project's metadata (the metadata is the single source
// of truth for what the factory copies).
import { makeDiagnostic, type Diagnostic } from '../../diagnostics/diagnostic';
import { RULES } from '../../diagnostics/rules';
import type { LakehouseMetadata } from '../../metadata/model';
import { keysOf } from '../../metadata/semanticRules';
import { jsonSpan, type AdfFile } from '../adfFile';
import type { AdfFactory } from '../adfFolder';

/**
 * LH404: a metadata-driven loop (a ForEach over an array parameter of tables) copies a table the
 * metadata does not declare. Nothing is reported while no table is declared (a fresh project:
 * importing the factory is the way forward).
 */
export function checkLoopsAgainstMetadata(adf: AdfFactory, metadata: LakehouseMetadata): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (metadata.tables.length === 0) return out;
  const declared = new Set(metadata.tables.map(t => keysOf(t)[1] as string));
  const files = new Map(adf.files.map(f => [f.file, f]));
  for (const loop of adf.loops) {
    const file = files.get(loop.file);
    if (!file) continue;
    for (const item of loop.items) {
      if (declared.has(`${item.schema}.${item.table}`.toLowerCase())) continue;
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
  return out;
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
