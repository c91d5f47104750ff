import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTasks } from '../../../src/core/speckit/tasks-parser';
import { buildTaskGraph } from '../../../src/core/graph/task-graph';
import { countTaskCheckboxLines, realFixturesDir, realTaskFixtureNames } from './tasks-fixture-helpers';

const names = realTaskFixtureNames();

test('real-world tasks.md files: no crash, task count equals the task-id checkbox lines outside fences, no false cycles', (t) => {
  if (names === undefined) {
    t.skip('../shared/fixtures/real-tasks is not present');
    return;
  }
  assert.ok(names.length > 0);
  for (const name of names) {
    const text = readFileSync(path.join(realFixturesDir, name), 'utf8');
    const doc = parseTasks(text);
    assert.equal(doc.text, text, name);
    assert.equal(doc.tasks.length, countTaskCheckboxLines(text), name);
    const graph = buildTaskGraph(doc);
    assert.deepEqual(graph.cycles, [], name);
    assert.equal(graph.topologicalOrder().length, doc.tasks.length, name);
    for (const task of doc.tasks) {
      const line = text.split('\n')[task.line] ?? '';
      assert.ok(line.includes(task.id), `${name}: ${task.key} on its line`);
    }
  }
});

test('real-world files: the structures they are known for', (t) => {
  if (names === undefined) {
    t.skip('../shared/fixtures/real-tasks is not present');
    return;
  }
  const read = (name: string) => parseTasks(readFileSync(path.join(realFixturesDir, name), 'utf8'));
  const modules = read('wildcard__cmdai__002-implement-tdd-green.tasks.md');
  assert.ok(modules.phases.some((p) => p.number === 'A' && p.title.startsWith('Core Models')));
  assert.equal(modules.tasks.find((x) => x.id === 'T001')?.parallel, true, '**T001 [P]** bold id with marker');
  const suffixed = read('GutMutCode__spec-life__001-.tasks.md');
  assert.ok(suffixed.tasks.some((x) => x.id === 'T046B'));
  const legacy = read('wildcard__cmdai__001-create-a-comprehensive.tasks.md');
  assert.deepEqual(
    legacy.phases.slice(0, 2).map((p) => p.number),
    ['3.1', '3.2'],
  );
  assert.ok(legacy.dependencyStatements.length > 0);
  const headingTasks = read('rolandzwaga__eligian__010-asset-loading-validation.tasks.md');
  assert.equal(headingTasks.tasks.length, 0);
  assert.ok(
    headingTasks.diagnostics.some((d) => d.code === 'task-without-checkbox'),
    'heading tasks are reported, not dropped',
  );
  const checklist = read('MoosaAfzal2__ai-native-hackathon-2__2-enhance-rich-ui.tasks.md');
  assert.equal(checklist.nonTaskCheckboxes.length, 220);
});
