/**
 * Why a tasks.md with task-like lines still has no task: its ids written without checkboxes (as headings, bold
 * paragraphs, table rows), or checkboxes without ids. Said once, with the first place and spec-kit's form, so the
 * author sees what to change; the per-line diagnostics say the rest. Every face that reports "no tasks" says it.
 */
import type { TasksDocument } from './tasks-model';

export interface NoteAt {
  readonly code: string;
  /** 1-based. */
  readonly line: number;
}

/** `: 86 task ids are written without a checkbox (first on line 35). A task is written as …`, or '' when none. */
export function whyNoTasks(notes: readonly NoteAt[]): string {
  const reasons: string[] = [];
  const noCheckbox = firstOf(notes, 'task-without-checkbox');
  if (noCheckbox !== undefined)
    reasons.push(
      `${plural(noCheckbox.count, 'task id is', 'task ids are')} written without a checkbox (first on line ${noCheckbox.line})`,
    );
  const noId = firstOf(notes, 'checkbox-without-id');
  if (noId !== undefined)
    reasons.push(`${plural(noId.count, 'checkbox has', 'checkboxes have')} no task id (first on line ${noId.line})`);
  if (reasons.length === 0) return '';
  const fix = noCheckbox === undefined ? '' : '; in the editor, the quick fix on such a line rewrites them all';
  return `: ${reasons.join(', and ')}. A task is written as "- [ ] T001 Description"${fix}`;
}

/** `whyNoTasks` of a parsed document: '' when it has tasks. */
export function whyDocumentHasNoTasks(doc: TasksDocument): string {
  if (doc.tasks.length > 0) return '';
  return whyNoTasks(doc.diagnostics.map((d) => ({ code: d.code, line: d.range.start.line + 1 })));
}

function firstOf(notes: readonly NoteAt[], code: string): { count: number; line: number } | undefined {
  const found = notes.filter((note) => note.code === code);
  const first = found[0];
  return first === undefined ? undefined : { count: found.length, line: first.line };
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
