// A full run of the example through the commands, in the real extension host, against the wire mock of the
// Anthropic API (started inside this host; the extension reaches it through the base-URL setting, as a
// user's gateway). The "model" is the engine tests' well-behaved team plus one revision after feedback.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CommandId, type RunCommandResult } from '../../../../src/extension/commands';
import { startMockAnthropic, type MockAnthropic, type MockReply, type RecordedRequest } from '../../../mock-anthropic';
import { jobOf, revisingAfter, toolResults } from '../../../unit/engine/run/harness';
import { orchestraApi, outcomeReport, reviewUntilFinished, runDismissing } from '../../orchestra';
import { waitFor } from '../../wait';
import { snapshotFiles } from '../../workspace-snapshot';

const FEEDBACK = 'Please add a header comment naming the module';

function root(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder);
  return folder.uri.fsPath;
}

const api = orchestraApi;

/** The scripted team; a rejected proposal is revised once with the header the feedback asks for. */
function team(): (request: RecordedRequest) => MockReply {
  return revisingAfter(FEEDBACK, (path) => existsSync(join(root(), path)));
}

/** Opens a proposal's diff as a click does, changes its first line on the proposed side, accepts from the title. */
async function acceptWithEdit(proposalId: string): Promise<string> {
  assert.equal(await vscode.commands.executeCommand(CommandId.openProposal, { kind: 'proposal', proposalId }), true);
  const tab = await waitFor('the diff', () =>
    vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff),
  );
  assert.ok(tab.input instanceof vscode.TabInputTextDiff);
  const proposed = await vscode.workspace.openTextDocument(tab.input.modified);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(proposed.uri, proposed.lineAt(0).range, '// edited by the reviewer');
  assert.ok(await vscode.workspace.applyEdit(edit));
  const expected = proposed.getText();
  assert.equal(await vscode.commands.executeCommand(CommandId.acceptEdit, tab.input.modified), true);
  return expected;
}

let mock: MockAnthropic | undefined;
/** The workspace as the resumed run found it, for the rollback test. */
let beforeSecondRun: Map<string, string> | undefined;

suite('a full run through the commands, against the mock API', () => {
  suiteSetup(async () => {
    await api();
    mock = await startMockAnthropic({ apiKeys: ['sk-host-test'] });
    mock.setHandler(team());
    await vscode.workspace
      .getConfiguration('speckitOrchestra')
      .update('anthropic.baseUrl', mock.url, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace
      .getConfiguration('speckitOrchestra')
      .update('testCommand', '', vscode.ConfigurationTarget.Workspace);
    // The example's package.json names `npm test`: the run would ask before running it. Not this suite's subject.
    await vscode.workspace
      .getConfiguration('speckitOrchestra')
      .update('detectTestCommand', false, vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    await mock?.close();
  });

  test('without a key nothing runs: the user is told to set one, and sees the dry-run forecast', async () => {
    const before = snapshotFiles(root());
    const result = await runDismissing<RunCommandResult>(CommandId.implement, '001-todo-api');
    assert.deepEqual(result, { ran: false, reason: 'no-api-key' });
    assert.equal(mock?.requests.length, 0, 'no model call without a key');
    const after = snapshotFiles(root());
    after.delete('.vscode/settings.json');
    before.delete('.vscode/settings.json');
    assert.deepEqual(after, before, 'no file changed');
  });

  test('implement, accept with edits, reject with feedback, accept all: files written and tasks.md ticked', async () => {
    const orchestra = await api();
    assert.equal(await vscode.commands.executeCommand(CommandId.setApiKey, 'sk-host-test'), true);
    const result = await vscode.commands.executeCommand<RunCommandResult>(CommandId.implement, '001-todo-api');
    assert.equal(result.ran, true, JSON.stringify(result));
    let rejectedPath: string | undefined;
    let edited: { path: string; text: string; taskId: string; requestsBefore: number } | undefined;
    await reviewUntilFinished(
      orchestra,
      async (proposalId) => {
        rejectedPath = orchestra.session.view.pending.get(proposalId)?.path;
        assert.equal(
          await vscode.commands.executeCommand(CommandId.rejectEdit, proposalId, { feedback: FEEDBACK }),
          true,
        );
      },
      async (proposalId) => {
        const proposal = orchestra.session.view.pending.get(proposalId);
        const taskId = proposal && orchestra.session.view.tasks.get(proposal.taskKey)?.id;
        assert.ok(proposal && taskId);
        const requestsBefore = mock?.requests.length ?? 0;
        edited = { path: proposal.path, text: await acceptWithEdit(proposalId), taskId, requestsBefore };
      },
    );
    assert.equal(orchestra.session.view.finished?.outcome, 'completed', outcomeReport(orchestra));
    assert.ok(rejectedPath);
    assert.ok(edited, 'a proposal was accepted with the reviewer edit');
    assert.equal(
      readFileSync(join(root(), edited.path), 'utf8'),
      edited.text,
      'what the reviewer saw on the proposed side is what was written',
    );
    // The worker's next turn carries the tool result telling it the reviewer changed its proposal, with the diff.
    const { taskId, path: editedPath, requestsBefore } = edited;
    const next = mock?.requests.slice(requestsBefore).find((r) => jobOf(r) === taskId);
    assert.ok(next, `${taskId} made another request after the accept`);
    const told = toolResults(next).find((r) =>
      r.content.includes(`Accepted with the reviewer's own edits: ${editedPath}`),
    );
    assert.ok(
      told,
      `the next request tells the agent the reviewer changed ${editedPath}: ${JSON.stringify(toolResults(next))}`,
    );
    assert.match(told.content, /^\+\/\/ edited by the reviewer$/m, 'the diff shows the line the reviewer wrote');
    assert.match(
      readFileSync(join(root(), rejectedPath), 'utf8'),
      /^\/\/ (module for|edited by the reviewer)/,
      'the revision after feedback is what was written',
    );
    for (const path of ['src/index.js', 'src/errors.js', 'src/ids.js', 'src/todo-store.js', 'docs/api.md'])
      assert.ok(existsSync(join(root(), path)), `${path} written`);
    const tasks = readFileSync(join(root(), 'specs/001-todo-api/tasks.md'), 'utf8');
    assert.equal((tasks.match(/^- \[X\] T\d+/gm) ?? []).length, 10, 'every task ticked');
    assert.equal(orchestra.session.isActive, false);
  }).timeout(240_000);

  test('a cancelled run resumes from where it stopped and finishes', async () => {
    const orchestra = await api();
    // Start over on fresh tasks: untick tasks.md (the files from the first run stay; workers overwrite them).
    const tasksUri = vscode.Uri.file(join(root(), 'specs/001-todo-api/tasks.md'));
    const text = readFileSync(tasksUri.fsPath, 'utf8').replace(/^- \[X\]/gm, '- [ ]');
    await vscode.workspace.fs.writeFile(tasksUri, new TextEncoder().encode(text));
    beforeSecondRun = new Map(
      [...snapshotFiles(root()).keys()].map((path) => [path, readFileSync(join(root(), path), 'utf8')]),
    );
    const started = await vscode.commands.executeCommand<RunCommandResult>(CommandId.implement, '001-todo-api');
    assert.equal(started.ran, true);
    // Accept one edit, then cancel while the run goes on.
    await waitFor('a first proposal', () => (orchestra.session.view.pending.size > 0 ? true : undefined), 60_000);
    await vscode.commands.executeCommand(CommandId.acceptAllPendingEdits);
    assert.equal(await vscode.commands.executeCommand(CommandId.cancelRun), true);
    await waitFor('the cancelled run to finish', () => orchestra.session.view.finished, 60_000);
    assert.equal(orchestra.session.view.finished?.outcome, 'cancelled');
    const doneBefore = [...orchestra.session.view.tasks.values()].filter((t) => t.status === 'done').map((t) => t.key);

    const resumed = await vscode.commands.executeCommand<RunCommandResult>(CommandId.resumeRun);
    assert.equal(resumed.ran, true, JSON.stringify(resumed));
    const runStarted = await waitFor(
      'the resumed run to start',
      () => orchestra.session.recentEvents.findLast((e) => e.type === 'run-started'),
      30_000,
    );
    assert.ok(runStarted.type === 'run-started' && runStarted.resumed, 'the run says it resumed');
    await reviewUntilFinished(orchestra);
    assert.equal(orchestra.session.view.finished?.outcome, 'completed', orchestra.session.view.finished?.message);
    const ticked = readFileSync(tasksUri.fsPath, 'utf8');
    assert.equal((ticked.match(/^- \[X\] T\d+/gm) ?? []).length, 10, 'every task ticked after the resume');
    for (const key of doneBefore)
      assert.equal(orchestra.session.view.tasks.get(key)?.status, 'done', `${key} stayed done`);
  }).timeout(240_000);

  test('Roll Back Run restores every file the run wrote', async () => {
    const orchestra = await api();
    const runId = orchestra.session.view.runId;
    assert.ok(runId && orchestra.session.view.finished);
    const written = [...new Set(orchestra.session.view.applied.map((a) => a.path))];
    assert.ok(written.length > 0);
    const result = await runDismissing<{ restored: number; deleted: number; skipped: number }>(
      CommandId.rollBackRun,
      runId,
      { confirmed: true },
    );
    assert.equal(result.skipped, 0, JSON.stringify(result));
    assert.ok(result.restored + result.deleted > 0, JSON.stringify(result));
    // This run overwrote files the first run had created: rolled back, each holds what it held before.
    for (const path of written) {
      const now = existsSync(join(root(), path)) ? readFileSync(join(root(), path), 'utf8') : undefined;
      assert.equal(now, beforeSecondRun?.get(path), `${path} restored`);
    }
  });
});
