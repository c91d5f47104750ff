// The server as other editors start it: its own process, speaking LSP over stdin/stdout (`--stdio`).
// Started from source through tsx, so the test needs no build; dist/server.js is the same entry bundled.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import {
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver/node';
import { fileUri } from './lsp-test-client';

const repoRoot = resolve(__dirname, '..', '..', '..');

test('node main.ts --stdio serves diagnostics and exits cleanly on shutdown + exit', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'server', 'main.ts'), '--stdio'], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  try {
    const published = new Promise<PublishDiagnosticsParams>((resolvePublished) => {
      connection.onNotification(PublishDiagnosticsNotification.type, resolvePublished);
    });
    connection.listen();
    const project = join(repoRoot, 'test', 'fixtures', 'lsp', 'project');
    const result = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: fileUri(project),
      capabilities: {},
      workspaceFolders: null,
    });
    assert.equal(result.serverInfo?.name, 'speckit-orchestra-language-server');
    await connection.sendNotification(InitializedNotification.type, {});
    const uri = fileUri(join(project, 'specs', '009-standalone', 'tasks.md'));
    await connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'markdown', version: 1, text: '## Phase 1: A\n\n- [ ] T001 a\n- [ ] T001 b\n' },
    });
    const diagnostics = await published;
    assert.deepEqual(
      diagnostics.diagnostics.map((d) => d.code),
      ['duplicate-task-id'],
    );
    await connection.sendRequest(ShutdownRequest.type);
    const exited = once(child, 'exit');
    await connection.sendNotification(ExitNotification.type);
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0);
  } finally {
    connection.dispose();
    if (child.exitCode === null) child.kill();
  }
});

test('without a transport flag it prints its usage and exits with 2', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'server', 'main.ts')], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 2);
  assert.match(stderr, /--stdio/);
});
