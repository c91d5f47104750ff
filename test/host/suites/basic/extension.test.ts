// The first host suite: the extension in a real VS Code on a small spec-kit project (fixture
// test/fixtures/workspaces/basic, opened as a fresh copy).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import packageJson from '../../../../package.json';
import { CommandId } from '../../../../src/extension/commands';
import { waitFor } from '../../wait';
import { snapshotFiles } from '../../workspace-snapshot';

const extensionId = `${packageJson.publisher}.${packageJson.name}`;

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the runner opens the fixture workspace as a folder');
  return folder.uri.fsPath;
}

suite('basic spec-kit workspace', () => {
  test('the extension activates by itself on a spec-kit workspace, before any command runs', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is loaded as the extension under development`);
    // Never call activate() here: the point is that the workspaceContains activation event fires.
    await waitFor('the extension to become active', () => (extension.isActive ? true : undefined));
  });

  test('contributes and registers the implement command', async () => {
    const contributed = packageJson.contributes.commands.find((c) => c.command === CommandId.implement);
    assert.deepEqual(contributed, {
      command: CommandId.implement,
      title: 'Implement Spec-Kit Tasks',
      category: 'Spec-Kit',
    });
    const registered = await vscode.commands.getCommands(true);
    assert.ok(registered.includes(CommandId.implement), `${CommandId.implement} is registered`);
  });

  test('implement without an API key runs nothing and changes no file', async () => {
    const root = workspaceRoot();
    const before = snapshotFiles(root);
    assert.ok(before.has('specs/001-demo/tasks.md'), 'the fixture copy holds the feature');
    let outcome: { value: unknown } | undefined;
    const running = Promise.resolve(vscode.commands.executeCommand<unknown>(CommandId.implement)).then((value) => {
      outcome = { value };
    });
    // The command may await a notification, which settles once closed: dismiss it as a user would.
    await waitFor('the implement command to return once its notification is dismissed', async () => {
      await vscode.commands.executeCommand('notifications.clearAll');
      return outcome;
    });
    await running;
    // No key is stored in this fresh profile: the command asks for one and runs nothing.
    assert.deepEqual(outcome?.value, { ran: false, reason: 'no-api-key' });
    assert.deepEqual(snapshotFiles(root), before, 'no file in the workspace changed');
  });
});
