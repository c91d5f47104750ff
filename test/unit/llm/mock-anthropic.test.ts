import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startMockAnthropic, minimumCacheableTokens, type MockAnthropic } from '../../mock-anthropic';
import { TEST_KEY } from './llm-test-kit';

let mock: MockAnthropic;
before(async () => {
  mock = await startMockAnthropic({ apiKeys: [TEST_KEY] });
});
after(async () => {
  await mock.close();
});

const headers = { 'content-type': 'application/json', 'x-api-key': TEST_KEY, 'anthropic-version': '2023-06-01' };
const valid = { model: 'claude-sonnet-5-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };

async function post(
  body: unknown,
  extraHeaders: Record<string, string | undefined> = {},
): Promise<{
  status: number;
  json: { type?: string; error?: { type: string; message: string }; request_id?: string };
  requestId: string | null;
}> {
  const merged = Object.fromEntries(
    Object.entries({ ...headers, ...extraHeaders }).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const response = await fetch(`${mock.url}/v1/messages`, {
    method: 'POST',
    headers: merged,
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    json: (await response.json()) as never,
    requestId: response.headers.get('request-id'),
  };
}

test('a valid request is answered; x-api-key and Bearer both authenticate', async () => {
  assert.equal((await post(valid)).status, 200);
  assert.equal((await post(valid, { 'x-api-key': undefined, authorization: `Bearer ${TEST_KEY}` })).status, 200);
});

const rejections: [string, unknown, Record<string, string | undefined>, number, RegExp][] = [
  ['missing anthropic-version', valid, { 'anthropic-version': undefined }, 400, /anthropic-version/],
  ['missing auth', valid, { 'x-api-key': undefined }, 401, /x-api-key/],
  ['missing model', { ...valid, model: undefined }, {}, 400, /model/],
  ['missing max_tokens', { ...valid, max_tokens: undefined }, {}, 400, /max_tokens/],
  ['first message not user', { ...valid, messages: [{ role: 'assistant', content: 'x' }] }, {}, 400, /first message/],
  [
    'roles not alternating',
    {
      ...valid,
      messages: [
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
      ],
    },
    {},
    400,
    /alternate/,
  ],
  [
    'tool_use without its tool_result',
    {
      ...valid,
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'x', input: {} }] },
        { role: 'user', content: 'no result' },
      ],
    },
    {},
    400,
    /without `tool_result`/,
  ],
  [
    'tool_result with no matching tool_use',
    { ...valid, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'nope', content: 'x' }] }] },
    {},
    400,
    /unexpected `tool_use_id`/,
  ],
  [
    'more than four cache breakpoints',
    {
      ...valid,
      system: Array.from({ length: 5 }, (_, i) => ({
        type: 'text',
        text: `s${i}`,
        cache_control: { type: 'ephemeral' },
      })),
    },
    {},
    400,
    /maximum of 4 blocks with cache_control.*Found 5/,
  ],
  ['bad tool name', { ...valid, tools: [{ name: 'has space', input_schema: { type: 'object' } }] }, {}, 400, /pattern/],
  [
    'tool schema not an object',
    { ...valid, tools: [{ name: 'ok', input_schema: { type: 'string' } }] },
    {},
    400,
    /input_schema\.type/,
  ],
];

for (const [name, body, extra, status, message] of rejections) {
  test(`rejects ${name} with the API's error shape`, async () => {
    const result = await post(body, extra);
    assert.equal(result.status, status);
    assert.equal(result.json.type, 'error');
    assert.equal(result.json.error?.type, status === 401 ? 'authentication_error' : 'invalid_request_error');
    assert.match(result.json.error?.message ?? '', message);
    assert.match(result.requestId ?? '', /^req_/);
    assert.equal(result.json.request_id, result.requestId);
  });
}

test('the SSE stream has the API event sequence, tool JSON in several partial chunks and cumulative usage', async () => {
  mock.script({
    type: 'message',
    content: [
      { type: 'text', text: 'Calling.' },
      { type: 'tool_use', name: 'read_file', input: { path: 'src/some/long/path.ts' } },
    ],
  });
  const response = await fetch(`${mock.url}/v1/messages`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ ...valid, stream: true }),
  });
  const text = await response.text();
  const events = [...text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
  assert.equal(events[0], 'message_start');
  assert.equal(events[1], 'content_block_start');
  assert.equal(events[2], 'ping');
  assert.deepEqual(events.slice(-2), ['message_delta', 'message_stop']);
  assert.ok(events.filter((e) => e === 'content_block_stop').length === 2);
  const partials = [...text.matchAll(/"partial_json":"((?:[^"\\]|\\.)*)"/g)].map(
    (m) => JSON.parse(`"${m[1] ?? ''}"`) as string,
  );
  assert.ok(partials.length >= 3);
  assert.deepEqual(JSON.parse(partials.join('')), { path: 'src/some/long/path.ts' });
  assert.match(text, /"stop_reason":"tool_use"/);
});

test('prompt caching: written once, then read; below the model minimum nothing is cached', async () => {
  const big = 'x'.repeat(4 * 1100);
  const body = { ...valid, system: [{ type: 'text', text: big, cache_control: { type: 'ephemeral' } }] };
  const first = mock.requests.length;
  await post(body);
  await post({ ...body, messages: [{ role: 'user', content: 'another question' }] });
  const [a, b] = mock.requests.slice(first);
  assert.equal(a?.usage?.cacheCreationInputTokens, 1100);
  assert.equal(a?.usage?.cacheReadInputTokens, 0);
  assert.equal(b?.usage?.cacheCreationInputTokens, 0);
  assert.equal(b?.usage?.cacheReadInputTokens, 1100);
  assert.ok((b?.usage?.inputTokens ?? 0) > 0, 'only the uncached rest is input');

  const haiku = { ...body, model: 'claude-haiku-5-5' };
  assert.ok(minimumCacheableTokens('claude-haiku-5-5') > 1100);
  await post(haiku);
  await post(haiku);
  assert.equal(mock.requests.at(-1)?.usage?.cacheReadInputTokens, 0);
  assert.equal(mock.requests.at(-1)?.usage?.cacheCreationInputTokens, 0);
});
