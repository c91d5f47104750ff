/**
 * Ticks (or clears) one task's checkbox and changes nothing else: not the line endings, not the BOM, not
 * trailing whitespace. The file-level writer re-reads the file first and refuses rather than clobber a line
 * the user edited since it was parsed.
 */
import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-write';
import {
  closesFence,
  htmlCommentStart,
  matchCheckboxLine,
  matchFence,
  matchTaskHead,
  taskLineIdentity,
  type FenceMarker,
} from './tasks-line';
import type { Task } from './tasks-model';

/** How the writer finds a task again: its id and its line as it was read (see `Task.lineText`). */
export interface TaskRef {
  readonly id: string;
  readonly lineText: string;
  /** Where it was: only breaks a tie between identical lines. */
  readonly line?: number;
}

export function taskRefOf(task: Task): TaskRef {
  return { id: task.id, lineText: task.lineText, line: task.line };
}

export type TaskWriteRefusal = 'not-found' | 'changed' | 'ambiguous' | 'unreadable' | 'not-utf8';

export type SetTaskDoneResult =
  | {
      readonly ok: true;
      readonly text: string;
      readonly changed: boolean;
      readonly line: number;
      readonly offset: number;
    }
  | { readonly ok: false; readonly code: TaskWriteRefusal; readonly reason: string };

export type SetTaskDoneInBytesResult =
  | { readonly ok: true; readonly changed: boolean; readonly line: number; readonly byteOffset: number }
  | { readonly ok: false; readonly code: TaskWriteRefusal; readonly reason: string };

export type WriteTaskDoneResult =
  | { readonly ok: true; readonly changed: boolean; readonly line: number }
  | { readonly ok: false; readonly code: TaskWriteRefusal; readonly reason: string };

/** The file could not be written (read problems are refusals, not errors). */
export class TasksWriteError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'TasksWriteError';
  }
}

interface Candidate {
  readonly line: number;
  readonly offset: number;
  readonly mark: string;
  readonly identity: string;
}

/**
 * Sets the task's checkbox to `[X]` (done) or `[ ]`. Only the mark's one character changes; a task already in
 * the wanted state is left alone (`changed: false`), so a lowercase `[x]` stays as the user wrote it.
 */
export function setTaskDone(text: string, ref: TaskRef, done: boolean): SetTaskDoneResult {
  const found = locateTask(stringSource(text), ref);
  if (!found.ok) return found;
  const { candidate } = found;
  const isDone = candidate.mark !== ' ';
  if (isDone === done) return { ok: true, text, changed: false, line: candidate.line, offset: candidate.offset };
  const next = text.slice(0, candidate.offset) + (done ? 'X' : ' ') + text.slice(candidate.offset + 1);
  return { ok: true, text: next, changed: true, line: candidate.line, offset: candidate.offset };
}

/**
 * `setTaskDone` on the file's bytes, without decoding the file: finds the task the same way (id, then the line
 * text, decoding only the candidate lines) and sets the one mark byte in `bytes` itself. The bytes must be UTF-8
 * (checked, else a `not-utf8` refusal); a BOM is allowed. Every other byte stays as it was.
 */
export function setTaskDoneInBytes(bytes: Buffer, ref: TaskRef, done: boolean): SetTaskDoneInBytesResult {
  if (!isUtf8(bytes)) return { ok: false, code: 'not-utf8', reason: 'The file is not valid UTF-8; not touching it.' };
  const found = locateTask(bytesSource(bytes), ref);
  if (!found.ok) return found;
  const { candidate } = found;
  const changed = (candidate.mark !== ' ') !== done;
  // The checkbox's prefix is ASCII (blanks, a bullet or digits), so the mark's byte offset is its character offset.
  if (changed) bytes[candidate.offset] = done ? 0x58 : 0x20; // X, space
  return { ok: true, changed, line: candidate.line, byteOffset: candidate.offset };
}

/**
 * Re-reads `filePath`, finds the task by id and line text (wherever the line moved to), flips its checkbox and
 * writes the file atomically. Refusals (task gone, line edited, id now ambiguous, unreadable file) are values.
 */
export async function writeTaskDone(
  filePath: string,
  ref: TaskRef,
  done: boolean,
  signal: AbortSignal,
): Promise<WriteTaskDoneResult> {
  const [result] = await writeTasksDone(filePath, [ref], done, signal);
  if (!result) throw new Error('writeTasksDone returned no result for its one task');
  return result;
}

/**
 * `writeTaskDone` for several tasks at once: one read, one atomic write (one fsync) for all of them, e.g. the
 * tasks of a `[P]` group that finished together. Each task gets its own result; a refused one does not keep
 * the others from being ticked.
 */
export async function writeTasksDone(
  filePath: string,
  refs: readonly TaskRef[],
  done: boolean,
  signal: AbortSignal,
): Promise<WriteTaskDoneResult[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(filePath, { signal });
  } catch (error) {
    if (signal.aborted) throw error;
    const reason = `Cannot read ${filePath}: ${error instanceof Error ? error.message : String(error)}`;
    return refs.map(() => ({ ok: false, code: 'unreadable', reason }));
  }
  if (!isUtf8(bytes)) {
    const reason = `${filePath} is not valid UTF-8; not touching it.`;
    return refs.map(() => ({ ok: false, code: 'not-utf8', reason }));
  }
  const results = refs.map((ref) => setTaskDoneInBytes(bytes, ref, done));
  if (!results.some((r) => r.ok && r.changed)) return results.map(fileResult);
  signal.throwIfAborted();
  try {
    await writeFileAtomic(filePath, bytes);
  } catch (error) {
    throw new TasksWriteError(`Could not write ${filePath}`, { cause: error });
  }
  return results.map(fileResult);
}

function fileResult(result: SetTaskDoneInBytesResult): WriteTaskDoneResult {
  return result.ok ? { ok: true, changed: result.changed, line: result.line } : result;
}

/**
 * What the locator reads: the decoded text (offsets in UTF-16 units) or the file's bytes (offsets in bytes).
 * Every search is for ASCII (ids, newlines, fence markers), which UTF-8 never hides inside a multi-byte
 * character, so both give the same lines.
 */
interface Source {
  readonly length: number;
  /** 1 for a string starting with U+FEFF, 3 for bytes starting with EF BB BF. */
  readonly bomLength: number;
  indexOf(needle: string, from?: number): number;
  codeAt(index: number): number;
  text(start: number, end: number): string;
}

function stringSource(text: string): Source {
  return {
    length: text.length,
    bomLength: text.charCodeAt(0) === 0xfeff ? 1 : 0,
    indexOf: (needle, from) => text.indexOf(needle, from),
    codeAt: (index) => text.charCodeAt(index),
    text: (start, end) => text.slice(start, end),
  };
}

function bytesSource(bytes: Buffer): Source {
  return {
    length: bytes.length,
    bomLength: bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0,
    // A one-character needle goes in as its byte: a string needle is encoded again on every call, and
    // counting lines calls this once per line.
    indexOf: (needle, from) => bytes.indexOf(needle.length === 1 ? needle.charCodeAt(0) : needle, from),
    codeAt: (index) => bytes[index] ?? Number.NaN,
    text: (start, end) => bytes.toString('utf8', start, end),
  };
}

type Located =
  | { readonly ok: true; readonly candidate: Candidate }
  | { readonly ok: false; readonly code: TaskWriteRefusal; readonly reason: string };

function locateTask(text: Source, ref: TaskRef): Located {
  const candidates = findTaskLines(text, ref.id);
  if (candidates.length === 0)
    return { ok: false, code: 'not-found', reason: `Task ${ref.id} is no longer in the file.` };
  const same = candidates.filter((c) => c.identity === ref.lineText);
  if (same.length === 1 && same[0] !== undefined) return { ok: true, candidate: same[0] };
  if (same.length > 1) {
    const atLine = same.filter((c) => c.line === ref.line);
    if (atLine.length === 1 && atLine[0] !== undefined) return { ok: true, candidate: atLine[0] };
    return {
      ok: false,
      code: 'ambiguous',
      reason: `Task ${ref.id} now appears ${same.length} times with the same text (lines ${same.map((c) => c.line + 1).join(', ')}); not guessing which one to tick.`,
    };
  }
  const now = candidates.map((c) => `line ${c.line + 1}: "${c.identity}"`).join('; ');
  return {
    ok: false,
    code: 'changed',
    reason: `Task ${ref.id} was edited since it was read (was "${ref.lineText}", now ${now}); not overwriting the change.`,
  };
}

/**
 * Task lines with this id outside fences and HTML comments. Finds the id with `indexOf` and checks only those
 * lines, so ticking in a 10,000-task file does not pay for a full parse; fences and comments are found the way
 * the parser finds them, and lines end where the parser's do (`\n`, `\r\n` or a lone `\r`).
 */
function findTaskLines(text: Source, id: string): Candidate[] {
  const hidden = hiddenIntervals(text);
  const out: Candidate[] = [];
  let lastLineStart = -1;
  for (let at = text.indexOf(id); at >= 0; at = text.indexOf(id, at + id.length)) {
    const lineStart = lineStartAt(text, at);
    if (lineStart === lastLineStart) continue;
    lastLineStart = lineStart;
    if (isInside(hidden, lineStart)) continue;
    const line = text.text(lineStart, lineEndAt(text, at));
    const checkbox = matchCheckboxLine(line);
    if (checkbox === undefined || line.trimStart().startsWith('|')) continue;
    if (matchTaskHead(line, checkbox.contentStart)?.id !== id) continue;
    out.push({
      line: countLines(text, lineStart),
      offset: lineStart + checkbox.bracketStart + 1,
      mark: checkbox.mark,
      identity: taskLineIdentity(line, checkbox),
    });
  }
  return out;
}

/** Where the line holding `at` starts (after its BOM on the first line). */
function lineStartAt(text: Source, at: number): number {
  let k = at;
  while (k > text.bomLength) {
    const c = text.codeAt(k - 1);
    if (c === 10 || c === 13) break;
    k -= 1;
  }
  return k;
}

/** Where the line holding `at` ends, before its line break. */
function lineEndAt(text: Source, at: number): number {
  let k = at;
  while (k < text.length) {
    const c = text.codeAt(k);
    if (c === 10 || c === 13) break;
    k += 1;
  }
  return k;
}

/**
 * [start, end] offsets of fenced regions and HTML comments (their first and last lines included), in order:
 * the lines the parser never reads tasks from. The markers are walked in document order, as the parser walks
 * lines, so a fence inside a comment and a comment inside a fence are text.
 */
function hiddenIntervals(text: Source): [number, number][] {
  const markers: number[] = [];
  for (const token of ['```', '~~~', '<!--']) {
    for (let at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + token.length)) {
      const lineStart = lineStartAt(text, at);
      if (text.text(lineStart, at).trim() !== '') continue;
      markers.push(lineStart);
    }
  }
  markers.sort((a, b) => a - b);
  const intervals: [number, number][] = [];
  let open: { fence: FenceMarker; start: number } | undefined;
  let hiddenUpTo = -1;
  let previous = -1;
  for (const lineStart of markers) {
    if (lineStart <= hiddenUpTo || lineStart === previous) continue;
    previous = lineStart;
    const lineEnd = lineEndAt(text, lineStart);
    const line = text.text(lineStart, lineEnd);
    if (open !== undefined) {
      if (closesFence(open.fence, line)) {
        intervals.push([open.start, lineEnd]);
        hiddenUpTo = lineEnd;
        open = undefined;
      }
      continue;
    }
    const commentAt = htmlCommentStart(line);
    if (commentAt >= 0) {
      const close = text.indexOf('-->', lineStart + commentAt + 4);
      const end = close < 0 ? text.length : lineEndAt(text, close);
      intervals.push([lineStart, end]);
      hiddenUpTo = end;
      continue;
    }
    const fence = matchFence(line);
    if (fence !== undefined) open = { fence, start: lineStart };
  }
  if (open !== undefined) intervals.push([open.start, text.length]);
  return intervals;
}

function isInside(intervals: readonly [number, number][], offset: number): boolean {
  let low = 0;
  let high = intervals.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const interval = intervals[mid];
    if (interval === undefined) return false;
    if (offset < interval[0]) high = mid - 1;
    else if (offset > interval[1]) low = mid + 1;
    else return true;
  }
  return false;
}

/** Line breaks before `upTo`: each `\n`, and each `\r` not followed by one. */
function countLines(text: Source, upTo: number): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at >= 0 && at < upTo; at = text.indexOf('\n', at + 1)) n += 1;
  for (let at = text.indexOf('\r'); at >= 0 && at < upTo; at = text.indexOf('\r', at + 1))
    if (text.codeAt(at + 1) !== 10) n += 1;
  return n;
}
