/**
 * The shape of a parsed spec-kit `tasks.md`. One parser produces it for every face: the engine (scheduling and
 * ticking), the CLI, the VS Code tree and the language server (diagnostics, hovers, outline, code lenses).
 *
 * Positions are LSP-compatible: 0-based lines and UTF-16 characters, counted as an editor counts them, so a
 * UTF-8 byte order mark does not shift line 0. Offsets (`offset`, `startOffset`, `endOffset`) index the exact
 * string that was parsed, BOM included, for the writer.
 */

export interface Position {
  readonly line: number;
  readonly character: number;
}

export interface Range {
  readonly start: Position;
  readonly end: Position;
}

/** The line ending of the file's first line break; `\r` alone is how old Mac files end lines. */
export type Eol = '\n' | '\r\n' | '\r';

export type CheckboxMark = ' ' | 'x' | 'X';

export interface Checkbox {
  /** Offset of the mark character between the brackets, in the parsed string. */
  readonly offset: number;
  /** Character of `[` on the task's line: `[ ]` spans it and the next two (`taskCheckboxRange`). */
  readonly character: number;
  readonly mark: CheckboxMark;
}

/** Characters `start` to `end` of one line: where a task names a file. */
export interface LineSpan {
  readonly line: number;
  readonly start: number;
  readonly end: number;
}

export type SubsectionKind = 'tests' | 'implementation' | 'other';

export interface Subsection {
  readonly title: string;
  readonly level: number;
  readonly kind: SubsectionKind;
  readonly headingRange: Range;
  /** From the heading to the line before the next heading of any level ≥ 2 (or the end of its phase). */
  readonly range: Range;
}

export interface Task {
  /** As written, e.g. `T012`, `T046B`, `T007b`, `T109.1` (a sub-task of T109). */
  readonly id: string;
  /** Unique in the document: the id, then `T012#2`, `T012#3` for later duplicates. */
  readonly key: string;
  /** Index in `TasksDocument.tasks` (document order). */
  readonly index: number;
  /** Line of the checkbox. */
  readonly line: number;
  /**
   * The task is its checkbox line plus its indented continuation (sub-bullets, wrapped text), trailing blank lines
   * excluded: from `startCharacter` (its bullet) on `line` to `endCharacter` (the line's end) on `lastLine`. Kept
   * as numbers, as every position of a task is; `taskRange` and its siblings build the editor's ranges.
   */
  readonly lastLine: number;
  readonly startCharacter: number;
  readonly endCharacter: number;
  readonly startOffset: number;
  readonly endOffset: number;
  /** Characters of the id on `line` (`taskIdRange`). */
  readonly idStart: number;
  readonly idEnd: number;
  readonly checkbox: Checkbox;
  readonly done: boolean;
  readonly parallel: boolean;
  /** `US1` when labelled `[US1]`. */
  readonly story?: string;
  /** Every bracket label after the id, as written without brackets (`P`, `US1`, `Setup`…). */
  readonly labels: readonly string[];
  /** The text after the id and its labels, as written (one leading `:`/`-` separator removed). */
  readonly description: string;
  /** Everything after the checkbox on the checkbox line, trailing whitespace removed: the writer's identity check. */
  readonly lineText: string;
  /** The continuation lines, trimmed, in order. */
  readonly details: readonly string[];
  /**
   * Paths the task works on (backticked, bare or linked with a path as the link text), as written, deduplicated,
   * in order of appearance: what it locks and writes. Relative paths are relative to the project root, `../…`
   * to the tasks file's folder (see `resolveTaskPaths`).
   */
  readonly files: readonly string[];
  /**
   * Where each of `files` is first named (index for index), on the checkbox line or a `Files:` continuation line:
   * what path diagnostics and go-to-file point at (`taskFileRange`).
   */
  readonly fileSpans: readonly LineSpan[];
  /**
   * Documents the task points to rather than works on: link targets (`[T012](tasks/T012.md)`) and paths after
   * "see", "per", "as described in"… Never locked.
   */
  readonly references: readonly string[];
  /** Ids this task's own text says it depends on ("depends on T012", "after T005", "**Dependencies**: T003"). */
  readonly dependsOn: readonly string[];
  /**
   * The references `dependsOn` was read from, where they are written (the checkbox line or its continuation
   * lines), in order; those naming no existing task are kept too. What dependency diagnostics point at.
   */
  readonly dependencyRefs: readonly TaskIdRef[];
  /** Index into `TasksDocument.phases`; absent for a task before any phase or inside a non-phase section. */
  readonly phaseIndex?: number;
  readonly subsection?: { readonly title: string; readonly kind: SubsectionKind };
  readonly isTest: boolean;
}

export interface Phase {
  readonly index: number;
  /** The heading text without `#` marks. */
  readonly heading: string;
  /** The heading after its number and separator (`Setup`, `User Story 1 - Title (Priority: P1) 🎯 MVP`). */
  readonly title: string;
  /** `3.1`, `3`, `A`, … when the heading numbers the phase. */
  readonly number?: string;
  readonly headingRange: Range;
  /**
   * From the heading to the line before the next heading of its level or above: `##`, or `###` for phases
   * written as `### Phase 3.1: …` under a `## Tasks` heading.
   */
  readonly range: Range;
  readonly purpose?: string;
  readonly goal?: string;
  readonly independentTest?: string;
  readonly checkpoint?: string;
  /** `US1` when this is a user-story phase. */
  readonly story?: string;
  /** `P1` when the heading states a priority. */
  readonly priority?: string;
  readonly mvp: boolean;
  readonly subsections: readonly Subsection[];
  /** Keys of its tasks in document order. */
  readonly taskKeys: readonly string[];
}

export type SectionKind = 'dependencies' | 'parallel-example' | 'strategy' | 'notes' | 'other';

/** A `##` section that is not a phase. */
export interface Section {
  readonly title: string;
  readonly kind: SectionKind;
  readonly headingRange: Range;
  readonly range: Range;
}

export type NonTaskCheckboxReason = 'no-id' | 'table-row' | 'sub-item';

export interface NonTaskCheckbox {
  readonly range: Range;
  /** The text after the checkbox. */
  readonly text: string;
  readonly checked: boolean;
  readonly reason: NonTaskCheckboxReason;
}

/** A reference to task ids in prose: a single id, an inclusive range (`T006-T013`, `T006–T013`) or open (`T016+`). */
export type TaskIdRef =
  | { readonly kind: 'id'; readonly id: string; readonly range: Range }
  | { readonly kind: 'range'; readonly from: string; readonly to: string; readonly range: Range }
  | { readonly kind: 'open-range'; readonly from: string; readonly range: Range };

/**
 * "`after` must wait for `before`": from prose ("T014 blocks T022") or a task's own words ("T026 … before T016",
 * then `taskKey` is that task and `before` its id).
 */
export interface DependencyStatement {
  readonly before: readonly TaskIdRef[];
  readonly after: readonly TaskIdRef[];
  /** The line the statement was read from. */
  readonly range: Range;
  readonly text: string;
  /** The task whose own text holds the statement. */
  readonly taskKey?: string;
}

/**
 * A sentence about the order of user stories, outside any phase: "User stories can then proceed in parallel",
 * "**User Story 3 (P3)**: Depends on US1". The graph decides from these whether story phases run side by side.
 */
export interface StoryStatement {
  /** The stories the sentence speaks of (`US3`); empty for a sentence about all stories. */
  readonly stories: readonly string[];
  /** The stories they wait for. */
  readonly after: readonly string[];
  /** It says stories can run in parallel. */
  readonly parallel: boolean;
  /** It says its stories wait for no other story ("Can start after Foundational"). */
  readonly independent: boolean;
  readonly line: number;
  /** The sentence as written, trimmed. */
  readonly text: string;
}

export type DiagnosticSeverity = 'error' | 'warning' | 'information';

/** Stable codes: the language server, the CLI and tests match on them. */
export type TasksDiagnosticCode =
  | 'duplicate-task-id'
  | 'checkbox-without-id'
  | 'task-without-checkbox'
  | 'task-id-out-of-order'
  | 'malformed-checkbox'
  | 'unknown-dependency'
  | 'dependency-on-later-phase'
  | 'dependency-cycle'
  | 'parallel-same-file'
  | 'path-outside-workspace'
  | 'task-outside-phase'
  | 'unclosed-html-comment'
  | 'unclear-dependency'
  | 'file-encoding';

export interface TasksDiagnostic {
  readonly code: TasksDiagnosticCode;
  readonly severity: DiagnosticSeverity;
  readonly range: Range;
  readonly message: string;
  /** The task the diagnostic is about, when there is one. */
  readonly taskKey?: string;
}

export interface TasksDocument {
  readonly text: string;
  readonly eol: Eol;
  readonly hasBom: boolean;
  /** The first `#` heading. */
  readonly title?: string;
  readonly phases: readonly Phase[];
  /** Document order. */
  readonly tasks: readonly Task[];
  readonly sections: readonly Section[];
  readonly nonTaskCheckboxes: readonly NonTaskCheckbox[];
  readonly dependencyStatements: readonly DependencyStatement[];
  readonly storyStatements: readonly StoryStatement[];
  /**
   * Parse-level diagnostics; graph-level ones (cycles, later-phase dependencies) come from the graph, and paths
   * that lead outside the project from `withTaskPathsPlaced`, which looks at the disk.
   */
  readonly diagnostics: readonly TasksDiagnostic[];
}
