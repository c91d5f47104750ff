import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalRecord } from '../../../src/protocol/journal';
import { sha256 } from '../../../src/core/engine/journal/hash';
import { rollbackRun } from '../../../src/core/engine/journal/rollback';
import { RunStore } from '../../../src/core/engine/journal/run-store';
import type { RunFolder } from '../../../src/core/engine/journal/run-store';
import { stateDirFor } from '../../../src/core/engine/journal/state-dir';
import { NodeWorkspace } from '../../../src/core/engine/workspace/node-workspace';
import { never, tempProject } from './temp-dir';

const at = '2026-01-01T00:00:00.000Z';

/** Simulates what the gate does for one applied edit: pre-image blob, write-ahead record, write, confirmation. */
async function applyEdit(
  root: string,
  run: RunFolder,
  proposalId: string,
  taskKey: string,
  path: string,
  next: string | null,
  confirm = true,
): Promise<void> {
  const before = await readFile(join(root, path), 'utf8').catch(() => null);
  const preImage = before === null ? ({ kind: 'none' } as const) : await run.storeBlob(before);
  const record: JournalRecord = {
    type: 'edit-applying',
    at,
    proposalId,
    taskKey,
    path,
    kind: before === null ? 'create' : next === null ? 'delete' : 'modify',
    preImage,
    writtenHash: next === null ? null : sha256(next),
  };
  await run.append(record);
  if (!confirm) return;
  const ws = new NodeWorkspace(root);
  if (next === null) await ws.delete(path, never);
  else await ws.writeAtomic(path, next, never);
  await run.append({ type: 'edit-applied', at, proposalId });
}

async function setUp(): Promise<{ root: string; store: RunStore; run: RunFolder }> {
  const root = await tempProject({ 'a.ts': 'a0', 'gone.ts': 'g0' });
  const store = new RunStore(stateDirFor(root));
  const run = await store.create('r');
  await applyEdit(root, run, 'p1', 'T1', 'a.ts', 'a1');
  await applyEdit(root, run, 'p2', 'T1', 'new.ts', 'n1');
  await applyEdit(root, run, 'p3', 'T2', 'a.ts', 'a2');
  await applyEdit(root, run, 'p4', 'T2', 'gone.ts', null);
  return { root, store, run };
}

const deps = (root: string, run: RunFolder) => ({
  workspace: new NodeWorkspace(root),
  journal: run,
  now: () => new Date(at),
  signal: never,
});
const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

test('rolling back a whole run restores modified files, recreates deleted ones and deletes created ones', async () => {
  const { root, store, run } = await setUp();
  const state = (await store.read('r'))!.state;
  const report = await rollbackRun(state, {}, deps(root, run));
  assert.deepEqual(report.conflicts, []);
  assert.equal(await readFile(join(root, 'a.ts'), 'utf8'), 'a0');
  assert.equal(await readFile(join(root, 'gone.ts'), 'utf8'), 'g0');
  assert.equal(await exists(join(root, 'new.ts')), false);
  assert.deepEqual(report.deleted, ['new.ts']);
  assert.deepEqual(report.restored.sort(), ['a.ts', 'gone.ts']);
  // Recorded: a second rollback has nothing left to do.
  const again = await rollbackRun((await store.read('r'))!.state, {}, deps(root, run));
  assert.deepEqual(again, { restored: [], deleted: [], unchanged: [], conflicts: [], unrestorable: [] });
});

test('a file the user edited afterwards is a conflict with both contents, untouched until forced', async () => {
  const { root, store, run } = await setUp();
  await writeFile(join(root, 'new.ts'), 'user work');
  const state = (await store.read('r'))!.state;
  const report = await rollbackRun(state, { taskKey: 'T1' }, deps(root, run));
  // T1's edit of a.ts was overwritten by T2 since: rolling back T1 alone must not clobber T2's content either.
  assert.deepEqual(report.conflicts, [
    { path: 'new.ts', proposalId: 'p2', taskKey: 'T1', current: 'user work', restore: null },
    { path: 'a.ts', proposalId: 'p1', taskKey: 'T1', current: 'a2', restore: 'a0' },
  ]);
  assert.equal(await readFile(join(root, 'new.ts'), 'utf8'), 'user work');
  assert.equal(await readFile(join(root, 'a.ts'), 'utf8'), 'a2');

  const forced = await rollbackRun(
    (await store.read('r'))!.state,
    { taskKey: 'T1', force: ['new.ts'] },
    deps(root, run),
  );
  assert.deepEqual(forced.deleted, ['new.ts']);
  assert.equal(await exists(join(root, 'new.ts')), false);
});

test('in-doubt edits (crash between write-ahead and confirmation) and too-big pre-images', async () => {
  const root = await tempProject({ 'a.ts': 'a0', 'big.ts': 'x'.repeat(50) });
  const store = new RunStore(stateDirFor(root), { maxBlobBytes: 20 });
  const run = await store.create('r');
  await applyEdit(root, run, 'p1', 'T1', 'a.ts', 'a1', false);
  await applyEdit(root, run, 'p2', 'T1', 'big.ts', 'small');
  const state = (await store.read('r'))!.state;
  assert.equal(state.edits[0]?.inDoubt, true);
  const report = await rollbackRun(state, {}, deps(root, run));
  assert.deepEqual(report.unchanged, ['a.ts']);
  assert.equal(report.unrestorable[0]?.path, 'big.ts');
  assert.match(report.unrestorable[0]?.reason ?? '', /over the 20-byte limit/);
});
