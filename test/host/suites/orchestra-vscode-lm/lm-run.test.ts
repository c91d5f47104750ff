// The VS Code language-model provider end to end: a chat model registered by a test-only extension through
// VS Code's own provider API (test/host/extensions/chat-model) runs a task of the example, in the real
// extension host. The orchestra finds it with vscode.lm, its requests carry the tools, the model's tool calls
// propose the edit, the user accepts it in the review UI, the task is ticked and its evidence journaled.
// The model speaks the engine tests' well-behaved team, translated to and from the LM API's parts.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import packageJson from '../../../../package.json';
import { verifyTasks } from '../../../../src/core/evidence/verify-tasks';
import { CommandId, type RunCommandResult } from '../../../../src/extension/commands';
import type { RecordedRequest } from '../../../mock-anthropic';
import type { MockReply } from '../../../mock-anthropic/replies';
import { contentFor, jobOf, wellBehaved } from '../../../unit/engine/run/harness';
import {
  TEST_MODEL_EXTENSION_ID,
  TEST_MODEL_VENDOR,
  type ModelCall,
  type ResponsePart,
  type TestChatModelApi,
} from '../../extensions/chat-model/extension';
import { orchestraApi, outcomeReport, reviewUntilFinished } from '../../orchestra';

function root(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder);
  return folder.uri.fsPath;
}

const ORCHESTRA_ID = `${packageJson.publisher}.${packageJson.name}`;
const TASKS_MD = 'specs/001-todo-api/tasks.md';

/**
 * A tool result as a model provider receives it. VS Code 1.100 hands providers its newer message shape, whose
 * tool results are `LanguageModelToolResultPart2` (a proposal's class, no subclass of the stable one).
 */
function toolResultOf(part: unknown): { callId: string; text: string } | undefined {
  if (part instanceof vscode.LanguageModelToolCallPart || typeof part !== 'object' || part === null) return undefined;
  const { callId, content } = part as { callId?: unknown; content?: unknown };
  if (typeof callId !== 'string' || !Array.isArray(content)) return undefined;
  const text = content.map((c) => (c instanceof vscode.LanguageModelTextPart ? c.value : '')).join('');
  return { callId, text };
}

/** An LM API part as the Anthropic-shaped block the scripted team reads. */
function blockOf(part: unknown): Record<string, unknown> {
  if (part instanceof vscode.LanguageModelTextPart) return { type: 'text', text: part.value };
  if (part instanceof vscode.LanguageModelToolCallPart)
    return { type: 'tool_use', id: part.callId, name: part.name, input: part.input };
  const result = toolResultOf(part);
  if (result) return { type: 'tool_result', tool_use_id: result.callId, content: result.text };
  return { type: 'unknown' };
}

/** A call to the test model in the shape the engine tests' scripted team reads (a recorded mock request). */
function asRecordedRequest(call: ModelCall, index: number): RecordedRequest {
  const messages = call.messages.map((message) => ({
    role: message.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : 'user',
    content: message.content.map(blockOf),
  }));
  return {
    index,
    requestId: `lm-${index}`,
    method: 'LM',
    path: '/vscode.lm',
    headers: {},
    body: { messages, tools: call.toolNames.map((name) => ({ name })) },
    arrivedAt: Date.now(),
    inFlightAtArrival: 1,
    closedByClient: false,
  };
}

let callIds = 0;
function partsOf(reply: MockReply): ResponsePart[] {
  assert.equal(reply.type, 'message', 'the scripted team answers with messages only');
  return reply.content.map((block) =>
    block.type === 'text'
      ? new vscode.LanguageModelTextPart(block.text)
      : new vscode.LanguageModelToolCallPart(block.id ?? `call-${++callIds}`, block.name, block.input),
  );
}

function tickedIds(): string[] {
  return [...readFileSync(join(root(), TASKS_MD), 'utf8').matchAll(/^- \[[xX]\] (T\d+)/gm)].map((m) => m[1] ?? '');
}

let model: TestChatModelApi | undefined;

suite('the VS Code language-model provider runs a task end to end', () => {
  suiteSetup(async () => {
    await orchestraApi();
    const extension = vscode.extensions.getExtension<TestChatModelApi>(TEST_MODEL_EXTENSION_ID);
    assert.ok(extension, `the test extension ${TEST_MODEL_EXTENSION_ID} is loaded beside the orchestra`);
    model = await extension.activate();
    const team = wellBehaved((path) => existsSync(join(root(), path)));
    model.respondWith((call) => partsOf(team(asRecordedRequest(call, model?.calls.length ?? 0))));
    const settings = vscode.workspace.getConfiguration('speckitOrchestra');
    await settings.update('provider', 'vscode-lm', vscode.ConfigurationTarget.Workspace);
    // The example's package.json names `npm test`: the run would ask before running it. Not this suite's subject.
    await settings.update('testCommand', '', vscode.ConfigurationTarget.Workspace);
    await settings.update('detectTestCommand', false, vscode.ConfigurationTarget.Workspace);
  });

  test('only the test extension uses the proposed API; the orchestra sees its model through vscode.lm', async () => {
    const orchestra = vscode.extensions.getExtension(ORCHESTRA_ID);
    assert.ok(orchestra);
    assert.equal(
      (orchestra.packageJSON as { enabledApiProposals?: unknown }).enabledApiProposals,
      undefined,
      'the shipped manifest enables no API proposal',
    );
    const models = await vscode.lm.selectChatModels({ vendor: TEST_MODEL_VENDOR });
    assert.equal(models.length, 1, 'the registered chat model is selectable');
  });

  test('implement T001 on vscode.lm: tool calls propose the edit, the user accepts it, the task is ticked and journaled', async () => {
    const orchestra = await orchestraApi();
    assert.ok(model);
    const result = await vscode.commands.executeCommand<RunCommandResult>(CommandId.implement, '001-todo-api', {
      onlyTasks: ['T001'],
    });
    assert.equal(result.ran, true, JSON.stringify(result));
    assert.ok(result.ran);
    const accepted: string[] = [];
    await reviewUntilFinished(orchestra, async (proposalId) => {
      const proposal = orchestra.session.view.pending.get(proposalId);
      assert.ok(proposal, 'the proposal is pending review: nothing is written before consent');
      assert.equal(existsSync(join(root(), proposal.path)), false, `${proposal.path} is not on disk before the accept`);
      accepted.push(proposal.path);
      assert.equal(await vscode.commands.executeCommand(CommandId.acceptEdit, proposalId), true);
    });
    assert.equal(orchestra.session.view.finished?.outcome, 'completed', outcomeReport(orchestra));
    assert.deepEqual(accepted, ['src/index.js']);

    // The edit the model's tool call proposed is what reached the disk, and only T001 is ticked.
    assert.equal(readFileSync(join(root(), 'src/index.js'), 'utf8'), contentFor('src/index.js', 'T001'));
    assert.deepEqual(tickedIds(), ['T001']);

    // Every request went through the LM API from the orchestra, with the tools, and the tool round trip happened.
    const calls = model.calls.map((call, i) => ({ call, job: jobOf(asRecordedRequest(call, i)) }));
    assert.ok(
      calls.every(({ call }) => call.extensionId.toLowerCase() === ORCHESTRA_ID.toLowerCase()),
      'every request came from the orchestra',
    );
    const t001 = calls.filter(({ job }) => job === 'T001').map(({ call }) => call);
    assert.equal(t001.length, 2, 'T001 took two turns: propose, then complete');
    for (const call of t001) {
      assert.ok(call.toolNames.includes('propose_edit') && call.toolNames.includes('complete_task'), 'tools offered');
    }
    const [first, second] = t001;
    const proposeCall = (first?.messages ?? []).length; // the first turn's reply is the next message
    const proposed = (second?.messages[proposeCall]?.content ?? []).filter(
      (p) => p instanceof vscode.LanguageModelToolCallPart,
    );
    assert.deepEqual(
      proposed.map((c) => c.name),
      ['propose_edit'],
      "the second turn carries the model's propose_edit call",
    );
    const results = (second?.messages ?? []).flatMap((m) => m.content.flatMap((p) => toolResultOf(p) ?? []));
    assert.deepEqual(
      results.map((r) => r.callId),
      proposed.map((c) => c.callId),
      'and its result',
    );
    assert.match(results[0]?.text ?? '', /src\/index\.js/);

    // The tick is backed by evidence naming the model that did the work and the user who approved the edit.
    const journal = readFileSync(join(root(), '.specify/orchestra/runs', result.runId, 'journal.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { type: string; taskId?: string; models?: string[]; edits?: unknown[] });
    const evidence = journal.find((r) => r.type === 'task-evidence' && r.taskId === 'T001');
    assert.ok(evidence, 'T001 has a task-evidence record');
    assert.deepEqual(evidence.models, [`${TEST_MODEL_VENDOR}/scripted-model`]);
    assert.deepEqual(
      evidence.edits?.map((e) => {
        const edit = e as { path: string; approval: unknown };
        return [edit.path, edit.approval];
      }),
      [['src/index.js', { by: 'user', edited: false }]],
    );
    const report = await verifyTasks({ tasksPath: join(root(), TASKS_MD), taskIds: ['T001'] });
    assert.equal(report.tasks[0]?.state, 'verified', JSON.stringify(report.tasks[0]));
  });
});
