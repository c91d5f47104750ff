import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTasks } from '../../../src/core/speckit/tasks-parser';

test('parses a template-style task line with markers, story and path', () => {
  const doc = parseTasks('# Tasks: X\n\n## Phase 1: Setup\n\n- [ ] T012 [P] [US1] Create model in src/models/user.ts\n');
  assert.equal(doc.tasks.length, 1);
  const task = doc.tasks[0];
  assert.ok(task);
  assert.equal(task.id, 'T012');
  assert.equal(task.parallel, true);
  assert.equal(task.story, 'US1');
  assert.deepEqual(task.files, ['src/models/user.ts']);
  assert.equal(task.description, 'Create model in src/models/user.ts');
  assert.equal(task.phaseIndex, 0);
  assert.equal(doc.phases[0]?.number, '1');
  assert.equal(doc.phases[0]?.title, 'Setup');
});
