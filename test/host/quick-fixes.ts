import * as vscode from 'vscode';
import { unlessCanceled, waitFor } from './wait';

/** The quick fixes VS Code's providers offer at `range`, asked again while a changing document cancels the ask. */
export function quickFixesAt(what: string, uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  return waitFor(what, () =>
    unlessCanceled(
      vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        uri,
        range,
        vscode.CodeActionKind.QuickFix.value,
      ),
    ),
  );
}
