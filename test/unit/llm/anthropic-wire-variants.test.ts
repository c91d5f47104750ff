/**
 * What other correct Messages API servers may put on the wire, through the real SDK and our provider and
 * agent loop: thinking and server-tool blocks, events we do not use, pings anywhere, usage with fields left
 * out or null, a JSON reply to a streaming request, a server that wants `x-api-key`, every shape of
 * `retry-after`, error bodies without a request id, and a reply cut in the middle of a tool call.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultAgentLimits,
  runAgentLoop,
  type AgentOutcome,
  type ToolExecutor,
} from '../../../src/core/agents/agent-loop';
import { type ToolResult } from '../../../src/core/agents/tools/tool';
import { retryAfterMsFromHeaders } from '../../../src/core/llm/anthropic-failures';
import { LlmAuthError, LlmRequestError } from '../../../src/core/llm/errors';
import { LlmGovernor } from '../../../src/core/llm/governor';
import type { LlmAssistantBlock, LlmMessage, LlmToolUseBlock } from '../../../src/core/llm/provider';
import { reply, startMockAnthropic, type MockAnthropic, type RecordedRequest } from '../../mock-anthropic';
import { listFilesTool, never, providerFor, readFileTool, request, TEST_KEY, userText } from './llm-test-kit';

let mock: MockAnthropic;
before(async () => {
  mock = await startMockAnthropic({ apiKeys: [TEST_KEY] });
});
after(async () => {
  await mock.close();
});

type Json = Record<string, unknown>;

function messageStart(usage: Json): Json {
  return {
    type: 'message_start',
    message: {
      id: 'msg_raw',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-5-5',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage,
    },
  };
}
const ping: Json = { type: 'ping' };
const start = (index: number, block: Json): Json => ({ type: 'content_block_start', index, content_block: block });
const delta = (index: number, d: Json): Json => ({ type: 'content_block_delta', index, delta: d });
const stop = (index: number): Json => ({ type: 'content_block_stop', index });
const messageDelta = (stopReason: string, usage: Json): Json => ({
  type: 'message_delta',
  delta: { stop_reason: stopReason, stop_sequence: null },
  usage,
});
const messageStop: Json = { type: 'message_stop' };

const THINKING = { type: 'thinking', thinking: 'Let me look at both files.', signature: 'sig-abc' };
const REDACTED = { type: 'redacted_thinking', data: 'EncryptedOpaqueBytes==' };
const SERVER_TOOL = {
  type: 'server_tool_use',
  id: 'srvtoolu_01',
  name: 'web_search',
  input: { query: 'node test runner' },
};
const SERVER_RESULT = { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_01', content: [] };

/** A turn a different server could send: every block type, every delta type, pings and an unknown event. */
function richTurn(): Json[] {
  return [
    // No cache fields at all in message_start, and output_tokens 0: both are valid.
    messageStart({ input_tokens: 120, output_tokens: 0 }),
    ping,
    start(0, { type: 'thinking', thinking: '', signature: '' }),
    ping,
    delta(0, { type: 'thinking_delta', thinking: 'Let me look ' }),
    delta(0, { type: 'thinking_delta', thinking: 'at both files.' }),
    delta(0, { type: 'signature_delta', signature: 'sig-abc' }),
    stop(0),
    { type: 'mystery_event', note: 'an event type this client has never heard of' },
    start(1, REDACTED),
    stop(1),
    start(2, { ...SERVER_TOOL, input: {} }),
    delta(2, { type: 'input_json_delta', partial_json: '{"query": "node' }),
    delta(2, { type: 'input_json_delta', partial_json: ' test runner"}' }),
    stop(2),
    start(3, SERVER_RESULT),
    stop(3),
    start(4, { type: 'text', text: '', citations: null }),
    delta(4, { type: 'text_delta', text: 'Reading ' }),
    ping,
    delta(4, {
      type: 'citations_delta',
      citation: {
        type: 'char_location',
        cited_text: 'x',
        document_index: 0,
        document_title: null,
        start_char_index: 0,
        end_char_index: 1,
        file_id: null,
      },
    }),
    delta(4, { type: 'text_delta', text: 'two files.' }),
    stop(4),
    // Input in one chunk.
    start(5, { type: 'tool_use', id: 'toolu_a', name: 'read_file', input: {} }),
    delta(5, { type: 'input_json_delta', partial_json: '{"path":"src/a.ts"}' }),
    stop(5),
    start(6, { type: 'text', text: '' }),
    delta(6, { type: 'text_delta', text: 'and then ' }),
    stop(6),
    // Empty input: no delta at all.
    start(7, { type: 'tool_use', id: 'toolu_b', name: 'list_files', input: {} }),
    stop(7),
    // Cache fields null, as the API sends when nothing was cached.
    messageDelta('tool_use', { output_tokens: 42, cache_creation_input_tokens: null, cache_read_input_tokens: null }),
    ping,
    messageStop,
  ];
}

function opaque(block: Json): LlmAssistantBlock {
  return { type: 'opaque', providerId: 'anthropic', wireType: String(block['type']), raw: block };
}

const EXPECTED_CONTENT: LlmAssistantBlock[] = [
  opaque(THINKING),
  opaque(REDACTED),
  opaque(SERVER_TOOL),
  opaque(SERVER_RESULT),
  { type: 'text', text: 'Reading two files.' },
  { type: 'tool_use', id: 'toolu_a', name: 'read_file', input: { path: 'src/a.ts' } },
  { type: 'text', text: 'and then ' },
  { type: 'tool_use', id: 'toolu_b', name: 'list_files', input: {} },
];

function bodyOf(record: RecordedRequest | undefined): { messages: { role: string; content: Json[] }[] } {
  assert.ok(record, 'a request was made');
  return record.body as { messages: { role: string; content: Json[] }[] };
}

function toolsFor(calls: string[], names = ['read_file', 'list_files', 'complete_task']): ToolExecutor {
  return {
    names: new Set(names),
    async execute(call): Promise<ToolResult> {
      calls.push(`${call.name} ${JSON.stringify(call.input)}`);
      if (call.name === 'complete_task')
        return { content: 'recorded', isError: false, completion: { summary: 'done', filesTouched: [] } };
      return { content: `result of ${call.name}`, isError: false };
    },
  };
}

/** A code writer's whole conversation through the real provider against the mock. */
function codeWriterLoop(calls: string[], toolDefinitions = [readFileTool]): Promise<AgentOutcome> {
  return runAgentLoop({
    provider: providerFor(mock.url),
    request: {
      model: 'claude-sonnet-5-5',
      maxTokens: 1024,
      system: [{ text: 'You are the code writer.' }],
      tools: toolDefinitions,
      meta: { role: 'code-writer' },
    },
    initialMessage: 'Implement T001.',
    tools: toolsFor(calls),
    limits: defaultAgentLimits,
    signal: never,
  });
}

const completeTask = reply.tools([{ name: 'complete_task', input: { summary: 'done', filesTouched: [] } }]);

test('thinking, redacted thinking, server tools, unknown events, pings anywhere and missing or null cache fields: parsed, never a crash', async () => {
  mock.script(reply.sse(richTurn()));
  const texts: string[] = [];
  const toolStarts: string[] = [];
  const response = await providerFor(mock.url).send(
    request({ tools: [readFileTool, listFilesTool] }),
    { onText: (t) => texts.push(t), onToolUseStart: (t) => toolStarts.push(t.id) },
    never,
  );
  assert.deepEqual(response.content, EXPECTED_CONTENT);
  assert.deepEqual(response.stopReason, { type: 'tool_use' });
  assert.deepEqual(texts, ['Reading ', 'two files.', 'and then ']);
  assert.deepEqual(toolStarts, ['toolu_a', 'toolu_b'], 'only our own tool calls are announced');
  assert.deepEqual(
    { ...response.usage },
    {
      inputTokens: 120,
      outputTokens: 42,
      cacheCreationInputTokens: 0,
      cacheCreation1hInputTokens: 0,
      cacheReadInputTokens: 0,
      estimated: false,
    },
  );
});

test('the agent loop sends every block of such a turn back unchanged, answers both tool calls, and the API accepts it', async () => {
  const sent = mock.requests.length;
  mock.script(reply.sse(richTurn()), completeTask);
  const calls: string[] = [];
  const outcome = await codeWriterLoop(calls, [readFileTool, listFilesTool]);
  assert.equal(outcome.kind, 'completed');
  assert.deepEqual(calls, [
    'read_file {"path":"src/a.ts"}',
    'list_files {}',
    'complete_task {"summary":"done","filesTouched":[]}',
  ]);
  const second = mock.requests[sent + 1];
  assert.equal(second?.status, 200, 'the mock, like the API, accepted the conversation');
  const [, assistant, results] = bodyOf(second).messages;
  assert.equal(assistant?.role, 'assistant');
  assert.deepEqual(
    assistant?.content.slice(0, 4),
    [THINKING, REDACTED, SERVER_TOOL, SERVER_RESULT],
    'byte-for-byte what the server sent',
  );
  assert.deepEqual(
    results?.content.map((b) => b['tool_use_id']),
    ['toolu_a', 'toolu_b'],
  );
});

test('a server that ignores stream: true and answers one JSON message: the turn succeeds, text and tool calls intact', async () => {
  const jsonOnly = await startMockAnthropic({ apiKeys: [TEST_KEY], ignoresStream: true });
  try {
    jsonOnly.script(
      reply.tools([{ name: 'read_file', input: { path: 'src/a.ts' }, id: 'toolu_json' }], 'Let me read it.'),
    );
    const texts: string[] = [];
    const response = await providerFor(jsonOnly.url).send(request(), { onText: (t) => texts.push(t) }, never);
    assert.deepEqual(response.content, [
      { type: 'text', text: 'Let me read it.' },
      { type: 'tool_use', id: 'toolu_json', name: 'read_file', input: { path: 'src/a.ts' } },
    ]);
    assert.deepEqual(response.stopReason, { type: 'tool_use' });
    assert.equal(texts.join(''), 'Let me read it.');
    assert.equal(jsonOnly.requests.length, 1, 'no retries');
    assert.equal(response.usage.outputTokens, jsonOnly.requests[0]?.usage?.outputTokens);
    assert.equal(
      response.usage.inputTokens + response.usage.cacheCreationInputTokens + response.usage.cacheReadInputTokens > 0,
      true,
    );
  } finally {
    await jsonOnly.close();
  }
});

test('a server that only takes x-api-key: one 401, then the key goes as x-api-key from then on', async () => {
  const classic = await startMockAnthropic({ apiKeys: [TEST_KEY], authScheme: 'x-api-key' });
  try {
    const provider = providerFor(classic.url);
    await provider.send(request(), {}, never);
    await provider.send(request(), {}, never);
    assert.deepEqual(
      classic.requests.map((r) => r.status),
      [401, 200, 200],
    );
    for (const served of classic.requests.slice(1)) {
      assert.equal(served.headers['x-api-key'], TEST_KEY);
      assert.equal(served.headers.authorization, undefined, 'the key is not sent twice');
    }
    assert.match(String(classic.requests[0]?.headers['anthropic-version']), /^\d{4}-\d\d-\d\d$/);
  } finally {
    await classic.close();
  }
  // A wrong key on such a server is still a plain auth error, asked once more at most.
  const strict = await startMockAnthropic({ apiKeys: [TEST_KEY], authScheme: 'x-api-key' });
  try {
    await assert.rejects(
      providerFor(strict.url, { apiKey: async () => 'sk-wrong' }).send(request(), {}, never),
      LlmAuthError,
    );
    assert.ok(strict.requests.length <= 2);
  } finally {
    await strict.close();
  }
});

test('retry-after: seconds, an HTTP date, retry-after-ms, the rate-limit reset headers, or nothing', () => {
  const now = Date.parse('2026-03-01T10:00:00Z');
  const h = (entries: Record<string, string>): Headers => new Headers(entries);
  assert.equal(retryAfterMsFromHeaders(h({ 'retry-after': '3' }), now), 3000);
  assert.equal(retryAfterMsFromHeaders(h({ 'retry-after': '1.5' }), now), 1500);
  assert.equal(retryAfterMsFromHeaders(h({ 'retry-after': 'Sun, 01 Mar 2026 10:00:07 GMT' }), now), 7000);
  assert.equal(
    retryAfterMsFromHeaders(h({ 'retry-after-ms': '250', 'retry-after': '9' }), now),
    250,
    'the finer header wins',
  );
  assert.equal(
    retryAfterMsFromHeaders(h({ 'retry-after': 'Sun, 01 Mar 2026 09:59:00 GMT' }), now),
    null,
    'a date in the past says nothing',
  );
  assert.equal(retryAfterMsFromHeaders(h({ 'retry-after': 'soon' }), now), null);
  assert.equal(retryAfterMsFromHeaders(h({}), now), null);
  assert.equal(retryAfterMsFromHeaders(undefined, now), null);
  assert.equal(
    retryAfterMsFromHeaders(
      h({
        'anthropic-ratelimit-requests-remaining': '3',
        'anthropic-ratelimit-requests-reset': '2026-03-01T10:00:30Z',
        'anthropic-ratelimit-input-tokens-remaining': '0',
        'anthropic-ratelimit-input-tokens-reset': '2026-03-01T10:00:04Z',
      }),
      now,
    ),
    4000,
    'only an exhausted limit counts',
  );
});

test('a 429 whose retry-after is an HTTP date pauses the pool until then; one with no header backs off on its own', async () => {
  const sent = mock.requests.length;
  // HTTP dates have whole seconds: two seconds ahead is at least one second away.
  mock.script(
    reply.error(429, 'rate_limit_error', 'slow down', {
      headers: { 'retry-after': new Date(Date.now() + 2000).toUTCString() },
    }),
    reply.text('after the date'),
  );
  const response = await providerFor(mock.url).send(request(), {}, never);
  assert.deepEqual(response.content, [{ type: 'text', text: 'after the date' }]);
  const [first, second] = mock.requests.slice(sent);
  assert.ok(first && second && second.arrivedAt - first.arrivedAt >= 950, 'waited for the date');

  const again = mock.requests.length;
  mock.script(reply.error(429, 'rate_limit_error', 'slow down', { requestId: false }), reply.text('after a backoff'));
  const governor = new LlmGovernor({ maxConcurrent: 2, baseBackoffMs: 30 });
  assert.deepEqual((await providerFor(mock.url, { governor }).send(request(), {}, never)).content, [
    { type: 'text', text: 'after a backoff' },
  ]);
  assert.equal(mock.requests.length - again, 2);
  assert.equal(governor.stats.rateLimitHits, 1);
});

test('errors of every status the API uses for our mistakes: clear typed messages, no retry, with or without a request id', async () => {
  const cases: { status: number; type: string; message: string; expect: RegExp; auth?: boolean }[] = [
    {
      status: 400,
      type: 'invalid_request_error',
      message: 'messages.1: bad block',
      expect: /\(400\): messages\.1: bad block.*bug/,
    },
    {
      status: 401,
      type: 'authentication_error',
      message: 'invalid x-api-key',
      expect: /refused the key \(401: invalid x-api-key\).*API key/,
      auth: true,
    },
    {
      status: 403,
      type: 'permission_error',
      message: 'not allowed',
      expect: /refused the key \(403: not allowed\)/,
      auth: true,
    },
    {
      status: 404,
      type: 'not_found_error',
      message: 'model: claude-nope',
      expect: /\(404\): model: claude-nope.*model id.*base URL/,
    },
    {
      status: 413,
      type: 'request_too_large',
      message: 'Request exceeds the maximum allowed number of bytes.',
      expect: /\(413\).*too large/,
    },
  ];
  for (const c of cases) {
    for (const withId of [true, false]) {
      const sent = mock.requests.length;
      mock.script(reply.error(c.status, c.type, c.message, { requestId: withId }));
      await assert.rejects(providerFor(mock.url).send(request(), {}, never), (error: unknown) => {
        assert.ok(
          c.auth ? error instanceof LlmAuthError : error instanceof LlmRequestError,
          `${c.status}: ${String(error)}`,
        );
        const message = (error as Error).message;
        assert.match(message, c.expect);
        assert.doesNotMatch(message, /undefined|null|\n/);
        if (withId) assert.match(message, /request-id req_mock/);
        else assert.doesNotMatch(message, /request-id/);
        if (error instanceof LlmRequestError) assert.equal(error.requestId === null, !withId);
        return true;
      });
      assert.equal(mock.requests.length - sent, 1, `${c.status} is not retried`);
    }
  }
});

function cutToolTurn(options: {
  blockStop: boolean;
  partialJson: string;
  stopReason: 'max_tokens' | 'tool_use';
}): Json[] {
  return [
    messageStart({ input_tokens: 50, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }),
    start(0, { type: 'text', text: '' }),
    delta(0, { type: 'text_delta', text: 'Writing the file.' }),
    stop(0),
    start(1, { type: 'tool_use', id: 'toolu_cut', name: 'read_file', input: {} }),
    delta(1, { type: 'input_json_delta', partial_json: options.partialJson }),
    ...(options.blockStop ? [stop(1)] : []),
    messageDelta(options.stopReason, { output_tokens: 1024 }),
    messageStop,
  ];
}

for (const blockStop of [true, false]) {
  test(`max_tokens in the middle of a tool call (${blockStop ? 'with' : 'without'} its block stop): the half call never runs, the model is told`, async () => {
    const sent = mock.requests.length;
    mock.script(
      reply.sse(cutToolTurn({ blockStop, partialJson: '{"path": "src/a.ts", "from_li', stopReason: 'max_tokens' })),
      completeTask,
    );
    const calls: string[] = [];
    const outcome = await codeWriterLoop(calls);
    assert.equal(outcome.kind, 'completed');
    assert.deepEqual(calls, ['complete_task {"summary":"done","filesTouched":[]}'], 'read_file was never run');
    const second = mock.requests[sent + 1];
    assert.equal(second?.status, 200);
    const last = bodyOf(second).messages.at(-1);
    assert.equal(last?.content[0]?.['tool_use_id'], 'toolu_cut');
    assert.equal(last?.content[0]?.['is_error'], true);
    assert.match(JSON.stringify(last?.content), /cut off at the output limit/);
  });
}

test('tool input that is not JSON is never guessed at: the call is answered with an error and not run', async () => {
  mock.script(reply.sse(cutToolTurn({ blockStop: false, partialJson: 'path=src/a.ts', stopReason: 'tool_use' })));
  const response = await providerFor(mock.url).send(request(), {}, never);
  const call = response.content.find((b): b is LlmToolUseBlock => b.type === 'tool_use');
  assert.equal(call?.id, 'toolu_cut');
  assert.deepEqual(call?.input, {});
  assert.match(call?.inputError ?? '', /not valid JSON/);

  const sent = mock.requests.length;
  mock.script(
    reply.sse(cutToolTurn({ blockStop: false, partialJson: 'path=src/a.ts', stopReason: 'tool_use' })),
    completeTask,
  );
  const calls: string[] = [];
  const outcome = await codeWriterLoop(calls);
  assert.equal(outcome.kind, 'completed');
  assert.deepEqual(calls, ['complete_task {"summary":"done","filesTouched":[]}']);
  assert.match(
    JSON.stringify(bodyOf(mock.requests[sent + 1]).messages.at(-1)),
    /not run: the tool input was not valid JSON/,
  );
});

test('an empty reply (an empty text block, or no block at all) adds no empty turn: the next request is still valid', async () => {
  for (const content of [[start(0, { type: 'text', text: '' }), stop(0)], []]) {
    const sent = mock.requests.length;
    mock.script(
      reply.sse([
        messageStart({ input_tokens: 10, output_tokens: 0 }),
        ...content,
        messageDelta('end_turn', { output_tokens: 0 }),
        messageStop,
      ]),
      completeTask,
    );
    const outcome = await codeWriterLoop([]);
    assert.equal(outcome.kind, 'completed');
    const second = mock.requests[sent + 1];
    assert.equal(second?.status, 200, JSON.stringify(second?.body));
    const messages = bodyOf(second).messages;
    assert.deepEqual(
      messages.map((m) => m.role),
      ['user'],
      'the nudge joined the opening user turn',
    );
    assert.equal(messages[0]?.content.length, 2);
  }
});

test('opaque blocks of another provider are left out of an Anthropic request; ours are sent as they came', async () => {
  const { buildAnthropicParams } = await import('../../../src/core/llm/cache-layout');
  const foreign: LlmAssistantBlock = {
    type: 'opaque',
    providerId: 'vscode-lm',
    wireType: 'thinking',
    raw: { type: 'thinking', thinking: 'x', signature: 'y' },
  };
  const messages: LlmMessage[] = [
    userText('hi'),
    { role: 'assistant', content: [foreign, opaque(THINKING), { type: 'text', text: 'hello' }] },
    userText('go on'),
  ];
  const params = buildAnthropicParams(request({ messages }));
  assert.deepEqual(params.messages[1]?.content, [THINKING, { type: 'text', text: 'hello' }]);
});
