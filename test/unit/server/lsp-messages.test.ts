import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseRunPhaseArgs,
  parseRunTaskArgs,
  parseTaskStatusParams,
  TaskStatusStore,
} from '../../../src/protocol/lsp-messages';

test('command arguments are read from unknown values, and refused when malformed', () => {
  assert.deepEqual(parseRunTaskArgs({ uri: 'file:///t.md', taskId: 'T001', extra: 1 }), {
    uri: 'file:///t.md',
    taskId: 'T001',
  });
  assert.deepEqual(parseRunTaskArgs({ uri: 'file:///t.md', taskId: 'T001', rerun: true }), {
    uri: 'file:///t.md',
    taskId: 'T001',
    rerun: true,
  });
  assert.deepEqual(parseRunTaskArgs({ uri: 'file:///t.md', taskId: 'T001', rerun: 'yes' }), {
    uri: 'file:///t.md',
    taskId: 'T001',
  });
  assert.equal(parseRunTaskArgs({ uri: 'file:///t.md' }), undefined);
  assert.equal(parseRunTaskArgs('T001'), undefined);
  assert.deepEqual(parseRunPhaseArgs({ uri: 'u', phaseIndex: 2, phaseTitle: 'Setup' }), {
    uri: 'u',
    phaseIndex: 2,
    phaseTitle: 'Setup',
  });
  assert.equal(parseRunPhaseArgs({ uri: 'u', phaseIndex: 1.5, phaseTitle: 'Setup' }), undefined);
});

test('task status notifications keep the entries they can read and drop the rest', () => {
  const parsed = parseTaskStatusParams({
    uri: 'u',
    runId: 'r',
    tasks: [
      { taskId: 'T001', status: 'done', workerId: 'w1', role: 'code-writer', at: 'now' },
      { taskId: 'T002', status: 'exploded', at: 'now' },
      { taskId: 'T003', status: 'failed', role: 'astronaut', message: 'tests red', at: 'now' },
      null,
    ],
  });
  assert.deepEqual(parsed, {
    uri: 'u',
    runId: 'r',
    tasks: [
      { taskId: 'T001', status: 'done', workerId: 'w1', role: 'code-writer', at: 'now' },
      { taskId: 'T003', status: 'failed', message: 'tests red', at: 'now' },
    ],
  });
  assert.equal(parseTaskStatusParams({ uri: 'u', tasks: [] }), undefined);
});

test('the status store keeps the latest status per task, and a new run replaces the old picture', () => {
  const store = new TaskStatusStore();
  store.update({
    uri: 'a',
    runId: 'r1',
    tasks: [
      { taskId: 'T001', status: 'running', at: '1' },
      { taskId: 'T002', status: 'pending', at: '1' },
    ],
  });
  store.update({ uri: 'a', runId: 'r1', tasks: [{ taskId: 'T001', status: 'done', workerId: 'w1', at: '2' }] });
  assert.equal(store.get('a', 'T001')?.status, 'done');
  assert.equal(store.get('a', 'T002')?.status, 'pending');
  assert.deepEqual(store.snapshot(), [
    {
      uri: 'a',
      runId: 'r1',
      tasks: [
        { taskId: 'T001', status: 'done', workerId: 'w1', at: '2' },
        { taskId: 'T002', status: 'pending', at: '1' },
      ],
    },
  ]);
  store.update({ uri: 'a', runId: 'r2', tasks: [{ taskId: 'T003', status: 'failed', at: '3' }] });
  assert.equal(store.get('a', 'T001'), undefined, 'statuses of the previous run are gone');
  store.clear('a');
  assert.deepEqual(store.snapshot(), []);
});
