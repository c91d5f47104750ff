// What authors of real tasks.md files mean, and the parser must read so: only explicit statements order
// tasks, file names survive Markdown, links to documents are references, a UTF-16 file is named as such.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTasks } from '../../../src/core/speckit/tasks-parser';
import { taskFileRange } from '../../../src/core/speckit/task-ranges';
import type { TaskIdRef, TasksDocument } from '../../../src/core/speckit/tasks-model';
import { textAt } from './tasks-fixture-helpers';

function task(doc: TasksDocument, key: string) {
  const found = doc.tasks.find((t) => t.key === key);
  assert.ok(found, `task ${key} exists`);
  return found;
}

function refText(ref: TaskIdRef): string {
  return ref.kind === 'id' ? ref.id : ref.kind === 'range' ? `${ref.from}-${ref.to}` : `${ref.from}+`;
}

function statements(doc: TasksDocument): string[] {
  return doc.dependencyStatements.map((s) => `${s.before.map(refText).join(',')} < ${s.after.map(refText).join(',')}`);
}

test('checklist items are not dependency prose, however many arrows they hold', () => {
  const doc = parseTasks(
    [
      '## Phase 1: A',
      '- [ ] T019 One',
      '- [ ] T020 Two',
      '## Validation Checklist',
      '- [ ] OpenRouterProvider (T020) → T019-T027 consumers wired',
      '- [x] Wiring verified: T020 → T019',
      '- [ ] T021 Parse → T019 model',
    ].join('\n'),
  );
  assert.deepEqual(statements(doc), []);
  assert.deepEqual(
    doc.tasks.map((t) => t.dependsOn),
    [[], [], []],
  );
});

test('tasks said to run in parallel are not ordered with each other; a self-contradicting clause is a note', () => {
  const lines = [
    '## Phase 1: A',
    '- [ ] T259 a',
    '- [ ] T260 b',
    '- [ ] T261 c',
    '- [ ] T262 d',
    '- [ ] T265 e',
    '## Dependencies',
    '- T261, T262 (tests) can run in parallel after T259-T260 complete',
    '- T265 needs T259 and can be done in parallel with T261-T262',
    '- T261-T262, T265 → T260 can run in parallel',
    '- T262 depends on T261',
  ];
  const doc = parseTasks(lines.join('\n'));
  assert.deepEqual(statements(doc), ['T259-T260 < T261,T262', 'T259 < T265', 'T261 < T262']);
  const notes = doc.diagnostics.filter((d) => d.code === 'unclear-dependency');
  assert.deepEqual(
    notes.map((d) => [d.severity, d.range.start.line]),
    [['information', 9]],
  );
  assert.equal(textAt(doc, notes[0]?.range ?? notes[0]!.range), lines[9]);
});

test("a task's own words: the ids right after an ordering word, not every id in its text", () => {
  const doc = parseTasks(
    [
      '## Phase 1: A',
      '- [ ] T001 One',
      '- [ ] T002 Two',
      '- [ ] T003 Refresh the cache after login (see T001 for the session)',
      '- [ ] T004 Four, after completion of T001 and T002 are merged',
      '- [ ] T005 Five, to be done before T003',
      '- [ ] T006 Check that T001 passes before T002 starts',
      '- [ ] T007 Seven, blocks T004, T005',
    ].join('\n'),
  );
  assert.deepEqual(task(doc, 'T003').dependsOn, [], '"after login (see T001)": T001 is not what it waits for');
  assert.deepEqual(task(doc, 'T004').dependsOn, ['T001', 'T002']);
  assert.deepEqual(
    doc.dependencyStatements.map((s) => [s.taskKey, statements({ ...doc, dependencyStatements: [s] })[0]]),
    [
      ['T005', 'T005 < T003'],
      ['T007', 'T007 < T004,T005'],
    ],
    '"T001 passes before T002" speaks of T001, not of T006',
  );
  const own = doc.dependencyStatements[0];
  assert.equal(
    own === undefined ? '' : textAt(doc, own.before[0]?.range ?? own.range),
    'T005',
    'the task names itself by its id',
  );
});

test('file names survive Markdown: code spans are literal, emphasis around a bare path goes', () => {
  const doc = parseTasks(
    [
      '## Phase 1: A',
      '- [ ] T001 Create `src/pkg/__init__.py` and `__main__.py`',
      '- [ ] T002 Create src/app/__init__.py and **src/app/models.py**',
      '- [ ] T003 Fix _src/odd.py_, ~~old/gone.ts~~ and ~/notes.md',
    ].join('\n'),
  );
  assert.deepEqual(task(doc, 'T001').files, ['src/pkg/__init__.py', '__main__.py']);
  assert.deepEqual(task(doc, 'T002').files, ['src/app/__init__.py', 'src/app/models.py']);
  assert.deepEqual(task(doc, 'T003').files, ['src/odd.py', 'old/gone.ts', '~/notes.md']);
  for (const t of doc.tasks)
    assert.deepEqual(
      t.files.map((_, k) => textAt(doc, taskFileRange(t, k))),
      t.files,
      `${t.id}: each range holds its path`,
    );
});

test('a long task line of words and runs of blanks is read in time linear in its length', () => {
  // Words without a path character are skipped whole: were runs of blanks split every possible way, this would hang.
  const words = 'word,  (and)   more '.repeat(5000);
  const start = performance.now();
  const doc = parseTasks(`## Phase 1: A\n- [ ] T001 Do ${words}in src/a.ts ${words}`);
  assert.deepEqual(task(doc, 'T001').files, ['src/a.ts']);
  assert.ok(performance.now() - start < 2000, 'read in well under two seconds');
});

test('links to other documents are references, not files the task works on; a linked path is a file', () => {
  const doc = parseTasks(
    [
      '## Phase 3: User Story 1',
      '- [ ] [T012](tasks/P3-T012.md) [P] [US1] Build the parser in src/parser.ts',
      '- [ ] T013 [P] Wire it, see [the plan](../plan.md) and `contracts/api.yaml` per [T012](tasks/P3-T012.md)',
      '- [ ] T014 [P] Move [src/x.ts](../../src/x.ts) as described in docs/design.md',
      '- [ ] T015 Read [the guide](https://example.com/guide.md) and update [README.md](https://github.com/o/r/README.md)',
    ].join('\n'),
  );
  const t12 = task(doc, 'T012');
  assert.equal(t12.parallel, true);
  assert.equal(t12.story, 'US1');
  assert.equal(t12.description, 'Build the parser in src/parser.ts');
  assert.deepEqual(t12.files, ['src/parser.ts']);
  assert.deepEqual(t12.references, ['tasks/P3-T012.md']);
  assert.deepEqual(task(doc, 'T013').files, ['contracts/api.yaml']);
  assert.deepEqual(task(doc, 'T013').references, ['../plan.md', 'tasks/P3-T012.md']);
  assert.deepEqual(task(doc, 'T014').files, ['../../src/x.ts']);
  assert.deepEqual(task(doc, 'T014').references, ['docs/design.md']);
  assert.deepEqual(task(doc, 'T015').files, ['README.md'], 'a web link to a file names it by its text');
  assert.deepEqual(
    doc.diagnostics.filter((d) => d.code === 'parallel-same-file'),
    [],
  );
  assert.deepEqual(task(doc, 'T013').dependsOn, [], 'an id inside a link destination is no reference');
});

test('a tasks.md saved as UTF-16 and read as UTF-8 is named as such, not read as zero tasks in silence', () => {
  const text = '# Tasks\n\n## Phase 1: A\n\n- [ ] T001 Do it\n';
  for (const [bytes, expected] of [
    [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'UTF-16 LE (with a byte order mark)'],
    [Buffer.from(text, 'utf16le'), 'UTF-16 LE (without a byte order mark)'],
    [Buffer.from(text, 'utf16le').swap16(), 'UTF-16 BE (without a byte order mark)'],
  ] as const) {
    const doc = parseTasks(bytes.toString('utf8'));
    assert.deepEqual(doc.tasks, []);
    assert.deepEqual(
      doc.diagnostics.map((d) => [d.code, d.severity]),
      [['file-encoding', 'error']],
    );
    assert.ok(doc.diagnostics[0]?.message.includes(expected), doc.diagnostics[0]?.message);
  }
  assert.deepEqual(
    parseTasks('# Tasks with a NUL\u0000 in prose\n- [ ] T001 a').tasks.length,
    1,
    'one stray NUL is no encoding',
  );
});
