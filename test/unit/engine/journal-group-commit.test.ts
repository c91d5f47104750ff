import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { appendFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalRecord } from '../../../src/protocol/journal';
import { JournalFileWriter, JournalWriteError, readJournalFile } from '../../../src/core/engine/journal/journal-file';
import { tempProject } from './temp-dir';

const at = '2026-01-01T00:00:00.000Z';
const state = (n: number): JournalRecord => ({
  type: 'task-state',
  at,
  taskKey: `T${String(n).padStart(3, '0')}`,
  status: 'done',
});

test('a burst of appends shares one write and one fsync; each resolves only once its line is in the file', async () => {
  const path = join(await tempProject(), 'journal.jsonl');
  const writer = await JournalFileWriter.open(path);
  const seenOnResolve: boolean[] = [];
  const appendChecked = (n: number) =>
    writer.append(state(n)).then(() => {
      seenOnResolve[n] = readFileSync(path, 'utf8').includes(`${JSON.stringify(state(n))}\n`);
    });
  // The first append finds the writer idle and goes to disk alone; the 30 queued while it is in flight share the next fsync.
  const all = Array.from({ length: 31 }, (_, n) => appendChecked(n));
  await Promise.all(all);
  assert.deepEqual(writer.stats, { records: 31, writes: 2, syncs: 2 });
  assert.deepEqual(
    seenOnResolve,
    Array.from({ length: 31 }, () => true),
  );
  await writer.close();
  const { records, warnings } = await readJournalFile(path);
  assert.deepEqual(warnings, []);
  assert.deepEqual(
    records,
    Array.from({ length: 31 }, (_, n) => state(n)),
    'in append order',
  );
});

test('appends from many concurrent writers all land, in order, with fewer fsyncs than records', async () => {
  const path = join(await tempProject(), 'journal.jsonl');
  const writer = await JournalFileWriter.open(path);
  const order: number[] = [];
  let next = 0;
  // Eight "workers", each appending ten records one after another, as a [P] group's workers do.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 10; i++) {
        const n = next++;
        order.push(n);
        await writer.append(state(n));
      }
    }),
  );
  const syncs = writer.stats.syncs;
  await writer.close();
  const { records } = await readJournalFile(path);
  assert.deepEqual(records, order.map(state), 'every record, in the order append was called');
  assert.ok(syncs < 80, `group commit shared fsyncs (${syncs} for 80 records)`);
});

test('a batch torn by a crash is cut back to its last whole record on reopen; later appends are kept', async () => {
  const path = join(await tempProject(), 'journal.jsonl');
  const writer = await JournalFileWriter.open(path);
  await Promise.all([0, 1, 2].map((n) => writer.append(state(n))));
  await writer.close();
  // A batched write cut mid-way by kill -9: one whole line of the batch, then half of the next.
  const tail = `${JSON.stringify(state(3))}\n${JSON.stringify(state(4)).slice(0, 20)}`;
  await appendFile(path, tail);
  assert.equal((await readJournalFile(path)).records.length, 4);
  const reopened = await JournalFileWriter.open(path);
  await Promise.all([5, 6].map((n) => reopened.append(state(n))));
  await reopened.close();
  const { records, warnings } = await readJournalFile(path);
  assert.deepEqual(warnings, []);
  assert.deepEqual(records, [0, 1, 2, 3, 5, 6].map(state));
});

test('append after close rejects; close waits for queued records', async () => {
  const path = join(await tempProject(), 'journal.jsonl');
  const writer = await JournalFileWriter.open(path);
  const queued = [0, 1, 2].map((n) => writer.append(state(n)));
  await writer.close();
  await Promise.all(queued);
  assert.equal((await readJournalFile(path)).records.length, 3);
  await assert.rejects(writer.append(state(9)), /closed/);
});

test('after a write that failed, no later record is written: a record on disk vouches for every one appended before it', async () => {
  const path = join(await tempProject(), 'journal.jsonl');
  const writer = await JournalFileWriter.open(path);
  await writer.append(state(0));
  // The disk refuses one fsync (EIO): that record may or may not be on disk, so nothing may follow it.
  const handle = await open(path, 'r');
  const proto = Object.getPrototypeOf(handle) as { sync: () => Promise<void> };
  await handle.close();
  const realSync = proto.sync;
  proto.sync = async () => {
    proto.sync = realSync;
    throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
  };
  try {
    const lost = writer.append(state(1));
    await assert.rejects(lost, JournalWriteError);
    // The disk works again, but a record after the lost one would claim more than the journal holds.
    await assert.rejects(
      writer.append(state(2)),
      (error) => error instanceof JournalWriteError && /cannot append/.test(error.message),
    );
  } finally {
    proto.sync = realSync;
  }
  await writer.close();
  const { records } = await readJournalFile(path);
  assert.ok(!records.some((r) => r.type === 'task-state' && r.taskKey === 'T002'), 'nothing written after the failure');
});
