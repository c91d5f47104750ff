/**
 * The implementation-orchestrator's loop: start every task the graph says is ready, up to `maxWorkers` at a
 * time, never two on one file; when one ends, look again. Phase order, `[P]` groups, tests-first and explicit
 * dependencies are the graph's edges, so the loop stays small and the graph stays the one source of order.
 * Among ready tasks it starts the ones with the longest remaining path first, which keeps the makespan near
 * the critical path.
 *
 * The scheduler owns task state: it is the only place a task moves. A lifecycle move (running, then done,
 * failed, skipped or cancelled) goes through `onStatus`, which the run journals; the schedule waits for an
 * end before it goes on, so what the journal says is never behind what the run did. A move within a running task
 * (it waits for an approval, works again, a bug-fixer takes over) goes through `onProgress`: the journal holds
 * it another way (the proposal's records, the worker's), so it is shown, not journaled.
 */
import type { TaskStatus, WorkerRole } from '../../../protocol/engine-events';

export type ScheduleStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface ReadyGraph {
  /** Tasks whose dependencies are done and whose files no running task holds. */
  ready(status: (key: string) => ScheduleStatus): readonly { key: string }[];
}

export type TaskEnd = 'done' | 'failed' | 'skipped' | 'cancelled';

/** How a task ended, and why when it did not end done: the reason is journaled with the move. */
export interface TaskExecution {
  status: TaskEnd;
  reason?: string;
}

/** One move of one task, as the faces and the journal see it. */
export interface TaskMove {
  key: string;
  status: TaskStatus;
  role?: WorkerRole;
  workerId?: string;
  message?: string;
}

/** A move within a running task: waiting for a decision on its proposal, or working again. */
export type ProgressMove = Omit<TaskMove, 'key' | 'status'> & { status: 'running' | 'awaiting-approval' };

export interface InitialStatus {
  status: 'pending' | 'done' | 'skipped';
  /** Why, when a face should be told (a resumed task that no longer matches tasks.md). */
  reason?: string;
}

export interface ScheduleOptions {
  graph: ReadyGraph;
  /** Every task of the plan; keys not listed here are treated as done (outside this run). */
  taskKeys: readonly string[];
  /** Status at the start: `done` for tasks ticked already or finished in a resumed journal. */
  initialStatus(key: string): InitialStatus;
  maxWorkers: number;
  filesOf(key: string): readonly string[];
  /** Higher first; e.g. the length of the longest path from the task to the end. */
  priority?(key: string): number;
  /** Runs the task to its end; `progress` reports moves within it. The scheduler then moves the task. */
  execute(key: string, signal: AbortSignal, progress: (move: ProgressMove) => void): Promise<TaskExecution>;
  /**
   * A lifecycle move, recorded in call order (the run journals it). A task's end is recorded only once its
   * start is, and the schedule goes on past an end only once it is recorded; a task's worker starts while its
   * start is being recorded, since whatever the task records later vouches for it.
   */
  onStatus(move: TaskMove): Promise<void>;
  /** A move shown but not journaled: within a running task, or why a task starts out skipped. */
  onProgress(move: TaskMove): void;
  signal: AbortSignal;
}

export interface ScheduleResult {
  status: ReadonlyMap<string, ScheduleStatus | 'cancelled'>;
  /** Tasks never started because something they wait for failed or was skipped. */
  blocked: string[];
  cancelled: boolean;
}

export class Scheduler {
  private readonly status = new Map<string, ScheduleStatus | 'cancelled'>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly lockedFiles = new Map<string, string>();
  private readonly order: ReadonlyMap<string, number>;
  /** The first lifecycle move that could not be recorded: the schedule stops and `run` rethrows it. */
  private recordFailure: { error: unknown } | undefined;

  constructor(private readonly options: ScheduleOptions) {
    this.order = new Map(options.taskKeys.map((key, i) => [key, i]));
  }

  /** Reports a move within a running task; ignored once the task has ended (a late gate event). */
  progress(key: string, move: ProgressMove): void {
    if (this.status.get(key) !== 'running') return;
    this.options.onProgress({ key, ...move });
  }

  async run(): Promise<ScheduleResult> {
    const { options } = this;
    for (const key of options.taskKeys) {
      const initial = options.initialStatus(key);
      this.status.set(key, initial.status);
      if (initial.reason !== undefined) options.onProgress({ key, status: initial.status, message: initial.reason });
    }
    while (!options.signal.aborted && this.recordFailure === undefined) {
      for (const key of this.readyKeys()) {
        if (this.running.size >= Math.max(1, options.maxWorkers)) break;
        // The graph keeps same-file [P] tasks apart; this is the scheduler's own guarantee on top.
        if (options.filesOf(key).some((file) => this.lockedFiles.has(file))) continue;
        this.start(key);
      }
      if (this.running.size === 0) break;
      await Promise.race(this.running.values());
    }
    await Promise.all(this.running.values());
    const blocked = await this.settleUnstarted();
    if (this.recordFailure !== undefined) throw this.recordFailure.error;
    return { status: this.status, blocked, cancelled: options.signal.aborted };
  }

  private statusOf = (key: string): ScheduleStatus => {
    const status = this.status.get(key);
    if (status === undefined) return 'done';
    return status === 'cancelled' ? 'failed' : status;
  };

  private readyKeys(): string[] {
    const priority = (key: string): number => this.options.priority?.(key) ?? 0;
    const order = (key: string): number => this.order.get(key) ?? 0;
    return this.options.graph
      .ready(this.statusOf)
      .map((task) => task.key)
      .filter((key) => this.status.get(key) === 'pending' && !this.running.has(key))
      .sort((a, b) => priority(b) - priority(a) || order(a) - order(b));
  }

  private start(key: string): void {
    this.status.set(key, 'running');
    for (const file of this.options.filesOf(key)) this.lockedFiles.set(file, key);
    const job = this.runTask(key).finally(() => {
      for (const file of this.options.filesOf(key))
        if (this.lockedFiles.get(file) === key) this.lockedFiles.delete(file);
      this.running.delete(key);
    });
    this.running.set(key, job);
  }

  private async runTask(key: string): Promise<void> {
    // The worker starts while its `running` move is being recorded: `onStatus` records in call order, so what
    // the task records later vouches for it, and the task's end is recorded only once it is.
    const started = this.record({ key, status: 'running' });
    let outcome: TaskExecution;
    try {
      outcome = await this.options.execute(key, this.options.signal, (move) => this.progress(key, move));
    } catch (error) {
      outcome = {
        status: 'failed',
        reason: `unexpected error: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    if (!(await started)) {
      this.status.set(key, 'failed');
      return;
    }
    this.status.set(key, outcome.status);
    await this.record({
      key,
      status: outcome.status,
      ...(outcome.reason !== undefined ? { message: outcome.reason } : {}),
    });
  }

  /** After the loop: tasks never started are cancelled (the run stopped) or skipped (what they wait for failed). */
  private async settleUnstarted(): Promise<string[]> {
    const blocked: string[] = [];
    for (const key of this.options.taskKeys) {
      if (this.status.get(key) !== 'pending') continue;
      if (this.options.signal.aborted || this.recordFailure !== undefined) {
        this.status.set(key, 'cancelled');
        continue;
      }
      blocked.push(key);
      this.status.set(key, 'skipped');
      await this.record({ key, status: 'skipped', message: 'not started: a task it waits for failed or was skipped' });
    }
    return blocked;
  }

  /** False when the move could not be recorded: the first such failure ends the schedule. */
  private async record(move: TaskMove): Promise<boolean> {
    try {
      await this.options.onStatus(move);
      return true;
    } catch (error) {
      this.recordFailure ??= { error };
      return false;
    }
  }
}
