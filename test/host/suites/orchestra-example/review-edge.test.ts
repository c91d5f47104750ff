// Review paths the full run does not take: a file with unsaved changes in an editor (diffed against the
// editor's text, never replaced without the user's yes), a proposed deletion, and the Progress panel redrawing its last picture
// after its view was disposed and resolved again. Runs after orchestra.test.ts (files sort by name).
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { CommandId } from '../../../../src/extension/commands';
import type { HostToWebview } from '../../../../src/protocol/webview-messages';
import type { TaskView } from '../../../../src/protocol/engine-events';
import { orchestraApi } from '../../orchestra';
import { waitFor } from '../../wait';
import { ScriptedRun } from './scripted-run';

function root(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder);
  return folder.uri;
}

function task(id: string): TaskView {
  return {
    key: id,
    id,
    description: `task ${id}`,
    phaseIndex: 0,
    line: 1,
    files: [],
    dependsOn: [],
    parallel: false,
    status: 'running',
  };
}

/**
 * A stand-in for the WebviewView VS Code hands the provider: it records what the provider posts and lets
 * the test play the page (`ready`) and the disposal. The page's own script is covered by the e2e tests.
 */
class RecordingWebviewView {
  readonly posted: unknown[] = [];
  visible = true;
  private readonly toHost = new vscode.EventEmitter<unknown>();
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly webview = {
    options: {},
    html: '',
    cspSource: 'vscode-webview-resource:',
    asWebviewUri: (uri: vscode.Uri) => uri,
    postMessage: (message: unknown): Thenable<boolean> => {
      this.posted.push(message);
      return Promise.resolve(true);
    },
    onDidReceiveMessage: this.toHost.event,
  };
  readonly onDidChangeVisibility = new vscode.EventEmitter<void>().event;
  readonly onDidDispose = this.disposed.event;

  pageSays(message: unknown): void {
    this.toHost.fire(message);
  }

  dispose(): void {
    this.visible = false;
    this.disposed.fire();
  }

  lastSnapshot(): HostToWebview | undefined {
    return this.posted.at(-1) as HostToWebview | undefined;
  }
}

suite('review edge cases', () => {
  test('a file with unsaved changes is diffed against the editor text, and accepting asks before replacing them', async () => {
    const orchestra = await orchestraApi();
    const rootUri = root();
    const fileUri = vscode.Uri.joinPath(rootUri, 'docs-notes.md');
    // Else the web workbench saves the "unsaved" text after a second (the harness turns it off, as on a desktop).
    assert.equal(vscode.workspace.getConfiguration('files').get('autoSave'), 'off');
    await vscode.workspace.fs.writeFile(fileUri, new TextEncoder().encode('on disk\n'));
    const document = await vscode.workspace.openTextDocument(fileUri);
    await vscode.window.showTextDocument(document);
    const unsaved = new vscode.WorkspaceEdit();
    unsaved.insert(fileUri, new vscode.Position(0, 0), 'typed, not saved\n');
    assert.ok(await vscode.workspace.applyEdit(unsaved));
    assert.equal(document.isDirty, true);

    const run = new ScriptedRun(rootUri.fsPath);
    orchestra.attachRun(run, rootUri);
    run.start([task('T001')]);
    run.propose({
      id: 'p-dirty',
      taskKey: 'T001',
      path: 'docs-notes.md',
      kind: 'modify',
      base: 'on disk\n',
      proposed: 'proposed\n',
    });

    assert.equal(await vscode.commands.executeCommand(CommandId.openProposal, 'p-dirty'), true);
    const tab = await waitFor('the diff', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff),
    );
    assert.ok(tab.input instanceof vscode.TabInputTextDiff);
    assert.equal(tab.input.original.toString(), fileUri.toString(), 'the left side is the file itself');
    const left = await vscode.workspace.openTextDocument(tab.input.original);
    assert.equal(left.getText(), 'typed, not saved\non disk\n', "which shows the editor's unsaved text, not the disk");

    const asked: string[] = [];
    const modal = orchestra.prompts.modal;
    try {
      orchestra.prompts.modal = (message) => {
        asked.push(message);
        return Promise.resolve(undefined);
      };
      assert.equal(
        await vscode.commands.executeCommand(CommandId.acceptEdit, 'p-dirty'),
        false,
        'cancelled: not accepted',
      );
      assert.equal(asked.length, 1);
      assert.match(asked[0] ?? '', /docs-notes\.md has unsaved changes/);
      assert.equal(run.decisions.length, 0, 'nothing was decided');
      assert.equal(document.getText(), 'typed, not saved\non disk\n', 'the unsaved text is kept');
      assert.equal(readFileSync(fileUri.fsPath, 'utf8'), 'on disk\n');

      orchestra.prompts.modal = (message, _detail, ...actions) => {
        asked.push(message);
        return Promise.resolve(actions.find((a) => a.startsWith('Replace')));
      };
      assert.equal(await vscode.commands.executeCommand(CommandId.acceptEdit, 'p-dirty'), true);
      await run.settled();
    } finally {
      orchestra.prompts.modal = modal;
    }
    assert.equal(asked.length, 2, 'asked again, and the user agreed');
    assert.deepEqual(run.decisions, [{ id: 'p-dirty', decision: { kind: 'accept' } }]);
    assert.equal(readFileSync(fileUri.fsPath, 'utf8'), 'proposed\n');
    assert.equal(document.getText(), 'proposed\n', 'the editor shows what was written');
    assert.equal(document.isDirty, false);
    run.cancel();
  });

  test('a proposed deletion shows as such: titled deleted, the file on the left, a read-only empty right; accepting deletes it', async () => {
    const orchestra = await orchestraApi();
    const rootUri = root();
    const fileUri = vscode.Uri.joinPath(rootUri, 'obsolete.md');
    await vscode.workspace.fs.writeFile(fileUri, new TextEncoder().encode('old notes\n'));
    const run = new ScriptedRun(rootUri.fsPath);
    orchestra.attachRun(run, rootUri);
    run.start([task('T001')]);
    run.propose({
      id: 'p-delete',
      taskKey: 'T001',
      path: 'obsolete.md',
      kind: 'delete',
      base: 'old notes\n',
      proposed: undefined,
    });

    assert.equal(await vscode.commands.executeCommand(CommandId.openProposal, 'p-delete'), true);
    const tab = await waitFor('the deletion diff', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputTextDiff && t.label.includes('obsolete.md')),
    );
    assert.ok(tab.input instanceof vscode.TabInputTextDiff);
    assert.match(tab.label, /^T001 · code-writer .*obsolete\.md \(deleted\)$/);
    assert.equal(tab.input.original.toString(), fileUri.toString(), 'the left side is the file as it is');
    const right = await vscode.workspace.openTextDocument(tab.input.modified);
    assert.equal(right.getText(), '', 'nothing is left on the proposed side');
    const stat = await vscode.workspace.fs.stat(tab.input.modified);
    assert.ok(
      ((stat.permissions ?? 0) & vscode.FilePermission.Readonly) !== 0,
      'a deletion cannot be edited into something else',
    );

    assert.equal(await vscode.commands.executeCommand(CommandId.acceptEdit, 'p-delete'), true);
    await run.settled();
    assert.deepEqual(run.decisions, [{ id: 'p-delete', decision: { kind: 'accept' } }]);
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(fileUri)), 'the file is gone');
    run.cancel();
  });

  test('the Progress panel draws its last picture again after its view is disposed and resolved anew', async () => {
    const orchestra = await orchestraApi();
    const rootUri = root();
    const run = new ScriptedRun(rootUri.fsPath);
    orchestra.attachRun(run, rootUri);
    run.start([task('T001'), task('T002')]);
    run.emit({ type: 'task-status', taskKey: 'T001', status: 'done', at: new Date().toISOString() });
    run.emit({ type: 'log', level: 'info', message: 'halfway there', at: new Date().toISOString() });

    const first = new RecordingWebviewView();
    orchestra.progressView.resolveWebviewView(first as unknown as vscode.WebviewView);
    first.pageSays({ type: 'ready' });
    const before = first.lastSnapshot();
    assert.equal(before?.type, 'snapshot');
    assert.equal(before.snapshot.done, 1);
    assert.equal(before.snapshot.total, 2);
    first.dispose();

    const second = new RecordingWebviewView();
    orchestra.progressView.resolveWebviewView(second as unknown as vscode.WebviewView);
    assert.match(second.webview.html, /Content-Security-Policy/);
    assert.equal(second.posted.length, 0, 'nothing is posted before the page is ready');
    second.pageSays({ type: 'ready' });
    assert.deepEqual(second.lastSnapshot(), before, 'the same picture, log included');
    const postedToFirst = first.posted.length;
    run.emit({ type: 'task-status', taskKey: 'T002', status: 'done', at: new Date().toISOString() });
    await waitFor('the update to reach the new view', () =>
      second.lastSnapshot()?.snapshot.done === 2 ? true : undefined,
    );
    assert.equal(first.posted.length, postedToFirst, 'the disposed view gets nothing');
    run.cancel();
  });
});
