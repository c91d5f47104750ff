import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalRecord } from '../../../src/protocol/journal';
import { BlobStore } from '../../../src/core/engine/journal/blob-store';
import { foldJournal, isInterrupted } from '../../../src/core/engine/journal/fold';
import { sha256 } from '../../../src/core/engine/journal/hash';
import { parseJournalText, readJournalFile } from '../../../src/core/engine/journal/journal-file';
import { RunStore } from '../../../src/core/engine/journal/run-store';
import { stateDirFor } from '../../../src/core/engine/journal/state-dir';
import { matchTasks } from '../../../src/core/engine/journal/task-matcher';
import { tempProject } from './temp-dir';

const at = '2026-01-01T00:00:00.000Z';
const usage = {
  inputTokens: 10,
  outputTokens: 5,
  cacheCreationInputTokens: 1,
  cacheCreation1hInputTokens: 0,
  cacheReadInputTokens: 2,
  costUsd: 0.5,
  estimated: false,
};
const planned: JournalRecord = {
  type: 'run-planned',
  at,
  formatVersion: 1,
  runId: 'r1',
  featureId: '001-x',
  tasksPath: 'specs/001-x/tasks.md',
  tasksHash: sha256('tasks'),
  tasks: [
    { key: 'T001', id: 'T001', text: 'Create a.ts' },
    { key: 'T002', id: 'T002', text: 'Test a.ts' },
  ],
};

test('RunStore: durable appends, state folder git-ignored, torn last line tolerated and repaired on reopen', async () => {
  const root = await tempProject();
  const store = new RunStore(stateDirFor(root));
  const run = await store.create('r1');
  await run.append(planned);
  await run.append({ type: 'task-state', at, taskKey: 'T001', status: 'running' });
  await run.close();
  assert.equal(
    await readFile(join(root, '.specify/orchestra/.gitignore'), 'utf8').then((t) => t.split('\n').includes('*')),
    true,
  );

  // kill -9 in the middle of a write: half a record, no newline.
  const journalPath = join(root, '.specify/orchestra/runs/r1/journal.jsonl');
  await appendFile(journalPath, '{"type":"task-state","at":"2026-01-01T00:00:00.000Z","taskKey":"T0');
  const torn = await readJournalFile(journalPath);
  assert.equal(torn.records.length, 2);
  assert.match(torn.warnings[0] ?? '', /torn last record/);

  const resumed = await store.open('r1');
  await resumed.append({ type: 'task-state', at, taskKey: 'T001', status: 'done' });
  await resumed.close();
  const repaired = await readJournalFile(journalPath);
  assert.deepEqual(repaired.warnings, []);
  assert.equal(foldJournal(repaired.records).taskStatus.get('T001'), 'done');
});

test('a whole last record that only lost its newline is kept when reopening', async () => {
  const root = await tempProject();
  const store = new RunStore(stateDirFor(root));
  const run = await store.create('r1');
  await run.append(planned);
  await run.close();
  await appendFile(
    join(root, '.specify/orchestra/runs/r1/journal.jsonl'),
    JSON.stringify({ type: 'task-state', at, taskKey: 'T001', status: 'done' }),
  );
  const reopened = await store.open('r1');
  await reopened.append({ type: 'task-state', at, taskKey: 'T002', status: 'done' });
  await reopened.close();
  const state = (await store.read('r1'))?.state;
  assert.equal(state?.taskStatus.get('T001'), 'done');
  assert.equal(state?.taskStatus.get('T002'), 'done');
});

test('parseJournalText skips garbage and unknown records with a warning, never throws', () => {
  const text = `${JSON.stringify(planned)}\nnot json\n${JSON.stringify({ type: 'from-the-future', at })}\n`;
  const { records, warnings } = parseJournalText(text);
  assert.equal(records.length, 1);
  assert.equal(warnings.length, 2);
});

test('a usage record from before 1-hour cache writes were counted apart reads with none of them', () => {
  const { cacheCreation1hInputTokens: _left, ...older } = usage;
  const { records, warnings } = parseJournalText(`${JSON.stringify({ type: 'usage', at, usage: older })}\n`);
  assert.deepEqual(warnings, []);
  const record = records[0];
  assert.equal(record?.type, 'usage');
  assert.deepEqual(record?.type === 'usage' ? record.usage : undefined, { ...older, cacheCreation1hInputTokens: 0 });
});

test('blobs: identical contents are stored once, whole, and a blob folder removed during a run is made again', async () => {
  const root = await tempProject();
  const run = await new RunStore(stateDirFor(root)).create('r');
  const blobs = join(root, '.specify/orchestra/runs/r/blobs');
  const [one, same] = await Promise.all([run.storeBlob('pre-image'), run.storeBlob('pre-image')]);
  assert.deepEqual(one, same);
  await run.storeBlob('pre-image');
  assert.deepEqual(await readdir(blobs), [sha256('pre-image')], 'one blob, no temp file left');
  await rm(blobs, { recursive: true });
  assert.deepEqual(await run.storeBlob('after'), { kind: 'stored', hash: sha256('after'), size: 5 });
  assert.equal(await run.readBlob(sha256('after')), 'after');
  await run.close();
});

test('blobs: one stored lately reads back from memory, an older one from disk, a later session from disk', async () => {
  const root = await tempProject();
  const dir = join(root, 'blobs');
  await mkdir(dir);
  const store = new BlobStore(dir);
  const big = (c: string) => c.repeat(1_500_000); // 3 MB in memory each: the second pushes the first out
  await store.put('post-image');
  await store.put(big('a'));
  await store.put(big('b'));
  for (const text of ['post-image', big('a'), big('b')]) await rm(join(dir, sha256(text)));
  assert.equal(await store.get(sha256('post-image')), undefined, 'pushed out: read from disk, where it is gone');
  assert.equal(await store.get(sha256(big('a'))), undefined);
  assert.equal(await store.get(sha256(big('b'))), big('b'), 'the latest: from memory');
  await store.put('kept');
  assert.equal(await new BlobStore(dir).get(sha256('kept')), 'kept', 'another session reads the file');
});

test('interrupted runs are found, finished ones are not; deleteRun removes journal and blobs', async () => {
  const root = await tempProject();
  const store = new RunStore(stateDirFor(root), { maxBlobBytes: 10 });
  const a = await store.create('a');
  await a.append({ ...planned, runId: 'a' });
  assert.deepEqual(await a.storeBlob('small'), { kind: 'stored', hash: sha256('small'), size: 5 });
  assert.equal((await a.storeBlob('far too big for the cap')).kind, 'too-big');
  assert.equal(await a.readBlob(sha256('small')), 'small');
  await a.close();
  const b = await store.create('b');
  await b.append({ ...planned, runId: 'b' });
  await b.append({ type: 'run-finished', at, outcome: 'completed', message: 'ok' });
  await b.close();
  assert.deepEqual(
    (await store.findInterrupted()).map((r) => r.runId),
    ['a'],
  );
  assert.deepEqual(await readdir(join(root, '.specify/orchestra/runs/a/blobs')), [sha256('small')]);
  await store.deleteRun('a');
  await assert.rejects(stat(join(root, '.specify/orchestra/runs/a')), /ENOENT/);
  assert.deepEqual(
    (await store.list()).map((r) => r.runId),
    ['b'],
  );
  await assert.rejects(store.open('../escape'), /not a run id/);
});

test('foldJournal: task states, edits with in-doubt and rolled-back, commands, summaries, usage totals', () => {
  const records: JournalRecord[] = [
    planned,
    { type: 'task-state', at, taskKey: 'T001', status: 'running' },
    {
      type: 'edit-applying',
      at,
      proposalId: 'p1',
      taskKey: 'T001',
      path: 'a.ts',
      kind: 'create',
      preImage: { kind: 'none' },
      writtenHash: sha256('a'),
    },
    { type: 'edit-applied', at, proposalId: 'p1' },
    {
      type: 'edit-applying',
      at,
      proposalId: 'p2',
      taskKey: 'T001',
      path: 'b.ts',
      kind: 'create',
      preImage: { kind: 'none' },
      writtenHash: sha256('b'),
    },
    {
      type: 'command-run',
      at,
      name: 'test',
      argv: ['npm', 'test'],
      outcome: 'exited',
      exitCode: 0,
      signal: null,
      timedOut: false,
      durationMs: 5,
    },
    {
      type: 'worker-summary',
      at,
      taskKey: 'T001',
      workerId: 'w1',
      role: 'code-writer',
      summary: 'made a',
      filesTouched: ['a.ts'],
    },
    { type: 'usage', at, role: 'code-writer', taskKey: 'T001', usage },
    { type: 'usage', at, role: 'test-writer', taskKey: 'T002', usage },
    { type: 'usage', at, role: 'code-writer', taskKey: 'T001', usage },
    { type: 'usage', at, role: 'task-orchestrator', usage },
    { type: 'task-state', at, taskKey: 'T001', status: 'done' },
    { type: 'edit-rolled-back', at, proposalId: 'p1' },
    { type: 'run-cancelled', at, reason: 'user' },
  ];
  const state = foldJournal(records);
  assert.equal(state.taskStatus.get('T001'), 'done');
  assert.equal(state.taskStatus.get('T002'), 'pending');
  assert.deepEqual(
    state.edits.map((e) => [e.proposalId, e.inDoubt, e.rolledBack]),
    [
      ['p1', false, true],
      ['p2', true, false],
    ],
  );
  assert.equal(state.commands[0]?.exitCode, 0);
  assert.equal(state.summaries[0]?.summary, 'made a');
  assert.equal(state.usage.inputTokens, 40);
  assert.equal(state.usage.costUsd, 2);
  assert.equal(state.usageByRole.get('test-writer')?.outputTokens, 5);
  assert.equal(state.usageByRole.get('code-writer')?.costUsd, 1);
  assert.deepEqual([...state.usageByTask.keys()].sort(), ['T001', 'T002'], 'a call with no task is in the total only');
  assert.equal(state.usageByTask.get('T001')?.inputTokens, 20);
  assert.equal(state.usageByTask.get('T002')?.costUsd, 0.5);
  assert.equal(state.cancelled?.reason, 'user');
  assert.equal(isInterrupted(state), true, 'a cancelled run can be resumed');
  assert.equal(
    isInterrupted(foldJournal([...records, { type: 'run-finished', at, outcome: 'completed', message: '' }])),
    false,
  );
});

test('matchTasks: same, renumbered, reworded, missing, new — each task exactly once', () => {
  const journal = [
    { key: 'T001', id: 'T001', text: 'Create models' },
    { key: 'T002', id: 'T002', text: 'Write   API tests' },
    { key: 'T003', id: 'T003', text: 'Add logging' },
    { key: 'T004', id: 'T004', text: 'Old task' },
    { key: 'T009', id: 'T009', text: 'Dropped' },
  ];
  const current = [
    { key: 'T001', id: 'T001', text: 'Create models' },
    { key: 'T003', id: 'T003', text: 'Write API tests' },
    { key: 'T002', id: 'T002', text: 'Add structured logging' },
    { key: 'T004', id: 'T004', text: 'Old task, reworded' },
    { key: 'T005', id: 'T005', text: 'Brand new' },
  ];
  const summary = matchTasks(journal, current).map((m) => {
    switch (m.kind) {
      case 'missing':
        return `missing ${m.journal.id}`;
      case 'new':
        return `new ${m.current.id}`;
      default:
        return `${m.kind} ${m.journal.id}->${m.current.id}`;
    }
  });
  assert.deepEqual(
    summary.sort(),
    [
      'missing T003',
      'missing T009',
      'new T002',
      'new T005',
      'renumbered T002->T003',
      'reworded T004->T004',
      'same T001->T001',
    ].sort(),
  );
});

test('matchTasks pairs duplicated texts one to one', () => {
  const journal = [
    { key: 'T001', id: 'T001', text: 'Update docs' },
    { key: 'T002', id: 'T002', text: 'Update docs' },
  ];
  const current = [
    { key: 'T010', id: 'T010', text: 'Update docs' },
    { key: 'T011', id: 'T011', text: 'Update docs' },
  ];
  const kinds = matchTasks(journal, current).map((m) => m.kind);
  assert.deepEqual(kinds, ['renumbered', 'renumbered']);
});
