import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent } from '../../../src/protocol/engine-events';
import { ANSI_STYLE, PLAIN_STYLE, chooseStyle } from '../../../src/cli/render-tasks-text';
import { RunRenderer, cutVisible } from '../../../src/cli/run-renderer';

const at = '2026-11-25T10:00:00.000Z';
const task = (key: string, phaseIndex: number) => ({
  key,
  id: key,
  description: `do ${key}`,
  phaseIndex,
  line: 1,
  files: [`src/${key}.js`],
  dependsOn: [],
  parallel: true,
  status: 'pending' as const,
});

const started: EngineEvent = {
  type: 'run-started',
  runId: 'r1',
  featureId: '001-demo',
  tasksPath: 'specs/001-demo/tasks.md',
  phases: [
    { index: 0, title: 'Setup', taskKeys: ['T001', 'T002'] },
    { index: 1, title: 'Core', taskKeys: ['T003'] },
  ],
  tasks: [task('T001', 0), task('T002', 0), task('T003', 1)],
  resumed: false,
  budgetUsd: 5,
  at,
};

const run: EngineEvent[] = [
  started,
  { type: 'task-status', taskKey: 'T001', status: 'running', role: 'code-writer', at },
  {
    type: 'worker-started',
    workerId: 'w1',
    role: 'code-writer',
    taskKey: 'T001',
    model: 'claude-sonnet-5-5',
    commands: ['spec-kit:implement', 'implement'],
    at,
  },
  { type: 'worker-activity', workerId: 'w1', activity: 'reading src/T001.js', at },
  {
    type: 'proposal-pending',
    proposal: {
      id: 'p1',
      taskKey: 'T001',
      workerId: 'w1',
      role: 'code-writer',
      path: 'src/T001.js',
      kind: 'create',
      createdAt: at,
    },
    at,
  },
  { type: 'proposal-decided', proposalId: 'p1', outcome: 'rejected', feedback: 'use const', at },
  {
    type: 'usage',
    totals: {
      inputTokens: 12_345,
      outputTokens: 678,
      cacheCreationInputTokens: 0,
      cacheCreation1hInputTokens: 0,
      cacheReadInputTokens: 0,
      costUsd: 0.0421,
      estimated: false,
    },
    byRole: {},
    at,
  },
  { type: 'proposal-applied', proposalId: 'p2', taskKey: 'T001', path: 'src/T001.js', kind: 'create', at },
  { type: 'worker-finished', workerId: 'w1', outcome: 'done', summary: 'made it', at },
  { type: 'task-status', taskKey: 'T001', status: 'done', at },
  { type: 'log', level: 'debug', message: 'internal detail', at },
  {
    type: 'finding',
    source: 'code-review',
    severity: 'warning',
    message: 'unused variable',
    path: 'src/T001.js',
    line: 3,
    at,
  },
  { type: 'run-finished', outcome: 'failed', message: '1/3 tasks done', at },
];

function capture() {
  let text = '';
  return { out: { write: (s: string) => (text += s) }, text: () => text };
}

test('without a TTY: one plain line per event, timestamped, no control codes, debug logs left out', () => {
  const sink = capture();
  const renderer = new RunRenderer({ out: sink.out, live: false, style: PLAIN_STYLE });
  for (const e of run) renderer.handle(e);
  renderer.close();
  const lines = sink.text().trimEnd().split('\n');
  assert.equal(lines.length, run.length - 1 + 1, 'a line per event but the debug log, and the phase that started');
  assert.ok(lines.every((l) => /^\d\d:\d\d:\d\d /.test(l)));
  assert.ok(!sink.text().includes('\u001b'));
  assert.doesNotMatch(sink.text(), /internal detail/);
  assert.match(sink.text(), /worker {4}T001 code-writer: reading src\/T001\.js/);
  assert.match(
    sink.text(),
    /decision {2}T001 create src\/T001\.js rejected: use const/,
    'the decided proposal is named from the view before the fold',
  );
  assert.match(sink.text(), /worker {4}T001 code-writer done — made it/);
  assert.match(sink.text(), /usage {5}tokens 12\.3k in · 678 out · \$0\.04 of \$5\.00/);
  assert.match(sink.text(), /finding {3}code-review warning src\/T001\.js:3: unused variable/);
});

test('phase lines: a phase starts with its first running task and completes (or finishes, with failures) with its last', () => {
  const sink = capture();
  const renderer = new RunRenderer({ out: sink.out, live: false, style: PLAIN_STYLE });
  const status = (taskKey: string, s: 'running' | 'done' | 'failed'): EngineEvent => ({
    type: 'task-status',
    taskKey,
    status: s,
    ...(s === 'running' ? { role: 'code-writer' as const } : {}),
    at,
  });
  for (const e of [
    started,
    status('T001', 'running'),
    status('T002', 'running'),
    status('T001', 'done'),
    status('T002', 'done'),
    status('T003', 'running'),
    status('T003', 'failed'),
  ])
    renderer.handle(e);
  const phaseLines = sink
    .text()
    .split('\n')
    .filter((l) => / phase {5}/.test(l))
    .map((l) => l.slice(9));
  assert.deepEqual(phaseLines, [
    'phase     1/2 Setup started: 2 tasks to do',
    'phase     1/2 Setup complete: 2/2 done',
    'phase     2/2 Core started: 1 task to do',
    'phase     2/2 Core finished: 0/1 done, 1 failed',
  ]);
  const order = sink.text().split('\n');
  const startedAt = order.findIndex((l) => l.includes('Setup started'));
  assert.ok(startedAt >= 0 && order[startedAt + 1]?.includes('running   T001'), 'the phase line comes first');

  // A resumed run whose phase had begun does not announce it again.
  const again = capture();
  const resumedRun = new RunRenderer({ out: again.out, live: false, style: PLAIN_STYLE });
  resumedRun.handle({
    ...started,
    resumed: true,
    tasks: [{ ...task('T001', 0), status: 'done' }, task('T002', 0), task('T003', 1)],
  });
  resumedRun.handle(status('T002', 'running'));
  resumedRun.handle(status('T002', 'done'));
  assert.doesNotMatch(again.text(), /Setup started/);
  assert.match(again.text(), /phase {5}1\/2 Setup complete: 2\/2 done/);
});

test('the renderer holds no task state of its own: its view is the fold of the events', () => {
  const renderer = new RunRenderer({ out: capture().out, live: false, style: PLAIN_STYLE });
  for (const e of run) renderer.handle(e);
  assert.equal(renderer.view.tasks.get('T001')?.status, 'done');
  assert.equal(renderer.view.workers.size, 0);
  assert.equal(renderer.view.finished?.outcome, 'failed');
});

test('on a TTY: phase bars, active workers with activity, tokens and cost, redrawn in place', () => {
  const sink = capture();
  const renderer = new RunRenderer({
    out: sink.out,
    live: true,
    style: PLAIN_STYLE,
    redrawIntervalMs: 0,
    columns: () => 200,
  });
  for (const e of run.slice(0, 7)) renderer.handle(e);
  const live = renderer.liveLines().join('\n');
  assert.match(live, /001-demo · run r1 · 0\/3 tasks done/);
  assert.match(live, /Setup ░{20} 0\/2/);
  assert.match(live, /T001 code-writer \/spec-kit:implement \/implement claude-sonnet-5-5 {2}reading src\/T001\.js/);
  assert.match(live, /tokens 12\.3k in · 678 out · \$0\.04 of \$5\.00/);
  for (const e of run.slice(7)) renderer.handle(e);
  renderer.close();
  assert.match(renderer.liveLines().join('\n'), /Setup █{10}░{10} 1\/2/);
  assert.ok(
    /\[\d+F/.test(sink.text()) && sink.text().includes('\u001b[J'),
    'the live block is erased before it is drawn again',
  );
  assert.doesNotMatch(sink.text(), /worker {4}T001 code-writer: reading/, 'activity is shown live, not as lines');
  assert.match(sink.text(), /done {6}T001/);
});

test('a suspended renderer (a question on screen) holds its lines until it resumes', () => {
  const sink = capture();
  const renderer = new RunRenderer({ out: sink.out, live: true, style: PLAIN_STYLE, redrawIntervalMs: 0 });
  renderer.handle(started);
  renderer.suspend();
  const before = sink.text();
  renderer.handle({ type: 'task-status', taskKey: 'T002', status: 'failed', message: 'no edits', at });
  assert.equal(sink.text(), before);
  renderer.resume();
  assert.match(sink.text().slice(before.length), /failed {4}T002: no edits/);
  renderer.close();
});

test('colour only on a TTY without NO_COLOR; cut lines keep their colour codes', () => {
  assert.equal(chooseStyle(true, {}), ANSI_STYLE);
  assert.equal(chooseStyle(true, { NO_COLOR: '1' }), PLAIN_STYLE);
  assert.equal(chooseStyle(false, {}), PLAIN_STYLE);
  assert.equal(cutVisible(`ab${ANSI_STYLE.done('cdef')}gh`, 4), `ab\u001b[32mcd\u001b[39m`);
});

test('lines are cut in terminal columns: wide CJK and emoji take two, a combining mark none, nothing split', () => {
  assert.equal(cutVisible('漢字テスト', 5), '漢字', 'a wide character that would straddle the edge is left out');
  assert.equal(cutVisible('ab漢字', 4), 'ab漢');
  assert.equal(cutVisible('T001 ✅ 完了 done', 9), 'T001 ✅ ');
  assert.equal(cutVisible('cafe\u0301 au lait', 5), 'cafe\u0301 ', 'the accent stays on its letter');
  assert.equal(cutVisible('👩‍💻 codes', 3), '👩‍💻 ', 'one emoji sequence is one character two columns wide');
  assert.equal(cutVisible(`漢${ANSI_STYLE.done('字テ')}スト`, 4), `漢\u001b[32m字\u001b[39m`, 'colour codes stay');
  assert.equal(cutVisible('a\u001bb漢字', 3), 'ab', 'a stray ESC is no column and not sent');
  assert.equal(cutVisible('漢字', 10), '漢字');
});

test('live lines are cut to the terminal width read at each redraw, so a wrapped line never breaks the redraw', () => {
  const sink = capture();
  let width = 200;
  const renderer = new RunRenderer({
    out: sink.out,
    live: true,
    style: PLAIN_STYLE,
    redrawIntervalMs: 0,
    columns: () => width,
  });
  renderer.handle(started);
  width = 30;
  const before = sink.text().length;
  renderer.handle(run[2]!);
  renderer.close();
  const redrawn = sink
    .text()
    .slice(before)
    .replace(new RegExp(`${String.fromCharCode(27)}\\[\\d*[A-Za-z]`, 'g'), '')
    .split('\n')
    .filter((l) => l !== '');
  assert.ok(redrawn.length >= 3);
  for (const line of redrawn) assert.ok(line.length <= 29, line);
});
