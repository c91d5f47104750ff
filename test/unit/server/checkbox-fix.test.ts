// Tasks written without a checkbox (as headings or bold lines, as many real tasks.md files do) are not
// scheduled; the quick fix rewrites them as spec-kit writes a task, one at a time or all at once, and the
// rewritten file then has those tasks, their labels and their phases.
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver/node';
import { parseTasks } from '../../../src/core/speckit/tasks-parser';
import { asCheckboxTask } from '../../../src/server/checkbox-rewrite';
import { codeActionsFor } from '../../../src/server/code-actions';
import { analyzeTasks } from '../../../src/server/tasks-analysis';
import { fileUri, LspTestClient } from './lsp-test-client';

const URI = 'file:///project/specs/001-x/tasks.md';

const TEXT = [
  '# Tasks',
  '',
  '## Phase 1: Setup',
  '',
  '### T001: [Setup] Install the parser in package.json',
  '',
  '```bash',
  'npm install parser',
  '```',
  '',
  '### T002: [Setup][P] Create src/assets/ ##',
  '',
  '- [ ] The folder exists',
  '',
  '#### Acceptance',
  '',
  'Done when src/assets/ holds index.ts',
  '',
  '## Phase 2: User Story 1 - Preview (Priority: P1)',
  '',
  '**T003 [US1]** - Add the preview command in src/preview.ts',
  '',
  '**T004** [P] [US1] Write tests/preview.test.ts',
  '',
  '| Task | What | Scope |',
  '|------|:-----|-------|',
  '| **T005** | Check the docs | `docs/a|b.md` only |',
  '| **T006** [P] | Fix the links in docs/index.md | |',
  '',
].join('\n');

function apply(text: string, edits: readonly TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create(URI, 'markdown', 1, text), [...edits]);
}

function fixesFor(id: string): CodeAction[] {
  const analysis = analyzeTasks(TEXT, { kind: 'missing' });
  const diagnostic = analysis.diagnostics.find(
    (d) => d.code === 'task-without-checkbox' && TEXT.split('\n')[d.range.start.line]?.includes(id),
  );
  assert.ok(diagnostic, `a task-without-checkbox diagnostic for ${id}`);
  // As the editor hands it back with the request.
  const asSent: Diagnostic = { range: diagnostic.range, code: diagnostic.code, message: diagnostic.message };
  return codeActionsFor(URI, analysis, [asSent]);
}

test('each form is written as spec-kit writes a task; a table row is left alone', () => {
  assert.equal(
    asCheckboxTask('### T001: [Setup] Install the parser in package.json'),
    '- [ ] T001 [Setup] Install the parser in package.json',
  );
  assert.equal(
    asCheckboxTask('### T002: [Setup][P] Create src/assets/ ##'),
    '- [ ] T002 [Setup][P] Create src/assets/',
  );
  assert.equal(
    asCheckboxTask('**T003 [US1]** - Add the preview command in src/preview.ts'),
    '- [ ] T003 [US1] Add the preview command in src/preview.ts',
  );
  assert.equal(
    asCheckboxTask('  **T004 [P] [US1]**: Write tests/preview.test.ts'),
    '- [ ] T004 [P] [US1] Write tests/preview.test.ts',
  );
  assert.equal(asCheckboxTask('#### **T006**'), '- [ ] T006');
  assert.equal(asCheckboxTask('| **T005** | Check the docs |'), undefined);
  assert.equal(asCheckboxTask('## Phase 1: Setup (Tasks T001-T004)'), undefined);
});

test('the file has no task; the fix on one line makes that one a task, the fix for all makes all six', () => {
  assert.equal(parseTasks(TEXT).tasks.length, 0);

  const [one, all, ...rest] = fixesFor('T003');
  assert.equal(rest.length, 0);
  assert.equal(one?.title, 'Write T003 as a task: "- [ ] T003 [US1] Add the preview command in src/preview.ts"');
  assert.equal(one?.isPreferred, true);
  const once = parseTasks(apply(TEXT, one?.edit?.changes?.[URI] ?? []));
  assert.deepEqual(
    once.tasks.map((t) => t.id),
    ['T003'],
  );

  assert.equal(all?.title, 'Write all 6 tasks without a checkbox as tasks ("- [ ] T001 …")');
  const fixed = apply(TEXT, all?.edit?.changes?.[URI] ?? []);
  const doc = parseTasks(fixed);
  assert.deepEqual(
    doc.tasks.map((t) => [t.id, t.parallel, t.story ?? null, t.phaseIndex, t.done]),
    [
      ['T001', false, null, 0, false],
      ['T002', true, null, 0, false],
      ['T003', false, 'US1', 1, false],
      ['T004', true, 'US1', 1, false],
      ['T005', false, null, 1, false],
      ['T006', true, null, 1, false],
    ],
  );
  assert.deepEqual(
    doc.tasks.map((t) => t.files),
    [['package.json'], ['src/assets/'], ['src/preview.ts'], ['tests/preview.test.ts'], [], ['docs/index.md']],
  );
  assert.deepEqual(
    doc.tasks.map((t) => t.details),
    [
      ['```bash', 'npm install parser', '```'],
      ['- [ ] The folder exists', '**Acceptance**', 'Done when src/assets/ holds index.ts'],
      [],
      [],
      ['Scope: `docs/a|b.md` only'],
      [],
    ],
    'what was written under a heading is now the details of its task, its checkbox and sub-heading too; a row keeps its other cells',
  );
  assert.doesNotMatch(fixed, /^\|/m, 'no table row is left');
});

test('a table row: the fix writes the whole table as a list; a table with a row that is no task gets none', () => {
  const [table] = fixesFor('T005');
  assert.equal(table?.title, `Write the table's 2 tasks as a list ("- [ ] T005 Check the docs" …)`);
  const lines = apply(TEXT, table?.edit?.changes?.[URI] ?? []).split('\n');
  const at = lines.indexOf('- [ ] T005 Check the docs');
  assert.deepEqual(lines.slice(at, at + 4), [
    '- [ ] T005 Check the docs',
    '  Scope: `docs/a|b.md` only',
    '- [ ] T006 [P] Fix the links in docs/index.md',
    '',
  ]);

  const mixed = TEXT.replace('| **T006** [P] | Fix the links in docs/index.md | |', '| Later | Fix the links | |');
  const analysis = analyzeTasks(mixed, { kind: 'missing' });
  const d = analysis.diagnostics.find((x) => x.code === 'task-without-checkbox' && x.range.start.line === 26);
  assert.ok(d);
  const actions = codeActionsFor(URI, analysis, [{ range: d.range, code: d.code, message: d.message }]);
  assert.deepEqual(actions, [], 'no fix from a row of a table that is not all tasks');
});

describe('through the language server, on a CRLF document', () => {
  const root = resolve(__dirname, '..', '..', 'fixtures', 'projects', 'unseen-crlf');
  let client: LspTestClient;
  before(async () => {
    client = await LspTestClient.start(root);
  });
  after(async () => client.dispose());

  test('both fixes come back as edits of whole lines, and every line keeps its CRLF', async () => {
    const uri = fileUri(join(root, 'specs', '009-headings', 'tasks.md'));
    const text = TEXT.split('\n').join('\r\n');
    await client.open(uri, text);
    const diagnostics = await client.diagnostics(uri, { version: 1 });
    const d = diagnostics.find((x: Diagnostic) => x.code === 'task-without-checkbox');
    assert.ok(d, 'a task-without-checkbox diagnostic');
    const actions = ((await client.codeActions(uri, d.range, [d])) ?? []).filter((a): a is CodeAction => 'edit' in a);
    assert.deepEqual(
      actions.map((a) => a.title),
      [
        'Write T001 as a task: "- [ ] T001 [Setup] Install the parser in package.json"',
        'Write all 6 tasks without a checkbox as tasks ("- [ ] T001 …")',
      ],
    );
    const fixed = TextDocument.applyEdits(
      TextDocument.create(uri, 'markdown', 1, text),
      actions[1]?.edit?.changes?.[uri] ?? [],
    );
    assert.doesNotMatch(fixed, /(?<!\r)\n/, 'every line still ends in CRLF, the new lines of the table too');
    assert.deepEqual(
      parseTasks(fixed).tasks.map((t) => t.id),
      ['T001', 'T002', 'T003', 'T004', 'T005', 'T006'],
    );
  });
});
