/**
 * Soak: the 429 and 529 scenarios, many times over, through the real SDK against the wire mock, each round
 * under a deadline. A lost wake-up anywhere shows up here as a round that never ends (and fails by name).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { LlmGovernor } from '../../../src/core/llm/governor';
import { reply, startMockAnthropic, type MockAnthropic } from '../../mock-anthropic';
import { never, providerFor, request, TEST_KEY, userText } from './llm-test-kit';

const ROUNDS = 40;
const CALLS_PER_ROUND = 6;
const ROUND_DEADLINE_MS = 10_000;

let mock: MockAnthropic;
before(async () => {
  mock = await startMockAnthropic({ apiKeys: [TEST_KEY] });
});
after(async () => {
  await mock.close();
});

async function withDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what} did not finish within ${ROUND_DEADLINE_MS} ms`)),
          ROUND_DEADLINE_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

test(
  `${ROUNDS} rounds of ${CALLS_PER_ROUND} parallel calls meeting 429s and 529s all finish`,
  { timeout: 120_000 },
  async () => {
    for (let round = 0; round < ROUNDS; round++) {
      let served = 0;
      // Every second request of a round is refused: 429 with a sub-second retry-after, or 529 with none.
      mock.setHandler(() => {
        served++;
        if (served % 2 === 0)
          return round % 2 === 0 ? reply.rateLimited(0.001 * (1 + (served % 7))) : reply.overloaded();
        return reply.text(`ok ${served}`);
      });
      const governor = new LlmGovernor({ maxConcurrent: 3, maxAttempts: 20, baseBackoffMs: 2, maxBackoffMs: 20 });
      const provider = providerFor(mock.url, { governor });
      const calls = Array.from({ length: CALLS_PER_ROUND }, (_, i) =>
        provider.send(request({ messages: [userText(`Implement T00${i}.`)] }), {}, never),
      );
      const results = await withDeadline(Promise.allSettled(calls), `round ${round}`);
      assert.deepEqual(
        results.map((r) => r.status),
        Array<string>(CALLS_PER_ROUND).fill('fulfilled'),
        `round ${round}: ${results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')).join('; ')}`,
      );
      assert.equal(governor.stats.queued, 0);
      assert.equal(governor.stats.inFlight, 0);
      governor.dispose();
    }
    mock.setHandler(() => reply.text('ok'));
  },
);
