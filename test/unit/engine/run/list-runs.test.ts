import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordedRequest } from '../../../mock-anthropic';
import { RunStore } from '../../../../src/core/engine/journal/run-store';
import { runsDirFor, stateDirFor } from '../../../../src/core/engine';
import { sha256 } from '../../../../src/core/engine/journal/hash';
import { complete, firstUserText, makeProject, startHarness, testSettings, toolCall, turnOf } from './harness';

test('listRuns: finished, cancelled and crashed runs, newest first, with feature, outcome, times and task counts', async () => {
  const dir = await makeProject('## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n- [ ] T002 Write `src/b.js`\n');
  const h = await startHarness({ dir });
  h.mock.setHandler((request: RecordedRequest) => {
    const file = /`(src\/[a-z]\.js)`/.exec(firstUserText(request))?.[1] ?? 'src/x.js';
    return turnOf(request) === 0
      ? toolCall('propose_edit', { kind: 'create', path: file, content: file })
      : complete([file]);
  });
  try {
    assert.deepEqual(await h.engine.listRuns(dir), [], 'no state folder yet');
    const settings = { ...testSettings, validate: false, maxWorkers: 1 };
    const cancelled = h.engine.start({ root: dir, settings });
    cancelled.onEvent((e) => {
      if (e.type === 'task-status' && e.taskKey === 'T001' && e.status === 'done')
        cancelled.cancel('stopped by the test');
    });
    await cancelled.done;
    const finished = h.engine.start({ root: dir, settings });
    assert.equal((await finished.done).outcome, 'completed');

    // A run killed right after it was planned, and a folder whose journal never got a record.
    const store = new RunStore(stateDirFor(dir));
    const crashed = await store.create('9999-crashed');
    await crashed.append({
      type: 'run-planned',
      at: '2099-01-01T00:00:00.000Z',
      formatVersion: 1,
      runId: '9999-crashed',
      featureId: '001-demo',
      tasksPath: 'specs/001-demo/tasks.md',
      tasksHash: sha256(''),
      tasks: [{ key: 'T009', id: 'T009', text: 'x' }],
    });
    await crashed.close();
    await mkdir(join(runsDirFor(stateDirFor(dir)), '9999-empty', 'blobs'), { recursive: true });

    const runs = await h.engine.listRuns(dir);
    assert.deepEqual(
      runs.map((r) => r.runId),
      ['9999-crashed', finished.id, cancelled.id],
    );
    const [c, f, x] = runs;
    assert.equal(c?.outcome, 'interrupted');
    assert.equal(c?.resumable, true);
    assert.equal(c?.finishedAt, undefined);
    assert.deepEqual(c?.tasks, { total: 1, done: 0, failed: 0, skipped: 0, pending: 1 });

    assert.equal(f?.outcome, 'completed');
    assert.equal(f?.resumable, false);
    assert.equal(f?.featureId, '001-demo');
    assert.equal(f?.tasksPath, 'specs/001-demo/tasks.md');
    assert.equal(f?.root, dir);
    assert.deepEqual(f?.tasks, { total: 2, done: 2, failed: 0, skipped: 0, pending: 0 });
    assert.ok(f && f.finishedAt !== undefined && f.startedAt <= f.finishedAt && f.usage.costUsd > 0);

    assert.equal(x?.outcome, 'cancelled');
    assert.equal(x?.message, 'stopped by the test');
    assert.equal(x?.resumable, true);
    assert.equal(x?.tasks.done, 1);
    assert.deepEqual(
      (await h.engine.findInterruptedRuns(dir)).map((r) => r.runId),
      ['9999-crashed', cancelled.id],
    );
  } finally {
    await h.close();
  }
});
