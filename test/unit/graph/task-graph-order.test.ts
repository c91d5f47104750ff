// The order a schedule really follows: the author's explicit edges over implied ones, tests first in any list,
// user-story phases side by side where the file says so, and the critical path first among ready tasks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTasks } from '../../../src/core/speckit/tasks-parser';
import {
  buildTaskGraph,
  type TaskGraph,
  type TaskGraphOptions,
  type TaskRunStatus,
} from '../../../src/core/graph/task-graph';

function graphOf(lines: string[], options?: TaskGraphOptions): TaskGraph {
  return buildTaskGraph(parseTasks(lines.join('\n')), options);
}

function deps(graph: TaskGraph, key: string): string[] {
  return graph
    .dependenciesOf(key)
    .map((e) => `${e.key}:${e.reason}`)
    .sort();
}

function readyWith(graph: TaskGraph, statuses: Record<string, TaskRunStatus>): string[] {
  return graph.ready((key) => statuses[key] ?? 'pending').map((t) => t.key);
}

/** Runs the graph wave by wave with unlimited workers: each wave every ready task, all done at once. */
function waves(graph: TaskGraph): string[][] {
  const status: Record<string, TaskRunStatus> = {};
  const out: string[][] = [];
  for (let wave = readyWith(graph, status); wave.length > 0; wave = readyWith(graph, status)) {
    out.push(wave);
    for (const key of wave) status[key] = 'done';
  }
  return out;
}

test("the author's explicit edge beats the document's order: T026 before T016, no cycle, the rest in order", () => {
  const lines = ['## Phase 1: A'];
  for (let i = 15; i <= 27; i += 1) lines.push(`- [ ] T0${i} Step ${i} in src/s${i}.ts`);
  lines.push('', '## Dependencies', '- T026 before T016');
  const g = graphOf(lines);
  assert.deepEqual(g.cycles, []);
  assert.deepEqual(g.diagnostics, []);
  assert.deepEqual(deps(g, 'T016'), ['T026:explicit']);
  assert.deepEqual(deps(g, 'T017'), ['T015:sequence'], 'the tasks around T016 keep their sequence');
  assert.deepEqual(deps(g, 'T027'), ['T016:sequence']);
  assert.deepEqual(g.topologicalOrder().slice(0, 3), ['T015', 'T017', 'T018']);
  assert.deepEqual(g.topologicalOrder().slice(-3), ['T026', 'T016', 'T027']);
});

test('a cycle of explicit edges alone is the author contradicting themself: an error, its edges ignored', () => {
  const g = graphOf(['## Phase 1: A', '- [ ] T001 a (after T002)', '- [ ] T002 b (after T001)']);
  assert.deepEqual(
    g.cycles.map((c) => c.keys),
    [['T001', 'T002', 'T001']],
  );
  assert.deepEqual(deps(g, 'T002'), ['T001:sequence']);
});

test('tests first in a sequential list too: a test written after the implementation of its story runs before it', () => {
  const g = graphOf([
    '## Phase 3: User Story 1 - Albums (Priority: P1)',
    '- [ ] T010 [US1] Implement the album model in src/models/album.ts',
    '- [ ] T011 [US1] Implement the album service in src/services/album.ts',
    '- [ ] T012 [US1] Contract test for albums in tests/contract/albums.test.ts',
    '- [ ] T013 [US2] Implement sharing in src/services/share.ts',
    '- [ ] T014 [US2] Integration test for sharing in tests/integration/share.test.ts',
  ]);
  assert.deepEqual(g.topologicalOrder(), ['T012', 'T010', 'T011', 'T014', 'T013']);
  assert.deepEqual(deps(g, 'T010'), ['T012:tests-first']);
  assert.deepEqual(deps(g, 'T012'), []);
  assert.deepEqual(deps(g, 'T014'), ['T011:sequence']);
  assert.deepEqual(deps(g, 'T013'), ['T014:tests-first']);
});

const TEMPLATE = [
  '# Tasks: Albums',
  '## Phase 1: Setup',
  '- [ ] T001 Create the project in package.json',
  '## Phase 2: Foundational (Blocking Prerequisites)',
  '- [ ] T002 Database schema in src/db/schema.ts',
  '- [ ] T003 [P] Auth middleware in src/auth.ts',
  '## Phase 3: User Story 1 - Create albums (Priority: P1) 🎯 MVP',
  '- [ ] T004 [P] [US1] Contract test in tests/contract/albums.test.ts',
  '- [ ] T005 [US1] Album model in src/models/album.ts',
  '- [ ] T006 [US1] Album endpoint in src/api/albums.ts',
  '## Phase 4: User Story 2 - Share albums (Priority: P2)',
  '- [ ] T007 [US2] Share service in src/services/share.ts',
  '- [ ] T008 [US2] Share endpoint in src/api/share.ts',
  '## Phase 5: User Story 3 - Tag photos (Priority: P3)',
  '- [ ] T009 [US3] Tag model in src/models/tag.ts',
  '- [ ] T010 [US3] Tag endpoint in src/api/albums.ts',
  '## Phase 6: Polish',
  '- [ ] T011 Docs in docs/albums.md',
  '## Dependencies & Execution Order',
  '- **User Stories (Phase 3+)**: All depend on Foundational phase completion',
  '  - User stories can then proceed in parallel (if staffed)',
  '  - Or sequentially in priority order (P1 → P2 → P3)',
];

test('user-story phases run side by side where the file says so; dependsOn and the critical path show it', () => {
  const g = graphOf(TEMPLATE);
  assert.equal(g.storyParallelism.mode, 'parallel');
  assert.match(g.storyParallelism.reason, /User stories can then proceed in parallel \(if staffed\)" \(line 21\)/);
  assert.deepEqual(deps(g, 'T007'), ['T003:phase-order'], 'after Foundational, not after US1');
  assert.deepEqual(deps(g, 'T009'), ['T003:phase-order']);
  assert.deepEqual(deps(g, 'T011'), ['T006:phase-order', 'T008:phase-order', 'T010:phase-order'], 'Polish after all');
  assert.deepEqual(g.criticalPath().keys, ['T001', 'T002', 'T003', 'T004', 'T005', 'T006', 'T011']);
  assert.deepEqual(waves(g), [
    ['T001'],
    ['T002'],
    ['T003'],
    ['T004', 'T007', 'T009'],
    ['T005', 'T008', 'T010'],
    ['T006'],
    ['T011'],
  ]);
});

test('story parallelism off, or a file that does not say so: story phases stay in order', () => {
  for (const g of [graphOf(TEMPLATE, { storyParallelism: 'off' }), graphOf(TEMPLATE.slice(0, -3))]) {
    assert.equal(g.storyParallelism.mode, 'in-order');
    assert.deepEqual(deps(g, 'T007'), ['T006:phase-order']);
    assert.equal(g.criticalPath().length, 11);
  }
  assert.match(graphOf(TEMPLATE, { storyParallelism: 'off' }).storyParallelism.reason, /storyParallelism is off/);
  assert.match(graphOf(TEMPLATE.slice(0, -3)).storyParallelism.reason, /does not say/);
});

test('stories wait for the stories their own sentences name, and only those', () => {
  const g = graphOf([
    ...TEMPLATE.slice(0, -3),
    '## Dependencies',
    '- **User Story 1 (P1)**: Can start after Foundational (Phase 2) - No dependencies on other stories',
    '- **User Story 2 (P2)**: Can start after Foundational (Phase 2) - May integrate with US1 but should be independently testable',
    '- **User Story 3 (P3)**: Depends on US1 (needs the album model)',
  ]);
  assert.equal(g.storyParallelism.mode, 'parallel');
  assert.match(g.storyParallelism.reason, /US3 waits for US1/);
  assert.deepEqual(deps(g, 'T007'), ['T003:phase-order']);
  assert.deepEqual(deps(g, 'T009'), ['T003:phase-order', 'T006:story-order']);
});

test('an explicit edge against a story wait the prose implied: the story wait yields, without an error', () => {
  const g = graphOf([
    ...TEMPLATE.slice(0, -3),
    '## Dependencies',
    '- User stories can proceed in parallel',
    '- **User Story 2**: after US1',
    '- T006 depends on T008',
  ]);
  assert.deepEqual(g.cycles, []);
  assert.deepEqual(g.diagnostics, []);
  assert.ok(deps(g, 'T006').includes('T008:explicit'));
  assert.ok(!deps(g, 'T007').some((d) => d.startsWith('T006')), 'US2 no longer waits for all of US1');
});

test('critical path first: more ready tasks than workers, the longest chain starts first; files still lock', () => {
  const g = graphOf([
    '## Phase 1: A',
    '- [ ] T001 [P] Short in src/a.ts',
    '- [ ] T002 [P] Long chain head in src/b.ts',
    '- [ ] T003 [P] Other short in src/c.ts',
    '- [ ] T004 [P] Second link in src/d.ts, after T002',
    '- [ ] T005 [P] Third link in src/e.ts, after T004',
  ]);
  assert.deepEqual(readyWith(g, {}), ['T002', 'T001', 'T003']);
  assert.deepEqual([g.remaining('T002'), g.remaining('T001')], [3, 1]);
  const h = graphOf([
    '## Phase 1: A',
    '- [ ] T001 [P] One in src/shared.ts',
    '- [ ] T002 [P] Two in src/shared.ts',
    '- [ ] T003 [P] Three in src/other.ts, blocks T004',
    '- [ ] T004 [P] Four in src/four.ts',
    '- [ ] T005 Five',
  ]);
  assert.deepEqual(readyWith(h, { T003: 'running' }), ['T001'], 'T002 waits for T001 (same file); T004 for T003');
  const lanes = graphOf([
    ...TEMPLATE.slice(0, 6),
    '- [ ] T004 [US1] a in src/x.ts',
    '- [ ] T005 [US1] b in src/y.ts',
    '## Phase 4: User Story 2 - B',
    '- [ ] T007 [US2] c in src/x.ts',
    '## Dependencies',
    '- User stories can proceed in parallel',
  ]);
  assert.deepEqual(
    readyWith(lanes, { T001: 'done', T002: 'done', T003: 'done' }),
    ['T004'],
    'story lanes run side by side, yet never two tasks on one file',
  );
});
