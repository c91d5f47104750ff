/**
 * The money settings a face passes to the engine: a budget per role next to the run's, and price overrides
 * that the forecast, the usage events and the budgets all use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent } from '../../../../src/core/engine';
import { eventsOf, makeProject, startHarness, testSettings, toolCall } from './harness';

const TASKS = '## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n- [ ] T002 Write `docs/a.md`\n';
const FREE = { inputPerMTok: 0, outputPerMTok: 0, cacheWrite5mPerMTok: 0, cacheWrite1hPerMTok: 0, cacheReadPerMTok: 0 };

test('a role budget stops the run before a call that could cross it, naming the role; other roles are not held to it', async () => {
  const dir = await makeProject(TASKS, {});
  const h = await startHarness({ dir });
  try {
    h.mock.setHandler(() => toolCall('read_file', { path: 'specs/001-demo/tasks.md' }));
    const run = h.engine.start({
      root: dir,
      settings: {
        ...testSettings,
        validate: false,
        bugFixAttempts: 0,
        maxWorkers: 1,
        budgetPerRoleUsd: { 'code-writer': 0.000001, documenter: 100 },
      },
    });
    const result = await run.done;
    assert.equal(result.outcome, 'budget-exceeded', result.message);
    assert.match(result.message ?? '', /budget for the code-writer role reached/);
    assert.equal(h.mock.requests.length, 0, 'not even one code-writer call fits in the role budget');
  } finally {
    await h.close();
  }
});

test('price overrides: the forecast, every usage event and the run budget use them', async () => {
  const dir = await makeProject(TASKS, {});
  const h = await startHarness({ dir });
  try {
    const listPrice = await h.engine.plan({ root: dir, settings: { ...testSettings, validate: false } });
    const free = await h.engine.plan({
      root: dir,
      settings: {
        ...testSettings,
        validate: false,
        prices: { 'claude-sonnet-5-5': FREE, 'claude-haiku-5-5': FREE, 'claude-opus-5-5': FREE },
      },
    });
    assert.ok(listPrice.forecast.expected > 0);
    assert.equal(free.forecast.expected, 0, 'the dry run prices with the overrides');

    let turns = 0;
    h.mock.setHandler(() =>
      turns++ < 3
        ? toolCall('read_file', { path: 'specs/001-demo/tasks.md' })
        : toolCall('complete_task', { summary: 'nothing to do', files_touched: [] }),
    );
    // At list prices this budget stops the run after the first call; at a price of zero it never does.
    const run = h.engine.start({
      ...free,
      settings: { ...free.settings, bugFixAttempts: 0, maxWorkers: 1, budgetUsd: 0.000001 },
    });
    const result = await run.done;
    assert.notEqual(result.outcome, 'budget-exceeded', result.message);
    const usage = eventsOf(run.events() as EngineEvent[], 'usage');
    assert.ok(usage.length >= 2);
    assert.ok(
      usage.every(
        (u) =>
          u.totals.costUsd === 0 &&
          u.totals.inputTokens + u.totals.cacheCreationInputTokens + u.totals.cacheReadInputTokens > 0,
      ),
    );
  } finally {
    await h.close();
  }
});
