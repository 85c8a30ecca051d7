// Where a table's files live in a zone of the lake: one formula for the ADF generator (the bronze
// folder the copy writes), the folder collision rule (LH207's neighbour in meaningRules.ts) and the
// Lake view, so the three never disagree on a folder name.
import type { Table, Zone } from './model';

/** A zone without `path` keeps each table in a folder named after it. */
export const DEFAULT_ZONE_LAYOUT = '{table}';

/** The bronze zone keeps an incremental table's watermark file in `<table folder>_cdc/cdc.json`. */
export const WATERMARK_FOLDER_SUFFIX = '_cdc';
export const WATERMARK_FILE = 'cdc.json';

const PLACEHOLDERS = /(\{table\}|\{schema\}|\{system\})/;

/** A layout split once around its placeholders (odd entries are the placeholders), for many tables. */
export function layoutParts(layout: string): string[] {
  return layout.split(PLACEHOLDERS);
}

/** A table's folder from a split layout: placeholders filled in, no leading or trailing '/'. */
export function folderFromParts(parts: readonly string[], table: Pick<Table, 'name' | 'schema' | 'system'>): string {
  let folder = '';
  for (const part of parts)
    folder +=
      part === '{table}' ? table.name : part === '{schema}' ? table.schema : part === '{system}' ? table.system : part;
  return folder.startsWith('/') || folder.endsWith('/') ? folder.replace(/^\/+|\/+$/g, '') : folder;
}

/** A table's folder in a zone (the zone's `path` layout, default `{table}`). */
export function tableFolder(
  zone: Pick<Zone, 'path'> | undefined,
  table: Pick<Table, 'name' | 'schema' | 'system'>,
): string {
  return folderFromParts(layoutParts(zone?.path ?? DEFAULT_ZONE_LAYOUT), table);
}

/** The folder of a table's watermark file, beside its bronze folder. */
export function watermarkFolder(bronzeTableFolder: string): string {
  return `${bronzeTableFolder}${WATERMARK_FOLDER_SUFFIX}`;
}
