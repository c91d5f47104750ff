import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSpec } from '../../../../src/core/speckit/spec-model';
import { parseTasks } from '../../../../src/core/speckit/tasks-parser';
import { describeUncovered, mapCoverage } from '../../../../src/core/engine/validation/coverage';

const feature = join(__dirname, '..', '..', '..', '..', 'examples', 'todo-api', 'specs', '001-todo-api');

test('the example maps FR and SC ids and story labels to tasks and files, and reports FR-006 uncovered', () => {
  const spec = parseSpec(readFileSync(join(feature, 'spec.md'), 'utf8'), 'spec.md');
  const doc = parseTasks(readFileSync(join(feature, 'tasks.md'), 'utf8'));
  const tasks = doc.tasks.map((t) => ({
    key: t.key,
    text: t.description,
    ...(t.story ? { story: t.story } : {}),
    files: t.files,
    done: t.key !== 'T008',
  }));
  const items = mapCoverage(spec, tasks);
  const byId = new Map(items.map((i) => [i.id, i]));
  assert.deepEqual(byId.get('FR-001')?.taskKeys, ['T004', 'T006']);
  assert.deepEqual(byId.get('FR-001')?.files, ['src/todo-store.js', 'test/todo-store.test.js']);
  assert.equal(byId.get('FR-005')?.covered, false, 'T008 did not finish');
  assert.equal(byId.get('FR-006')?.covered, false);
  assert.equal(byId.get('US1')?.covered, true);
  assert.deepEqual(byId.get('US2')?.taskKeys, ['T005', 'T007']);
  assert.equal(byId.get('SC-001')?.kind, 'success-criterion', 'success criteria are mapped too');
  const lines = describeUncovered(items);
  assert.equal(lines.length, 3);
  assert.match(lines.join('\n'), /SC-001 \(success criterion\) is covered by no task/);
  assert.match(lines.join('\n'), /FR-006 \(requirement\) is covered by no task/);
  assert.match(lines.join('\n'), /FR-005 is covered only by tasks that did not finish \(T008\)/);
});
