import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CodeAction, Diagnostic, DocumentSymbol, Hover, Location, TextEdit } from 'vscode-languageserver/node';
import { fileUri, LspTestClient } from './lsp-test-client';

const repoRoot = resolve(__dirname, '..', '..', '..');
const project = join(repoRoot, 'test', 'fixtures', 'lsp', 'project');
const brokenPath = join(project, 'specs', '001-broken', 'tasks.md');
const brokenUri = fileUri(brokenPath);
const brokenText = readFileSync(brokenPath, 'utf8');

/** 1-based line numbers of each code, as the fixture's author counted them. */
function byCode(diagnostics: readonly Diagnostic[]): Map<string, number[]> {
  const map = new Map<string, number[]>();
  for (const d of diagnostics) {
    const code = String(d.code);
    map.set(code, [...(map.get(code) ?? []), d.range.start.line + 1]);
  }
  return map;
}

function messageOf(d: Diagnostic | undefined): string {
  const message = d?.message ?? '';
  return typeof message === 'string' ? message : message.value;
}

function hoverText(hover: Hover | null): string {
  assert.ok(hover, 'expected a hover');
  const contents = hover.contents;
  assert.ok(typeof contents === 'object' && 'kind' in contents, 'expected markup content');
  return contents.value;
}

/** The text a single-line range covers. */
function textAt(text: string, range: Diagnostic['range'] | undefined): string | undefined {
  if (range === undefined) return undefined;
  assert.equal(range.start.line, range.end.line, 'a one-line range');
  return text.split(/\r?\n/)[range.start.line]?.slice(range.start.character, range.end.character);
}

function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(index >= 0, `fixture has no line with ${needle}`);
  return index;
}

describe('language server over LSP: purpose-made fixture', () => {
  let client: LspTestClient;
  let diagnostics: Diagnostic[];

  before(async () => {
    client = await LspTestClient.start(project);
    await client.open(brokenUri, brokenText);
    diagnostics = await client.diagnostics(brokenUri, { version: 1 });
  });
  after(async () => client.dispose());

  test('reports each broken line with its stable code, source and precise range', () => {
    const codes = byCode(diagnostics);
    assert.deepEqual(codes.get('parallel-same-file'), [9]);
    assert.deepEqual(codes.get('duplicate-task-id'), [10]);
    assert.deepEqual(codes.get('checkbox-without-id'), [11]);
    assert.deepEqual(codes.get('malformed-checkbox'), [12]);
    assert.deepEqual(codes.get('path-outside-workspace'), [13]);
    assert.deepEqual(codes.get('task-id-out-of-order'), [14]);
    assert.deepEqual(codes.get('unknown-dependency'), [14]);
    assert.deepEqual(codes.get('unknown-story-label'), [19]);
    for (const d of diagnostics) assert.equal(d.source, 'speckit');
    const duplicate = diagnostics.find((d) => d.code === 'duplicate-task-id');
    assert.deepEqual(duplicate?.range, { start: { line: 9, character: 6 }, end: { line: 9, character: 10 } });
    const story = diagnostics.find((d) => d.code === 'unknown-story-label');
    assert.deepEqual(story?.range, { start: { line: 18, character: 11 }, end: { line: 18, character: 16 } });
    assert.match(messageOf(story), /US9.*US1, US2/);
    const outOfOrder = diagnostics.find((d) => d.code === 'task-id-out-of-order');
    assert.equal(outOfOrder?.severity, 3, 'ids out of order are information');
    const unknown = diagnostics.find((d) => d.code === 'unknown-dependency');
    assert.equal(
      brokenText.split('\n')[13]?.slice(unknown?.range.start.character, unknown?.range.end.character),
      'T099',
    );
    const outside = diagnostics.find((d) => d.code === 'path-outside-workspace');
    assert.equal(
      textAt(brokenText, outside?.range),
      '../../../outside/secrets.env',
      'the path itself, not the task id',
    );
    const sameFile = diagnostics.find((d) => d.code === 'parallel-same-file');
    assert.equal(textAt(brokenText, sameFile?.range), 'src/models/user.ts', 'the file both [P] tasks touch');
  });

  test('every range is exact: the text at fault, as the parser and the graph place it', () => {
    const at = (line: number, start: number, end: number): Diagnostic['range'] => ({
      start: { line, character: start },
      end: { line, character: end },
    });
    const rangesOf = (code: string): Diagnostic['range'][] =>
      diagnostics.filter((d) => d.code === code).map((d) => d.range);
    assert.deepEqual(rangesOf('parallel-same-file'), [at(8, 33, 51)]);
    assert.deepEqual(rangesOf('duplicate-task-id'), [at(9, 6, 10)]);
    assert.deepEqual(rangesOf('checkbox-without-id'), [at(10, 0, 54)]);
    assert.deepEqual(rangesOf('malformed-checkbox'), [at(11, 0, 26)]);
    assert.deepEqual(rangesOf('path-outside-workspace'), [at(12, 29, 57)]);
    assert.deepEqual(rangesOf('task-id-out-of-order'), [at(13, 6, 10)]);
    assert.deepEqual(rangesOf('unknown-dependency'), [at(13, 22, 26)]);
    assert.deepEqual(rangesOf('unknown-story-label'), [at(18, 11, 16)]);
    assert.deepEqual(rangesOf('dependency-on-later-phase'), [at(17, 64, 68), at(19, 61, 65)]);
    assert.deepEqual(rangesOf('dependency-cycle'), [at(24, 71, 75)]);
    assert.equal(diagnostics.length, 11, diagnostics.map((d) => String(d.code)).join(', '));
  });

  test('reports dependencies on a later phase and names cycles (from the task graph)', () => {
    const codes = byCode(diagnostics);
    assert.deepEqual(codes.get('dependency-on-later-phase'), [18, 20]);
    assert.deepEqual(codes.get('dependency-cycle'), [25]);
    const later = diagnostics.find((d) => d.code === 'dependency-on-later-phase');
    assert.equal(later?.severity, 2);
    assert.deepEqual(
      diagnostics
        .filter((d) => d.code === 'dependency-on-later-phase')
        .map((d) => [d.range.start.line + 1, textAt(brokenText, d.range)]),
      [
        [18, 'T012'],
        [20, 'T013'],
      ],
      'the reference in "depends on T012", not the waiting task',
    );
    assert.match(messageOf(later), /T009 depends on T012/);
    const cycle = diagnostics.find((d) => d.code === 'dependency-cycle');
    assert.equal(cycle?.severity, 1);
    assert.match(messageOf(cycle), /T013 → T014 → T013/);
  });

  test('hover on a task id anywhere shows text, phase, files and dependencies', async () => {
    const line = lineOf(brokenText, 'T009 [US1]');
    const reference = brokenText.split('\n')[line]?.indexOf('T012') ?? -1;
    const onReference = hoverText(await client.hover(brokenUri, { line, character: reference + 2 }));
    assert.match(onReference, /\*\*T012\*\*/);
    assert.match(onReference, /Sign-out button/);
    assert.match(onReference, /Phase 3: User Story 2/);
    assert.match(onReference, /`src\/ui\/sign-out\.tsx`/);
    const own = hoverText(await client.hover(brokenUri, { line, character: 7 }));
    assert.match(own, /\*\*Depends on:\*\* T012/, 'as written, though the graph ignores it for scheduling');
    const missingLine = lineOf(brokenText, 'T099');
    const missing = hoverText(
      await client.hover(brokenUri, {
        line: missingLine,
        character: (brokenText.split('\n')[missingLine]?.indexOf('T099') ?? 0) + 1,
      }),
    );
    assert.match(missing, /no task with this id/);
    assert.equal(await client.hover(brokenUri, { line: 2, character: 3 }), null);
  });

  test('run statuses from the client show in hovers and lenses, and clear', async () => {
    await client.sendTaskStatus({
      uri: brokenUri,
      runId: 'run-1',
      tasks: [{ taskId: 'T012', status: 'running', workerId: 'w-1', role: 'code-writer', at: '2026-01-01T00:00:00Z' }],
    });
    const line = lineOf(brokenText, 'T012 [US2]');
    const hover = hoverText(await client.hover(brokenUri, { line, character: 7 }));
    assert.match(hover, /\*\*Run status:\*\* running \(w-1, code-writer\)/);
    const lenses = (await client.codeLenses(brokenUri)) ?? [];
    assert.ok(lenses.some((l) => l.range.start.line === line && l.command?.title === 'Last run: running (w-1)'));
    assert.ok(
      lenses.some((l) => l.command?.title === 'Last run: 1 running'),
      'the phase lens sums its tasks',
    );
    // After a rollback the client sends the rolled-back state, which the lenses and the hover say in words.
    await client.sendTaskStatus({
      uri: brokenUri,
      runId: 'run-1',
      tasks: [{ taskId: 'T012', status: 'rolled-back', at: '2026-01-01T00:01:00Z' }],
    });
    const rolledBack = (await client.codeLenses(brokenUri)) ?? [];
    assert.ok(rolledBack.some((l) => l.range.start.line === line && l.command?.title === 'Last run: rolled back'));
    assert.ok(rolledBack.some((l) => l.command?.title === 'Last run: 1 rolled back'));
    assert.match(hoverText(await client.hover(brokenUri, { line, character: 7 })), /\*\*Run status:\*\* rolled back/);
    await client.clearTaskStatus(brokenUri);
    const cleared = hoverText(await client.hover(brokenUri, { line, character: 7 }));
    assert.doesNotMatch(cleared, /Run status/);
  });

  test('code lenses: Run phase above each phase, Run task above each open task, with typed arguments', async () => {
    const lenses = (await client.codeLenses(brokenUri)) ?? [];
    const phases = lenses.filter((l) => l.command?.command === 'speckit-orchestra.runPhase');
    assert.deepEqual(
      phases.map((l): unknown => l.command?.arguments?.[0]),
      [
        { uri: brokenUri, phaseIndex: 0, phaseTitle: 'Setup' },
        { uri: brokenUri, phaseIndex: 1, phaseTitle: 'User Story 1 - Sign in (Priority: P1)' },
        { uri: brokenUri, phaseIndex: 2, phaseTitle: 'User Story 2 - Sign out (Priority: P2)' },
      ],
    );
    const tasks = lenses.filter((l) => l.command?.command === 'speckit-orchestra.runTask');
    assert.equal(tasks.length, 12, 'twelve open tasks, the duplicate T003 included');
    assert.deepEqual(tasks[0]?.command?.arguments?.[0], { uri: brokenUri, taskId: 'T001' });
    assert.equal(tasks[0]?.range.start.line, 6);
  });

  test('quick fixes: renumber a duplicate, drop [P] from a same-file conflict, add a missing id', async () => {
    const fixes = async (code: string): Promise<TextEdit[]> => {
      const d = diagnostics.find((x) => x.code === code);
      assert.ok(d, `no ${code} diagnostic`);
      const actions = ((await client.codeActions(brokenUri, d.range, [d])) ?? []).filter(
        (a): a is CodeAction => 'kind' in a,
      );
      assert.equal(actions.length, 1, `one fix for ${code}`);
      assert.equal(actions[0]?.kind, 'quickfix');
      return actions[0]?.edit?.changes?.[brokenUri] ?? [];
    };
    assert.deepEqual(await fixes('duplicate-task-id'), [
      { range: { start: { line: 9, character: 6 }, end: { line: 9, character: 10 } }, newText: 'T004' },
    ]);
    assert.deepEqual(await fixes('parallel-same-file'), [
      { range: { start: { line: 8, character: 11 }, end: { line: 8, character: 15 } }, newText: '' },
    ]);
    assert.deepEqual(await fixes('checkbox-without-id'), [
      { range: { start: { line: 10, character: 6 }, end: { line: 10, character: 6 } }, newText: 'T004 ' },
    ]);
    const malformed = diagnostics.find((x) => x.code === 'malformed-checkbox');
    assert.ok(malformed);
    assert.deepEqual(
      await client.codeActions(brokenUri, malformed.range, [malformed]),
      [],
      'no guessed fix where the fix is not clear',
    );
  });

  test('go to definition: from a dependency to its task, from a story label to spec.md', async () => {
    const line = lineOf(brokenText, 'T009 [US1]');
    const text = brokenText.split('\n')[line] ?? '';
    const toTask = (await client.definition(brokenUri, { line, character: text.indexOf('T012') + 1 })) as Location[];
    assert.deepEqual(toTask, [
      { uri: brokenUri, range: { start: { line: 23, character: 6 }, end: { line: 23, character: 10 } } },
    ]);
    const toStory = (await client.definition(brokenUri, { line, character: text.indexOf('[US1]') + 2 })) as Location[];
    assert.deepEqual(toStory, [
      {
        uri: fileUri(join(project, 'specs', '001-broken', 'spec.md')),
        range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } },
      },
    ]);
  });

  test('go to definition and hover on a duplicated id: every task written with it, in order', async () => {
    const line = lineOf(brokenText, 'T003 [P]');
    const definitions = (await client.definition(brokenUri, { line, character: 8 })) as Location[];
    assert.deepEqual(
      definitions.map((d) => [d.range.start.line, textAt(brokenText, d.range)]),
      [
        [line, 'T003'],
        [line + 1, 'T003'],
      ],
    );
    assert.match(hoverText(await client.hover(brokenUri, { line: line + 1, character: 8 })), /T003/);
  });

  test('an incremental edit re-publishes for the new version', async () => {
    const line = lineOf(brokenText, '[US9]');
    const at = brokenText.split('\n')[line]?.indexOf('US9') ?? -1;
    const version = await client.change(brokenUri, [
      { range: { start: { line, character: at }, end: { line, character: at + 3 } }, text: 'US2' },
    ]);
    const after = await client.diagnostics(brokenUri, { version });
    assert.equal(byCode(after).get('unknown-story-label'), undefined);
    assert.deepEqual(byCode(after).get('duplicate-task-id'), [10], 'the rest is still reported');
  });
});

describe('language server over LSP: spec.md beside tasks.md', () => {
  let client: LspTestClient;
  after(async () => client.dispose());

  test('editing spec.md re-judges the story labels of its tasks.md before anything is saved', async () => {
    client = await LspTestClient.start(project);
    await client.open(brokenUri, brokenText);
    assert.deepEqual(byCode(await client.diagnostics(brokenUri, { version: 1 })).get('unknown-story-label'), [19]);
    const specPath = join(project, 'specs', '001-broken', 'spec.md');
    const published = client.publicationCount(brokenUri);
    await client.open(
      fileUri(specPath),
      `${readFileSync(specPath, 'utf8')}\n### User Story 9 - Ghosts (Priority: P3)\n`,
    );
    const after = await client.diagnosticsAfter(brokenUri, published);
    assert.equal(byCode(after).get('unknown-story-label'), undefined);
  });
});

describe('language server over LSP: a well-formed feature', () => {
  const cleanPath = join(project, 'specs', '002-clean', 'tasks.md');
  const cleanUri = fileUri(cleanPath);
  const cleanText = readFileSync(cleanPath, 'utf8');
  let client: LspTestClient;

  before(async () => {
    client = await LspTestClient.start(project);
    await client.open(cleanUri, cleanText);
  });
  after(async () => client.dispose());

  test('has no diagnostics', async () => {
    assert.deepEqual(await client.diagnostics(cleanUri, { version: 1 }), []);
  });

  test('outline: phases → subsections → tasks, then other sections', async () => {
    const symbols = (await client.documentSymbols(cleanUri)) as DocumentSymbol[];
    assert.deepEqual(
      symbols.map((s) => s.name),
      [
        'Phase 1: Setup',
        'Phase 2: User Story 1 - Sign in (Priority: P1) 🎯 MVP',
        'Phase 3: User Story 2 - Sign out (Priority: P2)',
        'Dependencies & Execution Order',
      ],
    );
    assert.deepEqual(
      symbols[0]?.children?.map((c) => c.name),
      ['T001', 'T002', 'T003'],
    );
    assert.equal(symbols[0]?.detail, '1/3 done');
    const story = symbols[1]?.children ?? [];
    assert.deepEqual(
      story.map((c) => c.name),
      ['Tests for User Story 1', 'Implementation for User Story 1'],
    );
    assert.deepEqual(
      story[1]?.children?.map((c) => c.name),
      ['T005', 'T006'],
    );
    assert.equal(story[1]?.children?.[0]?.detail, '[US1] Sign-in form in src/ui/sign-in.tsx (depends on T002)');
  });

  test('hover lists dependencies from the Dependencies section too', async () => {
    const line = lineOf(cleanText, 'T008 [US2]');
    assert.match(hoverText(await client.hover(cleanUri, { line, character: 7 })), /\*\*Depends on:\*\* T007/);
  });

  test('folding: one region per phase, plus subsections and multi-line tasks', async () => {
    const ranges = (await client.foldingRanges(cleanUri)) ?? [];
    const lines = cleanText.split('\n');
    const phaseStarts = lines.flatMap((l, i) => (l.startsWith('## Phase') ? [i] : []));
    for (const start of phaseStarts)
      assert.ok(
        ranges.some((r) => r.startLine === start && r.kind === 'region'),
        `phase at ${start} folds`,
      );
    const multiLine = lineOf(cleanText, 'T005');
    assert.ok(
      ranges.some((r) => r.startLine === multiLine && r.endLine === multiLine + 2),
      'T005 folds over its two sub-bullets',
    );
  });

  test('go to definition from a file path opens the file under the project root', async () => {
    const line = lineOf(cleanText, 'T002');
    const character = (cleanText.split('\n')[line]?.indexOf('src/models/user.ts') ?? 0) + 4;
    const locations = (await client.definition(cleanUri, { line, character })) as Location[];
    assert.deepEqual(
      locations.map((l) => fileURLToPath(l.uri)),
      [join(project, 'src', 'models', 'user.ts')],
    );
    const missing = lineOf(cleanText, 'T007');
    const nowhere = (cleanText.split('\n')[missing]?.indexOf('src/ui/sign-out.tsx') ?? 0) + 4;
    assert.deepEqual(
      await client.definition(cleanUri, { line: missing, character: nowhere }),
      [],
      'no location for a file that does not exist',
    );
  });

  test("paths as written: a link relative to tasks.md's folder opens its file and is no path outside; a URL path neither", async () => {
    const uri = fileUri(join(project, 'specs', '004-links', 'tasks.md'));
    const text = [
      '# Tasks: links',
      '## Phase 1: Setup',
      '- [ ] T001 Tune logging in [the logger](../../src/log.ts)',
      '- [ ] T002 Serve /recipes/index.json from src/log.ts',
      '',
    ].join('\n');
    await client.open(uri, text);
    const diagnostics = await client.diagnostics(uri, { version: 1 });
    assert.deepEqual(
      diagnostics.filter((d) => d.code === 'path-outside-workspace'),
      [],
      'neither path leads outside the project',
    );
    const character = (text.split('\n')[2]?.indexOf('../../src/log.ts') ?? 0) + 8;
    const locations = (await client.definition(uri, { line: 2, character })) as Location[];
    assert.deepEqual(
      locations.map((l) => fileURLToPath(l.uri)),
      [join(project, 'src', 'log.ts')],
    );
  });

  test('completion: the next free id after "- [ ] ", then [P] and the story labels of spec.md', async () => {
    const lines = cleanText.split('\n');
    const line = lineOf(cleanText, 'T008') + 1;
    const insert = async (text: string): Promise<string[]> => {
      const current = lines[line] ?? '';
      await client.change(cleanUri, [
        { range: { start: { line, character: 0 }, end: { line, character: current.length } }, text },
      ]);
      lines[line] = text;
      const result = (await client.completion(cleanUri, { line, character: text.length })) ?? [];
      return (Array.isArray(result) ? result : result.items).map((i) => i.label);
    };
    await client.change(cleanUri, [
      { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: '\n' },
    ]);
    lines.splice(line, 0, '');
    assert.deepEqual(await insert('- [ ] '), ['T009']);
    assert.deepEqual(await insert('- [ ] T0'), ['T009']);
    assert.deepEqual(await insert('- [ ] T009 '), ['[P]', '[US1]', '[US2]']);
    assert.deepEqual(await insert('- [ ] T009 [US2] '), ['[P]']);
    assert.deepEqual(await insert('- [ ] T009 [P] ['), ['[US1]', '[US2]']);
    assert.deepEqual(await insert('- [ ] T009 Write'), []);
    assert.deepEqual(await insert('Some prose '), []);
  });
});

describe('language server over LSP: real-world tasks.md files', () => {
  const realDir = resolve(repoRoot, '..', 'shared', 'fixtures', 'real-tasks');

  test('well-formed real files yield no errors (warnings and information are listed)', async (t) => {
    if (!existsSync(realDir)) {
      t.skip(`real-world fixtures not found at ${realDir}`);
      return;
    }
    // Each file is served as specs/<name>/tasks.md of a scratch project, beside its own spec.md when it has one.
    const scratch = mkdtempSync(join(tmpdir(), 'speckit-lsp-real-'));
    const client = await LspTestClient.start(scratch);
    try {
      const names = readdirSync(realDir)
        .filter((f) => f.endsWith('.tasks.md'))
        .sort();
      assert.ok(names.length > 0, 'the real-tasks folder holds tasks.md files');
      for (const name of names) {
        const feature = name.slice(0, -'.tasks.md'.length);
        const folder = join(scratch, 'specs', feature);
        mkdirSync(folder, { recursive: true });
        const spec = join(realDir, `${feature}.spec.md`);
        if (existsSync(spec)) writeFileSync(join(folder, 'spec.md'), readFileSync(spec));
        const uri = fileUri(join(folder, 'tasks.md'));
        await client.open(uri, readFileSync(join(realDir, name), 'utf8'));
        const diagnostics = await client.diagnostics(uri);
        const counts = [...byCode(diagnostics)].map(([code, lines]) => `${code} ×${lines.length}`).join(', ');
        t.diagnostic(`${name}: ${counts || 'no diagnostics'}`);
        assert.deepEqual(
          diagnostics.filter((d) => d.severity === 1).map((d) => `${d.range.start.line + 1}: ${messageOf(d)}`),
          [],
          `${name} has no errors`,
        );
      }
    } finally {
      await client.dispose();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
