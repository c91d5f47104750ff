import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeAction } from 'vscode-languageserver/node';
import { LspCommandId } from '../../../src/protocol/lsp-messages';
import { evidencedProject } from '../evidence/evidenced-project';
import { fileUri, LspTestClient } from './lsp-test-client';

test('ticks without evidence and drifted work show on the checkbox, with Re-run task and Untick', async () => {
  const { dir, harness: h } = await evidencedProject();
  const client = await LspTestClient.start(dir);
  try {
    const md = join(dir, 'specs', '001-demo', 'tasks.md');
    const uri = fileUri(md);

    // Closed: the Verify Tasks request still fills the problem list, and answers with the states.
    writeFileSync(join(dir, 'src/b.js'), '// by hand\n');
    const result = await client.verifyTasks(uri);
    assert.deepEqual(result?.summary, { verified: 1, drifted: 1, unverified: 0, open: 1 });
    const closed = await client.diagnostics(uri);
    assert.deepEqual(
      closed.map((d) => d.code),
      ['evidence-drifted'],
    );

    const text = readFileSync(md, 'utf8').replace('- [ ] T003', '- [X] T003');
    await client.open(uri, text);
    const diagnostics = await client.diagnostics(uri, { version: 1 });
    const drifted = diagnostics.find((d) => d.code === 'evidence-drifted');
    const unverified = diagnostics.find((d) => d.code === 'tick-without-evidence');
    assert.ok(drifted && unverified, JSON.stringify(diagnostics));
    assert.equal(drifted.severity, 2, 'warning');
    assert.deepEqual(
      drifted.range,
      { start: { line: 5, character: 2 }, end: { line: 5, character: 5 } },
      'on the checkbox',
    );
    assert.match(messageText(drifted.message), /src\/b\.js was changed outside any run/);
    assert.match(messageText(drifted.message), /^\+\/\/ by hand$/m, 'the change is shown');
    assert.equal(unverified.severity, 3, 'information');
    assert.equal(unverified.range.start.line, 6);
    assert.equal(
      diagnostics.filter((d) => d.code === 'evidence-drifted' || d.code === 'tick-without-evidence').length,
      2,
    );

    const actions = ((await client.codeActions(uri, unverified.range, [unverified])) ?? []) as CodeAction[];
    assert.deepEqual(
      actions.map((a) => a.title),
      ['Re-run task T003', 'Untick T003'],
    );
    assert.equal(actions[0]?.command?.command, LspCommandId.runTask);
    assert.deepEqual(actions[0]?.command?.arguments, [{ uri, taskId: 'T003', rerun: true }]);
    assert.deepEqual(actions[1]?.edit?.changes?.[uri], [
      { range: { start: { line: 6, character: 3 }, end: { line: 6, character: 4 } }, newText: ' ' },
    ]);

    // Untick as the fix does: the diagnostic goes.
    const version = await client.change(uri, [
      { range: { start: { line: 6, character: 3 }, end: { line: 6, character: 4 } }, text: ' ' },
    ]);
    const after = await client.diagnostics(uri, { version });
    assert.deepEqual(
      after.filter((d) => d.code === 'tick-without-evidence'),
      [],
    );
  } finally {
    await client.dispose();
    await h.close();
  }
});

function messageText(message: string | { value: string }): string {
  return typeof message === 'string' ? message : message.value;
}
