import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LlmCancelledError } from '../../../src/core/llm/errors';
import { LlmGovernor } from '../../../src/core/llm/governor';
import type { LlmWaitReason } from '../../../src/core/llm/provider';
import { reply, startMockAnthropic } from '../../mock-anthropic';
import { never, providerFor, request, TEST_KEY, userText } from './llm-test-kit';

const featureContext = 'The feature context: constitution, spec and plan excerpts. '.repeat(200);

test('8 workers against an account that takes 2 at a time all finish, with fewer than 8 rejected requests', async () => {
  const mock = await startMockAnthropic({
    apiKeys: [TEST_KEY],
    maxConcurrent: 2,
    latencyMs: 40,
    rateLimitRetryAfterSeconds: 0.3,
  });
  try {
    const governor = new LlmGovernor({ maxConcurrent: 8, baseBackoffMs: 50 });
    const provider = providerFor(mock.url, { governor });
    const waits: LlmWaitReason[] = [];
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        provider.send(
          request({ messages: [userText(`Implement T00${i}.`)], meta: { role: 'code-writer', taskKey: `T00${i}` } }),
          { onWaiting: (r) => waits.push(r) },
          never,
        ),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      Array<string>(8).fill('fulfilled'),
    );
    const rejected = mock.countByStatus(429);
    assert.ok(rejected < 8, `${rejected} requests were rejected`);
    assert.ok(rejected >= 1, 'the mock did enforce its limit');
    assert.equal(mock.countByStatus(200), 8);
    assert.ok(waits.includes('rate-limit'), 'workers were told they wait for the rate limit');
    assert.ok(
      governor.stats.concurrencyLimit <= 3,
      `the pool adapted its limit (now ${governor.stats.concurrencyLimit})`,
    );
  } finally {
    await mock.close();
  }
});

test('never more calls in flight than the limit', async () => {
  const mock = await startMockAnthropic({ apiKeys: [TEST_KEY], latencyMs: 20 });
  try {
    const provider = providerFor(mock.url, { governor: new LlmGovernor({ maxConcurrent: 3 }) });
    await Promise.all(Array.from({ length: 10 }, () => provider.send(request(), {}, never)));
    assert.equal(mock.requests.length, 10);
    assert.ok(Math.max(...mock.requests.map((r) => r.inFlightAtArrival)) <= 3);
    assert.ok(Math.max(...mock.requests.map((r) => r.inFlightAtArrival)) >= 2, 'calls did run in parallel');
  } finally {
    await mock.close();
  }
});

test('warm-up: with a shared prefix the first call goes alone, the prefix is written once and read by the others', async () => {
  const mock = await startMockAnthropic({ apiKeys: [TEST_KEY], eventDelayMs: 5, latencyMs: 30 });
  try {
    const provider = providerFor(mock.url, { governor: new LlmGovernor({ maxConcurrent: 4 }) });
    const waits: LlmWaitReason[] = [];
    const shared = request({
      system: [{ text: 'You are the code writer.' }, { text: featureContext, cacheBreakpoint: true }],
      prefixKey: 'code-writer:feature-1',
    });
    const responses = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        provider.send(
          { ...shared, messages: [userText(`Implement T00${i}.`)] },
          { onWaiting: (r) => waits.push(r) },
          never,
        ),
      ),
    );
    const [first, ...rest] = mock.requests;
    assert.ok(first);
    assert.ok(rest.every((r) => r.arrivedAt >= first.arrivedAt));
    assert.equal(rest.filter((r) => r.inFlightAtArrival === 1 && r.arrivedAt < (first.finishedAt ?? 0)).length, 0);
    assert.equal(mock.maxWritesOfOnePrefix(), 1, 'the shared prefix was written once');
    assert.ok((responses[0]?.usage.cacheCreationInputTokens ?? 0) > 2000);
    // The others write only their own short task turn behind the shared prefix.
    assert.ok(responses.slice(1).every((r) => r.usage.cacheCreationInputTokens < 50));
    assert.ok(responses.slice(1).every((r) => r.usage.cacheReadInputTokens > 2000));
    assert.equal(waits.filter((w) => w === 'cache-warm-up').length, 4);
  } finally {
    await mock.close();
  }
});

test('without warm-up the same fan-out writes the prefix several times (the benchmark’s baseline)', async () => {
  const mock = await startMockAnthropic({ apiKeys: [TEST_KEY], eventDelayMs: 5, latencyMs: 30 });
  try {
    const provider = providerFor(mock.url, { governor: new LlmGovernor({ maxConcurrent: 4 }) });
    const shared = request({
      system: [{ text: 'You are the code writer.' }, { text: featureContext, cacheBreakpoint: true }],
    });
    await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        provider.send({ ...shared, messages: [userText(`Implement T00${i}.`)] }, {}, never),
      ),
    );
    assert.ok(mock.maxWritesOfOnePrefix() > 1);
  } finally {
    await mock.close();
  }
});

test('a call cancelled while it waits for a slot fails as cancelled and is never sent', async () => {
  const mock = await startMockAnthropic({ apiKeys: [TEST_KEY] });
  try {
    mock.script(reply.stallAfter(3));
    const provider = providerFor(mock.url, { governor: new LlmGovernor({ maxConcurrent: 1 }) });
    const holder = new AbortController();
    const holding = provider.send(request(), {}, holder.signal);
    while (mock.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const waiter = new AbortController();
    const waiting = provider.send(request(), { onWaiting: () => waiter.abort() }, waiter.signal);
    await assert.rejects(waiting, LlmCancelledError);
    holder.abort();
    await assert.rejects(holding, LlmCancelledError);
    assert.equal(mock.requests.length, 1);
  } finally {
    await mock.close();
  }
});
