import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Scheduler,
  type ReadyGraph,
  type ScheduleOptions,
  type ScheduleStatus,
  type TaskMove,
} from '../../../../src/core/engine/scheduler/scheduler';
import { chooseRole } from '../../../../src/core/engine/scheduler/role-choice';
import { buildPlanGraph } from '../../../../src/core/engine/orchestrators/plan-graph';
import { parseTasks } from '../../../../src/core/speckit/tasks-parser';

/** A tiny graph for the scheduler alone: explicit predecessors per key. */
function graphOf(deps: Record<string, string[]>): ReadyGraph {
  return {
    ready: (status: (key: string) => ScheduleStatus) =>
      Object.keys(deps)
        .filter((k) => status(k) === 'pending' && (deps[k] ?? []).every((d) => status(d) === 'done'))
        .map((key) => ({ key })),
  };
}

function schedule(options: Omit<ScheduleOptions, 'onProgress' | 'onStatus'> & Partial<ScheduleOptions>) {
  return new Scheduler({ onStatus: async () => undefined, onProgress: () => undefined, ...options }).run();
}

async function tick(): Promise<void> {
  await new Promise((r) => setTimeout(r, 5));
}

test('runs ready tasks concurrently up to maxWorkers and never two on one file', async () => {
  const deps = { A: [], B: ['A'], C: ['A'], D: ['A'], E: ['A'], F: ['B', 'C', 'D', 'E'] };
  const files: Record<string, string[]> = { A: ['a'], B: ['x'], C: ['x'], D: ['d'], E: ['e'], F: ['f'] };
  let inFlight = 0;
  let peak = 0;
  const holders = new Map<string, string>();
  const order: string[] = [];
  const result = await schedule({
    graph: graphOf(deps),
    taskKeys: Object.keys(deps),
    initialStatus: () => ({ status: 'pending' }),
    maxWorkers: 3,
    filesOf: (k) => files[k] ?? [],
    execute: async (key) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      for (const f of files[key] ?? []) {
        assert.equal(holders.get(f), undefined, `${key} overlaps ${holders.get(f) ?? ''} on ${f}`);
        holders.set(f, key);
      }
      await tick();
      for (const f of files[key] ?? []) holders.delete(f);
      inFlight--;
      order.push(key);
      return { status: 'done' };
    },
    signal: new AbortController().signal,
  });
  assert.equal(peak, 3);
  assert.equal(order[0], 'A');
  assert.equal(order.at(-1), 'F');
  assert.ok([...result.status.values()].every((s) => s === 'done'));
});

test('a failed task blocks its dependents, which end skipped with a reason; done tasks are not run again', async () => {
  const ran: string[] = [];
  const messages = new Map<string, string | undefined>();
  const result = await schedule({
    graph: graphOf({ A: [], B: ['A'], C: ['B'], D: ['A'] }),
    taskKeys: ['A', 'B', 'C', 'D'],
    initialStatus: (k) => ({ status: k === 'A' ? 'done' : 'pending' }),
    maxWorkers: 2,
    filesOf: () => [],
    execute: async (key) => {
      ran.push(key);
      return key === 'B' ? { status: 'failed', reason: 'tests still fail' } : { status: 'done' };
    },
    onStatus: async ({ key, status, message }) => {
      if (status === 'skipped' || status === 'failed') messages.set(key, message);
    },
    signal: new AbortController().signal,
  });
  assert.deepEqual(ran.sort(), ['B', 'D']);
  assert.equal(result.status.get('C'), 'skipped');
  assert.deepEqual(result.blocked, ['C']);
  assert.match(messages.get('C') ?? '', /waits for failed/);
  assert.equal(messages.get('B'), 'tests still fail', "a failed task's reason travels with its move");
});

test('cancelling stops new starts; pending tasks end cancelled', async () => {
  const controller = new AbortController();
  const result = await schedule({
    graph: graphOf({ A: [], B: ['A'] }),
    taskKeys: ['A', 'B'],
    initialStatus: () => ({ status: 'pending' }),
    maxWorkers: 2,
    filesOf: () => [],
    execute: async () => {
      controller.abort();
      return { status: 'cancelled' };
    },
    signal: controller.signal,
  });
  assert.equal(result.cancelled, true);
  assert.equal(result.status.get('B'), 'cancelled');
});

test('lifecycle moves are recorded in order, each end before the schedule goes on; moves within a task are only shown', async () => {
  const log: string[] = [];
  const scheduler = new Scheduler({
    graph: graphOf({ A: [], B: ['A'] }),
    taskKeys: ['A', 'B', 'C'],
    initialStatus: (k) => (k === 'C' ? { status: 'skipped', reason: 'reworded since the run' } : { status: 'pending' }),
    maxWorkers: 1,
    filesOf: () => [],
    execute: async (key, _signal, progress) => {
      log.push(`execute ${key}`);
      progress({ status: 'awaiting-approval', workerId: `${key}-w` });
      progress({ status: 'running', role: 'bug-fixer', message: 'bug-fixer attempt 1 of 1' });
      return { status: 'done' };
    },
    onStatus: async (move: TaskMove) => {
      await tick();
      log.push(`recorded ${move.key} ${move.status}`);
    },
    onProgress: (move: TaskMove) =>
      log.push(`shown ${move.key} ${move.status}${move.message ? `: ${move.message}` : ''}`),
    signal: new AbortController().signal,
  });
  await scheduler.run();
  scheduler.progress('A', { status: 'running' });
  // A worker starts while its start is being recorded (what it records later is behind that in the journal).
  assert.deepEqual(log, [
    'shown C skipped: reworded since the run',
    'execute A',
    'shown A awaiting-approval',
    'shown A running: bug-fixer attempt 1 of 1',
    'recorded A running',
    'recorded A done',
    'execute B',
    'shown B awaiting-approval',
    'shown B running: bug-fixer attempt 1 of 1',
    'recorded B running',
    'recorded B done',
  ]);
});

test('a task that ends before its start is on record waits for it: its end is never recorded first', async () => {
  const log: string[] = [];
  let recordStart = (): void => undefined;
  const startRecorded = new Promise<void>((resolve) => (recordStart = resolve));
  const run = schedule({
    graph: graphOf({ A: [] }),
    taskKeys: ['A'],
    initialStatus: () => ({ status: 'pending' }),
    maxWorkers: 1,
    filesOf: () => [],
    execute: async () => {
      log.push('executed A');
      return { status: 'done' };
    },
    onStatus: async (move) => {
      log.push(`recording ${move.key} ${move.status}`);
      // A slow disk: the start's record lands only after the worker is done.
      if (move.status === 'running') await startRecorded;
      log.push(`recorded ${move.key} ${move.status}`);
    },
    signal: new AbortController().signal,
  });
  await tick();
  await tick();
  assert.deepEqual(log, ['recording A running', 'executed A']);
  recordStart();
  await run;
  assert.deepEqual(log, [
    'recording A running',
    'executed A',
    'recorded A running',
    'recording A done',
    'recorded A done',
  ]);
});

test('a move that cannot be recorded (a start or an end) ends the schedule with that error, starting nothing more', async () => {
  for (const failing of ['running', 'done'] as const) {
    const ran: string[] = [];
    const failure = new Error('disk full');
    const recorded: string[] = [];
    await assert.rejects(
      schedule({
        graph: graphOf({ A: [], B: ['A'] }),
        taskKeys: ['A', 'B'],
        initialStatus: () => ({ status: 'pending' }),
        maxWorkers: 1,
        filesOf: () => [],
        execute: async (key) => {
          ran.push(key);
          return { status: 'done' };
        },
        onStatus: async (move) => {
          if (move.key === 'A' && move.status === failing) throw failure;
          recorded.push(`${move.key} ${move.status}`);
        },
        signal: new AbortController().signal,
      }),
      (error) => error === failure,
    );
    assert.deepEqual(ran, ['A'], failing);
    // No end is recorded for a task whose start is not.
    assert.deepEqual(recorded, failing === 'running' ? [] : ['A running'], failing);
  }
});

test('roles: test tasks to the test-writer, docs to the documenter, the rest to the code-writer, with a reason', () => {
  assert.equal(
    chooseRole({ description: 'Write tests', files: ['test/a.test.js'], isTest: true, subsectionKind: 'tests' }).role,
    'test-writer',
  );
  const docs = chooseRole({ description: 'Document the API', files: ['docs/api.md'], isTest: false });
  assert.equal(docs.role, 'documenter');
  assert.match(docs.reason, /docs\/api\.md/);
  assert.equal(chooseRole({ description: 'Add usage notes', files: ['README.md'], isTest: false }).role, 'documenter');
  assert.equal(
    chooseRole({ description: 'Implement the store', files: ['src/store.js'], isTest: false }).role,
    'code-writer',
  );
  assert.equal(chooseRole({ description: 'Update the documentation', files: [], isTest: false }).role, 'documenter');
});

test('one file written two ways never runs twice at once: a `../../` path from the tasks folder and the same path from the root', async () => {
  // Two story phases the file lets run side by side, each opening with the same file: only the lock keeps them apart.
  const doc = parseTasks(
    [
      '# Tasks: Albums',
      '## Phase 1: Foundational',
      '- [ ] T001 Schema in src/db/schema.ts',
      '## Phase 2: User Story 1 - Create albums (Priority: P1)',
      '- [ ] T002 [US1] Register albums in [src/router.ts](../../src/router.ts)',
      '- [ ] T003 [US1] Album model in src/models/album.ts',
      '- [ ] T004 [US1] Album view in src/views/album.ts',
      '## Phase 3: User Story 2 - Share albums (Priority: P2)',
      '- [ ] T005 [US2] Register sharing in `src\\router.ts`',
      '- [ ] T006 [US2] Share service in src/services/share.ts',
      '## Dependencies & Execution Order',
      '- User stories can then proceed in parallel (if staffed)',
    ].join('\n'),
  );
  assert.deepEqual(doc.tasks[1]?.files, ['../../src/router.ts'], 'the link is the file the task works on');
  const graph = buildPlanGraph(doc, { tasksFolder: 'specs/001-albums' });
  assert.equal(graph.graph.storyParallelism.mode, 'parallel');
  assert.deepEqual(graph.lockedFiles('T002'), ['src/router.ts']);
  assert.deepEqual(graph.lockedFiles('T005'), ['src/router.ts']);

  const running = new Set<string>();
  const overlaps: string[] = [];
  let peak = 0;
  await schedule({
    graph,
    taskKeys: doc.tasks.map((t) => t.key),
    initialStatus: () => ({ status: 'pending' }),
    maxWorkers: 4,
    filesOf: (key) => graph.lockedFiles(key),
    priority: (key) => graph.remaining(key),
    execute: async (key) => {
      running.add(key);
      peak = Math.max(peak, running.size);
      if (running.has('T002') && running.has('T005')) overlaps.push([...running].join(' '));
      await tick();
      running.delete(key);
      return { status: 'done' };
    },
    signal: new AbortController().signal,
  });
  assert.equal(peak, 2, 'the two stories do run side by side');
  assert.deepEqual(overlaps, [], 'T002 and T005 name one file and never run together');

  // Without the folder the climb cannot be placed: the two spellings stay apart (no false sharing invented).
  assert.deepEqual(buildPlanGraph(doc).lockedFiles('T002'), ['../../src/router.ts']);
});
