/**
 * Ticks (or clears) one task's checkbox and changes nothing else: not the line endings, not the BOM, not
 * trailing whitespace. The file-level writer re-reads the file first and refuses rather than clobber a line
 * the user edited since it was parsed.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-write';
import { closesFence, matchCheckboxLine, matchFence, matchTaskHead, taskLineIdentity, type FenceMarker } from './tasks-line';
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
  | { readonly ok: true; readonly text: string; readonly changed: boolean; readonly line: number; readonly offset: number }
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
  const found = locateTask(text, ref);
  if (!found.ok) return found;
  const { candidate } = found;
  const isDone = candidate.mark !== ' ';
  if (isDone === done) return { ok: true, text, changed: false, line: candidate.line, offset: candidate.offset };
  const next = text.slice(0, candidate.offset) + (done ? 'X' : ' ') + text.slice(candidate.offset + 1);
  return { ok: true, text: next, changed: true, line: candidate.line, offset: candidate.offset };
}

/**
 * Re-reads `filePath`, finds the task by id and line text (wherever the line moved to), flips its checkbox and
 * writes the file atomically. Refusals (task gone, line edited, id now ambiguous, unreadable file) are values.
 */
export async function writeTaskDone(filePath: string, ref: TaskRef, done: boolean, signal: AbortSignal): Promise<WriteTaskDoneResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(filePath, { signal });
  } catch (error) {
    if (signal.aborted) throw error;
    return { ok: false, code: 'unreadable', reason: `Cannot read ${filePath}: ${error instanceof Error ? error.message : String(error)}` };
  }
  let text: string;
  try {
    // ignoreBOM keeps a BOM in the string, so offsets map straight back to bytes.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    return { ok: false, code: 'not-utf8', reason: `${filePath} is not valid UTF-8 (${error instanceof Error ? error.message : String(error)}); not touching it.` };
  }
  const result = setTaskDone(text, ref, done);
  if (!result.ok) return result;
  if (!result.changed) return { ok: true, changed: false, line: result.line };
  // Patch the one byte in the original buffer rather than re-encoding: every other byte stays as it was.
  const byteOffset = Buffer.byteLength(text.slice(0, result.offset), 'utf8');
  const out = Buffer.from(bytes);
  out[byteOffset] = done ? 0x58 : 0x20;
  signal.throwIfAborted();
  try {
    await writeFileAtomic(filePath, out);
  } catch (error) {
    throw new TasksWriteError(`Could not write ${filePath}`, { cause: error });
  }
  return { ok: true, changed: true, line: result.line };
}

type Located = { readonly ok: true; readonly candidate: Candidate } | { readonly ok: false; readonly code: TaskWriteRefusal; readonly reason: string };

function locateTask(text: string, ref: TaskRef): Located {
  const candidates = findTaskLines(text, ref.id);
  if (candidates.length === 0) return { ok: false, code: 'not-found', reason: `Task ${ref.id} is no longer in the file.` };
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
 * Task lines with this id outside fences. Finds the id with `indexOf` and checks only those lines, so ticking in
 * a 10,000-task file does not pay for a full parse; fences are found the same way the parser finds them.
 */
function findTaskLines(text: string, id: string): Candidate[] {
  const bomLength = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fenced = fencedIntervals(text, bomLength);
  const out: Candidate[] = [];
  let lastLineStart = -1;
  for (let at = text.indexOf(id); at >= 0; at = text.indexOf(id, at + id.length)) {
    const lineStart = Math.max(bomLength, text.lastIndexOf('\n', at) + 1);
    if (lineStart === lastLineStart) continue;
    lastLineStart = lineStart;
    if (isInside(fenced, lineStart)) continue;
    let lineEnd = text.indexOf('\n', at);
    if (lineEnd < 0) lineEnd = text.length;
    if (lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === 13) lineEnd -= 1;
    const line = text.slice(lineStart, lineEnd);
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

/** [start, end) offsets of fenced regions (fence lines included), in order. */
function fencedIntervals(text: string, bomLength: number): [number, number][] {
  const markers: number[] = [];
  for (const token of ['```', '~~~']) {
    for (let at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + 3)) {
      const lineStart = Math.max(bomLength, text.lastIndexOf('\n', at) + 1);
      if (text.slice(lineStart, at).trim() !== '') continue;
      if (markers[markers.length - 1] !== lineStart) markers.push(lineStart);
    }
  }
  markers.sort((a, b) => a - b);
  const intervals: [number, number][] = [];
  let open: { fence: FenceMarker; start: number } | undefined;
  let previous = -1;
  for (const lineStart of markers) {
    if (lineStart === previous) continue;
    previous = lineStart;
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    if (open === undefined) {
      const fence = matchFence(line);
      if (fence !== undefined) open = { fence, start: lineStart };
    } else if (closesFence(open.fence, line)) {
      intervals.push([open.start, lineEnd]);
      open = undefined;
    }
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

function countLines(text: string, upTo: number): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at >= 0 && at < upTo; at = text.indexOf('\n', at + 1)) n += 1;
  return n;
}
