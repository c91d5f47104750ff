import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forecastRunCost, type RolePlan } from '../../../src/core/llm/forecast';

const plan: RolePlan = {
  role: 'code-writer',
  model: 'claude-sonnet-5-5',
  tasks: 20,
  turnsPerTask: 4,
  sharedContextTokens: 20_000,
  taskContextTokens: 2_000,
  outputTokensPerTurn: 500,
  toolResultTokensPerTurn: 1_500,
};

test('without caching every turn pays the whole prompt as input', () => {
  const forecast = forecastRunCost([{ ...plan, tasks: 1, turnsPerTask: 2 }], { caching: false });
  assert.equal(forecast.usage.inputTokens, 20_000 + 2_000 + 20_000 + 4_000);
  assert.equal(forecast.usage.outputTokens, 1_000);
  assert.equal(forecast.roles[0]?.calls, 2);
  assert.equal(forecast.usage.estimated, true);
});

test('with caching the shared prefix is written once per role and read by every other call', () => {
  const forecast = forecastRunCost([plan], { caching: true });
  const calls = plan.tasks * plan.turnsPerTask;
  assert.equal(forecast.usage.inputTokens, 0);
  assert.equal(forecast.usage.cacheReadInputTokens >= (calls - 1) * plan.sharedContextTokens, true);
  const writesOfShared =
    forecast.usage.cacheCreationInputTokens - plan.tasks * (plan.taskContextTokens + (plan.turnsPerTask - 1) * 2_000);
  assert.equal(writesOfShared, plan.sharedContextTokens);
});

test('caching forecasts far cheaper than no caching for a shared context, and roles add up', () => {
  const reviewer: RolePlan = { ...plan, role: 'reviewer', model: 'claude-opus-5-5', tasks: 5 };
  const cached = forecastRunCost([plan, reviewer], { caching: true });
  const uncached = forecastRunCost([plan, reviewer], { caching: false });
  assert.ok(cached.totalUsd < uncached.totalUsd * 0.5, `${cached.totalUsd} vs ${uncached.totalUsd}`);
  assert.ok(Math.abs(cached.totalUsd - cached.roles.reduce((s, r) => s + r.costUsd, 0)) < 1e-9);
  const custom = forecastRunCost([plan], {
    caching: false,
    prices: {
      'claude-sonnet-5-5': {
        inputPerMTok: 0,
        outputPerMTok: 0,
        cacheWrite5mPerMTok: 0,
        cacheWrite1hPerMTok: 0,
        cacheReadPerMTok: 0,
      },
    },
  });
  assert.equal(custom.totalUsd, 0);
});
