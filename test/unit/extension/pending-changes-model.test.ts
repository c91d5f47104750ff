import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyRunView, foldRollback, type ProposalView, type RunView } from '../../../src/protocol/engine-events';
import { modelTreeState, TreeRefresher } from '../../../src/extension/trees/tree-refresher';
import {
  pendingChildren,
  pendingNodeId,
  pendingRow,
  type PendingNode,
} from '../../../src/extension/trees/pending-changes-model';

const at = '2026-01-01T00:00:00.000Z';

/** Lets the promise jobs a timer callback queued (the refresh's async work) finish. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function runWithTasks(...keys: string[]): RunView {
  const view = emptyRunView();
  for (const [i, key] of keys.entries())
    view.tasks.set(key, {
      key,
      id: key,
      description: `write \`${key.toLowerCase()}.js\``,
      phaseIndex: 0,
      line: i,
      files: [],
      dependsOn: [],
      parallel: false,
      status: 'running',
    });
  return view;
}

function propose(view: RunView, id: string, taskKey: string, path: string): void {
  const proposal: ProposalView = {
    id,
    taskKey,
    workerId: `${taskKey}-code-writer-1`,
    role: 'code-writer',
    path,
    kind: 'create',
    reason: 'the task names it',
    createdAt: at,
  };
  view.pending.set(id, proposal);
}

/** The Pending Changes tree's refresher over a view the test changes, and the ids of what it fired. */
function pendingTree(view: RunView): { refresher: TreeRefresher<PendingNode>; fired: (string[] | 'all')[] } {
  const fired: (string[] | 'all')[] = [];
  const refresher = new TreeRefresher<PendingNode>({
    idOf: pendingNodeId,
    current: () =>
      Promise.resolve(
        modelTreeState<PendingNode>(
          (node) => pendingChildren(view, node),
          (node) => pendingRow(view, node),
        ),
      ),
    fire: (nodes) => fired.push(nodes === undefined ? 'all' : nodes.map(pendingNodeId)),
    quietMs: 50,
    maxDelayMs: 200,
    onError: (error) => assert.fail(String(error)),
  });
  return { refresher, fired };
}

/** What VS Code does when it shows the view: children, then each row, down the expanded rows. */
function show(refresher: TreeRefresher<PendingNode>, view: RunView, node?: PendingNode): void {
  for (const child of refresher.childrenShown(node, pendingChildren(view, node))) {
    const row = pendingRow(view, child);
    if (row) refresher.rowShown(child, JSON.stringify(row));
    if (row?.collapsible === 'expanded') show(refresher, view, child);
  }
}

test('rows: proposals grouped by task, with their diff as the click; finished tasks’ files below', () => {
  const view = runWithTasks('T001', 'T002');
  propose(view, 'p1', 'T001', 'src/a.js');
  propose(view, 'p2', 'T001', 'b.js');
  view.applied.push({ proposalId: 'p0', taskKey: 'T002', path: 'src/c.js', kind: 'create' });
  view.applied.push({ proposalId: 'p3', taskKey: 'T002', path: 'src/c.js', kind: 'modify' });
  const t2 = view.tasks.get('T002');
  assert.ok(t2);
  t2.status = 'done';
  assert.deepEqual(pendingChildren(view, undefined).map(pendingNodeId), ['proposalTask:T001', 'changedRoot']);
  assert.deepEqual(pendingRow(view, { kind: 'proposalTask', taskKey: 'T001' }), {
    label: 'T001 write t001.js',
    description: '2 edits to review',
    icon: { id: 'git-pull-request' },
    collapsible: 'expanded',
  });
  const a = pendingRow(view, { kind: 'proposal', proposalId: 'p1' });
  assert.equal(a?.label, 'a.js');
  assert.equal(a?.description, 'src · new');
  assert.deepEqual(a?.click, { kind: 'review', proposalId: 'p1' });
  assert.deepEqual(pendingChildren(view, { kind: 'changedTask', taskKey: 'T002' }).map(pendingNodeId), [
    'changedFile:T002:src/c.js',
  ]);
  const c = pendingRow(view, { kind: 'changedFile', taskKey: 'T002', path: 'src/c.js' });
  assert.equal(c?.description, 'new', 'created then modified by the task: still new');
  assert.deepEqual(c?.click, { kind: 'open', path: 'src/c.js' });

  // Rolled back, a task's files are no longer its changes.
  foldRollback(view, { untickedIds: ['T002'], restored: 0, deleted: 1, skipped: 0, at });
  assert.deepEqual(pendingChildren(view, undefined).map(pendingNodeId), ['proposalTask:T001']);
  assert.equal(pendingRow(view, { kind: 'changedRoot' }), undefined);
});

test('a burst of proposals for a shown task refreshes that task’s row once, never the whole tree', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const view = runWithTasks('T001', 'T002');
  propose(view, 'p1', 'T001', 'a.js');
  propose(view, 'p2', 'T002', 'b.js');
  const { refresher, fired } = pendingTree(view);
  show(refresher, view);
  propose(view, 'p3', 'T001', 'c.js');
  refresher.schedule();
  t.mock.timers.tick(10);
  propose(view, 'p4', 'T001', 'd.js');
  refresher.schedule();
  t.mock.timers.tick(60);
  await settle();
  assert.deepEqual(fired, [['proposalTask:T001']], 'its count and children changed; T002 and the root did not');

  // A decision that leaves the task with proposals: that task's row again; the last one of a task: the top level.
  show(refresher, view);
  view.pending.delete('p1');
  refresher.schedule();
  t.mock.timers.tick(60);
  await settle();
  assert.deepEqual(fired.at(-1), ['proposalTask:T001'], JSON.stringify(fired));
  show(refresher, view);
  view.pending.delete('p2');
  refresher.schedule();
  t.mock.timers.tick(60);
  await settle();
  assert.equal(fired.at(-1), 'all');
  refresher.dispose();
});
