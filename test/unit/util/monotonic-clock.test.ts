import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep, SleepAbortedError, systemMonotonicClock, whenDue } from '../../../src/core/util/monotonic-clock';
import { ScriptedClock } from './scripted-clock';

test('whenDue: a timer that fires early is armed again for the rest, and the call comes once, on time', async () => {
  const clock = new ScriptedClock({ earlyByMs: 3 });
  const calls: number[] = [];
  whenDue(clock, clock.now() + 1000, () => calls.push(clock.now()));
  await clock.advance(997);
  assert.deepEqual(calls, [], 'the early timer did not count as due');
  assert.equal(clock.pendingTimers, 1, 'the wake-up was armed again, not lost');
  await clock.advance(10);
  assert.equal(calls.length, 1);
  assert.ok((calls[0] ?? 0) >= 2000, `called at ${calls[0]}, due at 2000`);
  await clock.advance(5000);
  assert.equal(calls.length, 1, 'called once');
});

test('whenDue: a clock that jumps backwards does not make the wait start over', async () => {
  const clock = new ScriptedClock();
  let called = false;
  whenDue(clock, clock.now() + 1000, () => (called = true));
  await clock.advance(400);
  clock.jumpBack(60 * 60_000);
  await clock.advance(599);
  assert.equal(called, false);
  await clock.advance(2);
  assert.equal(called, true, 'due after the 1000 ms asked for, not an hour later');
});

test('whenDue: cancelled before it is due, it never calls and leaves no timer', async () => {
  const clock = new ScriptedClock({ earlyByMs: 1 });
  let called = false;
  const cancel = whenDue(clock, clock.now() + 50, () => (called = true));
  await clock.advance(49);
  cancel();
  await clock.advance(1000);
  assert.equal(called, false);
  assert.equal(clock.pendingTimers, 0);
});

test('whenDue: a time already passed calls on the next timer turn', async () => {
  const clock = new ScriptedClock();
  let called = false;
  whenDue(clock, clock.now() - 5, () => (called = true));
  await clock.advance(0);
  assert.equal(called, true);
});

test('sleep: resolves after the time on the clock; an abort rejects at once and disarms the timer', async () => {
  const clock = new ScriptedClock({ earlyByMs: 2 });
  let slept = false;
  const done = sleep(100, new AbortController().signal, clock).then(() => (slept = true));
  await clock.advance(99);
  assert.equal(slept, false);
  await clock.advance(1);
  await done;
  assert.equal(slept, true);

  const controller = new AbortController();
  const aborted = sleep(60_000, controller.signal, clock);
  controller.abort(new Error('stop'));
  await assert.rejects(aborted, SleepAbortedError);
  assert.equal(clock.pendingTimers, 0);
  await assert.rejects(sleep(1, controller.signal, clock), SleepAbortedError, 'an aborted signal never waits');
});

test('the system clock is monotonic and its timers really wait', async () => {
  const before = systemMonotonicClock.now();
  await sleep(20, new AbortController().signal);
  assert.ok(systemMonotonicClock.now() - before >= 19, `waited ${systemMonotonicClock.now() - before} ms`);
});
