import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineEvent } from '../../../src/protocol/engine-events';
import { TaskRunNotes } from '../../../src/extension/trees/task-run-notes';

const at = '2026-12-04T00:00:00.000Z';

function fold(events: EngineEvent[]): TaskRunNotes {
  const notes = new TaskRunNotes();
  for (const event of events) notes.note(event);
  return notes;
}

const started = (workerId: string, taskKey: string): EngineEvent => ({
  type: 'worker-started',
  workerId,
  role: 'code-writer',
  taskKey,
  model: 'claude-haiku-5-5',
  at,
});

test('a done task keeps its worker summary, not the last tool call it made', { timeout: 5_000 }, () => {
  const notes = fold([
    started('w1', 'T001'),
    { type: 'worker-activity', workerId: 'w1', activity: 'running complete_task', at },
    {
      type: 'worker-finished',
      workerId: 'w1',
      outcome: 'done',
      summary: 'Created src/index.js with the CLI entry',
      at,
    },
    { type: 'task-status', taskKey: 'T001', status: 'done', at },
  ]);
  assert.equal(notes.lastMessageOf('T001'), 'Created src/index.js with the CLI entry');
  assert.equal(notes.roleOf('T001'), 'code-writer');
});

test('a running task shows its worker activity; a failed one its reason', { timeout: 5_000 }, () => {
  const notes = fold([
    started('w1', 'T001'),
    started('w2', 'T002'),
    { type: 'worker-activity', workerId: 'w1', activity: 'running read_file', at },
    { type: 'worker-activity', workerId: 'w2', activity: 'thinking', at },
    { type: 'worker-finished', workerId: 'w2', outcome: 'failed', summary: 'the test command failed twice', at },
    { type: 'task-status', taskKey: 'T002', status: 'failed', message: 'the worker gave up: tests fail', at },
  ]);
  assert.equal(notes.lastMessageOf('T001'), 'running read_file');
  assert.equal(notes.lastMessageOf('T002'), 'the worker gave up: tests fail');
});

test(
  "a finished worker's later activity and an unknown worker's are not pinned on any task",
  { timeout: 5_000 },
  () => {
    const notes = fold([
      started('w1', 'T001'),
      { type: 'worker-finished', workerId: 'w1', outcome: 'done', summary: 'done it', at },
      { type: 'worker-activity', workerId: 'w1', activity: 'thinking', at },
      { type: 'worker-activity', workerId: 'w9', activity: 'thinking', at },
    ]);
    assert.equal(notes.lastMessageOf('T001'), 'done it');
    notes.clear();
    assert.equal(notes.lastMessageOf('T001'), undefined);
    assert.equal(notes.roleOf('T001'), undefined);
  },
);
