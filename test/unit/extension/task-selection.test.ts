import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlannedTask } from '../../../src/core/engine';
import { describeUnfinishedDependencies, unfinishedDependencies } from '../../../src/extension/task-selection';

function planned(id: string, status: PlannedTask['status'], dependsOn: string[] = []): PlannedTask {
  return {
    key: id,
    id,
    description: id,
    phaseIndex: 0,
    line: 1,
    files: [],
    dependsOn,
    parallel: false,
    status,
    role: 'code-writer',
    roleReason: 'default',
    commands: ['spec-kit:implement', 'implement'],
    isTest: false,
    alreadyDone: status !== 'pending',
  };
}

test('a selected task names the dependencies that are neither done nor selected', () => {
  // As the planner hands it over with onlyTasks: T003 selected; T001 done; T002 left out (skipped).
  const plan = {
    tasks: [
      planned('T001', 'done'),
      planned('T002', 'skipped'),
      planned('T003', 'pending', ['T001', 'T002']),
      planned('T004', 'skipped', ['T002']),
    ],
  };
  assert.deepEqual(unfinishedDependencies(plan, ['T003']), [{ taskId: 'T003', missing: ['T002'] }]);
  assert.deepEqual(unfinishedDependencies(plan, ['T002', 'T003']), [], 'a selected dependency runs with it');
  assert.deepEqual(
    unfinishedDependencies({ tasks: [planned('T001', 'done'), planned('T003', 'pending', ['T001'])] }, ['T003']),
    [],
  );
});

test('the report is one sentence, or nothing when nothing is missing', () => {
  assert.equal(describeUnfinishedDependencies([], 1), undefined);
  assert.equal(
    describeUnfinishedDependencies([{ taskId: 'T007', missing: ['T006'] }], 1),
    'T007 depends on T006, not done yet. Only the selected task runs; run the dependencies (or their phase) first if the work needs them.',
  );
  assert.match(
    describeUnfinishedDependencies(
      [
        { taskId: 'T3', missing: ['T1', 'T2'] },
        { taskId: 'T4', missing: ['T1'] },
      ],
      2,
    ) ?? '',
    /^T3 depends on T1, T2; T4 depends on T1, not done yet\. Only the selected tasks run;/,
  );
});
