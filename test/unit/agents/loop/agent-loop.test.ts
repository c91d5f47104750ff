import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  runAgentLoop,
  defaultAgentLimits,
  NUDGE_MESSAGE,
  type ToolExecutor,
} from '../../../../src/core/agents/agent-loop';
import { type ToolResult } from '../../../../src/core/agents/tools/tool';
import { LlmRateLimitedError, LlmRequestError } from '../../../../src/core/llm/errors';
import type {
  LlmProvider,
  LlmRequest,
  LlmResponse,
  LlmStopReason,
  LlmTextBlock,
  LlmToolUseBlock,
} from '../../../../src/core/llm/provider';

type Reply = { content: (LlmTextBlock | LlmToolUseBlock)[]; stop: LlmStopReason } | Error;

function scripted(replies: Reply[]): LlmProvider & { requests: LlmRequest[] } {
  const requests: LlmRequest[] = [];
  return {
    id: 'fake',
    requests,
    async send(request): Promise<LlmResponse> {
      requests.push(structuredClone(request));
      const reply = replies.shift();
      if (!reply) throw new Error('script exhausted');
      if (reply instanceof Error) throw reply;
      return {
        content: reply.content,
        stopReason: reply.stop,
        usage: {
          inputTokens: 100,
          outputTokens: 10,
          cacheCreationInputTokens: 0,
          cacheCreation1hInputTokens: 0,
          cacheReadInputTokens: 0,
          estimated: false,
        },
        model: request.model,
        requestId: null,
        attempts: 1,
      };
    },
  };
}

const tool = (id: string, name: string, input: unknown): LlmToolUseBlock => ({ type: 'tool_use', id, name, input });
const toolUse = { type: 'tool_use' } as const;

function tools(log: string[] = []): ToolExecutor {
  return {
    names: new Set(['read_file', 'complete_task']),
    async execute(call): Promise<ToolResult> {
      log.push(call.name);
      if (call.name === 'complete_task') {
        const input = call.input as { summary?: unknown };
        if (typeof input.summary !== 'string') return { content: 'summary: expected a string', isError: true };
        return { content: 'recorded', isError: false, completion: { summary: input.summary, filesTouched: [] } };
      }
      return { content: 'file text', isError: false };
    },
  };
}

const base = { model: 'm', maxTokens: 1000, system: [], tools: [], meta: { role: 'code-writer' as const } };

test('runs tools, answers every tool_use id in one user message, and completes', async () => {
  const provider = scripted([
    {
      content: [
        { type: 'text', text: 'reading' },
        tool('a', 'read_file', { path: 'x' }),
        tool('b', 'read_file', { path: 'y' }),
      ],
      stop: toolUse,
    },
    { content: [tool('c', 'complete_task', { summary: 'done it' })], stop: toolUse },
  ]);
  const outcome = await runAgentLoop({
    provider,
    request: base,
    initialMessage: 'task',
    tools: tools(),
    limits: defaultAgentLimits,
    signal: new AbortController().signal,
  });
  assert.equal(outcome.kind, 'completed');
  const second = provider.requests[1]!;
  assert.equal(second.messages.length, 3);
  assert.equal(second.messages[1]!.role, 'assistant');
  const results = second.messages[2]!.content;
  assert.deepEqual(
    results.map((r) => (r.type === 'tool_result' ? r.toolUseId : r.type)),
    ['a', 'b'],
  );
});

test('an unknown tool and an invalid input come back as error results, and the loop goes on', async () => {
  const provider = scripted([
    { content: [tool('a', 'rm_rf', {}), tool('b', 'complete_task', { summary: 42 })], stop: toolUse },
    { content: [tool('c', 'complete_task', { summary: 'ok' })], stop: toolUse },
  ]);
  const outcome = await runAgentLoop({
    provider,
    request: base,
    initialMessage: 'task',
    tools: tools(),
    limits: defaultAgentLimits,
    signal: new AbortController().signal,
  });
  assert.equal(outcome.kind, 'completed');
  const results = provider.requests[1]!.messages[2]!.content;
  assert.ok(results.every((r) => r.type === 'tool_result' && r.isError === true));
  assert.match(JSON.stringify(results), /Unknown tool 'rm_rf'/);
});

test('a worker that never calls complete_task is nudged once, then fails clearly', async () => {
  const end = { type: 'end_turn' } as const;
  const provider = scripted([
    { content: [{ type: 'text', text: 'I think it is fine' }], stop: end },
    { content: [{ type: 'text', text: 'still fine' }], stop: end },
  ]);
  const outcome = await runAgentLoop({
    provider,
    request: base,
    initialMessage: 'task',
    tools: tools(),
    limits: defaultAgentLimits,
    signal: new AbortController().signal,
  });
  assert.equal(outcome.kind, 'failed');
  assert.match(outcome.kind === 'failed' ? outcome.reason : '', /without calling complete_task/);
  assert.match(JSON.stringify(provider.requests[1]!.messages.at(-1)), new RegExp(NUDGE_MESSAGE.slice(0, 30)));
});

test('tools of a refusal turn never run', async () => {
  const log: string[] = [];
  const provider = scripted([
    { content: [tool('a', 'read_file', { path: 'x' })], stop: { type: 'refusal', explanation: 'no' } },
  ]);
  const outcome = await runAgentLoop({
    provider,
    request: base,
    initialMessage: 'task',
    tools: tools(log),
    limits: defaultAgentLimits,
    signal: new AbortController().signal,
  });
  assert.equal(outcome.kind, 'failed');
  assert.deepEqual(log, []);
});

test('max_tokens continues a bounded number of times; a cut tool call is answered with an error, not run', async () => {
  const log: string[] = [];
  const cut = { type: 'max_tokens' } as const;
  const provider = scripted([
    { content: [tool('a', 'read_file', { path: 'x' })], stop: cut },
    { content: [{ type: 'text', text: 'more' }], stop: cut },
    { content: [{ type: 'text', text: 'more' }], stop: cut },
  ]);
  const outcome = await runAgentLoop({
    provider,
    request: base,
    initialMessage: 't',
    tools: tools(log),
    limits: { ...defaultAgentLimits, maxTokenContinuations: 2 },
    signal: new AbortController().signal,
  });
  assert.equal(outcome.kind, 'failed');
  assert.match(outcome.kind === 'failed' ? outcome.reason : '', /output limit 3 times/);
  assert.deepEqual(log, []);
});

test('context window exceeded fails clearly; pause_turn continues', async () => {
  const provider = scripted([
    { content: [{ type: 'text', text: 'pausing' }], stop: { type: 'pause_turn' } },
    { content: [], stop: { type: 'model_context_window_exceeded' } },
  ]);
  const outcome = await runAgentLoop({
    provider,
    request: base,
    initialMessage: 't',
    tools: tools(),
    limits: defaultAgentLimits,
    signal: new AbortController().signal,
  });
  assert.equal(outcome.kind, 'failed');
  assert.match(outcome.kind === 'failed' ? outcome.reason : '', /context window/);
  assert.equal(provider.requests.length, 2);
});

test('a questioned completion goes back to the model as often as the check asks, then the check rejects it', async () => {
  const provider = scripted([
    { content: [tool('a', 'complete_task', { summary: 'nothing to do' })], stop: toolUse },
    { content: [tool('b', 'complete_task', { summary: 'really nothing' })], stop: toolUse },
    { content: [tool('c', 'complete_task', { summary: 'truly nothing' })], stop: toolUse },
  ]);
  let asked = 0;
  const outcome = await runAgentLoop({
    provider,
    request: base,
    initialMessage: 't',
    tools: tools(),
    limits: defaultAgentLimits,
    signal: new AbortController().signal,
    verifyCompletion: () =>
      ++asked <= 2
        ? { kind: 'question', question: `The task names src/a.js but nothing changed: why? (${asked})` }
        : { kind: 'reject', reason: 'claimed done three times without changes' },
  });
  assert.equal(outcome.kind, 'failed');
  assert.match(outcome.kind === 'failed' ? outcome.reason : '', /three times/);
  assert.equal(provider.requests.length, 3);
  assert.match(JSON.stringify(provider.requests[1]!.messages.at(-1)), /nothing changed: why\? \(1\)/);
  assert.match(JSON.stringify(provider.requests[2]!.messages.at(-1)), /nothing changed: why\? \(2\)/);
});

test('turn and token budgets end the worker as budget-exceeded', async () => {
  const loop = () => ({ content: [tool(`t${Math.random()}`, 'read_file', { path: 'x' })], stop: toolUse });
  const byTurns = await runAgentLoop({
    provider: scripted([loop(), loop(), loop()]),
    request: base,
    initialMessage: 't',
    tools: tools(),
    limits: { ...defaultAgentLimits, maxTurns: 2 },
    signal: new AbortController().signal,
  });
  assert.equal(byTurns.kind, 'budget-exceeded');
  const byTokens = await runAgentLoop({
    provider: scripted([loop(), loop(), loop()]),
    request: base,
    initialMessage: 't',
    tools: tools(),
    limits: { ...defaultAgentLimits, tokenBudget: 150 },
    signal: new AbortController().signal,
  });
  assert.equal(byTokens.kind, 'budget-exceeded');
  assert.equal(byTokens.turns, 2);
});

test('a failed model call is final for the loop (the governor already retried it); abort cancels', async () => {
  for (const error of [new LlmRateLimitedError('429', 1), new LlmRequestError('stream cut', null, null)]) {
    const provider = scripted([error, { content: [tool('c', 'complete_task', { summary: 's' })], stop: toolUse }]);
    const outcome = await runAgentLoop({
      provider,
      request: base,
      initialMessage: 't',
      tools: tools(),
      limits: defaultAgentLimits,
      signal: new AbortController().signal,
    });
    assert.equal(outcome.kind, 'failed');
    assert.equal(provider.requests.length, 1, `${error.message}: sent once by the loop, not again`);
  }
  const bad = await runAgentLoop({
    provider: scripted([new LlmRequestError('bad request', 400, 'req_1')]),
    request: base,
    initialMessage: 't',
    tools: tools(),
    limits: defaultAgentLimits,
    signal: new AbortController().signal,
  });
  assert.equal(bad.kind, 'failed');
  const controller = new AbortController();
  controller.abort();
  const cancelled = await runAgentLoop({
    provider: scripted([]),
    request: base,
    initialMessage: 't',
    tools: tools(),
    limits: defaultAgentLimits,
    signal: controller.signal,
  });
  assert.equal(cancelled.kind, 'cancelled');
});
