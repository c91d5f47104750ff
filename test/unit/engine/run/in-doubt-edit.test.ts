import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../../../src/core/engine/journal/hash';
import { complete, makeProject, startHarness, testSettings, toolCall } from './harness';

test('resume settles an edit interrupted between its write-ahead record and its confirmation by looking at the disk', async () => {
  const dir = await makeProject('## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n');
  const h = await startHarness({ dir });
  try {
    // First session: the worker is cancelled while thinking, before proposing anything.
    h.mock.setHandler(() => toolCall('read_file', { path: 'specs/001-demo/tasks.md' }));
    const first = h.engine.start({ root: dir, settings: { ...testSettings, validate: false } });
    first.onEvent((e) => {
      if (e.type === 'worker-started') first.cancel('crash');
    });
    const interrupted = await first.done;
    assert.equal(interrupted.outcome, 'cancelled');

    // As if the process died mid-apply: the write-ahead record exists, the file was written, no confirmation.
    const content = 'module.exports = 1;\n';
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'src/a.js'), content);
    const journal = join(interrupted.journalDir, 'journal.jsonl');
    appendFileSync(
      journal,
      `${JSON.stringify({ type: 'edit-applying', at: new Date().toISOString(), proposalId: 'p-crash', taskKey: 'T001', path: 'src/a.js', kind: 'create', preImage: { kind: 'none' }, writtenHash: sha256(content) })}\n`,
    );

    // Second session: the model only completes; the edit on disk counts, so the task is done, not questioned.
    h.mock.setHandler(() => complete(['src/a.js']));
    const before = h.mock.requests.length;
    const result = await (
      await h.engine.resume({ root: dir, runId: first.id, settings: { ...testSettings, validate: false } })
    ).done;
    assert.equal(result.outcome, 'completed', result.message);
    assert.equal(h.mock.requests.length - before, 1, 'no follow-up question: the applied edit was found');
    assert.match(readFileSync(journal, 'utf8'), /"type":"edit-applied","at":"[^"]+","proposalId":"p-crash"/);
    const rolled = await h.engine.rollback({ root: dir, runId: first.id });
    assert.deepEqual(rolled.deleted, ['src/a.js']);
  } finally {
    await h.close();
  }
});
