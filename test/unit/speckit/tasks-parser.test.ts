import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTasks } from '../../../src/core/speckit/tasks-parser';
import { taskCheckboxRange, taskFileRange, taskIdRange, taskRange } from '../../../src/core/speckit/task-ranges';
import type { TasksDocument } from '../../../src/core/speckit/tasks-model';
import { countTaskCheckboxLines, ownFixture, ownFixtureNames, textAt } from './tasks-fixture-helpers';

function task(doc: TasksDocument, key: string) {
  const found = doc.tasks.find((t) => t.key === key);
  assert.ok(found, `task ${key} exists`);
  return found;
}

function codes(doc: TasksDocument): string[] {
  return doc.diagnostics.map((d) => d.code);
}

test('parses a template-style task line with markers, story and path', () => {
  const doc = parseTasks(
    '# Tasks: X\n\n## Phase 1: Setup\n\n- [ ] T012 [P] [US1] Create model in src/models/user.ts\n',
  );
  assert.equal(doc.title, 'Tasks: X');
  const t = task(doc, 'T012');
  assert.equal(t.parallel, true);
  assert.equal(t.story, 'US1');
  assert.deepEqual(t.labels, ['P', 'US1']);
  assert.deepEqual(t.files, ['src/models/user.ts']);
  assert.equal(t.description, 'Create model in src/models/user.ts');
  assert.equal(t.lineText, 'T012 [P] [US1] Create model in src/models/user.ts');
  assert.equal(t.phaseIndex, 0);
  assert.deepEqual(taskIdRange(t), { start: { line: 4, character: 6 }, end: { line: 4, character: 10 } });
  assert.deepEqual(taskCheckboxRange(t), { start: { line: 4, character: 2 }, end: { line: 4, character: 5 } });
  assert.equal(doc.text.slice(t.checkbox.offset, t.checkbox.offset + 1), ' ');
  assert.equal(doc.phases[0]?.number, '1');
  assert.equal(doc.phases[0]?.title, 'Setup');
});

test('user-story template: phases, properties, sub-sections, sections, statements, fenced examples', () => {
  const doc = parseTasks(ownFixture('template-user-stories.md'));
  assert.equal(doc.tasks.length, 18, 'the fenced Parallel Example copies are not tasks');
  assert.deepEqual(
    doc.phases.map((p) => [p.number, p.story, p.priority, p.mvp]),
    [
      ['1', undefined, undefined, false],
      ['2', undefined, undefined, false],
      ['3', 'US1', 'P1', true],
      ['4', 'US2', 'P2', false],
      ['5', undefined, undefined, false],
    ],
  );
  const us1 = doc.phases[2];
  assert.ok(us1);
  assert.equal(us1.goal, 'A user can create an album and see it listed');
  assert.equal(us1.independentTest, 'Create an album through the API and list it');
  assert.equal(us1.checkpoint, 'User Story 1 fully functional and testable independently');
  assert.equal(doc.phases[0]?.purpose, 'Project initialization and basic structure');
  assert.deepEqual(
    us1.subsections.map((s) => s.kind),
    ['tests', 'implementation'],
  );
  assert.deepEqual(us1.taskKeys, ['T008', 'T009', 'T010', 'T011', 'T012', 'T013']);
  assert.deepEqual(
    doc.sections.map((s) => s.kind),
    ['other', 'dependencies', 'parallel-example', 'strategy', 'notes'],
  );
  assert.equal(task(doc, 'T008').isTest, true);
  assert.equal(task(doc, 'T010').isTest, false);
  assert.deepEqual(task(doc, 'T012').dependsOn, ['T010', 'T011']);
  assert.deepEqual(task(doc, 'T016').dependsOn, ['T013']);
  assert.deepEqual(task(doc, 'T013').files, ['src/api/albums.ts']);
  assert.equal(task(doc, 'T001').done, true);
  assert.equal(task(doc, 'T002').checkbox.mark, 'x');
  assert.equal(doc.dependencyStatements.length, 2);
  const [testsFirst, blocks] = doc.dependencyStatements;
  assert.deepEqual(
    testsFirst?.before.map((r) => r.kind),
    ['range'],
  );
  assert.deepEqual(blocks?.before, [
    { kind: 'id', id: 'T013', range: { start: { line: 91, character: 2 }, end: { line: 91, character: 6 } } },
  ]);
  assert.deepEqual(codes(doc), []);
});

test('numbered-phase template: 3.1 phases, tests first, dependency prose, both fence kinds, checklist', () => {
  const doc = parseTasks(ownFixture('template-numbered-phases.md'));
  assert.deepEqual(
    doc.phases.map((p) => p.number),
    ['3.1', '3.2', '3.3', '3.4'],
  );
  assert.equal(doc.tasks.length, 12);
  assert.ok(!doc.tasks.some((t) => t.id === 'T999'));
  assert.equal(doc.nonTaskCheckboxes.length, 3);
  assert.ok(doc.nonTaskCheckboxes.every((c) => c.reason === 'no-id'));
  assert.deepEqual(
    doc.diagnostics.map((d) => [d.code, d.severity]),
    [
      ['checkbox-without-id', 'information'],
      ['checkbox-without-id', 'information'],
      ['checkbox-without-id', 'information'],
    ],
  );
  assert.equal(
    doc.dependencyStatements.length,
    3,
    '"Implementation before polish (T011-T012)" has ids on one side only',
  );
  assert.ok(task(doc, 'T004').isTest);
});

test('messy file: every variant seen in the wild', () => {
  const doc = parseTasks(ownFixture('messy.md'));
  assert.equal(doc.title, 'Tasks: Messy But Real 🚀');
  assert.deepEqual(
    doc.phases.map((p) => p.number),
    ['1', 'A', '2'],
  );
  const t2 = task(doc, 'T002');
  assert.equal(t2.parallel, true, 'bold id with the marker inside the bold');
  assert.equal(t2.description, 'Define enums in `src/models/enums.rs`');
  assert.deepEqual(
    t2.files,
    ['src/models/enums.rs', 'src/models/mod.rs'],
    'files from the task line and its Files: detail',
  );
  assert.deepEqual(t2.dependsOn, ['T001'], '**Dependencies**: detail');
  assert.equal(t2.details.length, 5);
  assert.equal(t2.lastLine, t2.line + 5, 'indented sub-bullets belong to the task');
  assert.equal(task(doc, 'T003').checkbox.mark, 'x');
  assert.equal(task(doc, 'T005').description, 'Ordered-list task in src/numbered.ts');
  const t11 = task(doc, 'T011');
  assert.deepEqual(t11.details, ['Continuation paragraph for T011 after a blank line.']);
  assert.deepEqual(t11.dependsOn, ['T010']);
  assert.equal(task(doc, 'T011#2').description, 'Duplicate id task in src/dup.ts');
  assert.ok(task(doc, 'T046B'));
  assert.equal(task(doc, 'T000').phaseIndex, undefined);
  assert.deepEqual(task(doc, 'T020').files, ['emoji/路径/文件.ts']);
  assert.deepEqual(
    doc.nonTaskCheckboxes.map((c) => c.reason),
    ['sub-item', 'no-id', 'no-id', 'table-row'],
  );
  const byCode = (code: string) => doc.diagnostics.filter((d) => d.code === code);
  assert.equal(byCode('task-outside-phase').length, 1);
  assert.equal(byCode('task-outside-phase')[0]?.severity, 'information', 'a task outside any phase is valid: a note');
  assert.equal(byCode('duplicate-task-id').length, 1);
  assert.equal(byCode('duplicate-task-id')[0]?.taskKey, 'T011#2');
  assert.equal(byCode('malformed-checkbox').length, 3);
  assert.deepEqual(
    byCode('checkbox-without-id').map((d) => d.severity),
    ['information', 'warning'],
  );
  assert.deepEqual(byCode('path-outside-workspace'), [], 'the parser alone cannot judge paths: the disk decides');
  assert.equal(textAt(doc, byCode('parallel-same-file')[0]?.range ?? taskIdRange(t2)), 'src/models/enums.rs');
  assert.equal(byCode('parallel-same-file').length, 1);
  assert.equal(byCode('unknown-dependency').length, 1);
  assert.equal(byCode('task-without-checkbox').length, 2);
  assert.ok(byCode('task-id-out-of-order').some((d) => d.message.startsWith('T046A')));
  assert.equal(byCode('malformed-checkbox')[0]?.range.start.line, 38);
});

test('CRLF and BOM: positions ignore the BOM, offsets index the string, EOL is detected', () => {
  const text = ownFixture('crlf-bom.md');
  assert.equal(text.charCodeAt(0), 0xfeff);
  const doc = parseTasks(text);
  assert.equal(doc.hasBom, true);
  assert.equal(doc.eol, '\r\n');
  assert.equal(doc.title, 'Tasks: CRLF and BOM');
  assert.equal(doc.tasks.length, 4);
  const t1 = task(doc, 'T001');
  assert.equal(t1.lineText, 'T001 First task in src/one.ts');
  assert.equal(text[t1.checkbox.offset], ' ');
  assert.equal(text[task(doc, 'T002').checkbox.offset], 'x');
  assert.deepEqual(task(doc, 'T003').details, ['- detail line']);
  assert.equal(task(doc, 'T004').done, true);
  assert.ok(!doc.tasks.some((t) => t.description.includes('\r')));
  const bomFirst = parseTasks('\ufeff- [ ] T001 First');
  assert.deepEqual(bomFirst.tasks[0]?.idStart, 6);
  assert.equal(bomFirst.tasks[0]?.checkbox.offset, 4);
});

test('every own fixture: task count matches an independent line scan', () => {
  for (const name of ownFixtureNames()) {
    const text = ownFixture(name);
    assert.equal(parseTasks(text).tasks.length, countTaskCheckboxLines(text), name);
  }
});

test('never throws on odd input', () => {
  const inputs = [
    '',
    '\ufeff',
    '\r\n',
    '```',
    '- [ ] T',
    '- [ ] T1',
    '## Phase',
    '#',
    '| [x] |',
    '- [ ] T001 [P',
    '- [ ] T001 [' + 'x'.repeat(100),
    '~~~\n- [ ] T001 a',
  ];
  for (const input of inputs) {
    const doc = parseTasks(input);
    assert.equal(doc.text, input);
  }
  assert.equal(parseTasks('~~~\n- [ ] T001 a').tasks.length, 0, 'an unclosed fence runs to the end');
});

test('"## Foundational (Blocking Prerequisites)" is a phase, though "blocking" otherwise names a dependencies section', () => {
  const doc = parseTasks(
    [
      '## Setup',
      '- [ ] T001 a',
      '## Foundational (Blocking Prerequisites)',
      '- [ ] T002 b',
      '## Blocking tasks',
      'T002 blocks T003',
    ].join('\n'),
  );
  assert.deepEqual(
    doc.phases.map((p) => p.title),
    ['Setup', 'Foundational (Blocking Prerequisites)'],
  );
  assert.deepEqual(
    doc.sections.map((x) => [x.title, x.kind]),
    [['Blocking tasks', 'dependencies']],
  );
  assert.ok(!codes(doc).includes('task-outside-phase'));
});

test('dependency prose forms', () => {
  const doc = parseTasks(
    [
      '## Phase 1: A',
      '- [ ] T001 One',
      '- [ ] T002 Two (requires T001)',
      '- [ ] T003 Three, blocked by T002',
      '- [ ] T004 Four after T001–T003 are done',
      '- [ ] T005 Five, depends on T001, T002 and T004',
      '',
      '## Dependencies',
      '- T001 → T002 → T003',
      '- T005 needs T004; T003 blocks T004',
      '- All tests (T001-T002) before any implementation (T003+)',
    ].join('\n'),
  );
  assert.deepEqual(
    doc.tasks.map((t) => t.dependsOn),
    [[], ['T001'], ['T002'], ['T001', 'T002', 'T003'], ['T001', 'T002', 'T004']],
  );
  const simple = doc.dependencyStatements.map((s) => [
    s.before.map((r) => (r.kind === 'id' ? r.id : r.kind === 'range' ? `${r.from}-${r.to}` : `${r.from}+`)).join(','),
    s.after.map((r) => (r.kind === 'id' ? r.id : r.kind === 'range' ? `${r.from}-${r.to}` : `${r.from}+`)).join(','),
  ]);
  assert.deepEqual(simple, [
    ['T001', 'T002'],
    ['T002', 'T003'],
    ['T004', 'T005'],
    ['T003', 'T004'],
    ['T001-T002', 'T003+'],
  ]);
});

test('parallel-same-file: any two [P] tasks of one phase naming one file, not only within one [P] run', () => {
  const doc = parseTasks(
    [
      '## Phase 1: A',
      '- [ ] T001 [P] Style in src/styles/globals.css',
      '- [ ] T002 Sequential step in src/setup.ts',
      '- [ ] T003 [P] More style in ./src/styles/globals.css',
      '- [ ] T004 [P] Unrelated in src/other.ts',
      '- [ ] T005 Not parallel in src/styles/globals.css',
      '## Phase 2: B',
      '- [ ] T006 [P] Next phase may touch it again in src/styles/globals.css',
    ].join('\n'),
  );
  const found = doc.diagnostics.filter((d) => d.code === 'parallel-same-file');
  assert.equal(found.length, 1, 'T005 is not [P] and T006 is in another phase');
  const [d] = found;
  assert.equal(d?.taskKey, 'T003', 'the later task carries it');
  assert.deepEqual(
    d?.range,
    { start: { line: 3, character: 29 }, end: { line: 3, character: 53 } },
    'the path as the later task writes it',
  );
  assert.equal(d === undefined ? '' : textAt(doc, d.range), './src/styles/globals.css');
  assert.match(d?.message ?? '', /^T003 and T001 \(line 2\) are both marked \[P\] in this phase/);
});

test('parallel-same-file: a path named on a Files: continuation line is flagged there', () => {
  const doc = parseTasks(
    [
      '## Phase 1: A',
      '- [ ] T001 [P] Style in src/a.css',
      '- [ ] T002 [P] Theme',
      '  - **Files**: src/theme.ts, src/a.css',
    ].join('\n'),
  );
  const [d, ...rest] = doc.diagnostics.filter((x) => x.code === 'parallel-same-file');
  assert.deepEqual(rest, []);
  assert.deepEqual(d?.range, { start: { line: 3, character: 29 }, end: { line: 3, character: 38 } });
  assert.equal(d?.taskKey, 'T002');
});

test('file positions: each path where the task first names it, on its line or a Files: line', () => {
  const lines = [
    '## Phase 1: A',
    '- [ ] T001 [P] 🎯 Edit `src/a.ts`, **src/b.ts**, src/c.ts:12 and `src/a.ts` again',
    '\t- Files: `lib/d.py`, ./e.md',
    '  - Notes: mentions src/ignored.ts outside a Files: line',
    '- [ ] T002 Nothing to touch',
  ];
  const doc = parseTasks(lines.join('\r\n'));
  const [t1, t2] = doc.tasks;
  assert.ok(t1 && t2);
  assert.deepEqual(t1.files, ['src/a.ts', 'src/b.ts', 'src/c.ts', 'lib/d.py', './e.md']);
  assert.deepEqual(
    t1.fileSpans.map((span) => [span.line, span.start, span.end]),
    [
      [1, 24, 32],
      [1, 37, 45],
      [1, 49, 57],
      [2, 11, 19],
      [2, 22, 28],
    ],
  );
  assert.deepEqual(
    t1.files.map((_, k) => textAt(doc, taskFileRange(t1, k))),
    t1.files,
    'UTF-16 characters: the emoji counts two',
  );
  assert.deepEqual(t2.fileSpans, []);
  const wire = JSON.parse(JSON.stringify(t1)) as Record<string, unknown>;
  assert.deepEqual(wire['fileSpans'], t1.fileSpans);
  const bom = parseTasks('\ufeff- [ ] T001 Edit src/x.ts');
  assert.deepEqual(bom.tasks[0]?.fileSpans, [{ line: 0, start: 16, end: 24 }], 'the BOM shifts no character');
});

test('dependency references: where the task text names each id, continuation lines and unknown ids included', () => {
  const doc = parseTasks(
    [
      '## Phase 1: A',
      '- [ ] T001 One',
      '- [ ] T002 Two',
      '- [ ] T003 Three, depends on T001 and T099',
      '  - **Dependencies**: T001-T002',
      '- [ ] T004 Four',
    ].join('\n'),
  );
  const t3 = doc.tasks[2];
  assert.ok(t3);
  assert.deepEqual(t3.dependsOn, ['T001', 'T002']);
  assert.deepEqual(t3.dependencyRefs, [
    { kind: 'id', id: 'T001', range: { start: { line: 3, character: 29 }, end: { line: 3, character: 33 } } },
    { kind: 'id', id: 'T099', range: { start: { line: 3, character: 38 }, end: { line: 3, character: 42 } } },
    {
      kind: 'range',
      from: 'T001',
      to: 'T002',
      range: { start: { line: 4, character: 22 }, end: { line: 4, character: 31 } },
    },
  ]);
  assert.deepEqual(doc.tasks[3]?.dependencyRefs, []);
  const wire = JSON.parse(JSON.stringify(t3)) as Record<string, unknown>;
  assert.deepEqual(wire['dependencyRefs'], t3.dependencyRefs);
});

test('unknown-dependency: on the reference, in a task line, a continuation line or a Dependencies statement', () => {
  const lines = [
    '## Phase 1: A',
    '- [ ] T001 One, depends on T099',
    '- [ ] T002 Two',
    '  - after T050-T060',
    '',
    '## Dependencies',
    '- T001 blocks T077',
  ];
  const doc = parseTasks(lines.join('\n'));
  const unknown = doc.diagnostics.filter((d) => d.code === 'unknown-dependency');
  assert.deepEqual(
    unknown.map((d) => ({ range: d.range, taskKey: d.taskKey })),
    [
      { range: { start: { line: 1, character: 27 }, end: { line: 1, character: 31 } }, taskKey: 'T001' },
      { range: { start: { line: 3, character: 10 }, end: { line: 3, character: 19 } }, taskKey: 'T002' },
      { range: { start: { line: 6, character: 14 }, end: { line: 6, character: 18 } }, taskKey: undefined },
    ],
  );
  assert.deepEqual(
    unknown.map((d) => textAt(doc, d.range)),
    ['T099', 'T050-T060', 'T077'],
  );
  assert.match(unknown[1]?.message ?? '', /T050-T060, but no task falls in that range/);
});

test('tasks are plain data: positions survive a spread and JSON, absent optional fields stay absent', () => {
  const text = '## Phase 1: A\n\n  - [x] T001 [P] First in src/a.ts\n    - detail one\n\n- [ ] T002 Second\n';
  const doc = parseTasks(text);
  const [t1, t2] = doc.tasks;
  assert.ok(t1 && t2);
  assert.deepEqual(taskRange(t1), { start: { line: 2, character: 2 }, end: { line: 3, character: 16 } });
  assert.deepEqual(t1.checkbox, { offset: text.indexOf('[x]') + 1, character: 4, mark: 'x' });
  assert.deepEqual(taskCheckboxRange(t1), { start: { line: 2, character: 4 }, end: { line: 2, character: 7 } });
  assert.equal(text.slice(t1.startOffset, t1.endOffset), '- [x] T001 [P] First in src/a.ts\n    - detail one');
  const copy = { ...t1 };
  assert.deepEqual(copy, t1, 'a spread copies every field, positions included');
  assert.deepEqual(taskIdRange(copy), taskIdRange(t1));
  const wire = JSON.parse(JSON.stringify(t1)) as Record<string, unknown>;
  assert.deepEqual(wire, copy);
  assert.deepEqual(
    [wire['line'], wire['startCharacter'], wire['lastLine'], wire['endCharacter']],
    [2, 2, 3, 16],
    "the task's positions travel as plain numbers",
  );
  assert.deepEqual([wire['idStart'], wire['idEnd']], [8, 12]);
  assert.deepEqual(wire['checkbox'], t1.checkbox);
  assert.deepEqual(wire['labels'], ['P']);
  assert.equal('story' in wire, false, 'absent optional fields stay absent');
  assert.equal('story' in t2, false);
  assert.deepEqual(t2.details, []);
  assert.deepEqual(t2.files, []);
});
