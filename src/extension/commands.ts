import * as vscode from 'vscode';
import * as adf from './adf/adfCommands';
import { dryRunCommand } from './adf/dryRunDocuments';
import type { PipelinesNode } from './adf/pipelinesTreeDataProvider';
import type { Context } from './context';
import * as project from './project/projectCommands';
import type { SourcesNode } from './sources/sourcesTreeDataProvider';
import * as templates from './templates/templateCommands';
import { deploy } from './operations/deployCommands';
import * as emulator from './operations/emulatorCommands';
import { selectSubscription } from './azure/subscriptionCommand';
import * as lake from './lake/lakeCommands';
import type { LakeNode } from './lake/lakeTreeModel';
import * as runs from './runs/runsCommands';
import { triggerPipeline } from './runs/triggerCommand';
import * as backfills from './backfill/backfillCommands';

/**
 * Every command of the extension, by id: `(ctx) => handler`. Arguments are only what VS Code
 * itself passes (the tree item or the resource a menu was opened on); everything else is asked.
 */
type Command = (ctx: Context) => (...args: never[]) => unknown;

const asUri = (u: unknown): vscode.Uri | undefined => (u instanceof vscode.Uri ? u : undefined);
const asNode = <T extends { kind: string }>(n: unknown): T | undefined =>
  n && typeof n === 'object' && 'kind' in n ? (n as T) : undefined;

export const COMMANDS: Record<string, Command> = {
  'lakehouse.sources.refresh': ctx => () => ctx.projects.discover(),
  'lakehouse.project.validate': ctx => () => project.validate(ctx),
  'lakehouse.project.importAdf': ctx => (folder?: unknown) => project.importAdf(ctx, asUri(folder)),
  'lakehouse.project.selectEnvironment': ctx => () => project.selectEnvironment(ctx),
  'lakehouse.sources.reveal': ctx => (node?: unknown) => project.revealSource(ctx, asNode<SourcesNode>(node)),
  'lakehouse.sources.openProblem': ctx => (d?: unknown) =>
    project.openProblem(ctx, d && typeof d === 'object' && 'file' in d ? (d as never) : undefined),
  'lakehouse.showLog': ctx => () => ctx.log.show(),
  'lakehouse.templates.openPreview': ctx => (target?: unknown) =>
    templates.openPreview(ctx, asUri(target) ?? asNode<SourcesNode>(target)),
  'lakehouse.templates.compareWithDisk': ctx => (uri?: unknown) => templates.compareWithDisk(ctx, asUri(uri)),
  'lakehouse.templates.renderAll': ctx => () => templates.renderAll(ctx),
  'lakehouse.adf.preview': ctx => (target?: unknown) =>
    adf.preview(ctx, asUri(target) ?? asNode<PipelinesNode | SourcesNode>(target)),
  'lakehouse.adf.compareWithDisk': ctx => (target?: unknown) =>
    adf.compareWithDisk(ctx, asUri(target) ?? asNode<PipelinesNode>(target)),
  'lakehouse.adf.openJson': ctx => (node?: unknown) => adf.openJson(ctx, asNode<PipelinesNode>(node)),
  'lakehouse.adf.revealMetadata': ctx => (node?: unknown) => adf.revealMetadata(ctx, asNode<PipelinesNode>(node)),
  'lakehouse.adf.generate': ctx => () => adf.generate(ctx),
  'lakehouse.adf.dryRun': ctx => (node?: unknown) => dryRunCommand(ctx, asNode<PipelinesNode>(node)),
  'lakehouse.deploy': ctx => () => deploy(ctx),
  'lakehouse.backfill': ctx => (node?: unknown) => backfills.backfill(ctx, asNode<SourcesNode>(node)),
  'lakehouse.backfill.resume': ctx => () => backfills.resumeBackfill(ctx),
  'lakehouse.emulator.use': ctx => () => emulator.useLocalEmulator(ctx),
  'lakehouse.emulator.stop': ctx => () => emulator.stopLocalEmulator(ctx),
  'lakehouse.azure.signIn': ctx => () => emulator.signIn(ctx),
  'lakehouse.azure.selectSubscription': ctx => () => selectSubscription(ctx),
  'lakehouse.lake.refresh': ctx => (node?: unknown) => lake.refresh(ctx, asNode<LakeNode>(node)),
  'lakehouse.lake.connect': ctx => (node?: unknown) => lake.connect(ctx, asNode<LakeNode>(node)),
  'lakehouse.lake.loadMore': ctx => (node?: unknown) => lake.loadMore(ctx, asNode<LakeNode>(node)),
  'lakehouse.lake.open': ctx => (node?: unknown) => lake.open(ctx, asNode<LakeNode>(node)),
  'lakehouse.lake.copyPath': ctx => (node?: unknown) => lake.copyPath(ctx, asNode<LakeNode>(node)),
  'lakehouse.runs.show': ctx => () => ctx.runs.show(),
  'lakehouse.runs.refresh': ctx => () => ctx.runs.refresh(),
  'lakehouse.runs.loadMore': ctx => () => ctx.runs.loadMore(),
  'lakehouse.runs.timeRange': ctx => () => ctx.runs.chooseTimeRange(),
  'lakehouse.runs.trigger': ctx => (node?: unknown) => triggerPipeline(ctx, node),
  'lakehouse.runs.cancel': ctx => (node?: unknown) => runs.cancelRun(ctx, node),
  'lakehouse.runs.rerunFromFailure': ctx => (node?: unknown) => runs.rerunRun(ctx, node, 'failure'),
  'lakehouse.runs.rerun': ctx => (node?: unknown) => runs.rerunRun(ctx, node, 'start'),
  'lakehouse.runs.openInStudio': ctx => (node?: unknown) => runs.openInStudio(ctx, node),
  'lakehouse.runs.copyRunId': ctx => (node?: unknown) => runs.copyRunId(ctx, node),
  'lakehouse.runs.openActivity': ctx => (node?: unknown) => runs.openActivity(ctx, node),
};

export function registerCommands(ctx: Context): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, command]) => {
    const handler = command(ctx) as (...args: unknown[]) => unknown;
    return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (e) {
        // A bug must not vanish: the log has the stack, the user a message that points there.
        ctx.log.error(`${id} failed: ${(e as Error)?.stack ?? String(e)}`);
        void vscode.window.showErrorMessage(`Lakehouse: ${id} failed: ${(e as Error)?.message ?? e} (see the log).`);
        return undefined;
      }
    });
  });
}
