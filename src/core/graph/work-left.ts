import type { CriticalPath, TaskGraph } from './task-graph';
import type { Task } from '../speckit/tasks-model';

/**
 * The critical path of the work still to do: finished tasks take no time and are left out of the chain. The
 * `tasks` report, the dry run and the strategy all ask this one question, so for the same tasks.md they all
 * print the same path.
 */
export function criticalPathOfWorkLeft(graph: TaskGraph, isDone: (task: Task) => boolean): CriticalPath {
  const path = graph.criticalPath((task) => (isDone(task) ? 0 : 1));
  const keys = path.keys.filter((key) => {
    const task = graph.task(key);
    return task !== undefined && !isDone(task);
  });
  return { keys, length: keys.length };
}
