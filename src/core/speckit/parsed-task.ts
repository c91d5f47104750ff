/**
 * The parser's `Task`: plain data fields, with the three position fields (`range`, `idRange`, `checkbox`) kept
 * as numbers and built on access. A 10,000-task file would otherwise keep a dozen small position objects alive
 * per task, and copying those through the young generation was a third of the parse's time.
 *
 * The positions are accessors on the prototype, so `{ ...task }` does not copy them: name the fields you need.
 * `JSON.stringify` (the language server's wire, the webviews) does carry them, through `toJSON`.
 */
import type { Checkbox, CheckboxMark, Range, SubsectionKind, Task } from './tasks-model';

/** Numbers the position fields are built from; all on the checkbox line except the range's end. */
export interface TaskPositions {
  readonly line: number;
  /** Characters of indentation before the bullet: where `range` starts. */
  readonly indentLength: number;
  readonly lastLine: number;
  readonly lastLineLength: number;
  readonly idStart: number;
  readonly idEnd: number;
  readonly bracketStart: number;
  readonly checkboxOffset: number;
  readonly mark: CheckboxMark;
}

export interface TaskFields {
  readonly id: string;
  readonly index: number;
  readonly startOffset: number;
  readonly endOffset: number;
  readonly parallel: boolean;
  readonly story: string | undefined;
  readonly labels: readonly string[];
  readonly description: string;
  readonly lineText: string;
  readonly details: readonly string[];
  readonly files: readonly string[];
  readonly subsection: { readonly title: string; readonly kind: SubsectionKind } | undefined;
  readonly isTest: boolean;
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
  declare story?: string;
  readonly labels: readonly string[];
  readonly description: string;
  readonly lineText: string;
  readonly details: readonly string[];
  readonly files: readonly string[];
  /** Set once by the parser's second pass. */
  dependsOn: readonly string[];
  declare phaseIndex?: number;
  declare subsection?: { readonly title: string; readonly kind: SubsectionKind };
  readonly isTest: boolean;
  // Copied out of `TaskPositions` so that a task is one object, not two.
  readonly #indentLength: number;
  readonly #lastLine: number;
  readonly #lastLineLength: number;
  readonly #idStart: number;
  readonly #idEnd: number;
  readonly #bracketStart: number;
  readonly #checkboxOffset: number;
  readonly #mark: CheckboxMark;

  constructor(fields: TaskFields, at: TaskPositions, dependsOn: readonly string[]) {
    this.id = fields.id;
    this.key = fields.id;
    this.index = fields.index;
    this.line = at.line;
    this.startOffset = fields.startOffset;
    this.endOffset = fields.endOffset;
    this.done = at.mark !== ' ';
    this.parallel = fields.parallel;
    this.labels = fields.labels;
    this.description = fields.description;
    this.lineText = fields.lineText;
    this.details = fields.details;
    this.files = fields.files;
    this.dependsOn = dependsOn;
    this.isTest = fields.isTest;
    // Absent rather than undefined, as the model's optional fields are everywhere else.
    if (fields.story !== undefined) this.story = fields.story;
    if (fields.subsection !== undefined) this.subsection = fields.subsection;
    this.#indentLength = at.indentLength;
    this.#lastLine = at.lastLine;
    this.#lastLineLength = at.lastLineLength;
    this.#idStart = at.idStart;
    this.#idEnd = at.idEnd;
    this.#bracketStart = at.bracketStart;
    this.#checkboxOffset = at.checkboxOffset;
    this.#mark = at.mark;
  }

  get range(): Range {
    return { start: { line: this.line, character: this.#indentLength }, end: { line: this.#lastLine, character: this.#lastLineLength } };
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
      dependsOn: this.dependsOn,
      ...(this.phaseIndex === undefined ? {} : { phaseIndex: this.phaseIndex }),
      ...(this.subsection === undefined ? {} : { subsection: this.subsection }),
      isTest: this.isTest,
    };
  }
}
