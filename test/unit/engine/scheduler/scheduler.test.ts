import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSchedule, type ReadyGraph, type ScheduleStatus } from '../../../../src/core/engine/scheduler/scheduler';
import { chooseRole } from '../../../../src/core/engine/scheduler/role-choice';

/** A tiny graph for the scheduler alone: explicit predecessors per key. */
function graphOf(deps: Record<string, string[]>): ReadyGraph {
  return {
    ready: (status: (key: string) => ScheduleStatus) =>
      Object.keys(deps)
        .filter((k) => status(k) === 'pending' && (deps[k] ?? []).every((d) => status(d) === 'done'))
        .map((key) => ({ key })),
  };
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
  const result = await runSchedule({
    graph: graphOf(deps),
    taskKeys: Object.keys(deps),
    initialStatus: () => 'pending',
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
      return 'done';
    },
    onStatus: () => undefined,
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
  const result = await runSchedule({
    graph: graphOf({ A: [], B: ['A'], C: ['B'], D: ['A'] }),
    taskKeys: ['A', 'B', 'C', 'D'],
    initialStatus: (k) => (k === 'A' ? 'done' : 'pending'),
    maxWorkers: 2,
    filesOf: () => [],
    execute: async (key) => {
      ran.push(key);
      return key === 'B' ? 'failed' : 'done';
    },
    onStatus: (key, status, message) => {
      if (status === 'skipped') messages.set(key, message);
    },
    signal: new AbortController().signal,
  });
  assert.deepEqual(ran.sort(), ['B', 'D']);
  assert.equal(result.status.get('C'), 'skipped');
  assert.deepEqual(result.blocked, ['C']);
  assert.match(messages.get('C') ?? '', /waits for failed/);
});

test('cancelling stops new starts; pending tasks end cancelled', async () => {
  const controller = new AbortController();
  const result = await runSchedule({
    graph: graphOf({ A: [], B: ['A'] }),
    taskKeys: ['A', 'B'],
    initialStatus: () => 'pending',
    maxWorkers: 2,
    filesOf: () => [],
    execute: async () => {
      controller.abort();
      return 'cancelled';
    },
    onStatus: () => undefined,
    signal: controller.signal,
  });
  assert.equal(result.cancelled, true);
  assert.equal(result.status.get('B'), 'cancelled');
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
