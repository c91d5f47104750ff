// The commands the guided first run's steps link to, in the real extension host, against the wire mock of the
// Anthropic API: the dry run (a plan, no model call), the next task alone, and the example project copied out
// of the extension. Runs after the other files of this suite (files sort by name), against its own mock.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CommandId, type DryRunResult, type RunCommandResult } from '../../../../src/extension/commands';
import type { MockAnthropic } from '../../../mock-anthropic';
import { jobOf } from '../../../unit/engine/run/harness';
import { orchestraApi, outcomeReport, prepareRuns, reviewUntilFinished, workspaceRoot } from '../../orchestra';

const root = workspaceRoot;

const tasksPath = (): string => join(root(), 'specs/001-todo-api/tasks.md');
const ticked = (): string[] =>
  [...readFileSync(tasksPath(), 'utf8').matchAll(/^- \[X\] (T\d+)/gm)].map((m) => m[1] ?? '');

let mock: MockAnthropic | undefined;

suite('the walkthrough: dry run, the next task, the example project', () => {
  suiteSetup(async () => {
    // T001 done and the rest to do: "the next task" is T002, not the first line of the file.
    mock = await prepareRuns({ ticked: ['T001'] });
  });

  suiteTeardown(async () => {
    await mock?.close();
  });

  test('Dry Run shows the schedule and the forecast as a document, and calls no model', async () => {
    const orchestra = await orchestraApi();
    const requestsBefore = mock?.requests.length ?? 0;
    const result = await vscode.commands.executeCommand<DryRunResult>(CommandId.dryRun, '001-todo-api');
    assert.deepEqual(result, { shown: true, featureId: '001-todo-api', tasksToDo: 9 });
    const shown = vscode.window.activeTextEditor?.document;
    assert.ok(shown, 'the dry run is the active editor');
    assert.equal(shown.languageId, 'markdown');
    assert.equal(shown.isUntitled, true, 'a document of its own, nothing written to disk');
    assert.match(shown.getText(), /## Cost forecast/);
    assert.match(shown.getText(), /T002 → /);
    assert.equal(mock?.requests.length, requestsBefore, 'a dry run calls no model');
    assert.equal(orchestra.session.isActive, false, 'nothing runs');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('Run the Next Task runs the first unfinished task alone, and ticks only it', async () => {
    const orchestra = await orchestraApi();
    const requestsBefore = mock?.requests.length ?? 0;
    const result = await vscode.commands.executeCommand<RunCommandResult>(CommandId.runNextTask);
    assert.equal(result.ran, true, JSON.stringify(result));
    await reviewUntilFinished(orchestra);
    assert.equal(orchestra.session.view.finished?.outcome, 'completed', outcomeReport(orchestra));
    assert.deepEqual(ticked(), ['T001', 'T002'], 'T001 was done already; the run did T002 and nothing else');
    const tasksAsked = new Set(
      (mock?.requests.slice(requestsBefore) ?? []).map(jobOf).filter((job) => job?.startsWith('T') === true),
    );
    assert.deepEqual([...tasksAsked], ['T002'], 'the model was asked about T002 only');
  }).timeout(240_000);

  test('Run the Next Task with every task done runs nothing and says so', async () => {
    const orchestra = await orchestraApi();
    const text = readFileSync(tasksPath(), 'utf8').replace(/^- \[ \]/gm, '- [X]');
    await vscode.workspace.fs.writeFile(vscode.Uri.file(tasksPath()), new TextEncoder().encode(text));
    await vscode.commands.executeCommand(CommandId.refreshTasks);
    const runBefore = orchestra.session.view.runId;
    const result = await vscode.commands.executeCommand<RunCommandResult>(CommandId.runNextTask);
    assert.deepEqual(result, { ran: false, reason: 'nothing-to-run' });
    assert.equal(orchestra.session.view.runId, runBefore, 'no new run');
  });

  test('Open the Example Project copies the bundled example, and asks before replacing an earlier copy', async () => {
    const orchestra = await orchestraApi();
    const extension = vscode.extensions.getExtension('speckit-orchestra.speckit-orchestra');
    assert.ok(extension);
    const bundled = readFileSync(
      join(extension.extensionPath, 'examples/todo-api/specs/001-todo-api/tasks.md'),
      'utf8',
    );
    const asked: string[] = [];
    let answer: string | undefined;
    const original = orchestra.prompts.modal;
    orchestra.prompts.modal = (message) => {
      asked.push(message);
      return Promise.resolve(answer);
    };
    try {
      const open = { open: false };
      // A copy may be there from an earlier activation in this profile: start from a fresh one.
      answer = 'Start Over';
      const copy = await vscode.commands.executeCommand<vscode.Uri | undefined>(CommandId.openExample, open);
      assert.ok(copy instanceof vscode.Uri);
      assert.ok(!copy.fsPath.startsWith(root()), 'the copy is outside the open project');
      const copiedTasks = join(copy.fsPath, 'specs/001-todo-api/tasks.md');
      assert.equal(readFileSync(copiedTasks, 'utf8'), bundled);
      assert.ok(existsSync(join(copy.fsPath, '.specify/memory/constitution.md')), 'dot folders are copied too');

      // What a run left in the copy is kept when the user says so, and replaced when they start over.
      writeFileSync(copiedTasks, 'changed by a run\n');
      asked.length = 0;
      answer = 'Open It As It Is';
      assert.equal((await vscode.commands.executeCommand<vscode.Uri>(CommandId.openExample, open)).fsPath, copy.fsPath);
      assert.equal(asked.length, 1, 'asked once');
      assert.equal(readFileSync(copiedTasks, 'utf8'), 'changed by a run\n');

      answer = undefined;
      assert.equal(await vscode.commands.executeCommand(CommandId.openExample, open), undefined, 'cancelled');
      assert.equal(readFileSync(copiedTasks, 'utf8'), 'changed by a run\n', 'a cancel changes nothing');

      answer = 'Start Over';
      await vscode.commands.executeCommand(CommandId.openExample, open);
      assert.equal(readFileSync(copiedTasks, 'utf8'), bundled, 'a fresh copy');
    } finally {
      orchestra.prompts.modal = original;
    }
  });
});
