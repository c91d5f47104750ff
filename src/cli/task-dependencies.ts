import type { TasksDocument } from '../core/speckit/tasks-model';
import type { ReportDependencies } from './tasks-report';

/**
 * Interim: the dependencies the report shows, from the parser alone (each task's own "depends on"/"after"
 * mentions, plus phase order for the critical path), until the task graph module lands and replaces this.
 */
export function taskDependencies(document: TasksDocument): ReportDependencies {
  const byId = new Map(document.tasks.map((t) => [t.id, t]));
  const direct = new Map(document.tasks.map((t) => [t.key, t.dependsOn.filter((id) => id !== t.id && byId.has(id))]));
  // Longest chain of unfinished tasks: phases run in order, explicit mentions chain inside a phase.
  const length = new Map<string, number>();
  const previous = new Map<string, string | undefined>();
  let bestBeforePhase: { key: string | undefined; length: number } = { key: undefined, length: 0 };
  let bestInPhase = bestBeforePhase;
  let currentPhase: number | undefined;
  const order = [...document.tasks].sort((a, b) => (a.phaseIndex ?? -1) - (b.phaseIndex ?? -1) || a.index - b.index);
  for (const task of order) {
    if (task.phaseIndex !== currentPhase) {
      bestBeforePhase = bestInPhase;
      currentPhase = task.phaseIndex;
    }
    if (task.done) continue;
    let best = bestBeforePhase;
    for (const id of direct.get(task.key) ?? []) {
      const dep = byId.get(id);
      const depLength = dep === undefined ? undefined : length.get(dep.key);
      if (dep !== undefined && depLength !== undefined && depLength > best.length) best = { key: dep.key, length: depLength };
    }
    length.set(task.key, best.length + 1);
    previous.set(task.key, best.key);
    if (best.length + 1 > bestInPhase.length) bestInPhase = { key: task.key, length: best.length + 1 };
  }
  const path: string[] = [];
  const keyToId = new Map(document.tasks.map((t) => [t.key, t.id]));
  for (let key = bestInPhase.key; key !== undefined; key = previous.get(key)) path.unshift(keyToId.get(key) ?? key);
  return { dependsOn: (key) => direct.get(key) ?? [], criticalPath: path, warnings: [] };
}
