// The language server on tasks.md files unlike its own fixtures (test/fixtures/projects/unseen-*): no false
// errors, quick fixes that stay correct on CRLF documents with a BOM, hovers on references, the next free id,
// definitions for paths with and without backticks.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, CompletionItem, Diagnostic, Hover, Location } from 'vscode-languageserver/node';
import { fileUri, LspTestClient } from './lsp-test-client';

const projects = resolve(__dirname, '..', '..', 'fixtures', 'projects');

function unseenTasksFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name === 'tasks.md') found.push(join(dir, e.name));
    }
  };
  for (const e of readdirSync(projects, { withFileTypes: true }))
    if (e.isDirectory() && e.name.startsWith('unseen-')) walk(join(projects, e.name));
  return found.sort();
}

/** The text as an editor hands it to a language server: VS Code (and most editors) drop the BOM, keep CRLF. */
function editorText(path: string): string {
  return readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
}

function hoverText(hover: Hover | null): string {
  assert.ok(hover && typeof hover.contents === 'object' && 'value' in hover.contents, 'expected a markdown hover');
  return hover.contents.value;
}

function labels(result: CompletionItem[] | { items: CompletionItem[] } | null): string[] {
  return (Array.isArray(result) ? result : (result?.items ?? [])).map((i) => i.label);
}

describe('language server: unseen tasks.md files', () => {
  let client: LspTestClient;
  before(async () => {
    client = await LspTestClient.start(projects);
  });
  after(async () => client.dispose());

  test('no errors on any of them; what each yields is listed', async (t) => {
    const files = unseenTasksFiles();
    assert.ok(files.length >= 12);
    for (const path of files) {
      const uri = fileUri(path);
      await client.open(uri, editorText(path));
      const diagnostics = await client.diagnostics(uri, { version: 1 });
      const feature = path.split(/[\\/]/).slice(-2, -1)[0] ?? path;
      t.diagnostic(
        `${feature}: ${diagnostics.map((d) => `${String(d.code)}@${d.range.start.line + 1}`).join(', ') || 'none'}`,
      );
      assert.deepEqual(
        diagnostics.filter((d) => d.severity === 1).map((d) => d.message),
        [],
        `${feature} has no errors`,
      );
    }
  });

  test('graph: a reference to an id that is duplicated later is no cycle', async () => {
    const path = join(projects, 'unseen-odd', 'specs', '007-duplicate-ref', 'tasks.md');
    const uri = fileUri(path);
    await client.open(uri, editorText(path));
    const diagnostics = await client.diagnostics(uri, { version: 1 });
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === 1).map((d) => d.message),
      [],
    );
  });
});

describe('language server: quick fixes on a CRLF document with a BOM', () => {
  const path = join(projects, 'unseen-crlf', 'specs', '008-cache-review', 'tasks.md');
  const raw = readFileSync(path, 'utf8');
  assert.ok(raw.startsWith('\uFEFF') && raw.includes('\r\n'), 'the fixture is CRLF with a BOM');
  let client: LspTestClient;
  before(async () => {
    client = await LspTestClient.start(join(projects, 'unseen-crlf'));
  });
  after(async () => client.dispose());

  /** Opens `text`, applies the one quick fix of each diagnostic code, and returns the edited text per code. */
  async function fixedTexts(uri: string, text: string): Promise<Map<string, string>> {
    await client.open(uri, text);
    const diagnostics = await client.diagnostics(uri, { version: 1 });
    const result = new Map<string, string>();
    for (const code of ['duplicate-task-id', 'parallel-same-file', 'checkbox-without-id']) {
      const d = diagnostics.find((x: Diagnostic) => x.code === code);
      assert.ok(d, `no ${code}`);
      const actions = ((await client.codeActions(uri, d.range, [d])) ?? []).filter((a): a is CodeAction => 'edit' in a);
      assert.equal(actions.length, 1, code);
      const edits = actions[0]?.edit?.changes?.[uri] ?? [];
      result.set(code, TextDocument.applyEdits(TextDocument.create(uri, 'markdown', 1, text), edits));
    }
    return result;
  }

  function expectFixed(fixed: Map<string, string>, text: string): void {
    const lines = text.split('\r\n');
    const expected = (line: number, replacement: string): string =>
      [...lines.slice(0, line), replacement, ...lines.slice(line + 1)].join('\r\n');
    assert.equal(fixed.get('duplicate-task-id'), expected(6, '- [ ] T004 Add a second task with a reused id'));
    assert.equal(fixed.get('parallel-same-file'), expected(5, '- [ ] T002 Tune the cache in src/cache.ts'));
    assert.equal(fixed.get('checkbox-without-id'), expected(7, '- [ ] T004 Add a task that has no id yet'));
    for (const [code, edited] of fixed)
      assert.equal(edited.split('\r\n').length, lines.length, `${code}: every line still ends in CRLF`);
  }

  test('as editors send it (BOM dropped, CRLF kept): each fix edits exactly its line', async () => {
    const text = raw.slice(1);
    expectFixed(await fixedTexts(fileUri(path), text), text);
  });

  test('from a client that keeps the BOM in the text: the same edits, the BOM untouched', async () => {
    const uri = fileUri(join(projects, 'unseen-crlf', 'specs', '008-cache-review', 'with-bom', 'tasks.md'));
    const fixed = await fixedTexts(uri, raw);
    for (const edited of fixed.values()) assert.ok(edited.startsWith('\uFEFF# Tasks: Cache review\r\n'));
    expectFixed(fixed, raw);
  });
});

describe('language server: hover, completion and definition on unseen documents', () => {
  const crlfPath = join(projects, 'unseen-crlf', 'specs', '007-offline-cache', 'tasks.md');
  const crlfUri = fileUri(crlfPath);
  const crlfText = editorText(crlfPath);
  const crlfLines = crlfText.split('\r\n');
  const templateRoot = join(projects, 'unseen-template');
  const templatePath = join(templateRoot, 'specs', '042-bookmark-sync', 'tasks.md');
  const templateUri = fileUri(templatePath);
  const templateLines = editorText(templatePath).split('\n');
  let client: LspTestClient;
  before(async () => {
    client = await LspTestClient.start(projects);
    await client.open(crlfUri, crlfText);
    await client.open(templateUri, editorText(templatePath));
  });
  after(async () => client.dispose());

  test('hover on "depends on T001" in a CRLF document shows T001 and its tab-indented details, no CR', async () => {
    const line = crlfLines.findIndex((l) => l.includes('T003'));
    const character = (crlfLines[line] ?? '').indexOf('T001') + 2;
    const text = hoverText(await client.hover(crlfUri, { line, character }));
    assert.match(text, /^\*\*T001\*\* — line 5/);
    assert.match(text, /Create the cache package in src\/cache\/index\.ts/);
    assert.match(text, /- use an LRU with a size cap/);
    assert.match(text, /\*\*Phase:\*\* Phase 1: Setup/);
    assert.doesNotMatch(text, /\r/);
  });

  test('hover on "after T013" and on a numbered-list task id', async () => {
    const line = templateLines.findIndex((l) => l.includes('after T013'));
    const onRef = hoverText(
      await client.hover(templateUri, { line, character: (templateLines[line] ?? '').lastIndexOf('T013') }),
    );
    assert.match(onRef, /\*\*T013\*\* \[P\] \[US2\]/);
    const numbered = crlfLines.findIndex((l) => l.startsWith('3) [ ] T005'));
    assert.match(hoverText(await client.hover(crlfUri, { line: numbered, character: 8 })), /\*\*Depends on:\*\* T004/);
  });

  test('completion of the next free id in a CRLF document, and in one that writes T1, T2', async () => {
    const line = crlfLines.findIndex((l) => l.includes('T005'));
    const version = await client.change(crlfUri, [
      { range: { start: { line: line + 1, character: 0 }, end: { line: line + 1, character: 0 } }, text: '- [ ] \r\n' },
    ]);
    await client.diagnostics(crlfUri, { version });
    assert.deepEqual(labels(await client.completion(crlfUri, { line: line + 1, character: 6 })), ['T009']);

    const shortUri = fileUri(join(projects, 'unseen-odd', 'specs', '009-short', 'tasks.md'));
    await client.open(
      shortUri,
      '# Tasks\n\n## Phase 1: Setup\n\n- [ ] T1 Create the package\n- [ ] T2 Add the config\n- [ ] \n',
    );
    assert.deepEqual(
      labels(await client.completion(shortUri, { line: 6, character: 6 })),
      ['T3'],
      'no padding the document does not use',
    );
  });

  test('go to definition from a file path, with and without backticks', async () => {
    const target = join(templateRoot, 'frontend', 'src', 'sync.ts');
    for (const needle of ['`frontend/src/sync.ts`', '(see frontend/src/sync.ts)']) {
      const line = templateLines.findIndex((l) => l.includes(needle));
      assert.ok(line >= 0, needle);
      const character = (templateLines[line] ?? '').indexOf('frontend/src/sync.ts') + 5;
      const locations = (await client.definition(templateUri, { line, character })) as Location[];
      assert.deepEqual(
        locations.map((l) => fileURLToPath(l.uri)),
        [target],
        needle,
      );
    }
    const missing = templateLines.findIndex((l) => l.includes('backend/go.mod'));
    const at = (templateLines[missing] ?? '').indexOf('backend/go.mod') + 3;
    assert.deepEqual(
      await client.definition(templateUri, { line: missing, character: at }),
      [],
      'a file that does not exist has no definition',
    );
  });
});
