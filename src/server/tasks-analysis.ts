import { buildTaskGraph, type TaskGraph } from '../core/graph/task-graph';
import { diagnoseTasks } from '../core/graph/tasks-diagnostics';
import type { SpecDocument, UserStory } from '../core/speckit/spec-model';
import { matchCheckboxLine, matchTaskHead, storyOfLabel } from '../core/speckit/tasks-line';
import type { DiagnosticSeverity, Range, Task, TasksDiagnosticCode, TasksDocument } from '../core/speckit/tasks-model';
import { tasksByKey, type TaskLookup } from '../core/speckit/tasks-by-key';
import { parseTasks } from '../core/speckit/tasks-parser';
import { taskIdRange } from '../core/speckit/task-ranges';

/**
 * Codes the server adds to the parser's and the graph's: what needs a second file to judge (tasks.md against
 * spec.md, spec.md against tasks.md), and spec.md's own.
 */
export type ServerDiagnosticCode = 'unknown-story-label' | 'duplicate-spec-id' | 'story-without-tasks';

export interface ServerDiagnostic {
  readonly code: TasksDiagnosticCode | ServerDiagnosticCode;
  readonly severity: DiagnosticSeverity;
  readonly range: Range;
  readonly message: string;
  readonly taskKey?: string;
}

/**
 * What spec.md beside a tasks.md says, as far as tasks.md cares: its stories (the labels tasks may use) and
 * the whole parsed spec (requirements and criteria tasks mention). `missing`: no spec.md, or none readable.
 */
export type SpecStories =
  { kind: 'known'; path: string; stories: readonly UserStory[]; spec: SpecDocument } | { kind: 'missing' };

/** One parse of one version of a tasks.md, with the indexes every feature of the server looks things up in. */
export interface TasksAnalysis {
  readonly document: TasksDocument;
  /** Who waits for whom; its cycles and later-phase dependencies are among `diagnostics`. */
  readonly graph: TaskGraph;
  readonly lines: readonly string[];
  /** The line break the text uses (from its first one), for edits that add lines. */
  readonly eol: '\r\n' | '\n';
  /** The parser's own lookup: no index of 5,000 keys built again on every edit (see `tasksWithId` for ids). */
  readonly tasksByKey: TaskLookup;
  readonly specStories: SpecStories;
  readonly diagnostics: readonly ServerDiagnostic[];
}

/** `document`: the parse of `text`, when the caller has it already (with its paths placed on disk). */
export function analyzeTasks(text: string, specStories: SpecStories, document = parseTasks(text)): TasksAnalysis {
  const lines = splitLines(text);
  const graph = buildTaskGraph(document);
  // The parser and the graph place each diagnostic on the text at fault (the path, the reference, the id).
  const diagnostics: ServerDiagnostic[] = [
    ...diagnoseTasks(document, graph),
    ...storyLabelDiagnostics(document.tasks, lines, specStories),
  ].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const eol = /\r?\n/.exec(text)?.[0] === '\r\n' ? '\r\n' : '\n';
  return { document, graph, lines, eol, tasksByKey: tasksByKey(document), specStories, diagnostics };
}

/** The tasks written with this id, in document order: a duplicated id's later tasks have the keys `T012#2`, `#3`… */
export function tasksWithId(analysis: TasksAnalysis, id: string): Task[] {
  const tasks: Task[] = [];
  for (let nth = 1; ; nth++) {
    const task = analysis.tasksByKey.get(nth === 1 ? id : `${id}#${nth}`);
    if (task === undefined) return tasks;
    tasks.push(task);
  }
}

/** Lines as an editor counts them (the model's positions are in these lines; a BOM does not count). */
function splitLines(text: string): string[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return body.split(/\r\n|\r|\n/);
}

/** The task whose range holds `line` (checkbox line or continuation), by binary search over document order. */
export function taskAtLine(analysis: TasksAnalysis, line: number): Task | undefined {
  const tasks = analysis.document.tasks;
  let low = 0;
  let high = tasks.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const task = tasks[mid];
    if (task === undefined) return undefined;
    if (line < task.line) high = mid - 1;
    else if (line > task.lastLine) low = mid + 1;
    else return task;
  }
  return undefined;
}

/** Where `[label]` sits on a task's checkbox line, read with the parser's own line grammar. */
export function labelRange(
  lines: readonly string[],
  task: Task,
  predicate: (label: string) => boolean,
): Range | undefined {
  const text = lines[task.line] ?? '';
  const checkbox = matchCheckboxLine(text);
  if (!checkbox) return undefined;
  const head = matchTaskHead(text, checkbox.contentStart);
  const label = head?.labels.find((l) => predicate(l.text));
  return label
    ? { start: { line: task.line, character: label.start }, end: { line: task.line, character: label.end } }
    : undefined;
}

function storyLabelDiagnostics(
  tasks: readonly Task[],
  lines: readonly string[],
  specStories: SpecStories,
): ServerDiagnostic[] {
  // Without spec.md, or with one whose stories we cannot read, there is nothing to judge labels against.
  if (specStories.kind === 'missing' || specStories.stories.length === 0) return [];
  const known = new Set(specStories.stories.map((s) => s.label));
  const result: ServerDiagnostic[] = [];
  for (const task of tasks) {
    if (task.story === undefined || known.has(task.story)) continue;
    const story = task.story;
    const range = labelRange(lines, task, (label) => storyOfLabel(label) === story) ?? taskIdRange(task);
    result.push({
      code: 'unknown-story-label',
      severity: 'warning',
      range,
      message: `${task.id} is labelled ${task.story}, but spec.md has no User Story ${task.story.slice(2)} (it has ${[...known].join(', ')}).`,
      taskKey: task.key,
    });
  }
  return result;
}
