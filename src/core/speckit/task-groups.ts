/**
 * A tasks.md's tasks as its reader sees them: each phase, and each stretch of tasks under no phase heading, in
 * the order the file has them. The tree, the reports and the schedule list tasks outside any phase where they
 * stand (before the first phase, between two phases, after the last), never gathered at the end.
 */
import type { Phase, Task, TasksDocument } from './tasks-model';

export type TaskGroup =
  | { readonly kind: 'phase'; readonly phase: Phase; readonly tasks: readonly Task[] }
  /** `stretch`: 0 for the first run of tasks outside any phase, 1 for the next, … */
  | { readonly kind: 'outside'; readonly stretch: number; readonly tasks: readonly Task[] };

const groupsByDocument = new WeakMap<TasksDocument, readonly TaskGroup[]>();

export function taskGroupsOf(doc: TasksDocument): readonly TaskGroup[] {
  const known = groupsByDocument.get(doc);
  if (known !== undefined) return known;
  const stretches: Task[][] = [];
  const byPhase = doc.phases.map((): Task[] => []);
  let previous: Task | undefined;
  for (const task of doc.tasks) {
    if (task.phaseIndex !== undefined) {
      byPhase[task.phaseIndex]?.push(task);
      previous = task;
      continue;
    }
    const current = stretches.at(-1);
    if (current !== undefined && previous !== undefined && previous.phaseIndex === undefined) current.push(task);
    else stretches.push([task]);
    previous = task;
  }
  const placed: { line: number; group: TaskGroup }[] = [
    ...doc.phases.map((phase) => ({
      line: phase.headingRange.start.line,
      group: { kind: 'phase' as const, phase, tasks: byPhase[phase.index] ?? [] },
    })),
    ...stretches.map((tasks, stretch) => ({
      line: tasks[0]?.line ?? 0,
      group: { kind: 'outside' as const, stretch, tasks },
    })),
  ];
  const groups = placed.sort((a, b) => a.line - b.line).map((p) => p.group);
  groupsByDocument.set(doc, groups);
  return groups;
}

/** The stretch of tasks outside any phase that holds this task; undefined for a task in a phase. */
export function outsideStretchOf(doc: TasksDocument, task: Task): number | undefined {
  if (task.phaseIndex !== undefined) return undefined;
  for (const group of taskGroupsOf(doc))
    if (group.kind === 'outside' && group.tasks.includes(task)) return group.stretch;
  return undefined;
}
