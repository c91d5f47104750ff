import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTasks } from '../../../src/core/speckit/tasks-parser';
import type { TaskStatus, WorkerRole } from '../../../src/protocol/engine-events';
import {
  childrenOf,
  groupNodeIndexOf,
  nodeId,
  rowOf,
  rowSignature,
  type FeatureModel,
  type RunFacts,
  type TaskNode,
} from '../../../src/extension/trees/tasks-tree-model';
import { nodesToRefresh, ROOT_ID } from '../../../src/extension/trees/tree-refresher';

const TASKS = `# Tasks

## Phase 1: Setup

- [ ] T001 Create \`src/index.js\`
- [X] T002 [P] Add the README

## Phase 2: Core

- [ ] T003 Store todos in \`src/store.js\` (depends on T001)
`;

function feature(text = TASKS, featureId = '001-demo'): FeatureModel {
  return { featureId, tasksPath: `/ws/specs/${featureId}/tasks.md`, document: parseTasks(text) };
}

function run(
  statuses: Record<string, TaskStatus> = {},
  roles: Record<string, WorkerRole> = {},
  featureId = '001-demo',
): RunFacts {
  return {
    featureId,
    statusOf: (key) => statuses[key],
    roleOf: (key) => roles[key],
    lastMessageOf: () => undefined,
  };
}

const noRun: RunFacts = {
  featureId: undefined,
  statusOf: () => undefined,
  roleOf: () => undefined,
  lastMessageOf: () => undefined,
};

/** Everything VS Code would have been shown after expanding the whole tree. */
function shownTree(features: FeatureModel[], facts: RunFacts) {
  const rows = new Map<string, string>();
  const children = new Map<string, string[]>();
  const visit = (node: TaskNode | undefined): void => {
    const kids = childrenOf(features, node);
    children.set(node ? nodeId(node) : ROOT_ID, kids.map(nodeId));
    for (const kid of kids) {
      const row = rowOf(features, kid, facts);
      if (row) rows.set(nodeId(kid), rowSignature(row));
      visit(kid);
    }
  };
  visit(undefined);
  return { rows, children };
}

function currentOf(features: FeatureModel[], facts: RunFacts) {
  const byId = new Map<string, TaskNode>();
  const collect = (node: TaskNode | undefined): void => {
    for (const kid of childrenOf(features, node)) {
      byId.set(nodeId(kid), kid);
      collect(kid);
    }
  };
  collect(undefined);
  return (id: string) => {
    if (id === ROOT_ID) return { signature: undefined, children: childrenOf(features, undefined).map(nodeId) };
    const node = byId.get(id);
    const row = node && rowOf(features, node, facts);
    return node && row && { signature: rowSignature(row), children: childrenOf(features, node).map(nodeId) };
  };
}

test('rows: feature and phase count done tasks; a task row shows id, text, [P], role and opens its line', () => {
  const f = feature();
  const [featureNode] = childrenOf([f], undefined);
  assert.ok(featureNode);
  assert.equal(rowOf([f], featureNode, noRun)?.description, '1/3');
  const phases = childrenOf([f], featureNode);
  assert.deepEqual(
    phases.map((p) => [rowOf([f], p, noRun)?.label, rowOf([f], p, noRun)?.description]),
    [
      ['Phase 1: Setup', '1/2'],
      ['Phase 2: Core', '0/1'],
    ],
  );
  const tasks = childrenOf([f], phases[0]);
  const t001 = rowOf([f], tasks[0] as TaskNode, run({ T001: 'running' }, { T001: 'code-writer' }));
  assert.equal(t001?.label, 'T001 Create src/index.js', 'code spans lose their backticks in the label');
  assert.equal(t001?.description, 'code-writer');
  assert.equal(t001?.icon.id, 'sync~spin');
  assert.equal(t001?.contextValue, 'task.running');
  assert.equal(t001?.openLine, 4);
  assert.equal(rowOf([f], tasks[1] as TaskNode, noRun)?.description, '[P]');
  assert.equal(rowOf([f], tasks[1] as TaskNode, noRun)?.icon.id, 'pass-filled', 'a ticked box is done without a run');
});

test("another feature's run does not colour this feature's rows", () => {
  const f = feature();
  const t001: TaskNode = { kind: 'task', featureId: '001-demo', taskKey: 'T001' };
  const other = run({ T001: 'failed' }, { T001: 'bug-fixer' }, '002-other');
  assert.equal(rowOf([f], t001, other)?.contextValue, 'task.pending');
  assert.equal(rowOf([f], t001, other)?.description, '');
});

test('after the run, tasks.md decides what is done: a rolled-back task is open again; a failed one says so', () => {
  // T001 and T003 were unticked again (a rollback), T002 is ticked; the run had done T001 and T002, T003 failed.
  const f = feature();
  const [featureNode] = childrenOf([f], undefined);
  assert.ok(featureNode);
  const statuses: Record<string, TaskStatus> = { T001: 'done', T002: 'done', T003: 'failed' };
  const during = run(statuses);
  const after: RunFacts = { ...run(statuses), finished: true };
  const t = (key: string): TaskNode => ({ kind: 'task', featureId: '001-demo', taskKey: key });
  assert.equal(rowOf([f], featureNode, during)?.description, '2/3', 'while the run goes on, its events decide');
  assert.equal(rowOf([f], featureNode, after)?.description, '1/3');
  assert.equal(rowOf([f], t('T001'), after)?.contextValue, 'task.pending');
  assert.equal(rowOf([f], t('T002'), after)?.contextValue, 'task.done');
  assert.equal(rowOf([f], t('T003'), after)?.contextValue, 'task.failed');
});

test('ids are stable and unique across features, phases and tasks', () => {
  const a = feature(TASKS, '001-demo');
  const b = feature(TASKS, '002-demo');
  const ids: string[] = [];
  const collect = (node: TaskNode | undefined): void => {
    for (const kid of childrenOf([a, b], node)) {
      ids.push(nodeId(kid));
      collect(kid);
    }
  };
  collect(undefined);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.includes('task:001-demo:T001') && ids.includes('task:002-demo:T001'));
});

test('a role, a message or waiting for review refreshes the one task row', () => {
  const f = feature();
  const before = shownTree([f], run({ T003: 'running' }));
  const withRole: RunFacts = { ...run({ T003: 'running' }, { T003: 'code-writer' }) };
  assert.deepEqual(nodesToRefresh(before, currentOf([f], withRole)), ['task:001-demo:T003']);
  const withMessage: RunFacts = {
    ...run({ T003: 'running' }),
    lastMessageOf: (key) => (key === 'T003' ? 'reading src/store.js' : undefined),
  };
  assert.deepEqual(nodesToRefresh(before, currentOf([f], withMessage)), ['task:001-demo:T003']);
  assert.deepEqual(nodesToRefresh(before, currentOf([f], run({ T003: 'awaiting-approval' }))), ['task:001-demo:T003']);
});

test('a task starting refreshes its phase (its icon spins), which covers the row', () => {
  const f = feature();
  const before = shownTree([f], run({ T003: 'ready' }));
  assert.deepEqual(nodesToRefresh(before, currentOf([f], run({ T003: 'running' }))), ['phase:001-demo:1']);
});

test('a task done changes the counts: its feature is refreshed, which covers its phase and row', () => {
  const f = feature();
  const before = shownTree([f], run({ T001: 'running' }));
  assert.deepEqual(nodesToRefresh(before, currentOf([f], run({ T001: 'done' }))), ['feature:001-demo']);
});

test('nothing changed, nothing refreshed', () => {
  const f = feature();
  const facts = run({ T001: 'running' }, { T001: 'code-writer' });
  assert.deepEqual(nodesToRefresh(shownTree([f], facts), currentOf([f], facts)), []);
});

test('a task added to a phase refreshes its feature (which covers the phase and rows below)', () => {
  const before = shownTree([feature()], noRun);
  const added = feature(TASKS.replace('- [X] T002', '- [ ] T004 New task\n- [X] T002'));
  assert.deepEqual(nodesToRefresh(before, currentOf([added], noRun)), ['feature:001-demo']);
});

test('a task moved to another phase refreshes their feature, not the two phases one by one', () => {
  const before = shownTree([feature()], noRun);
  const moved = feature(
    TASKS.replace('- [X] T002 [P] Add the README\n', '').replace(
      '## Phase 2: Core\n\n',
      '## Phase 2: Core\n\n- [X] T002 [P] Add the README\n',
    ),
  );
  assert.deepEqual(nodesToRefresh(before, currentOf([moved], noRun)), ['feature:001-demo']);
});

test('a feature appearing or disappearing refreshes the root', () => {
  const before = shownTree([feature()], noRun);
  assert.deepEqual(nodesToRefresh(before, currentOf([feature(), feature(TASKS, '002-more')], noRun)), [ROOT_ID]);
  assert.deepEqual(nodesToRefresh(before, currentOf([], noRun)), [ROOT_ID]);
});

test('rows of nodes that are gone are not refreshed themselves; their parent is', () => {
  const before = shownTree([feature()], noRun);
  const removed = feature(TASKS.replace('- [ ] T003 Store todos in `src/store.js` (depends on T001)\n', ''));
  assert.deepEqual(nodesToRefresh(before, currentOf([removed], noRun)), ['feature:001-demo']);
});

test('tasks outside any phase are listed where they stand: one group per stretch, between the phases around it', () => {
  const f = feature(
    [
      '# Tasks',
      '- [ ] T001 Read the notes',
      '## Phase 1: Setup',
      '- [ ] T002 Init',
      '## Notes',
      '- [ ] T003 Loose one',
      '- [ ] T004 Loose two',
      '## Phase 2: Core',
      '- [ ] T005 Build',
    ].join('\n'),
  );
  const groups = childrenOf([f], { kind: 'feature', featureId: '001-demo' });
  assert.deepEqual(
    groups.map((g) => [
      rowOf([f], g, noRun)?.label,
      childrenOf([f], g).map((t) => (t.kind === 'task' ? t.taskKey : '?')),
    ]),
    [
      ['Tasks outside a phase', ['T001']],
      ['Phase 1: Setup', ['T002']],
      ['Tasks outside a phase', ['T003', 'T004']],
      ['Phase 2: Core', ['T005']],
    ],
  );
  assert.equal(new Set(groups.map(nodeId)).size, 4, 'each stretch is a node of its own');
  const t004 = f.document.tasks[3];
  assert.ok(t004 !== undefined);
  assert.equal(
    nodeId({ kind: 'phase', featureId: '001-demo', phaseIndex: groupNodeIndexOf(f.document, t004) }),
    nodeId(groups[2] as TaskNode),
  );
});

test("a task's hover names the slash commands the run gives its worker", () => {
  const f = feature();
  const [featureNode] = childrenOf([f], undefined);
  const [setup] = childrenOf([f], featureNode);
  const [t001] = childrenOf([f], setup);
  assert.ok(t001);
  const facts: RunFacts = {
    ...run({ T001: 'running' }, { T001: 'test-writer' }),
    commandsOf: (key) => (key === 'T001' ? ['spec-kit:implement', 'test'] : undefined),
  };
  const tooltip = rowOf([f], t001, facts)?.tooltip ?? [];
  const index = tooltip.findIndex((part) => 'markdown' in part && part.markdown === '**Command:** ');
  assert.ok(index >= 0, 'a Command line');
  assert.deepEqual(tooltip[index + 1], { text: '/spec-kit:implement /test' });
  assert.ok(!(rowOf([f], t001, run({}))?.tooltip ?? []).some((p) => 'markdown' in p && p.markdown === '**Command:** '));
});

test('a feature whose tasks are written as headings: its row says there are none and why, in the tooltip', () => {
  const headings = feature('# Tasks\n\n## Phase 1: Setup\n\n### T001: Install x\n\n### T002: Add y\n');
  const row = rowOf([headings], { kind: 'feature', featureId: '001-demo' }, noRun);
  assert.equal(row?.description, 'no tasks: see why');
  assert.deepEqual(row?.icon, { id: 'warning' });
  assert.deepEqual(row?.tooltip, [
    {
      text: '/ws/specs/001-demo/tasks.md has no tasks: 2 task ids are written without a checkbox (first on line 5). A task is written as "- [ ] T001 Description"; in the editor, the quick fix on such a line rewrites them all',
    },
  ]);
  const plain = rowOf([feature()], { kind: 'feature', featureId: '001-demo' }, noRun);
  assert.equal(plain?.description, '1/3');
  assert.deepEqual(plain?.icon, { id: 'checklist' });
});
