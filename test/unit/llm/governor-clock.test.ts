/**
 * The governor's waits on a clock the test controls: a pool pause must end, and every queued call must start,
 * whatever the timers and the clock do. (Before the governor armed its waits on one clock, a wake-up that
 * fired a millisecond early found the pool still paused, did nothing, and every queued call waited forever.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LlmGovernor, type RetryDecision } from '../../../src/core/llm/governor';
import { ScriptedClock, settle } from '../util/scripted-clock';

const never = new AbortController().signal;
const rateLimited = new Error('429 rate limited');

function poolBackoff(retryAfterMs: number): (error: unknown) => RetryDecision {
  return (error) => (error === rateLimited ? { type: 'pool-backoff', retryAfterMs } : { type: 'fail' });
}

/** Three calls on a one-slot pool; the first is rate limited once with `retry-after` 1 s. */
function threeCalls(governor: LlmGovernor): { settled: string[]; all: Promise<string[]> } {
  const settled: string[] = [];
  let limited = false;
  const call = (name: string) =>
    governor
      .run(
        {
          classify: poolBackoff(1000),
          attempt: async () => {
            if (name === 'a' && !limited) {
              limited = true;
              throw rateLimited;
            }
            return name;
          },
        },
        never,
      )
      .then((value) => {
        settled.push(value);
        return value;
      });
  return { settled, all: Promise.all([call('a'), call('b'), call('c')]) };
}

for (const earlyByMs of [1, 5, 400]) {
  test(`a pause whose timer fires ${earlyByMs} ms early still ends, and every queued call starts`, async () => {
    const clock = new ScriptedClock({ earlyByMs });
    const governor = new LlmGovernor({ maxConcurrent: 1, clock });
    const { settled, all } = threeCalls(governor);
    await clock.advance(990);
    assert.deepEqual(settled, [], 'nothing starts during the pause');
    assert.ok(governor.stats.poolPausedForMs > 0);
    await clock.advance(20);
    assert.deepEqual((await all).sort(), ['a', 'b', 'c']);
    assert.equal(governor.stats.inFlight, 0);
    assert.equal(governor.stats.queued, 0);
  });
}

test('a clock that jumps backwards during a pause does not stretch it', async () => {
  const clock = new ScriptedClock();
  const governor = new LlmGovernor({ maxConcurrent: 1, clock });
  const { settled, all } = threeCalls(governor);
  await clock.advance(300);
  clock.jumpBack(6 * 60 * 60_000);
  await clock.advance(690);
  assert.deepEqual(settled, []);
  await clock.advance(20);
  assert.deepEqual((await all).sort(), ['a', 'b', 'c'], 'done about 1 s after the 429, not six hours later');
});

test('a call queued while the pool is paused is woken even when it queues after the wake-up was armed', async () => {
  const clock = new ScriptedClock({ earlyByMs: 2 });
  const governor = new LlmGovernor({ maxConcurrent: 2, clock });
  const { all } = threeCalls(governor);
  await clock.advance(500);
  const late = governor.run({ classify: poolBackoff(1), attempt: async () => 'late' }, never);
  await clock.advance(600);
  assert.equal(await late, 'late');
  assert.deepEqual((await all).sort(), ['a', 'b', 'c']);
});

test('own backoff after a broken stream is measured on the same clock and survives an early timer', async () => {
  const clock = new ScriptedClock({ earlyByMs: 3 });
  const governor = new LlmGovernor({ maxConcurrent: 1, clock, baseBackoffMs: 200 });
  let attempts = 0;
  let result: string | undefined;
  void governor
    .run(
      {
        classify: () => ({ type: 'retry', reason: 'stream broken' }),
        attempt: async () => {
          attempts++;
          if (attempts === 1) throw new Error('cut');
          return 'second time';
        },
      },
      never,
    )
    .then((r) => (result = r));
  await settle();
  await clock.advance(99);
  assert.equal(result, undefined, 'still in the 100 ms backoff');
  await clock.advance(10);
  assert.equal(result, 'second time');
});

test('cancelling a call queued behind a pause rejects it at once and leaves the others running', async () => {
  const clock = new ScriptedClock();
  const governor = new LlmGovernor({ maxConcurrent: 1, clock });
  const { all } = threeCalls(governor);
  const controller = new AbortController();
  const cancelled = governor.run({ classify: poolBackoff(1), attempt: async () => 'never' }, controller.signal);
  await clock.advance(10);
  controller.abort();
  await assert.rejects(cancelled, /cancelled/);
  await clock.advance(1100);
  assert.deepEqual((await all).sort(), ['a', 'b', 'c']);
});
