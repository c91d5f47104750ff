/**
 * A whole run held to its budget by a model that always writes every output token it is allowed: two workers
 * at once, the real SDK against the wire mock. What the API billed never passes the cap, the stop says why in
 * one sentence, and the run resumes later under a higher budget with what it spent carried over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costUsd, priceFor } from '../../../../src/core/llm/prices';
import { zeroUsage } from '../../../../src/protocol/engine-events';
import type { MockReply, RecordedRequest } from '../../../mock-anthropic';
import { makeProject, removeDir, startHarness, testSettings, toolCall } from './harness';

const TASKS =
  '## Phase 1: Core\n\n' +
  '- [ ] T001 [P] Write `src/a.js`\n- [ ] T002 [P] Write `src/b.js`\n' +
  '- [ ] T003 [P] Write `src/c.js`\n- [ ] T004 [P] Write `src/d.js`\n';

function maxOutput(request: RecordedRequest): MockReply {
  const max = (request.body as { max_tokens: number }).max_tokens;
  return { ...toolCall('read_file', { path: 'specs/001-demo/tasks.md' }), outputTokens: max } as MockReply;
}

test('two workers and a model that always writes max_tokens: the API never bills past the cap; the run resumes with a higher one', async (t) => {
  const dir = await makeProject(TASKS, {});
  const h = await startHarness({ dir });
  try {
    const cap = 0.5;
    const settings = { ...testSettings, validate: false, bugFixAttempts: 0, maxWorkers: 2, budgetUsd: cap };
    h.mock.setHandler(maxOutput);
    const first = h.engine.start({ root: dir, settings });
    const result = await first.done;

    const billed = h.mock.requests.reduce((sum, r) => {
      if (!r.usage) return sum;
      const model = String((r.body as { model: string }).model);
      return sum + costUsd({ ...zeroUsage(), ...r.usage }, priceFor(model));
    }, 0);
    t.diagnostic(
      `cap $${cap}; billed by the mock $${billed.toFixed(4)}; run spent $${result.usage.costUsd.toFixed(4)}; ${h.mock.requests.length} calls`,
    );
    assert.equal(result.outcome, 'budget-exceeded', result.message);
    assert.match(
      result.message,
      /budget reached: \$0\.50 cap, \$0\.\d+ spent(, \$\d\.\d+ held by calls under way or possibly billed)?, next call could cost up to \$\d\.\d+\. Work done so far is kept; raise the budget and resume the run to continue\./,
    );
    assert.ok(billed <= cap, `the API billed $${billed} at a $${cap} cap`);
    assert.ok(result.usage.costUsd <= cap, `the run booked $${result.usage.costUsd}`);
    assert.ok(billed > cap / 2, `the run went near the cap ($${billed}), so the ceiling was what stopped it`);
    const concurrent = h.mock.requests.some((r) => r.inFlightAtArrival >= 2);
    assert.ok(concurrent, 'two workers called at once');

    // Later, with a higher budget and a model that finishes: the run goes on from where it stopped.
    h.mock.setHandler(() => toolCall('complete_task', { summary: 'nothing to do', files_touched: [] }));
    const resumed = await (
      await h.engine.resume({ root: dir, runId: first.id, settings: { ...settings, budgetUsd: 5 } })
    ).done;
    assert.notEqual(resumed.outcome, 'budget-exceeded', resumed.message);
    assert.ok(resumed.usage.costUsd >= result.usage.costUsd, 'what the first session spent is carried over');
  } finally {
    await h.close();
    await removeDir(dir);
  }
});
