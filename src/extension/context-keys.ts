import * as vscode from 'vscode';
import { ContextKey, type ContextKeyName } from './context-key-names';
import type { WindowRun } from './window-run';

export { ContextKey, type ContextKeyName } from './context-key-names';

const lastValues = new Map<ContextKeyName, boolean>();

export function setContextKey(key: ContextKeyName, value: boolean): void {
  if (lastValues.get(key) === value) return;
  lastValues.set(key, value);
  void vscode.commands.executeCommand('setContext', key, value).then(undefined, (error: unknown) => {
    lastValues.delete(key);
    console.error(`setContext ${key} failed: ${String(error)}`);
  });
}

export function register(session: WindowRun): vscode.Disposable[] {
  setContextKey(ContextKey.activated, true);
  const update = (): void => {
    setContextKey(ContextKey.runActive, session.isActive);
    setContextKey(ContextKey.pendingEdits, session.view.pending.size > 0);
  };
  update();
  return [session.onDidChange(update)];
}
