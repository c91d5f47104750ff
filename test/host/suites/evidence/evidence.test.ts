// Evidence in the editor: a real run (the engine against the wire mock, in this host) ticks tasks with
// evidence; a hand edit makes one drift, a hand tick has none. The Tasks tree decorates each ticked task,
// its hover shows the evidence with a link to the diff of what the task applied, and Verify Tasks fills the
// Problems view through the language server.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CommandId, type RunCommandResult } from '../../../../src/extension/commands';
import { LspCommandId } from '../../../../src/protocol/lsp-messages';
import type { VerifyTasksResult } from '../../../../src/protocol/lsp-messages';
import { startMockAnthropic, type MockAnthropic } from '../../../mock-anthropic';
import { startHarness, testSettings, wellBehaved } from '../../../unit/engine/run/harness';
import { orchestraApi, reviewUntilFinished } from '../../orchestra';
import { quickFixesAt } from '../../quick-fixes';
import { waitFor } from '../../wait';

function root(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder);
  return folder.uri.fsPath;
}

const tasksPath = () => join(root(), 'specs/001-todo-api/tasks.md');
let mock: MockAnthropic | undefined;

suite('evidence: tree decorations, hover, Verify Tasks', () => {
  suiteSetup(async () => {
    await orchestraApi();
    mock = await startMockAnthropic();
    mock.setHandler(wellBehaved((path) => existsSync(join(root(), path))));
    // The engine in this host, as the CLI would run it: its journal is what the extension reads.
    const harness = await startHarness({ dir: root(), mock });
    const run = harness.engine.start({
      root: root(),
      settings: { ...testSettings, validate: false },
      onlyTasks: ['T001', 'T002', 'T003'],
    });
    assert.equal((await run.done).outcome, 'completed');
    // A hand edit of T002's file, and a hand tick of T004.
    writeFileSync(join(root(), 'src/errors.js'), `${readFileSync(join(root(), 'src/errors.js'), 'utf8')}// by hand\n`);
    writeFileSync(tasksPath(), readFileSync(tasksPath(), 'utf8').replace(/^- \[ \] T004/m, '- [x] T004'));
  });

  suiteTeardown(async () => {
    await mock?.close();
  });

  test('each ticked task is decorated with its state, and its hover shows the evidence and links the diff', async () => {
    const api = await orchestraApi();
    const expected = ['✓', '!', '?', undefined];
    let seen: (string | undefined)[] = [];
    // The tree follows tasks.md as its watcher reports the run's ticks and the hand tick; wait until it has.
    const byId = await waitFor(`badges ${JSON.stringify(expected)} (last seen ${JSON.stringify(seen)})`, async () => {
      await api.evidence.recheck();
      const [feature] = await api.trees.tasks.getChildren();
      if (!feature) return undefined;
      const phases = await api.trees.tasks.getChildren(feature);
      const nodes = (await Promise.all(phases.map((p) => api.trees.tasks.getChildren(p)))).flat();
      const items = new Map(
        nodes.map((node) => {
          const item = api.trees.tasks.getTreeItem(node);
          const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
          return [label.split(' ')[0] ?? '', { node, item }];
        }),
      );
      seen = ['T001', 'T002', 'T004', 'T005'].map((id) => {
        const uri = items.get(id)?.item.resourceUri;
        return uri && api.evidence.provideFileDecoration(uri)?.badge;
      });
      return JSON.stringify(seen) === JSON.stringify(expected) ? items : undefined;
    });
    assert.deepEqual(seen, expected, 'verified, drifted, unverified, open');

    const t002 = byId.get('T002');
    assert.ok(t002);
    const resolved = await api.trees.tasks.resolveTreeItem(t002.item, t002.node);
    assert.ok(resolved.tooltip instanceof vscode.MarkdownString);
    const hover = resolved.tooltip.value.replace(/&nbsp;/g, ' ');
    assert.match(hover, /Evidence drifted/);
    assert.match(hover, /src\/errors\.js was changed outside any run/);
    assert.match(hover, /approved by policy auto-approve-all/);
    const link = /\[diff\]\(command:speckit-orchestra\.openEvidenceDiff\?([^)]+)\)/.exec(hover);
    assert.ok(link?.[1], hover);
    const args = JSON.parse(decodeURIComponent(link[1])) as unknown[];
    await vscode.commands.executeCommand(CommandId.openEvidenceDiff, ...args);
    const tab = await waitFor('the applied diff', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputTextDiff && t.label.includes('T002: applied')),
    );
    assert.ok(tab.input instanceof vscode.TabInputTextDiff);
    assert.equal(tab.input.modified.scheme, 'speckit-evidence');
    const applied = await vscode.workspace.openTextDocument(tab.input.modified);
    assert.doesNotMatch(applied.getText(), /by hand/, 'the right side is what the task wrote, not the file now');
    assert.match(applied.getText(), /T002/);
  });

  test('Verify Tasks fills the Problems view: tick-without-evidence and evidence-drifted on the checkboxes', async () => {
    const result = await vscode.commands.executeCommand<VerifyTasksResult | undefined>(CommandId.verifyTasks);
    assert.ok(result, 'the language server answered');
    assert.deepEqual(result.summary, { verified: 2, drifted: 1, unverified: 1, open: 6 });
    const uri = vscode.Uri.file(tasksPath());
    const diagnostics = await waitFor('evidence diagnostics', () => {
      const found = vscode.languages
        .getDiagnostics(uri)
        .filter((d) => d.code === 'evidence-drifted' || d.code === 'tick-without-evidence');
      return found.length === 2 ? found : undefined;
    });
    const drifted = diagnostics.find((d) => d.code === 'evidence-drifted');
    const unverified = diagnostics.find((d) => d.code === 'tick-without-evidence');
    assert.equal(drifted?.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(unverified?.severity, vscode.DiagnosticSeverity.Information);
    assert.match(drifted?.message ?? '', /src\/errors\.js/);
  });

  test('the Re-run task quick fix does a hand-ticked task again: its tick stays, and it is verified', async () => {
    const api = await orchestraApi();
    const config = vscode.workspace.getConfiguration('speckitOrchestra');
    await config.update('anthropic.baseUrl', mock?.url, vscode.ConfigurationTarget.Workspace);
    await config.update('detectTestCommand', false, vscode.ConfigurationTarget.Workspace);
    assert.equal(await vscode.commands.executeCommand(CommandId.setApiKey, 'sk-ant-evidence-test'), true);
    const uri = vscode.Uri.file(tasksPath());
    // Code actions are asked of an open document, and VS Code cancels the request when the document changes
    // meanwhile: wait until it shows the hand tick on disk (the file watcher may tell VS Code late), and ask
    // again if a late reload cancelled the request all the same.
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    await waitFor('the editor to show tasks.md as the disk has it', () =>
      document.getText() === readFileSync(tasksPath(), 'utf8') ? true : undefined,
    );
    const unverified = await waitFor('the hand tick of T004 flagged', () =>
      vscode.languages.getDiagnostics(uri).find((d) => d.code === 'tick-without-evidence'),
    );
    const actions = await quickFixesAt('the quick fixes of the hand tick', uri, unverified.range);
    const rerun = actions.find((a) => a.title === 'Re-run task T004');
    assert.ok(rerun?.command, JSON.stringify(actions.map((a) => a.title)));
    assert.equal(rerun.command.command, LspCommandId.runTask);
    const result = await vscode.commands.executeCommand<RunCommandResult>(
      rerun.command.command,
      ...((rerun.command.arguments ?? []) as unknown[]),
    );
    assert.equal(result.ran, true, JSON.stringify(result));
    await reviewUntilFinished(api);
    assert.equal(api.session.view.finished?.outcome, 'completed', api.session.view.finished?.message);
    assert.deepEqual(
      [...new Set(api.session.view.applied.map((a) => a.taskKey))],
      ['T004'],
      'only the re-run task wrote anything',
    );
    assert.match(readFileSync(tasksPath(), 'utf8'), /^- \[x\] T004/m, 'the tick stays as it was');
    const badge = await waitFor('T004 verified', async () => {
      await api.evidence.recheck();
      const [feature] = await api.trees.tasks.getChildren();
      if (!feature) return undefined;
      const phases = await api.trees.tasks.getChildren(feature);
      const nodes = (await Promise.all(phases.map((p) => api.trees.tasks.getChildren(p)))).flat();
      const item = nodes
        .map((n) => api.trees.tasks.getTreeItem(n))
        .find((i) => {
          const label = typeof i.label === 'string' ? i.label : (i.label?.label ?? '');
          return label.startsWith('T004 ');
        });
      const found = item?.resourceUri && api.evidence.provideFileDecoration(item.resourceUri)?.badge;
      return found === '✓' ? found : undefined;
    });
    assert.equal(badge, '✓');
  });
});
