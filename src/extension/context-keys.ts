import * as vscode from 'vscode';
import type { RunSession } from './run-session';

/** The `when`-clause keys package.json menus use; set from the session so a menu never offers what cannot run. */
export const ContextKey = {
  activated: 'speckitOrchestra.activated',
  runActive: 'speckitOrchestra.runActive',
  pendingEdits: 'speckitOrchestra.pendingEdits',
  interruptedRun: 'speckitOrchestra.interruptedRun',
  hasTasks: 'speckitOrchestra.hasTasks',
} as const;

export type ContextKeyName = (typeof ContextKey)[keyof typeof ContextKey];

const lastValues = new Map<ContextKeyName, boolean>();

export function setContextKey(key: ContextKeyName, value: boolean): void {
  if (lastValues.get(key) === value) return;
  lastValues.set(key, value);
  void vscode.commands.executeCommand('setContext', key, value).then(undefined, (error: unknown) => {
    lastValues.delete(key);
    console.error(`setContext ${key} failed: ${String(error)}`);
  });
}

export function register(session: RunSession): vscode.Disposable[] {
  setContextKey(ContextKey.activated, true);
  const update = (): void => {
    setContextKey(ContextKey.runActive, session.isActive);
    setContextKey(ContextKey.pendingEdits, session.view.pending.size > 0);
  };
  update();
  return [session.onDidChange(update)];
}
