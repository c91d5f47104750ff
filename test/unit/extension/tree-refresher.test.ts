import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyRunView, type RunView } from '../../../src/protocol/engine-events';
import { TreeRefresher, type CurrentNode } from '../../../src/extension/trees/tree-refresher';
import { workerNodeId, workerNodes, workerRow, type WorkerNode } from '../../../src/extension/trees/workers-tree-model';

/** Lets the promise jobs a timer callback queued (the refresh's async work) finish. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** The Workers tree's refresher over a run view the test changes, and what it fired. */
function workersTree(view: RunView): { refresher: TreeRefresher<WorkerNode>; fired: (string[] | 'all')[] } {
  const fired: (string[] | 'all')[] = [];
  const refresher = new TreeRefresher<WorkerNode>({
    idOf: workerNodeId,
    current: () =>
      Promise.resolve((node): CurrentNode<WorkerNode> | undefined => {
        if (node === undefined) return { signature: undefined, children: workerNodes(view) };
        const row = workerRow(view, node, {});
        return row && { signature: JSON.stringify(row), children: [] };
      }),
    fire: (nodes) => fired.push(nodes === undefined ? 'all' : nodes.map(workerNodeId)),
    quietMs: 50,
    maxDelayMs: 200,
    onError: (error) => assert.fail(String(error)),
  });
  return { refresher, fired };
}

/** What VS Code does when it shows the view: asks for the children, then for each row. */
function show(refresher: TreeRefresher<WorkerNode>, view: RunView): WorkerNode[] {
  const nodes = refresher.childrenShown(undefined, workerNodes(view));
  for (const node of nodes) {
    const row = workerRow(view, node, {});
    if (row) refresher.rowShown(node, JSON.stringify(row));
    refresher.childrenShown(node, []);
  }
  return nodes;
}

function runWithWorkers(...ids: string[]): RunView {
  const view = emptyRunView();
  for (const [i, workerId] of ids.entries()) {
    const taskKey = `T00${i + 1}`;
    view.tasks.set(taskKey, {
      key: taskKey,
      id: taskKey,
      description: `task ${taskKey}`,
      phaseIndex: 0,
      line: i,
      files: [],
      dependsOn: [],
      parallel: false,
      status: 'running',
    });
    view.workers.set(workerId, {
      workerId,
      role: 'code-writer',
      taskKey,
      model: 'm',
      activity: 'reading',
      commands: [],
    });
  }
  return view;
}

test('a burst of activity refreshes the one worker row whose text changed, once, on the same element', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const view = runWithWorkers('w1', 'w2');
  const { refresher, fired } = workersTree(view);
  const [w1] = show(refresher, view);
  for (const activity of ['writing src/a.js', 'writing src/b.js', 'running tests']) {
    const worker = view.workers.get('w2');
    assert.ok(worker);
    worker.activity = activity;
    refresher.schedule();
    t.mock.timers.tick(10);
  }
  assert.deepEqual(fired, [], 'nothing inside the burst');
  t.mock.timers.tick(50);
  await settle();
  assert.deepEqual(fired, [['worker:w2']]);
  assert.equal(refresher.intern({ workerId: 'w1' }), w1, 'one element object per id');
  refresher.dispose();
});

test('a worker that finished before the refresh is never fired on its own: the list is refreshed', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const view = runWithWorkers('w1', 'w2');
  const { refresher, fired } = workersTree(view);
  show(refresher, view);
  const worker = view.workers.get('w2');
  assert.ok(worker);
  worker.activity = 'writing';
  view.workers.delete('w2');
  refresher.schedule();
  t.mock.timers.tick(60);
  await settle();
  assert.deepEqual(fired, ['all']);
  refresher.dispose();
});

test('rows VS Code was never given are not fired (the view is collapsed or not yet shown)', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const view = runWithWorkers('w1');
  const { refresher, fired } = workersTree(view);
  const worker = view.workers.get('w1');
  assert.ok(worker);
  worker.activity = 'writing';
  refresher.schedule();
  t.mock.timers.tick(60);
  await settle();
  assert.deepEqual(fired, []);
  refresher.dispose();
});

test('a worker row waiting for review says so, with the watch icon', () => {
  const view = runWithWorkers('w1');
  const task = view.tasks.get('T001');
  assert.ok(task);
  task.status = 'awaiting-approval';
  const row = workerRow(view, { workerId: 'w1' }, {});
  assert.equal(row?.description, 'waiting for approval');
  assert.equal(row?.icon, 'watch');
  assert.equal(workerRow(view, { workerId: 'gone' }, {}), undefined);
});
