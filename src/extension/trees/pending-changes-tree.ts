import * as vscode from 'vscode';
import type { Logger } from '../../core/engine';
import type { WindowRun } from '../window-run';
import { reviewDiffCommand } from '../review/review-controller';
import {
  pendingChildren,
  pendingNodeId,
  pendingParent,
  pendingRow,
  type PendingNode,
  type PendingRow,
} from './pending-changes-model';
import { modelTreeState, TreeRefresher } from './tree-refresher';

export type { PendingNode } from './pending-changes-model';

export const PENDING_CHANGES_VIEW_ID = 'speckitOrchestra.pendingChanges';

const COLLAPSIBLE: Record<PendingRow['collapsible'], vscode.TreeItemCollapsibleState> = {
  expanded: vscode.TreeItemCollapsibleState.Expanded,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  none: vscode.TreeItemCollapsibleState.None,
};

/**
 * The review queue and what each finished task changed (see `PendingNode`). Refreshed as the Tasks tree is (the
 * `TreeRefresher`): a burst of proposal events is shown once, refreshing only the rows that look different and
 * the parents whose children changed, on elements interned by a stable id, so a row the user is about to click
 * is not replaced under the pointer by a refresh of the whole tree.
 */
export class PendingChangesTreeProvider implements vscode.TreeDataProvider<PendingNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<PendingNode | PendingNode[] | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly subscription: vscode.Disposable;
  private readonly refresher: TreeRefresher<PendingNode>;

  constructor(
    private readonly session: WindowRun,
    log: Logger,
  ) {
    this.refresher = new TreeRefresher<PendingNode>({
      idOf: pendingNodeId,
      current: () => {
        const view = session.view;
        return Promise.resolve(
          modelTreeState<PendingNode>(
            (node) => pendingChildren(view, node),
            (node) => pendingRow(view, node),
          ),
        );
      },
      fire: (nodes) => this._onDidChangeTreeData.fire(nodes),
      onError: (error) => log.warn(`refreshing the Pending Changes tree: ${String(error)}`),
    });
    this.subscription = session.onDidChange((change) => {
      if (change.kind === 'reset') return this.refresher.schedule();
      switch (change.event.type) {
        case 'proposal-decided':
          // Its row's click opens a diff of a proposal that no longer exists: gone from the view at once.
          this.refresher.refreshNow();
          return;
        case 'proposal-pending':
        case 'proposal-applied':
        case 'run-started':
        case 'task-status':
          this.refresher.schedule();
          return;
        default:
          return;
      }
    });
  }

  getChildren(node?: PendingNode): PendingNode[] {
    return this.refresher.childrenShown(node, pendingChildren(this.session.view, node));
  }

  getParent(node: PendingNode): PendingNode | undefined {
    const parent = pendingParent(this.session.view, node);
    return parent && this.refresher.intern(parent);
  }

  getTreeItem(node: PendingNode): vscode.TreeItem {
    const id = pendingNodeId(node);
    const row = pendingRow(this.session.view, node);
    if (!row) {
      // Gone since VS Code asked for it (a decided proposal); the refresh under way removes it.
      const item = new vscode.TreeItem(node.kind === 'proposal' ? node.proposalId : id);
      item.id = id;
      return item;
    }
    this.refresher.rowShown(node, JSON.stringify(row));
    return this.renderRow(id, node.kind, row);
  }

  private renderRow(id: string, contextValue: PendingNode['kind'], row: PendingRow): vscode.TreeItem {
    const item = new vscode.TreeItem(row.label, COLLAPSIBLE[row.collapsible]);
    item.id = id;
    item.contextValue = contextValue;
    if (row.description !== undefined) item.description = row.description;
    item.iconPath = new vscode.ThemeIcon(
      row.icon.id,
      row.icon.color !== undefined ? new vscode.ThemeColor(row.icon.color) : undefined,
    );
    if (row.tooltip)
      item.tooltip = new vscode.MarkdownString()
        .appendMarkdown(`${row.tooltip.heading}\n\n`)
        .appendText(row.tooltip.text);
    const root = this.session.root;
    const click = row.click;
    if (click && root) {
      if (click.kind === 'review') {
        const proposal = this.session.view.pending.get(click.proposalId);
        // VS Code's own diff command, kept with the row: a click on a row being replaced still opens it.
        if (proposal) item.command = reviewDiffCommand(proposal, root, this.session.view);
      } else {
        const uri = vscode.Uri.joinPath(root, ...click.path.split('/'));
        item.command = { command: 'vscode.open', title: 'Open File', arguments: [uri, { preview: true }] };
      }
    }
    return item;
  }

  dispose(): void {
    this.refresher.dispose();
    this.subscription.dispose();
    this._onDidChangeTreeData.dispose();
  }
}
