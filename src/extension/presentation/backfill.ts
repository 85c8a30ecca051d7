// How the editor words a backfill: a partition as a person reads it, and the notification that
// ends a run with what to do next. No `vscode` import: tested in plain Node.
import type { BackfillSummary } from '../../core/backfill/summary';

export const RERUN_FAILED = 'Rerun Failed Partitions';
export const RESUME = 'Resume';
export const SHOW_LOG = 'Show Log';

/** pl_x@2024-01-01T00:00:00/2024-01-02T00:00:00 → "2024-01-01 (pl_x)"; longer windows as "start → end". */
export function partitionLabel(key: string): string {
  const at = key.lastIndexOf('@');
  if (at < 0) return key;
  const [start = '', end = ''] = key.slice(at + 1).split('/');
  const day = (t: string) => (t.endsWith('T00:00:00') ? t.slice(0, 10) : t);
  const oneDay = Date.parse(`${end}Z`) - Date.parse(`${start}Z`) === 86_400_000 && start.endsWith('T00:00:00');
  return `${oneDay ? day(start) : `${day(start)} → ${day(end)}`} (${key.slice(0, at)})`;
}

export interface SummaryMessage {
  severity: 'info' | 'warning';
  text: string;
  actions: string[];
}

/** The notification at the end of a run: stopped (Resume), all succeeded, or failures (Rerun Failed Partitions). */
export function summaryMessage(s: BackfillSummary, targetLabel: string, cancelled: boolean): SummaryMessage {
  const inFlight = s.running + s.queued;
  const done = s.succeeded + s.failed + s.cancelled + s.unknown;
  if (cancelled || !s.complete)
    return {
      severity: 'info',
      text:
        `Lakehouse: backfill ${s.id} on ${targetLabel} stopped: ${done}/${s.total} partitions done` +
        `${inFlight ? `, ${inFlight} run(s) go on in the factory` : ''}` +
        `${s.stoppedBecause ? ` (${oneLine(s.stoppedBecause)})` : ''}. Its journal is kept.`,
      actions: [RESUME, SHOW_LOG],
    };
  if (s.succeeded === s.total && s.duplicates === 0)
    return {
      severity: 'info',
      text: `Lakehouse: backfill ${s.id} on ${targetLabel}: all ${s.total} partition(s) succeeded.`,
      actions: [SHOW_LOG],
    };
  const failed = s.partitions.find(p => p.status === 'failed');
  const first = failed
    ? ` ${partitionLabel(failed.key)}: ${oneLine(failed.message ?? 'failed without a message')}`
    : '';
  return {
    severity: 'warning',
    text:
      `Lakehouse: backfill ${s.id} on ${targetLabel}: ${s.succeeded} succeeded, ${s.failed} failed` +
      `${s.cancelled ? `, ${s.cancelled} cancelled` : ''}${s.unknown ? `, ${s.unknown} unknown` : ''}` +
      `${s.duplicates ? `, ${s.duplicates} duplicate run(s)` : ''}.${first}`,
    actions: [...(s.failed + s.cancelled + s.unknown > 0 ? [RERUN_FAILED] : []), SHOW_LOG],
  };
}

function oneLine(text: string, max = 200): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
