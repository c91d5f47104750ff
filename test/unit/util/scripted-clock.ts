/**
 * A `MonotonicClock` the test moves by hand, with the two faults real clocks show: timers that fire a little
 * before the clock says their time has come (`earlyByMs`), and a reading that jumps backwards (`jumpBack`).
 */
import type { MonotonicClock, TimerHandle } from '../../../src/core/util/monotonic-clock';

interface PendingTimer {
  id: number;
  firesAt: number;
  callback: () => void;
}

export class ScriptedClock implements MonotonicClock {
  private time = 1_000;
  private nextId = 1;
  private timers: PendingTimer[] = [];
  /** Every `setTimer` call, as [ms asked]: tests check that a wake-up was re-armed. */
  readonly armed: number[] = [];

  constructor(private readonly options: { earlyByMs?: number } = {}) {}

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, ms: number): TimerHandle {
    this.armed.push(ms);
    const id = this.nextId++;
    // A timer may fire before the clock agrees, but (as real ones) not in the same instant it was armed.
    const wait = ms <= 0 ? 0 : Math.max(1, ms - (this.options.earlyByMs ?? 0));
    this.timers.push({ id, firesAt: this.time + wait, callback });
    return id;
  }

  clearTimer(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** The clock reads `by` less from now on; timers keep their place in real time. */
  jumpBack(by: number): void {
    this.time -= by;
    for (const timer of this.timers) timer.firesAt -= by;
  }

  /** Moves time forward by `ms`, firing each timer in order at its moment, letting promises settle between. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      const next = this.timers.filter((t) => t.firesAt <= end).sort((a, b) => a.firesAt - b.firesAt || a.id - b.id)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = Math.max(this.time, next.firesAt);
      next.callback();
    }
    this.time = end;
    await settle();
  }
}

/** Lets every queued promise callback run (a few macrotask turns, since chains can be long). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
