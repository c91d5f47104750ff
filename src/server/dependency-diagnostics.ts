/**
 * Dependency diagnostics the parser leaves to the graph: a task that waits for a task of a later phase, and
 * dependencies that form a cycle. Computed here from the parsed model (each task's own "depends on" ids)
 * until src/core/graph reports them; then this module gives way to the graph's diagnostics.
 */
import type { Range, Task } from '../core/speckit/tasks-model';
import type { ServerDiagnostic } from './tasks-analysis';

/** Where a task's text names `id` (its checkbox line first, then its continuation lines), else its id. */
function referenceRange(task: Task, id: string, lines: readonly string[]): Range {
  const pattern = new RegExp(`(?<![\\w])${id}(?![\\w])`);
  for (let line = task.range.start.line; line <= task.range.end.line; line++) {
    const text = lines[line] ?? '';
    const from = line === task.line ? task.idRange.end.character : 0;
    const match = pattern.exec(text.slice(from));
    if (match) return { start: { line, character: from + match.index }, end: { line, character: from + match.index + id.length } };
  }
  return task.idRange;
}

function laterPhaseDiagnostics(tasks: readonly Task[], byId: ReadonlyMap<string, readonly Task[]>, lines: readonly string[]): ServerDiagnostic[] {
  const result: ServerDiagnostic[] = [];
  for (const task of tasks) {
    if (task.phaseIndex === undefined) continue;
    for (const id of task.dependsOn) {
      const dependency = byId.get(id)?.[0];
      if (dependency?.phaseIndex === undefined || dependency.phaseIndex <= task.phaseIndex) continue;
      result.push({
        code: 'dependency-on-later-phase',
        severity: 'error',
        range: referenceRange(task, id, lines),
        message: `${task.id} (phase ${task.phaseIndex + 1}) depends on ${id}, which is in a later phase (${dependency.phaseIndex + 1}); phases run in order, so ${task.id} could never start.`,
        taskKey: task.key,
      });
    }
  }
  return result;
}

/** Strongly connected components of the "waits for" graph (Tarjan, iterative so 5,000-task chains do not overflow). */
function cycles(tasks: readonly Task[], byId: ReadonlyMap<string, readonly Task[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  const edges = (id: string): string[] => (byId.get(id)?.[0]?.dependsOn ?? []).filter((d) => byId.has(d));
  let counter = 0;
  for (const root of tasks) {
    if (index.has(root.id)) continue;
    const work: { id: string; next: number }[] = [{ id: root.id, next: 0 }];
    index.set(root.id, counter);
    low.set(root.id, counter++);
    stack.push(root.id);
    onStack.add(root.id);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (!frame) break;
      const out = edges(frame.id);
      const target = out[frame.next];
      if (target !== undefined) {
        frame.next += 1;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ id: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.id, Math.min(low.get(frame.id) ?? 0, index.get(target) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) ?? 0, low.get(frame.id) ?? 0));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
          onStack.delete(member);
          component.push(member);
          if (member === frame.id) break;
        }
        if (component.length > 1) components.push(component);
      }
    }
  }
  return components;
}

/** One closed walk through a component, in "waits for" order, starting at its first task in the document. */
function nameCycle(component: readonly string[], byId: ReadonlyMap<string, readonly Task[]>, tasks: readonly Task[]): string[] {
  const members = new Set(component);
  const start = tasks.find((t) => members.has(t.id))?.id ?? component[0] ?? '';
  const path = [start];
  const seen = new Set(path);
  let current = start;
  for (;;) {
    const next = (byId.get(current)?.[0]?.dependsOn ?? []).find((d) => members.has(d));
    if (next === undefined) return path;
    path.push(next);
    if (seen.has(next)) return path.slice(path.indexOf(next));
    seen.add(next);
    current = next;
  }
}

function cycleDiagnostics(tasks: readonly Task[], byId: ReadonlyMap<string, readonly Task[]>, lines: readonly string[]): ServerDiagnostic[] {
  const result: ServerDiagnostic[] = [];
  for (const component of cycles(tasks, byId)) {
    const walk = nameCycle(component, byId, tasks);
    const name = walk.join(' → ');
    for (let i = 0; i + 1 < walk.length; i++) {
      const task = byId.get(walk[i] ?? '')?.[0];
      const next = walk[i + 1] ?? '';
      if (!task) continue;
      result.push({
        code: 'dependency-cycle',
        severity: 'error',
        range: referenceRange(task, next, lines),
        message: `Dependency cycle: ${name}. None of these tasks can start.`,
        taskKey: task.key,
      });
    }
  }
  return result;
}

export function dependencyDiagnostics(tasks: readonly Task[], byId: ReadonlyMap<string, readonly Task[]>, lines: readonly string[]): ServerDiagnostic[] {
  return [...laterPhaseDiagnostics(tasks, byId, lines), ...cycleDiagnostics(tasks, byId, lines)];
}
