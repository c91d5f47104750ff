// Preloaded into a CLI process by cli-hang-guards.test.ts: simulates a lost wake-up. Timers armed for
// 1100-1300 ms never fire — the governor's wake-up at the end of a 1.234 s rate-limit pause is the only wait of
// that length in a run against the test's mock — so the run is left with nothing that could move it on.
'use strict';
const originalSetTimeout = global.setTimeout;
global.setTimeout = function (callback, ms, ...args) {
  if (typeof ms === 'number' && ms >= 1100 && ms <= 1300) {
    const lost = originalSetTimeout(() => undefined, ms);
    clearTimeout(lost);
    return lost;
  }
  return originalSetTimeout(callback, ms, ...args);
};
