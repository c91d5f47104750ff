/**
 * The grammar of one tasks.md line, shared by the parser and the writer so both agree on what a task line is.
 * Every function here works on a single line (no line terminator) and runs in time linear in its length.
 */
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

// `- [ ]`, `* [x]`, `+ [X]`, `1. [ ]`, `1) [ ]`, followed by a blank or the end of the line.
const CHECKBOX = /^([ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+\[([ xX])\](?=[ \t]|$)/;
// Anything that tries to be a checkbox: optional bullet, brackets holding only blanks and x.
const CHECKBOX_ATTEMPT = /^[ \t]*(?:[-*+]|\d{1,9}[.)])?[ \t]*\[[ xX]{0,3}\]/;

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/**
 * End index of a task id (`T`, 1–6 digits, an optional letter, then a non-word character) at `at`, or -1.
 * `T1.1` is not an id: spec-kit numbers tasks `T001`, `T002`…, and the dotted numbers seen in hand-written
 * lists are sub-steps of `T1` (a checklist), so reading `T1.1` as `T1` would invent duplicates.
 */
function scanTaskId(line: string, at: number): number {
  if (line.charCodeAt(at) !== 84) return -1; // T
  let k = at + 1;
  while (k < line.length && k - at <= 6 && isDigit(line.charCodeAt(k))) k += 1;
  const digits = k - at - 1;
  if (digits === 0 || digits > 6) return -1;
  const c = line.charCodeAt(k);
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
    k += 1;
  }
  if (line.charCodeAt(k) === 46 && isDigit(line.charCodeAt(k + 1))) return -1; // .digit
  return k < line.length && isWordChar(line.charCodeAt(k)) ? -1 : k;
}

/**
 * Text after a checkbox that tries to be a task id but is not one of ours: `TASK-004`, `T-005`, `t006`,
 * `Task 7`, `T1.1`. Such a line is a task its author forgot to number our way, not a checklist item.
 */
export function startsWithIdLikeWord(text: string): boolean {
  return /^[*_`[]*\s*(?:T(?:ASK|SK)?[-_ ]?\d+|T\d+(?:\.\d+)+)/i.test(text);
}

/**
 * `CHECKBOX` by hand: the parser runs it on every list line of a 10,000-task file, and the regular expression's
 * match array and captured strings were most of what it allocated per task.
 */
export function matchCheckboxLine(line: string): CheckboxLine | undefined {
  const length = line.length;
  let i = 0;
  let indent = 0;
  for (; i < length; i += 1) {
    const c = line.charCodeAt(i);
    if (c === 32) indent += 1;
    else if (c === 9) indent += 4 - (indent % 4);
    else break;
  }
  const bullet = line.charCodeAt(i);
  if (bullet === 45 || bullet === 42 || bullet === 43) {
    i += 1; // - * +
  } else {
    const digitsStart = i;
    while (i < length && i - digitsStart < 10 && isDigit(line.charCodeAt(i))) i += 1;
    const digits = i - digitsStart;
    const after = line.charCodeAt(i);
    if (digits === 0 || digits > 9 || (after !== 46 && after !== 41)) return undefined; // . )
    i += 1;
  }
  const gapStart = i;
  while (i < length && isBlankChar(line.charCodeAt(i))) i += 1;
  if (i === gapStart || line.charCodeAt(i) !== 91 || line.charCodeAt(i + 2) !== 93) return undefined; // [ ]
  const mark = line.charCodeAt(i + 1);
  if (mark !== 32 && mark !== 120 && mark !== 88) return undefined; // space x X
  const bracketStart = i;
  let contentStart = i + 3;
  if (contentStart < length && !isBlankChar(line.charCodeAt(contentStart))) return undefined;
  while (contentStart < length && isBlankChar(line.charCodeAt(contentStart))) contentStart += 1;
  return { indent, bracketStart, mark: mark === 32 ? ' ' : mark === 120 ? 'x' : 'X', contentStart };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isBlankChar(c: number): boolean {
  return c === 32 || c === 9;
}

/** A line that tries to be a checkbox but is not one: `- []`, `-[ ]`, `- [ x]`, `[ ] T001`, `- [ ]T001`. */
/**
 * What the writer compares to recognise a task line it read earlier: everything after the checkbox, trimmed.
 * The mark itself is left out so a task someone else ticked meanwhile is still the same task.
 */
export function taskLineIdentity(line: string, checkbox: CheckboxLine): string {
  return line.slice(checkbox.bracketStart + 3).trim();
}

export function isMalformedCheckbox(line: string): boolean {
  return CHECKBOX_ATTEMPT.test(line) && !CHECKBOX.test(line);
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
}

const MAX_LABEL_LENGTH = 40;

/**
 * Reads `T012 [P] [US1] Description`, `**T001 [P]** Description`, `**T001**: Description`, `[T001] Description`
 * starting at `from`. Returns undefined when no task id opens the text there.
 */
export function matchTaskHead(line: string, from: number): TaskHead | undefined {
  let i = from;
  let wrapper = '';
  if (line.startsWith('**', i) || line.startsWith('__', i)) {
    wrapper = line.slice(i, i + 2);
    i += 2;
  } else if (line[i] === '`' || line[i] === '[') {
    wrapper = line[i] === '[' ? ']' : '`';
    i += 1;
  }
  const idEnd = scanTaskId(line, i);
  if (idEnd < 0) return undefined;
  const id = line.slice(i, idEnd);
  const idStart = i;
  i = idEnd;
  const labels: TaskLabel[] = [];
  let wrapperOpen = wrapper !== '';
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i += 1;
    if (wrapperOpen && line.startsWith(wrapper, i)) {
      i += wrapper.length;
      wrapperOpen = false;
      continue;
    }
    if (line[i] !== '[') break;
    const close = line.indexOf(']', i + 1);
    if (close < 0 || close - i > MAX_LABEL_LENGTH || hasCharBetween(line, 91, i + 1, close)) break; // [
    labels.push({ text: line.slice(i + 1, close).trim(), start: i, end: close + 1 });
    i = close + 1;
  }
  if (line[i] === ':' || ((line[i] === '-' || line[i] === '–' || line[i] === '—') && line[i + 1] === ' ')) {
    i += 1;
    while (line[i] === ' ' || line[i] === '\t') i += 1;
  }
  return { id, idStart, idEnd, labels, descriptionStart: i };
}

function hasCharBetween(line: string, code: number, from: number, to: number): boolean {
  for (let k = from; k < to; k += 1) if (line.charCodeAt(k) === code) return true;
  return false;
}

/** `US1` for `[US1]`, `[us 1]` or `[Story 1]`; undefined for other labels. */
export function storyOfLabel(label: string): string | undefined {
  const m = /^(?:US|Story)\s*(\d+)$/i.exec(label);
  return m === null ? undefined : `US${m[1] ?? ''}`;
}

export function isParallelLabel(label: string): boolean {
  return label === 'P' || label === 'p';
}

export function columns(whitespace: string): number {
  let col = 0;
  for (const ch of whitespace) col = ch === '\t' ? col + 4 - (col % 4) : col + 1;
  return col;
}

export function leadingWhitespace(line: string): string {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i += 1;
  return line.slice(0, i);
}

export interface FenceMarker {
  readonly char: '`' | '~';
  readonly length: number;
  /** Text after the marker (an info string on an opening fence; must be blank on a closing one). */
  readonly rest: string;
}

/** A fence line (```` ``` ```` or `~~~`, any indentation: fences inside list items are indented too). */
export function matchFence(line: string): FenceMarker | undefined {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i += 1;
  const ch = line[i];
  if (ch !== '`' && ch !== '~') return undefined;
  let j = i;
  while (line[j] === ch) j += 1;
  const length = j - i;
  if (length < 3) return undefined;
  const rest = line.slice(j);
  // A backtick fence's info string may not contain a backtick (CommonMark), else it is inline code.
  if (ch === '`' && rest.includes('`')) return undefined;
  return { char: ch, length, rest };
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
  let i = 0;
  while (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9) i += 1;
  return line.startsWith('<!--', i) ? i : -1;
}
