/**
 * The budget is a ceiling, not a stop sign: every send of a call (retries included) reserves its worst case
 * first, concurrent calls never share headroom, and a model that always writes all it is allowed cannot push
 * the money the API billed past the cap — checked against what the wire mock billed, not only our books.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LlmBudgetExceededError, LlmError } from '../../../src/core/llm/errors';
import { MeteredProvider } from '../../../src/core/llm/metered-provider';
import { costUsd, priceFor } from '../../../src/core/llm/prices';
import { inputTokenBound } from '../../../src/core/llm/token-estimate';
import { MIN_REPLY_TOKENS, UsageLedger } from '../../../src/core/llm/usage-ledger';
import { zeroUsage, type LlmUsage } from '../../../src/protocol/engine-events';
import {
  reply,
  startMockAnthropic,
  type MockAnthropic,
  type MockReply,
  type RecordedRequest,
} from '../../mock-anthropic';
import { never, providerFor, request, TEST_KEY } from './llm-test-kit';

const SONNET = 'claude-sonnet-5-5';

function usage(fields: Partial<LlmUsage>): LlmUsage {
  return { ...zeroUsage(), ...fields };
}

function maxTokensOf(request: RecordedRequest): number {
  return (request.body as { max_tokens: number }).max_tokens;
}

/** What the mock billed, priced as the API would: the truth the cap is held to. */
function billedUsd(mock: MockAnthropic): number {
  return mock.requests.reduce((sum, r) => {
    if (!r.usage) return sum;
    const model = String((r.body as { model: string }).model);
    const billed = usage({
      inputTokens: r.usage.inputTokens,
      outputTokens: r.usage.outputTokens,
      cacheCreationInputTokens: r.usage.cacheCreationInputTokens,
      cacheCreation1hInputTokens: r.usage.cacheCreation1hInputTokens,
      cacheReadInputTokens: r.usage.cacheReadInputTokens,
    });
    return sum + costUsd(billed, priceFor(model));
  }, 0);
}

test('the refusal names the cap, what is spent and what the next call could cost', () => {
  const prices = {
    m: { inputPerMTok: 1, outputPerMTok: 50, cacheWrite5mPerMTok: 1, cacheWrite1hPerMTok: 1, cacheReadPerMTok: 0.1 },
  };
  const ledger = new UsageLedger(prices, { runUsd: 0.5 });
  ledger.carryOver({ runUsd: 0.49 });
  // 20,000 input tokens at $1/M ($0.02) and the shortest reply, 1,024 tokens at $50/M ($0.0512).
  const hold = ledger.openCall({ role: 'code-writer' }, 'm', 20_000, 'no-cache');
  assert.throws(
    () => hold.reserveSend(8_000),
    (error: unknown) =>
      error instanceof LlmBudgetExceededError &&
      error.message.startsWith('budget reached: $0.50 cap, $0.49 spent, next call could cost up to $0.07. ') &&
      error.limitUsd === 0.5 &&
      error.spentUsd === 0.49,
  );
  hold.release();
});

test('reservations: max_tokens lowered to the headroom, concurrent calls never share it, settling gives back the rest', () => {
  const ledger = new UsageLedger({}, { runUsd: 0.1 });
  const outputRate = priceFor(SONNET).outputPerMTok / 1e6;
  const inputUsd = 1000 * (priceFor(SONNET).inputPerMTok / 1e6);
  const first = ledger.openCall({ role: 'code-writer' }, SONNET, 1000, 'no-cache');
  const second = ledger.openCall({ role: 'code-writer' }, SONNET, 1000, 'no-cache');
  const firstMax = first.reserveSend(100_000);
  // $0.10 less the input's bound leaves this many output tokens at the model's output rate.
  assert.equal(firstMax, Math.floor((0.1 - inputUsd) / outputRate));
  assert.throws(() => second.reserveSend(100_000), LlmBudgetExceededError, 'the first call holds all the headroom');
  first.settleSend(usage({ inputTokens: 500, outputTokens: 100 }), 'answered');
  const secondMax = second.reserveSend(100_000);
  assert.ok(secondMax > MIN_REPLY_TOKENS && secondMax < firstMax, `the second call gets what the first did not use`);
  // A send refused before any reply (a 429) gives everything back; a broken reply keeps what it may have billed.
  second.settleSend(zeroUsage(), 'failed-before-reply');
  assert.equal(second.reserveSend(100_000), secondMax);
  second.settleSend(usage({ inputTokens: 500, outputTokens: 1 }), 'broken-reply');
  second.release();
  first.release();
  const third = ledger.openCall({ role: 'code-writer' }, SONNET, 1000, 'no-cache');
  assert.throws(
    () => third.reserveSend(100_000),
    /possibly billed/,
    'the broken reply’s unseen part still counts against the cap',
  );
});

test('the input bound is never below what the mock (or a byte-level tokenizer) counts', () => {
  const big = request({ messages: [{ role: 'user', content: [{ type: 'text', text: 'é日本'.repeat(5000) }] }] });
  const bytes = Buffer.byteLength('é日本'.repeat(5000), 'utf8');
  assert.ok(inputTokenBound(big) >= bytes);
});

test('attack: three concurrent callers, 429/529 with retry-after, broken streams, every reply the max output — the API never bills past the cap', async (t) => {
  const mock = await startMockAnthropic({ apiKeys: [TEST_KEY] });
  try {
    const cap = 0.25;
    const ledger = new UsageLedger({}, { runUsd: cap });
    const provider = new MeteredProvider(providerFor(mock.url, { streamIdleTimeoutMs: 300 }), ledger);
    let sends = 0;
    mock.setHandler((req): MockReply => {
      sends++;
      const max = maxTokensOf(req);
      switch (sends % 6) {
        case 1:
          return reply.rateLimited(0.05);
        case 3:
          return reply.overloaded();
        case 4:
          return { ...reply.sseErrorAfter(5), outputTokens: max };
        case 5:
          return { ...reply.cutAfter(4), outputTokens: max };
        default:
          return { type: 'message', content: [{ type: 'text', text: 'every token it may' }], outputTokens: max };
      }
    });
    const refusals: LlmBudgetExceededError[] = [];
    const caller = async (): Promise<void> => {
      for (let i = 0; i < 40; i++) {
        try {
          await provider.send(request({ model: SONNET, maxTokens: 4096 }), {}, never);
        } catch (error) {
          if (error instanceof LlmBudgetExceededError) {
            refusals.push(error);
            return;
          }
          if (!(error instanceof LlmError)) throw error;
        }
      }
      assert.fail('a caller was never refused');
    };
    await Promise.all([caller(), caller(), caller()]);

    const billed = billedUsd(mock);
    t.diagnostic(
      `cap $${cap}; billed by the mock $${billed.toFixed(4)}; booked $${ledger.spentUsd().toFixed(4)}; ${mock.requests.length} sends`,
    );
    assert.ok(billed <= cap, `the API billed $${billed} at a $${cap} cap`);
    assert.ok(ledger.spentUsd() <= cap, `booked $${ledger.spentUsd()}`);
    assert.ok(billed > cap * 0.4, `the run got near the cap (billed $${billed}), so the test attacked it`);
    assert.equal(refusals.length, 3);
    assert.ok(mock.countByStatus(429) > 0 && mock.countByStatus(529) > 0, 'rate limits and overloads were retried');
    assert.ok(mock.requests.some((r) => r.fault === 'cut') && mock.requests.some((r) => r.fault === 'sse-error'));
    assert.ok(
      mock.requests.some((r) => maxTokensOf(r) < 4096),
      'near the cap, max_tokens was lowered rather than the call refused',
    );
  } finally {
    await mock.close();
  }
});
