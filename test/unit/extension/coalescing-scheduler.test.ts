import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoalescingScheduler } from '../../../src/extension/coalescing-scheduler';

function scheduler(work: () => void | Promise<void>, errors: unknown[] = []): CoalescingScheduler {
  return new CoalescingScheduler(work, { quietMs: 50, maxDelayMs: 200, onError: (e) => errors.push(e) });
}

/** Lets the promise jobs a timer callback queued (the run's async wrapper) finish. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

test('a burst of calls runs the work once, after the burst pauses', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let runs = 0;
  const s = scheduler(() => {
    runs++;
  });
  for (let i = 0; i < 10; i++) {
    s.schedule();
    t.mock.timers.tick(10);
  }
  assert.equal(runs, 0, 'still inside the burst');
  t.mock.timers.tick(50);
  await settle();
  assert.equal(runs, 1);
  t.mock.timers.tick(1000);
  await settle();
  assert.equal(runs, 1, 'nothing more without a call');
  s.dispose();
});

test('a steady stream of calls still runs the work every maxDelayMs', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let runs = 0;
  const s = scheduler(() => {
    runs++;
  });
  for (let elapsed = 0; elapsed < 1000; elapsed += 20) {
    s.schedule();
    t.mock.timers.tick(20);
    await settle();
  }
  // One run per 200 ms of a stream that never pauses for 50 ms.
  assert.ok(runs >= 4 && runs <= 5, `ran ${runs} times in 1 s`);
  s.dispose();
});

test('runs never overlap; a call during a run runs once more after it', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let active = 0;
  let maxActive = 0;
  let runs = 0;
  const releases: (() => void)[] = [];
  const s = scheduler(async () => {
    active++;
    runs++;
    maxActive = Math.max(maxActive, active);
    await new Promise<void>((resolve) => releases.push(resolve));
    active--;
  });
  s.schedule();
  t.mock.timers.tick(50);
  await settle();
  assert.equal(runs, 1);
  s.schedule();
  s.schedule();
  t.mock.timers.tick(500);
  await settle();
  assert.equal(runs, 1, 'the second run waits for the first');
  releases.shift()?.();
  await settle();
  t.mock.timers.tick(50);
  await settle();
  assert.equal(runs, 2, 'calls made during the run give exactly one more run');
  releases.shift()?.();
  await settle();
  assert.equal(maxActive, 1);
  s.dispose();
});

test('a failing run is reported and does not stop later runs; dispose cancels what is scheduled', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const errors: unknown[] = [];
  let runs = 0;
  const s = scheduler(() => {
    runs++;
    if (runs === 1) throw new Error('boom');
  }, errors);
  s.schedule();
  t.mock.timers.tick(50);
  await settle();
  assert.equal(errors.length, 1);
  s.schedule();
  t.mock.timers.tick(50);
  await settle();
  assert.equal(runs, 2);
  s.schedule();
  s.dispose();
  t.mock.timers.tick(1000);
  await settle();
  assert.equal(runs, 2, 'nothing runs after dispose');
  s.schedule();
  t.mock.timers.tick(1000);
  await settle();
  assert.equal(runs, 2);
});

test('flush runs at once, and during a run runs once more after it', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let runs = 0;
  const releases: (() => void)[] = [];
  const s = scheduler(async () => {
    runs++;
    await new Promise<void>((resolve) => releases.push(resolve));
  });
  s.schedule();
  s.flush();
  await settle();
  assert.equal(runs, 1, 'ran without waiting for the burst to pause');
  s.flush();
  await settle();
  assert.equal(runs, 1, 'a flush does not start a run beside the one under way');
  releases.shift()?.();
  await settle();
  t.mock.timers.tick(50);
  await settle();
  assert.equal(runs, 2, 'the flush during the run ran once more after it');
  releases.shift()?.();
  await settle();
  t.mock.timers.tick(1000);
  await settle();
  assert.equal(runs, 2, "the burst's own timers were cleared by the flush");
  s.dispose();
});
