import * as vscode from 'vscode';
import type { UsageTotals, WorkerRole } from '../../protocol/engine-events';
import { workerActivity } from '../progress/progress-snapshot';
import type { WindowRun } from '../window-run';

export const WORKERS_VIEW_ID = 'speckitOrchestra.workers';

export interface WorkerNode {
  workerId: string;
}

/** Each active worker: role, task, current activity; tokens per role (the engine reports usage per role). */
export class WorkersTreeProvider implements vscode.TreeDataProvider<WorkerNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<WorkerNode | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private byRole: Partial<Record<WorkerRole, UsageTotals>> = {};
  private readonly subscription: vscode.Disposable;
  /** One element object per worker: VS Code finds the element to refresh by identity. */
  private readonly nodes = new Map<string, WorkerNode>();

  constructor(private readonly session: WindowRun) {
    this.subscription = session.onDidChange((change) => {
      if (change.kind === 'reset') {
        this.byRole = {};
        for (const e of session.recentEvents) if (e.type === 'usage') this.byRole = e.byRole;
        this._onDidChangeTreeData.fire(undefined);
        return;
      }
      const event = change.event;
      switch (event.type) {
        case 'worker-activity':
          // Only this worker's row changes.
          this._onDidChangeTreeData.fire(this.node(event.workerId));
          return;
        case 'worker-started':
        case 'worker-finished':
        case 'task-status':
        case 'run-started':
        case 'run-finished':
          this._onDidChangeTreeData.fire(undefined);
          return;
        case 'usage':
          this.byRole = event.byRole;
          this._onDidChangeTreeData.fire(undefined);
          return;
        default:
          return;
      }
    });
  }

  private node(workerId: string): WorkerNode {
    let node = this.nodes.get(workerId);
    if (!node) {
      node = { workerId };
      this.nodes.set(workerId, node);
    }
    return node;
  }

  getChildren(node?: WorkerNode): WorkerNode[] {
    if (node) return [];
    const workers = [...this.session.view.workers.keys()];
    for (const workerId of this.nodes.keys()) if (!workers.includes(workerId)) this.nodes.delete(workerId);
    return workers.map((workerId) => this.node(workerId));
  }

  getTreeItem(node: WorkerNode): vscode.TreeItem {
    const view = this.session.view;
    const worker = view.workers.get(node.workerId);
    if (!worker) return new vscode.TreeItem(node.workerId);
    const taskId = view.tasks.get(worker.taskKey)?.id ?? worker.taskKey;
    const item = new vscode.TreeItem(`${taskId} · ${worker.role}`);
    item.id = `worker:${worker.workerId}`;
    item.contextValue = 'worker';
    const activity = workerActivity(view, worker);
    item.description = activity;
    const waiting = /waiting/i.test(activity);
    item.iconPath = new vscode.ThemeIcon(waiting ? 'watch' : 'loading~spin');
    const usage = this.byRole[worker.role];
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${worker.workerId}** · ${worker.role} · \`${worker.model}\`\n\n`);
    md.appendText(`Task ${taskId}: ${view.tasks.get(worker.taskKey)?.description ?? ''}\n\nNow: ${activity}`);
    if (usage) {
      md.appendMarkdown(
        `\n\n**${worker.role} tokens:** ${usage.inputTokens} in · ${usage.outputTokens} out · ${usage.cacheReadInputTokens} cache read · ${usage.cacheCreationInputTokens} cache write`,
      );
    }
    item.tooltip = md;
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChangeTreeData.dispose();
  }
}
