import * as vscode from 'vscode';
import type { RunSession } from '../run-session';
import { progressSnapshot, statusBarText } from './progress-snapshot';

/** "Orchestra 12/40 · 3 workers" while a run is active; a click opens the Progress panel. */
export function register(session: RunSession, showPanelCommand: string): vscode.Disposable[] {
  const item = vscode.window.createStatusBarItem('speckitOrchestra.run', vscode.StatusBarAlignment.Left, 10);
  item.name = 'Spec-Kit Orchestra Run';
  item.command = showPanelCommand;
  const update = (): void => {
    if (!session.isActive) {
      item.hide();
      return;
    }
    const snapshot = progressSnapshot(session.view, true);
    item.text = `$(pulse) ${statusBarText(snapshot)}`;
    item.tooltip = `${snapshot.featureId ?? 'Run'}: ${snapshot.done} of ${snapshot.total} tasks done${snapshot.pendingEdits > 0 ? `, ${snapshot.pendingEdits} edit(s) waiting for review` : ''}. Click to show progress.`;
    item.show();
  };
  update();
  return [item, session.onDidChange(update)];
}
