import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { LlmOverloadedError, LlmRateLimitedError, LlmRequestError } from '../../../src/core/llm/errors';
import { LlmGovernor } from '../../../src/core/llm/governor';
import { reply, startMockAnthropic, type MockAnthropic } from '../../mock-anthropic';
import { never, providerFor, request, TEST_KEY } from './llm-test-kit';

let mock: MockAnthropic;
before(async () => {
  mock = await startMockAnthropic({ apiKeys: [TEST_KEY] });
});
after(async () => {
  await mock.close();
});

function requestsSince(start: number): number {
  return mock.requests.length - start;
}

test('a 429 with retry-after pauses the pool for that long, then the call succeeds', async () => {
  const start = mock.requests.length;
  mock.script(reply.rateLimited(1), reply.text('after the limit'));
  const waits: string[] = [];
  const response = await providerFor(mock.url).send(request(), { onWaiting: (reason) => waits.push(reason) }, never);
  assert.deepEqual(response.content, [{ type: 'text', text: 'after the limit' }]);
  assert.equal(requestsSince(start), 2, 'one rejected request, one retry: the SDK did not retry on its own');
  const [first, second] = mock.requests.slice(start);
  assert.ok(first && second);
  assert.ok(
    second.arrivedAt - first.arrivedAt >= 950,
    `waited ${second.arrivedAt - first.arrivedAt} ms for retry-after: 1`,
  );
  assert.ok(waits.includes('rate-limit'), 'reported as waiting for the rate limit, not failed');
});

test('529 overloaded is pooled and retried; a lasting 529 fails as an overloaded error', async () => {
  mock.script(reply.overloaded(), reply.text('recovered'));
  assert.deepEqual((await providerFor(mock.url).send(request(), {}, never)).content, [
    { type: 'text', text: 'recovered' },
  ]);

  mock.setHandler(() => reply.overloaded());
  try {
    const provider = providerFor(mock.url, {
      governor: new LlmGovernor({ maxConcurrent: 2, maxAttempts: 3, baseBackoffMs: 5 }),
    });
    const start = mock.requests.length;
    await assert.rejects(provider.send(request(), {}, never), (error: unknown) => {
      assert.ok(error instanceof LlmOverloadedError);
      assert.match(error.message, /overloaded.*3 attempts/i);
      return true;
    });
    assert.equal(requestsSince(start), 3);
  } finally {
    mock.setHandler(() => reply.text('ok'));
  }
});

test('a lasting 429 fails as a rate-limited error with the server wait attached', async () => {
  mock.script(reply.rateLimited(1), reply.rateLimited(1));
  const provider = providerFor(mock.url, {
    governor: new LlmGovernor({ maxConcurrent: 1, maxAttempts: 2, baseBackoffMs: 5 }),
  });
  await assert.rejects(provider.send(request(), {}, never), (error: unknown) => {
    assert.ok(error instanceof LlmRateLimitedError);
    assert.equal(error.retryAfterMs, 1000);
    return true;
  });
});

test('a 500 is sent again by the governor, never by the SDK: one owner for every retry', async () => {
  const start = mock.requests.length;
  mock.script(reply.serverError(), reply.text('fine now'));
  const response = await providerFor(mock.url).send(request(), {}, never);
  assert.deepEqual(response.content, [{ type: 'text', text: 'fine now' }]);
  assert.equal(requestsSince(start), 2);
  for (const served of mock.requests.slice(start)) {
    assert.equal(served.headers['x-stainless-retry-count'], '0', 'the SDK sent each request once, as a first try');
  }
  assert.equal(response.attempts, 2, 'the governor counted both sends');
});

test('a 500 that lasts fails with a clear request error after exactly maxAttempts sends', async () => {
  mock.setHandler(() => reply.serverError());
  try {
    const start = mock.requests.length;
    const provider = providerFor(mock.url, {
      governor: new LlmGovernor({ maxConcurrent: 2, maxAttempts: 3, baseBackoffMs: 5 }),
    });
    await assert.rejects(provider.send(request(), {}, never), (error: unknown) => {
      assert.ok(error instanceof LlmRequestError);
      assert.equal(error.status, 500);
      assert.match(error.message, /500/);
      return true;
    });
    assert.equal(requestsSince(start), 3, 'one number bounds the sends of a call');
  } finally {
    mock.setHandler(() => reply.text('ok'));
  }
});

test('a lasting 429 is sent exactly maxAttempts times, not once per layer', async () => {
  mock.setHandler(() => reply.rateLimited(0.01));
  try {
    const start = mock.requests.length;
    const provider = providerFor(mock.url, {
      governor: new LlmGovernor({ maxConcurrent: 2, maxAttempts: 4, baseBackoffMs: 5 }),
    });
    await assert.rejects(provider.send(request(), {}, never), LlmRateLimitedError);
    assert.equal(requestsSince(start), 4);
  } finally {
    mock.setHandler(() => reply.text('ok'));
  }
});

test('a server that says x-should-retry: false is not sent again', async () => {
  const start = mock.requests.length;
  mock.script(reply.error(500, 'api_error', 'Internal server error', { headers: { 'x-should-retry': 'false' } }));
  await assert.rejects(providerFor(mock.url).send(request(), {}, never), LlmRequestError);
  assert.equal(requestsSince(start), 1);
});

for (const [name, fault] of [
  ['an SSE error event mid-stream', reply.sseErrorAfter(5, 'api_error')],
  ['an overloaded SSE error event mid-stream', reply.sseErrorAfter(5, 'overloaded_error')],
  ['a connection cut mid-stream', reply.cutAfter(5)],
  ['a stalled stream', reply.stallAfter(5)],
] as const) {
  test(`${name}: the turn is retried from the same messages, the partial text discarded, its usage counted`, async () => {
    const start = mock.requests.length;
    mock.script(fault, reply.tools([{ name: 'read_file', input: { path: 'a.ts' } }], 'Reading.'));
    const discarded: number[] = [];
    const text: string[] = [];
    const response = await providerFor(mock.url, { streamIdleTimeoutMs: 300 }).send(
      request(),
      {
        onText: (delta) => text.push(delta),
        onAttemptDiscarded: (attempt) => {
          discarded.push(attempt);
          text.length = 0;
        },
      },
      never,
    );
    assert.equal(response.attempts, 2);
    assert.deepEqual(discarded, [1]);
    assert.equal(text.join(''), 'Reading.');
    assert.deepEqual(response.stopReason, { type: 'tool_use' });
    // One tool call in the result: the broken attempt produced none, so nothing can run twice.
    assert.equal(response.content.filter((b) => b.type === 'tool_use').length, 1);
    const served = mock.requests.slice(start);
    assert.equal(served.length, 2);
    assert.deepEqual(served[0]?.body, served[1]?.body, 'the retry resends the same conversation');
    const billedInput = served.reduce((sum, r) => sum + (r.usage?.inputTokens ?? 0), 0);
    assert.equal(response.usage.inputTokens, billedInput, 'the failed attempt’s input tokens are counted too');
  });
}
