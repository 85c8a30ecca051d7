import * as vscode from 'vscode';
import type { PipelineRuns, RunGroup, RunsDay } from '../../core/runs/grouping';
import { isActiveStatus, type ActivityRunRecord, type PipelineRunRecord } from '../../core/runs/model';
import {
  activityDescription,
  activityTooltip,
  countsText,
  dayDescription,
  groupDescription,
  groupMemberLabel,
  pipelineDescription,
  runContextValue,
  runDescription,
  runLabel,
  runTooltip,
  statusLook,
} from './runsPresentation';

interface Base {
  id: string;
  parent?: RunsNode;
}

/** A line that is not a run: the placeholder before watching, loading, an error, "no runs", "load more". */
export interface RunsMessage {
  label: string;
  description?: string;
  tooltip?: string;
  icon: string;
  color?: string;
  command?: vscode.Command;
  contextValue?: string;
}

export type RunsNode =
  | (Base & { kind: 'message'; message: RunsMessage })
  | (Base & { kind: 'pipeline'; runs: PipelineRuns })
  | (Base & { kind: 'day'; pipelineName: string; day: RunsDay })
  | (Base & { kind: 'group'; group: RunGroup })
  | (Base & { kind: 'run'; run: PipelineRunRecord; group?: RunGroup })
  | (Base & { kind: 'activity'; run: PipelineRunRecord; activity: ActivityRunRecord });

export type RunNode = Extract<RunsNode, { kind: 'run' }>;

/** A run's activity runs, as the explorer loads them (cached per run state). */
export type ActivityLoader = (run: PipelineRunRecord) => Promise<ActivityRunRecord[]>;

interface ActivityCache {
  /** The run's state the activities belong to: a change of the run loads them again. */
  key: string;
  load: Promise<RunsNode[]>;
}

const stateKey = (r: PipelineRunRecord) => `${r.status}|${r.lastUpdated ?? ''}|${r.runEnd ?? ''}`;

/**
 * The Pipeline Runs view: pipelines → days → runs (a run with reruns is a group of the original
 * and its reruns), a run → its activity runs (loaded when expanded, again when the run changes).
 * Rebuilt from the model's groups on each change; ids stay stable, so expansion and selection
 * survive a refresh and reveal() finds a run by id through getParent.
 */
export class RunsTreeDataProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: RunsNode[] = [];
  private readonly children = new Map<string, RunsNode[]>();
  private readonly runNodes = new Map<string, RunNode>();
  private readonly activities = new Map<string, ActivityCache>();
  /** Pipelines shown expanded at first (a few: the view opens on runs, not on a list of names). */
  private static readonly EXPAND_PIPELINES_UP_TO = 5;

  constructor(
    private readonly loadActivities: ActivityLoader,
    private readonly utcOffsetMinutes: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Lines instead of runs (placeholder, loading, an error). */
  showMessages(messages: readonly RunsMessage[]): void {
    this.children.clear();
    this.runNodes.clear();
    this.activities.clear();
    this.roots = messages.map((message, i) => ({ kind: 'message', id: `runs-message:${i}:${message.label}`, message }));
    this.changed.fire(undefined);
  }

  /** The runs, grouped; `after` are lines below them ("load more"). */
  showRuns(groups: readonly PipelineRuns[], after: readonly RunsMessage[] = []): void {
    this.children.clear();
    this.runNodes.clear();
    this.roots = groups.map(p => {
      const pipeline: RunsNode = { kind: 'pipeline', id: `runs-pipeline:${p.pipelineName}`, runs: p };
      this.children.set(
        pipeline.id,
        p.days.map(d => {
          const day: RunsNode = {
            kind: 'day',
            id: `runs-day:${p.pipelineName}:${d.day}`,
            parent: pipeline,
            pipelineName: p.pipelineName,
            day: d,
          };
          this.children.set(
            day.id,
            d.groups.map(g => this.groupNode(g, day)),
          );
          return day;
        }),
      );
      return pipeline;
    });
    this.roots.push(...after.map((message, i) => ({ kind: 'message' as const, id: `runs-after:${i}`, message })));
    // Activity runs of runs that are gone, changed or still moving are loaded again when next
    // shown (an expanded run in progress shows its activities advance, one query per refresh).
    for (const [runId, cache] of this.activities) {
      const node = this.runNodes.get(runId);
      if (!node || stateKey(node.run) !== cache.key || isActiveStatus(node.run.status)) this.activities.delete(runId);
    }
    this.changed.fire(undefined);
  }

  private groupNode(g: RunGroup, day: RunsNode): RunsNode {
    if (g.reruns.length === 0) return this.runNode(g.original, day, undefined);
    const group: RunsNode = { kind: 'group', id: `runs-group:${g.pipelineName}:${g.id}`, parent: day, group: g };
    this.children.set(
      group.id,
      [g.original, ...g.reruns].map(r => this.runNode(r, group, g)),
    );
    return group;
  }

  private runNode(run: PipelineRunRecord, parent: RunsNode, group: RunGroup | undefined): RunNode {
    const node: RunNode = { kind: 'run', id: `runs-run:${run.runId}`, parent, run, ...(group ? { group } : {}) };
    this.runNodes.set(run.runId, node);
    return node;
  }

  /** The node of a run, when shown. */
  nodeOfRun(runId: string): RunNode | undefined {
    return this.runNodes.get(runId);
  }

  /** Every run node shown (tests and pickers). */
  runs(): RunNode[] {
    return [...this.runNodes.values()];
  }

  get rootNodes(): readonly RunsNode[] {
    return this.roots;
  }

  getChildren(node?: RunsNode): RunsNode[] | Promise<RunsNode[]> {
    if (!node) return this.roots;
    if (node.kind === 'run') return this.activityNodes(node);
    return this.children.get(node.id) ?? [];
  }

  private activityNodes(node: RunNode): Promise<RunsNode[]> {
    const key = stateKey(node.run);
    const cached = this.activities.get(node.run.runId);
    if (cached && cached.key === key) return cached.load;
    const load = this.loadActivities(node.run).then(
      list =>
        list.length
          ? list.map<RunsNode>(activity => ({
              kind: 'activity',
              id: `runs-activity:${node.run.runId}:${activity.activityRunId || activity.activityName}`,
              parent: node,
              run: node.run,
              activity,
            }))
          : [
              this.messageNode(node, {
                label: node.run.status === 'Queued' ? 'Queued: no activity has started' : 'No activity runs',
                icon: 'info',
              }),
            ],
      (e: unknown) => {
        // Asked again next time (the error is not cached).
        this.activities.delete(node.run.runId);
        return [
          this.messageNode(node, {
            label: 'Could not read the activity runs',
            description: e instanceof Error ? e.message : String(e),
            icon: 'warning',
            color: 'problemsWarningIcon.foreground',
          }),
        ];
      },
    );
    this.activities.set(node.run.runId, { key, load });
    return load;
  }

  private messageNode(parent: RunsNode, message: RunsMessage): RunsNode {
    return { kind: 'message', id: `${parent.id}:message:${message.label}`, parent, message };
  }

  getParent(node: RunsNode): RunsNode | undefined {
    return node.parent;
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    const offset = this.utcOffsetMinutes();
    const now = this.now();
    const icon = (status: string) => {
      const look = statusLook(status);
      return new vscode.ThemeIcon(look.icon, look.color ? new vscode.ThemeColor(look.color) : undefined);
    };
    const { Collapsed, Expanded, None } = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'message': {
        const m = node.message;
        const item = new vscode.TreeItem(m.label, None);
        item.id = node.id;
        item.description = m.description;
        if (m.tooltip) item.tooltip = m.tooltip;
        item.iconPath = new vscode.ThemeIcon(m.icon, m.color ? new vscode.ThemeColor(m.color) : undefined);
        item.command = m.command;
        item.contextValue = m.contextValue ?? 'lakehouse.runsMessage';
        return item;
      }
      case 'pipeline': {
        const expand =
          this.roots.filter(r => r.kind === 'pipeline').length <= RunsTreeDataProvider.EXPAND_PIPELINES_UP_TO;
        const item = new vscode.TreeItem(node.runs.pipelineName, expand ? Expanded : Collapsed);
        item.id = node.id;
        item.description = pipelineDescription(node.runs, now);
        item.iconPath = node.runs.active
          ? new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue'))
          : icon(node.runs.latest.status);
        item.contextValue = 'lakehouse.runsPipeline';
        return item;
      }
      case 'day': {
        const first = (this.children.get(node.parent!.id) ?? [])[0] === node;
        const item = new vscode.TreeItem(
          node.day.day === 'unknown' ? 'not started' : node.day.day,
          first ? Expanded : Collapsed,
        );
        item.id = node.id;
        item.description = dayDescription(node.day, now, offset);
        item.iconPath = new vscode.ThemeIcon('calendar');
        item.tooltip = `${node.pipelineName}, ${node.day.day}: ${countsText(node.day.counts)}`;
        item.contextValue = 'lakehouse.runsDay';
        return item;
      }
      case 'group': {
        const g = node.group;
        const item = new vscode.TreeItem(runLabel(g.original, offset), Collapsed);
        item.id = node.id;
        item.description = groupDescription(g);
        item.iconPath = icon(g.latest.status);
        item.tooltip = `${g.pipelineName}: run ${g.original.runId} and its reruns. The latest decides: ${g.latest.status}.`;
        // The group's commands act on its latest run (cancel it, rerun it from failure).
        item.contextValue = runContextValue(g.latest).replace('lakehouse.run.', 'lakehouse.runGroup.');
        return item;
      }
      case 'run': {
        const item = new vscode.TreeItem(
          node.group ? groupMemberLabel(node.group, node.run, offset) : runLabel(node.run, offset),
          Collapsed,
        );
        item.id = node.id;
        item.description = runDescription(node.run, now);
        item.iconPath = icon(node.run.status);
        item.contextValue = runContextValue(node.run);
        item.accessibilityInformation = {
          label: `${node.run.pipelineName} run at ${runLabel(node.run, offset)}: ${runDescription(node.run, now)}`,
        };
        return item;
      }
      case 'activity': {
        const a = node.activity;
        const item = new vscode.TreeItem(a.activityName, None);
        item.id = node.id;
        item.description = activityDescription(a, now);
        item.iconPath = icon(a.status);
        item.contextValue = `lakehouse.activityRun${a.error ? '.failed' : ''}`;
        item.command = { command: 'lakehouse.runs.openActivity', title: 'Open Activity Run', arguments: [node] };
        return item;
      }
    }
  }

  /** Tooltips are made when an item is hovered. */
  resolveTreeItem(item: vscode.TreeItem, node: RunsNode): vscode.TreeItem {
    const offset = this.utcOffsetMinutes();
    if (node.kind === 'run') item.tooltip = new vscode.MarkdownString(runTooltip(node.run, this.now(), offset));
    else if (node.kind === 'activity') item.tooltip = new vscode.MarkdownString(activityTooltip(node.activity, offset));
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
