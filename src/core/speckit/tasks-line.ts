/**
 * The grammar of one tasks.md line, shared by the parser and the writer so both agree on what a task line is.
 * Every function here works on a single line (no line terminator) and runs in time linear in its length.
 */
import { taskIdEndAt } from './task-ids';
import type { CheckboxMark } from './tasks-model';

export interface CheckboxLine {
  /** Columns of indentation before the bullet (a tab counts to the next multiple of four). */
  readonly indent: number;
  /** Index of `[` in the line. */
  readonly bracketStart: number;
  readonly mark: CheckboxMark;
  /** Index of the first non-blank character after `]` (the line length when there is none). */
  readonly contentStart: number;
}

// `- [ ]`, `* [x]`, `+ [X]`, `1. [ ]`, `1) [ ]`, followed by a blank or the end of the line; then its blanks.
const CHECKBOX = /^([ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+\[([ xX])\](?=[ \t]|$)[ \t]*/;
// Anything that tries to be a checkbox: optional bullet, brackets holding only blanks and x.
const CHECKBOX_ATTEMPT = /^[ \t]*(?:[-*+]|\d{1,9}[.)])?[ \t]*\[[ xX]{0,3}\]/;

export function matchCheckboxLine(line: string): CheckboxLine | undefined {
  const m = CHECKBOX.exec(line);
  if (m === null) return undefined;
  const [whole, indent = '', mark = ' '] = m;
  const bracketStart = whole.lastIndexOf('[');
  return { indent: columns(indent), bracketStart, mark: mark as CheckboxMark, contentStart: whole.length };
}

/** A line that tries to be a checkbox but is not one: `- []`, `-[ ]`, `- [ x]`, `[ ] T001`, `- [ ]T001`. */
export function isMalformedCheckbox(line: string): boolean {
  return CHECKBOX_ATTEMPT.test(line) && !CHECKBOX.test(line);
}

/**
 * What the writer compares to recognise a task line it read earlier: everything after the checkbox, trimmed.
 * The mark itself is left out so a task someone else ticked meanwhile is still the same task.
 */
export function taskLineIdentity(line: string, checkbox: CheckboxLine): string {
  return line.slice(checkbox.bracketStart + 3).trim();
}

/**
 * Text after a checkbox that tries to be a task id but is not one of ours: `TASK-004`, `T-005`, `t006`,
 * `Task 7`. Such a line is a task its author forgot to number our way, not a checklist item.
 */
export function startsWithIdLikeWord(text: string): boolean {
  return /^[*_`[]*\s*T(?:ASK|SK)?[-_ ]?\d+/i.test(text);
}

export interface TaskLabel {
  readonly text: string;
  /** Indices in the line of `[` and one past `]`. */
  readonly start: number;
  readonly end: number;
}

export interface TaskHead {
  readonly id: string;
  readonly idStart: number;
  readonly idEnd: number;
  readonly labels: readonly TaskLabel[];
  /** Index where the description starts (after labels and one separator). */
  readonly descriptionStart: number;
  /** The document an id written as a link points to (`[T012](tasks/T012.md)`). */
  readonly link?: string;
}

const MAX_LABEL_LENGTH = 40;
const BLANKS = /[ \t]*/y;
const LABEL = /\[([^[\]]{0,40})\]/y;
const LINK_DESTINATION = /\([^()\s]*\)/y;
const SEPARATOR = /(?::|[-–—](?= ))[ \t]*/y;
// How an id may be wrapped: bold, code, or brackets (also as a link, `[T012](tasks/T012.md)`).
const CLOSER_OF: Readonly<Record<string, string>> = { '**': '**', __: '__', '`': '`', '[': ']' };
const OPENERS = Object.keys(CLOSER_OF);

/** The length of what a sticky pattern matches at `at` (0 when nothing). */
function stickyLength(pattern: RegExp, line: string, at: number): number {
  pattern.lastIndex = at;
  return pattern.test(line) ? pattern.lastIndex - at : 0;
}

/**
 * Reads `T012 [P] [US1] Description`, `**T001 [P]** Description`, `**T001**: Description`, `` `T001` ``,
 * `[T001] Description` and `[T001](tasks/T001.md) Description` starting at `from`. Returns undefined when no task
 * id opens the text there.
 */
export function matchTaskHead(line: string, from: number): TaskHead | undefined {
  const opener = openerAt(line, from);
  const idStart = from + (opener?.length ?? 0);
  const idEnd = taskIdEndAt(line, idStart);
  if (idEnd < 0) return undefined;
  let closer = opener === undefined ? undefined : CLOSER_OF[opener];
  let link: string | undefined;
  const labels: TaskLabel[] = [];
  let i = idEnd;
  for (;;) {
    i += stickyLength(BLANKS, line, i);
    if (closer !== undefined && line.startsWith(closer, i)) {
      i += closer.length;
      const destination = closer === ']' ? stickyLength(LINK_DESTINATION, line, i) : 0;
      if (destination > 0) link = line.slice(i + 1, i + destination - 1);
      i += destination;
      closer = undefined;
      continue;
    }
    const labelLength = stickyLength(LABEL, line, i);
    if (labelLength === 0 || labelLength - 2 > MAX_LABEL_LENGTH) break;
    labels.push({ text: line.slice(i + 1, i + labelLength - 1).trim(), start: i, end: i + labelLength });
    i += labelLength;
  }
  const descriptionStart = i + stickyLength(SEPARATOR, line, i);
  const head = { id: line.slice(idStart, idEnd), idStart, idEnd, labels, descriptionStart };
  return link === undefined || link === '' ? head : { ...head, link };
}

function openerAt(line: string, at: number): string | undefined {
  for (const opener of OPENERS) if (line.startsWith(opener, at)) return opener;
  return undefined;
}

/** `US1` for `[US1]`, `[us 1]` or `[Story 1]`; undefined for other labels. */
export function storyOfLabel(label: string): string | undefined {
  const m = /^(?:US|Story)\s*(\d+)$/i.exec(label);
  return m === null ? undefined : `US${m[1] ?? ''}`;
}

export function isParallelLabel(label: string): boolean {
  return label === 'P' || label === 'p';
}

/** Columns of whitespace: a tab counts to the next multiple of four. */
export function columns(whitespace: string): number {
  let col = 0;
  for (const ch of whitespace) col = ch === '\t' ? col + 4 - (col % 4) : col + 1;
  return col;
}

export function leadingWhitespace(line: string): string {
  return line.slice(0, indentLength(line));
}

/** How many blanks (spaces and tabs) open the line, from `from`. */
export function indentLength(line: string, from = 0): number {
  let end = from;
  while (line[end] === ' ' || line[end] === '\t') end += 1;
  return end - from;
}

/** The columns of the line's indentation (a tab counts to the next multiple of four). */
export function indentColumns(line: string): number {
  let col = 0;
  for (let i = 0; line[i] === ' ' || line[i] === '\t'; i += 1) col = line[i] === '\t' ? col + 4 - (col % 4) : col + 1;
  return col;
}

export interface HeadingLine {
  /** 1 for `#`, up to 6. */
  readonly level: number;
  /** The text without `#` marks and closing hashes. */
  readonly text: string;
  /** Where the text starts in the line. */
  readonly textStart: number;
}

const ATX_HEADING = /^( {0,3}(#{1,6})[ \t]*)(?:(?<=[ \t])(.*?))?[ \t]*$/;

/** An ATX heading (`## Phase 1: Setup`, closing hashes allowed), or undefined. */
export function matchHeading(line: string): HeadingLine | undefined {
  const m = ATX_HEADING.exec(line);
  if (m === null) return undefined;
  const [, marks = '', hashes = '', text = ''] = m;
  return { level: hashes.length, text: text.replace(/[ \t]+#+$/, '').trim(), textStart: marks.length };
}

/** The heading level a setext underline gives the line above (1 for `===`, 2 for `---`), or 0. */
export function setextUnderlineLevel(line: string): number {
  const m = /^ {0,3}(=+|-+)[ \t]*$/.exec(line);
  if (m === null) return 0;
  return m[1]?.startsWith('=') === true ? 1 : 2;
}

export interface FenceMarker {
  readonly char: '`' | '~';
  readonly length: number;
  /** Text after the marker (an info string on an opening fence; must be blank on a closing one). */
  readonly rest: string;
}

const FENCE = /^[ \t]*(`{3,}|~{3,})(.*)$/;

/** A fence line (```` ``` ```` or `~~~`, any indentation: fences inside list items are indented too). */
export function matchFence(line: string): FenceMarker | undefined {
  const m = FENCE.exec(line);
  if (m === null) return undefined;
  const [, marker = '', rest = ''] = m;
  // A backtick fence's info string may not contain a backtick (CommonMark), else it is inline code.
  if (marker.startsWith('`') && rest.includes('`')) return undefined;
  return { char: marker.startsWith('`') ? '`' : '~', length: marker.length, rest };
}

export function closesFence(open: FenceMarker, line: string): boolean {
  const m = matchFence(line);
  return m !== undefined && m.char === open.char && m.length >= open.length && m.rest.trim() === '';
}

/**
 * The index after the `-->` that closes an HTML comment, searching `line` from `searchFrom`, or -1 when the
 * comment runs on. CommonMark: a block opened by `<!--` lasts through the line holding `-->` (any indentation is
 * allowed here, as for fences, since list items indent their comments too).
 */
export function htmlCommentEnd(line: string, searchFrom: number): number {
  const end = line.indexOf('-->', searchFrom);
  return end < 0 ? -1 : end + 3;
}

/** The index of `<!--` when it is the line's first non-blank text (an HTML comment block opens), else -1. */
export function htmlCommentStart(line: string): number {
  const m = /^[ \t]*<!--/.exec(line);
  return m === null ? -1 : m[0].length - 4;
}
