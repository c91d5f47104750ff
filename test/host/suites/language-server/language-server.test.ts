// The language client in a real extension host: it starts dist/server.js over IPC once a spec-kit document
// is open (not before), diagnostics for a broken tasks.md reach the Problems view
// (vscode.languages.getDiagnostics), and the server's lenses and hovers arrive through VS Code's own
// providers; spec.md and plan.md are served, and spec.md follows a tasks.md changed on disk. A lens running a
// task against the mock API is in the orchestra-lens suite.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import packageJson from '../../../../package.json';
import type { RunCommandResult } from '../../../../src/extension/commands';
import { LANGUAGE_SERVER_STATE_COMMAND } from '../../../../src/extension/language-client';
import { LspCommandId, parseRunTaskArgs } from '../../../../src/protocol/lsp-messages';
import { quickFixesAt } from '../../quick-fixes';
import { waitFor } from '../../wait';

const extensionId = `${packageJson.publisher}.${packageJson.name}`;

function tasksUri(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, 'specs', '001-broken', 'tasks.md');
}

async function openTasks(): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(tasksUri());
  await vscode.window.showTextDocument(document);
  return document;
}

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

suite('language server', () => {
  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is installed`);
    await extension.activate();
  });

  test('the client starts only once a spec-kit document is open, then reaches Running', async () => {
    assert.equal(
      await vscode.commands.executeCommand<string>(LANGUAGE_SERVER_STATE_COMMAND),
      'not-started',
      'no spec-kit document was open',
    );
    await openTasks();
    const state = await waitFor(
      'the language client to run',
      async () => {
        const current = await vscode.commands.executeCommand<string>(LANGUAGE_SERVER_STATE_COMMAND);
        return current === 'running' ? current : undefined;
      },
      20_000,
    );
    assert.equal(state, 'running');
  });

  test('diagnostics for a broken tasks.md appear in the Problems view with stable codes', async () => {
    const document = await openTasks();
    const diagnostics = await waitFor(
      'diagnostics for tasks.md',
      () => {
        const found = vscode.languages.getDiagnostics(document.uri);
        return found.some((d) => codeOf(d) === 'dependency-cycle') ? found : undefined;
      },
      20_000,
    );
    const codes = new Set(diagnostics.map(codeOf));
    for (const code of [
      'duplicate-task-id',
      'checkbox-without-id',
      'malformed-checkbox',
      'parallel-same-file',
      'unknown-dependency',
      'dependency-on-later-phase',
      'dependency-cycle',
      'unknown-story-label',
      'path-outside-workspace',
    ]) {
      assert.ok(codes.has(code), `${code} reported (got ${[...codes].join(', ')})`);
    }
    assert.ok(diagnostics.every((d) => d.source === 'speckit'));
  });

  test('code lenses offer Run task and Run phase; a lens command refuses arguments it cannot read', async () => {
    const document = await openTasks();
    const lenses = await waitFor('code lenses', async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>(
        'vscode.executeCodeLensProvider',
        document.uri,
      );
      return found.some((l) => l.command?.command === LspCommandId.runTask) ? found : undefined;
    });
    const runTask = lenses.find((l) => l.command?.command === LspCommandId.runTask);
    assert.ok(
      lenses.some((l) => l.command?.command === LspCommandId.runPhase),
      'a Run phase lens',
    );
    assert.ok(runTask?.command);
    const [lensArgs] = (runTask.command.arguments ?? []) as unknown[];
    assert.equal(parseRunTaskArgs(lensArgs)?.uri, document.uri.toString(), 'the lens names its tasks.md');
    const result = await vscode.commands.executeCommand<RunCommandResult>(runTask.command.command, { taskId: 'T001' });
    assert.deepEqual(result, { ran: false, reason: 'invalid-arguments' });
  });

  test('hover on a dependency shows the task it names', async () => {
    const document = await openTasks();
    const line = document
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('T009 [US1]'));
    const character = document.lineAt(line).text.indexOf('T012') + 1;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      document.uri,
      new vscode.Position(line, character),
    );
    const text = hovers
      .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')))
      .join('\n');
    assert.match(text, /Sign-out button/);
  });

  test('spec.md and plan.md are served; a tasks.md changed on disk, never opened, updates its spec.md', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const feature = vscode.Uri.joinPath(folder.uri, 'specs', '002-watched');
    const write = (name: string, text: string) =>
      vscode.workspace.fs.writeFile(vscode.Uri.joinPath(feature, name), new TextEncoder().encode(text));
    await write(
      'spec.md',
      '# Feature Specification: Watched\n\n### User Story 1 - Browse (Priority: P1)\n\n### User Story 2 - Export (Priority: P2)\n',
    );
    await write('tasks.md', '# Tasks: Watched\n\n## Phase 1: Setup\n\n- [ ] T001 [US1] List items in src/list.ts\n');
    await write('plan.md', '# Implementation Plan: Watched\n\n## Technical Context\n');

    const spec = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(feature, 'spec.md'));
    await vscode.window.showTextDocument(spec);
    const storyWithoutTasks = (): vscode.Diagnostic[] =>
      vscode.languages
        .getDiagnostics(spec.uri)
        .filter((d) => d.source === 'speckit' && codeOf(d) === 'story-without-tasks');
    const reported = await waitFor(
      'story-without-tasks on spec.md',
      () => (storyWithoutTasks().length > 0 ? storyWithoutTasks() : undefined),
      20_000,
    );
    assert.deepEqual(
      reported.map((d) => d.range.start.line),
      [4],
      'User Story 2 has no task',
    );

    await write(
      'tasks.md',
      '# Tasks: Watched\n\n## Phase 1: Setup\n\n- [ ] T001 [US1] List items in src/list.ts\n- [ ] T002 [US2] Export items in src/export.ts\n',
    );
    await waitFor(
      'spec.md diagnostics to follow tasks.md on disk',
      () => (storyWithoutTasks().length === 0 ? true : undefined),
      20_000,
    );
    assert.ok(
      !vscode.workspace.textDocuments.some(
        (d) => d.uri.toString() === vscode.Uri.joinPath(feature, 'tasks.md').toString(),
      ),
      'tasks.md was never opened',
    );

    const plan = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(feature, 'plan.md'));
    await vscode.window.showTextDocument(plan);
    // The server names a level-1 heading as a File symbol; Markdown's own outline names every heading a String.
    const symbols = await waitFor(
      'the server outline of plan.md',
      async () => {
        const found = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>(
          'vscode.executeDocumentSymbolProvider',
          plan.uri,
        );
        return found?.some((s) => s.kind === vscode.SymbolKind.File) ? found : undefined;
      },
      20_000,
    );
    assert.ok(symbols.some((s) => s.kind === vscode.SymbolKind.File && /Implementation Plan/.test(s.name)));
  });
  test('tasks written as headings: the quick fix for all of them, applied in the editor, makes them tasks', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const uri = vscode.Uri.joinPath(folder.uri, 'specs', '003-headings', 'tasks.md');
    const text =
      '# Tasks: Headings\n\n## Phase 1: Setup\n\n### T001: Install the parser in package.json\n\n' +
      '```bash\nnpm install parser\n```\n\n### T002: Add src/parse.ts\n';
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const withoutCheckbox = (): vscode.Diagnostic[] =>
      vscode.languages.getDiagnostics(uri).filter((d) => codeOf(d) === 'task-without-checkbox');
    const flagged = await waitFor('the two headings flagged', () =>
      withoutCheckbox().length === 2 ? withoutCheckbox() : undefined,
    );
    const first = flagged.find((d) => d.range.start.line === 4);
    assert.ok(first, JSON.stringify(flagged.map((d) => d.range.start.line)));
    const actions = await quickFixesAt('the quick fixes of T001', uri, first.range);
    const all = actions.find((a) => a.title.startsWith('Write all 2 tasks'));
    assert.ok(all?.edit, JSON.stringify(actions.map((a) => a.title)));
    assert.ok(await vscode.workspace.applyEdit(all.edit));
    assert.equal(
      document.getText(),
      '# Tasks: Headings\n\n## Phase 1: Setup\n\n- [ ] T001 Install the parser in package.json\n\n' +
        '  ```bash\n  npm install parser\n  ```\n\n- [ ] T002 Add src/parse.ts\n',
    );
    await waitFor('the headings no longer flagged', () => (withoutCheckbox().length === 0 ? true : undefined));
    await document.save();
  });
});
