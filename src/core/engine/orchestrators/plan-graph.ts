/**
 * What the orchestrators need of the task graph: the ready set, and each task's longest remaining chain
 * (for the critical path and for starting long chains first).
 *
 * ADAPTER: src/core/graph (the one task graph) had not landed when this was written; this is the smallest
 * graph the scheduler can run on — phase barriers, document order outside `[P]` runs, one file one writer,
 * explicit dependencies. Replace its body with `buildTaskGraph` once that is committed.
 */
import type { TasksDocument } from '../../speckit/tasks-model';
import type { ReadyGraph, ScheduleStatus } from '../scheduler/scheduler';

export interface PlanGraph extends ReadyGraph {
  /** Keys this task waits for. */
  dependenciesOf(key: string): readonly string[];
  /** The longest chain (in `duration` units) from this task to the end, itself included. */
  remaining(key: string, duration?: (key: string) => number): number;
  criticalPath(duration?: (key: string) => number): { taskKeys: string[]; length: number };
}

export function buildPlanGraph(doc: TasksDocument): PlanGraph {
  const deps = new Map<string, Set<string>>();
  const byId = new Map<string, string>();
  for (const task of doc.tasks) if (!byId.has(task.id)) byId.set(task.id, task.key);
  const files = new Map(doc.tasks.map((t) => [t.key, t.files]));

  let previousPhaseKeys: string[] = [];
  const phaseOf = new Map<number | undefined, typeof doc.tasks[number][]>();
  for (const task of doc.tasks) phaseOf.set(task.phaseIndex, [...(phaseOf.get(task.phaseIndex) ?? []), task]);
  const phaseOrder = [...phaseOf.keys()].sort((a, b) => (a ?? -1) - (b ?? -1));
  for (const phase of phaseOrder) {
    const tasks = phaseOf.get(phase) ?? [];
    let lastSequential: string | undefined;
    let group: string[] = [];
    for (const task of tasks) {
      const own = new Set<string>(previousPhaseKeys);
      if (task.parallel) {
        if (lastSequential) own.add(lastSequential);
        for (const other of group) if (task.files.some((f) => files.get(other)?.includes(f))) own.add(other);
        group.push(task.key);
      } else {
        if (lastSequential) own.add(lastSequential);
        for (const other of group) own.add(other);
        group = [];
        lastSequential = task.key;
      }
      for (const id of task.dependsOn) {
        const key = byId.get(id);
        if (key !== undefined && key !== task.key) own.add(key);
      }
      deps.set(task.key, own);
    }
    previousPhaseKeys = tasks.map((t) => t.key);
  }
  for (const statement of doc.dependencyStatements) {
    const ids = (refs: typeof statement.before) => refs.flatMap((r) => (r.kind === 'id' ? [r.id] : []));
    for (const after of ids(statement.after)) {
      const afterKey = byId.get(after);
      if (afterKey === undefined) continue;
      for (const before of ids(statement.before)) {
        const beforeKey = byId.get(before);
        if (beforeKey !== undefined && beforeKey !== afterKey) deps.get(afterKey)?.add(beforeKey);
      }
    }
  }

  const dependents = new Map<string, string[]>();
  for (const [key, own] of deps) for (const d of own) dependents.set(d, [...(dependents.get(d) ?? []), key]);

  const remaining = (key: string, duration: (key: string) => number = () => 1): number => {
    const memo = new Map<string, number>();
    const visit = (k: string, seen: Set<string>): number => {
      const known = memo.get(k);
      if (known !== undefined) return known;
      if (seen.has(k)) return 0;
      seen.add(k);
      const value = duration(k) + Math.max(0, ...(dependents.get(k) ?? []).map((d) => visit(d, seen)));
      seen.delete(k);
      memo.set(k, value);
      return value;
    };
    return visit(key, new Set());
  };

  return {
    ready(status: (key: string) => ScheduleStatus) {
      const running = doc.tasks.filter((t) => status(t.key) === 'running');
      const held = new Set(running.flatMap((t) => t.files));
      return doc.tasks.filter(
        (t) => status(t.key) === 'pending' && [...(deps.get(t.key) ?? [])].every((d) => status(d) === 'done') && !t.files.some((f) => held.has(f)),
      );
    },
    dependenciesOf: (key) => [...(deps.get(key) ?? [])],
    remaining,
    criticalPath(duration = () => 1) {
      const roots = doc.tasks.filter((t) => (deps.get(t.key)?.size ?? 0) === 0).map((t) => t.key);
      let best: string | undefined;
      let bestLength = 0;
      for (const root of roots) {
        const length = remaining(root, duration);
        if (length > bestLength) [best, bestLength] = [root, length];
      }
      const taskKeys: string[] = [];
      for (let at = best; at !== undefined; ) {
        taskKeys.push(at);
        const next: string[] = dependents.get(at) ?? [];
        const want = remaining(at, duration) - duration(at);
        at = next.find((n) => Math.abs(remaining(n, duration) - want) < 1e-9);
      }
      return { taskKeys, length: bestLength };
    },
  };
}
