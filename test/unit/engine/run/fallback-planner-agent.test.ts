/**
 * The task-orchestrator in fallback mode is an agent: it explores the repository with read-only tools before
 * it submits its plan; a malformed plan comes back to it as a tool error to correct; a model that never gets
 * it right fails planning with the reason (not "bad input"), and its calls are paid for and counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedRequest } from '../../../mock-anthropic';
import { PlanError, PlanningFailedError } from '../../../../src/core/engine';
import { cli, mockEnv } from '../../cli/cli-harness';
import { startHarness, testSettings, toolCall, toolResults, turnOf } from './harness';

const settings = { ...testSettings, validate: false };

const GOOD_PLAN = {
  title: 'Greeting',
  slug: 'greeting',
  complexity: 'small',
  rationale: 'One module in the existing lib/ folder.',
  phases: [{ name: 'Core', tasks: [{ description: 'Write the greeter', files: ['lib/greet.js'], parallel: false }] }],
};
const BAD_PLAN = { title: 'Greeting', slug: 'Not A Slug', complexity: 'tiny', phases: [] };

function toolNames(request: RecordedRequest): string[] {
  return ((request.body as { tools?: { name: string }[] }).tools ?? []).map((t) => t.name).sort();
}

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-planner-'));
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib', 'index.js'), "module.exports = require('./legacy-hello');\n");
  return dir;
}

test('the planner explores with list, read and search before it submits; a malformed plan is a tool error it corrects', async () => {
  const dir = project();
  const h = await startHarness({ dir });
  h.mock.setHandler((request) => {
    switch (turnOf(request)) {
      case 0:
        return toolCall('list_directory', { path: '.' });
      case 1:
        return toolCall('read_file', { path: 'lib/index.js' });
      case 2:
        return toolCall('submit_plan', BAD_PLAN);
      default:
        return toolCall('submit_plan', GOOD_PLAN);
    }
  });
  try {
    const plan = await h.engine.plan({ root: dir, request: 'a greeter', settings });
    assert.equal(plan.mode, 'fallback');
    assert.deepEqual(
      plan.tasks.map((t) => t.files),
      [['lib/greet.js']],
    );
    const requests = h.mock.requests;
    assert.equal(requests.length, 4);
    assert.deepEqual(toolNames(requests[0]!), ['list_directory', 'read_file', 'search_text', 'submit_plan']);
    assert.match(toolResults(requests[1]!)[0]?.content ?? '', /lib\//, 'it saw the folder listing');
    assert.match(toolResults(requests[2]!)[0]?.content ?? '', /legacy-hello/, 'it read the file');
    const rejected = toolResults(requests[3]!)[0];
    assert.equal(rejected?.isError, true);
    assert.match(rejected?.content ?? '', /malformed \(attempt 1 of 3\)/);
    assert.match(rejected?.content ?? '', /slug/);
    assert.ok(plan.planningCall && plan.planningCall.usage.costUsd > 0);
    const oneCall = requests.map((r) => r.usage?.outputTokens ?? 0);
    assert.ok(
      oneCall.every((n) => n > 0) && plan.planningCall.usage.outputTokens === oneCall.reduce((a, b) => a + b, 0),
      'every call is counted',
    );
  } finally {
    await h.close();
  }
});

test('a plan malformed three times fails planning with the reason: not bad input; the CLI exits 1 and names what it cost', async () => {
  const dir = project();
  const h = await startHarness({ dir });
  h.mock.setHandler(() => toolCall('submit_plan', BAD_PLAN));
  try {
    await assert.rejects(h.engine.plan({ root: dir, request: 'a greeter', settings }), (error: unknown) => {
      assert.ok(error instanceof PlanningFailedError && !(error instanceof PlanError));
      assert.match(error.message, /submitted a malformed plan 3 times; the last one: .*slug/);
      assert.ok((error.planningCall?.usage.costUsd ?? 0) > 0);
      return true;
    });
    assert.equal(h.mock.requests.length, 3, 'three attempts, no more');

    const result = await cli(['implement', '--workspace', dir, '--approve', 'all', '--request', 'a greeter'], {
      env: mockEnv(h.mock.url),
      cwd: dir,
    });
    assert.equal(result.code, 1, result.err + result.out);
    assert.match(
      result.err,
      /planning the request failed: the model submitted a malformed plan 3 times.*\(planning cost \$\d/,
    );
    assert.equal(result.err.trim().split('\n').length, 1);
  } finally {
    await h.close();
  }
});

test('a planner that only explores runs into its turn budget and fails planning', async () => {
  const dir = project();
  const h = await startHarness({ dir });
  h.mock.setHandler(() => toolCall('search_text', { query: 'hello' }));
  try {
    await assert.rejects(
      h.engine.plan({ root: dir, request: 'a greeter', settings }),
      /planning the request failed: used its 16-turn budget/,
    );
    assert.equal(h.mock.requests.length, 16);
  } finally {
    await h.close();
  }
});
