export interface CoalescingOptions {
  /** Run once the calls to `schedule` pause this long. */
  readonly quietMs: number;
  /** …but no later than this after the first call of a burst, so a steady stream still shows progress. */
  readonly maxDelayMs: number;
  /** A failed run is reported here; the next `schedule` runs again. */
  readonly onError: (error: unknown) => void;
}

/**
 * Turns bursts of "something changed" into few runs of the work that shows it (a tree refresh, a webview post):
 * a run starts when the burst pauses for `quietMs` or `maxDelayMs` after it began, whichever comes first. Runs
 * never overlap; a call during a run schedules one more after it. Two timers, no clock readings: each deadline
 * is a timer armed once, so nothing compares times taken from different clocks.
 */
export class CoalescingScheduler {
  private quietTimer: ReturnType<typeof setTimeout> | undefined;
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private rerun = false;
  private disposed = false;

  constructor(
    private readonly work: () => void | Promise<void>,
    private readonly options: CoalescingOptions,
  ) {}

  schedule(): void {
    if (this.disposed) return;
    if (this.running !== undefined) {
      this.rerun = true;
      return;
    }
    if (this.quietTimer !== undefined) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.run(), this.options.quietMs);
    this.deadlineTimer ??= setTimeout(() => this.run(), this.options.maxDelayMs);
  }

  /**
   * Runs now instead of after the burst, for a change the user acts on next (a decided proposal's row must not
   * stay clickable for another burst). A run under way is not interrupted: it runs once more after it.
   */
  flush(): void {
    if (this.disposed) return;
    if (this.running !== undefined) {
      this.rerun = true;
      return;
    }
    this.run();
  }

  private run(): void {
    this.clearTimers();
    if (this.disposed) return;
    this.running = (async () => {
      try {
        await this.work();
      } catch (error) {
        this.options.onError(error);
      }
    })().finally(() => {
      this.running = undefined;
      if (this.rerun) {
        this.rerun = false;
        this.schedule();
      }
    });
  }

  private clearTimers(): void {
    if (this.quietTimer !== undefined) clearTimeout(this.quietTimer);
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    this.quietTimer = undefined;
    this.deadlineTimer = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.rerun = false;
    this.clearTimers();
  }
}
