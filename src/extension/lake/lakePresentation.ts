// How the Lake view words what it shows: files, folders, watermarks, Delta versions, errors and the
// read-only previews. No `vscode` import: tested in plain Node (test/unit/extension/lakeTree.test.ts).
// Names from the lake are data: they reach Markdown escaped and preview titles without separators.
import type { FolderMark } from '../../core/index';
import type { DeltaHistory, DeltaVersion } from '../../core/lake/deltaLog';
import type { ParquetSummary } from '../../core/lake/parquetFooter';
import type { PreviewLanguage } from '../../core/lake/preview';
import type { WatermarkReading } from '../../core/lake/watermark';
import { formatBytes } from '../../core/text/bytes';
import { plural, safeTitlePart } from '../presentation/names';

/** `2026-12-06 21:03 UTC`: the lake's times are UTC (ADF writes and schedules in UTC). */
export function utcMinute(date: Date | number): string {
  const d = typeof date === 'number' ? new Date(date) : date;
  if (Number.isNaN(d.getTime())) return 'unknown time';
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A file's description in the tree: `2.3 KiB · 2026-12-06 21:03 UTC`. */
export function fileDescription(size: number, lastModified?: Date): string {
  return lastModified ? `${formatBytes(size)} · ${utcMinute(lastModified)}` : formatBytes(size);
}

/** Markdown text with its special characters escaped (names from the lake are data). */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, c => `\\${c}`);
}

/** Code in Markdown: a fence longer than any backtick run inside. */
function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map(m => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${text.includes('`') ? ` ${text} ` : text}${fence}`;
}

export interface FileFacts {
  name: string;
  path: string;
  container: string;
  account: string;
  size: number;
  lastModified?: Date;
  contentType?: string;
}

export function fileTooltip(file: FileFacts): string {
  const lines = [
    `**${md(file.name)}**`,
    '',
    `${code(`${file.container}/${file.path}`)} in storage account ${code(file.account)}`,
    '',
    `Size: ${formatBytes(file.size)} (${file.size.toLocaleString('en-US')} bytes)`,
  ];
  if (file.lastModified)
    lines.push(`Last modified: ${utcMinute(file.lastModified)} (${file.lastModified.toISOString()})`);
  if (file.contentType) lines.push(`Content type: ${code(file.contentType)}`);
  return lines.join('  \n');
}

/** What a folder is to the project, as its description: `table spotify_sql.dbo.DimUser`, `watermark of DimUser`. */
export function folderDescription(mark: FolderMark | undefined, onlyDirectoryMarker = false): string | undefined {
  const parts: string[] = [];
  if (mark?.kind === 'table')
    parts.push(
      `${mark.table.kind} ${mark.table.kind === 'table' ? `${mark.table.schema}.${mark.table.name}` : mark.table.name}`,
    );
  else if (mark?.kind === 'watermark') parts.push(`watermark of ${mark.table.name}`);
  else if (mark?.kind === 'tables') parts.push(`${plural(mark.count, 'table folder')} below`);
  if (onlyDirectoryMarker) parts.push('directory');
  return parts.length ? parts.join(' · ') : undefined;
}

export function folderTooltip(path: string, container: string, mark: FolderMark | undefined): string {
  const lines = [`**${md(path)}** in container ${code(container)}`];
  if (mark?.kind === 'table') {
    lines.push(
      '',
      `The ${mark.zone} folder of ${mark.table.kind} ${code(mark.table.key)}` +
        `${mark.format ? ` (${md(mark.format)})` : ''}, as lakehouse.yaml places it.`,
    );
    if (mark.watermark) lines.push(`Its watermark: ${code(mark.watermark.file)} (${mark.watermark.mode}).`);
  } else if (mark?.kind === 'watermark')
    lines.push('', `Where the pipeline keeps the watermark of ${code(mark.table.key)}: ${code(mark.watermark.file)}.`);
  else if (mark?.kind === 'tables')
    lines.push(
      '',
      `${plural(mark.count, 'table folder')} of zone${mark.zones.length > 1 ? 's' : ''} ${mark.zones.join(', ')} below.`,
    );
  return lines.join('  \n');
}

export type WatermarkView =
  | { found: true; reading: WatermarkReading; lastModified?: Date; size: number }
  | { found: false; message: string }
  /** The read failed (access, network): the message says why. */
  | { failed: string };

/** The watermark item: its description, tooltip and how it looks. */
export function describeWatermark(
  state: WatermarkView,
  file: string,
): { description: string; tooltip: string; look: 'value' | 'none' | 'problem' } {
  if ('failed' in state)
    return { description: 'cannot be read', tooltip: `${code(file)}  \n\n${md(state.failed)}`, look: 'problem' };
  if (!state.found)
    return { description: 'none yet', tooltip: `${code(file)}  \n\n${md(state.message)}`, look: 'none' };
  const when = state.lastModified ? `  \nWritten ${utcMinute(state.lastModified)}.` : '';
  if (!state.reading.ok)
    return {
      description: 'unreadable',
      tooltip: `${code(file)}${when}  \n\n${md(state.reading.message)}`,
      look: 'problem',
    };
  const r = state.reading;
  const kind = r.kind === 'time' ? 'a time' : r.kind === 'number' ? 'a version number' : 'text';
  const lines = [
    `Watermark in ${code(file)}: ${code(r.value)} (${kind}${r.utc ? `, ${r.utc} in UTC` : ''}).${when}`,
    '',
    'The next run copies the rows changed after it, then writes the new one. Open the file to see it as it is.',
  ];
  if (r.note) lines.push('', md(r.note));
  return { description: r.value, tooltip: lines.join('  \n'), look: 'value' };
}

/** `v2 · MERGE`. */
export function versionLabel(version: DeltaVersion): string {
  return `v${version.version}${version.operation ? ` · ${version.operation}` : ''}`;
}

export function versionDescription(version: DeltaVersion): string | undefined {
  return version.timestamp !== undefined ? utcMinute(version.timestamp) : version.problem ? 'no details' : undefined;
}

export function versionTooltip(version: DeltaVersion): string {
  const lines = [`**Version ${version.version}**${version.operation ? ` · ${md(version.operation)}` : ''}`, ''];
  if (version.timestamp !== undefined)
    lines.push(
      `${new Date(version.timestamp).toISOString()}${version.timestampSource === 'fileLastModified' ? ' (the commit file\u2019s time: no commitInfo)' : ''}`,
    );
  if (version.parameters) lines.push(`Parameters: ${code(version.parameters)}`);
  if (version.metrics) lines.push(`Metrics: ${code(version.metrics)}`);
  if (version.engine) lines.push(`Engine: ${md(version.engine)}`);
  if (version.actions) {
    const a = version.actions;
    const counted = [
      a.add ? plural(a.add, 'file added', 'files added') : '',
      a.remove ? plural(a.remove, 'file removed', 'files removed') : '',
      a.metaData ? 'schema or properties set' : '',
      a.protocol ? 'protocol set' : '',
    ].filter(Boolean);
    if (counted.length)
      lines.push(`${counted.join(', ')}${version.partial ? ' (in the part of the commit read)' : ''}`);
  }
  if (version.problem) lines.push('', md(version.problem));
  return lines.join('  \n');
}

/** The Versions item once the log is read: `3 versions · latest v2`. */
export function versionsSummary(history: DeltaHistory): string {
  if (history.latestVersion === undefined) return 'no commits';
  return `${plural(history.commitCount, 'commit')} in the log · latest v${history.latestVersion}`;
}

export function loadMoreLabel(shown: number): { label: string; description: string } {
  return {
    label: 'Load more…',
    description: `${shown.toLocaleString('en-US')} shown; the next page holds up to 5,000`,
  };
}

/** What a failed listing says in the tree, and what clicking it does. */
export interface ErrorView {
  label: string;
  description: string;
  /** The adapter's full message: what happened and what to do. */
  tooltip: string;
  action: 'retry' | 'connect';
}

interface LakeErrorLike {
  name: string;
  kind: string;
  message: string;
  status?: number;
  code?: string;
  target?: { container?: string };
}

function isLakeError(error: unknown): error is LakeErrorLike {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'LakeStorageError' &&
    typeof (error as { kind?: unknown }).kind === 'string'
  );
}

/**
 * A failure of the storage adapter (LakeStorageError, recognised by its name: the class lives in the
 * Azure bundle) as a tree item. `local`: the target is the local emulator, whose fix is to start it.
 */
export function describeLakeError(error: unknown, local: boolean): ErrorView {
  if (!isLakeError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      label: 'Unexpected error',
      description: 'see the log; click to retry',
      tooltip: md(message),
      action: 'retry',
    };
  }
  const tooltip = md(error.message);
  const status = error.status ? `${error.status}` : error.code;
  switch (error.kind) {
    case 'forbidden':
      return {
        label: `Access denied${status ? ` (${status})` : ''}`,
        // The service's code tells a missing data role from a firewall or a wrong key.
        description:
          error.code === 'AuthorizationPermissionMismatch'
            ? 'needs a data role such as Storage Blob Data Reader'
            : error.code === 'AuthorizationFailure'
              ? "the account's firewall, or the key or SAS, refuses it"
              : 'see the tooltip; click to retry',
        tooltip,
        action: 'retry',
      };
    case 'unauthenticated':
      return {
        label: 'Credentials rejected',
        description: local ? 'click to reconnect' : 'click to sign in again',
        tooltip,
        action: 'connect',
      };
    case 'notFound':
      return error.code === 'ContainerNotFound'
        ? {
            label: `Container '${error.target?.container ?? '?'}' does not exist`,
            description: 'deploy or create it, then click to retry',
            tooltip,
            action: 'retry',
          }
        : { label: 'Not found', description: 'deleted or moved? Click to retry', tooltip, action: 'retry' };
    case 'network':
      return local
        ? {
            label: 'The local emulator does not answer',
            description: 'click to start it again',
            tooltip,
            action: 'connect',
          }
        : {
            label: 'Cannot reach the storage account',
            description: 'network, proxy, VPN or firewall? Click to retry',
            tooltip,
            action: 'retry',
          };
    case 'throttled':
      return { label: 'The account is busy', description: 'click to try again in a moment', tooltip, action: 'retry' };
    case 'invalidName':
      return {
        label: 'Name not valid for Azure Storage',
        description: 'check lakehouse.yaml',
        tooltip,
        action: 'retry',
      };
    default:
      return {
        label: `Storage error${status ? ` (${status})` : ''}`,
        description: 'click to retry',
        tooltip,
        action: 'retry',
      };
  }
}

/** The file extension a preview document gets, so the editor highlights it as its language. */
const LANGUAGE_EXTENSION: Record<PreviewLanguage, string> = {
  json: '.json',
  jsonl: '.jsonl',
  csv: '.csv',
  tsv: '.tsv',
  plaintext: '.txt',
  yaml: '.yaml',
  xml: '.xml',
  python: '.py',
  sql: '.sql',
  markdown: '.md',
};

/**
 * A preview tab's name: the file's name, where it is, then an extension for its language, so it is
 * never mistaken for a local file: `cdc.json (bronze · local emulator).json`. A cut preview is
 * plain text and says so in its name: `big.csv (first 1.0 MiB · bronze · dev (Azure)).txt`.
 */
export function previewFileName(
  name: string,
  container: string,
  environment: string,
  view: { kind: 'text'; language: PreviewLanguage; truncatedAt?: number } | { kind: 'parquet' },
): string {
  const where = [container, environment].map(p => safeTitlePart(p, 40));
  if (view.kind === 'parquet') return `${safeTitlePart(name)} (schema · ${where.join(' · ')}).md`;
  if (view.truncatedAt !== undefined)
    return `${safeTitlePart(name)} (first ${formatBytes(view.truncatedAt)} · ${where.join(' · ')}).txt`;
  return `${safeTitlePart(name)} (${where.join(' · ')})${LANGUAGE_EXTENSION[view.language]}`;
}

/** A parquet file's footer as a Markdown document: row count, columns with their types, row groups. */
export function parquetDocument(
  file: { name: string; container: string; path: string; account: string },
  summary: ParquetSummary,
): string {
  const lines = [
    `# ${code(file.name)}`,
    '',
    `${code(`${file.container}/${file.path}`)} in storage account ${code(file.account)}`,
    '',
    `- **Rows:** ${summary.rowCount.toLocaleString('en-US')} in ${plural(summary.rowGroupCount, 'row group')}`,
    `- **Columns:** ${summary.columns.filter(c => c.depth === 0).length}`,
    `- **Size:** ${formatBytes(summary.fileBytes)} (footer ${formatBytes(summary.footerBytes)})`,
    ...(summary.createdBy ? [`- **Created by:** ${md(summary.createdBy)}`] : []),
    `- **Format version:** ${summary.formatVersion}`,
    '',
    'Read from the footer only: the data pages were not downloaded.',
    '',
    '## Schema',
    '',
    ...markdownTable(
      ['Column', 'Physical type', 'Logical type', 'Repetition'],
      summary.columns.map(c => [
        `${'\u00a0\u00a0'.repeat(c.depth)}${code(c.name)}${c.children !== undefined ? ` (${plural(c.children, 'field')})` : ''}`,
        c.physicalType ?? 'group',
        c.logicalType ?? '',
        c.repetition ?? '',
      ]),
    ),
    '',
    '## Row groups',
    '',
    ...markdownTable(
      ['#', 'Rows', 'Uncompressed', 'Compressed'],
      summary.rowGroups.map(g => [
        String(g.index),
        g.rows.toLocaleString('en-US'),
        formatBytes(g.bytes),
        g.compressedBytes !== undefined ? formatBytes(g.compressedBytes) : '',
      ]),
      true,
    ),
  ];
  if (summary.rowGroupCount > summary.rowGroups.length)
    lines.push(
      '',
      `…and ${(summary.rowGroupCount - summary.rowGroups.length).toLocaleString('en-US')} more row groups.`,
    );
  if (summary.metadataKeys.length)
    lines.push('', `Key-value metadata: ${summary.metadataKeys.map(k => code(k)).join(', ')}`);
  return lines.join('\n') + '\n';
}

/**
 * A Markdown table whose columns line up in the raw text too (the preview is read as text first).
 * Cells are one line, with `|` escaped. `numeric`: right-aligned columns.
 */
function markdownTable(headers: string[], rows: string[][], numeric = false): string[] {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const all = [headers, ...rows].map(r => r.map(cell));
  const widths = headers.map((_, i) => Math.max(3, ...all.map(r => r[i]!.length)));
  const pad = (text: string, i: number) => (numeric ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const line = (r: string[]) => `| ${r.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map(w => (numeric ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(all[0]!), rule, ...all.slice(1).map(line)];
}

/**
 * The address a user pastes elsewhere: `abfss://container@account.dfs.core.windows.net/path` for
 * an Azure account (what Spark and Databricks read), the blob URL for the local emulator.
 */
export function lakeAddress(
  lake: { local: boolean; account: string; endpoint: string },
  container: string,
  path: string,
): string {
  if (lake.local) {
    const segments = path.split('/').map(s => encodeURIComponent(s));
    return `${lake.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(container)}/${segments.join('/')}`;
  }
  const host = dfsHost(lake.endpoint, lake.account);
  return `abfss://${container}@${host}/${path}`;
}

/** The dfs host of an account's blob endpoint (`x.blob.core.windows.net` → `x.dfs.core.windows.net`). */
function dfsHost(endpoint: string, account: string): string {
  try {
    const host = new URL(endpoint).host;
    if (host.includes('.blob.')) return host.replace('.blob.', '.dfs.');
  } catch {
    // not a URL: the public cloud's name below
  }
  return `${account}.dfs.core.windows.net`;
}
