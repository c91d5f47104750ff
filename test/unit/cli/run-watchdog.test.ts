import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunWatchdog, describeWaits } from '../../../src/cli/run-watchdog';
import { emptyRunView, foldRunView, type RunView } from '../../../src/protocol/engine-events';
import { ScriptedClock } from '../util/scripted-clock';

const at = '2026-01-01T00:00:00.000Z';

function runningView(): RunView {
  const view = emptyRunView();
  const task = (id: string) => ({
    key: id,
    id,
    description: `do ${id}`,
    phaseIndex: 0,
    line: 1,
    files: [],
    dependsOn: [],
    parallel: false,
    status: 'pending' as const,
  });
  foldRunView(view, {
    type: 'run-started',
    runId: 'r1',
    featureId: '001-x',
    tasksPath: 'specs/001-x/tasks.md',
    phases: [{ index: 0, title: 'Setup', taskKeys: ['T001', 'T002'] }],
    tasks: [task('T001'), task('T002')],
    resumed: false,
    at,
  });
  foldRunView(view, { type: 'worker-started', workerId: 'w1', role: 'code-writer', taskKey: 'T001', model: 'm', at });
  foldRunView(view, { type: 'worker-activity', workerId: 'w1', activity: 'waiting for rate limit (30 s)', at });
  return view;
}

function watchdog(clock: ScriptedClock, view: RunView, asking = () => false) {
  const quiet: string[][] = [];
  const stuck: string[][] = [];
  const dog = new RunWatchdog({
    view: () => view,
    askingPerson: asking,
    quietMs: 1000,
    stuckMs: 5000,
    onQuiet: (lines) => quiet.push(lines),
    onStuck: (lines) => stuck.push(lines),
    clock,
  });
  return { dog, quiet, stuck };
}

test('quiet: says what each worker waits for, once per interval; events keep it silent', async () => {
  const clock = new ScriptedClock({ earlyByMs: 2 });
  const { dog, quiet, stuck } = watchdog(clock, runningView());
  await clock.advance(800);
  dog.touch();
  await clock.advance(800);
  assert.equal(quiet.length, 0, 'an event within the interval keeps it quiet');
  await clock.advance(300);
  assert.equal(quiet.length, 1);
  assert.match(quiet[0]?.[0] ?? '', /^T001 code-writer: waiting for rate limit \(30 s\)$/);
  assert.match(quiet[0]?.at(-1) ?? '', /2 tasks not done \(T001, T002\); nothing happened for 1 s/);
  await clock.advance(1000);
  assert.equal(quiet.length, 2);
  assert.equal(stuck.length, 0);
  dog.stop();
});

test('stuck: quiet past the longest wait with nobody asked stops the run once', async () => {
  const clock = new ScriptedClock();
  const { quiet, stuck } = watchdog(clock, runningView());
  await clock.advance(5200);
  assert.equal(stuck.length, 1);
  assert.ok(quiet.length >= 3);
  await clock.advance(20_000);
  assert.equal(stuck.length, 1, 'reported once, then the watchdog is done');
});

test('a person being asked is no stall: however long they take, the run is not stopped', async () => {
  const clock = new ScriptedClock();
  const { dog, stuck } = watchdog(clock, runningView(), () => true);
  await clock.advance(60_000);
  assert.equal(stuck.length, 0);
  dog.stop();
  assert.equal(clock.pendingTimers, 0, 'stop leaves no timer behind');
});

test('describeWaits names edits awaiting a decision, and says when nothing at all is active', () => {
  const view = runningView();
  foldRunView(view, { type: 'worker-finished', workerId: 'w1', outcome: 'done', at });
  assert.match(describeWaits(view, 0)[0] ?? '', /no worker is active and no edit awaits a decision/);
  foldRunView(view, {
    type: 'proposal-pending',
    proposal: {
      id: 'p1',
      taskKey: 'T002',
      workerId: 'w2',
      role: 'code-writer',
      path: 'src/a.ts',
      kind: 'create',
      createdAt: at,
    },
    at,
  });
  assert.match(describeWaits(view, 0)[0] ?? '', /^T002: an edit of src\/a\.ts awaits a decision$/);
});
