// What a user sees of a live run outside the diff: the status bar item, the Tasks view badge counting edits
// that wait for review, and the Workers tree. Runs after run.test.ts (files sort by name), against its own mock.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CommandId, type RunCommandResult } from '../../../../src/extension/commands';
import type { MockAnthropic } from '../../../mock-anthropic';
import { orchestraApi, prepareRuns, reviewUntilFinished } from '../../orchestra';
import { waitFor } from '../../wait';

let mock: MockAnthropic | undefined;

suite('the status bar, the Tasks badge and the Workers tree during a run', () => {
  suiteSetup(async () => {
    mock = await prepareRuns();
  });

  suiteTeardown(async () => {
    await mock?.close();
  });

  test('while edits wait: status bar counts tasks and workers, badge counts the edits, workers say they wait; all clear after', async () => {
    const orchestra = await orchestraApi();
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    const result = await vscode.commands.executeCommand<RunCommandResult>(CommandId.implement, '001-todo-api');
    assert.equal(result.ran, true, JSON.stringify(result));

    // A quiet moment: two or more edits wait and every worker waits on the user, so nothing moves while we look.
    let last = '';
    // T001 runs alone; its edit is accepted so the parallel T002 and T003 follow.
    const seen = await waitFor(
      'two edits waiting while every worker waits',
      async () => {
        const view = orchestra.session.view;
        last = JSON.stringify({
          pending: view.pending.size,
          finished: view.finished,
          workers: [...view.workers.values()],
          tasks: [...view.tasks.values()].map((t) => `${t.id}:${t.status}`),
        });
        const workers = orchestra.trees.workers.getChildren().map((node) => orchestra.trees.workers.getTreeItem(node));
        if (view.pending.size === 0 || workers.some((item) => item.description !== 'waiting for approval'))
          return undefined;
        if (view.pending.size === 1) {
          await vscode.commands.executeCommand(CommandId.acceptAllPendingEdits);
          return undefined;
        }
        return {
          pending: view.pending.size,
          done: [...view.tasks.values()].filter((t) => t.status === 'done' || t.status === 'skipped').length,
          workerIds: [...view.workers.keys()],
          workers,
          badge: orchestra.chrome.tasksBadge(),
          status: orchestra.chrome.statusBar(),
        };
      },
      60_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; last seen ${last}`);
    });

    assert.equal(seen.status.visible, true, 'the status bar item shows while the run is active');
    const plural = seen.workerIds.length === 1 ? 'worker' : 'workers';
    assert.equal(seen.status.text, `$(pulse) Orchestra ${seen.done}/10 · ${seen.workerIds.length} ${plural}`);
    assert.match(seen.status.tooltip, new RegExp(`${seen.pending} edit\\(s\\) waiting for review`));
    assert.equal(seen.status.command, CommandId.showProgressPanel);

    assert.deepEqual(seen.badge, { value: seen.pending, tooltip: `${seen.pending} edits waiting for review` });

    assert.ok(seen.workers.length >= 1);
    for (const [i, item] of seen.workers.entries()) {
      const worker = orchestra.session.view.workers.get(seen.workerIds[i] ?? '');
      assert.ok(worker, 'each row is an active worker');
      const taskId = orchestra.session.view.tasks.get(worker.taskKey)?.id;
      assert.ok(taskId);
      assert.equal(item.label, `${taskId} · ${worker.role}`, 'the row names the task and the role');
      assert.equal(item.description, 'waiting for approval');
    }

    // The item's command opens the Progress panel.
    assert.equal(orchestra.progressView.visible, false, 'the panel is closed before the click');
    await vscode.commands.executeCommand(seen.status.command);
    await waitFor('the Progress panel to show', () => (orchestra.progressView.visible ? true : undefined), 20_000);

    // The decisions reach the view as events; the badge is read the moment the queue empties, before the
    // next phase can propose again. The badge's own listener was registered first, so it has run by then.
    let cleared: { badge: vscode.ViewBadge | undefined } | undefined;
    const watch = orchestra.session.onDidChange(() => {
      if (cleared === undefined && orchestra.session.view.pending.size === 0)
        cleared = { badge: orchestra.chrome.tasksBadge() };
    });
    try {
      await vscode.commands.executeCommand(CommandId.acceptAllPendingEdits);
      const { badge } = await waitFor('the review queue to empty', () => cleared, 20_000);
      assert.equal(badge, undefined, 'no badge once nothing waits');
    } finally {
      watch.dispose();
    }

    await reviewUntilFinished(orchestra);
    assert.equal(orchestra.session.view.finished?.outcome, 'completed', orchestra.session.view.finished?.message);
    assert.equal(orchestra.chrome.statusBar().visible, false, 'the status bar item is gone once the run ends');
    assert.equal(orchestra.chrome.tasksBadge(), undefined);
  }).timeout(240_000);
});
