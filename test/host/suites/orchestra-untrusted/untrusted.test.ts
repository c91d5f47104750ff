// In an untrusted workspace: run commands are refused with an explanation, nothing runs, and browsing the
// tasks still works. suite.json asks the harness to open the folder untrusted (workspace trust on, no
// dialog); a desktop VS Code under runTests always gets --disable-workspace-trust, so there the refusal
// test skips, saying why.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CommandId, type RunCommandResult } from '../../../../src/extension/commands';
import type { TaskNode } from '../../../../src/extension/trees/tasks-tree';
import { LspCommandId } from '../../../../src/protocol/lsp-messages';
import { orchestraApi, runDismissing } from '../../orchestra';
import { snapshotFiles } from '../../workspace-snapshot';

suite('an untrusted workspace', () => {
  test('run commands are refused and explain why; nothing changes', async function () {
    if (process.env['SPECKIT_HOST_WORKSPACE_TRUST'] !== 'untrusted') {
      console.log('skipped: this VS Code was started with workspace trust disabled (desktop runTests)');
      this.skip();
    }
    assert.equal(vscode.workspace.isTrusted, false, 'the harness opened the folder untrusted');
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(root);
    const before = snapshotFiles(root);
    const tasksUri = vscode.Uri.joinPath(vscode.Uri.file(root), 'specs', '001-greeting', 'tasks.md').toString();
    const commands: [string, ...unknown[]][] = [
      [CommandId.implement],
      [CommandId.resumeRun],
      [CommandId.rollBackRun],
      [CommandId.acceptAllPendingEdits],
      [LspCommandId.runTask, { uri: tasksUri, taskId: 'T001' }],
      [LspCommandId.runPhase, { uri: tasksUri, phaseIndex: 0, phaseTitle: 'Phase 1' }],
    ];
    for (const [command, ...args] of commands) {
      assert.deepEqual(
        await runDismissing<RunCommandResult>(command, ...args),
        { ran: false, reason: 'untrusted' },
        command,
      );
    }
    assert.deepEqual(snapshotFiles(root), before);
  });

  test('the Tasks tree still shows the tasks', async () => {
    const { trees } = await orchestraApi();
    const features = await trees.tasks.getChildren();
    assert.deepEqual(features, [{ kind: 'feature', featureId: '001-greeting' }]);
    const phases = await trees.tasks.getChildren(features[0]);
    assert.equal(trees.tasks.getTreeItem(phases[0] as TaskNode).description, '0/2');
  });
});
