import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reply, startMockAnthropic, type RecordedRequest } from '../../../mock-anthropic';
import { createAnthropicProviderForRun, governorLimitFor, type LlmProvider } from '../../../../src/core/engine';
import type { LlmWaitReason } from '../../../../src/core/llm/provider';

const signal = new AbortController().signal;

function ask(provider: LlmProvider, text: string, onWaiting?: (reason: LlmWaitReason) => void) {
  return provider.send(
    {
      model: 'claude-sonnet-5-5',
      maxTokens: 200,
      system: [{ text: 'You are a worker.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text }] }],
      tools: [],
      meta: { role: 'code-writer', taskKey: text },
    },
    onWaiting ? { onWaiting } : {},
    signal,
  );
}

function textOf(request: RecordedRequest): string {
  const body = request.body as { messages?: { content: { text?: string }[] }[] } | undefined;
  return body?.messages?.[0]?.content[0]?.text ?? '';
}

test('the run provider lets exactly maxWorkers calls run at once, never more', async () => {
  const mock = await startMockAnthropic({ latencyMs: 80 });
  try {
    const provider = createAnthropicProviderForRun({ apiKey: async () => 'k', baseURL: mock.url, maxWorkers: 8 });
    await Promise.all(Array.from({ length: 12 }, (_, i) => ask(provider, `call ${i}`)));
    const peak = Math.max(...mock.requests.map((r) => r.inFlightAtArrival));
    // 8, not the provider's private default of 4, and not 12.
    assert.equal(peak, 8);
    assert.equal(governorLimitFor(1), 3, 'room for the validation phase: two reviews and a bug-fixer at once');
  } finally {
    await mock.close();
  }
});

test('eight parallel workers share one governor: a 429 to one of them pauses them all', async () => {
  // Successful replies stream slowly; the 429 comes back at once, while the others are still in flight.
  const mock = await startMockAnthropic({ latencyMs: 0, eventDelayMs: 15 });
  // Long enough that every first call is still streaming when it ends, even on a loaded machine.
  const pauseMs = 1200;
  mock.script(reply.rateLimited(1, { 'retry-after-ms': String(pauseMs) }));
  try {
    const provider = createAnthropicProviderForRun({ apiKey: async () => 'k', baseURL: mock.url, maxWorkers: 8 });
    const waitedForRateLimit = new Set<number>();
    await Promise.all(
      Array.from({ length: 8 }, async (_, worker) => {
        for (const call of [1, 2])
          await ask(
            provider,
            `worker ${worker} call ${call}`,
            (reason) => reason === 'rate-limit' && waitedForRateLimit.add(worker),
          );
      }),
    );
    const limited = mock.requests.filter((r) => r.status === 429);
    assert.equal(limited.length, 1);
    const pausedAt = limited[0]?.finishedAt ?? Number.NaN;
    const limitedText = textOf(limited[0]!);
    // Every call that started after the 429 — the other workers' next calls and the retry — waited out the pause.
    const later = mock.requests.filter(
      (r) => r !== limited[0] && (textOf(r).endsWith('call 2') || textOf(r) === limitedText),
    );
    assert.equal(later.length, 9, 'eight second calls and one retry');
    for (const r of later)
      assert.ok(
        r.arrivedAt >= pausedAt + pauseMs - 20,
        `${textOf(r)} arrived ${r.arrivedAt - pausedAt} ms after the 429`,
      );
    assert.equal(
      waitedForRateLimit.size,
      8,
      `every worker was told it waits for the rate limit (${[...waitedForRateLimit].join(', ')})`,
    );
    assert.ok(Math.max(...mock.requests.map((r) => r.inFlightAtArrival)) <= 8);
  } finally {
    await mock.close();
  }
});
