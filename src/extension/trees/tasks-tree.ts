import * as vscode from 'vscode';
import type { Logger } from '../../core/engine';
import { appendEvidence } from '../evidence/evidence-hover';
import { taskEvidenceUri, type TaskEvidence } from '../evidence/task-evidence';
import type { WindowRun } from '../window-run';
import type { FeatureTasks, TaskDocuments } from './task-documents';
import { TaskRunNotes } from './task-run-notes';
import {
  childrenOf,
  groupNodeIndexOf,
  nodeId,
  rowOf,
  rowSignature,
  type RunFacts,
  type TaskNode,
  type TreeRow,
} from './tasks-tree-model';
import { TreeRefresher } from './tree-refresher';

export type { TaskNode } from './tasks-tree-model';

export const TASKS_VIEW_ID = 'speckitOrchestra.tasks';

/**
 * Feature → phases (done/total) → tasks. Without a run, status comes from tasks.md's checkboxes; while a run
 * of that feature is shown, from the run's events. Roles and last messages are kept from events too.
 *
 * A live run changes rows many times a second: the `TreeRefresher` shows each burst by refreshing only the rows
 * that changed, on elements interned by a stable id. A row's click is VS Code's own `vscode.open`, which VS Code
 * keeps with the row itself: a click on a row that is being replaced still opens its task, where a command of
 * ours with arguments could already be unregistered.
 */
export class TasksTreeProvider implements vscode.TreeDataProvider<TaskNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<TaskNode | TaskNode[] | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly notes = new TaskRunNotes();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly refresher: TreeRefresher<TaskNode>;
  /** The features as last read, for `getTreeItem`, which must answer synchronously. */
  private features: readonly FeatureTasks[] = [];

  constructor(
    private readonly documents: TaskDocuments,
    private readonly session: WindowRun,
    log: Logger,
    private readonly evidence?: TaskEvidence,
  ) {
    this.refresher = new TreeRefresher<TaskNode>({
      idOf: nodeId,
      current: async () => {
        const features = await this.documents.features();
        this.features = features;
        const facts = this.runFacts();
        return (node) => {
          if (node === undefined) return { signature: undefined, children: childrenOf(features, undefined) };
          const row = rowOf(features, node, facts);
          return row && { signature: rowSignature(row), children: childrenOf(features, node) };
        };
      },
      fire: (nodes) => this._onDidChangeTreeData.fire(nodes),
      onError: (error) => log.warn(`refreshing the Tasks tree: ${String(error)}`),
    });
    this.subscriptions.push(
      documents.onDidChange(() => this.refresher.schedule()),
      session.onDidChange((change) => {
        if (change.kind === 'reset') {
          this.notes.clear();
          for (const event of session.recentEvents) this.notes.note(event);
        } else {
          this.notes.note(change.event);
        }
        this.refresher.schedule();
      }),
    );
  }

  private runFacts(): RunFacts {
    const view = this.session.view;
    return {
      featureId: view.featureId,
      finished: view.finished !== undefined,
      statusOf: (taskKey) => view.tasks.get(taskKey)?.status,
      roleOf: (taskKey) => this.notes.roleOf(taskKey),
      lastMessageOf: (taskKey) => this.notes.lastMessageOf(taskKey),
      commandsOf: (taskKey) => view.tasks.get(taskKey)?.commands,
    };
  }

  /** Re-reads tasks.md files from disk and shows what changed. */
  refresh(): void {
    this.documents.reload();
  }

  async getChildren(node?: TaskNode): Promise<TaskNode[]> {
    try {
      this.features = await this.documents.features();
    } catch {
      // Reported by TaskDocuments (log and the view's welcome text); the tree shows nothing meanwhile.
      this.features = [];
    }
    return this.refresher.childrenShown(node, childrenOf(this.features, node));
  }

  getParent(node: TaskNode): TaskNode | undefined {
    switch (node.kind) {
      case 'feature':
        return undefined;
      case 'phase':
        return this.refresher.intern({ kind: 'feature', featureId: node.featureId });
      case 'task': {
        const document = this.features.find((f) => f.featureId === node.featureId)?.document;
        const task = document?.tasks.find((t) => t.key === node.taskKey);
        const phaseIndex = document === undefined || task === undefined ? -1 : groupNodeIndexOf(document, task);
        return this.refresher.intern({ kind: 'phase', featureId: node.featureId, phaseIndex });
      }
    }
  }

  getTreeItem(node: TaskNode): vscode.TreeItem {
    const id = nodeId(node);
    const feature = this.features.find((f) => f.featureId === node.featureId);
    const row = feature && rowOf([feature], node, this.runFacts());
    if (!feature || !row) {
      // Gone since VS Code asked for it; the refresh under way replaces it.
      const item = new vscode.TreeItem(node.kind === 'task' ? node.taskKey : node.featureId);
      item.id = id;
      return item;
    }
    this.refresher.rowShown(node, rowSignature(row));
    const item = renderRow(id, row, feature);
    if (node.kind === 'task') {
      // The evidence state is a decoration on this URI (TaskEvidence): a new state needs no refresh here.
      item.resourceUri = taskEvidenceUri(node.featureId, node.taskKey);
      // The hover is built when it is shown (resolveTreeItem), with the task's evidence as checked then.
      item.tooltip = undefined;
    }
    return item;
  }

  /** A task's hover: the row's own text, then its evidence (files, hunks, approver, tests, cost, diff links). */
  async resolveTreeItem(item: vscode.TreeItem, node: TaskNode): Promise<vscode.TreeItem> {
    if (node.kind !== 'task') return item;
    const feature = this.features.find((f) => f.featureId === node.featureId);
    const row = feature && rowOf([feature], node, this.runFacts());
    if (!row) return item;
    const tooltip = tooltipOf(row);
    const verdict = await this.evidence?.task(node.featureId, node.taskKey);
    if (verdict) appendEvidence(tooltip, verdict);
    item.tooltip = tooltip;
    return item;
  }

  dispose(): void {
    this.refresher.dispose();
    for (const s of this.subscriptions) s.dispose();
    this._onDidChangeTreeData.dispose();
  }
}

const COLLAPSIBLE: Record<TreeRow['collapsible'], vscode.TreeItemCollapsibleState> = {
  expanded: vscode.TreeItemCollapsibleState.Expanded,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  none: vscode.TreeItemCollapsibleState.None,
};

function renderRow(id: string, row: TreeRow, feature: FeatureTasks): vscode.TreeItem {
  const item = new vscode.TreeItem(row.label, COLLAPSIBLE[row.collapsible]);
  item.id = id;
  item.contextValue = row.contextValue;
  item.description = row.description;
  item.iconPath = new vscode.ThemeIcon(
    row.icon.id,
    row.icon.color !== undefined ? new vscode.ThemeColor(row.icon.color) : undefined,
  );
  if (row.tooltip.length > 0) item.tooltip = tooltipOf(row);
  if (row.accessibilityLabel !== undefined) item.accessibilityInformation = { label: row.accessibilityLabel };
  if (row.contextValue === 'feature') item.resourceUri = feature.tasksUri;
  if (row.openLine !== undefined) item.command = openTaskCommand(feature.tasksUri, row.openLine);
  return item;
}

function tooltipOf(row: TreeRow): vscode.MarkdownString {
  const tooltip = new vscode.MarkdownString(undefined, true);
  for (const part of row.tooltip) {
    if ('markdown' in part) tooltip.appendMarkdown(part.markdown);
    else tooltip.appendText(part.text);
  }
  return tooltip;
}

/** `vscode.open` at the task's line: the command a row's click runs (see the class comment for why not ours). */
export function openTaskCommand(tasksUri: vscode.Uri, line: number): vscode.Command {
  const position = new vscode.Position(line, 0);
  const options: vscode.TextDocumentShowOptions = { selection: new vscode.Range(position, position), preview: true };
  return { command: 'vscode.open', title: 'Open Task', arguments: [tasksUri, options] };
}

/** The Open Task menu entry: the clicked row's node, or a `{ featureId, taskKey }` from a script. */
export async function openTask(documents: TaskDocuments, target: unknown): Promise<boolean> {
  if (!isTaskTarget(target)) return false;
  const feature = await documents.feature(target.featureId);
  const task = feature?.document.tasks.find((t) => t.key === target.taskKey);
  if (!feature || !task) return false;
  const command = openTaskCommand(feature.tasksUri, task.line);
  await vscode.commands.executeCommand(command.command, ...((command.arguments ?? []) as unknown[]));
  return true;
}

function isTaskTarget(value: unknown): value is { featureId: string; taskKey: string } {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record['featureId'] === 'string' && typeof record['taskKey'] === 'string';
}
