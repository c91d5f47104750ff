import * as vscode from 'vscode';
import type { WindowRun } from '../window-run';
import { progressSnapshot, statusBarText } from './progress-snapshot';

/** What the status bar item shows now; VS Code offers no way to read an item back, so tests read this. */
export interface StatusBarState {
  readonly visible: boolean;
  readonly text: string;
  readonly tooltip: string;
  readonly command: string;
}

/** "Orchestra 12/40 · 3 workers" while a run is active; a click opens the Progress panel. */
export function register(
  session: WindowRun,
  showPanelCommand: string,
): { state: () => StatusBarState; disposables: vscode.Disposable[] } {
  const item = vscode.window.createStatusBarItem('speckitOrchestra.run', vscode.StatusBarAlignment.Left, 10);
  item.name = 'Spec-Kit Orchestra Run';
  item.command = showPanelCommand;
  let visible = false;
  const update = (): void => {
    if (!session.isActive) {
      item.hide();
      visible = false;
      return;
    }
    const snapshot = progressSnapshot(session.view, true);
    item.text = `$(pulse) ${statusBarText(snapshot)}`;
    item.tooltip = `${snapshot.featureId ?? 'Run'}: ${snapshot.done} of ${snapshot.total} tasks done${snapshot.pendingEdits > 0 ? `, ${snapshot.pendingEdits} edit(s) waiting for review` : ''}. Click to show progress.`;
    item.show();
    visible = true;
  };
  update();
  const state = (): StatusBarState => ({
    visible,
    text: item.text,
    tooltip: typeof item.tooltip === 'string' ? item.tooltip : '',
    command: showPanelCommand,
  });
  return { state, disposables: [item, session.onDidChange(update)] };
}
