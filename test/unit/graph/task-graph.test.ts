import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTasks } from '../../../src/core/speckit/tasks-parser';
import {
  buildTaskGraph,
  statusFromDocument,
  type TaskGraph,
  type TaskRunStatus,
} from '../../../src/core/graph/task-graph';
import { diagnoseTasks } from '../../../src/core/graph/tasks-diagnostics';
import { ownFixture, textAt } from '../speckit/tasks-fixture-helpers';

function graphOf(lines: string[]): TaskGraph {
  return buildTaskGraph(parseTasks(lines.join('\n')));
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

test('within a phase: sequence, [P] runs, and the task after a run waits for the whole run', () => {
  const g = graphOf([
    '## Phase 1: A',
    '- [ ] T001 Seq',
    '- [ ] T002 [P] a in src/a.ts',
    '- [ ] T003 [P] b in src/b.ts',
    '- [ ] T004 After the run',
  ]);
  assert.deepEqual(deps(g, 'T001'), []);
  assert.deepEqual(deps(g, 'T002'), ['T001:sequence']);
  assert.deepEqual(deps(g, 'T003'), ['T001:sequence']);
  assert.deepEqual(deps(g, 'T004'), ['T002:sequence', 'T003:sequence']);
  assert.deepEqual(readyWith(g, {}), ['T001']);
  assert.deepEqual(readyWith(g, { T001: 'done' }), ['T002', 'T003']);
  assert.deepEqual(readyWith(g, { T001: 'done', T002: 'done' }), ['T003']);
  assert.deepEqual(readyWith(g, { T001: 'done', T002: 'done', T003: 'skipped' }), ['T004']);
  assert.deepEqual(
    readyWith(g, { T001: 'done', T002: 'failed', T003: 'done' }),
    [],
    'a failed task holds its dependents',
  );
});

test('phase order: every task of a phase waits for all tasks of earlier phases, through one barrier', () => {
  const g = graphOf([
    '## Phase 1: A',
    '- [ ] T001 [P] a in src/a.ts',
    '- [ ] T002 [P] b in src/b.ts',
    '## Phase 2: B',
    '- [ ] T003 [P] c in src/c.ts',
    '- [ ] T004 d',
  ]);
  assert.deepEqual(deps(g, 'T003'), ['T001:phase-order', 'T002:phase-order']);
  assert.deepEqual(
    g
      .dependentsOf('T001')
      .map((e) => e.key)
      .sort(),
    ['T003'],
  );
  assert.deepEqual(readyWith(g, { T001: 'done' }), ['T002']);
  assert.deepEqual(readyWith(g, { T001: 'done', T002: 'done' }), ['T003']);
  // A task ticked out of order does not open the next phase while something before it is pending.
  const h = graphOf(['## Phase 1: A', '- [ ] T001 a', '- [x] T002 b', '## Phase 2: B', '- [ ] T003 c']);
  assert.deepEqual(readyWith(h, { T002: 'done' }), ['T001']);
  assert.deepEqual(
    h.ready(statusFromDocument(h)).map((t) => t.key),
    ['T001'],
  );
});

test('two [P] tasks naming the same file never overlap', () => {
  const g = graphOf([
    '## Phase 1: A',
    '- [ ] T001 [P] a in `src/x.ts`',
    '- [ ] T002 [P] b in ./src/x.ts',
    '- [ ] T003 [P] c in src/y.ts',
  ]);
  assert.deepEqual(deps(g, 'T002'), ['T001:same-file']);
  assert.deepEqual(readyWith(g, {}), ['T001', 'T003']);
  assert.deepEqual(readyWith(g, { T001: 'running' }), ['T003']);
  // A running task elsewhere holds its files too.
  const h = graphOf([
    '## Phase 1: A',
    '- [ ] T001 [P] a in src/x.ts',
    '- [ ] T002 [P] b in src/z.ts',
    '- [ ] T003 [P] c in src/x.ts',
  ]);
  assert.deepEqual(readyWith(h, { T001: 'running' }), ['T002']);
});

test('tests of a story precede its implementation in the same [P] run', () => {
  const g = graphOf([
    '## Phase 3: User Story 1 - X (Priority: P1)',
    '- [ ] T010 [P] [US1] Contract test in tests/a.test.ts',
    '- [ ] T011 [P] [US1] Model in src/m.ts',
    '- [ ] T012 [P] [US2] Other story in src/o.ts',
  ]);
  assert.deepEqual(deps(g, 'T011'), ['T010:tests-first']);
  assert.deepEqual(deps(g, 'T012'), []);
  assert.deepEqual(readyWith(g, {}), ['T010', 'T012']);
});

test('explicit dependencies: task text and statements, ranges expanded to existing ids', () => {
  const g = graphOf([
    '## Phase 1: A',
    '- [ ] T001 [P] a in src/a.ts',
    '- [ ] T002 [P] b in src/b.ts',
    '- [ ] T003 [P] c in src/c.ts (depends on T001)',
    '- [ ] T004 [P] d in src/d.ts',
    '- [ ] T005 [P] e in src/e.ts',
    '## Dependencies',
    '- T002 blocks T004',
    '- Tests (T001-T002) before implementation (T005)',
  ]);
  assert.deepEqual(deps(g, 'T003'), ['T001:explicit']);
  assert.deepEqual(deps(g, 'T004'), ['T002:explicit']);
  assert.deepEqual(deps(g, 'T005'), ['T001:explicit', 'T002:explicit']);
  assert.deepEqual(readyWith(g, {}), ['T001', 'T002']);
  assert.deepEqual(g.cycles, []);
});

test('a duplicated id names one task: the nearest before the reference in task text, the first in a statement', () => {
  const g = graphOf([
    '## Phase 1: A',
    '- [ ] T001 [P] first in src/a.ts',
    '- [ ] T002 [P] b in src/b.ts (depends on T001)',
    '- [ ] T003 c in src/c.ts',
    '- [ ] T001 [P] duplicate in src/d.ts',
    '- [ ] T004 [P] e in src/e.ts, after T001',
    '## Dependencies',
    '- T001 blocks T005',
    '## Phase 2: B',
    '- [ ] T005 f',
  ]);
  assert.deepEqual(g.cycles, [], 'the later duplicate does not make T002 wait for a task after it');
  assert.deepEqual(deps(g, 'T002'), ['T001:explicit']);
  assert.deepEqual(deps(g, 'T004'), ['T001#2:explicit', 'T003:sequence']);
  assert.deepEqual(
    g
      .dependentsOf('T001')
      .filter((e) => e.reason === 'explicit')
      .map((e) => e.key),
    ['T002', 'T005'],
    'the statement: the first T001',
  );
  assert.deepEqual(
    g
      .dependentsOf('T001#2')
      .filter((e) => e.reason === 'explicit')
      .map((e) => e.key),
    ['T004'],
  );
});

test('large statements go through one hub, not a product of edges', () => {
  const lines = ['## Phase 1: A'];
  for (let i = 1; i <= 40; i += 1) lines.push(`- [ ] T${String(i).padStart(3, '0')} [P] t in src/f${i}.ts`);
  lines.push('', '## Dependencies', '- Tests (T001-T020) before implementation (T021-T040)');
  const g = graphOf(lines);
  assert.equal(g.dependenciesOf('T030').length, 20);
  assert.ok(g.dependenciesOf('T030').every((e) => e.reason === 'explicit'));
  assert.equal(g.dependentsOf('T001').length, 20);
});

test('cycles are named, reported, and broken so the graph stays usable', () => {
  const doc = parseTasks(
    [
      '## Phase 1: A',
      '- [ ] T001 [P] a in src/a.ts (after T003)',
      '- [ ] T002 [P] b in src/b.ts',
      '- [ ] T003 [P] c in src/c.ts (after T001)',
    ].join('\n'),
  );
  const g = buildTaskGraph(doc);
  assert.equal(g.cycles.length, 1);
  assert.deepEqual(g.cycles[0]?.keys, ['T001', 'T003', 'T001']);
  assert.match(g.cycles[0]?.message ?? '', /T001 → T003 → T001/);
  const cycleDiag = diagnoseTasks(doc, g).find((d) => d.code === 'dependency-cycle');
  assert.equal(cycleDiag?.severity, 'error');
  assert.equal(g.topologicalOrder().length, 3);
  assert.deepEqual(readyWith(g, {}), ['T001', 'T002', 'T003']);
});

test('a cycle is reported once, on the reference that closes it: the earliest task waiting for a later one', () => {
  const doc = parseTasks(
    [
      '## Phase 1: A',
      '- [ ] T001 [P] a in src/a.ts (after T003)',
      '- [ ] T002 [P] b in src/b.ts',
      '- [ ] T003 [P] c in src/c.ts (after T001)',
    ].join('\n'),
  );
  const g = buildTaskGraph(doc);
  const cycles = g.diagnostics.filter((d) => d.code === 'dependency-cycle');
  assert.equal(cycles.length, 1, 'one diagnostic per cycle, not one per reference');
  const closing = { start: { line: 1, character: 36 }, end: { line: 1, character: 40 } };
  assert.deepEqual(cycles[0]?.range, closing, '`T003` in T001\'s "(after T003)"');
  assert.equal(textAt(doc, closing), 'T003');
  assert.equal(cycles[0]?.taskKey, 'T001');
  assert.match(cycles[0]?.message ?? '', /^Dependency cycle: T001 → T003 → T001 .*closed by T001 waiting for T003/);
  assert.deepEqual(g.cycles[0]?.range, closing);
  assert.equal(g.cycles[0]?.taskKey, 'T001');
});

test("a cycle closed by a dependency statement is reported on the statement's reference", () => {
  const doc = parseTasks(
    ['## Phase 1: A', '- [ ] T001 a', '- [ ] T002 b, after T001', '', '## Dependencies', '- T002 blocks T001'].join(
      '\n',
    ),
  );
  const g = buildTaskGraph(doc);
  assert.deepEqual(
    g.cycles.map((c) => c.keys),
    [['T001', 'T002', 'T001']],
  );
  const [cycle, ...rest] = g.diagnostics.filter((d) => d.code === 'dependency-cycle');
  assert.deepEqual(rest, []);
  assert.deepEqual(
    cycle?.range,
    { start: { line: 5, character: 2 }, end: { line: 5, character: 6 } },
    'the waited-for `T002`',
  );
  assert.equal(cycle?.taskKey, undefined, 'the reference is in no task');
  assert.match(cycle?.message ?? '', /closed by "- T002 blocks T001"/);
});

test('a dependency on a later phase is reported on the reference and ignored for scheduling', () => {
  const doc = parseTasks(['## Phase 1: A', '- [ ] T001 a, requires T002', '## Phase 2: B', '- [ ] T002 b'].join('\n'));
  const g = buildTaskGraph(doc);
  assert.deepEqual(
    g.diagnostics.map((d) => d.code),
    ['dependency-on-later-phase'],
  );
  assert.deepEqual(g.diagnostics[0]?.range, { start: { line: 1, character: 23 }, end: { line: 1, character: 27 } });
  assert.equal(g.diagnostics[0]?.taskKey, 'T001');
  assert.match(g.diagnostics[0]?.message ?? '', /^T001 depends on T002, which is in a later phase/);
  assert.deepEqual(g.cycles, []);
  assert.deepEqual(readyWith(g, {}), ['T001']);
});

test('later-phase dependencies: one diagnostic per reference, in task text, continuation lines and statements', () => {
  const lines = [
    '## Phase 1: A',
    '- [ ] T001 a, after T002-T004 and T003',
    '  - Depends: T005',
    '- [ ] T002 b',
    '## Phase 2: B',
    '- [ ] T003 c',
    '- [ ] T004 d',
    '- [ ] T005 e',
    '## Dependencies',
    '- T004 blocks T002 and T001; T001 before T005',
  ];
  const doc = parseTasks(lines.join('\n'));
  const g = buildTaskGraph(doc);
  const later = g.diagnostics.filter((d) => d.code === 'dependency-on-later-phase');
  assert.deepEqual(
    later.map((d) => [
      d.range.start.line,
      d.range.start.character,
      d.range.end.character,
      textAt(doc, d.range),
      d.taskKey,
    ]),
    [
      [1, 20, 29, 'T002-T004', 'T001'],
      [1, 34, 38, 'T003', 'T001'],
      [2, 13, 17, 'T005', 'T001'],
      [9, 2, 6, 'T004', undefined],
    ],
  );
  assert.match(
    later[0]?.message ?? '',
    /^T001 depends on T003, T004, which are in a later phase/,
    'only the later ids of the range',
  );
  assert.match(later[3]?.message ?? '', /makes earlier tasks wait for T004, in a later phase/);
  assert.deepEqual(
    deps(g, 'T001'),
    ['T002:explicit'],
    'nothing of phase 1 waits for phase 2; T001 waits for T002 of its own phase, as its text says',
  );
  assert.deepEqual(g.cycles, [], 'the sequence T001 → T002 yields to the explicit "after T002"');
});

test('critical path: longest chain, custom durations', () => {
  const g = graphOf([
    '## Phase 1: A',
    '- [ ] T001 a',
    '- [ ] T002 [P] b in src/b.ts',
    '- [ ] T003 [P] c in src/c.ts',
    '- [ ] T004 d',
    '## Phase 2: B',
    '- [ ] T005 e',
  ]);
  const unit = g.criticalPath();
  assert.equal(unit.length, 4);
  assert.deepEqual(unit.keys, ['T001', 'T002', 'T004', 'T005']);
  const weighted = g.criticalPath((t) => (t.id === 'T003' ? 10 : 1));
  assert.deepEqual(weighted, { keys: ['T001', 'T003', 'T004', 'T005'], length: 13 });
  assert.deepEqual(graphOf([]).criticalPath(), { keys: [], length: 0 });
});

test('topological order respects every edge; fixtures build without false cycles', () => {
  for (const name of ['template-user-stories.md', 'template-numbered-phases.md', 'crlf-bom.md']) {
    const doc = parseTasks(ownFixture(name));
    const g = buildTaskGraph(doc);
    assert.deepEqual(g.cycles, [], name);
    const position = new Map(g.topologicalOrder().map((k, i) => [k, i]));
    assert.equal(position.size, doc.tasks.length);
    for (const t of doc.tasks)
      for (const d of g.dependenciesOf(t.key))
        assert.ok((position.get(d.key) ?? 0) < (position.get(t.key) ?? 0), `${name}: ${d.key} before ${t.key}`);
  }
  const messy = parseTasks(ownFixture('messy.md'));
  const all = diagnoseTasks(messy).map((d) => d.code);
  assert.ok(all.includes('dependency-cycle'));
  assert.ok(all.includes('dependency-on-later-phase'));
  assert.ok(all.includes('duplicate-task-id'));
  const g = buildTaskGraph(messy);
  assert.deepEqual(
    g.cycles.map((c) => c.keys),
    [['T013', 'T014', 'T013']],
  );
  assert.equal(
    textAt(messy, g.cycles[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }),
    'T014',
  );
  assert.equal(g.cycles[0]?.range.start.line, 30, 'in "T013 Cycle partner, depends on T014"');
  assert.deepEqual(deps(g, 'T001'), ['T000:phase-order'], 'a task before any phase runs before the first phase');
  assert.equal(deps(g, 'T003').includes('T002:same-file'), true);
});

test('tests-first in a long [P] run: tests move up before the implementation, each of which waits for every test of its story', () => {
  const lines = ['## Phase 3: User Story 1 - X (Priority: P1)'];
  const kinds: ('test' | 'impl')[] = [];
  for (let i = 1; i <= 60; i += 1) {
    const isTestTask = i % 3 !== 0;
    kinds.push(isTestTask ? 'test' : 'impl');
    const id = `T${String(i).padStart(3, '0')}`;
    lines.push(
      isTestTask
        ? `- [ ] ${id} [P] [US1] Contract test in tests/t${i}.test.ts`
        : `- [ ] ${id} [P] [US1] Model in src/m${i}.ts`,
    );
  }
  const g = graphOf(lines);
  kinds.forEach((kind, k) => {
    const key = `T${String(k + 1).padStart(3, '0')}`;
    const expected =
      kind === 'test'
        ? []
        : kinds
            .flatMap((other, j) => (other === 'test' ? [`T${String(j + 1).padStart(3, '0')}:tests-first`] : []))
            .sort();
    assert.deepEqual(deps(g, key), expected, key);
  });
  assert.equal(g.dependentsOf('T001').length, 20, 'the first test holds every implementation after it');
  assert.equal(g.criticalPath().length, 2, 'hub nodes add no length');
  assert.deepEqual(
    readyWith(g, {}),
    kinds.flatMap((kind, j) => (kind === 'test' ? [`T${String(j + 1).padStart(3, '0')}`] : [])),
  );
});
