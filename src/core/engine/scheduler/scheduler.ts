/**
 * The implementation-orchestrator's loop: start every task the graph says is ready, up to `maxWorkers` at a
 * time, never two on one file; when one ends, look again. Phase order, `[P]` groups, tests-first and explicit
 * dependencies are the graph's edges, so the loop stays small and the graph stays the one source of order.
 *
 * The scheduler owns task state: only it moves a task, and it does so through `onStatus` (the run turns that
 * into a journal record and an event). Among ready tasks it starts the ones with the longest remaining path
 * first, which keeps the makespan near the critical path.
 */
export type ScheduleStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface ReadyGraph {
  /** Tasks whose dependencies are done and whose files no running task holds. */
  ready(status: (key: string) => ScheduleStatus): readonly { key: string }[];
}

export type TaskExecution = 'done' | 'failed' | 'skipped' | 'cancelled';

export interface ScheduleOptions {
  graph: ReadyGraph;
  /** Every task of the plan; keys not listed here are treated as done (outside this run). */
  taskKeys: readonly string[];
  /** Status at the start: `done` for tasks ticked already or finished in a resumed journal. */
  initialStatus(key: string): 'pending' | 'done' | 'skipped';
  maxWorkers: number;
  filesOf(key: string): readonly string[];
  /** Higher first; e.g. the length of the longest path from the task to the end. */
  priority?(key: string): number;
  /** Runs the task to its end; the scheduler then reports the returned status through `onStatus`. */
  execute(key: string, signal: AbortSignal): Promise<TaskExecution>;
  onStatus(key: string, status: ScheduleStatus | 'cancelled', message?: string): void;
  signal: AbortSignal;
}

export interface ScheduleResult {
  status: ReadonlyMap<string, ScheduleStatus | 'cancelled'>;
  /** Tasks never started because something they wait for failed or was skipped. */
  blocked: string[];
  cancelled: boolean;
}

export async function runSchedule(options: ScheduleOptions): Promise<ScheduleResult> {
  const status = new Map<string, ScheduleStatus | 'cancelled'>();
  for (const key of options.taskKeys) status.set(key, options.initialStatus(key));
  const statusOf = (key: string): ScheduleStatus => {
    const s = status.get(key);
    if (s === undefined) return 'done';
    return s === 'cancelled' ? 'failed' : s;
  };
  const running = new Map<string, Promise<void>>();
  const lockedFiles = new Map<string, string>();
  const priority = (key: string): number => options.priority?.(key) ?? 0;
  const order = new Map(options.taskKeys.map((k, i) => [k, i]));

  const start = (key: string): void => {
    status.set(key, 'running');
    for (const file of options.filesOf(key)) lockedFiles.set(file, key);
    options.onStatus(key, 'running');
    const job = (async () => {
      let outcome: TaskExecution;
      let message: string | undefined;
      try {
        outcome = await options.execute(key, options.signal);
      } catch (error) {
        outcome = 'failed';
        message = `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
      }
      status.set(key, outcome);
      options.onStatus(key, outcome, message);
      for (const file of options.filesOf(key)) if (lockedFiles.get(file) === key) lockedFiles.delete(file);
      running.delete(key);
    })();
    running.set(key, job);
  };

  while (!options.signal.aborted) {
    const ready = options.graph
      .ready(statusOf)
      .map((t) => t.key)
      .filter((k) => status.get(k) === 'pending' && !running.has(k))
      .sort((a, b) => priority(b) - priority(a) || (order.get(a) ?? 0) - (order.get(b) ?? 0));
    for (const key of ready) {
      if (running.size >= Math.max(1, options.maxWorkers)) break;
      // The graph keeps same-file [P] tasks apart; this is the scheduler's own guarantee on top.
      if (options.filesOf(key).some((f) => lockedFiles.has(f))) continue;
      start(key);
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  await Promise.all(running.values());

  const blocked: string[] = [];
  for (const key of options.taskKeys) {
    const s = status.get(key);
    if (s !== 'pending') continue;
    if (options.signal.aborted) {
      status.set(key, 'cancelled');
      continue;
    }
    blocked.push(key);
    status.set(key, 'skipped');
    options.onStatus(key, 'skipped', 'not started: a task it waits for failed or was skipped');
  }
  return { status, blocked, cancelled: options.signal.aborted };
}
