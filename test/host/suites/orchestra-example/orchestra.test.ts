// The extension's face on the example project (a copy of examples/todo-api): commands, the Tasks tree,
// the review of proposals as diffs (accept, accept with edits, reject with feedback, accept all), and the
// Workspace port's writes through WorkspaceEdit.
import * as assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import packageJson from '../../../../package.json';
import { CommandId } from '../../../../src/extension/commands';
import type { OrchestraApi } from '../../../../src/extension/extension';
import type { PendingNode } from '../../../../src/extension/trees/pending-changes-tree';
import type { TaskNode } from '../../../../src/extension/trees/tasks-tree';
import { VscodeWorkspace } from '../../../../src/extension/vscode-workspace';
import { waitFor } from '../../wait';
import { runningTasks, ScriptedRun } from './scripted-run';

const extensionId = `${packageJson.publisher}.${packageJson.name}`;

function root(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder);
  return folder.uri;
}

async function api(): Promise<OrchestraApi> {
  const extension = vscode.extensions.getExtension<OrchestraApi | undefined>(extensionId);
  assert.ok(extension);
  const exports = await waitFor('activation', () => (extension.isActive ? extension.exports : undefined));
  assert.ok(exports, 'activate returned its API');
  return exports;
}

function label(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

suite('orchestra on the example project', () => {
  test('every command of the table is registered and contributed in the Spec-Kit category', async () => {
    await api();
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = new Map(packageJson.contributes.commands.map((c) => [c.command, c]));
    for (const id of Object.values(CommandId)) {
      assert.ok(registered.has(id), `${id} registered`);
      assert.equal(contributed.get(id)?.category, 'Spec-Kit', `${id} contributed`);
    }
    assert.equal(
      contributed.size,
      Object.keys(CommandId).length,
      'package.json contributes no command the table lacks',
    );
  });

  test('the Tasks tree shows feature → phases with done/total → tasks, and a click opens tasks.md at the line', async () => {
    const { trees } = await api();
    const features = await trees.tasks.getChildren();
    assert.deepEqual(features, [{ kind: 'feature', featureId: '001-todo-api' }]);
    const feature = features[0] as TaskNode;
    assert.equal(trees.tasks.getTreeItem(feature).description, '0/10');
    const phases = await trees.tasks.getChildren(feature);
    assert.deepEqual(
      phases.map((p) => [label(trees.tasks.getTreeItem(p)), trees.tasks.getTreeItem(p).description]),
      [
        ['Phase 1: Setup', '0/3'],
        ['Phase 2: Tests first', '0/2'],
        ['Phase 3: Core', '0/3'],
        ['Phase 4: Polish', '0/2'],
      ],
    );
    const tasks = await trees.tasks.getChildren(phases[0]);
    const first = trees.tasks.getTreeItem(tasks[0] as TaskNode);
    assert.match(label(first), /^T001 Create the public entry point/);
    assert.equal(trees.tasks.getTreeItem(tasks[1] as TaskNode).description, '[P]');
    // The hover is built when shown (it carries the task's evidence as checked then).
    const hover = (await trees.tasks.resolveTreeItem(first, tasks[0] as TaskNode)).tooltip;
    assert.ok(
      hover instanceof vscode.MarkdownString && hover.value.includes('src/index.js'),
      'the tooltip lists the files',
    );
    assert.ok(first.command);
    await vscode.commands.executeCommand(first.command.command, ...((first.command.arguments ?? []) as unknown[]));
    const editor = await waitFor('tasks.md to open', () =>
      vscode.window.activeTextEditor?.document.uri.path.endsWith('specs/001-todo-api/tasks.md')
        ? vscode.window.activeTextEditor
        : undefined,
    );
    assert.equal(
      editor.document.lineAt(editor.selection.active.line).text.includes('T001'),
      true,
      'the cursor is on the task line',
    );
  });

  test('the Tasks tree follows unsaved edits of tasks.md', async () => {
    const { trees } = await api();
    const uri = vscode.Uri.joinPath(root(), 'specs', '001-todo-api', 'tasks.md');
    const document = await vscode.workspace.openTextDocument(uri);
    const line = [...Array(document.lineCount).keys()].find((i) => document.lineAt(i).text.startsWith('- [ ] T002'));
    assert.ok(line !== undefined);
    const changed = new Promise<void>((resolve) => {
      const sub = trees.tasks.onDidChangeTreeData(() => {
        sub.dispose();
        resolve();
      });
    });
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(line, 2, line, 5), '[X]');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await Promise.race([
      changed,
      new Promise((_, reject) => setTimeout(() => reject(new Error('no tree refresh within 5 s')), 5000)),
    ]);
    const phase = (await trees.tasks.getChildren((await trees.tasks.getChildren())[0]))[0] as TaskNode;
    assert.equal(trees.tasks.getTreeItem(phase).description, '1/3');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test("proposals are reviewed as diffs: accept, accept with the user's edits, reject with feedback, accept all", async () => {
    const orchestra = await api();
    const rootUri = root();
    const run = new ScriptedRun(rootUri.fsPath);
    const tasks = runningTasks('T001', 'T002', 'T003');
    orchestra.attachRun(run, rootUri);
    run.start(tasks);
    const indexJs = 'export const answer = 42;\n';
    run.propose({
      id: 'p-new',
      taskKey: 'T001',
      path: 'src/index.js',
      kind: 'create',
      base: undefined,
      proposed: indexJs,
    });
    run.propose({
      id: 'p-readme',
      taskKey: 'T002',
      path: 'README.md',
      kind: 'modify',
      base: readFileSync(join(rootUri.fsPath, 'README.md'), 'utf8'),
      proposed: 'line one\nline two\nline three\n',
    });
    run.propose({
      id: 'p-rejected',
      taskKey: 'T002',
      path: 'src/ids.js',
      kind: 'create',
      base: undefined,
      proposed: 'let n = 0;\n',
    });
    run.propose({
      id: 'p-all-1',
      taskKey: 'T003',
      path: 'src/errors.js',
      kind: 'create',
      base: undefined,
      proposed: 'export class NotFoundError extends Error {}\n',
    });

    // The queue groups proposals by task; nothing opened by itself.
    const groups = orchestra.trees.pending.getChildren();
    assert.deepEqual(groups, [
      { kind: 'proposalTask', taskKey: 'T001' },
      { kind: 'proposalTask', taskKey: 'T002' },
      { kind: 'proposalTask', taskKey: 'T003' },
    ]);
    assert.equal(
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff)
        .length,
      0,
      'no diff opened on its own',
    );
    const readmeNode = orchestra.trees.pending.getChildren(groups[1])[0] as PendingNode;
    const readmeItem = orchestra.trees.pending.getTreeItem(readmeNode);
    assert.equal(readmeItem.description, 'modified');

    // Open the diff the way a click does, edit the proposed side, accept from the editor title (its URI).
    assert.ok(readmeItem.command);
    await vscode.commands.executeCommand(
      readmeItem.command.command,
      ...((readmeItem.command.arguments ?? []) as unknown[]),
    );
    const diffTab = await waitFor('the diff tab', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff),
    );
    assert.ok(diffTab.input instanceof vscode.TabInputTextDiff);
    assert.equal(diffTab.input.modified.scheme, 'speckit-proposal');
    assert.equal(diffTab.label, 'T002 · code-writer w1 · README.md (proposed)');
    const proposed = await vscode.workspace.openTextDocument(diffTab.input.modified);
    const userEdit = new vscode.WorkspaceEdit();
    userEdit.replace(proposed.uri, proposed.lineAt(1).range, 'line two, as the user wants it');
    assert.ok(await vscode.workspace.applyEdit(userEdit));
    assert.equal(await vscode.commands.executeCommand(CommandId.acceptEdit, diffTab.input.modified), true);
    await run.settled();
    assert.deepEqual(run.decisions.at(-1), {
      id: 'p-readme',
      decision: { kind: 'accept-with-edits', content: 'line one\nline two, as the user wants it\nline three\n' },
    });
    assert.equal(
      readFileSync(join(rootUri.fsPath, 'README.md'), 'utf8'),
      'line one\nline two, as the user wants it\nline three\n',
      'what is written is what the user saw',
    );
    await waitFor('the diff to close', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputTextDiff)
        ? undefined
        : true,
    );

    // A new file: the left side is empty, accepted unchanged.
    assert.equal(
      await vscode.commands.executeCommand(CommandId.openProposal, { kind: 'proposal', proposalId: 'p-new' }),
      true,
    );
    const newTab = await waitFor('the new-file diff', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff),
    );
    assert.match(newTab.label, /\(new file\)$/);
    assert.equal(
      await vscode.commands.executeCommand(CommandId.acceptEdit),
      true,
      'with no argument, the active diff is the target',
    );
    await run.settled();
    assert.deepEqual(run.decisions.at(-1), { id: 'p-new', decision: { kind: 'accept' } });
    assert.equal(readFileSync(join(rootUri.fsPath, 'src/index.js'), 'utf8'), indexJs);

    // Reject with feedback (a scripted caller passes it; a user types it in the box).
    assert.equal(
      await vscode.commands.executeCommand(
        CommandId.rejectEdit,
        { kind: 'proposal', proposalId: 'p-rejected' },
        { feedback: 'use a counter module' },
      ),
      true,
    );
    assert.deepEqual(run.decisions.at(-1), {
      id: 'p-rejected',
      decision: { kind: 'reject', feedback: 'use a counter module' },
    });
    assert.equal(existsSync(join(rootUri.fsPath, 'src/ids.js')), false);

    // Accept everything that is left.
    assert.equal(await vscode.commands.executeCommand(CommandId.acceptAllPendingEdits), 1);
    await run.settled();
    assert.equal(existsSync(join(rootUri.fsPath, 'src/errors.js')), true);
    assert.equal(orchestra.session.view.pending.size, 0);
    assert.deepEqual(orchestra.trees.pending.getChildren(), [], 'no finished task yet, nothing pending');

    // Files of finished tasks are listed for opening and reverting.
    run.emit({ type: 'task-status', taskKey: 'T002', status: 'done', at: new Date().toISOString() });
    const changedRoot = orchestra.trees.pending.getChildren();
    assert.deepEqual(changedRoot, [{ kind: 'changedRoot' }]);
    const changedTasks = orchestra.trees.pending.getChildren(changedRoot[0]);
    assert.deepEqual(changedTasks, [{ kind: 'changedTask', taskKey: 'T002' }]);
    const changedFiles = orchestra.trees.pending.getChildren(changedTasks[0]);
    assert.deepEqual(changedFiles, [{ kind: 'changedFile', taskKey: 'T002', path: 'README.md' }]);
    assert.equal(orchestra.trees.pending.getTreeItem(changedFiles[0] as PendingNode).description, 'modified');
    run.cancel();
  });

  test('the Workspace port: open editors follow a write, unsaved text is what reads see, approved bytes land as they are', async () => {
    const rootUri = root();
    const workspace = new VscodeWorkspace(rootUri.fsPath);
    const signal = new AbortController().signal;
    const uri = vscode.Uri.joinPath(rootUri, 'package.json');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const dirty = new vscode.WorkspaceEdit();
    dirty.insert(uri, new vscode.Position(0, 0), '\n');
    assert.ok(await vscode.workspace.applyEdit(dirty));
    const read = await workspace.read('package.json', signal);
    assert.equal(read.kind === 'text' ? read.text : undefined, document.getText(), 'reads see the unsaved editor text');
    assert.deepEqual(await workspace.writeAtomic('package.json', '{ "name": "changed" }\n', signal), {
      kind: 'written',
      rel: 'package.json',
    });
    assert.equal(document.getText(), '{ "name": "changed" }\n', 'the open editor shows the write');
    assert.equal(document.isDirty, false);
    assert.equal(readFileSync(uri.fsPath, 'utf8'), '{ "name": "changed" }\n');
    // A file open in an editor: the approved text lands on disk byte for byte, whatever the user's save
    // participants do to it on the way (here: trimming trailing whitespace, adding a final newline).
    const files = vscode.workspace.getConfiguration('files');
    await files.update('trimTrailingWhitespace', true, vscode.ConfigurationTarget.Workspace);
    await files.update('insertFinalNewline', true, vscode.ConfigurationTarget.Workspace);
    try {
      const readmeUri = vscode.Uri.joinPath(rootUri, 'README.md');
      const readme = await vscode.workspace.openTextDocument(readmeUri);
      await vscode.window.showTextDocument(readme);
      const approved = '# Exactly as approved   \nno final newline';
      assert.deepEqual(await workspace.writeAtomic('README.md', approved, signal), {
        kind: 'written',
        rel: 'README.md',
      });
      assert.equal(readFileSync(readmeUri.fsPath, 'utf8'), approved, 'no save participant touched the approved text');
      // The guarantee is the disk. The editor shows either the participants' result of its own save or, once
      // it has noticed the disk, the approved text; which one depends on timing, both are honest.
      assert.ok(
        [approved, '# Exactly as approved\nno final newline\n'].includes(readme.getText()),
        `the editor shows the approved text or its save participants' version: ${JSON.stringify(readme.getText())}`,
      );
    } finally {
      await files.update('trimTrailingWhitespace', undefined, vscode.ConfigurationTarget.Workspace);
      await files.update('insertFinalNewline', undefined, vscode.ConfigurationTarget.Workspace);
    }
    assert.deepEqual(await workspace.writeAtomic('.git/config', 'x', signal).then((r) => r.kind), 'refused');
    assert.deepEqual(await workspace.delete('src/errors.js', signal), { kind: 'deleted', rel: 'src/errors.js' });
    assert.equal(existsSync(join(rootUri.fsPath, 'src/errors.js')), false);
  }).timeout(90_000);
});
