/**
 * The parser's `Task`: plain data fields, with the position fields (`range`, `idRange`, `checkbox`, `fileRanges`,
 * `dependencyRefs`) kept as numbers and built on access. A 10,000-task file would otherwise keep a dozen small position objects alive
 * per task, and copying those through the young generation was a third of the parse's time.
 *
 * The positions are accessors on the prototype, so `{ ...task }` does not copy them: name the fields you need.
 * `JSON.stringify` (the language server's wire, the webviews) does carry them, through `toJSON`.
 */
import { taskIdRefAt, type LineIdRef } from './tasks-dependency-prose';
import type { Checkbox, CheckboxMark, Range, SubsectionKind, Task, TaskIdRef } from './tasks-model';

/**
 * Everything a ParsedTask is made from. The parser fills one draft per parse and reuses it for every task
 * (the constructor copies it), so building a task allocates the task and nothing else.
 */
export interface TaskDraft {
  id: string;
  index: number;
  /** The checkbox line. */
  line: number;
  startOffset: number;
  endOffset: number;
  parallel: boolean;
  story: string | undefined;
  labels: readonly string[];
  description: string;
  lineText: string;
  details: readonly string[];
  files: readonly string[];
  subsection: { readonly title: string; readonly kind: SubsectionKind } | undefined;
  isTest: boolean;
  phaseIndex: number | undefined;
  // The numbers `range`, `idRange` and `checkbox` are built from.
  /** Characters of indentation before the bullet: where `range` starts. */
  indentLength: number;
  lastLine: number;
  lastLineLength: number;
  idStart: number;
  idEnd: number;
  bracketStart: number;
  checkboxOffset: number;
  mark: CheckboxMark;
  /** Line and character of each of `files`, flat: `[line0, character0, line1, character1, …]`. */
  filePositions: readonly number[];
  /** The references of the task's own text, each with its line. */
  dependencyRefs: readonly LineIdRef[];
}

export class ParsedTask implements Task {
  readonly id: string;
  /** Set once by the parser's second pass (duplicates become `T012#2`). */
  key: string;
  readonly index: number;
  readonly line: number;
  readonly startOffset: number;
  readonly endOffset: number;
  readonly done: boolean;
  readonly parallel: boolean;
  declare readonly story?: string;
  readonly labels: readonly string[];
  readonly description: string;
  readonly lineText: string;
  readonly details: readonly string[];
  readonly files: readonly string[];
  /** Set once by the parser's second pass. */
  dependsOn: readonly string[];
  declare readonly phaseIndex?: number;
  declare readonly subsection?: { readonly title: string; readonly kind: SubsectionKind };
  readonly isTest: boolean;
  // Position numbers, kept private: the public fields are built from them on access.
  readonly #indentLength: number;
  readonly #lastLine: number;
  readonly #lastLineLength: number;
  readonly #idStart: number;
  readonly #idEnd: number;
  readonly #bracketStart: number;
  readonly #checkboxOffset: number;
  readonly #mark: CheckboxMark;
  readonly #filePositions: readonly number[];
  readonly #dependencyRefs: readonly LineIdRef[];

  constructor(draft: Readonly<TaskDraft>, dependsOn: readonly string[]) {
    this.id = draft.id;
    this.key = draft.id;
    this.index = draft.index;
    this.line = draft.line;
    this.startOffset = draft.startOffset;
    this.endOffset = draft.endOffset;
    this.done = draft.mark !== ' ';
    this.parallel = draft.parallel;
    this.labels = draft.labels;
    this.description = draft.description;
    this.lineText = draft.lineText;
    this.details = draft.details;
    this.files = draft.files;
    this.dependsOn = dependsOn;
    this.isTest = draft.isTest;
    // Absent rather than undefined, as the model's optional fields are everywhere else.
    if (draft.story !== undefined) this.story = draft.story;
    if (draft.subsection !== undefined) this.subsection = draft.subsection;
    if (draft.phaseIndex !== undefined) this.phaseIndex = draft.phaseIndex;
    this.#indentLength = draft.indentLength;
    this.#lastLine = draft.lastLine;
    this.#lastLineLength = draft.lastLineLength;
    this.#idStart = draft.idStart;
    this.#idEnd = draft.idEnd;
    this.#bracketStart = draft.bracketStart;
    this.#checkboxOffset = draft.checkboxOffset;
    this.#mark = draft.mark;
    this.#filePositions = draft.filePositions;
    this.#dependencyRefs = draft.dependencyRefs;
  }

  get range(): Range {
    return {
      start: { line: this.line, character: this.#indentLength },
      end: { line: this.#lastLine, character: this.#lastLineLength },
    };
  }

  get idRange(): Range {
    return { start: { line: this.line, character: this.#idStart }, end: { line: this.line, character: this.#idEnd } };
  }

  get checkbox(): Checkbox {
    const line = this.line;
    const bracketStart = this.#bracketStart;
    return {
      offset: this.#checkboxOffset,
      range: { start: { line, character: bracketStart }, end: { line, character: bracketStart + 3 } },
      mark: this.#mark,
    };
  }

  get fileRanges(): readonly Range[] {
    const positions = this.#filePositions;
    const files = this.files;
    const ranges: Range[] = [];
    for (let k = 0; k < files.length; k += 1) {
      const line = positions[2 * k] ?? this.line;
      const character = positions[2 * k + 1] ?? 0;
      ranges.push({ start: { line, character }, end: { line, character: character + (files[k]?.length ?? 0) } });
    }
    return ranges;
  }

  get dependencyRefs(): readonly TaskIdRef[] {
    return this.#dependencyRefs.map(({ ref, line }) => taskIdRefAt(ref, line));
  }

  toJSON(): Task {
    return {
      id: this.id,
      key: this.key,
      index: this.index,
      line: this.line,
      range: this.range,
      startOffset: this.startOffset,
      endOffset: this.endOffset,
      idRange: this.idRange,
      checkbox: this.checkbox,
      done: this.done,
      parallel: this.parallel,
      ...(this.story === undefined ? {} : { story: this.story }),
      labels: this.labels,
      description: this.description,
      lineText: this.lineText,
      details: this.details,
      files: this.files,
      fileRanges: this.fileRanges,
      dependsOn: this.dependsOn,
      dependencyRefs: this.dependencyRefs,
      ...(this.phaseIndex === undefined ? {} : { phaseIndex: this.phaseIndex }),
      ...(this.subsection === undefined ? {} : { subsection: this.subsection }),
      isTest: this.isTest,
    };
  }
}
