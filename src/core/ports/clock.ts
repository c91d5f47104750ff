/**
 * The run's wall clock: timestamps in the journal and in events, which people read. Waits and deadlines never
 * use it; they run on the monotonic clock (src/core/util/monotonic-clock.ts). Tests pass a fixed one.
 */
export interface WallClock {
  now(): Date;
}

export const systemWallClock: WallClock = { now: () => new Date() };
