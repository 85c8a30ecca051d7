import * as path from 'path';
import * as vscode from 'vscode';
import type { Context } from '../context';
import { statusBarText, statusBarTooltip, type ProjectStatus } from '../presentation/names';

/**
 * The project's state in one status-bar item: the environment every feature works in (click to
 * change it), the project's problems, and how many generated ADF artifacts are out of date.
 */
export class ProjectStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('lakehouse.project', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [this.item];
  private generation = 0;

  constructor(private readonly ctx: Context) {
    this.item.name = 'Lakehouse Project';
    this.item.command = 'lakehouse.project.selectEnvironment';
    this.disposables.push(
      ctx.projects.onDidChangeProjects(() => this.update()),
      ctx.environments.onDidChange(() => this.update()),
      ctx.operations.onDidChange(() => this.update()),
      ctx.adf.onDidChangePlans(() => this.update()),
      ctx.adf.onDidComputePlan(snapshot => {
        if (snapshot === this.ctx.currentProject()) this.update();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
    );
  }

  /** The status now, and the out-of-date count once the generation plan is known (off the keystroke path). */
  update(): void {
    const snapshot = this.ctx.currentProject();
    if (!snapshot) {
      this.item.hide();
      return;
    }
    const environment = this.ctx.environments.of(snapshot);
    const all = [...snapshot.diagnostics.values()].flat();
    const status: ProjectStatus = {
      project: snapshot.metadata.project?.name ?? path.basename(path.dirname(snapshot.rootFile)),
      ...(this.ctx.environments.isLocal(snapshot)
        ? { environment: 'local emulator' }
        : environment
          ? { environment: environment.name, protected: environment.protected }
          : {}),
      ...(this.ctx.operations.accountLabel && !this.ctx.environments.isLocal(snapshot)
        ? { account: this.ctx.operations.accountLabel }
        : {}),
      errors: all.filter(d => d.severity === 'error').length,
      warnings: all.filter(d => d.severity === 'warning').length,
      stale: !!snapshot.stale?.files.length,
    };
    this.show(status);
    // The out-of-date count comes from the plan the Data Factory view or a preview computed: planning
    // a large project is not done for the status bar alone.
    const generation = ++this.generation;
    void this.ctx.adf.knownPlan(snapshot)?.then(
      planned => {
        if (generation !== this.generation || !planned.ok) return;
        const outOfDate = planned.plan.files.filter(f => f.status !== 'unchanged').length;
        this.show({ ...status, outOfDate });
      },
      () => undefined,
    );
  }

  private show(status: ProjectStatus): void {
    this.item.text = statusBarText(status);
    this.item.tooltip = new vscode.MarkdownString(statusBarTooltip(status), true);
    this.item.backgroundColor =
      status.environment && status.protected ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = {
      label:
        `Lakehouse project ${status.project}: environment ${status.environment ?? 'none'}, ` +
        `${status.errors} errors, ${status.warnings} warnings` +
        `${status.outOfDate ? `, ${status.outOfDate} generated artifacts out of date` : ''}`,
    };
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
