// `lakehouse runs --env E [--pipeline P] [--since 24h|7d|DATE] [--status S] [--format json]`: the
// factory's pipeline runs started since a time, every page (continuation tokens), with each run's
// backfill tags (from its parameters, or from the project's backfill journals), plus the journals'
// runs older than the service's 45 days of history. Grouped by pipeline, day and rerun group; the
// JSON is the contract in runsReport.ts.
import { knownBackfillRuns, runsOnlyInJournal, readJournals } from '../../core/backfill/history';
import { systemClock } from '../../core/runs/clock';
import { ADF_RUN_HISTORY_DAYS, timeOf } from '../../core/runs/model';
import { queryAllRuns, runsSinceQuery, startedSince } from '../../core/runs/queries';
import { backfillJournalDir, JournalFolderOnDisk } from '../../core/files/journalFiles';
import { UserError } from '../../core/project/loadProject';
import { runsClientFor } from '../../azure/clients';
import { parse, UsageError } from '../args';
import type { Io } from '../main';
import { parseSince, parseStatuses, splitList } from './operationArgs';
import { runsReportJson, runsReportText, type RunsReportInput } from './runsReport';
import { formatOf, openTarget, PROJECT_OPTIONS } from './target';

export const RUNS_USAGE = `  runs --env ENV [--pipeline P]... [--since 24h|7d|DATE] [--status S]... [--project DIR] [--format text|json]
                                           The factory's pipeline runs started since --since (default 24h;
                                           a duration or a UTC date/time), grouped by pipeline, day and rerun
                                           group, with each run's backfill and window. --status filters
                                           (Queued, InProgress, Succeeded, Failed, Canceling, Cancelled;
                                           repeat or comma-separate). Backfill runs older than the service's
                                           45 days come from the project's journals. The JSON (version 1)
                                           gives runs[] (runId, pipeline, status, runStart, runEnd,
                                           durationMs, parameters, backfill, runGroupId, isLatest, message,
                                           source) and pipelines[].days[].groups[] by run id; see
                                           docs/cli-operations.md. Exit 0: listed; 2: usage or the factory's answer.
`;

/** A guard, not a filter: 500 pages of 100 runs. */
const MAX_PAGES = 500;

export async function runsCommand(args: string[], io: Io, usage: string): Promise<number> {
  const { values, positionals } = parse(args, {
    ...PROJECT_OPTIONS,
    pipeline: { type: 'string', multiple: true },
    since: { type: 'string' },
    status: { type: 'string', multiple: true },
  });
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  if (positionals.length) throw new UsageError('runs takes no positional arguments (a pipeline is --pipeline NAME).');
  const format = formatOf(values);
  const now = Date.now();
  const since = parseSince((values.since as string | undefined) ?? '24h', now);
  const statuses = parseStatuses((values.status as string[] | undefined) ?? []);
  const pipelines = splitList(values.pipeline as string[] | undefined, '--pipeline');
  const opened = await openTarget(values, io);
  const { target } = opened;
  const port = runsClientFor(target, opened.credential);
  const warnings: string[] = [];
  if (pipelines.length) {
    const names = await port.listPipelineNames();
    const unknown = pipelines.filter(p => !names.includes(p));
    if (unknown.length)
      throw new UserError(
        `The factory ${target.factory.name} has no pipeline ${unknown.map(u => `'${u}'`).join(', ')}. ` +
          (names.length
            ? `Its pipelines: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}.`
            : 'It has none.'),
      );
  }
  const query = runsSinceQuery(since, now, {
    ...(pipelines.length ? { pipelineNames: pipelines } : {}),
    ...(statuses.length ? { statuses } : {}),
  });
  const result = await queryAllRuns(port, query, { clock: systemClock, maxPages: MAX_PAGES });
  if (!result.complete)
    warnings.push(
      `More than ${MAX_PAGES * 100} runs: only the newest are listed; narrow --since, --pipeline or --status.`,
    );
  const serviceRuns = startedSince(result.runs, since);

  // The journals: tags for runs that do not carry the backfill id, and runs the service has forgotten.
  const folder = new JournalFolderOnDisk(backfillJournalDir(opened.projectDir));
  const journals = await readJournals(folder);
  for (const p of journals.problems) warnings.push(`The journal of backfill ${p.id} cannot be read: ${p.message}`);
  const historyStart = now - ADF_RUN_HISTORY_DAYS * 86_400_000;
  if (since < historyStart)
    warnings.push(
      `Data Factory keeps ${ADF_RUN_HISTORY_DAYS} days of runs: before ${new Date(historyStart).toISOString().slice(0, 10)} ` +
        'only backfill runs (from the journals) are listed.',
    );
  const journalRuns = runsOnlyInJournal(
    journals.states.filter(s => !s.plan.environment || s.plan.environment === target.environment),
    new Set(serviceRuns.map(r => r.runId)),
    historyStart,
  ).filter(
    r =>
      (timeOf(r.runStart) ?? 0) >= since &&
      (!pipelines.length || pipelines.includes(r.pipelineName)) &&
      (!statuses.length || statuses.includes(r.status)),
  );
  const input: RunsReportInput = {
    environment: target.environment,
    target: target.label,
    factory: target.factory.name,
    since,
    now,
    pipelines,
    statuses,
    runs: [...serviceRuns, ...journalRuns],
    known: knownBackfillRuns(journals.states),
    warnings,
  };
  if (format === 'json') io.stdout(`${JSON.stringify(runsReportJson(input), null, 2)}\n`);
  else {
    for (const w of warnings) io.stderr(`warning: ${w}\n`);
    io.stdout(runsReportText(input));
  }
  return 0;
}
