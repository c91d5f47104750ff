import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { createLog } from './log';

/** Wiring only: each feature registers itself and hands back its disposables. */
export function activate(context: vscode.ExtensionContext): void {
  const { log, channel } = createLog();
  context.subscriptions.push(channel);
  try {
    context.subscriptions.push(...registerCommands({ log }));
    log.info(`activated (${String((context.extension.packageJSON as { version?: unknown }).version)})`);
  } catch (error) {
    // VS Code stays silent when activate throws; say it ourselves.
    log.error(error instanceof Error ? error : String(error));
    void vscode.window.showErrorMessage(`Spec-Kit Agent Orchestra failed to start: ${String(error)}`);
  }
}

export function deactivate(): void {
  // Disposables registered on the context are released by VS Code.
}
