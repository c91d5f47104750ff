/**
 * A task keeps its positions as plain numbers (a document holds thousands of tasks, and most of their ranges are
 * never asked for); these build the editor's ranges from them on demand, for diagnostics, hovers, symbols and
 * go-to.
 */
import { lineRange, spanRange } from './source-lines';
import type { Range, Task } from './tasks-model';

/** The checkbox line and its continuation lines, from the bullet to the end of the last one. */
export function taskRange(task: Task): Range {
  return spanRange(task.line, task.startCharacter, task.lastLine, task.endCharacter);
}

/** The task's id on its checkbox line. */
export function taskIdRange(task: Task): Range {
  return lineRange(task.line, task.idStart, task.idEnd);
}

/** `[ ]` with both brackets. */
export function taskCheckboxRange(task: Task): Range {
  return lineRange(task.line, task.checkbox.character, task.checkbox.character + 3);
}

/** Where the task first names its `k`-th file, or its id when it has no such file. */
export function taskFileRange(task: Task, k: number): Range {
  const span = task.fileSpans[k];
  return span === undefined ? taskIdRange(task) : lineRange(span.line, span.start, span.end);
}
