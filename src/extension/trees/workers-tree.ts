import * as vscode from 'vscode';
import type { Logger } from '../../core/engine';
import type { UsageTotals, WorkerRole } from '../../protocol/engine-events';
import type { WindowRun } from '../window-run';
import { modelTreeState, TreeRefresher } from './tree-refresher';
import { workerNodeId, workerNodes, workerRow, type WorkerNode, type WorkerRow } from './workers-tree-model';

export type { WorkerNode } from './workers-tree-model';

export const WORKERS_VIEW_ID = 'speckitOrchestra.workers';

/**
 * Each active worker: role, task, current activity; tokens per role. Refreshed as the Tasks tree is (the
 * `TreeRefresher`): only rows that changed, after a burst, and only rows VS Code holds, so a worker that
 * finished between an event and its refresh is never asked for ("Data tree node not found").
 */
export class WorkersTreeProvider implements vscode.TreeDataProvider<WorkerNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<WorkerNode | WorkerNode[] | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private byRole: Partial<Record<WorkerRole, UsageTotals>> = {};
  private readonly subscription: vscode.Disposable;
  private readonly refresher: TreeRefresher<WorkerNode>;

  constructor(
    private readonly session: WindowRun,
    log: Logger,
  ) {
    this.refresher = new TreeRefresher<WorkerNode>({
      idOf: workerNodeId,
      current: () => {
        const view = session.view;
        const byRole = this.byRole;
        return Promise.resolve(
          modelTreeState<WorkerNode>(
            (node) => (node ? [] : workerNodes(view)),
            (node) => workerRow(view, node, byRole),
          ),
        );
      },
      fire: (nodes) => this._onDidChangeTreeData.fire(nodes),
      onError: (error) => log.warn(`refreshing the Workers tree: ${String(error)}`),
    });
    this.subscription = session.onDidChange((change) => {
      if (change.kind === 'reset') {
        this.byRole = {};
        for (const e of session.recentEvents) if (e.type === 'usage') this.byRole = e.byRole;
      } else if (change.event.type === 'usage') {
        this.byRole = change.event.byRole;
      }
      this.refresher.schedule();
    });
  }

  getChildren(node?: WorkerNode): WorkerNode[] {
    return this.refresher.childrenShown(node, node ? [] : workerNodes(this.session.view));
  }

  getTreeItem(node: WorkerNode): vscode.TreeItem {
    const row = workerRow(this.session.view, node, this.byRole);
    if (!row) {
      // Finished since VS Code asked for it; the refresh under way removes it.
      const item = new vscode.TreeItem(node.workerId);
      item.id = workerNodeId(node);
      return item;
    }
    this.refresher.rowShown(node, JSON.stringify(row));
    return renderRow(workerNodeId(node), row);
  }

  dispose(): void {
    this.refresher.dispose();
    this.subscription.dispose();
    this._onDidChangeTreeData.dispose();
  }
}

function renderRow(id: string, row: WorkerRow): vscode.TreeItem {
  const item = new vscode.TreeItem(row.label);
  item.id = id;
  item.contextValue = 'worker';
  item.description = row.description;
  item.iconPath = new vscode.ThemeIcon(row.icon);
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`${row.tooltip.heading}\n\n`);
  md.appendText(row.tooltip.text);
  if (row.tooltip.usage !== undefined) md.appendMarkdown(`\n\n${row.tooltip.usage}`);
  item.tooltip = md;
  return item;
}
