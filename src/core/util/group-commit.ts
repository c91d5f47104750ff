/**
 * Group commit: one commit in flight at a time, and every item added while it runs goes into the next one, in
 * the order added. A commit that costs the same whatever it carries (an fsync, a rewrite of a whole file) is
 * then paid once per burst instead of once per item, and callers that arrive together wait for one commit
 * instead of queueing behind each other's.
 *
 * An item added to an idle group is committed at once, alone: there is no timer and no batching delay.
 */

/** What one commit made of each item it was given, in order; or it throws and every item fails with that. */
export type BatchOutcome = readonly PromiseSettledResult<unknown>[] | void;

interface Queued<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<T> {
  private pending: Queued<T>[] = [];
  /** The drain loop, while one runs. */
  private running: Promise<void> | undefined;

  constructor(private readonly commit: (items: readonly T[]) => Promise<BatchOutcome>) {}

  /** Resolves once a commit carried the item; rejects with the commit's (or the item's own) failure. */
  add(item: T): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.pending.push({ item, resolve, reject }));
    this.running ??= this.drain();
    return done;
  }

  /** Resolves once nothing is queued or in flight. */
  async idle(): Promise<void> {
    await this.running;
  }

  /** Started with no await before it takes its first batch, so an item added to an idle group goes at once. */
  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        let outcome: BatchOutcome;
        try {
          outcome = await this.commit(batch.map((queued) => queued.item));
        } catch (error) {
          // Every item of a failed commit rejects for its caller; later items still get their own commit.
          for (const queued of batch) queued.reject(error);
          continue;
        }
        batch.forEach((queued, i) => {
          const own = outcome?.[i];
          if (own?.status === 'rejected') queued.reject(own.reason);
          else queued.resolve();
        });
      }
    } finally {
      this.running = undefined;
    }
  }
}
