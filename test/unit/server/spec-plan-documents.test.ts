// spec.md and plan.md over a real LSP connection, and tasks.md's links into spec.md: a purpose-made feature
// whose spec defines three stories (one without tasks), requirements and criteria (two defined twice).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic, DocumentSymbol, Hover, Location, Range } from 'vscode-languageserver/node';
import { fileUri, LspTestClient } from './lsp-test-client';

const repoRoot = resolve(__dirname, '..', '..', '..');
const project = join(repoRoot, 'test', 'fixtures', 'lsp', 'project');
const feature = join(project, 'specs', '003-spec-links');
const specUri = fileUri(join(feature, 'spec.md'));
const tasksUri = fileUri(join(feature, 'tasks.md'));
const planUri = fileUri(join(feature, 'plan.md'));
const specText = readFileSync(join(feature, 'spec.md'), 'utf8');
const tasksText = readFileSync(join(feature, 'tasks.md'), 'utf8');
const tasksLines = tasksText.split('\n');

function at(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

function summary(diagnostics: readonly Diagnostic[]): [string, number | undefined, Range][] {
  return diagnostics.map((d) => [String(d.code), d.severity, d.range]);
}

function hoverText(hover: Hover | null): string {
  assert.ok(hover, 'expected a hover');
  const contents = hover.contents;
  assert.ok(typeof contents === 'object' && 'kind' in contents, 'expected markup content');
  return contents.value;
}

/** The position of the `nth` character of `needle` on the tasks.md line holding `lineNeedle`. */
function inTasks(lineNeedle: string, needle: string, nth = 1): { line: number; character: number } {
  const line = tasksLines.findIndex((l) => l.includes(lineNeedle));
  const character = (tasksLines[line] ?? '').indexOf(needle);
  assert.ok(line >= 0 && character >= 0, `tasks.md has ${needle} on a line with ${lineNeedle}`);
  return { line, character: character + nth };
}

describe('language server over LSP: spec.md, plan.md and links from tasks.md', () => {
  let client: LspTestClient;
  before(async () => {
    client = await LspTestClient.start(project);
  });
  after(async () => client.dispose());

  test('spec.md: duplicate FR/SC ids warn on the id; a story no task works on is information', async () => {
    await client.open(specUri, specText);
    assert.deepEqual(summary(await client.diagnostics(specUri, { version: 1 })), [
      ['story-without-tasks', 3, at(15, 0, 48)],
      ['duplicate-spec-id', 2, at(25, 4, 10)],
      ['duplicate-spec-id', 2, at(30, 4, 10)],
    ]);
  });

  test('spec.md outline: user stories, functional requirements, success criteria', async () => {
    const symbols = (await client.documentSymbols(specUri)) as DocumentSymbol[];
    assert.deepEqual(
      symbols.map((s) => [s.name, s.children?.map((c) => [c.name, c.detail, c.selectionRange.start.line])]),
      [
        [
          'User Stories',
          [
            ['US1: Export a report', 'P1', 4],
            ['US2: Schedule exports', 'P2', 11],
            ['US3: Share a report', 'P3', 15],
          ],
        ],
        [
          'Functional Requirements',
          [
            ['FR-001', 'System MUST export reports as CSV.', 23],
            ['FR-002', 'System MUST schedule exports monthly.', 24],
            ['FR-002', 'System MUST keep exports for a year.', 25],
          ],
        ],
        [
          'Success Criteria',
          [
            ['SC-001', 'An export finishes in under 5 seconds.', 29],
            ['SC-001', 'Users find the export button within 10 seconds.', 30],
          ],
        ],
      ],
    );
    assert.deepEqual(
      symbols[0]?.children?.[0]?.range,
      { start: { line: 4, character: 0 }, end: { line: 10, character: 0 } },
      'a story spans its section',
    );
  });

  test('plan.md outline: headings nested by level, none from inside a fence', async () => {
    await client.open(planUri, readFileSync(join(feature, 'plan.md'), 'utf8'));
    const symbols = (await client.documentSymbols(planUri)) as DocumentSymbol[];
    const names = (list: readonly DocumentSymbol[] | undefined): unknown[] =>
      (list ?? []).map((s) => (s.children?.length ? [s.name, names(s.children)] : s.name));
    assert.deepEqual(names(symbols), [
      [
        'Implementation Plan: Spec links',
        ['Summary', 'Technical Context', ['Project Structure', ['Source Code']], 'Complexity Tracking'],
      ],
    ]);
  });

  test('tasks.md: hover on FR-001, SC-001 and [US1] shows what spec.md says; an undefined id says so', async () => {
    await client.open(tasksUri, tasksText);
    const fr = hoverText(await client.hover(tasksUri, inTasks('T001', 'FR-001', 2)));
    assert.equal(fr, '**FR-001**: System MUST export reports as CSV.\n\nspec.md, line 24');
    assert.match(
      hoverText(await client.hover(tasksUri, inTasks('T001', 'SC-001'))),
      /An export finishes in under 5 seconds/,
    );
    const story = await client.hover(tasksUri, inTasks('T001', 'US1'));
    assert.equal(
      hoverText(story),
      '**User Story 1 (US1)**: Export a report — priority P1\n\nA user exports the monthly report as CSV. It opens in any spreadsheet.\n\nspec.md, line 5',
    );
    const { line, character } = inTasks('T001', 'US1', 0);
    assert.deepEqual(story?.range, at(line, character, character + 3));
    assert.match(
      hoverText(await client.hover(tasksUri, inTasks('T003', 'FR-009'))),
      /\*\*FR-009\*\*: spec\.md does not define it/,
    );
  });

  test('tasks.md: go to definition from FR-002 and a US2 mention jumps into spec.md', async () => {
    assert.deepEqual(await client.definition(tasksUri, inTasks('T002', 'FR-002')), [
      { uri: specUri, range: at(24, 0, 0) },
    ] satisfies Location[]);
    assert.deepEqual(await client.definition(tasksUri, inTasks('T003', 'for US2', 5)), [
      { uri: specUri, range: at(11, 0, 0) },
    ] satisfies Location[]);
    assert.deepEqual(await client.definition(tasksUri, inTasks('T003', 'FR-009')), [], 'nothing to jump to');
  });

  test('tasks.md: a checkbox with an id not of our grammar (TASK-004) warns that the task has no id', async () => {
    const diagnostics = await client.diagnostics(tasksUri, { version: 1 });
    assert.deepEqual(
      diagnostics.filter((d) => d.code === 'checkbox-without-id').map((d) => [d.severity, d.range.start.line]),
      [[2, tasksLines.findIndex((l) => l.includes('TASK-004'))]],
    );
  });

  test('a task for US3 added in tasks.md clears the story note in spec.md before anything is saved', async () => {
    const published = client.publicationCount(specUri);
    const end = tasksLines.length - 1;
    await client.change(tasksUri, [
      { range: at(end, 0, 0), text: '- [ ] T005 [US3] Share links in src/export/share.ts\n' },
    ]);
    const after = await client.diagnosticsAfter(specUri, published);
    assert.deepEqual(
      after.map((d) => d.code),
      ['duplicate-spec-id', 'duplicate-spec-id'],
    );
  });
});

describe('language server over LSP: real spec.md and plan.md files', () => {
  const realDir = resolve(repoRoot, '..', 'shared', 'fixtures', 'real-tasks');

  test('each is outlined and yields no warnings or errors; stories without tasks are listed', async (t) => {
    if (!existsSync(realDir)) {
      t.skip(`real-world fixtures not found at ${realDir}`);
      return;
    }
    const scratch = mkdtempSync(join(tmpdir(), 'speckit-lsp-spec-'));
    const client = await LspTestClient.start(scratch);
    try {
      const names = readdirSync(realDir)
        .filter((f) => f.endsWith('.spec.md') || f.endsWith('.plan.md'))
        .sort();
      assert.ok(names.length >= 4, names.join(', '));
      for (const name of names) {
        const [featureName = name, kind = ''] = name.split('.');
        const folder = join(scratch, 'specs', featureName);
        mkdirSync(folder, { recursive: true });
        const tasks = join(realDir, `${featureName}.tasks.md`);
        if (existsSync(tasks)) writeFileSync(join(folder, 'tasks.md'), readFileSync(tasks));
        const uri = fileUri(join(folder, `${kind}.md`));
        await client.open(uri, readFileSync(join(realDir, name), 'utf8'));
        const symbols = ((await client.documentSymbols(uri)) ?? []) as DocumentSymbol[];
        assert.ok(symbols.length > 0, `${name} has an outline`);
        if (kind !== 'spec') continue;
        const diagnostics = await client.diagnostics(uri);
        t.diagnostic(
          `${name}: ${symbols.map((s) => `${s.name} ×${s.children?.length ?? 0}`).join(', ')}; ${diagnostics.map((d) => `${String(d.code)}@${d.range.start.line + 1}`).join(', ') || 'no diagnostics'}`,
        );
        assert.deepEqual(
          diagnostics.filter((d) => d.severity !== 3).map((d) => d.message),
          [],
          `${name}: a well-formed spec has only notes`,
        );
      }
    } finally {
      await client.dispose();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
