// "Backfill…": the tables (the factory's own watermark loops decide which a window applies to),
// the date range (the last day exclusive), the granularity with each choice's partition count, the
// concurrency, then a review of what will run (Cancel first), then the run under a cancellable
// progress notification (backfillManager.ts). From a table or source system in the Sources view,
// those tables come preselected. "Resume Backfill…" lists the project's unfinished backfills (the
// CLI's too) and those with failed partitions.
import * as vscode from 'vscode';
import type { BackfillSummary } from '../../core/index';
import type { PlanEntry } from '../../core/backfill/journal';
import type { WindowedTable } from '../../core/backfill/targets';
import type { Context } from '../context';
import { loadAzure } from '../azure/lazyAzure';
import { confirmProtectedEnvironment } from '../editor/results';
import { review } from '../editor/review';
import type { SourcesNode } from '../sources/sourcesTreeDataProvider';
import { requireTrust } from '../trust';
import type { OpenedTarget } from '../operations/operations';
import { partitionLabel } from '../presentation/backfill';

const STEPS = 5;
const DAY_MS = 86_400_000;
const GRANULARITIES = ['day', 'week', 'month'] as const;

export async function backfill(ctx: Context, node?: SourcesNode): Promise<BackfillSummary | undefined> {
  if (!(await requireTrust('Backfill', "it starts pipeline runs in the factory this workspace's settings name")))
    return undefined;
  await ctx.projects.whenIdle();
  const snapshot = node && 'snapshot' in node ? node.snapshot : ctx.currentProject();
  if (!snapshot) {
    void vscode.window.showInformationMessage('Lakehouse: no lakehouse project is open.');
    return undefined;
  }
  const opened = await ctx.operations.open(snapshot);
  if (!opened) return undefined;
  const azure = loadAzure();
  const { target } = opened;
  const settings = azure.backfillSettingsOf(snapshot.metadata);

  // What the factory runs: its deployed pipelines (their loops list the tables a window applies to).
  let pipelines;
  try {
    pipelines = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Reading the pipelines of ${target.label}…` },
      () => azure.factoryPipelinesFor(target, opened.credential),
    );
  } catch (e) {
    ctx.log.error(`backfill: reading the pipelines of ${target.label} failed: ${(e as Error)?.message ?? e}`);
    void vscode.window
      .showErrorMessage(
        `Lakehouse: cannot read the pipelines of ${target.label}: ${(e as Error)?.message ?? e}`,
        'Show Log',
      )
      .then(choice => choice && ctx.log.show());
    return undefined;
  }
  let tables: WindowedTable[];
  try {
    tables = azure.backfillTables(settings, pipelines);
  } catch (e) {
    if (!(e instanceof azure.BackfillInputError)) throw e;
    const deploy = 'Deploy to Environment…';
    void vscode.window
      .showErrorMessage(`Lakehouse: no backfill on ${target.label}: ${e.message}`, deploy)
      .then(choice => choice === deploy && vscode.commands.executeCommand('lakehouse.deploy'));
    return undefined;
  }

  const title = (step: number, what: string) => `Backfill on ${target.label} (${step}/${STEPS}): ${what}`;
  const chosen = await pickTables(tables, preselection(node), title(1, 'tables'));
  if (!chosen) return undefined;
  const now = Date.now();
  const range = await askRange(title, now);
  if (!range) return undefined;
  const place = { environment: target.environment, factory: azure.factoryIdOf(target) };
  const planFor = (granularity: string, concurrency?: number): PlanEntry =>
    azure.prepareBackfill(
      settings,
      pipelines,
      { tables: chosen, ...range, granularity, ...(concurrency !== undefined ? { concurrency } : {}) },
      place,
      now,
    );
  const granularity = await pickGranularity(planFor, title(4, 'granularity'));
  if (!granularity) return undefined;
  const concurrency = await askConcurrency(title(5, 'concurrency'));
  if (concurrency === undefined) return undefined;
  let plan: PlanEntry;
  try {
    plan = planFor(granularity, concurrency);
  } catch (e) {
    if (!(e instanceof azure.BackfillInputError)) throw e;
    void vscode.window.showErrorMessage(`Lakehouse: ${e.message}`);
    return undefined;
  }
  if (!(await reviewPlan(plan, opened))) return undefined;
  if (target.protected && !(await confirmProtectedEnvironment(target.environment, 'Backfill'))) return undefined;

  const { connection, folder } = ctx.backfills.connect(opened);
  let held;
  try {
    held = await azure.createBackfill(connection, plan);
  } catch (e) {
    await folder.close();
    if (!(e instanceof azure.JournalError || e instanceof azure.JournalLockedError)) throw e;
    void vscode.window.showErrorMessage(`Lakehouse: ${e.message}`);
    return undefined;
  }
  ctx.log.info(
    `backfill ${plan.id} on ${target.label}: ${azure.describePlan(plan)}, concurrency ${plan.concurrency}; ` +
      `${plan.targets.map(t => `${t.pipeline}: ${t.tables.join(', ')}`).join('; ')}`,
  );
  for (const note of plan.notes) ctx.log.info(`backfill ${plan.id}: note: ${note}`);
  return ctx.backfills.run(held, folder, opened);
}

/** The tables a Sources item stands for: a table, or a source system's tables. */
function preselection(node: SourcesNode | undefined): ((t: WindowedTable) => boolean) | undefined {
  if (node?.kind === 'table') {
    const wanted = node.table.qualifiedName.toLowerCase();
    return t => t.key.toLowerCase() === wanted;
  }
  if (node?.kind === 'system') {
    const names = new Set(node.system.tables.map(t => t.qualifiedName.toLowerCase()));
    return t => names.has(t.key.toLowerCase());
  }
  return undefined;
}

/** Every table, unless a Sources item chose some. Undefined: cancelled. 'all' when every table is picked. */
async function pickTables(
  tables: WindowedTable[],
  preselected: ((t: WindowedTable) => boolean) | undefined,
  title: string,
): Promise<string[] | 'all' | undefined> {
  const pipelines = new Set(tables.map(t => t.pipeline));
  const items = tables.map(t => ({
    label: t.key,
    description: t.fromDate
      ? `backfillFrom ${t.fromDate.slice(0, 10)}`
      : 'no backfill date: copied from the range’s start',
    ...(pipelines.size > 1 ? { detail: `copied by ${t.pipeline}` } : {}),
    picked: preselected ? preselected(t) : true,
    key: t.key,
  }));
  for (;;) {
    const picked = await vscode.window.showQuickPick(items, {
      title,
      placeHolder: 'Tables to copy again, window by window (Space toggles a table)',
      canPickMany: true,
      ignoreFocusOut: true,
      matchOnDescription: true,
    });
    if (!picked) return undefined;
    if (picked.length === items.length) return 'all';
    if (picked.length) return picked.map(p => p.key);
    void vscode.window.showWarningMessage('Lakehouse: choose at least one table to backfill.');
    for (const item of items) item.picked = false;
  }
}

const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The first day and the day after the last (exclusive), checked as they are typed. */
async function askRange(
  title: (step: number, what: string) => string,
  now: number,
): Promise<{ from: string; to: string } | undefined> {
  const azure = loadAzure();
  const today = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
  const parse = (text: string, what: string): number | string => {
    try {
      return azure.parseBackfillDate(text, what);
    } catch (e) {
      return (e as Error).message;
    }
  };
  const from = await vscode.window.showInputBox({
    title: title(2, 'from'),
    prompt: 'First day to copy (UTC): YYYY-MM-DD, or a UTC time such as 2024-01-01T06:00:00Z',
    value: dayText(today - 7 * DAY_MS),
    ignoreFocusOut: true,
    validateInput: text => {
      const t = parse(text, 'The first day');
      if (typeof t === 'string') return t;
      return t >= now ? `${text.trim()} is not in the past: a backfill copies windows that have happened.` : undefined;
    },
  });
  if (from === undefined) return undefined;
  const start = parse(from, 'The first day') as number;
  const to = await vscode.window.showInputBox({
    title: title(3, 'to (exclusive)'),
    prompt: `Day after the last day to copy (exclusive, UTC): January is 2024-01-01 to 2024-02-01. From ${from.trim()}.`,
    value: dayText(Math.max(today, start + DAY_MS)),
    ignoreFocusOut: true,
    validateInput: text => {
      const t = parse(text, 'The end');
      if (typeof t === 'string') return t;
      return t <= start ? `The end is exclusive and must be after ${from.trim()}.` : undefined;
    },
  });
  if (to === undefined) return undefined;
  return { from: from.trim(), to: to.trim() };
}

/** Day, week or month, each with the partitions it makes (or why it cannot). */
async function pickGranularity(
  planFor: (granularity: string) => PlanEntry,
  title: string,
): Promise<string | undefined> {
  const azure = loadAzure();
  const items = GRANULARITIES.map(g => {
    try {
      const n = planFor(g).partitions.length;
      return { label: g, description: `${n} partition${n === 1 ? '' : 's'}`, error: undefined as string | undefined };
    } catch (e) {
      if (!(e instanceof azure.BackfillInputError)) throw e;
      return { label: g, description: `$(error) ${e.message}`, error: e.message };
    }
  });
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'How to cut the range: UTC days, ISO weeks (from Monday) or calendar months; one run per window',
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.error) {
    void vscode.window.showErrorMessage(`Lakehouse: ${picked.error}`);
    return undefined;
  }
  return picked.label;
}

async function askConcurrency(title: string): Promise<number | undefined> {
  const azure = loadAzure();
  const text = await vscode.window.showInputBox({
    title,
    prompt: `Runs in flight at once (1–${azure.MAX_CONCURRENCY}); ADF queues at most 100 runs of a pipeline and runs at most 50`,
    value: String(azure.DEFAULT_BACKFILL_CONCURRENCY),
    ignoreFocusOut: true,
    validateInput: t => {
      try {
        azure.parseConcurrency(t.trim());
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  return text === undefined ? undefined : azure.parseConcurrency(text.trim());
}

/** What will run, for review (Cancel first): notes, each pipeline with its tables, the windows. */
async function reviewPlan(plan: PlanEntry, opened: OpenedTarget): Promise<boolean> {
  const azure = loadAzure();
  const n = plan.partitions.length;
  const shown = plan.partitions.slice(0, 100);
  return review({
    title: `Backfill ${plan.id} on ${opened.target.label}: ${azure.describePlan(plan)}, ${plan.concurrency} at a time`,
    placeholder: 'Review the backfill: what runs, window by window (Enter or Escape cancels)',
    proceed: `$(run-all) Start Backfill: ${n} Partition${n === 1 ? '' : 's'}`,
    cancel: 'start nothing',
    sections: [
      ...(plan.notes.length
        ? [
            {
              label: 'Read before starting',
              items: plan.notes.map(note => ({
                label: `$(info) ${note.length > 90 ? `${note.slice(0, 90)}…` : note}`,
                detail: note,
              })),
            },
          ]
        : []),
      {
        label: 'What runs',
        items: plan.targets.map(t => ({
          label: `$(symbol-event) ${t.pipeline}`,
          description: `${t.tables.length} table${t.tables.length === 1 ? '' : 's'}`,
          detail: t.tables.join(', '),
        })),
      },
      {
        label: `Partitions (${n}), one run each`,
        items: [
          ...shown.map(p => ({
            label: `$(calendar) ${partitionLabel(p.key)}`,
            description: `${p.windowStart} → ${p.windowEnd}`,
          })),
          ...(n > shown.length ? [{ label: `… and ${n - shown.length} more` }] : []),
        ],
      },
    ],
  });
}

/** "Resume Backfill…": the project's backfills with partitions left to run or failed, newest first. */
export async function resumeBackfill(ctx: Context): Promise<BackfillSummary | undefined> {
  if (!(await requireTrust('Backfill', "it starts pipeline runs in the factory this workspace's settings name")))
    return undefined;
  await ctx.projects.whenIdle();
  const snapshot = ctx.currentProject();
  if (!snapshot) {
    void vscode.window.showInformationMessage('Lakehouse: no lakehouse project is open.');
    return undefined;
  }
  const { backfills, problems } = await ctx.backfills.list(snapshot);
  for (const p of problems) ctx.log.warn(`backfill ${p.id}: its journal cannot be read: ${p.message}`);
  const open = backfills.filter(b => b.unfinished || b.summary.failed + b.summary.cancelled + b.summary.unknown > 0);
  if (!open.length) {
    void vscode.window.showInformationMessage(
      `Lakehouse: no backfill of ${ctx.shown(snapshot.rootFile)} has partitions left to run or failed.`,
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    open.map(b => {
      const s = b.summary;
      return {
        label: `${b.unfinished ? '$(debug-pause)' : '$(error)'} ${b.id}`,
        description: `${b.environment ?? '?'} · ${b.from.slice(0, 10)} → ${b.to.slice(0, 10)} by ${b.granularity}`,
        detail:
          `${s.succeeded}/${s.total} succeeded` +
          `${s.failed ? `, ${s.failed} failed` : ''}${s.cancelled ? `, ${s.cancelled} cancelled` : ''}` +
          `${s.notStarted ? `, ${s.notStarted} not started` : ''}${s.running + s.queued ? `, ${s.running + s.queued} were running` : ''}` +
          ` — ${b.unfinished ? 'Resume' : 'Rerun the failed partitions'}` +
          `${ctx.backfills.isRunning(b.id) ? ' (running in this window)' : ''}`,
        listing: b,
      };
    }),
    {
      title: 'Resume Backfill',
      placeHolder: 'A backfill to go on with (its journal says what is left)',
      ignoreFocusOut: true,
    },
  );
  if (!picked) return undefined;
  return ctx.backfills.resumeListed(snapshot, picked.listing);
}
