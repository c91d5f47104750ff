import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTasks } from '../../../src/core/speckit/tasks-parser';
import { nextFreeTaskId, numberBefore, taskIdAt } from '../../../src/server/task-ids';

test('taskIdAt finds the id under the cursor, also just after it, and nothing inside words', () => {
  const line = '- [ ] T009 Sign-in form (depends on T012, T046B)';
  assert.deepEqual(taskIdAt(line, 37), { id: 'T012', start: 36, end: 40 });
  assert.deepEqual(taskIdAt(line, 40), { id: 'T012', start: 36, end: 40 });
  assert.deepEqual(taskIdAt(line, 44), { id: 'T046B', start: 42, end: 47 });
  assert.equal(taskIdAt(line, 20), undefined);
  assert.equal(taskIdAt('see XT012 or T12345678', 6), undefined);
});

test('nextFreeTaskId skips used numbers and keeps the document padding', () => {
  const tasks = parseTasks('## Phase 1: A\n\n- [ ] T001 a\n- [ ] T002 b\n- [ ] T004 c\n- [ ] T004A d\n').tasks;
  assert.equal(nextFreeTaskId(tasks, 1), 'T003');
  assert.equal(nextFreeTaskId(tasks, 3), 'T005');
  assert.equal(nextFreeTaskId([], 0), 'T001');
  const wide = parseTasks('## Phase 1: A\n\n- [ ] T0001 a\n').tasks;
  assert.equal(nextFreeTaskId(wide, 1), 'T0002');
});

test('numberBefore is the number of the last task above a line', () => {
  const tasks = parseTasks('## Phase 1: A\n\n- [ ] T001 a\n- [ ] T007 b\n\n- [ ] T003 c\n').tasks;
  assert.equal(numberBefore(tasks, 0), 0);
  assert.equal(numberBefore(tasks, 4), 7);
  assert.equal(numberBefore(tasks, 99), 3);
});

test('taskIdAt reads dotted and lettered ids whole, and no id inside a file name', () => {
  const line = '- [ ] T110 Wire it (depends on T109.10, T046b; see T012.md)';
  assert.deepEqual(taskIdAt(line, 33), { id: 'T109.10', start: 31, end: 38 });
  assert.deepEqual(taskIdAt(line, 42), { id: 'T046b', start: 40, end: 45 });
  assert.equal(taskIdAt(line, 53), undefined);
});
