import * as vscode from 'vscode';
import type { Logger } from '../core/engine';
import { PROGRESS_VIEW_ID, ProgressViewProvider, type PanelCommandRunner } from './progress/progress-view';
import * as statusBar from './progress/status-bar';
import type { TaskEvidence } from './evidence/task-evidence';
import type { WindowRun } from './window-run';
import { PENDING_CHANGES_VIEW_ID, PendingChangesTreeProvider } from './trees/pending-changes-tree';
import type { TaskDocuments } from './trees/task-documents';
import { TASKS_VIEW_ID, TasksTreeProvider } from './trees/tasks-tree';
import { welcomeKeys, type ScanState } from './trees/tasks-welcome';
import { WORKERS_VIEW_ID, WorkersTreeProvider } from './trees/workers-tree';
import { ContextKey, setContextKey } from './context-keys';

export interface ViewsDeps {
  extensionUri: vscode.Uri;
  evidence: TaskEvidence;
  session: WindowRun;
  documents: TaskDocuments;
  log: Logger;
  runPanelCommand: PanelCommandRunner;
  showProgressCommand: string;
}

export interface Trees {
  tasks: TasksTreeProvider;
  workers: WorkersTreeProvider;
  pending: PendingChangesTreeProvider;
}

/** Read-only views of UI state VS Code gives no way to read back: the Tasks view badge, the status bar item. */
export interface Chrome {
  tasksBadge(): vscode.ViewBadge | undefined;
  statusBar(): statusBar.StatusBarState;
}

/** The sidebar: Tasks, Progress, Workers, Pending Changes; and the status bar item of an active run. */
export function register(deps: ViewsDeps): {
  trees: Trees;
  progress: ProgressViewProvider;
  chrome: Chrome;
  disposables: vscode.Disposable[];
} {
  const { session, documents } = deps;
  const tasks = new TasksTreeProvider(documents, session, deps.log, deps.evidence);
  const tasksView = vscode.window.createTreeView(TASKS_VIEW_ID, { treeDataProvider: tasks, showCollapseAll: true });
  const workers = new WorkersTreeProvider(session, deps.log);
  const pending = new PendingChangesTreeProvider(session, deps.log);
  const pendingView = vscode.window.createTreeView(PENDING_CHANGES_VIEW_ID, { treeDataProvider: pending });
  const progress = new ProgressViewProvider(deps.extensionUri, session, deps.runPanelCommand, deps.log);

  // The badge counts edits waiting for review, on the Tasks view only: the container adds up its views' badges.
  const updateBadge = (): void => {
    const count = session.view.pending.size;
    const badge =
      count === 0 ? undefined : { value: count, tooltip: `${count} edit${count === 1 ? '' : 's'} waiting for review` };
    tasksView.badge = badge;
  };
  // The welcome text follows the look for features: "looking…" until it answers, never a premature "none".
  const updateWelcome = (state: ScanState): void => {
    const keys = welcomeKeys(state);
    setContextKey(ContextKey.scanned, keys.scanned, deps.log);
    setContextKey(ContextKey.hasTasks, keys.hasTasks, deps.log);
    setContextKey(ContextKey.scanFailed, keys.scanFailed, deps.log);
  };
  updateWelcome(documents.scan);
  // The first look starts now, not when the Tasks view is first shown: the walkthrough's "open a spec-kit
  // project" step and the view's welcome text follow its answer. A failure is reported by TaskDocuments.
  void documents.features().catch(() => undefined);
  updateBadge();
  const runStatus = statusBar.register(session, deps.showProgressCommand);
  const disposables = [
    tasks,
    tasksView,
    workers,
    vscode.window.registerTreeDataProvider(WORKERS_VIEW_ID, workers),
    pending,
    pendingView,
    progress,
    vscode.window.registerWebviewViewProvider(PROGRESS_VIEW_ID, progress),
    session.onDidChange(updateBadge),
    documents.onDidChangeScan(updateWelcome),
    ...runStatus.disposables,
  ];
  const chrome: Chrome = { tasksBadge: () => tasksView.badge, statusBar: runStatus.state };
  return { trees: { tasks, workers, pending }, progress, chrome, disposables };
}
