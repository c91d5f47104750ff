import * as vscode from 'vscode';

export const UNTRUSTED_EXPLANATION =
  'Spec-Kit Orchestra does not run agents, commands or edits in an untrusted workspace: agents read files and propose changes, and the test command runs code from the workspace. Browsing tasks still works. Trust the workspace to run.';

/** True when trusted; otherwise explains why nothing runs and offers to manage trust. */
export async function ensureTrusted(action: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const choice = await vscode.window.showWarningMessage(
    `${action} is disabled in an untrusted workspace. ${UNTRUSTED_EXPLANATION}`,
    'Manage Workspace Trust',
  );
  if (choice === 'Manage Workspace Trust') await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}
