import * as vscode from 'vscode';
import type { Logger } from '../core/engine';
import { ContextKey, type ContextKeyName } from './context-key-names';
import type { WindowRun } from './window-run';

export { ContextKey, type ContextKeyName } from './context-key-names';

const lastValues = new Map<ContextKeyName, boolean>();

/** Sets a key once per change; a failure is logged (and the key set again next time), never thrown. */
export function setContextKey(key: ContextKeyName, value: boolean, log: Logger): void {
  if (lastValues.get(key) === value) return;
  lastValues.set(key, value);
  void vscode.commands.executeCommand('setContext', key, value).then(undefined, (error: unknown) => {
    lastValues.delete(key);
    log.warn(`setContext ${key} failed: ${error instanceof Error ? error.message : String(error)}`);
  });
}

export function register(session: WindowRun, log: Logger): vscode.Disposable[] {
  setContextKey(ContextKey.activated, true, log);
  const update = (): void => {
    setContextKey(ContextKey.runActive, session.isActive, log);
    setContextKey(ContextKey.pendingEdits, session.view.pending.size > 0, log);
  };
  update();
  return [session.onDidChange(update)];
}
