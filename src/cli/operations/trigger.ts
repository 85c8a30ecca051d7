// `lakehouse trigger --env E --pipeline P [--param k=v]… [--wait]`: one run of a pipeline as the
// factory has it, its parameters checked against the pipeline's typed parameters (the editor's
// trigger form: Int a whole number, Bool true/false, Array JSON, …; every parameter without a
// default given), started once (createRun is never retried blindly: after an unclear answer the
// run is looked for), and with --wait followed to its end: exit 0 when it succeeded, 1 otherwise.
import { isAdfCallError } from '../../core/runs/errors';
import { AbortedError, sleep, systemClock } from '../../core/runs/clock';
import {
  durationOf,
  failureMessageOf,
  formatDuration,
  isTerminalStatus,
  isFailedStatus,
  type PipelineRunRecord,
} from '../../core/runs/model';
import { allActivityRuns } from '../../core/runs/queries';
import { withRetries } from '../../core/runs/retry';
import { triggerRun } from '../../core/runs/startRun';
import { fillTriggerForm, parseParamPairs, triggerFormOf, type TriggerForm } from '../../core/runs/triggerForm';
import { UserError } from '../../core/project/loadProject';
import { runsClientFor } from '../../azure/clients';
import { studioRunUrl } from '../../azure/target';
import type { AdfRunsClient } from '../../azure/adf/runsClient';
import { parse, UsageError } from '../args';
import type { Io } from '../main';
import { parsePollInterval } from './operationArgs';
import { formatOf, openTarget, PROJECT_OPTIONS, protectedRefusal } from './target';

export const TRIGGER_USAGE = `  trigger --env ENV --pipeline P [--param NAME=VALUE]... [--wait] [--confirm ENV] [--project DIR] [--format text|json]
                                           Start one run of the factory's pipeline P (also: trigger P --env ENV).
                                           Each --param is checked against P's typed parameters (Int, Float,
                                           Bool, Array/Object as JSON); parameters left out keep their
                                           defaults, those without one must be given. --wait follows the run
                                           to its end (progress on stderr; --poll-interval, default 5s, 1s on
                                           the local emulator). Exit 0: started (--wait: succeeded); 1: the run
                                           failed or was cancelled, or refused; 2: usage, a bad parameter, or
                                           the factory's answer.
`;

const OPTIONS = {
  ...PROJECT_OPTIONS,
  pipeline: { type: 'string' },
  param: { type: 'string', multiple: true },
  wait: { type: 'boolean' },
  confirm: { type: 'string' },
  'poll-interval': { type: 'string' },
} as const;

export async function triggerCommand(args: string[], io: Io, usage: string): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS);
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  const format = formatOf(values);
  if (positionals.length > 1) throw new UsageError(`trigger starts one pipeline, not ${positionals.length}.`);
  const named = values.pipeline as string | undefined;
  if (named !== undefined && positionals.length && positionals[0] !== named)
    throw new UsageError(`The pipeline is given twice: ${positionals[0]} and --pipeline ${named}.`);
  const pipeline = named ?? positionals[0];
  if (!pipeline || pipeline.trim() === '')
    throw new UsageError('Which pipeline? --pipeline NAME (lakehouse runs lists runs by pipeline).');
  const pairs = parseParamPairs((values.param as string[] | undefined) ?? []);
  if (pairs.errors.length) throw new UsageError(pairs.errors.join(' '));
  const opened = await openTarget(values, io);
  const { target } = opened;
  const pollIntervalMs =
    parsePollInterval(values['poll-interval'] as string | undefined, target.local) ?? (target.local ? 1000 : 5000);
  const refusal = protectedRefusal(target, values.confirm, 'start a run on it', false);
  if (refusal) {
    io.stderr(`lakehouse: ${refusal}\n`);
    return 1;
  }
  const port = runsClientFor(target, opened.credential);
  const form = triggerFormOf(await readPipeline(port, pipeline), pipeline);
  for (const problem of form.problems) io.stderr(`warning: ${problem}\n`);
  const filled = fillTriggerForm(form, pairs.texts);
  const errors = Object.values(filled.errors);
  if (errors.length) {
    io.stderr(`lakehouse: ${pipeline}'s parameters:\n${errors.map(e => `  ${e}\n`).join('')}`);
    io.stderr(`Parameters of ${pipeline}: ${describeFields(form)}\n`);
    return 2;
  }
  const abort = new AbortController();
  let interrupted = false;
  const stopListening = io.onInterrupt?.(() => {
    interrupted = true;
    abort.abort();
  });
  try {
    const started = await triggerRun(port, pipeline, filled.parameters, { clock: systemClock, signal: abort.signal });
    const url = studioRunUrl(target, started.runId);
    const shownParameters = masked(form, filled.parameters);
    if (format === 'text') {
      io.stderr(
        `Started ${pipeline} on ${target.label}${started.found ? ' (the answer was lost; the run was found)' : ''}.\n`,
      );
      io.stdout(`${started.runId}\n`);
      if (url) io.stderr(`  ${url}\n`);
    }
    let run: PipelineRunRecord | undefined;
    let failure: string | undefined;
    if (values.wait) {
      run = await waitForEnd(port, started.runId, pollIntervalMs, abort.signal, r => {
        if (format === 'text')
          io.stderr(`  ${r.status}${r.runStart ? ` (${formatDuration(durationOf(r, Date.now()))})` : ''}\n`);
      });
      if (run.status !== 'Succeeded') {
        const activities = isFailedStatus(run.status)
          ? await allActivityRuns(port, run, { clock: systemClock, signal: abort.signal }).catch(() => [])
          : [];
        failure = isFailedStatus(run.status) ? failureMessageOf(run, activities) : run.message;
      }
      if (format === 'text')
        io.stdout(
          `${run.status}${run.durationMs !== undefined || run.runEnd ? ` after ${formatDuration(durationOf(run, Date.now()))}` : ''}` +
            `${failure ? `: ${failure}` : ''}\n`,
        );
    }
    if (format === 'json')
      io.stdout(
        `${JSON.stringify(
          {
            environment: target.environment,
            target: target.label,
            factory: target.factory.name,
            pipeline,
            runId: started.runId,
            found: started.found,
            parameters: shownParameters,
            url: url ?? null,
            waited: values.wait === true,
            status: run?.status ?? null,
            durationMs: run ? (durationOf(run, Date.now()) ?? null) : null,
            message: failure ?? null,
          },
          null,
          2,
        )}\n`,
      );
    return run === undefined || run.status === 'Succeeded' ? 0 : 1;
  } catch (e) {
    if (!(e instanceof AbortedError) && !(interrupted && isAdfCallError(e))) throw e;
    io.stderr(
      `Stopped waiting: a run already started goes on in the factory (lakehouse runs --env ${target.environment} --pipeline ${pipeline}).\n`,
    );
    return 1;
  } finally {
    stopListening?.();
  }
}

/** The pipeline as the factory has it; a clear message (with the pipelines it has) when it has no such pipeline. */
async function readPipeline(
  port: AdfRunsClient,
  pipeline: string,
): Promise<{ name: string; parameters: Record<string, unknown> }> {
  try {
    return await withRetries(() => port.getPipeline(pipeline), { clock: systemClock });
  } catch (e) {
    if (!isAdfCallError(e, 'rejected') || e.status !== 404) throw e;
    const names = await port.listPipelineNames().catch(() => undefined);
    throw new UserError(
      `The factory ${port.factory.factoryName} has no pipeline '${pipeline}'` +
        (names === undefined
          ? '.'
          : names.length
            ? `. Its pipelines: ${names.slice(0, 20).join(', ')}${names.length > 20 ? `, … (${names.length})` : ''}.`
            : ': it has none; deploy first (lakehouse deploy --env ENV).'),
    );
  }
}

/** Reads the run by id until it ends (429 and transient failures waited out), telling of each status change. */
async function waitForEnd(
  port: AdfRunsClient,
  runId: string,
  pollIntervalMs: number,
  signal: AbortSignal,
  onChange: (run: PipelineRunRecord) => void,
): Promise<PipelineRunRecord> {
  let last = '';
  for (;;) {
    const run = await withRetries(() => port.getRun(runId, signal), { clock: systemClock, signal, maxAttempts: 10 });
    if (run.status !== last) {
      last = run.status;
      onChange(run);
    }
    if (isTerminalStatus(run.status)) return run;
    await sleep(systemClock, pollIntervalMs, signal);
  }
}

/** The parameters sent, secure strings masked (never printed, even to a CI log). */
function masked(form: TriggerForm, parameters: Record<string, unknown>): Record<string, unknown> {
  const secure = new Set(form.fields.filter(f => f.secure).map(f => f.name));
  return Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, secure.has(k) ? '***' : v]));
}

function describeFields(form: TriggerForm): string {
  if (!form.fields.length) return 'none.';
  return form.fields
    .map(f => `${f.name} (${f.type}${f.hasDefault ? '' : ', required'})`)
    .join(', ')
    .concat('.');
}
