// The Tasks tree while a run moves fast: bursts of events become few refreshes of only the rows that changed,
// elements keep their identity (VS Code finds what to refresh by it), and a row's click is VS Code's own
// `vscode.open`, which cannot go missing while the row is replaced. Runs after review-edge.test.ts.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TaskNode } from '../../../../src/extension/trees/tasks-tree';
import { orchestraApi } from '../../orchestra';
import { waitFor } from '../../wait';
import { runningTasks, ScriptedRun } from './scripted-run';

function root(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder);
  return folder.uri;
}

const at = (): string => new Date().toISOString();

/** Every node of the tree, fetched as VS Code fetches them (so they count as shown). */
async function expandAll(
  tree: Awaited<ReturnType<typeof orchestraApi>>['trees']['tasks'],
  node?: TaskNode,
): Promise<TaskNode[]> {
  const children = await tree.getChildren(node);
  const all: TaskNode[] = [];
  for (const child of children) {
    tree.getTreeItem(child);
    all.push(child, ...(await expandAll(tree, child)));
  }
  return all;
}

suite('the Tasks tree during a live run', () => {
  test('a burst of events is one refresh of the changed rows, with the same element objects', async () => {
    const orchestra = await orchestraApi();
    const tree = orchestra.trees.tasks;
    const run = new ScriptedRun(root().fsPath);
    const tasks = runningTasks('T001', 'T002', 'T003');
    orchestra.attachRun(run, root());
    run.start(tasks);
    for (const t of tasks) run.emit({ type: 'task-status', taskKey: t.key, status: 'running', at: at() });
    // Let the start settle, then look at the tree as VS Code would.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const shown = await expandAll(tree);
    const fired: (TaskNode | TaskNode[] | undefined)[] = [];
    const subscription = tree.onDidChangeTreeData((e) => fired.push(e));
    try {
      // A burst as a busy worker makes it: messages and a role for T002, many times within a few milliseconds.
      run.emit({
        type: 'worker-started',
        workerId: 'T002-code-writer-1',
        role: 'code-writer',
        taskKey: 'T002',
        model: 'm',
        at: at(),
      });
      for (let i = 0; i < 50; i++)
        run.emit({ type: 'worker-activity', workerId: 'T002-code-writer-1', activity: `step ${i}`, at: at() });
      await waitFor('the tree to refresh', () => (fired.length > 0 ? true : undefined), 5000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(fired.length, 1, `one refresh for the burst, got ${fired.length}`);
      const [refreshed] = fired;
      assert.ok(
        Array.isArray(refreshed),
        `the refresh names nodes; it is not a whole-tree refresh: ${JSON.stringify(refreshed)}`,
      );
      assert.deepEqual(
        refreshed.map((n) => (n.kind === 'task' ? n.taskKey : n.kind)),
        ['T002'],
        'only the row that changed',
      );
      assert.ok(
        shown.includes(refreshed[0] as TaskNode),
        'the very element VS Code was given, so VS Code finds it to refresh',
      );
      const item = tree.getTreeItem(refreshed[0] as TaskNode);
      assert.equal(item.description, '[P] code-writer');
      // A task's hover is built when shown (with its evidence), as VS Code asks for it.
      const { tooltip } = await tree.resolveTreeItem(item, refreshed[0] as TaskNode);
      assert.ok(
        tooltip instanceof vscode.MarkdownString && /step(&nbsp;| )49/.test(tooltip.value),
        `the last message is in the tooltip: ${tooltip instanceof vscode.MarkdownString ? tooltip.value : String(tooltip)}`,
      );
      assert.equal(item.id, 'task:001-todo-api:T002', 'ids stay as they were');

      // A task done changes counts: its feature is refreshed (VS Code refetches everything under it anyway).
      fired.length = 0;
      run.emit({ type: 'task-status', taskKey: 'T001', status: 'done', at: at() });
      await waitFor('the tree to refresh', () => (fired.length > 0 ? true : undefined), 5000);
      const [afterDone] = fired;
      assert.ok(Array.isArray(afterDone), `a refresh of nodes: ${JSON.stringify(afterDone)}`);
      assert.deepEqual(
        afterDone.map((n) => n.kind),
        ['feature'],
      );
      const [feature] = await tree.getChildren();
      assert.equal(feature, afterDone[0], 'the same feature element');
      const [phase] = await tree.getChildren(feature);
      assert.equal(tree.getTreeItem(phase as TaskNode).description, '1/3');
    } finally {
      subscription.dispose();
      run.cancel();
    }
  });

  test("a task row's click is vscode.open at its line, and runs after the row was replaced", async () => {
    const { trees } = await orchestraApi();
    const [feature] = await trees.tasks.getChildren();
    const [phase] = await trees.tasks.getChildren(feature);
    const [first] = await trees.tasks.getChildren(phase);
    const item = trees.tasks.getTreeItem(first as TaskNode);
    assert.equal(item.command?.command, 'vscode.open');
    const [uri, options] = (item.command.arguments ?? []) as [vscode.Uri, vscode.TextDocumentShowOptions];
    assert.ok(uri.path.endsWith('specs/001-todo-api/tasks.md'));
    // Replace the row (refresh the whole tree) before "clicking" the item taken earlier.
    trees.tasks.refresh();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand(item.command.command, uri, options);
    const editor = await waitFor('tasks.md to open', () =>
      vscode.window.activeTextEditor?.document.uri.toString() === uri.toString()
        ? vscode.window.activeTextEditor
        : undefined,
    );
    assert.match(editor.document.lineAt(editor.selection.active.line).text, /T001/);

    // The context menu's "Open Task in tasks.md" gets the row's element.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const third = (await trees.tasks.getChildren(phase))[2] as TaskNode;
    assert.equal(await vscode.commands.executeCommand('speckit-orchestra.openTask', third), true);
    const again = await waitFor('tasks.md to open again', () =>
      vscode.window.activeTextEditor?.document.uri.toString() === uri.toString()
        ? vscode.window.activeTextEditor
        : undefined,
    );
    assert.match(again.document.lineAt(again.selection.active.line).text, /T003/);
  });
});
