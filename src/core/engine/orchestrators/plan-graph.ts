/**
 * What the orchestrators need of the task graph (src/core/graph): the ready set, each task's dependencies,
 * and each task's longest remaining chain — for the critical path and for starting long chains first.
 */
import { buildTaskGraph, type StoryParallelismSetting, type TaskGraph } from '../../graph/task-graph';
import { criticalPathOfWorkLeft } from '../../graph/work-left';
import { normalizeTaskPath } from '../../speckit/task-paths';
import type { TasksDocument } from '../../speckit/tasks-model';
import type { ReadyGraph } from '../scheduler/scheduler';

export interface PlanGraph extends ReadyGraph {
  readonly graph: TaskGraph;
  /** The files this task locks while it runs, one spelling per file (see `TaskGraphOptions.tasksFolder`). */
  lockedFiles(key: string): readonly string[];
  /**
   * A path as a task names it, spelled as the project knows it: a `../` path is read from the tasks file's folder,
   * so the worker's scope, the tick check and the evidence see the file the author meant. Folders keep their `/`.
   */
  placedPath(path: string): string;
  /** Keys this task waits for. */
  dependenciesOf(key: string): readonly string[];
  /** The longest chain (in `duration` units, 1 per task by default) from this task to the end, itself included. */
  remaining(key: string): number;
  /** The longest chain of the work left (see `criticalPathOfWorkLeft`): tasks `isDone` says are finished are not in it. */
  criticalPath(isDone?: (key: string) => boolean): { taskKeys: string[]; length: number };
}

export interface PlanGraphOptions {
  readonly storyParallelism?: StoryParallelismSetting;
  /** The tasks file's folder relative to the project root, where a `../` path a task names starts. */
  readonly tasksFolder?: string;
}

export function buildPlanGraph(doc: TasksDocument, options: PlanGraphOptions = {}): PlanGraph {
  const graph = buildTaskGraph(doc, {
    storyParallelism: options.storyParallelism ?? 'auto',
    ...(options.tasksFolder === undefined ? {} : { tasksFolder: options.tasksFolder }),
  });
  const memo = new Map<string, number>();
  const remaining = (key: string, seen = new Set<string>()): number => {
    const known = memo.get(key);
    if (known !== undefined) return known;
    if (seen.has(key)) return 0; // a cycle (reported by the graph): stop counting
    seen.add(key);
    const value = 1 + Math.max(0, ...graph.dependentsOf(key).map((e) => remaining(e.key, seen)));
    seen.delete(key);
    memo.set(key, value);
    return value;
  };
  return {
    graph,
    ready: (status) => graph.ready(status),
    lockedFiles: (key) => graph.lockedFiles(key),
    placedPath: (path) => {
      const placed = normalizeTaskPath(path, options.tasksFolder);
      return path.endsWith('/') && !placed.endsWith('/') ? `${placed}/` : placed;
    },
    dependenciesOf: (key) => graph.dependenciesOf(key).map((e) => e.key),
    remaining: (key) => remaining(key),
    criticalPath(isDone = () => false) {
      const path = criticalPathOfWorkLeft(graph, (task) => isDone(task.key));
      return { taskKeys: [...path.keys], length: path.length };
    },
  };
}
