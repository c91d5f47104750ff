import { taskIdTokens, type TaskIdToken } from '../core/speckit/task-ids';
import type { Task } from '../core/speckit/tasks-model';

export { taskIdTokens, type TaskIdToken };

/** The task id under `character` in one line of text (the cursor may sit just after it), if any. */
export function taskIdAt(lineText: string, character: number): TaskIdToken | undefined {
  return taskIdTokens(lineText).find((t) => character >= t.start && character <= t.end);
}

interface IdShape {
  readonly number: number;
  readonly width: number;
}

function idShape(id: string): IdShape | undefined {
  const digits = /^T(\d+)/.exec(id)?.[1];
  return digits === undefined ? undefined : { number: Number(digits), width: digits.length };
}

export function taskIdNumber(id: string): number | undefined {
  return idShape(id)?.number;
}

/**
 * The first id above `afterNumber` that no task uses, zero-padded like the document's ids: spec-kit writes
 * `T001`, large files use four digits, some authors write `T1` (then no padding). Suffixed ids (`T046B`)
 * occupy their number.
 */
export function nextFreeTaskId(tasks: readonly Task[], afterNumber: number): string {
  const used = new Set<number>();
  let width = 0;
  for (const task of tasks) {
    const shape = idShape(task.id);
    if (shape === undefined) continue;
    used.add(shape.number);
    width = Math.max(width, shape.width);
  }
  if (width === 0) width = 3;
  let candidate = Math.max(afterNumber, 0) + 1;
  while (used.has(candidate)) candidate += 1;
  return `T${String(candidate).padStart(width, '0')}`;
}

/** The number of the last task that starts before `line`, or 0: a new task there continues from it. */
export function numberBefore(tasks: readonly Task[], line: number): number {
  let result = 0;
  for (const task of tasks) {
    if (task.line >= line) break;
    result = taskIdNumber(task.id) ?? result;
  }
  return result;
}
