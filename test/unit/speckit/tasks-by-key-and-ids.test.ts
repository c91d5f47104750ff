import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTasks } from '../../../src/core/speckit/tasks-parser';
import { TaskIdIndex, taskIdIndexOf } from '../../../src/core/speckit/task-ids';
import { tasksByKey } from '../../../src/core/speckit/tasks-by-key';

function tasksFile(ids: readonly string[]): string {
  return ['# Tasks', '', '## Phase 1: Setup', '', ...ids.map((id) => `- [ ] ${id} Do ${id}`), ''].join('\n');
}

test('tasks by key: every task of a document of more than 4,096 tasks is found by its key, duplicates by theirs', () => {
  const ids = Array.from({ length: 9000 }, (_, k) => `T${String(k + 1).padStart(5, '0')}`);
  const doc = parseTasks(tasksFile([...ids, 'T00007', 'T08999']));
  const byKey = tasksByKey(doc);
  for (const task of doc.tasks) assert.equal(byKey.get(task.key), task);
  assert.equal(byKey.get('T00007')?.index, 6);
  assert.equal(byKey.get('T00007#2')?.index, 9000);
  assert.equal(byKey.get('T08999#2')?.index, 9001);
  assert.equal(byKey.get('T09001'), undefined);
});

test('tasks by key: a document built by hand gets a lookup of its own, the last task of a key winning', () => {
  const parsed = parseTasks(tasksFile(['T001', 'T002']));
  const [first, second] = parsed.tasks;
  assert.ok(first !== undefined && second !== undefined);
  const byHand = { ...parsed, tasks: [first, { ...second, key: 'T001' }] };
  assert.equal(tasksByKey(byHand).get('T001')?.id, 'T002');
  assert.equal(tasksByKey(byHand).get('T002'), undefined);
});

test("a document's id index: ranges, order and membership as an index of the same ids built on its own", () => {
  // Out of id order, sub-tasks, a letter, a duplicate: the index sorts what the document does not.
  const ids = ['T010', 'T002', 'T109.14', 'T109', 'T109.1', 'T046B', 'T046', 'T002', 'T500'];
  const doc = parseTasks(tasksFile(ids));
  const ofDocument = taskIdIndexOf(doc.tasks, tasksByKey(doc));
  const onItsOwn = TaskIdIndex.of(ids);
  for (const target of [
    { kind: 'range', from: 'T001', to: 'T200' },
    { kind: 'range', from: 'T046', to: 'T109.1' },
    { kind: 'open-range', from: 'T109.2' },
    { kind: 'id', id: 'T002' },
    { kind: 'id', id: 'T003' },
  ] as const)
    assert.deepEqual(ofDocument.expand(target), onItsOwn.expand(target), JSON.stringify(target));
  assert.deepEqual(ofDocument.expand({ kind: 'open-range', from: 'T001' }), [
    'T002',
    'T010',
    'T046',
    'T046B',
    'T109',
    'T109.1',
    'T109.14',
    'T500',
  ]);
  assert.equal(ofDocument.has('T002#2'), false);
  assert.equal(ofDocument.has('T109.1'), true);
  assert.ok(ofDocument.compare('T109.14', 'T109.2') > 0);
  assert.equal(taskIdIndexOf(doc.tasks, tasksByKey(doc)), ofDocument, 'built once per document');
});
