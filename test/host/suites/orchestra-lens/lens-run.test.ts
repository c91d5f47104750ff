// Code lenses hand tasks to the engine, in the real extension host against the wire mock of the Anthropic
// API: "Run task" runs that task alone (an unfinished dependency is reported, not run). The same runs show
// that the key never reaches the log. Then the VS Code language-model provider with no chat model installed
// (the test VS Code has none): one plain message, and nothing runs.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CommandId, NO_CHAT_MODEL_MESSAGE, type RunCommandResult } from '../../../../src/extension/commands';
import type { LogLine } from '../../../../src/extension/log';
import { LspCommandId, parseRunTaskArgs } from '../../../../src/protocol/lsp-messages';
import { startMockAnthropic, type MockAnthropic } from '../../../mock-anthropic';
import { wellBehaved } from '../../../unit/engine/run/harness';
import { orchestraApi, reviewUntilFinished, runDismissing } from '../../orchestra';
import { unlessCanceled, waitFor } from '../../wait';
import { snapshotFiles } from '../../workspace-snapshot';

/** Recognisable, so a leak anywhere in the log is found by a plain substring search. */
const KEY = 'sk-ant-lens-test-LEAK-CANARY-7f3e9c21';

function root(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder);
  return folder.uri.fsPath;
}

function tasksUri(): vscode.Uri {
  return vscode.Uri.file(join(root(), 'specs', '001-todo-api', 'tasks.md'));
}

function tickedIds(): string[] {
  return [...readFileSync(tasksUri().fsPath, 'utf8').matchAll(/^- \[X\] (T\d+)/gm)].map((m) => m[1] ?? '');
}

/** The "Run task" lens of one task, as VS Code's own code-lens provider command returns it. */
async function runTaskLens(taskId: string): Promise<{ command: vscode.Command; line: number }> {
  const document = await vscode.workspace.openTextDocument(tasksUri());
  await vscode.window.showTextDocument(document);
  const lens = await waitFor(
    `the Run task lens of ${taskId}`,
    async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
        'vscode.executeCodeLensProvider',
        document.uri,
      );
      return lenses.find(
        (l) =>
          l.command?.command === LspCommandId.runTask &&
          parseRunTaskArgs((l.command.arguments as unknown[] | undefined)?.[0])?.taskId === taskId,
      );
    },
    30_000,
  );
  assert.ok(lens.command);
  return { command: lens.command, line: lens.range.start.line };
}

let mock: MockAnthropic | undefined;
const logLines: LogLine[] = [];
let logSubscription: vscode.Disposable | undefined;

suite('code lenses run tasks against the engine', () => {
  suiteSetup(async () => {
    const orchestra = await orchestraApi();
    logSubscription = orchestra.onDidLog((line) => logLines.push(line));
    mock = await startMockAnthropic({ apiKeys: [KEY] });
    mock.setHandler(wellBehaved((path) => existsSync(join(root(), path))));
    const config = vscode.workspace.getConfiguration('speckitOrchestra');
    await config.update('anthropic.baseUrl', mock.url, vscode.ConfigurationTarget.Workspace);
    await config.update('detectTestCommand', false, vscode.ConfigurationTarget.Workspace);
    assert.equal(await vscode.commands.executeCommand(CommandId.setApiKey, KEY), true);
  });

  suiteTeardown(async () => {
    logSubscription?.dispose();
    await mock?.close();
  });

  test('Run task runs that task alone: its file is written and only it is ticked', async () => {
    const orchestra = await orchestraApi();
    const { command: lens, line } = await runTaskLens('T002');
    assert.equal(lens.title, '▶ Run task');
    const result = await vscode.commands.executeCommand<RunCommandResult>(
      lens.command,
      ...((lens.arguments ?? []) as unknown[]),
    );
    assert.equal(result.ran, true, JSON.stringify(result));
    await reviewUntilFinished(orchestra);
    assert.equal(orchestra.session.view.finished?.outcome, 'completed', orchestra.session.view.finished?.message);
    assert.ok(existsSync(join(root(), 'src/errors.js')), "the task's file is written");
    assert.deepEqual(tickedIds(), ['T002']);
    assert.deepEqual(
      [...new Set(orchestra.session.view.applied.map((a) => a.taskKey))],
      ['T002'],
      'no other task wrote anything',
    );
    // The run's statuses reach the language server: the task's lens tells the last run's result.
    await waitFor(
      "the last run's result above T002",
      async () => {
        const lenses = await unlessCanceled(
          vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', tasksUri()),
        );
        return lenses?.find(
          (l) => l.range.start.line === line && l.command?.title.startsWith('Last run: done') === true,
        );
      },
      20_000,
    );
  });

  test('Run task on a task with an unfinished dependency says so, and runs only that task', async () => {
    const orchestra = await orchestraApi();
    const { command: lens } = await runTaskLens('T007');
    const result = await runDismissing<RunCommandResult>(lens.command, ...((lens.arguments ?? []) as unknown[]));
    assert.equal(result.ran, true, JSON.stringify(result));
    assert.ok(
      logLines.some((l) => l.level === 'warn' && l.message.includes('T007 depends on T006')),
      'the unfinished dependency is reported',
    );
    await reviewUntilFinished(orchestra);
    assert.equal(orchestra.session.view.finished?.outcome, 'completed', orchestra.session.view.finished?.message);
    assert.deepEqual(tickedIds(), ['T002', 'T007'], 'T006 was not run');
  });

  test('the API key never appears in the log', () => {
    assert.ok((mock?.requests.length ?? 0) > 0, 'the runs called the API with the key');
    assert.ok(logLines.length > 0, 'the log was read');
    const leaks = logLines.filter((l) => l.message.includes(KEY) || l.message.includes(KEY.slice(-12)));
    assert.deepEqual(leaks, []);
  });

  test('VS Code language models with no chat model installed: a plain message, and nothing runs', async () => {
    const orchestra = await orchestraApi();
    assert.deepEqual(await vscode.lm.selectChatModels({}), [], 'the test VS Code has no chat model');
    await vscode.workspace
      .getConfiguration('speckitOrchestra')
      .update('provider', 'vscode-lm', vscode.ConfigurationTarget.Workspace);
    const requestsBefore = mock?.requests.length;
    const before = snapshotFiles(root());
    const linesBefore = logLines.length;
    const result = await runDismissing<RunCommandResult>(CommandId.implement, '001-todo-api');
    assert.deepEqual(result, { ran: false, reason: 'no-model' });
    const said = logLines.slice(linesBefore);
    assert.ok(
      said.some((l) => l.message.includes(NO_CHAT_MODEL_MESSAGE)),
      `the user was told: ${NO_CHAT_MODEL_MESSAGE}`,
    );
    assert.ok(
      said.every((l) => !/\n\s+at /.test(l.message)),
      'no stack trace',
    );
    assert.equal(mock?.requests.length, requestsBefore, 'no model call');
    assert.equal(orchestra.session.isActive, false);
    const after = snapshotFiles(root());
    for (const files of [before, after]) files.delete('.vscode/settings.json');
    assert.deepEqual(after, before, 'no file changed');
  });
});
