// In an untrusted workspace: run commands are refused with an explanation, nothing runs, and browsing the
// tasks still works. The harness opens folders trusted today (code-server with --disable-workspace-trust),
// so the refusal test skips, saying so, until it can open this suite's folder untrusted.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import packageJson from '../../../../package.json';
import { CommandId, type RunCommandResult } from '../../../../src/extension/commands';
import type { OrchestraApi } from '../../../../src/extension/extension';
import type { TaskNode } from '../../../../src/extension/trees/tasks-tree';
import { waitFor } from '../../wait';
import { snapshotFiles } from '../../workspace-snapshot';

async function api(): Promise<OrchestraApi> {
  const extension = vscode.extensions.getExtension<OrchestraApi | undefined>(`${packageJson.publisher}.${packageJson.name}`);
  assert.ok(extension);
  const exports = await waitFor('activation', () => (extension.isActive ? extension.exports : undefined), 20_000);
  assert.ok(exports);
  return exports;
}

suite('an untrusted workspace', () => {
  test('run commands are refused and explain why; nothing changes', async function () {
    if (vscode.workspace.isTrusted) this.skip(); // the harness opened the folder trusted: nothing to check here
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(root);
    const before = snapshotFiles(root);
    for (const command of [CommandId.implement, CommandId.resumeRun, CommandId.rollBackRun, CommandId.acceptAllPendingEdits]) {
      let outcome: { value: RunCommandResult } | undefined;
      const running = Promise.resolve(vscode.commands.executeCommand<RunCommandResult>(command)).then((value) => {
        outcome = { value };
      });
      await waitFor(`${command} to return`, async () => {
        await vscode.commands.executeCommand('notifications.clearAll');
        return outcome;
      });
      await running;
      assert.deepEqual(outcome?.value, { ran: false, reason: 'untrusted' }, command);
    }
    assert.deepEqual(snapshotFiles(root), before);
  });

  test('the Tasks tree still shows the tasks', async () => {
    const { trees } = await api();
    const features = await trees.tasks.getChildren();
    assert.deepEqual(features, [{ kind: 'feature', featureId: '001-greeting' }]);
    const phases = await trees.tasks.getChildren(features[0]);
    assert.equal(trees.tasks.getTreeItem(phases[0] as TaskNode).description, '0/2');
  });
});
