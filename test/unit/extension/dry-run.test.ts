import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEngine } from '../../../src/core/engine';
import { NodeCommandRunner } from '../../../src/core/engine/commands/node-command-runner';
import { NodeWorkspace } from '../../../src/core/engine/workspace/node-workspace';
import { renderDryRun } from '../../../src/extension/dry-run';
import { makeProject, removeDir } from '../engine/run/harness';

const example = join(__dirname, '..', '..', '..', 'examples', 'todo-api');

/** An engine whose model refuses every call: a dry run must not make one. */
function engineWithoutModel() {
  return createEngine({
    provider: { id: 'never', send: () => Promise.reject(new Error('no model in a dry run')) },
    workspace: (root) => new NodeWorkspace(root),
    commandRunner: new NodeCommandRunner(),
    confirm: async () => false,
  });
}

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
    assert.match(
      text,
      new RegExp(`- T${String(n).padStart(3, '0')} → [a-z-]+ with \`/spec-kit:implement /[a-z:-]+\` \\(`),
      `T${n} listed with its role and commands`,
    );
  assert.match(text, /— in parallel/, 'the [P] group is shown as parallel');
  assert.match(text, /^\$\d+\.\d\d – \$\d+\.\d\d, expected \$\d+\.\d\d/m);
  assert.match(text, /test-writer/, 'test tasks go to the test writer');
});

test('plan notes keep their 1-based line: the dry run shows the line the planner reported', async () => {
  const engine = engineWithoutModel();
  const plan = await engine.plan({ root: example, feature: '001' });
  const text = renderDryRun({
    ...plan,
    diagnostics: [{ severity: 'warning', message: 'odd line', path: 'specs/001-todo-api/tasks.md', line: 7 }],
  });
  assert.match(text, /- warning: odd line \(specs\/001-todo-api\/tasks\.md:7\)/);
});

const STORIES = `# Tasks: Albums
- [ ] T000 Read the design notes in docs/design.md

## Phase 1: Setup
- [ ] T001 Create the project in package.json

## Phase 2: User Story 1 - Create albums (Priority: P1)
- [ ] T002 [US1] Album model in src/album.js

## Phase 3: User Story 2 - Share albums (Priority: P2)
- [ ] T003 [US2] Share service in src/share.js

## Dependencies
- User stories can then proceed in parallel (if staffed)
`;

test('the dry run says whether story phases run side by side and why; a step spans their phases; tasks outside phases are named so', async () => {
  const dir = await makeProject(STORIES);
  try {
    const engine = engineWithoutModel();
    const plan = await engine.plan({ root: dir, feature: '001' });
    assert.equal(plan.storyParallelism.mode, 'parallel');
    assert.deepEqual(
      plan.schedule.map((step) => [step.phaseIndices, step.taskKeys]),
      [
        [[], ['T000']],
        [[0], ['T001']],
        [
          [1, 2],
          ['T002', 'T003'],
        ],
      ],
    );
    const text = renderDryRun(plan);
    assert.match(text, /User-story phases side by side: the file says its user stories can run in parallel/);
    assert.match(text, /^1\. outside any phase$/m);
    assert.match(text, /^3\. User Story 1 - Create albums \(Priority: P1\) \| User Story 2 - .* — in parallel$/m);

    const inOrder = await engine.plan({ root: dir, feature: '001', settings: { storyParallelism: 'off' } });
    assert.equal(inOrder.storyParallelism.mode, 'in-order');
    assert.deepEqual(
      inOrder.schedule.map((step) => step.taskKeys),
      [['T000'], ['T001'], ['T002'], ['T003']],
    );
    assert.match(renderDryRun(inOrder), /User-story phases in order: speckitOrchestra\.storyParallelism is off/);
  } finally {
    await removeDir(dir);
  }
});
