// The Runs view and Trigger Pipeline… as a person reads them: status icons and colours, labels,
// descriptions and tooltips of runs and activity runs, what a failure notification says (and how
// several are gathered into one), what an error from Data Factory becomes, the time ranges, and
// the trigger form's entries. No `vscode` import: tested in plain Node; the tree and the commands
// make VS Code objects of these.
import type { Clock, TimerHandle } from '../../core/runs/clock';
import { isAdfCallError } from '../../core/runs/errors';
import type { RunFailedEvent } from '../../core/runs/failures';
import { backfillTagsOf, type RunGroup, type RunsDay, type PipelineRuns } from '../../core/runs/grouping';
import {
  durationOf,
  formatDuration,
  isActiveStatus,
  isFailedStatus,
  statusKind,
  timeOf,
  type ActivityRunRecord,
  type PipelineRunRecord,
} from '../../core/runs/model';
import { parseFieldValue, type TriggerField, type TriggerForm } from '../../core/runs/triggerForm';
import { plural } from '../presentation/names';

// ---- status -------------------------------------------------------------------------------------

export interface StatusLook {
  /** A codicon id (ThemeIcon). */
  icon: string;
  /** A theme colour id (ThemeColor), when the status has one. */
  color?: string;
  /** The status in words. */
  text: string;
}

const LOOKS: Record<string, StatusLook> = {
  queued: { icon: 'clock', color: 'charts.yellow', text: 'Queued' },
  running: { icon: 'sync~spin', color: 'charts.blue', text: 'In progress' },
  succeeded: { icon: 'pass-filled', color: 'testing.iconPassed', text: 'Succeeded' },
  failed: { icon: 'error', color: 'testing.iconFailed', text: 'Failed' },
  cancelling: { icon: 'loading~spin', color: 'charts.orange', text: 'Cancelling' },
  cancelled: { icon: 'circle-slash', color: 'disabledForeground', text: 'Cancelled' },
  skipped: { icon: 'debug-step-over', color: 'disabledForeground', text: 'Skipped' },
};

/** The icon, colour and words of a run's or an activity run's status. */
export function statusLook(status: string): StatusLook {
  if (status.toLowerCase() === 'skipped') return LOOKS['skipped']!;
  return LOOKS[statusKind(status)] ?? { icon: 'question', text: status || 'Unknown' };
}

/** How a run node offers its commands (package.json's `when` clauses match these). */
export function runContextValue(run: PipelineRunRecord): string {
  if (isActiveStatus(run.status)) return 'lakehouse.run.active';
  if (isFailedStatus(run.status)) return 'lakehouse.run.failed';
  const kind = statusKind(run.status);
  return kind === 'succeeded' || kind === 'cancelled' ? `lakehouse.run.${kind}` : 'lakehouse.run.other';
}

// ---- times --------------------------------------------------------------------------------------

/** Minutes east of UTC here and now (the Runs view's days and times are local). */
export function localUtcOffsetMinutes(at = Date.now()): number {
  return -new Date(at).getTimezoneOffset();
}

/** HH:MM:SS of an instant at a fixed offset from UTC; undefined when it is no time. */
export function clockTime(iso: string | undefined, utcOffsetMinutes: number): string | undefined {
  const t = timeOf(iso);
  return t === undefined ? undefined : new Date(t + utcOffsetMinutes * 60_000).toISOString().slice(11, 19);
}

/** YYYY-MM-DD HH:MM:SS at a fixed offset from UTC. */
export function localDateTime(iso: string | undefined, utcOffsetMinutes: number): string | undefined {
  const t = timeOf(iso);
  return t === undefined
    ? undefined
    : new Date(t + utcOffsetMinutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** "just now", "5 min ago", "3 h ago", "2 d ago". */
export function ago(iso: string | undefined, now: number): string | undefined {
  const t = timeOf(iso);
  if (t === undefined) return undefined;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/**
 * Whether the view refreshes by itself: once its first page is in and its credentials were not
 * refused, while it is in sight, or while a run moves even out of sight (so a failure is told);
 * hidden with nothing moving, it stops asking.
 */
export function liveWanted(s: { loaded: boolean; halted: boolean; visible: boolean; active: boolean }): boolean {
  return s.loaded && !s.halted && (s.visible || s.active);
}

/** The time ranges the view offers (ADF keeps 45 days of runs). */
export const TIME_RANGES = [
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { id: '45d', label: 'Last 45 days', ms: 45 * 86_400_000, detail: 'everything Data Factory keeps' },
] as const;

export type TimeRangeId = (typeof TIME_RANGES)[number]['id'];
export const DEFAULT_TIME_RANGE: TimeRangeId = '7d';

export function timeRange(id: string | undefined): (typeof TIME_RANGES)[number] {
  return TIME_RANGES.find(r => r.id === id) ?? TIME_RANGES.find(r => r.id === DEFAULT_TIME_RANGE)!;
}

// ---- text for markdown and one-line places ------------------------------------------------------

/** A value from the service is data: one line, at most `max` characters. */
export function oneLine(text: string, max = 120): string {
  const flat = text
    // eslint-disable-next-line no-control-regex -- control characters never reach a label
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Markdown text that shows `text` as it is (no links, emphasis, HTML or table breaks from data). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~$]/g, c => `\\${c}`).replace(/\r?\n/g, '  \n');
}

/** An inline code span of any text (a fence longer than the text's own backtick runs; pipes escaped for tables). */
export function codeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map(m => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')}${pad}${fence}`;
}

/** A fenced code block of any text. */
export function codeBlock(text: string, language = 'text'): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map(m => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

export function shortRunId(runId: string): string {
  return runId.length > 8 ? runId.slice(0, 8) : runId;
}

// ---- runs ---------------------------------------------------------------------------------------

/** A run's label: its start time (local), or "queued" before it has one. */
export function runLabel(run: PipelineRunRecord, utcOffsetMinutes: number): string {
  return clockTime(run.runStart, utcOffsetMinutes) ?? clockTime(run.lastUpdated, utcOffsetMinutes) ?? 'queued';
}

/** Status · duration · what started it · its window or backfill · why it failed. */
export function runDescription(run: PipelineRunRecord, now: number): string {
  const parts = [statusLook(run.status).text];
  const duration = formatDuration(durationOf(run, now));
  if (duration) parts.push(duration);
  const by = run.invokedBy;
  if (by?.type === 'PipelineActivity' && by.pipelineName) parts.push(`child of ${by.pipelineName}`);
  else if (by?.type && by.type !== 'Manual' && by.name) parts.push(by.name);
  const tags = backfillTagsOf(run);
  if (tags?.backfillId) parts.push(`backfill ${shortRunId(tags.backfillId)}`);
  if (tags?.windowStart) parts.push(`window ${tags.windowStart}`);
  if (run.source === 'journal') parts.push('from the backfill journal');
  if (isFailedStatus(run.status) && run.message) parts.push(oneLine(run.message, 100));
  return parts.join(' · ');
}

const MAX_PARAMETERS_SHOWN = 40;

/** A run's hover: ids, times, who started it, its parameters and its error (data escaped). */
export function runTooltip(run: PipelineRunRecord, now: number, utcOffsetMinutes: number): string {
  const rows: [string, string][] = [
    ['Status', escapeMarkdown(statusLook(run.status).text)],
    ['Run ID', codeSpan(run.runId)],
  ];
  const start = localDateTime(run.runStart, utcOffsetMinutes);
  const end = localDateTime(run.runEnd, utcOffsetMinutes);
  if (start) rows.push(['Started', start]);
  if (end) rows.push(['Ended', end]);
  const duration = formatDuration(durationOf(run, now));
  if (duration) rows.push(['Duration', duration + (isActiveStatus(run.status) ? ' so far' : '')]);
  if (run.invokedBy?.name || run.invokedBy?.type)
    rows.push([
      'Invoked by',
      escapeMarkdown([run.invokedBy.name, run.invokedBy.type].filter(Boolean).join(' · ')) +
        (run.invokedBy.pipelineRunId ? ` (run ${codeSpan(run.invokedBy.pipelineRunId)})` : ''),
    ]);
  if (run.referencePipelineRunId) rows.push(['Rerun of', codeSpan(run.referencePipelineRunId)]);
  if (run.runGroupId && run.runGroupId !== run.runId) rows.push(['Rerun group', codeSpan(run.runGroupId)]);
  if (run.source === 'journal') rows.push(['Source', 'the backfill journal (older than Data Factory keeps)']);
  const lines = [
    `**${escapeMarkdown(run.pipelineName)}**`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
  ];
  const parameters = Object.entries(run.parameters);
  if (parameters.length) {
    lines.push('', '**Parameters**', '', '| Name | Value |', '| --- | --- |');
    for (const [name, value] of parameters.slice(0, MAX_PARAMETERS_SHOWN))
      lines.push(`| ${codeSpan(name)} | ${value === '' ? '*(empty)*' : codeSpan(oneLine(value, 160))} |`);
    if (parameters.length > MAX_PARAMETERS_SHOWN)
      lines.push('', `… and ${parameters.length - MAX_PARAMETERS_SHOWN} more`);
  } else lines.push('', 'No parameters.');
  if (run.message) lines.push('', isFailedStatus(run.status) ? '**Error**' : '**Message**', '', codeBlock(run.message));
  return lines.join('\n');
}

/** A group of a run and its reruns: "Succeeded after 1 rerun". */
export function groupDescription(group: RunGroup): string {
  return `${statusLook(group.latest.status).text} after ${plural(group.reruns.length, 'rerun')}`;
}

/** "original" or "rerun 2", for the runs of a group. */
export function groupMemberLabel(group: RunGroup, run: PipelineRunRecord, utcOffsetMinutes: number): string {
  const time = runLabel(run, utcOffsetMinutes);
  if (run === group.original) return `${time} original`;
  return `${time} rerun ${group.reruns.indexOf(run) + 1}`;
}

/** "3 runs · 1 failed · 1 in progress". */
export function countsText(counts: Record<string, number>): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const parts = [plural(total, 'run')];
  const by: Record<string, number> = {};
  for (const [status, n] of Object.entries(counts)) {
    const text = statusLook(status).text.toLowerCase();
    by[text] = (by[text] ?? 0) + n;
  }
  for (const status of ['failed', 'in progress', 'queued', 'cancelling', 'cancelled'])
    if (by[status]) parts.push(`${by[status]} ${status}`);
  return parts.join(' · ');
}

/** A day's label and description: "2026-12-07", "today · 3 runs · 1 failed". */
export function dayDescription(day: RunsDay, now: number, utcOffsetMinutes: number): string {
  const today = new Date(now + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
  const yesterday = new Date(now + utcOffsetMinutes * 60_000 - 86_400_000).toISOString().slice(0, 10);
  const when = day.day === today ? 'today' : day.day === yesterday ? 'yesterday' : undefined;
  return [when, countsText(day.counts)].filter(Boolean).join(' · ');
}

/** A pipeline's description: its last run's status and when, and how many runs are shown. */
export function pipelineDescription(p: PipelineRuns, now: number): string {
  const runs = p.days.reduce((n, d) => n + d.groups.length, 0);
  const last = `last ${statusLook(p.latest.status).text.toLowerCase()} ${ago(p.latest.runStart ?? p.latest.lastUpdated, now) ?? ''}`;
  return [last.trim(), plural(runs, 'run')].join(' · ');
}

// ---- activity runs ------------------------------------------------------------------------------

export function activityDescription(a: ActivityRunRecord, now: number): string {
  const parts = [statusLook(a.status).text];
  const start = timeOf(a.activityRunStart);
  const end = timeOf(a.activityRunEnd) ?? (a.status.toLowerCase() === 'inprogress' ? now : undefined);
  const ms = a.durationMs ?? (start !== undefined && end !== undefined ? end - start : undefined);
  const duration = formatDuration(ms);
  if (duration) parts.push(duration);
  if (a.activityType) parts.push(a.activityType);
  if (a.error?.message) parts.push(oneLine(a.error.message, 140));
  return parts.join(' · ');
}

export function activityTooltip(a: ActivityRunRecord, utcOffsetMinutes: number): string {
  const rows: [string, string][] = [
    ['Status', escapeMarkdown(statusLook(a.status).text)],
    ['Type', escapeMarkdown(a.activityType ?? '?')],
    ['Activity run ID', codeSpan(a.activityRunId)],
  ];
  const start = localDateTime(a.activityRunStart, utcOffsetMinutes);
  const end = localDateTime(a.activityRunEnd, utcOffsetMinutes);
  if (start) rows.push(['Started', start]);
  if (end) rows.push(['Ended', end]);
  if (a.error?.errorCode) rows.push(['Error code', codeSpan(a.error.errorCode)]);
  if (a.error?.failureType) rows.push(['Failure type', escapeMarkdown(a.error.failureType)]);
  if (a.error?.target) rows.push(['Target', codeSpan(a.error.target)]);
  const lines = [
    `**${escapeMarkdown(a.activityName)}**`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
  ];
  if (a.error?.message) lines.push('', '**Error**', '', codeBlock(a.error.message));
  lines.push('', 'Click to open its input, output and error as JSON.');
  return lines.join('\n');
}

/** What the read-only document of an activity run shows. */
export function activityDocument(run: PipelineRunRecord, a: ActivityRunRecord): string {
  const doc = {
    pipeline: run.pipelineName,
    pipelineRunId: run.runId,
    activity: a.activityName,
    type: a.activityType,
    status: a.status,
    activityRunId: a.activityRunId,
    start: a.activityRunStart,
    end: a.activityRunEnd,
    durationMs: a.durationMs,
    error: a.error,
    input: a.input,
    output: a.output,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

// ---- failures -----------------------------------------------------------------------------------

export interface FailureNotice {
  message: string;
  /** "Show Run" for one failure, "Show Runs" for several. */
  button: string;
}

/** One notification for the failures gathered since the last one. */
export function failureNotice(events: readonly RunFailedEvent[], targetLabel: string): FailureNotice {
  if (events.length === 1) {
    const e = events[0]!;
    return {
      message: `${e.pipelineName} failed on ${targetLabel} (run ${shortRunId(e.runId)}): ${oneLine(e.message, 300)}`,
      button: 'Show Run',
    };
  }
  const byPipeline = new Map<string, number>();
  for (const e of events) byPipeline.set(e.pipelineName, (byPipeline.get(e.pipelineName) ?? 0) + 1);
  const names = [...byPipeline].map(([name, n]) => (n > 1 ? `${name} (${n})` : name));
  const shown = names.length > 4 ? [...names.slice(0, 4), `${names.length - 4} more`] : names;
  const latest = events[events.length - 1]!;
  return {
    message:
      `${events.length} runs failed on ${targetLabel}: ${shown.join(', ')}. ` +
      `Latest: ${latest.pipelineName}: ${oneLine(latest.message, 200)}`,
    button: 'Show Runs',
  };
}

/**
 * Gathers failure events into few notifications: the first waits `batchMs` for others of the same
 * refresh, and no two come closer than `minGapMs`; what fails meanwhile waits for the next. A run
 * is told once.
 */
export class FailureNotices {
  private pending: RunFailedEvent[] = [];
  private readonly told = new Set<string>();
  private timer: TimerHandle | undefined;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly notify: (events: RunFailedEvent[]) => void,
    private readonly options: { batchMs?: number; minGapMs?: number } = {},
  ) {}

  add(event: RunFailedEvent): void {
    if (this.told.has(event.runId)) return;
    this.told.add(event.runId);
    this.pending.push(event);
    if (this.timer) return;
    const batch = this.options.batchMs ?? 1500;
    const gap = this.options.minGapMs ?? 15_000;
    const delay = Math.max(batch, this.lastAt + gap - this.clock.now());
    this.timer = this.clock.setTimer(() => this.flush(), delay);
  }

  private flush(): void {
    this.timer = undefined;
    const events = this.pending;
    this.pending = [];
    if (events.length === 0) return;
    this.lastAt = this.clock.now();
    this.notify(events);
  }

  dispose(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.pending = [];
  }
}

// ---- errors -------------------------------------------------------------------------------------

export interface RunsErrorShown {
  /** One line for a tree item or a notification. */
  label: string;
  /** What happened and what to do. */
  detail: string;
  /** What the item's click does. */
  action: 'signIn' | 'retry' | 'startEmulator';
}

/** An error from Data Factory (or anything thrown) as the view shows it. */
export function describeRunsError(
  e: unknown,
  target: { label: string; local: boolean; factoryName: string },
): RunsErrorShown {
  const message = oneLine(e instanceof Error ? e.message : String(e), 400);
  if (!isAdfCallError(e))
    return { label: `Could not read the runs of ${target.label}`, detail: message, action: 'retry' };
  switch (e.failure) {
    case 'auth':
      return {
        label: `Not allowed to read the runs of ${target.label}${e.status ? ` (${e.status})` : ''}`,
        detail:
          `${message} Sign in again, or ask for a role on factory ${target.factoryName} that can read runs ` +
          `(Data Factory Contributor).`,
        action: target.local ? 'retry' : 'signIn',
      };
    case 'throttled':
      return {
        label: `Data Factory is throttling requests (429)`,
        detail: `${message} The view waits ${Math.ceil((e.retryAfterMs ?? 0) / 1000)} s or more before asking again.`,
        action: 'retry',
      };
    case 'notSent':
      return target.local
        ? {
            label: 'The local emulator does not answer',
            detail: `${message} Use Local Emulator starts it again.`,
            action: 'startEmulator',
          }
        : { label: `Cannot reach ${target.label} (network)`, detail: message, action: 'retry' };
    case 'unclear':
      return { label: `Data Factory did not answer (${e.status ?? 'timeout'})`, detail: message, action: 'retry' };
    case 'rejected':
      return e.status === 404
        ? {
            label: `Factory ${target.factoryName} was not found (404)`,
            detail: `${message} Check the environment's subscriptionId, resourceGroup and factory in lakehouse.yaml.`,
            action: 'retry',
          }
        : {
            label: `Data Factory refused the query${e.status ? ` (${e.status})` : ''}`,
            detail: message,
            action: 'retry',
          };
  }
}

// ---- the trigger form ---------------------------------------------------------------------------

export type FormEntry =
  | { kind: 'start'; label: string; description: string; detail?: string }
  | { kind: 'separator'; label: string }
  | { kind: 'field'; field: TriggerField; label: string; description: string; detail?: string }
  | { kind: 'note'; label: string; detail?: string };

/** A value as the form lists it: text quoted and cut, JSON arrays and objects counted. */
export function summarizeValue(field: Pick<TriggerField, 'type' | 'secure'>, text: string, max = 50): string {
  if (field.secure) return text === '' ? '(default)' : '••••••';
  if ((field.type === 'Array' || field.type === 'Object') && text.trim() !== '') {
    try {
      const value = JSON.parse(text) as unknown;
      if (Array.isArray(value)) return `[${plural(value.length, 'item')}]`;
      if (value && typeof value === 'object') return `{${plural(Object.keys(value).length, 'key')}}`;
    } catch {
      // Not JSON: shown as typed (the form marks it).
    }
  }
  if (text === '') return '(empty)';
  return oneLine(text, max);
}

/** Whether a field was given a value other than its default. */
export function isChanged(field: TriggerField, texts: Readonly<Record<string, string | undefined>>): boolean {
  const text = texts[field.name];
  return text !== undefined && !(field.hasDefault && text === field.defaultText);
}

/**
 * The form as a list: Start Run first, then each parameter with its value (the default until
 * changed), marked changed / required / wrong; then what the form cannot offer.
 */
export function triggerFormEntries(
  form: TriggerForm,
  texts: Readonly<Record<string, string | undefined>>,
  errors: Readonly<Record<string, string>> = {},
): FormEntry[] {
  const changed = form.fields.filter(f => isChanged(f, texts)).length;
  const wrong = Object.keys(errors).length;
  const entries: FormEntry[] = [
    {
      kind: 'start',
      label: '$(play) Start Run',
      description: changed ? `with ${plural(changed, 'changed parameter')}` : 'with the defaults',
      ...(wrong ? { detail: `$(error) ${plural(wrong, 'parameter')} to fix first` } : {}),
    },
  ];
  if (form.fields.length) entries.push({ kind: 'separator', label: 'Parameters (choose one to change it)' });
  for (const field of form.fields) {
    const text = texts[field.name];
    const shown = text ?? field.defaultText;
    const flags = [
      isChanged(field, texts) ? 'changed' : undefined,
      !field.hasDefault && text === undefined ? 'required' : undefined,
    ].filter(Boolean);
    const error = errors[field.name];
    entries.push({
      kind: 'field',
      field,
      label: field.name,
      description: [
        field.type,
        !field.hasDefault && text === undefined ? '—' : summarizeValue(field, shown),
        ...flags,
      ].join(' · '),
      ...(error ? { detail: `$(error) ${oneLine(error, 200)}` } : {}),
    });
  }
  for (const problem of form.problems)
    entries.push({ kind: 'note', label: `$(warning) ${oneLine(problem, 120)}`, detail: problem });
  return entries;
}

export interface FieldInput {
  title: string;
  prompt: string;
  value: string;
  placeHolder: string;
  password: boolean;
}

/** The input box of one parameter: its current text, what to type, and the default. */
export function fieldInput(
  pipelineName: string,
  field: TriggerField,
  texts: Readonly<Record<string, string | undefined>>,
): FieldInput {
  const current = texts[field.name] ?? field.defaultText;
  const byDefault = field.secure
    ? field.hasDefault
      ? "Leave empty to use the pipeline's default."
      : 'Required: the pipeline has no default.'
    : field.hasDefault
      ? `Default: ${field.defaultText === '' ? '(empty)' : oneLine(field.defaultText, 80)}.`
      : 'Required: the pipeline has no default.';
  return {
    title: `${pipelineName}: ${field.name} (${field.type})`,
    prompt: `${field.name}: ${field.placeholder}. ${byDefault} Enter keeps it, Escape goes back to the form.`,
    value: field.secure ? (texts[field.name] ?? '') : current,
    placeHolder: field.placeholder,
    password: field.secure,
  };
}

/** The input box's check: undefined when the text is a value of the field's type (or its default). */
export function validateFieldText(field: TriggerField, text: string): string | undefined {
  if (field.hasDefault && text === field.defaultText) return undefined;
  const result = parseFieldValue(field, text);
  return result.ok ? undefined : result.error;
}

/** What the log says of a run's parameters: names and values, secure ones masked, long ones cut. */
export function parametersForLog(form: TriggerForm, parameters: Record<string, unknown>): string {
  const secure = new Set(form.fields.filter(f => f.secure).map(f => f.name));
  const entries = Object.entries(parameters).map(
    ([k, v]) => `${k}=${secure.has(k) ? '***' : oneLine(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''), 80)}`,
  );
  return entries.length ? entries.join(', ') : 'the defaults';
}

/** "pl_x succeeded on local emulator in 42 s (run 1a2b3c4d)." */
export function finishedMessage(run: PipelineRunRecord, now: number, targetLabel: string): string {
  const duration = formatDuration(durationOf(run, now));
  const status = statusLook(run.status).text.toLowerCase();
  return `${run.pipelineName} ${status} on ${targetLabel}${duration ? ` in ${duration}` : ''} (run ${shortRunId(run.runId)}).`;
}
