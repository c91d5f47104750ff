import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LlmBudgetExceededError } from '../../../src/core/llm/errors';
import { MeteredProvider } from '../../../src/core/llm/metered-provider';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cheapestKnownModel, KNOWN_MODELS } from '../../../src/core/llm/models';
import { costUsd, parsePriceTable, priceFor } from '../../../src/core/llm/prices';
import { type LlmProvider } from '../../../src/core/llm/provider';
import { zeroUsage, type LlmUsage } from '../../../src/protocol/engine-events';
import { estimateTokens } from '../../../src/core/llm/token-estimate';
import { parseRoleBudgets, UsageLedger } from '../../../src/core/llm/usage-ledger';
import { reply, startMockAnthropic } from '../../mock-anthropic';
import { never, providerFor, request, TEST_KEY } from './llm-test-kit';

function usage(fields: Partial<LlmUsage>): LlmUsage {
  return { ...zeroUsage(), ...fields };
}

test('each usage field is priced at its own rate', () => {
  const price = {
    inputPerMTok: 3,
    outputPerMTok: 15,
    cacheWrite5mPerMTok: 3.75,
    cacheWrite1hPerMTok: 6,
    cacheReadPerMTok: 0.3,
  };
  const cost = costUsd(
    usage({
      inputTokens: 1_000_000,
      outputTokens: 1_000_000,
      cacheCreationInputTokens: 3_000_000,
      cacheCreation1hInputTokens: 1_000_000,
      cacheReadInputTokens: 10_000_000,
    }),
    price,
  );
  assert.equal(cost, 3 + 15 + 2 * 3.75 + 6 + 10 * 0.3);
});

test('prices: overrides win, unknown models price by family, never below the dearest family when unknown', () => {
  // Anthropic's list prices (platform.claude.com, checked 2026-12).
  assert.deepEqual([priceFor('claude-haiku-5-5').inputPerMTok, priceFor('claude-haiku-5-5').outputPerMTok], [0.1, 0.5]);
  assert.deepEqual([priceFor('claude-sonnet-5-5').inputPerMTok, priceFor('claude-sonnet-5-5').outputPerMTok], [2, 10]);
  assert.deepEqual([priceFor('claude-opus-5-5').inputPerMTok, priceFor('claude-opus-5-5').outputPerMTok], [4, 20]);
  assert.equal(priceFor('claude-opus-5-5').cacheReadPerMTok, 0.2);
  assert.equal(priceFor('claude-fable-5-1').cacheReadPerMTok, 0.25);
  assert.equal(priceFor('claude-haiku-4-5-20251001'), priceFor('claude-haiku-4-5'), 'a dated snapshot is its model');
  assert.equal(priceFor('claude-sonnet-7').outputPerMTok, 15, 'an unlisted sonnet: its family');
  assert.equal(priceFor('some-gateway-model').inputPerMTok, priceFor('claude-fable-5-1').inputPerMTok);
  for (const id of KNOWN_MODELS)
    assert.ok(priceFor('some-gateway-model').outputPerMTok >= priceFor(id).outputPerMTok, `${id} is not dearer`);
  const { prices, problems } = parsePriceTable({
    'claude-sonnet-5-5': { inputPerMTok: 1.25, outputPerMTok: 10 },
    broken: { inputPerMTok: 'x' },
  });
  assert.equal(priceFor('claude-sonnet-5-5', prices).inputPerMTok, 1.25);
  assert.equal(priceFor('claude-sonnet-5-5', prices).cacheReadPerMTok, 0.125);
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? '', /broken/);
});

test('a long prompt bills the whole request at the long-prompt rates (Haiku 5.5 over 100k tokens)', () => {
  const haiku = priceFor('claude-haiku-5-5');
  const short = costUsd(usage({ inputTokens: 100_000, outputTokens: 1_000_000 }), haiku);
  const long = costUsd(usage({ inputTokens: 60_000, cacheReadInputTokens: 40_001, outputTokens: 1_000_000 }), haiku);
  assert.ok(Math.abs(short - (0.01 + 0.5)) < 1e-9, `${short}`);
  assert.ok(Math.abs(long - (0.03 + 40_001 * 0.05e-6 + 2.5)) < 1e-9, `${long}`);
});

test('the cheapest known model is Haiku 5.5, and smoke:live runs on it', async () => {
  assert.equal(cheapestKnownModel(), 'claude-haiku-5-5');
  const script = await readFile(join(__dirname, '..', '..', '..', 'scripts', 'smoke-live.mjs'), 'utf8');
  assert.match(script, new RegExp(`const CHEAPEST_MODEL = '${cheapestKnownModel()}';`));
});

test('the ledger totals by role, task and model', () => {
  const ledger = new UsageLedger();
  ledger.record(
    { role: 'code-writer', taskKey: 'T1' },
    'claude-sonnet-5-5',
    usage({ inputTokens: 100, outputTokens: 10 }),
  );
  ledger.record(
    { role: 'code-writer', taskKey: 'T2' },
    'claude-sonnet-5-5',
    usage({ inputTokens: 50, cacheReadInputTokens: 1000 }),
  );
  ledger.record({ role: 'reviewer', taskKey: 'T1' }, 'claude-opus-5-5', usage({ outputTokens: 5 }));
  assert.equal(ledger.totals.calls, 3);
  assert.equal(ledger.byRole().get('code-writer')?.inputTokens, 150);
  assert.equal(ledger.byTask().get('T1')?.outputTokens, 15);
  assert.equal(ledger.byModel().get('claude-sonnet-5-5')?.cacheReadInputTokens, 1000);
  assert.ok(Math.abs(ledger.totals.costUsd - [...ledger.byRole().values()].reduce((s, t) => s + t.costUsd, 0)) < 1e-12);
});

test('token estimate is deterministic and about four characters a token', () => {
  assert.equal(estimateTokens(''), 0);
  assert.equal(estimateTokens('abcd'), 1);
  assert.equal(estimateTokens('abcde'), 2);
});

test('a run budget lowers max_tokens to what is left, then refuses the call that could cross it, before it is sent', async () => {
  const mock = await startMockAnthropic({ apiKeys: [TEST_KEY] });
  try {
    // Sonnet: $15 per million output tokens. $0.05 leaves room for the input bound and ~2,000 output tokens.
    const ledger = new UsageLedger({}, { runUsd: 0.05 });
    const provider = new MeteredProvider(providerFor(mock.url), ledger);
    mock.script({ type: 'message', content: [{ type: 'text', text: 'expensive' }], outputTokens: 100_000 });
    const first = await provider.send(request({ maxTokens: 32_000 }), {}, never);
    const sentMax = (mock.requests[0]?.body as { max_tokens: number }).max_tokens;
    assert.ok(sentMax < 32_000 && sentMax >= 1024, `max_tokens lowered to the headroom: ${sentMax}`);
    assert.equal(first.usage.outputTokens, sentMax, 'the reply used every token it was allowed');
    assert.ok(ledger.spentUsd() <= 0.05, `spent ${ledger.spentUsd()}`);
    const sent = mock.requests.length;
    await assert.rejects(provider.send(request({ maxTokens: 32_000 }), {}, never), (error: unknown) => {
      assert.ok(error instanceof LlmBudgetExceededError);
      assert.deepEqual(error.scope, { type: 'run' });
      assert.match(
        error.message,
        /^budget reached: \$0\.05 cap, \$0\.0\d+ spent, next call could cost up to \$0\.\d+\. .*raise the budget and resume/,
      );
      return true;
    });
    assert.equal(mock.requests.length, sent, 'the refused call never reached the API');
  } finally {
    await mock.close();
  }
});

test('a call answers its caller only once its booking has settled (the run journals it first)', async () => {
  const mock = await startMockAnthropic({ apiKeys: [TEST_KEY] });
  try {
    const steps: string[] = [];
    let release = (): void => undefined;
    const journaled = new Promise<void>((resolve) => (release = resolve));
    const provider = new MeteredProvider(providerFor(mock.url), new UsageLedger(), async (record) => {
      steps.push(`booked ${record.usage.outputTokens}`);
      await journaled;
      steps.push('journaled');
    });
    mock.script({ type: 'message', content: [{ type: 'text', text: 'hello' }], outputTokens: 7 });
    const answered = provider.send(request(), {}, never).then(() => steps.push('answered'));
    while (steps.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(steps, ['booked 7'], 'no answer before the booking is on disk');
    release();
    await answered;
    assert.deepEqual(steps, ['booked 7', 'journaled', 'answered']);
  } finally {
    await mock.close();
  }
});

test('a role budget stops only that role', async () => {
  const ledger = new UsageLedger({}, { perRoleUsd: { documenter: 0 } });
  const fake: LlmProvider = {
    id: 'fake',
    send: async (req) => ({
      content: [],
      stopReason: { type: 'end_turn' },
      usage: usage({ inputTokens: 1 }),
      model: req.model,
      requestId: null,
      attempts: 1,
    }),
  };
  const provider = new MeteredProvider(fake, ledger);
  await assert.rejects(
    provider.send(request({ meta: { role: 'documenter' } }), {}, never),
    (error: unknown) => error instanceof LlmBudgetExceededError && error.message.includes('documenter'),
  );
  await provider.send(request(), {}, never);
  assert.equal(ledger.totals.calls, 1);
});

test('the usage of a failed call is still booked', async () => {
  const mock = await startMockAnthropic({ apiKeys: [TEST_KEY] });
  try {
    const ledger = new UsageLedger();
    const provider = new MeteredProvider(providerFor(mock.url, { streamIdleTimeoutMs: 200 }), ledger);
    const controller = new AbortController();
    mock.script(reply.cutAfter(4), reply.stallAfter(4));
    await assert.rejects(
      provider.send(
        request(),
        { onAttemptDiscarded: () => undefined, onText: () => controller.abort() },
        controller.signal,
      ),
    );
    assert.equal(ledger.totals.calls, 1);
    assert.ok(ledger.totals.inputTokens > 0, 'the cut attempt’s input tokens are on the books');
  } finally {
    await mock.close();
  }
});

test('what a resumed run spent before counts against its budgets, and is not booked again', () => {
  const ledger = new UsageLedger({}, { runUsd: 1, perRoleUsd: { reviewer: 0.5 } });
  ledger.carryOver({ runUsd: 0.6, byRoleUsd: { reviewer: 0.5 } });
  assert.equal(ledger.totals.calls, 0);
  assert.equal(ledger.spentUsd(), 0.6);
  assert.throws(
    () => ledger.assertWithinBudget('reviewer'),
    (error: unknown) => error instanceof LlmBudgetExceededError && error.spentUsd === 0.5,
  );
  ledger.assertWithinBudget('code-writer');
  ledger.carryOver({ runUsd: 0.4 });
  assert.throws(
    () => ledger.assertWithinBudget('code-writer'),
    (error: unknown) =>
      error instanceof LlmBudgetExceededError && /^budget reached: \$1\.00 cap, \$1\.00 spent\./.test(error.message),
  );
});

test('role budgets from settings: known roles with amounts kept, the rest reported', () => {
  assert.deepEqual(parseRoleBudgets({ reviewer: 0.5, documenter: 0, coder: 1, 'bug-fixer': -1, 'test-writer': '2' }), {
    budgets: { reviewer: 0.5, documenter: 0 },
    problems: [
      'coder: not a role (task-orchestrator, implementation-orchestrator, code-writer, test-writer, documenter, reviewer, bug-fixer)',
      'bug-fixer: the budget must be a non-negative amount of US dollars',
      'test-writer: the budget must be a non-negative amount of US dollars',
    ],
  });
  assert.deepEqual(parseRoleBudgets(undefined), { budgets: {}, problems: [] });
  assert.equal(parseRoleBudgets([1]).problems.length, 1);
});
