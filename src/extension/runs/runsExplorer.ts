// The Pipeline Runs view's controller: which factory it watches (the current project's
// environment, Azure or the local emulator, opened only when the user asks), the RunsMonitor that
// keeps it current (live while runs move or while the view is in sight, within the monitor's
// budget and back-off), the failure notifications, and the runs a command started (revealed and
// followed until they finish).
import * as vscode from 'vscode';
import type { ProjectSnapshot } from '../../core/index';
import type { AdfRunsClient } from '../../azure/adf/runsClient';
import type { Subscription } from '../../core/runs/events';
import type { RunFailedEvent } from '../../core/runs/failures';
import type { PipelineRunRecord } from '../../core/runs/model';
import type { RunsChange, RunsMonitor } from '../../core/runs/monitor';
import type { RefreshOutcome } from '../../core/runs/scheduler';
import type { Context } from '../context';
import { loadAzure } from '../azure/lazyAzure';
import type { OpenedTarget } from '../operations/operations';
import { safeTitlePart } from '../presentation/names';
import {
  activityDocument,
  clockTime,
  describeRunsError,
  FailureNotices,
  failureNotice,
  finishedMessage,
  liveWanted,
  localUtcOffsetMinutes,
  oneLine,
  shortRunId,
  timeRange,
  TIME_RANGES,
  type RunsErrorShown,
  type TimeRangeId,
} from './runsPresentation';
import { RunsTreeDataProvider, type RunNode, type RunsMessage, type RunsNode } from './runsTreeDataProvider';

export const RUNS_VIEW_ID = 'lakehouse.runs';
export const RUN_DOCUMENT_SCHEME = 'lakehouse-run';
const RANGE_KEY = 'lakehouse.runs.timeRange';

/** What the view watches: one factory, opened for one project's environment. */
export interface RunsSession {
  readonly rootFile: string;
  readonly environment: string;
  readonly opened: OpenedTarget;
  readonly port: AdfRunsClient;
  monitor: RunsMonitor;
  /** The first page is in. */
  loaded: boolean;
  /** The first page failed: what the view shows instead. */
  failed?: RunsErrorShown;
  /** Live refresh stopped until the user acts (the credentials were refused). */
  halted?: string;
  /** Runs started from the editor: told when they finish. */
  readonly followed: Set<string>;
  readonly notices: FailureNotices;
  subscriptions: Subscription[];
}

/** Activity runs as read-only JSON documents (input, output, error). */
class RunDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private next = 0;

  uriFor(title: string, text: string): vscode.Uri {
    // The newest documents only: an activity opened again gets a new URI (its state may have changed).
    if (this.texts.size > 200) this.texts.delete(this.texts.keys().next().value!);
    const uri = vscode.Uri.from({
      scheme: RUN_DOCUMENT_SCHEME,
      path: `/${++this.next}/${safeTitlePart(title, 120)}.json`,
    });
    this.texts.set(uri.toString(), text);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
}

export class RunsExplorer implements vscode.Disposable {
  readonly tree: RunsTreeDataProvider;
  readonly view: vscode.TreeView<RunsNode>;
  readonly documents = new RunDocuments();
  private current: RunsSession | undefined;
  private opening: Promise<RunsSession | undefined> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** The last 50 failure notifications shown (tests read them; the newest last). */
  readonly notified: { message: string; runIds: string[] }[] = [];

  constructor(private readonly ctx: Context) {
    this.tree = new RunsTreeDataProvider(
      run => this.activityRuns(run),
      () => localUtcOffsetMinutes(),
    );
    this.view = vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: this.tree, showCollapseAll: true });
    this.disposables.push(
      this.tree,
      this.view,
      vscode.workspace.registerTextDocumentContentProvider(RUN_DOCUMENT_SCHEME, this.documents),
      this.view.onDidChangeVisibility(e => this.onVisibility(e.visible)),
      ctx.environments.onDidChange(rootFile => {
        if (this.current?.rootFile === rootFile) this.end();
        if (!this.current) this.showPlaceholder();
      }),
      ctx.projects.onDidChangeProjects(() => {
        if (this.current && !ctx.projects.byRoot(this.current.rootFile)) this.end();
        if (!this.current) this.showPlaceholder();
      }),
      ctx.operations.onDidChange(() => this.onOperationsChanged()),
    );
    this.showPlaceholder();
  }

  /** The session shown, if any. */
  get session(): RunsSession | undefined {
    return this.current;
  }

  get rangeId(): TimeRangeId {
    return timeRange(this.ctx.extension.workspaceState.get<string>(RANGE_KEY)).id;
  }

  private get offset(): number {
    return localUtcOffsetMinutes();
  }

  // ---- what the view shows ----------------------------------------------------------------------

  /** Before the user asks: which environment the view would show, and a line that opens it. */
  showPlaceholder(): void {
    this.view.description = undefined;
    this.view.message = undefined;
    const snapshot = this.ctx.currentProject();
    if (!snapshot) return this.tree.showMessages([]);
    const environment = this.ctx.environments.operationsName(snapshot);
    if (!environment) {
      return this.tree.showMessages([
        {
          label: 'No environment to show the runs of',
          description: 'Select Environment… or Use Local Emulator',
          icon: 'server-environment',
          command: { command: 'lakehouse.project.selectEnvironment', title: 'Select Environment…' },
        },
      ]);
    }
    const local = this.ctx.environments.isLocal(snapshot);
    const label = local ? 'local emulator' : `${environment} (Azure)`;
    this.tree.showMessages([
      {
        label: `Show runs of ${label}…`,
        description: local ? 'starts the emulator if needed' : 'signs in to Azure if needed',
        tooltip:
          `Reads the pipeline runs of ${local ? 'the local emulator (no Azure)' : `the factory of environment '${environment}'`}` +
          ' and keeps them current while runs are in progress.',
        icon: 'eye',
        command: { command: 'lakehouse.runs.show', title: 'Show Pipeline Runs' },
        contextValue: 'lakehouse.runsPlaceholder',
      },
    ]);
  }

  private render(session: RunsSession): void {
    if (session !== this.current) return;
    const range = timeRange(this.rangeId);
    const label = session.opened.target.label;
    this.view.description = `${label} · ${range.label.toLowerCase()}`;
    if (session.failed) {
      const f = session.failed;
      this.tree.showMessages([
        {
          label: f.label,
          description: f.action === 'signIn' ? 'click to sign in again' : 'click to try again',
          tooltip: f.detail,
          icon: 'error',
          color: 'errorForeground',
          command: { command: 'lakehouse.runs.refresh', title: 'Try Again' },
        },
        { label: oneLine(f.detail, 200), tooltip: f.detail, icon: 'blank' },
      ]);
      return;
    }
    if (!session.loaded) {
      this.tree.showMessages([{ label: `Loading the runs of ${label}…`, icon: 'loading~spin' }]);
      return;
    }
    const groups = session.monitor.groups();
    const after: RunsMessage[] = [];
    if (groups.length === 0)
      after.push(
        { label: `No runs in the ${range.label.toLowerCase()}`, description: label, icon: 'info' },
        {
          label: 'Trigger Pipeline…',
          icon: 'play',
          command: { command: 'lakehouse.runs.trigger', title: 'Trigger Pipeline…' },
        },
      );
    if (session.monitor.hasMore)
      after.push({
        label: 'Load more runs…',
        description: 'older runs of this time range',
        icon: 'fold-down',
        command: { command: 'lakehouse.runs.loadMore', title: 'Load More Runs' },
        contextValue: 'lakehouse.runsLoadMore',
      });
    this.tree.showRuns(groups, after);
  }

  // ---- sessions ---------------------------------------------------------------------------------

  /**
   * The session of a project's environment: the one shown when it is the same, else the target
   * opened now (sign-in or the emulator's start, as Operations does it) and its first page loaded.
   * Undefined when the user did not go on (the reason was told).
   */
  async open(snapshot?: ProjectSnapshot): Promise<RunsSession | undefined> {
    await this.ctx.projects.whenIdle();
    const project = snapshot ?? this.ctx.currentProject();
    if (!project) {
      void vscode.window.showInformationMessage('Lakehouse: no lakehouse project is open.');
      return undefined;
    }
    const environment = this.ctx.environments.operationsName(project) ?? project.metadata.environments[0]?.name;
    const same = this.current && this.current.rootFile === project.rootFile && this.current.environment === environment;
    if (same && !this.current!.failed) return this.current;
    if (this.opening) return this.opening;
    this.opening = this.create(project, environment ?? '').finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async create(snapshot: ProjectSnapshot, environment: string): Promise<RunsSession | undefined> {
    const opened = await this.ctx.operations.open(snapshot);
    if (!opened) return undefined;
    this.end();
    const port = loadAzure().runsClientFor(opened.target, opened.credential);
    const core = this.ctx.core.runs;
    const session: RunsSession = {
      rootFile: snapshot.rootFile,
      environment,
      opened,
      port,
      monitor: undefined as unknown as RunsMonitor,
      loaded: false,
      followed: new Set(),
      notices: new FailureNotices(core.systemClock, events => void this.notifyFailures(session, events)),
      subscriptions: [],
    };
    this.current = session;
    this.attachMonitor(session);
    this.ctx.log.info(
      `runs: watching factory ${opened.target.factory.name} (${opened.target.label}), ${timeRange(this.rangeId).label.toLowerCase()}`,
    );
    await this.load(session);
    return session;
  }

  /** A new model for the session (a new time range starts over). */
  private attachMonitor(session: RunsSession): void {
    for (const s of session.subscriptions) s.dispose();
    session.monitor?.dispose();
    const core = this.ctx.core.runs;
    const monitor = new core.RunsMonitor(session.port, {
      clock: core.systemClock,
      since: Date.now() - timeRange(this.rangeId).ms,
      utcOffsetMinutes: this.offset,
    });
    session.monitor = monitor;
    session.loaded = false;
    delete session.failed;
    delete session.halted;
    session.subscriptions = [
      monitor.onDidChange.on(change => this.onRunsChanged(session, change)),
      monitor.onRunFailed.on(event => session.notices.add(event)),
      monitor.onRefresh.on(outcome => this.onRefreshOutcome(session, outcome)),
    ];
  }

  private async load(session: RunsSession): Promise<void> {
    this.render(session);
    try {
      await vscode.window.withProgress({ location: { viewId: RUNS_VIEW_ID } }, () => session.monitor.loadFirstPage());
      if (session !== this.current) return;
      session.loaded = true;
      delete session.failed;
      this.view.message = undefined;
      this.render(session);
      this.updateLive(session);
    } catch (e) {
      if (session !== this.current) return;
      session.failed = describeRunsError(e, this.targetInfo(session));
      this.ctx.log.warn(`runs (${session.opened.target.label}): ${e instanceof Error ? e.message : String(e)}`);
      this.render(session);
    }
  }

  private targetInfo(session: RunsSession): { label: string; local: boolean; factoryName: string } {
    const t = session.opened.target;
    return { label: t.label, local: t.local, factoryName: t.factory.name };
  }

  /** Stops watching (the environment changed, the emulator stopped): back to the placeholder. */
  end(): void {
    const session = this.current;
    if (!session) return;
    this.current = undefined;
    for (const s of session.subscriptions) s.dispose();
    session.monitor.dispose();
    session.notices.dispose();
    this.showPlaceholder();
  }

  private onOperationsChanged(): void {
    const session = this.current;
    if (!session?.opened.target.local) return;
    const snapshot = this.ctx.projects.byRoot(session.rootFile);
    if (snapshot && this.ctx.operations.emulatorState(snapshot)) return;
    this.end();
    this.view.message = 'The local emulator stopped.';
  }

  // ---- live refresh -----------------------------------------------------------------------------

  /** Live while the view is in sight or a run moves (failures are told even when it is hidden); halted after refused credentials. */
  private updateLive(session: RunsSession, firstDelayMs?: number): void {
    if (session !== this.current) return;
    const monitor = session.monitor;
    const wanted = liveWanted({
      loaded: session.loaded,
      halted: !!session.halted,
      visible: this.view.visible,
      active: monitor.active,
    });
    if (wanted && !monitor.live) monitor.startLive(firstDelayMs !== undefined ? { firstDelayMs } : {});
    else if (!wanted && monitor.live) monitor.stopLive();
  }

  private onVisibility(visible: boolean): void {
    const session = this.current;
    if (!session) {
      if (visible) this.showPlaceholder();
      return;
    }
    // Back in sight: what is shown may be old, so the first refresh comes at once (within the budget).
    this.updateLive(session, visible ? 0 : undefined);
  }

  private onRefreshOutcome(session: RunsSession, outcome: RefreshOutcome): void {
    if (session !== this.current) return;
    const label = session.opened.target.label;
    const next = session.monitor.nextRefreshAt;
    const at = next !== undefined ? clockTime(new Date(next).toISOString(), this.offset) : undefined;
    if (outcome.kind === 'ok') {
      this.view.message = undefined;
      // Durations of runs in progress move on even when nothing else changed.
      if (outcome.active) this.render(session);
    } else if (outcome.kind === 'throttled') {
      this.view.message = `Data Factory throttled the refresh (429)${at ? `: next one at ${at}` : ''}.`;
    } else {
      const shown = describeRunsError(outcome.error, this.targetInfo(session));
      this.ctx.log.warn(`runs (${label}): refresh failed: ${shown.detail}`);
      if (shown.action === 'signIn' || (session.opened.target.local && shown.action === 'startEmulator')) {
        session.halted = shown.label;
        this.view.message = `${shown.label}. Refresh stopped: ${shown.action === 'signIn' ? 'sign in again, then ' : ''}click Refresh.`;
      } else this.view.message = `${shown.label}${at ? `: trying again at ${at}` : ''}.`;
    }
    this.updateLive(session);
  }

  private onRunsChanged(session: RunsSession, change: RunsChange): void {
    if (session !== this.current || !session.loaded) return;
    this.render(session);
    const core = this.ctx.core.runs;
    for (const run of change.changed) {
      if (!session.followed.has(run.runId) || !core.isTerminalStatus(run.status)) continue;
      session.followed.delete(run.runId);
      // A failure is told by the failure notification; a success or a cancel here.
      if (core.isFailedStatus(run.status)) continue;
      const message = finishedMessage(run, Date.now(), session.opened.target.label);
      this.ctx.log.info(`runs: ${message}`);
      void vscode.window.showInformationMessage(`Lakehouse: ${message}`, 'Show Run').then(choice => {
        if (choice) void this.reveal(run.runId);
      });
    }
    this.updateLive(session);
  }

  // ---- user actions -----------------------------------------------------------------------------

  /** Show Pipeline Runs: opens the current project's environment (the placeholder's click). */
  async show(): Promise<RunsSession | undefined> {
    if (!this.view.visible) await vscode.commands.executeCommand(`${RUNS_VIEW_ID}.focus`);
    return this.open();
  }

  /** Refresh: now (within the budget); after a failure, opens again (a new sign-in, a restarted emulator). */
  async refresh(): Promise<void> {
    const session = this.current;
    if (!session) {
      await this.open();
      return;
    }
    if (session.failed || session.halted) {
      const signIn = session.failed?.action === 'signIn' || !!session.halted;
      if (signIn && !session.opened.target.local && !(await this.ctx.operations.azureAccount().signIn())) return;
      const snapshot = this.ctx.projects.byRoot(session.rootFile);
      this.end();
      await this.open(snapshot);
      return;
    }
    if (!session.loaded) return;
    if (session.monitor.live) session.monitor.requestRefresh();
    else session.monitor.startLive({ firstDelayMs: 0 });
  }

  async loadMore(): Promise<void> {
    const session = this.current;
    if (!session?.loaded || !session.monitor.hasMore) return;
    try {
      await vscode.window.withProgress({ location: { viewId: RUNS_VIEW_ID } }, () => session.monitor.loadMore());
      // loadMore fires a change only when there were new runs: the "Load more" line may have to go.
      this.render(session);
    } catch (e) {
      const shown = describeRunsError(e, this.targetInfo(session));
      void vscode.window.showErrorMessage(`Lakehouse: ${shown.label}: ${shown.detail}`);
    }
  }

  async chooseTimeRange(): Promise<void> {
    const currentId = this.rangeId;
    const picked = await vscode.window.showQuickPick(
      TIME_RANGES.map(r => ({
        label: r.label,
        description: [r.id === currentId ? 'current' : undefined, 'detail' in r ? r.detail : undefined]
          .filter(Boolean)
          .join(' · '),
        id: r.id,
      })),
      { title: 'Pipeline Runs: time range', placeHolder: 'Show the runs started in…' },
    );
    if (!picked || picked.id === currentId) return;
    await this.ctx.extension.workspaceState.update(RANGE_KEY, picked.id);
    const session = this.current;
    if (!session) return this.showPlaceholder();
    this.attachMonitor(session);
    await this.load(session);
  }

  /** Selects (and shows) a run in the view; false when it is not shown. */
  async reveal(runId: string, options: { focus?: boolean } = {}): Promise<boolean> {
    const node = this.tree.nodeOfRun(runId);
    if (!node) return false;
    await this.view.reveal(node, { select: true, focus: options.focus ?? true, expand: false });
    return true;
  }

  /**
   * A run a command just started: shown at once (before the service's queries list it), selected,
   * and followed (told when it succeeds; a failure comes as the failure notification).
   */
  async follow(session: RunsSession, run: PipelineRunRecord): Promise<void> {
    if (session !== this.current) return;
    if (!session.loaded) await this.load(session);
    session.followed.add(run.runId);
    if (!session.monitor.get(run.runId)) session.monitor.add([run]);
    this.render(session);
    this.updateLive(session);
    session.monitor.requestRefresh();
    await this.reveal(run.runId);
  }

  /** The run a command was given (a run, or a group: its latest run). */
  runOf(node: RunsNode | undefined): PipelineRunRecord | undefined {
    if (!node) return undefined;
    if (node.kind === 'run') return this.current?.monitor.get(node.run.runId) ?? node.run;
    if (node.kind === 'group') return node.group.latest;
    return undefined;
  }

  /** The runs shown (for the e2e tests and pickers). */
  runNodes(): RunNode[] {
    return this.tree.runs();
  }

  private async activityRuns(run: PipelineRunRecord) {
    const session = this.current;
    if (!session) return [];
    return session.monitor.activityRuns(run.runId);
  }

  async openActivity(node: RunsNode | undefined): Promise<void> {
    if (node?.kind !== 'activity') return;
    const { run, activity } = node;
    const uri = this.documents.uriFor(
      `${run.pipelineName} ${activity.activityName} (run ${shortRunId(run.runId)})`,
      activityDocument(run, activity),
    );
    await vscode.window.showTextDocument(uri, { preview: true });
  }

  // ---- failures ---------------------------------------------------------------------------------

  private async notifyFailures(session: RunsSession, events: RunFailedEvent[]): Promise<void> {
    if (session !== this.current) return;
    const label = session.opened.target.label;
    const core = this.ctx.core.runs;
    // A run's own message is often empty: the first failed activity's error says why.
    if (events.length === 1 && !events[0]!.run.message?.trim()) {
      try {
        const activities = await session.monitor.activityRuns(events[0]!.runId);
        events = [{ ...events[0]!, message: core.failureMessageOf(events[0]!.run, activities) }];
      } catch {
        // The message stays the generic one.
      }
    }
    for (const e of events) this.ctx.log.warn(`runs (${label}): ${e.pipelineName} run ${e.runId} failed: ${e.message}`);
    const notice = failureNotice(events, label);
    this.notified.push({ message: notice.message, runIds: events.map(e => e.runId) });
    if (this.notified.length > 50) this.notified.shift();
    const choice = await vscode.window.showErrorMessage(`Lakehouse: ${notice.message}`, notice.button);
    if (!choice) return;
    if (events.length === 1) {
      await this.reveal(events[0]!.runId);
      return;
    }
    const picked = await vscode.window.showQuickPick(
      events.map(e => ({
        label: e.pipelineName,
        description: `run ${shortRunId(e.runId)}`,
        detail: oneLine(e.message, 200),
        runId: e.runId,
      })),
      { placeHolder: 'Show which failed run?' },
    );
    if (picked) await this.reveal(picked.runId);
  }

  dispose(): void {
    this.end();
    for (const d of this.disposables) d.dispose();
  }
}
