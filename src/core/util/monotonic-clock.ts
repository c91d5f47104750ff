/**
 * Time for waits and deadlines. A wait armed on one clock must be checked on the same clock: Node's timers run
 * on a monotonic clock of their own, and can fire a millisecond (or, after a wall-clock adjustment, much more)
 * before `Date.now()` says the time has come. A wake-up that re-checks a time against another clock and then
 * does nothing loses itself, and whatever waited on it waits forever. So every wait in the core takes its
 * time from one `MonotonicClock` and arms its timers through it, and a wake-up that finds it came early
 * arms itself again (`whenDue`).
 */

/** What `setTimer` returns: Node's `Timeout`, or whatever a test clock hands out. */
export type TimerHandle = object | number;

export interface MonotonicClock {
  /** Milliseconds since an arbitrary origin; never goes backwards, never jumps with the wall clock. */
  now(): number;
  /**
   * Calls back after about `ms` (possibly a little early); `clearTimer` cancels it. `keepAlive: false`: the
   * timer alone does not keep the process running (a watchdog's check, say).
   */
  setTimer(callback: () => void, ms: number, options?: TimerOptions): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export interface TimerOptions {
  /** Default true. */
  keepAlive?: boolean;
}

export const systemMonotonicClock: MonotonicClock = {
  now: () => performance.now(),
  setTimer: (callback, ms, options) => {
    const timer = setTimeout(callback, ms);
    if (options?.keepAlive === false) timer.unref();
    return timer;
  },
  clearTimer: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

/** Node refuses timers over 2^31 - 1 ms (it fires them at once): longer waits are armed in pieces. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Calls `onDue` once, when `clock.now()` has reached `dueAt`. A timer that fires before the clock agrees arms
 * again for the rest, so the wake-up is never lost. A clock seen going backwards (a test clock, or a broken
 * one) is not trusted to wait the difference again: the timer's own wait counts as time passed, so the total
 * wait never grows past what was asked. Returns a function that cancels the call.
 */
export function whenDue(clock: MonotonicClock, dueAt: number, onDue: () => void, options?: TimerOptions): () => void {
  let handle: TimerHandle | undefined;
  let due = dueAt;
  let armedAt = 0;
  let armedFor = 0;
  let done = false;

  const arm = (): void => {
    armedAt = clock.now();
    armedFor = Math.min(Math.max(0, due - armedAt), MAX_TIMER_MS);
    handle = clock.setTimer(fire, armedFor, options);
  };
  const fire = (): void => {
    handle = undefined;
    if (done) return;
    const now = clock.now();
    if (now < armedAt) due = Math.min(due, now + Math.max(0, due - armedAt - armedFor));
    if (now >= due) {
      done = true;
      onDue();
      return;
    }
    arm();
  };

  arm();
  return () => {
    done = true;
    if (handle !== undefined) clock.clearTimer(handle);
    handle = undefined;
  };
}

/** Rejects with this when a sleep is cancelled; carries the signal's reason as `cause`. */
export class SleepAbortedError extends Error {
  constructor(options?: ErrorOptions) {
    super('the wait was cancelled', options);
    this.name = 'SleepAbortedError';
  }
}

/** Waits `ms` on `clock`, or rejects with `SleepAbortedError` as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal, clock: MonotonicClock = systemMonotonicClock): Promise<void> {
  if (signal.aborted) return Promise.reject(new SleepAbortedError({ cause: signal.reason }));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      cancel();
      reject(new SleepAbortedError({ cause: signal.reason }));
    };
    const cancel = whenDue(clock, clock.now() + ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
