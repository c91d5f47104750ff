// No `vscode` here: what a Workers row shows is plain data, so a refresh can tell a changed row from the same one.
import type { RunView, UsageTotals, WorkerRole } from '../../protocol/engine-events';
import { workerActivity } from '../progress/progress-snapshot';

/** A worker's row in the Workers view, keyed by `workerNodeId`. */
export interface WorkerNode {
  readonly workerId: string;
}

export function workerNodeId(node: WorkerNode): string {
  return `worker:${node.workerId}`;
}

/** One row, as data. Two rows with the same JSON look the same. */
export interface WorkerRow {
  readonly label: string;
  readonly description: string;
  readonly icon: 'watch' | 'loading~spin';
  /** The hover: a markdown heading, then plain text (task and activity), then markdown usage of the role. */
  readonly tooltip: { readonly heading: string; readonly text: string; readonly usage: string | undefined };
}

export function workerNodes(view: Readonly<RunView>): WorkerNode[] {
  return [...view.workers.keys()].map((workerId) => ({ workerId }));
}

/** The row of a worker still in the run, else undefined. Tokens are per role: the engine reports usage per role. */
export function workerRow(
  view: Readonly<RunView>,
  node: WorkerNode,
  byRole: Partial<Record<WorkerRole, UsageTotals>>,
): WorkerRow | undefined {
  const worker = view.workers.get(node.workerId);
  if (!worker) return undefined;
  const task = view.tasks.get(worker.taskKey);
  const taskId = task?.id ?? worker.taskKey;
  const activity = workerActivity(view, worker);
  const usage = byRole[worker.role];
  return {
    label: `${taskId} · ${worker.role}`,
    description: activity,
    icon: /waiting/i.test(activity) ? 'watch' : 'loading~spin',
    tooltip: {
      heading: `**${worker.workerId}** · ${worker.role} · \`${worker.model}\``,
      text: `Task ${taskId}: ${task?.description ?? ''}\n\nNow: ${activity}`,
      usage:
        usage &&
        `**${worker.role} tokens:** ${usage.inputTokens} in · ${usage.outputTokens} out · ${usage.cacheReadInputTokens} cache read · ${usage.cacheCreationInputTokens} cache write`,
    },
  };
}
