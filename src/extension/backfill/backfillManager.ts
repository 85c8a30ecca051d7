// The editor's backfills: each one run under a cancellable progress notification (cancel stops
// starting runs and keeps the journal), ended by a summary that offers "Rerun Failed Partitions"
// or "Resume" and the log; and, when a project loads, an unfinished backfill found in its journal
// folder (<project>/.lakehouse/backfills, the CLI's too) offered for resuming. The journal is
// locked while a backfill runs, so the editor and `lakehouse backfill resume` never run one at once.
import { setMaxListeners } from 'events';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BackfillListing, BackfillSummary, ProjectSnapshot } from '../../core/index';
import type { BackfillConnection, HeldBackfill } from '../../core/backfill/session';
import type { Context } from '../context';
import { loadAzure } from '../azure/lazyAzure';
import { confirmProtectedEnvironment } from '../editor/results';
import type { OpenedTarget } from '../operations/operations';
import { LOCAL_ENVIRONMENT } from '../project/environments';
import { partitionLabel, RERUN_FAILED, RESUME, SHOW_LOG, summaryMessage } from '../presentation/backfill';

export interface BackfillFinished {
  id: string;
  /** Undefined when the backfill could not run to its end (the message said why). */
  summary: BackfillSummary | undefined;
}

type Folder = InstanceType<ReturnType<typeof loadAzure>['JournalFolderOnDisk']>;

export class BackfillManager implements vscode.Disposable {
  /** Backfills running in this window, by id: aborted (as a kill would) when the window closes. */
  private readonly active = new Map<string, AbortController>();
  private readonly finished = new vscode.EventEmitter<BackfillFinished>();
  /** Fires when a backfill run of this window ends (the summary shown), for tests and views. */
  readonly onDidFinish = this.finished.event;
  /** Journals already looked at for the resume offer (project root + id): each is offered once a session. */
  private readonly seen = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [this.finished];

  constructor(private readonly ctx: Context) {
    this.disposables.push(
      ctx.projects.onDidChangeProjects(snapshots => {
        for (const s of snapshots.filter(p => !p.adfOnly))
          void this.offerResume(s).catch(e => ctx.log.warn(`backfill: reading the journals failed: ${String(e)}`));
      }),
    );
  }

  isRunning(id: string): boolean {
    return this.active.has(id);
  }

  /** The runs port, journal folder and pace for a target (the CLI builds the same). */
  connect(opened: OpenedTarget): { connection: BackfillConnection; folder: Folder } {
    const azure = loadAzure();
    const folder = new azure.JournalFolderOnDisk(azure.backfillJournalDir(path.dirname(opened.snapshot.rootFile)));
    return {
      folder,
      connection: {
        port: azure.runsClientFor(opened.target, opened.credential),
        folder,
        clock: azure.systemClock,
        factory: azure.factoryIdOf(opened.target),
        local: opened.target.local,
      },
    };
  }

  /**
   * Runs (or resumes) a held backfill under a cancellable progress notification, then shows its
   * summary. Resolves with the summary (undefined when it could not run: the message says why).
   */
  async run(held: HeldBackfill, folder: Folder, opened: OpenedTarget): Promise<BackfillSummary | undefined> {
    const { backfill } = held;
    const id = backfill.id;
    const label = opened.target.label;
    const abort = new AbortController();
    // Every request in flight listens on it (up to 50 partitions at once): not a leak.
    setMaxListeners(0, abort.signal);
    this.active.set(id, abort);
    // Its own summary offers what to do next: no second offer when the project reloads.
    this.seen.add(`${opened.snapshot.rootFile}\u0000${id}`);
    let cancelled = false;
    let summary: BackfillSummary | undefined;
    try {
      summary = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Backfill ${id} on ${label}`, cancellable: true },
        async (progress, token) => {
          let shown = 0;
          progress.report({ message: 'starting…' });
          const subscription = backfill.onProgress.on(p => {
            const increment = Math.max(0, p.fractionDone * 100 - shown);
            shown += increment;
            const change = p.partition ? ` — ${partitionLabel(p.partition.key)}: ${p.partition.status}` : '';
            progress.report({ increment, message: `${p.message}${change}` });
            if (p.partition)
              this.ctx.log.info(`backfill ${id}: ${p.partition.key}: ${p.partition.status} (${p.message})`);
          });
          token.onCancellationRequested(() => {
            cancelled = true;
            this.ctx.log.info(`backfill ${id}: cancel: no new run starts; runs in flight go on in the factory`);
            void backfill.cancel().catch(() => abort.abort());
          });
          try {
            return await backfill.run(abort.signal);
          } finally {
            subscription.dispose();
          }
        },
      );
    } catch (e) {
      if (abort.signal.aborted) return undefined; // the window is closing: the journal has every step
      this.ctx.log.error(`backfill ${id} stopped: ${(e as Error)?.stack ?? String(e)}`);
      void vscode.window
        .showErrorMessage(
          `Lakehouse: backfill ${id} stopped: ${(e as Error)?.message ?? e}. Its journal is kept: Resume Backfill… goes on.`,
          'Show Log',
        )
        .then(choice => choice && this.ctx.log.show());
      return undefined;
    } finally {
      this.active.delete(id);
      await held.release().catch(() => undefined);
      await folder.close().catch(() => undefined);
      this.finished.fire({ id, summary });
    }
    this.report(summary, opened, cancelled);
    return summary;
  }

  /** The end of a run: the summary in the log and a notification with what to do next. */
  private report(s: BackfillSummary, opened: OpenedTarget, cancelled: boolean): void {
    this.ctx.log.info(this.ctx.core.formatSummary(s, 50));
    const message = summaryMessage(s, opened.target.label, cancelled);
    const show =
      message.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(message.text, ...message.actions).then(choice => {
      if (choice === SHOW_LOG) this.ctx.log.show();
      else if (choice === RERUN_FAILED) void this.rerunFailed(opened, s.id);
      else if (choice === RESUME) void this.resume(opened, s.id);
    });
  }

  /** A new round with exactly the failed (or cancelled) partitions, each with a new run. */
  async rerunFailed(opened: OpenedTarget, id: string): Promise<BackfillSummary | undefined> {
    return this.reopen(opened, id, async held => {
      const keys = await held.backfill.rerunFailed();
      this.ctx.log.info(`backfill ${id}: round ${held.backfill.state.round}: ${keys.length} partition(s) again`);
    });
  }

  /** Goes on with a backfill from its journal: runs in flight followed, unclear starts looked for, the rest started. */
  async resume(opened: OpenedTarget, id: string): Promise<BackfillSummary | undefined> {
    return this.reopen(opened, id, async () => {
      this.ctx.log.info(`backfill ${id}: resuming on ${opened.target.label}`);
    });
  }

  private async reopen(
    opened: OpenedTarget,
    id: string,
    before: (held: HeldBackfill) => Promise<void>,
  ): Promise<BackfillSummary | undefined> {
    const azure = loadAzure();
    const { connection, folder } = this.connect(opened);
    let held: HeldBackfill;
    try {
      held = await azure.openBackfill(connection, id);
    } catch (e) {
      await folder.close();
      if (
        e instanceof azure.JournalLockedError ||
        e instanceof azure.JournalError ||
        e instanceof azure.BackfillNotFoundError
      ) {
        void vscode.window.showErrorMessage(`Lakehouse: ${e.message}`);
        return undefined;
      }
      throw e;
    }
    try {
      await before(held);
    } catch (e) {
      await held.release();
      await folder.close();
      void vscode.window.showErrorMessage(`Lakehouse: ${(e as Error).message}`);
      return undefined;
    }
    return this.run(held, folder, opened);
  }

  /**
   * Resumes a backfill of the project's journal folder: in the environment it ran in (after asking
   * to switch the project to it), with the protected environment's confirmation.
   */
  async resumeListed(snapshot: ProjectSnapshot, listing: BackfillListing): Promise<BackfillSummary | undefined> {
    if (this.active.has(listing.id)) {
      void vscode.window.showInformationMessage(`Lakehouse: backfill ${listing.id} is running in this window.`);
      return undefined;
    }
    const current = this.ctx.environments.operationsName(snapshot);
    const wanted = listing.environment;
    if (wanted && wanted !== current) {
      const shown = (env: string | undefined) => (env === LOCAL_ENVIRONMENT ? 'the local emulator' : `'${env}'`);
      const choice = await vscode.window.showWarningMessage(
        `Lakehouse: backfill ${listing.id} ran on ${shown(wanted)}; this project's operations go to ${shown(current)}. ` +
          `Switch to ${shown(wanted)} and resume?`,
        'Switch and Resume',
      );
      if (!choice) return undefined;
      await this.ctx.environments.set(snapshot.rootFile, wanted);
    }
    const opened = await this.ctx.operations.open(snapshot);
    if (!opened) return undefined;
    if (opened.target.protected && !(await confirmProtectedEnvironment(opened.target.environment, 'Backfill')))
      return undefined;
    return listing.unfinished ? this.resume(opened, listing.id) : this.rerunFailed(opened, listing.id);
  }

  /** The backfills of the project's journal folder (newest first), and those that could not be read. */
  async list(snapshot: ProjectSnapshot) {
    const core = this.ctx.core;
    const folder = new core.JournalFolderOnDisk(core.backfillJournalDir(path.dirname(snapshot.rootFile)));
    return { folder, ...(await core.listBackfills(folder)) };
  }

  /** New journals of a project with partitions left to run, not run by anyone now: "Resume" offered (once). */
  async offerResume(snapshot: ProjectSnapshot): Promise<void> {
    // Resuming starts runs with the workspace's settings: not in Restricted Mode (looked at again once trusted).
    if (!vscode.workspace.isTrusted) return;
    const core = this.ctx.core;
    const dir = core.backfillJournalDir(path.dirname(snapshot.rootFile));
    if (!fs.existsSync(dir)) return;
    const folder = new core.JournalFolderOnDisk(dir);
    const fresh = (await folder.list()).filter(id => !this.seen.has(`${snapshot.rootFile}\u0000${id}`));
    if (!fresh.length) return;
    for (const id of fresh) this.seen.add(`${snapshot.rootFile}\u0000${id}`);
    const { backfills, problems } = await core.listBackfills(folder);
    for (const p of problems.filter(p => fresh.includes(p.id)))
      this.ctx.log.warn(`backfill ${p.id}: its journal cannot be read: ${p.message}`);
    const unfinished: BackfillListing[] = [];
    for (const b of backfills)
      if (fresh.includes(b.id) && b.unfinished && !this.active.has(b.id) && !(await folder.isHeld(b.id)))
        unfinished.push(b);
    const newest = unfinished[0];
    if (!newest) return;
    const s = newest.summary;
    const more = unfinished.length - 1;
    this.ctx.log.info(`backfill: ${unfinished.map(b => b.id).join(', ')} did not finish`);
    const choice = await vscode.window.showInformationMessage(
      `Lakehouse: backfill ${newest.id} (${newest.environment === LOCAL_ENVIRONMENT ? 'local emulator' : (newest.environment ?? '?')}, ` +
        `${newest.from.slice(0, 10)} → ${newest.to.slice(0, 10)}) did not finish: ${s.succeeded}/${s.total} partitions succeeded` +
        `${s.running + s.queued ? `, ${s.running + s.queued} were running` : ''}.` +
        `${more ? ` ${more} more: Resume Backfill… lists them.` : ''}`,
      RESUME,
      'Not Now',
    );
    if (choice === RESUME) await this.resumeListed(snapshot, newest);
  }

  dispose(): void {
    // The window closes: stop at once, as a kill would; the journal has every step for a resume.
    for (const abort of this.active.values()) abort.abort();
    for (const d of this.disposables) d.dispose();
  }
}
