import * as vscode from 'vscode';
import type { ProposalKind, ProposalView } from '../../protocol/engine-events';
import type { WindowRun } from '../window-run';
import { reviewDiffCommand } from '../review/review-controller';
import { plainText } from './plain-text';

export const PENDING_CHANGES_VIEW_ID = 'speckitOrchestra.pendingChanges';

/**
 * The review queue (per task, the files with proposed edits) and, below it, what each finished task changed.
 * `contextValue`s (`proposalTask`, `proposal`, `changedTask`, `changedFile`) drive the inline actions in
 * package.json's `view/item/context` menus.
 */
export type PendingNode =
  | { kind: 'proposalTask'; taskKey: string }
  | { kind: 'proposal'; proposalId: string }
  | { kind: 'changedRoot' }
  | { kind: 'changedTask'; taskKey: string }
  | { kind: 'changedFile'; taskKey: string; path: string; fileKind: ProposalKind };

const KIND_ICON: Record<ProposalKind, vscode.ThemeIcon> = {
  create: new vscode.ThemeIcon('diff-added', new vscode.ThemeColor('gitDecoration.addedResourceForeground')),
  modify: new vscode.ThemeIcon('diff-modified', new vscode.ThemeColor('gitDecoration.modifiedResourceForeground')),
  delete: new vscode.ThemeIcon('diff-removed', new vscode.ThemeColor('gitDecoration.deletedResourceForeground')),
};
const KIND_LABEL: Record<ProposalKind, string> = { create: 'new', modify: 'modified', delete: 'deleted' };

export class PendingChangesTreeProvider implements vscode.TreeDataProvider<PendingNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<PendingNode | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly session: WindowRun) {
    this.subscription = session.onDidChange((change) => {
      if (change.kind === 'reset') {
        this._onDidChangeTreeData.fire(undefined);
        return;
      }
      switch (change.event.type) {
        case 'proposal-pending':
        case 'proposal-decided':
        case 'proposal-applied':
        case 'run-started':
        case 'task-status':
          // Task groups appear and disappear with their first and last proposal: refresh from the root.
          this._onDidChangeTreeData.fire(undefined);
          return;
        default:
          return;
      }
    });
  }

  private pendingByTask(): Map<string, ProposalView[]> {
    const groups = new Map<string, ProposalView[]>();
    for (const p of this.session.view.pending.values()) groups.set(p.taskKey, [...(groups.get(p.taskKey) ?? []), p]);
    return groups;
  }

  /** Applied files of tasks that are done, in the order they were written, last write per path. */
  private changedByTask(): Map<string, Map<string, ProposalKind>> {
    const view = this.session.view;
    const groups = new Map<string, Map<string, ProposalKind>>();
    for (const a of view.applied) {
      if (view.tasks.get(a.taskKey)?.status !== 'done') continue;
      const files = groups.get(a.taskKey) ?? new Map<string, ProposalKind>();
      const before = files.get(a.path);
      // A file created then modified within the task is still new to the workspace.
      files.set(a.path, before === 'create' && a.kind === 'modify' ? 'create' : a.kind);
      groups.set(a.taskKey, files);
    }
    return groups;
  }

  getChildren(node?: PendingNode): PendingNode[] {
    if (!node) {
      const roots: PendingNode[] = [...this.pendingByTask().keys()].map((taskKey) => ({
        kind: 'proposalTask',
        taskKey,
      }));
      if (this.changedByTask().size > 0) roots.push({ kind: 'changedRoot' });
      return roots;
    }
    switch (node.kind) {
      case 'proposalTask':
        return (this.pendingByTask().get(node.taskKey) ?? []).map((p) => ({ kind: 'proposal', proposalId: p.id }));
      case 'changedRoot':
        return [...this.changedByTask().keys()].map((taskKey) => ({ kind: 'changedTask', taskKey }));
      case 'changedTask':
        return [...(this.changedByTask().get(node.taskKey) ?? new Map<string, ProposalKind>())].map(
          ([path, fileKind]) => ({ kind: 'changedFile', taskKey: node.taskKey, path, fileKind }),
        );
      case 'proposal':
      case 'changedFile':
        return [];
    }
  }

  getParent(node: PendingNode): PendingNode | undefined {
    switch (node.kind) {
      case 'proposal': {
        const taskKey = this.session.view.pending.get(node.proposalId)?.taskKey;
        return taskKey === undefined ? undefined : { kind: 'proposalTask', taskKey };
      }
      case 'changedTask':
        return { kind: 'changedRoot' };
      case 'changedFile':
        return { kind: 'changedTask', taskKey: node.taskKey };
      case 'proposalTask':
      case 'changedRoot':
        return undefined;
    }
  }

  private taskLabel(taskKey: string): string {
    const task = this.session.view.tasks.get(taskKey);
    return task ? `${task.id} ${plainText(task.description)}` : taskKey;
  }

  private fileUri(path: string): vscode.Uri | undefined {
    const root = this.session.root;
    return root === undefined ? undefined : vscode.Uri.joinPath(root, ...path.split('/'));
  }

  getTreeItem(node: PendingNode): vscode.TreeItem {
    switch (node.kind) {
      case 'proposalTask': {
        const count = this.pendingByTask().get(node.taskKey)?.length ?? 0;
        const item = new vscode.TreeItem(this.taskLabel(node.taskKey), vscode.TreeItemCollapsibleState.Expanded);
        item.id = `proposalTask:${node.taskKey}`;
        item.contextValue = 'proposalTask';
        item.description = `${count} edit${count === 1 ? '' : 's'} to review`;
        item.iconPath = new vscode.ThemeIcon('git-pull-request');
        return item;
      }
      case 'proposal': {
        const p = this.session.view.pending.get(node.proposalId);
        if (!p) return new vscode.TreeItem(node.proposalId);
        const slash = p.path.lastIndexOf('/');
        const item = new vscode.TreeItem(p.path.slice(slash + 1));
        item.id = `proposal:${p.id}`;
        item.contextValue = 'proposal';
        item.description = `${slash > 0 ? `${p.path.slice(0, slash)} · ` : ''}${KIND_LABEL[p.kind]}`;
        item.iconPath = KIND_ICON[p.kind];
        item.tooltip = new vscode.MarkdownString()
          .appendMarkdown(`**${p.path}** (${KIND_LABEL[p.kind]}) · ${p.role} ${p.workerId}\n\n`)
          .appendText(p.reason ?? 'Click to review the diff.');
        // VS Code's own diff command, kept with the row: a click on a row being replaced still opens it.
        const root = this.session.root;
        if (root) item.command = reviewDiffCommand(p, root, this.session.view);
        return item;
      }
      case 'changedRoot': {
        const item = new vscode.TreeItem('Changed by finished tasks', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = 'changedRoot';
        item.contextValue = 'changedRoot';
        item.iconPath = new vscode.ThemeIcon('history');
        return item;
      }
      case 'changedTask': {
        const item = new vscode.TreeItem(this.taskLabel(node.taskKey), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `changedTask:${node.taskKey}`;
        item.contextValue = 'changedTask';
        item.description = `${this.changedByTask().get(node.taskKey)?.size ?? 0} file(s)`;
        item.iconPath = new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
        return item;
      }
      case 'changedFile': {
        const uri = this.fileUri(node.path);
        const item = new vscode.TreeItem(node.path);
        item.id = `changedFile:${node.taskKey}:${node.path}`;
        item.contextValue = 'changedFile';
        item.description = KIND_LABEL[node.fileKind];
        item.iconPath = KIND_ICON[node.fileKind];
        if (uri && node.fileKind !== 'delete')
          item.command = { command: 'vscode.open', title: 'Open File', arguments: [uri, { preview: true }] };
        return item;
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChangeTreeData.dispose();
  }
}
