import { buildTaskGraph, criticalPathOfWorkLeft, statusFromDocument, type TasksDocument } from '../core/engine/light';
import type { ReportDependencies } from './tasks-report';

export interface TaskDependencySummary extends ReportDependencies {
  /** Ids of the tasks that could start now, from the ticks in tasks.md alone. */
  readonly ready: readonly string[];
}

/**
 * The report's view of the task graph: direct prerequisites by id, the critical path of the work still to
 * do (ticked tasks cost nothing and are left out), and the graph's own diagnostics (cycles, waits on later
 * phases) as warnings.
 */
export function taskDependencies(document: TasksDocument): TaskDependencySummary {
  const graph = buildTaskGraph(document);
  const idOf = (key: string): string => graph.task(key)?.id ?? key;
  const criticalPath = criticalPathOfWorkLeft(graph, (task) => task.done).keys.map(idOf);
  return {
    dependsOn: (key) => {
      // By id, each once: two tasks sharing an id (a duplicate-id warning) are one prerequisite to the reader.
      const ids: string[] = [];
      graph.dependenciesOf(key).forEach((edge) => {
        const id = idOf(edge.key);
        if (!ids.includes(id)) ids.push(id);
      });
      return ids;
    },
    criticalPath,
    ready: graph.ready(statusFromDocument(graph)).map((task) => task.id),
    warnings: graph.diagnostics.map((d) => ({
      code: d.code,
      message: d.message,
      line: d.range.start.line + 1,
      severity: d.severity === 'information' ? ('info' as const) : d.severity,
    })),
  };
}
