import * as vscode from 'vscode';
import type { Phase, Task } from '../../core/engine/light';
import type { TaskStatus, WorkerRole } from '../../protocol/engine-events';
import type { RunSession } from '../run-session';
import { plainText } from './plain-text';
import type { FeatureTasks, TaskDocuments } from './task-documents';

export const TASKS_VIEW_ID = 'speckitOrchestra.tasks';
export const OPEN_TASK_COMMAND = 'speckit-orchestra.openTask';

/** Tree elements are small stable keys; `getTreeItem` builds the item from the current data. */
export type TaskNode =
  | { kind: 'feature'; featureId: string }
  | { kind: 'phase'; featureId: string; phaseIndex: number }
  | { kind: 'task'; featureId: string; taskKey: string };

/** Arguments of the open-task command (a tree click, or a caller with a line). */
export interface OpenTaskArgs {
  uri: vscode.Uri;
  line: number;
}

const UNPHASED = -1;

const STATUS_ICON: Record<TaskStatus, vscode.ThemeIcon> = {
  pending: new vscode.ThemeIcon('circle-large-outline'),
  ready: new vscode.ThemeIcon('circle-large-outline', new vscode.ThemeColor('charts.blue')),
  running: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  'awaiting-approval': new vscode.ThemeIcon('eye', new vscode.ThemeColor('charts.yellow')),
  done: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  skipped: new vscode.ThemeIcon('debug-step-over', new vscode.ThemeColor('disabledForeground')),
  cancelled: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')),
};

const STATUS_LABEL: Record<TaskStatus, string> = {
  pending: 'pending',
  ready: 'ready',
  running: 'running',
  'awaiting-approval': 'awaiting approval',
  done: 'done',
  failed: 'failed',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

/**
 * Feature → phases (done/total) → tasks. Without a run, status comes from tasks.md's checkboxes; while a run
 * of that feature is shown, from the run's events. Roles and last messages are kept from events too.
 */
export class TasksTreeProvider implements vscode.TreeDataProvider<TaskNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<TaskNode | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly roleByTask = new Map<string, WorkerRole>();
  private readonly messageByTask = new Map<string, string>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private cache = new Map<string, FeatureTasks>();

  constructor(
    private readonly documents: TaskDocuments,
    private readonly session: RunSession,
  ) {
    this.subscriptions.push(
      documents.onDidChange((feature) =>
        this._onDidChangeTreeData.fire(feature ? { kind: 'feature', featureId: feature.featureId } : undefined),
      ),
      session.onDidChange((change) => {
        if (change.kind === 'reset') {
          this.roleByTask.clear();
          this.messageByTask.clear();
          for (const event of session.recentEvents)
            this.note(
              event.type === 'task-status' || event.type === 'worker-started' || event.type === 'worker-activity'
                ? event
                : undefined,
            );
          this._onDidChangeTreeData.fire(undefined);
          return;
        }
        const event = change.event;
        switch (event.type) {
          case 'task-status':
          case 'worker-started':
          case 'worker-activity':
            this.note(event);
            this.fireTask(this.taskKeyOf(event));
            return;
          case 'run-started':
          case 'run-finished':
            this._onDidChangeTreeData.fire(undefined);
            return;
          default:
            return;
        }
      }),
    );
  }

  private taskKeyOf(
    event:
      | { type: 'task-status'; taskKey: string }
      | { type: 'worker-started'; taskKey: string }
      | { type: 'worker-activity'; workerId: string },
  ): string | undefined {
    return event.type === 'worker-activity' ? this.session.view.workers.get(event.workerId)?.taskKey : event.taskKey;
  }

  private note(
    event:
      | { type: 'task-status'; taskKey: string; role?: WorkerRole; message?: string }
      | { type: 'worker-started'; taskKey: string; role: WorkerRole }
      | { type: 'worker-activity'; workerId: string; activity: string }
      | undefined,
  ): void {
    if (!event) return;
    if (event.type === 'worker-activity') {
      const key = this.taskKeyOf(event);
      if (key !== undefined) this.messageByTask.set(key, event.activity);
      return;
    }
    if (event.role !== undefined) this.roleByTask.set(event.taskKey, event.role);
    if (event.type === 'task-status' && event.message !== undefined)
      this.messageByTask.set(event.taskKey, event.message);
  }

  private fireTask(taskKey: string | undefined): void {
    const featureId = this.session.view.featureId;
    if (taskKey === undefined || featureId === undefined || !this.cache.has(featureId)) {
      this._onDidChangeTreeData.fire(undefined);
      return;
    }
    // The phase's done/total changes with the task, so refresh the phase (and its tasks).
    const task = this.cache.get(featureId)?.document.tasks.find((t) => t.key === taskKey);
    this._onDidChangeTreeData.fire(
      task ? { kind: 'phase', featureId, phaseIndex: task.phaseIndex ?? UNPHASED } : undefined,
    );
  }

  refresh(): void {
    this.documents.reload();
  }

  async getChildren(node?: TaskNode): Promise<TaskNode[]> {
    if (!node) {
      const features = await this.documents.features();
      this.cache = new Map(features.map((f) => [f.featureId, f]));
      return features.map((f) => ({ kind: 'feature', featureId: f.featureId }));
    }
    const feature = await this.featureOf(node.featureId);
    if (!feature) return [];
    switch (node.kind) {
      case 'feature': {
        const phases: TaskNode[] = feature.document.phases.map((p) => ({
          kind: 'phase',
          featureId: node.featureId,
          phaseIndex: p.index,
        }));
        if (feature.document.tasks.some((t) => t.phaseIndex === undefined))
          phases.push({ kind: 'phase', featureId: node.featureId, phaseIndex: UNPHASED });
        return phases;
      }
      case 'phase':
        return this.tasksOfPhase(feature, node.phaseIndex).map((t) => ({
          kind: 'task',
          featureId: node.featureId,
          taskKey: t.key,
        }));
      case 'task':
        return [];
    }
  }

  private async featureOf(featureId: string): Promise<FeatureTasks | undefined> {
    const feature = await this.documents.feature(featureId);
    if (feature) this.cache.set(featureId, feature);
    return feature;
  }

  private tasksOfPhase(feature: FeatureTasks, phaseIndex: number): Task[] {
    return feature.document.tasks.filter((t) => (t.phaseIndex ?? UNPHASED) === phaseIndex);
  }

  getParent(node: TaskNode): TaskNode | undefined {
    switch (node.kind) {
      case 'feature':
        return undefined;
      case 'phase':
        return { kind: 'feature', featureId: node.featureId };
      case 'task': {
        const task = this.cache.get(node.featureId)?.document.tasks.find((t) => t.key === node.taskKey);
        return { kind: 'phase', featureId: node.featureId, phaseIndex: task?.phaseIndex ?? UNPHASED };
      }
    }
  }

  /** Status from the run when it is this feature's, else from the checkbox. */
  statusOf(featureId: string, task: Task): TaskStatus {
    const view = this.session.view;
    if (view.featureId === featureId) {
      const fromRun = view.tasks.get(task.key)?.status;
      if (fromRun !== undefined) return fromRun;
    }
    return task.done ? 'done' : 'pending';
  }

  getTreeItem(node: TaskNode): vscode.TreeItem {
    const feature = this.cache.get(node.featureId);
    switch (node.kind) {
      case 'feature': {
        const item = new vscode.TreeItem(node.featureId, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `feature:${node.featureId}`;
        item.contextValue = 'feature';
        item.iconPath = new vscode.ThemeIcon('checklist');
        if (feature) {
          const done = feature.document.tasks.filter((t) => this.statusOf(node.featureId, t) === 'done').length;
          item.description = `${done}/${feature.document.tasks.length}`;
          item.tooltip = feature.tasksUri.fsPath;
          item.resourceUri = feature.tasksUri;
        }
        return item;
      }
      case 'phase': {
        const phase: Phase | undefined = feature?.document.phases[node.phaseIndex];
        const tasks = feature ? this.tasksOfPhase(feature, node.phaseIndex) : [];
        const done = tasks.filter((t) => this.statusOf(node.featureId, t) === 'done').length;
        const label = phase
          ? phase.number !== undefined
            ? `Phase ${phase.number}: ${phase.title}`
            : phase.title
          : 'Tasks outside a phase';
        const item = new vscode.TreeItem(
          label,
          done === tasks.length && tasks.length > 0
            ? vscode.TreeItemCollapsibleState.Collapsed
            : vscode.TreeItemCollapsibleState.Expanded,
        );
        item.id = `phase:${node.featureId}:${node.phaseIndex}`;
        item.contextValue = 'phase';
        item.description = `${done}/${tasks.length}`;
        item.iconPath = new vscode.ThemeIcon(
          done === tasks.length && tasks.length > 0
            ? 'pass'
            : tasks.some((t) => this.statusOf(node.featureId, t) === 'running')
              ? 'sync~spin'
              : 'list-tree',
        );
        if (phase?.purpose ?? phase?.goal) item.tooltip = phase.purpose ?? phase.goal;
        return item;
      }
      case 'task': {
        const task = feature?.document.tasks.find((t) => t.key === node.taskKey);
        if (!feature || !task) return new vscode.TreeItem(node.taskKey);
        const status = this.statusOf(node.featureId, task);
        const item = new vscode.TreeItem(
          `${task.id} ${plainText(task.description)}`,
          vscode.TreeItemCollapsibleState.None,
        );
        item.id = `task:${node.featureId}:${task.key}`;
        item.contextValue = `task.${status}`;
        item.iconPath = STATUS_ICON[status];
        const running = this.session.view.featureId === node.featureId;
        const role = running ? this.roleByTask.get(task.key) : undefined;
        item.description = [task.parallel ? '[P]' : '', role ?? ''].filter((s) => s !== '').join(' ');
        item.tooltip = this.tooltip(task, status, role, running ? this.messageByTask.get(task.key) : undefined);
        const args: OpenTaskArgs = { uri: feature.tasksUri, line: task.line };
        item.command = { command: OPEN_TASK_COMMAND, title: 'Open Task', arguments: [args] };
        item.accessibilityInformation = {
          label: `${task.id}, ${STATUS_LABEL[status]}${role ? `, ${role}` : ''}: ${task.description}`,
        };
        return item;
      }
    }
  }

  private tooltip(
    task: Task,
    status: TaskStatus,
    role: WorkerRole | undefined,
    message: string | undefined,
  ): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(
      `**${task.id}** · ${STATUS_LABEL[status]}${role ? ` · ${role}` : ''}${task.parallel ? ' · parallel' : ''}${task.story ? ` · ${task.story}` : ''}\n\n`,
    );
    md.appendText(task.description);
    md.appendMarkdown('\n\n');
    if (task.files.length > 0)
      md.appendMarkdown(`**Files:** ${task.files.map((f) => `\`${f.replace(/`/g, '')}\``).join(', ')}\n\n`);
    if (task.dependsOn.length > 0) md.appendMarkdown(`**Depends on:** ${task.dependsOn.join(', ')}\n\n`);
    if (message !== undefined) {
      md.appendMarkdown('**Last message:** ');
      md.appendText(message);
    }
    return md;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this._onDidChangeTreeData.dispose();
  }
}

/** Opens tasks.md with the task's line selected and revealed. */
export async function openTask(args: unknown): Promise<void> {
  if (!isOpenTaskArgs(args)) return;
  const position = new vscode.Position(args.line, 0);
  await vscode.window.showTextDocument(args.uri, { selection: new vscode.Range(position, position), preview: true });
}

function isOpenTaskArgs(value: unknown): value is OpenTaskArgs {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return record['uri'] instanceof vscode.Uri && typeof record['line'] === 'number';
}
