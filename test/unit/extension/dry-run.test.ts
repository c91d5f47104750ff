import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEngine } from '../../../src/core/engine';
import { NodeCommandRunner } from '../../../src/core/engine/commands/node-command-runner';
import { NodeWorkspace } from '../../../src/core/engine/workspace/node-workspace';
import { renderDryRun } from '../../../src/extension/dry-run';

const example = join(__dirname, '..', '..', '..', 'examples', 'todo-api');

test('the dry run of the example names every task with its role, the parallel groups and the forecast, with no model call', async () => {
  let modelCalls = 0;
  const engine = createEngine({
    provider: {
      id: 'never',
      send: () => {
        modelCalls++;
        return Promise.reject(new Error('the dry run must not call a model'));
      },
    },
    workspace: (root) => new NodeWorkspace(root),
    commandRunner: new NodeCommandRunner(),
    confirm: async () => false,
  });
  const plan = await engine.plan({ root: example, feature: '001' });
  const text = renderDryRun(plan);
  assert.equal(modelCalls, 0);
  assert.match(text, /^# Dry run: 001-todo-api$/m);
  for (let n = 1; n <= 10; n++)
    assert.match(text, new RegExp(`- T${String(n).padStart(3, '0')} → [a-z-]+ \\(`), `T${n} listed with its role`);
  assert.match(text, /— in parallel/, 'the [P] group is shown as parallel');
  assert.match(text, /^\$\d+\.\d\d – \$\d+\.\d\d, expected \$\d+\.\d\d/m);
  assert.match(text, /test-writer/, 'test tasks go to the test writer');
});

test('plan notes keep their 1-based line: the dry run shows the line the planner reported', async () => {
  const engine = createEngine({
    provider: { id: 'never', send: () => Promise.reject(new Error('no model in a dry run')) },
    workspace: (root) => new NodeWorkspace(root),
    commandRunner: new NodeCommandRunner(),
    confirm: async () => false,
  });
  const plan = await engine.plan({ root: example, feature: '001' });
  const text = renderDryRun({
    ...plan,
    diagnostics: [{ severity: 'warning', message: 'odd line', path: 'specs/001-todo-api/tasks.md', line: 7 }],
  });
  assert.match(text, /- warning: odd line \(specs\/001-todo-api\/tasks\.md:7\)/);
});
