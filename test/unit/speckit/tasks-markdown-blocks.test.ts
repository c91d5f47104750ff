// The Markdown around task lines that decides what is a task and where a phase starts: ids that are not ours
// (`TASK-004`), dotted ids, setext headings, HTML comments, `###` phases under a `## Tasks` heading, and the three line endings.
// The writer must agree with the parser on each, so every case also ticks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseTasks } from '../../../src/core/speckit/tasks-parser';
import { taskFileRange, taskIdRange } from '../../../src/core/speckit/task-ranges';
import { setTaskDone, setTaskDoneInBytes, taskRefOf } from '../../../src/core/speckit/tasks-writer';
import type { TasksDocument } from '../../../src/core/speckit/tasks-model';

function ids(doc: TasksDocument): string[] {
  return doc.tasks.map((t) => t.key);
}

function diagnosticsOf(doc: TasksDocument, code: string): [number, string][] {
  return doc.diagnostics.filter((d) => d.code === code).map((d) => [d.range.start.line, d.severity]);
}

test('dotted ids (T109.1) are tasks, sorted after their parent; ranges of them work in prose; the writer ticks them', () => {
  const lines = [
    '## Phase 1: Setup',
    '- [ ] T109 Create the package',
    '  - [ ] T109.1 A sub-task of T109, written under it',
    '- [ ] T109.2 Add a helper',
    '- [ ] T109.10 Add another helper',
    '- [ ] T109.10a A lettered sub-task',
    '- [ ] T110 Wire it (depends on T109.1-T109.10)',
    '- [ ] T111 Check it, after T109.2.',
  ];
  const doc = parseTasks(lines.join('\n'));
  assert.deepEqual(ids(doc), ['T109', 'T109.1', 'T109.2', 'T109.10', 'T109.10a', 'T110', 'T111']);
  assert.deepEqual(doc.diagnostics, [], 'no duplicate of T109, no checklist item, ids in order');
  assert.deepEqual(doc.tasks[0]?.details, [], 'the indented dotted task is a task, not a detail of T109');
  assert.deepEqual(doc.tasks[5]?.dependsOn, ['T109.1', 'T109.2', 'T109.10'], 'the range, in id order (2 before 10)');
  assert.deepEqual(doc.tasks[6]?.dependsOn, ['T109.2'], 'a full stop after an id ends the sentence, not the id');
  const t10 = doc.tasks[3];
  assert.ok(t10);
  const ticked = setTaskDone(doc.text, taskRefOf(t10), true);
  assert.ok(ticked.ok && ticked.changed);
  assert.equal(ticked.text.split('\n')[4], '- [X] T109.10 Add another helper');
  assert.equal(setTaskDone(doc.text, { id: 'T109', lineText: 'T109.2 Add a helper' }, true).ok, false);
});

test('a dotted number that is no id stays text: T1.12345 (too long), T012.md (a file name)', () => {
  const doc = parseTasks(
    ['## Phase 1: A', '- [ ] T1.12345 Odd', '- [ ] T012.md Notes', '- [ ] T013 See T012.md'].join('\n'),
  );
  assert.deepEqual(ids(doc), ['T013']);
  assert.deepEqual(diagnosticsOf(doc, 'checkbox-without-id'), [
    [1, 'warning'],
    [2, 'warning'],
  ]);
});

test('checkboxes with an id that is not ours (TASK-004, T-005, t006, Task 7) warn; checklist items inform', () => {
  const lines = [
    '## Phase 1: Setup',
    '- [ ] TASK-004 Add the XML reader',
    '- [ ] T-005 Add YAML',
    '- [ ] t006 Add TOML',
    '- [ ] **Task 7**: Add INI',
    '- [ ] All tests pass',
    '- [ ] Test 5 is green',
  ];
  const doc = parseTasks(lines.join('\n'));
  assert.deepEqual(ids(doc), []);
  assert.deepEqual(diagnosticsOf(doc, 'checkbox-without-id'), [
    [1, 'warning'],
    [2, 'warning'],
    [3, 'warning'],
    [4, 'warning'],
    [5, 'information'],
    [6, 'information'],
  ]);
});

test('setext headings: underlined with --- they are phases, with === the title; front matter and rules are not', () => {
  const text = [
    '---',
    'description: "front matter"',
    '---',
    'Tasks: Setext',
    '=============',
    '',
    'Phase 1: Setup',
    '--------------',
    '',
    '- [ ] T001 Create the package',
    '  wrapped text of T001',
    '',
    '---',
    '',
    'Phase 2: Core',
    '---',
    '- [ ] T002 Implement the core',
  ].join('\n');
  const doc = parseTasks(text);
  assert.equal(doc.title, 'Tasks: Setext');
  assert.deepEqual(
    doc.phases.map((p) => [p.title, p.headingRange.start.line, p.taskKeys]),
    [
      ['Setup', 6, ['T001']],
      ['Core', 14, ['T002']],
    ],
  );
  assert.deepEqual(doc.sections, [], 'the front matter closing --- under "description:" is no heading');
  assert.deepEqual(doc.diagnostics, []);
  const prose = parseTasks(['## Phase 1: A', '- [ ] T001 a', 'Some prose', '---', '- [ ] T002 b'].join('\n'));
  assert.deepEqual(
    prose.phases.map((p) => p.taskKeys),
    [['T001', 'T002']],
    'a rule under text that does not open a paragraph is a rule',
  );
});

test('HTML comments hide task lines, single-line, multi-line, indented and inside a task; the writer agrees', () => {
  const text = [
    '## Phase 1: Setup',
    '- [ ] T001 Create the package <!-- owner: sam -->',
    '<!-- - [ ] T002 Dropped in one line -->',
    '<!--',
    '- [ ] T003 Dropped over lines',
    '',
    '- [ ] T004 Still dropped -->',
    '- [ ] T005 Kept',
    '  <!--',
    '  - [ ] T006 A commented-out sub-task',
    '  -->',
    '  - detail of T005',
    '- [ ] T007 Kept too',
  ].join('\n');
  const doc = parseTasks(text);
  assert.deepEqual(ids(doc), ['T001', 'T005', 'T007']);
  const t005 = doc.tasks[1];
  assert.deepEqual(t005?.details, ['- detail of T005'], 'comment lines are neither details nor tasks');
  assert.deepEqual([t005?.line, t005?.lastLine], [7, 11]);
  assert.deepEqual(doc.nonTaskCheckboxes, []);
  for (const id of ['T002', 'T003', 'T004', 'T006']) {
    const lineText =
      text
        .split('\n')
        .find((l) => l.includes(id))
        ?.replace(/^.*?\] /, '')
        .replace(/ -->$/, '') ?? '';
    const result = setTaskDone(text, { id, lineText }, true);
    assert.deepEqual(result.ok ? 'ticked' : result.code, 'not-found', `${id} inside a comment is not ticked`);
  }
  for (const t of doc.tasks) assert.ok(setTaskDone(text, taskRefOf(t), true).ok, t.id);
});

test('an unclosed HTML comment hides the rest, and says so', () => {
  const doc = parseTasks(['## Phase 1: Setup', '- [ ] T001 a', '<!-- TODO', '- [ ] T002 b'].join('\n'));
  assert.deepEqual(ids(doc), ['T001']);
  assert.deepEqual(
    doc.diagnostics.map((d) => [d.code, d.severity, d.range]),
    [['unclosed-html-comment', 'warning', { start: { line: 2, character: 0 }, end: { line: 2, character: 4 } }]],
  );
});

test('### Phase N headings under a non-phase ## are the phases; under a phase they stay sub-sections', () => {
  const nested = parseTasks(
    [
      '# Tasks: nested',
      '## Tasks',
      '### Phase 3.1: Setup',
      '- [ ] T001 a',
      '#### Tests',
      '- [ ] T002 b',
      '### Phase 3.2: Core',
      '- [ ] T003 c',
      '## File Creation Order',
      '### Phase 1: Setup (15 minutes)',
      '1. src/a.ts',
      '### Phase 2: Core (45 minutes)',
      '2. src/b.ts',
      '## Notes',
      'Done.',
    ].join('\n'),
  );
  assert.deepEqual(
    nested.phases.map((p) => [p.number, p.title, p.taskKeys, p.range.start.line, p.range.end.line]),
    [
      ['3.1', 'Setup', ['T001', 'T002'], 2, 5],
      ['3.2', 'Core', ['T003'], 6, 7],
    ],
  );
  assert.deepEqual(
    nested.phases[0]?.subsections.map((s) => s.title),
    ['Tests'],
  );
  assert.deepEqual(
    nested.sections.map((s) => [s.title, s.range.start.line, s.range.end.line]),
    [
      ['Tasks', 1, 1],
      ['File Creation Order', 8, 12],
      ['Notes', 13, 14],
    ],
    'phase headings without tasks stay inside their section',
  );
  const underPhase = parseTasks(
    ['## Phase 3: User Story 1', '### Phase 3.1 tests', '- [ ] T001 a', '### Phase 3.2 code', '- [ ] T002 b'].join(
      '\n',
    ),
  );
  assert.deepEqual(
    underPhase.phases.map((p) => [p.title, p.subsections.length, p.taskKeys.length]),
    [['User Story 1', 2, 2]],
  );
});

test('line endings: a lone CR ends a line as in LSP, so positions match an editor and ticks change one byte', () => {
  const lines = [
    '# Tasks',
    '',
    '## Phase 1: Setup',
    '- [ ] T001 Create src/a.ts',
    '- [x] T002 Wire it (depends on T001)',
    '  - Files: src/b.ts',
    '## Phase 2: Core',
    '- [ ] T003 Core',
  ];
  for (const eol of ['\r', '\n', '\r\n'] as const) {
    const text = `\ufeff${lines.join(eol)}${eol}`;
    const doc = parseTasks(text);
    assert.equal(doc.eol, eol);
    assert.deepEqual(ids(doc), ['T001', 'T002', 'T003'], JSON.stringify(eol));
    assert.deepEqual(
      doc.phases.map((p) => p.taskKeys.length),
      [2, 1],
    );
    const editor = TextDocument.create('file:///tasks.md', 'markdown', 1, text.slice(1));
    for (const t of doc.tasks) {
      assert.equal(editor.getText(taskIdRange(t)), t.id, `${t.id} with ${JSON.stringify(eol)}`);
      assert.equal(t.lineText.includes('\r'), false);
    }
    const t002 = doc.tasks[1];
    assert.deepEqual(t002?.details, ['- Files: src/b.ts']);
    assert.deepEqual(t002?.files, ['src/b.ts']);
    assert.deepEqual(t002?.dependsOn, ['T001']);
    assert.equal(editor.getText(taskFileRange(t002, 0)), 'src/b.ts');
    const bytes = Buffer.from(text, 'utf8');
    const ticked = setTaskDoneInBytes(bytes, taskRefOf(doc.tasks[2] ?? t002), true);
    assert.ok(ticked.ok && ticked.changed);
    assert.equal(ticked.line, 7);
    assert.equal(
      bytes.toString('utf8'),
      text.replace('- [ ] T003', '- [X] T003'),
      'one byte changed, line endings kept',
    );
  }
});
