/**
 * Parses a spec-kit `tasks.md` in one pass over its lines. Never throws: anything odd becomes a diagnostic, and
 * every checkbox line is either a task or a `nonTaskCheckboxes` entry. Fenced code blocks are skipped, because
 * spec-kit's "Parallel Example" sections list task lines inside fences; so are HTML comments.
 *
 * The pass reads lines (`TasksReader`); the outline tracks phases and sections (`TasksOutline`); one task is
 * read by `readTask`; what needs every task first — dependencies, duplicate and order checks — is `finish`.
 */
import { frontMatterEnd, eolOf, lineRange, SourceLines } from './source-lines';
import { compareTaskIdParts, parseTaskId, taskIdIndexOf, TaskIdIndex, type TaskIdParts } from './task-ids';
import { keepTasksByKey, TasksByKey } from './tasks-by-key';
import { normalizeTaskPath } from './task-paths';
import { readDependencyProse, readStoryProse, type RawIdRef } from './tasks-dependency-prose';
import {
  closesFence,
  htmlCommentEnd,
  htmlCommentStart,
  isMalformedCheckbox,
  indentLength,
  matchCheckboxLine,
  matchFence,
  matchHeading,
  matchTaskHead,
  setextUnderlineLevel,
  startsWithIdLikeWord,
  type CheckboxLine,
  type FenceMarker,
  type TaskHead,
} from './tasks-line';
import { TasksOutline, type TaskPlace } from './tasks-outline';
import { readTask, readTaskBody, toTaskIdRef, type LineIdRef, type TaskReading } from './tasks-task-reader';
import { detectMisreadUtf16 } from './text-encoding';
import type {
  DependencyStatement,
  NonTaskCheckbox,
  StoryStatement,
  Task,
  TaskIdRef,
  TasksDiagnostic,
  TasksDocument,
} from './tasks-model';
import { taskFileRange, taskIdRange } from './task-ranges';

export function parseTasks(text: string): TasksDocument {
  const reader = new TasksReader(text);
  reader.readAll();
  return reader.finish();
}

/** A statement read from a prose line, or from a task's own words ("before T016"). */
interface RawStatement {
  readonly before: readonly LineIdRef[];
  readonly after: readonly LineIdRef[];
  readonly line: number;
  readonly taskKey?: string;
}

// A line that can be the text of a setext heading: not a list item, table row, quote or HTML.
const SETEXT_TEXT = /^ {0,3}[^\s\-*+[\d|><]/;
const TABLE_CHECKBOX = /\[([ xX])\]/;
const BOLD_TASK_ID = /^[ \t]*\*\*T\d/;
// Table pipes, blanks and bullets before an id written without a checkbox (`| **T006** |`, `- **T001**`).
const BEFORE_BARE_ID = /(?:[|\t ]|[-*+](?=[ \t]))*/y;
const LOOKS_LIKE_TASK = /\[(?:P|US\s*\d+)\]/i;

class TasksReader {
  private readonly lines: SourceLines;
  private readonly outline: TasksOutline;
  private readonly tasks: TaskReading['task'][] = [];
  /** The tasks whose own words name ids they wait for: their `dependsOn` is read once every id is known. */
  private readonly waiting: TaskReading[] = [];
  private readonly places: TaskPlace[] = [];
  private readonly nonTaskCheckboxes: NonTaskCheckbox[] = [];
  private readonly diagnostics: TasksDiagnostic[] = [];
  private readonly statements: RawStatement[] = [];
  private readonly storyStatements: StoryStatement[] = [];
  /** Ids written without a checkbox (heading or table tasks): known to the author, so not "unknown" dependencies. */
  private readonly idsWithoutCheckbox: string[] = [];
  /** Every task by its key; the first task of an id has the id as its key, so this finds it by id too. */
  private readonly byKey = new TasksByKey();
  /** How many tasks share an id (only ids written twice have a count). */
  private readonly duplicateCount = new Map<string, number>();
  /** The parts of each task's id, index for index; undefined for a later task of the same id. */
  private readonly idParts: (TaskIdParts | undefined)[] = [];
  /** The greatest id read so far. */
  private greatestId: TaskIdParts | undefined;
  private bodyStart = 0;

  constructor(private readonly text: string) {
    this.lines = new SourceLines(text);
    this.outline = new TasksOutline(this.lines);
  }

  readAll(): void {
    const misread = detectMisreadUtf16(this.text);
    if (misread !== undefined) {
      this.diagnostics.push({
        code: 'file-encoding',
        severity: 'error',
        range: lineRange(0, 0, this.lines.line(0).length),
        message: `This file is saved as ${misread}, so no task can be read from it: spec-kit files are UTF-8. Save it as UTF-8 (in VS Code: "Save with Encoding" → UTF-8).`,
      });
      return;
    }
    this.bodyStart = frontMatterEnd(this.lines);
    let index = this.bodyStart;
    while (index < this.lines.count) index = this.readLine(index);
    this.outline.close(this.lines.count - 1);
  }

  /** Reads the construct that starts at `index`; returns the index of the first line after it. */
  private readLine(index: number): number {
    const text = this.lines.line(index);
    if (this.lines.isBlank(index)) return index + 1;
    const fence = matchFence(text);
    if (fence !== undefined) return this.skipFence(index, fence);
    // An HTML comment hides what it holds, task lines included: authors comment tasks out.
    const commentAt = htmlCommentStart(text);
    if (commentAt >= 0) return this.skipHtmlComment(index, commentAt) + 1;
    const heading = matchHeading(text);
    if (heading !== undefined) {
      this.onHeading(index, heading.level, heading.text, heading.textStart);
      return index + 1;
    }
    const setextLevel = this.setextLevelAt(index);
    if (setextLevel > 0) {
      // `Phase 1: Setup` underlined with `---` (or `===`): the same heading as `## Phase 1: Setup`.
      this.onHeading(index, setextLevel, text.trim(), indentLength(text));
      return index + 2;
    }
    const checkbox = matchCheckboxLine(text);
    if (checkbox !== undefined) return this.readCheckboxLine(index, checkbox);
    this.readProseLine(index, text);
    return index + 1;
  }

  private skipFence(index: number, fence: FenceMarker): number {
    let next = index + 1;
    while (next < this.lines.count && !closesFence(fence, this.lines.line(next))) next += 1;
    return next + 1;
  }

  /** The last line of an HTML comment opening at `index` (character `at`); an unclosed one runs to the end. */
  private skipHtmlComment(index: number, at: number): number {
    for (let line = index; line < this.lines.count; line += 1) {
      if (htmlCommentEnd(this.lines.line(line), line === index ? at + 4 : 0) >= 0) return line;
    }
    this.diagnostics.push({
      code: 'unclosed-html-comment',
      severity: 'warning',
      range: lineRange(index, at, at + 4),
      message:
        'This HTML comment is never closed with "-->", so everything below it is hidden: no task after it is read.',
    });
    return this.lines.count - 1;
  }

  /**
   * The level of a setext heading whose text is line `index`, or 0. Stricter than CommonMark: the text must open a
   * paragraph (the line above is blank, a heading, or none), so a `---` rule under a task's wrapped text never turns
   * that text into a phase.
   */
  private setextLevelAt(index: number): number {
    if (index + 1 >= this.lines.count || !SETEXT_TEXT.test(this.lines.line(index))) return 0;
    const level = setextUnderlineLevel(this.lines.line(index + 1));
    if (level === 0) return 0;
    const opensParagraph =
      index === this.bodyStart ||
      this.lines.isBlank(index - 1) ||
      matchHeading(this.lines.line(index - 1)) !== undefined;
    return opensParagraph ? level : 0;
  }

  private onHeading(index: number, level: number, text: string, textStart: number): void {
    this.outline.heading(index, level, text);
    this.noteTaskWithoutCheckbox(this.lines.line(index), textStart, index);
  }

  private readCheckboxLine(index: number, checkbox: CheckboxLine): number {
    const text = this.lines.line(index);
    const head = matchTaskHead(text, checkbox.contentStart);
    if (head !== undefined) return this.readTaskAt(index, checkbox, head);
    this.recordNonTaskCheckbox(index, checkbox.contentStart, checkbox.mark !== ' ', 'no-id');
    return index + 1;
  }

  private readTaskAt(index: number, checkbox: CheckboxLine, head: TaskHead): number {
    const body = readTaskBody(this.lines, index, checkbox.indent);
    for (const item of body.subItems)
      this.recordNonTaskCheckbox(item.line, item.checkbox.contentStart, item.checkbox.mark !== ' ', 'sub-item');
    const parts = parseTaskId(head.id);
    const first = this.isPastEveryId(parts) ? undefined : this.byKey.get(head.id);
    const uses = first === undefined ? 1 : (this.duplicateCount.get(head.id) ?? 1) + 1;
    const key = uses === 1 ? head.id : `${head.id}#${uses}`;
    const place = this.outline.placeTask();
    const reading = readTask({
      lines: this.lines,
      line: index,
      checkbox,
      head,
      body,
      index: this.tasks.length,
      key,
      place,
    });
    this.byKey.add(key, reading.task);
    this.idParts.push(first === undefined ? parts : undefined);
    if (first !== undefined) {
      this.duplicateCount.set(head.id, uses);
      this.diagnostics.push({
        code: 'duplicate-task-id',
        severity: 'warning',
        range: taskIdRange(reading.task),
        message: `Duplicate task id ${head.id} (first on line ${first.line + 1}); both are kept, as ${first.key} and ${key}.`,
        taskKey: key,
      });
    }
    if (reading.precedes.length > 0) {
      const self: LineIdRef = { ref: { kind: 'id', id: head.id, start: head.idStart, end: head.idEnd }, line: index };
      this.statements.push({ before: [self], after: reading.precedes, line: index, taskKey: key });
    }
    this.tasks.push(reading.task);
    if (reading.waitsFor.length > 0) this.waiting.push(reading);
    this.places.push(place);
    return body.last + 1;
  }

  /**
   * Whether the id sorts after every id read so far, so no task has it yet. Ids nearly always come in order: the
   * question costs no lookup among the tasks read (in maps too large for the processor's cache past a few thousand).
   */
  private isPastEveryId(parts: TaskIdParts | undefined): boolean {
    if (parts === undefined) return false;
    if (this.greatestId !== undefined && compareTaskIdParts(parts, this.greatestId) <= 0) return false;
    this.greatestId = parts;
    return true;
  }

  private recordNonTaskCheckbox(
    line: number,
    contentStart: number,
    checked: boolean,
    reason: NonTaskCheckbox['reason'],
  ): void {
    const raw = this.lines.line(line);
    const text = raw.slice(contentStart).trimEnd();
    const range = lineRange(line, indentLength(raw), raw.trimEnd().length);
    this.nonTaskCheckboxes.push({ range, text, checked, reason });
    if (reason !== 'no-id') return;
    const looksLikeTask = LOOKS_LIKE_TASK.test(text) || startsWithIdLikeWord(text);
    this.diagnostics.push({
      code: 'checkbox-without-id',
      severity: looksLikeTask ? 'warning' : 'information',
      range,
      message: looksLikeTask
        ? 'This checkbox looks like a task but has no task id (T001 …): it will not be scheduled.'
        : 'Checklist item without a task id: not a task, it will not be scheduled.',
    });
  }

  /** A line that is neither a heading nor a checkbox: a table row, a property, or prose that may state an order. */
  private readProseLine(index: number, text: string): void {
    const isTableRow = text.trimStart().startsWith('|');
    if (isTableRow) {
      const cell = TABLE_CHECKBOX.exec(text);
      if (cell !== null) this.recordNonTaskCheckbox(index, cell.index + 3, cell[1] !== ' ', 'table-row');
    }
    if (isMalformedCheckbox(text)) {
      this.diagnostics.push({
        code: 'malformed-checkbox',
        severity: 'warning',
        range: lineRange(index, indentLength(text), text.trimEnd().length),
        message:
          'This line looks like a checkbox but is not one; write it as "- [ ] T001 Description" (a space inside the brackets, one after them).',
      });
    } else if (isTableRow || BOLD_TASK_ID.test(text)) {
      this.noteTaskWithoutCheckbox(text, indentLength(text), index);
    }
    this.outline.property(text);
    this.readStatements(text, index);
    if (!this.outline.inPhase()) this.readStoryStatement(text, index);
  }

  private readStoryStatement(text: string, line: number): void {
    const prose = readStoryProse(text);
    if (prose !== undefined) this.storyStatements.push({ ...prose, line, text: text.trim() });
  }

  private noteTaskWithoutCheckbox(text: string, from: number, line: number): void {
    if (!this.outline.expectsTasks()) return;
    BEFORE_BARE_ID.lastIndex = from;
    BEFORE_BARE_ID.test(text);
    const head = matchTaskHead(text, BEFORE_BARE_ID.lastIndex);
    if (head === undefined) return;
    this.idsWithoutCheckbox.push(head.id);
    this.diagnostics.push({
      code: 'task-without-checkbox',
      severity: 'information',
      range: lineRange(line, head.idStart, head.idEnd),
      message: `${head.id} is written without a checkbox ("- [ ] ${head.id} …"), so it is not treated as a task and cannot be ticked.`,
    });
  }

  private readStatements(text: string, line: number): void {
    const reading = readDependencyProse(text);
    const onLine = (ref: RawIdRef): LineIdRef => ({ ref, line });
    for (const s of reading.statements)
      this.statements.push({ before: s.before.map(onLine), after: s.after.map(onLine), line });
    for (const clause of reading.unclear) {
      this.diagnostics.push({
        code: 'unclear-dependency',
        severity: 'information',
        range: lineRange(line, clause.start + indentLength(text, clause.start), clause.end),
        message:
          'Read as no order: this sentence names tasks around an ordering word but also says they can run in parallel. Write "T012 depends on T010" (or "T010 before T012") to order them.',
      });
    }
  }

  finish(): TasksDocument {
    const tasks = this.tasks;
    const taskIds = taskIdIndexOf(tasks, this.byKey, this.idParts);
    // Ids written without a checkbox are known to the author: a reference to one is no "unknown dependency".
    const knownIds =
      this.idsWithoutCheckbox.length === 0
        ? taskIds
        : TaskIdIndex.of([...tasks.map((t) => t.id), ...this.idsWithoutCheckbox]);
    for (const reading of this.waiting) {
      reading.task.dependsOn = dependsOnOf(reading, taskIds);
      for (const { ref, line } of reading.waitsFor)
        if (knownIds.expand(ref).length === 0) this.diagnostics.push(unknownDependency(ref, line, reading.task.key));
    }
    const dependencyStatements = this.statements.map((s) => this.statementOf(s, knownIds));
    const { phases, sections } = this.outline.finish(taskKeysByPhase(tasks));
    this.diagnostics.push(
      ...idOrderDiagnostics(tasks, taskIds),
      ...outsidePhaseDiagnostics(tasks),
      ...parallelSameFileDiagnostics(tasks, this.places),
    );
    this.diagnostics.sort(
      (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
    );
    const document: TasksDocument = {
      text: this.text,
      eol: eolOf(this.text),
      hasBom: this.text.startsWith('\uFEFF'),
      phases,
      tasks,
      sections,
      nonTaskCheckboxes: this.nonTaskCheckboxes,
      dependencyStatements,
      storyStatements: this.storyStatements,
      diagnostics: this.diagnostics,
    };
    const finished = this.outline.title === undefined ? document : { ...document, title: this.outline.title };
    keepTasksByKey(finished, this.byKey);
    return finished;
  }

  private statementOf(s: RawStatement, knownIds: TaskIdIndex): DependencyStatement {
    const checked = (side: readonly LineIdRef[]): TaskIdRef[] => {
      for (const { ref, line } of side)
        if (knownIds.expand(ref).length === 0) this.diagnostics.push(unknownDependency(ref, line, undefined));
      return side.map(toTaskIdRef);
    };
    const text = this.lines.line(s.line);
    return {
      // A task's own "before T016" names the task by its id, which needs no check.
      before: s.taskKey === undefined ? checked(s.before) : s.before.map(toTaskIdRef),
      after: checked(s.after),
      range: lineRange(s.line, 0, text.length),
      text: text.trim(),
      ...(s.taskKey === undefined ? {} : { taskKey: s.taskKey }),
    };
  }
}

/** Each phase's task keys, in document order. */
function taskKeysByPhase(tasks: readonly Task[]): (phaseIndex: number) => readonly string[] {
  const keys = new Map<number, string[]>();
  for (const task of tasks) {
    if (task.phaseIndex === undefined) continue;
    const own = keys.get(task.phaseIndex);
    if (own === undefined) keys.set(task.phaseIndex, [task.key]);
    else own.push(task.key);
  }
  return (phaseIndex) => keys.get(phaseIndex) ?? [];
}

/** The ids a task's own words say it waits for, as they exist in the document (ranges expanded), itself left out. */
function dependsOnOf(reading: TaskReading, ids: TaskIdIndex): readonly string[] {
  const dependsOn: string[] = [];
  for (const { ref } of reading.waitsFor) {
    for (const id of ids.expand(ref)) if (id !== reading.task.id && !dependsOn.includes(id)) dependsOn.push(id);
  }
  return dependsOn;
}

function unknownDependency(ref: RawIdRef, line: number, taskKey: string | undefined): TasksDiagnostic {
  const what = ref.kind === 'id' ? ref.id : ref.kind === 'range' ? `${ref.from}-${ref.to}` : `${ref.from}+`;
  return {
    code: 'unknown-dependency',
    severity: 'warning',
    range: lineRange(line, ref.start, ref.end),
    message: `Dependency on ${what}, but no task ${ref.kind === 'id' ? 'has that id' : 'falls in that range'}.`,
    ...(taskKey === undefined ? {} : { taskKey }),
  };
}

/** Ids that go backwards (`T012` after `T015`): usually a slip, worth a note. Duplicates are reported when read. */
function idOrderDiagnostics(tasks: readonly Task[], ids: TaskIdIndex): TasksDiagnostic[] {
  const diagnostics: TasksDiagnostic[] = [];
  if (ids.cameInOrder) return diagnostics;
  let previous: Task | undefined;
  for (const task of tasks) {
    if (task.key !== task.id) continue; // a later duplicate
    if (previous !== undefined && ids.compare(task.id, previous.id) < 0) {
      diagnostics.push({
        code: 'task-id-out-of-order',
        severity: 'information',
        range: taskIdRange(task),
        message: `${task.id} comes after ${previous.id}; ids usually follow document order.`,
        taskKey: task.key,
      });
    }
    previous = task;
  }
  return diagnostics;
}

/**
 * A note, not a warning: a task outside any phase is valid (the tree, `tasks --json` and the schedule all list it
 * where it stands); the note only says how it is read.
 */
function outsidePhaseDiagnostics(tasks: readonly Task[]): TasksDiagnostic[] {
  const diagnostics: TasksDiagnostic[] = [];
  for (const task of tasks) {
    if (task.phaseIndex !== undefined) continue;
    diagnostics.push({
      code: 'task-outside-phase',
      severity: 'information',
      range: taskIdRange(task),
      message: `${task.id} is not under a phase heading ("## Phase N: …"); it is kept and scheduled where it stands, between the phases around it.`,
      taskKey: task.key,
    });
  }
  return diagnostics;
}

/**
 * Two [P] tasks of one phase that name the same file cannot really run side by side: the scheduler orders them
 * (file locks), but the marker misleads, so the later one is flagged where it names the file, naming the first [P]
 * task with that file. Paths are compared as the scheduler compares them (`./src/a.ts` is `src/a.ts`); a task
 * outside any phase is compared within the section it stands in.
 */
function parallelSameFileDiagnostics(tasks: readonly Task[], places: readonly TaskPlace[]): TasksDiagnostic[] {
  const diagnostics: TasksDiagnostic[] = [];
  let block = Number.NaN;
  let owners = new Map<string, Task>();
  for (const task of tasks) {
    if (!task.parallel || task.files.length === 0) continue;
    // Tasks of one phase or section are consecutive: a new block starts a new table of owners.
    const taskBlock = places[task.index]?.block ?? -1;
    if (taskBlock !== block) {
      block = taskBlock;
      owners = new Map();
    }
    for (const [k, file] of task.files.entries()) {
      const path = normalizeTaskPath(file);
      const other = owners.get(path);
      if (other === undefined) owners.set(path, task);
      else if (other !== task) diagnostics.push(parallelSameFile(task, k, file, other));
    }
  }
  return diagnostics;
}

function parallelSameFile(task: Task, k: number, file: string, other: Task): TasksDiagnostic {
  return {
    code: 'parallel-same-file',
    severity: 'warning',
    range: taskFileRange(task, k),
    message: `${task.id} and ${other.id} (line ${other.line + 1}) are both marked [P] in this ${task.phaseIndex === undefined ? 'section' : 'phase'} but both touch ${file}; they will run one after the other.`,
    taskKey: task.key,
  };
}
