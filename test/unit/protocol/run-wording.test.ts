// How a finished run is announced in VS Code: the outcome and its reason once, as the CLI and the Progress panel
// say them, then the counts and the cost.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runNoticeText } from '../../../src/protocol/run-wording';

test('a budget stop says "Run stopped" once, with the budget reason, counts and cost', () => {
  assert.equal(
    runNoticeText(
      'budget-exceeded',
      'budget reached: $0.50 cap, $0.49 spent, next call could cost up to $0.07.',
      { done: 3, total: 10, failed: 0 },
      0.49,
    ),
    'Run stopped: budget reached: $0.50 cap, $0.49 spent, next call could cost up to $0.07. (3/10 tasks done; $0.49)',
  );
});

test('counts already in the reason are not said twice; failures are counted', () => {
  assert.equal(
    runNoticeText('completed', '10/10 tasks done.', { done: 10, total: 10, failed: 0 }, 1.234),
    'Run completed: 10/10 tasks done. ($1.23)',
  );
  assert.equal(
    runNoticeText('failed', 'Could not reach the Anthropic API (ECONNREFUSED).', { done: 0, total: 10, failed: 1 }, 0),
    'Run failed: Could not reach the Anthropic API (ECONNREFUSED). (0/10 tasks done, 1 failed; $0.00)',
  );
});
