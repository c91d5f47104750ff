import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyRunView, foldRunView, type EngineEvent } from '../../../src/protocol/engine-events';

const at = '2026-01-01T00:00:00.000Z';

test('a face rebuilds task, worker and review state from events alone', () => {
  const events: EngineEvent[] = [
    {
      type: 'run-started',
      runId: 'r1',
      featureId: '001-demo',
      tasksPath: 'specs/001-demo/tasks.md',
      resumed: false,
      at,
      phases: [{ index: 0, title: 'Setup', taskKeys: ['T001'] }],
      tasks: [
        {
          key: 'T001',
          id: 'T001',
          description: 'Create app',
          phaseIndex: 0,
          line: 4,
          files: ['src/app.ts'],
          dependsOn: [],
          parallel: false,
          status: 'pending',
        },
      ],
    },
    { type: 'worker-started', workerId: 'w1', role: 'code-writer', taskKey: 'T001', model: 'm', at },
    { type: 'task-status', taskKey: 'T001', status: 'running', at },
    { type: 'worker-activity', workerId: 'w1', activity: 'reading src/app.ts', at },
    {
      type: 'proposal-pending',
      proposal: {
        id: 'p1',
        taskKey: 'T001',
        workerId: 'w1',
        role: 'code-writer',
        path: 'src/app.ts',
        kind: 'create',
        createdAt: at,
      },
      at,
    },
  ];
  const view = events.reduce(foldRunView, emptyRunView());
  assert.equal(view.tasks.get('T001')?.status, 'running');
  assert.equal(view.workers.get('w1')?.activity, 'reading src/app.ts');
  assert.equal(view.pending.size, 1);

  foldRunView(view, { type: 'proposal-decided', proposalId: 'p1', outcome: 'accepted', at });
  foldRunView(view, {
    type: 'proposal-applied',
    proposalId: 'p1',
    taskKey: 'T001',
    path: 'src/app.ts',
    kind: 'create',
    at,
  });
  foldRunView(view, { type: 'task-status', taskKey: 'T001', status: 'done', at });
  foldRunView(view, { type: 'worker-finished', workerId: 'w1', outcome: 'done', at });
  foldRunView(view, { type: 'run-finished', outcome: 'completed', message: '1/1 tasks done', at });
  assert.equal(view.pending.size, 0);
  assert.deepEqual(
    view.applied.map((a) => a.path),
    ['src/app.ts'],
  );
  assert.equal(view.tasks.get('T001')?.status, 'done');
  assert.equal(view.workers.size, 0);
  assert.equal(view.finished?.outcome, 'completed');
});
