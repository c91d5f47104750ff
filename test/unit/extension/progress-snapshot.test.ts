import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyRunView, foldRollback, foldRunView, type EngineEvent } from '../../../src/protocol/engine-events';
import { logEntryOf, progressSnapshot, statusBarText } from '../../../src/extension/progress/progress-snapshot';

const at = '2026-01-01T00:00:00.000Z';
const started: EngineEvent = {
  type: 'run-started',
  runId: 'r1',
  featureId: '001-todo',
  tasksPath: '/w/specs/001-todo/tasks.md',
  resumed: false,
  budgetUsd: 5,
  at,
  phases: [
    { index: 0, title: 'Setup', taskKeys: ['T001', 'T002'] },
    { index: 1, title: 'Core', taskKeys: ['T003'] },
  ],
  tasks: ['T001', 'T002', 'T003'].map((id, i) => ({
    key: id,
    id,
    description: `task ${id}`,
    phaseIndex: i < 2 ? 0 : 1,
    line: i,
    files: [],
    dependsOn: [],
    parallel: false,
    status: 'pending' as const,
  })),
};

test('idle before any run', () => {
  const s = progressSnapshot(emptyRunView(), false);
  assert.equal(s.state, 'idle');
  assert.equal(s.total, 0);
});

test('counts per phase and overall, workers and pending edits from events', () => {
  const view = emptyRunView();
  for (const e of [
    started,
    { type: 'task-status', taskKey: 'T001', status: 'done', at },
    { type: 'task-status', taskKey: 'T003', status: 'failed', at },
    {
      type: 'worker-started',
      workerId: 'w1',
      role: 'code-writer',
      taskKey: 'T002',
      model: 'm',
      commands: ['spec-kit:implement', 'implement'],
      at,
    },
    {
      type: 'proposal-pending',
      proposal: {
        id: 'p1',
        taskKey: 'T002',
        workerId: 'w1',
        role: 'code-writer',
        path: 'a.js',
        kind: 'create',
        createdAt: at,
      },
      at,
    },
  ] satisfies EngineEvent[])
    foldRunView(view, e);
  const s = progressSnapshot(view, true);
  assert.equal(s.state, 'running');
  assert.deepEqual([s.done, s.failed, s.total], [1, 1, 3]);
  assert.deepEqual(
    s.phases.map((p) => [p.done, p.failed, p.total]),
    [
      [1, 0, 2],
      [0, 1, 1],
    ],
  );
  assert.deepEqual(s.workers, [
    {
      workerId: 'w1',
      role: 'code-writer',
      taskId: 'T002',
      activity: 'starting',
      command: '/spec-kit:implement /implement',
    },
  ]);
  assert.equal(s.pendingEdits, 1);
  assert.equal(s.budgetUsd, 5);
  assert.equal(statusBarText(s), 'Orchestra 1/3 · 1 worker');
});

test('finished runs carry their outcome; log lines name task ids', () => {
  const view = foldRunView(foldRunView(emptyRunView(), started), {
    type: 'run-finished',
    outcome: 'completed',
    message: 'all done',
    at,
  });
  const s = progressSnapshot(view, false);
  assert.equal(s.state, 'finished');
  assert.equal(s.outcome, 'completed');
  const line = logEntryOf(
    { type: 'proposal-applied', proposalId: 'p', taskKey: 'T002', path: 'a.js', kind: 'create', at },
    (k) => `#${k}`,
  );
  assert.equal(line?.text, 'Wrote a.js (create) for #T002');
  assert.equal(
    logEntryOf(
      {
        type: 'usage',
        totals: {
          inputTokens: 0,
          outputTokens: 0,
          cacheCreationInputTokens: 0,
          cacheCreation1hInputTokens: 0,
          cacheReadInputTokens: 0,
          costUsd: 0,
          estimated: false,
        },
        byRole: {},
        at,
      },
      String,
    ),
    undefined,
  );
});

test('a worker whose task waits for review reads "waiting for approval"', () => {
  const view = emptyRunView();
  for (const e of [
    started,
    { type: 'worker-started', workerId: 'w1', role: 'code-writer', taskKey: 'T002', model: 'm', at },
    { type: 'worker-activity', workerId: 'w1', activity: 'running propose_edit', at },
  ] satisfies EngineEvent[])
    foldRunView(view, e);
  assert.equal(progressSnapshot(view, true).workers[0]?.activity, 'running propose_edit');
  foldRunView(view, { type: 'task-status', taskKey: 'T002', status: 'awaiting-approval', at });
  assert.equal(progressSnapshot(view, true).workers[0]?.activity, 'waiting for approval');
});

test('the validation verdicts and the outcome in words reach the panel', () => {
  const view = emptyRunView();
  const report = {
    featureId: '001-todo',
    rounds: 1,
    maxRounds: 1,
    requirements: [
      {
        id: 'FR-001',
        kind: 'requirement',
        text: 'create',
        verdict: 'met',
        tasks: ['T001'],
        files: [],
        tests: [],
        evidence: 'ok',
      },
      {
        id: 'FR-002',
        kind: 'requirement',
        text: 'list',
        verdict: 'missing',
        tasks: [],
        files: [],
        tests: [],
        evidence: 'no list',
      },
      {
        id: 'US1',
        kind: 'user-story',
        text: 'todos',
        verdict: 'unverified',
        tasks: [],
        files: [],
        tests: [],
        evidence: 'not judged',
      },
    ],
    reviews: [],
    tests: { outcome: 'passed', runs: 1, summary: 'the tests pass' },
  } satisfies Extract<EngineEvent, { type: 'validation-report' }>['report'];
  for (const e of [
    started,
    { type: 'validation-report', report, at },
    { type: 'run-finished', outcome: 'budget-exceeded', message: 'stopped', at },
  ] satisfies EngineEvent[])
    foldRunView(view, e);
  const s = progressSnapshot(view, false);
  assert.deepEqual(s.validation, {
    summary: '3 requirements: 1 met, 1 missing, 1 unverified · tests pass',
    failing: true,
    open: [
      { id: 'FR-002', verdict: 'missing', evidence: 'no list' },
      { id: 'US1', verdict: 'unverified', evidence: 'not judged' },
    ],
  });
  assert.equal(s.outcomeText, 'Run stopped at its budget');
  assert.equal(
    logEntryOf({ type: 'validation-report', report, at }, (k) => k)?.text,
    'Validation: 3 requirements: 1 met, 1 missing, 1 unverified · tests pass',
  );
});

test('after a rollback the panel says so, and the undone tasks count as done no more', () => {
  const finishedRun = (): ReturnType<typeof emptyRunView> => {
    const view = emptyRunView();
    for (const e of [
      started,
      { type: 'task-status', taskKey: 'T001', status: 'done', at },
      { type: 'task-status', taskKey: 'T002', status: 'done', at },
      { type: 'task-status', taskKey: 'T003', status: 'failed', at },
      { type: 'proposal-applied', proposalId: 'p', taskKey: 'T003', path: 'c.js', kind: 'create', at },
      { type: 'run-finished', outcome: 'failed', message: '2/3 tasks done', at },
    ] satisfies EngineEvent[])
      foldRunView(view, e);
    return view;
  };
  const oneTask = foldRollback(finishedRun(), {
    taskKey: 'T002',
    untickedIds: ['T002'],
    restored: 1,
    deleted: 0,
    skipped: 0,
    at,
  });
  const partly = progressSnapshot(oneTask, false);
  assert.equal(partly.outcomeText, 'Run failed · T002 rolled back');
  assert.equal(partly.message, '1 restored, 0 deleted');
  assert.equal(partly.done, 1);
  assert.deepEqual(oneTask.rolledBack?.taskKeys, ['T002']);

  // The whole run, after that: every task it finished or wrote a file for, the earlier rollback's counts included.
  const whole = progressSnapshot(
    foldRollback(oneTask, { untickedIds: ['T001'], restored: 0, deleted: 3, skipped: 1, at }),
    false,
  );
  assert.equal(whole.outcomeText, 'Run rolled back');
  assert.equal(whole.message, '1 restored, 3 deleted, 1 left as you edited it');
  assert.equal(whole.done, 0);
  assert.equal(whole.failed, 0, 'the failed task wrote a file, which the rollback took back');
  assert.deepEqual(
    whole.phases.map((p) => p.done),
    [0, 0],
  );

  // A new run of the window starts from a clean picture.
  const again = foldRunView(
    foldRollback(finishedRun(), { untickedIds: [], restored: 0, deleted: 1, skipped: 0, at }),
    started,
  );
  assert.equal(again.rolledBack, undefined);
  assert.equal(progressSnapshot(again, true).outcomeText, undefined);
});
