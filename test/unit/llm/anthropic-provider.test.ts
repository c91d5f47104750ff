import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { LlmAuthError, LlmCancelledError, LlmRequestError } from '../../../src/core/llm/errors';
import type { LlmStopReason } from '../../../src/core/llm/provider';
import { reply, startMockAnthropic, type MockAnthropic } from '../../mock-anthropic';
import { listFilesTool, never, providerFor, request, TEST_KEY, userText } from './llm-test-kit';

let mock: MockAnthropic;
before(async () => {
  mock = await startMockAnthropic({ apiKeys: [TEST_KEY] });
});
after(async () => {
  await mock.close();
});

test('streams text through the real SDK and returns the final message with usage', async () => {
  mock.script(reply.text('Hello there, this is streamed in pieces.'));
  const deltas: string[] = [];
  const response = await providerFor(mock.url).send(request(), { onText: (d) => deltas.push(d) }, never);
  assert.ok(deltas.length > 3, 'text arrives in several deltas');
  assert.equal(deltas.join(''), 'Hello there, this is streamed in pieces.');
  assert.deepEqual(response.content, [{ type: 'text', text: 'Hello there, this is streamed in pieces.' }]);
  assert.deepEqual(response.stopReason, { type: 'end_turn' });
  assert.equal(response.attempts, 1);
  assert.ok(response.usage.inputTokens > 0 && response.usage.outputTokens > 0);
  assert.equal(response.usage.estimated, false);
  assert.match(response.requestId ?? '', /^req_mock/);
  const sent = mock.requests.at(-1);
  assert.ok(sent);
  assert.equal(sent.headers.authorization, `Bearer ${TEST_KEY}`);
  assert.ok(sent.headers['anthropic-version']);
  assert.equal((sent.body as { stream?: boolean }).stream, true);
});

test('several tool calls in one turn come back parsed, with tool starts reported as they stream', async () => {
  mock.script(
    reply.tools(
      [
        { name: 'read_file', input: { path: 'src/a.ts', note: 'a longer value so the JSON is split into parts' } },
        { name: 'list_files', input: { dir: 'src' } },
      ],
      'Let me look.',
    ),
  );
  const started: string[] = [];
  const response = await providerFor(mock.url).send(
    request({ tools: [listFilesTool, ...request().tools] }),
    { onToolUseStart: (t) => started.push(t.name) },
    never,
  );
  assert.deepEqual(started, ['read_file', 'list_files']);
  assert.deepEqual(response.stopReason, { type: 'tool_use' });
  const calls = response.content.filter((b) => b.type === 'tool_use');
  assert.equal(calls.length, 2);
  assert.deepEqual(calls[0]?.type === 'tool_use' ? calls[0].input : undefined, {
    path: 'src/a.ts',
    note: 'a longer value so the JSON is split into parts',
  });
  assert.deepEqual(calls[1]?.type === 'tool_use' ? calls[1].input : undefined, { dir: 'src' });
  // Tools go out sorted by name, whatever order the role listed them in.
  const tools = (mock.requests.at(-1)?.body as { tools: { name: string }[] }).tools.map((t) => t.name);
  assert.deepEqual(tools, ['list_files', 'read_file']);

  // The next turn, with a result per call, is accepted by the API's checks.
  const ids = calls.map((c) => (c.type === 'tool_use' ? c.id : ''));
  mock.script(reply.text('Done.'));
  const next = await providerFor(mock.url).send(
    request({
      tools: [listFilesTool, ...request().tools],
      messages: [
        userText('Implement T001.'),
        { role: 'assistant', content: response.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', toolUseId: ids[0] ?? '', content: 'export const a = 1;' },
            { type: 'tool_result', toolUseId: ids[1] ?? '', content: 'no such folder', isError: true },
          ],
        },
      ],
    }),
    {},
    never,
  );
  assert.deepEqual(next.stopReason, { type: 'end_turn' });
  const lastUser = (mock.requests.at(-1)?.body as { messages: { content: { is_error?: boolean }[] }[] }).messages[2];
  assert.equal(lastUser?.content[1]?.is_error, true);
});

test('every stop reason is reported as a typed value', async () => {
  const cases: [Parameters<typeof reply.text>[1] | 'refusal' | 'stop_sequence', LlmStopReason][] = [
    ['end_turn', { type: 'end_turn' }],
    ['max_tokens', { type: 'max_tokens' }],
    ['pause_turn', { type: 'pause_turn' }],
    ['model_context_window_exceeded', { type: 'model_context_window_exceeded' }],
  ];
  for (const [stop, expected] of cases) {
    mock.script(reply.text('some text', stop));
    const response = await providerFor(mock.url).send(request(), {}, never);
    assert.deepEqual(response.stopReason, expected, String(stop));
  }
  mock.script({
    type: 'message',
    content: [{ type: 'text', text: 'partial' }],
    stopReason: 'stop_sequence',
    stopSequence: '###',
  });
  assert.deepEqual((await providerFor(mock.url).send(request({ stopSequences: ['###'] }), {}, never)).stopReason, {
    type: 'stop_sequence',
    sequence: '###',
  });
  mock.script({
    type: 'message',
    content: [{ type: 'text', text: 'I cannot' }],
    stopReason: 'refusal',
    refusalExplanation: 'policy',
  });
  assert.deepEqual((await providerFor(mock.url).send(request(), {}, never)).stopReason, {
    type: 'refusal',
    explanation: 'policy',
  });
});

test('a missing key fails before any request with a clear message', async () => {
  const before = mock.requests.length;
  const provider = providerFor(mock.url, { apiKey: async () => undefined });
  await assert.rejects(provider.send(request(), {}, never), (error: unknown) => {
    assert.ok(error instanceof LlmAuthError);
    assert.match(error.message, /ANTHROPIC_API_KEY/);
    return true;
  });
  assert.equal(mock.requests.length, before);
});

test('a key the API refuses is an auth error, not retried', async () => {
  const before = mock.requests.length;
  await assert.rejects(
    providerFor(mock.url, { apiKey: async () => 'sk-wrong' }).send(request(), {}, never),
    LlmAuthError,
  );
  assert.equal(mock.requests.length - before, 1);
});

test('a request the API rejects is a request error naming the reason and request id', async () => {
  const bad = request({ tools: [{ name: 'bad name!', description: 'x', inputSchema: { type: 'object' } }] });
  await assert.rejects(providerFor(mock.url).send(bad, {}, never), (error: unknown) => {
    assert.ok(error instanceof LlmRequestError);
    assert.equal(error.status, 400);
    assert.match(error.message, /pattern/);
    assert.match(error.requestId ?? '', /^req_mock/);
    return true;
  });
});

test('abort mid-stream rejects with a cancel and really closes the request at the server', async () => {
  mock.script(reply.stallAfter(4));
  const controller = new AbortController();
  const pending = providerFor(mock.url).send(request(), { onText: () => controller.abort() }, controller.signal);
  await assert.rejects(pending, LlmCancelledError);
  const served = mock.requests.at(-1);
  // The server sees the close shortly after the abort.
  for (let i = 0; i < 100 && served?.finishedAt === undefined; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(served?.closedByClient, true);
});

test('the SDK deprecation warning is never printed, for our default models or a deprecated one a user picks', async () => {
  const { DEFAULT_MODELS } = await import('../../../src/core/llm/models');
  const warnings: string[] = [];
  const originalWarn = console.warn;
  const onWarning = (warning: Error): void => {
    warnings.push(warning.message);
  };
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map(String).join(' '));
  };
  process.on('warning', onWarning);
  const sent = mock.requests.length;
  try {
    for (const model of new Set(Object.values(DEFAULT_MODELS))) {
      await providerFor(mock.url).send(request({ model }), {}, never);
    }
    await providerFor(mock.url).send(request({ model: 'claude-sonnet-4-5' }), {}, never);
    assert.deepEqual(warnings, []);
    // The check can fail: the SDK's own create() prints for that id through the same console.
    const { default: Anthropic } = await import('@anthropic-ai/sdk');
    await new Anthropic({ apiKey: TEST_KEY, baseURL: mock.url }).messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
  } finally {
    console.warn = originalWarn;
    process.off('warning', onWarning);
  }
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0] ?? '', /claude-sonnet-4-5.*deprecated/);
  assert.equal(mock.requests.length - sent, new Set(Object.values(DEFAULT_MODELS)).size + 2);
});

test('the CLI takes key and base URL from ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL', async () => {
  const { anthropicOptionsFromEnv } = await import('../../../src/core/llm/anthropic-env');
  const { AnthropicProvider } = await import('../../../src/core/llm/anthropic-provider');
  const provider = new AnthropicProvider(
    anthropicOptionsFromEnv({ ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: mock.url }),
  );
  mock.script(reply.text('via env'));
  assert.deepEqual((await provider.send(request(), {}, never)).content, [{ type: 'text', text: 'via env' }]);
  await assert.rejects(
    new AnthropicProvider(anthropicOptionsFromEnv({ ANTHROPIC_BASE_URL: mock.url })).send(request(), {}, never),
    LlmAuthError,
  );
});
