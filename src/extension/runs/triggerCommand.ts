// Trigger Pipeline…: pick a pipeline of the environment's factory, fill the form of its typed
// parameters (defaults from the pipeline as deployed, each value checked as it is typed), start it
// once (createRun without automatic retries; an unclear answer is followed by a look for the run,
// never by a second start), then follow the run in the Pipeline Runs view.
import * as vscode from 'vscode';
import type { ProjectSnapshot } from '../../core/index';
import type { PipelineRuns } from '../../core/runs/grouping';
import type { TriggerForm } from '../../core/runs/triggerForm';
import type { Context } from '../context';
import { confirmPick } from './confirm';
import {
  describeRunsError,
  fieldInput,
  oneLine,
  parametersForLog,
  triggerFormEntries,
  validateFieldText,
  type FormEntry,
} from './runsPresentation';
import type { RunsSession } from './runsExplorer';

export interface TriggeredRun {
  runId: string;
  pipelineName: string;
  /** The start's answer was lost and the run was found afterwards. */
  found: boolean;
}

/** What a menu passes: a pipeline of the Data Factory view or of the Runs view. */
type PipelineNodeLike =
  { kind: 'pipeline'; name: string; snapshot?: ProjectSnapshot } | { kind: 'pipeline'; runs: PipelineRuns };

function pipelineOf(node: unknown): { name: string; snapshot?: ProjectSnapshot } | undefined {
  if (!node || typeof node !== 'object' || (node as { kind?: unknown }).kind !== 'pipeline') return undefined;
  const n = node as PipelineNodeLike;
  if ('runs' in n) return { name: n.runs.pipelineName };
  return typeof n.name === 'string' ? { name: n.name, ...(n.snapshot ? { snapshot: n.snapshot } : {}) } : undefined;
}

export async function triggerPipeline(ctx: Context, node?: unknown): Promise<TriggeredRun | undefined> {
  const given = pipelineOf(node);
  const session = await ctx.runs.open(given?.snapshot);
  if (!session) return undefined;
  const { port } = session;
  const target = session.opened.target;
  const core = ctx.core.runs;
  // Reads are retried (429 after Retry-After, 5xx, resets); a failure is said, and nothing starts.
  const read = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `${what}…` }, () =>
        core.withRetries(fn, { clock: core.systemClock, maxAttempts: 3 }),
      );
    } catch (e) {
      const shown = describeRunsError(e, {
        label: target.label,
        local: target.local,
        factoryName: target.factory.name,
      });
      ctx.log.warn(`trigger (${target.label}): ${what}: ${shown.detail}`);
      void vscode.window.showErrorMessage(`Lakehouse: ${what} failed: ${shown.detail}`);
      return undefined;
    }
  };

  const names = await read(`Reading the pipelines of ${target.factory.name}`, () => port.listPipelineNames());
  if (!names) return undefined;
  const name = given
    ? names.find(n => n.toLowerCase() === given.name.toLowerCase())
    : await pickPipeline(ctx, session, names);
  if (given && !name) {
    offerDeploy(
      `${given.name} is not in factory ${target.factory.name} (${target.label}) yet: deploy the project first.`,
    );
    return undefined;
  }
  if (!name) return undefined;

  const definition = await read(`Reading pipeline ${name}`, () => port.getPipeline(name));
  if (!definition) return undefined;
  const form = core.triggerFormOf({ name, properties: { parameters: definition.parameters } }, name);
  const parameters = await fillForm(ctx, form, target.label);
  if (!parameters) return undefined;
  if (target.protected) {
    const confirmed = await confirmPick({
      title: `Start ${name} in the protected environment '${target.environment}'?`,
      placeholder: `lakehouse.yaml marks '${target.environment}' protected: true`,
      keep: { label: '$(close) Cancel', description: 'start nothing' },
      proceed: { label: '$(play) Start Run', detail: `Starts ${name} in factory ${target.factory.name}.` },
    });
    if (!confirmed) return undefined;
  }

  let result: { runId: string; found: boolean };
  try {
    result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Starting ${name} on ${target.label}…`,
        cancellable: true,
      },
      (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return core.triggerRun(port, name, parameters, {
          clock: core.systemClock,
          signal: abort.signal,
          onThrottled: ms =>
            progress.report({ message: `Data Factory is throttling: waiting ${Math.ceil(ms / 1000)} s` }),
        });
      },
    );
  } catch (e) {
    const message = oneLine(e instanceof Error ? e.message : String(e), 400);
    ctx.log.warn(`trigger (${target.label}): ${name}: ${message}`);
    if (e instanceof Error && e.name === 'AbortError')
      void vscode.window.showWarningMessage(
        `Lakehouse: stopped; ${name} may have started: the Pipeline Runs view shows it if it did.`,
      );
    else void vscode.window.showErrorMessage(`Lakehouse: ${message}`);
    return undefined;
  }
  ctx.log.info(
    `trigger (${target.label}): ${name} run ${result.runId} with ${parametersForLog(form, parameters)}` +
      `${result.found ? ' (the answer was lost; the run was found, not started twice)' : ''}`,
  );
  const now = new Date().toISOString();
  await ctx.runs.follow(session, {
    runId: result.runId,
    pipelineName: name,
    status: 'Queued',
    runStart: now,
    lastUpdated: now,
    parameters: Object.fromEntries(
      Object.entries(parameters).map(([k, v]) => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')]),
    ),
    invokedBy: { name: 'Manual', type: 'Manual' },
    source: 'service',
  });
  return { runId: result.runId, pipelineName: name, found: result.found };
}

function offerDeploy(message: string): void {
  const deploy = 'Deploy to Environment…';
  void vscode.window.showWarningMessage(`Lakehouse: ${message}`, deploy).then(choice => {
    if (choice === deploy) void vscode.commands.executeCommand('lakehouse.deploy');
  });
}

async function pickPipeline(ctx: Context, session: RunsSession, names: readonly string[]): Promise<string | undefined> {
  const target = session.opened.target;
  if (names.length === 0) {
    offerDeploy(`factory ${target.factory.name} (${target.label}) has no pipelines yet: deploy the project first.`);
    return undefined;
  }
  const snapshot = ctx.projects.byRoot(session.rootFile);
  const inProject = new Set([...(snapshot?.adf?.artifacts.get('pipeline')?.keys() ?? [])].map(n => n.toLowerCase()));
  const picked = await vscode.window.showQuickPick(
    names.map(n => ({
      label: n,
      description: inProject.has(n.toLowerCase()) ? 'in this project' : 'in the factory only',
    })),
    {
      title: `Trigger Pipeline on ${target.label} (factory ${target.factory.name})`,
      placeHolder: 'Pipeline to trigger',
      matchOnDescription: true,
      ignoreFocusOut: true,
    },
  );
  return picked?.label;
}

type FormItem = vscode.QuickPickItem & { entry?: FormEntry };

/**
 * The form: a list with Start Run first and each parameter with its value; choosing a parameter
 * opens an input box that checks the value as it is typed (Escape there goes back to the list).
 * Undefined when the user leaves the list: nothing starts.
 */
async function fillForm(
  ctx: Context,
  form: TriggerForm,
  targetLabel: string,
): Promise<Record<string, unknown> | undefined> {
  const core = ctx.core.runs;
  const texts: Record<string, string> = {};
  let errors: Record<string, string> = {};
  for (;;) {
    const items: FormItem[] = triggerFormEntries(form, texts, errors).map(entry =>
      entry.kind === 'separator'
        ? { label: entry.label, kind: vscode.QuickPickItemKind.Separator }
        : {
            label: entry.label,
            ...('description' in entry ? { description: entry.description } : {}),
            ...(entry.detail ? { detail: entry.detail } : {}),
            entry,
          },
    );
    const picked = await vscode.window.showQuickPick(items, {
      title: `Trigger ${form.pipelineName} on ${targetLabel}`,
      placeHolder: 'Choose a parameter to change it, or Start Run',
      ignoreFocusOut: true,
    });
    const entry = picked?.entry;
    if (!entry) return undefined;
    if (entry.kind === 'start') {
      const filled = core.fillTriggerForm(form, texts);
      if (Object.keys(filled.errors).length === 0) return filled.parameters;
      errors = filled.errors;
      continue;
    }
    if (entry.kind !== 'field') continue;
    const field = entry.field;
    const input = fieldInput(form.pipelineName, field, texts);
    const value = await vscode.window.showInputBox({
      ...input,
      ignoreFocusOut: true,
      validateInput: text => validateFieldText(field, text),
    });
    if (value === undefined) continue;
    texts[field.name] = value;
    errors = Object.fromEntries(Object.entries(errors).filter(([k]) => k !== field.name));
  }
}
