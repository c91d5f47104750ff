/**
 * Reads the dependency prose spec-kit files are full of: "T022 depends on T014", "T014 blocks T022",
 * "Tests (T006-T013) before implementation (T014-T034)", "T010 → T011 → T012", and a task's own
 * "after T005", "(requires T003)", "**Dependencies**: T001, T002". One pass over the line, no backtracking regex.
 */

import type { TaskIdRef } from './tasks-model';

export type RawIdRef =
  | { readonly kind: 'id'; readonly id: string; readonly start: number; readonly end: number }
  | { readonly kind: 'range'; readonly from: string; readonly to: string; readonly start: number; readonly end: number }
  | { readonly kind: 'open-range'; readonly from: string; readonly start: number; readonly end: number };

/** A reference found in one line (`start`/`end` are characters of that line), with the line it was found on. */
export interface LineIdRef {
  readonly ref: RawIdRef;
  readonly line: number;
}

/** The model's form of a reference: its line and characters as a range. */
export function taskIdRefAt(ref: RawIdRef, line: number): TaskIdRef {
  const range = { start: { line, character: ref.start }, end: { line, character: ref.end } };
  switch (ref.kind) {
    case 'id':
      return { kind: 'id', id: ref.id, range };
    case 'range':
      return { kind: 'range', from: ref.from, to: ref.to, range };
    case 'open-range':
      return { kind: 'open-range', from: ref.from, range };
    default: {
      const never: never = ref;
      return never;
    }
  }
}

// An id, then optionally a range end (`-T013`, `–T013`, ` to T013`, ` through T013`) or an open end (`+`).
// `T1.1` names no id (see `scanTaskId`), so it is no reference to `T1` either.
const ID_REF =
  /\bT(\d{1,6})([A-Za-z]?)\b(?!\.\d)(?:(\s*(?:[-–—]|\.\.|to|through|thru)\s*)T(\d{1,6})([A-Za-z]?)\b(?!\.\d)|\+)?/g;

export function findTaskIdRefs(text: string): RawIdRef[] {
  const refs: RawIdRef[] = [];
  if (!/T\d/.test(text)) return refs;
  ID_REF.lastIndex = 0;
  for (let m = ID_REF.exec(text); m !== null; m = ID_REF.exec(text)) {
    const from = `T${m[1] ?? ''}${m[2] ?? ''}`;
    const start = m.index;
    const end = m.index + m[0].length;
    if (m[4] !== undefined) refs.push({ kind: 'range', from, to: `T${m[4]}${m[5] ?? ''}`, start, end });
    else if (m[0].endsWith('+')) refs.push({ kind: 'open-range', from, start, end });
    else refs.push({ kind: 'id', id: from, start, end });
  }
  return refs;
}

/** Direction of a keyword: `waits` = the left side waits for the right; `precedes` = the right waits for the left. */
type Direction = 'waits' | 'precedes';

interface Keyword {
  readonly direction: Direction;
  readonly start: number;
  readonly end: number;
}

// Order matters only where one phrase contains another ("required by" before "requires").
const KEYWORDS =
  /\b(depends?\s+on|dependent\s+on|blocked\s+by|required\s+by|requires|needs|waits?\s+for|after|blocks|before|prerequisite\s+(?:for|of))\b|(→|->|=>|⟶|⇒)/gi;
const BOUNDARY = /[;|]|\.(?:\s|$)|。/g;

function directionOf(word: string): Direction {
  const w = word.toLowerCase();
  if (w === 'blocks' || w === 'before' || w.startsWith('required') || w.startsWith('prerequisite')) return 'precedes';
  if (w === '→' || w === '->' || w === '=>' || w === '⟶' || w === '⇒') return 'precedes';
  return 'waits';
}

function findKeywords(text: string): Keyword[] {
  const found: Keyword[] = [];
  KEYWORDS.lastIndex = 0;
  for (let m = KEYWORDS.exec(text); m !== null; m = KEYWORDS.exec(text)) {
    found.push({ direction: directionOf(m[0]), start: m.index, end: m.index + m[0].length });
  }
  return found;
}

function findBoundaries(text: string): number[] {
  const found: number[] = [];
  BOUNDARY.lastIndex = 0;
  for (let m = BOUNDARY.exec(text); m !== null; m = BOUNDARY.exec(text)) found.push(m.index);
  return found;
}

export interface RawDependencyStatement {
  readonly before: readonly RawIdRef[];
  readonly after: readonly RawIdRef[];
}

/**
 * The dependency statements of one prose line. Each keyword splits its clause into a left and a right side; a
 * statement needs ids on both sides, so "Setup (T001-T005) before everything" says nothing we can schedule.
 */
export function findDependencyStatements(text: string): RawDependencyStatement[] {
  const refs = findTaskIdRefs(text);
  if (refs.length < 2) return [];
  const keywords = findKeywords(text);
  if (keywords.length === 0) return [];
  const cuts = [
    ...findBoundaries(text).map((at) => ({ at, keyword: undefined })),
    ...keywords.map((k) => ({ at: k.start, keyword: k })),
  ].sort((a, b) => a.at - b.at);
  const statements: RawDependencyStatement[] = [];
  for (let c = 0; c < cuts.length; c += 1) {
    const keyword = cuts[c]?.keyword;
    if (keyword === undefined) continue;
    const leftStart = c > 0 ? (cuts[c - 1]?.at ?? 0) : 0;
    const rightEnd = c + 1 < cuts.length ? (cuts[c + 1]?.at ?? text.length) : text.length;
    const left = refs.filter((r) => r.start >= leftStart && r.end <= keyword.start);
    const right = refs.filter((r) => r.start >= keyword.end && r.end <= rightEnd);
    if (left.length === 0 || right.length === 0) continue;
    statements.push(keyword.direction === 'precedes' ? { before: left, after: right } : { before: right, after: left });
  }
  return statements;
}

// A task's own text: a "waits" keyword, or a field label like `**Dependencies**:` / `Depends:` / `Prerequisites:`.
const OWN_DEPENDENCY_LABEL = /\b(?:dependenc(?:y|ies)|depends|prerequisites?|blocked\s+on)\b\**\s*:/gi;

/** Ids a task's own text says it waits for ("after T005", "depends on T012, T013", "**Dependencies**: T001"). */
export function findOwnDependencyRefs(text: string): RawIdRef[] {
  const refs = findTaskIdRefs(text);
  if (refs.length === 0) return [];
  const starts: { start: number; end: number }[] = findKeywords(text).filter((k) => k.direction === 'waits');
  OWN_DEPENDENCY_LABEL.lastIndex = 0;
  for (let m = OWN_DEPENDENCY_LABEL.exec(text); m !== null; m = OWN_DEPENDENCY_LABEL.exec(text)) {
    starts.push({ start: m.index, end: m.index + m[0].length });
  }
  if (starts.length === 0) return [];
  const stops = [...findBoundaries(text), ...findKeywords(text).map((k) => k.start)].sort((a, b) => a - b);
  const picked: RawIdRef[] = [];
  for (const s of starts) {
    const stop = stops.find((at) => at >= s.end) ?? text.length;
    for (const r of refs) if (r.start >= s.end && r.end <= stop && !picked.includes(r)) picked.push(r);
  }
  return picked.sort((a, b) => a.start - b.start);
}

/** Task ids compared as spec-kit numbers them: by number, then by suffix (`T046` < `T046A` < `T046B` < `T047`). */
export interface ParsedTaskId {
  readonly num: number;
  readonly suffix: string;
}

export function parseTaskId(id: string): ParsedTaskId {
  const num = taskIdNumber(id);
  const last = id.charCodeAt(id.length - 1);
  const hasSuffix = !Number.isNaN(num) && !(last >= 48 && last <= 57);
  return { num, suffix: hasSuffix ? id.charAt(id.length - 1).toUpperCase() : '' };
}

export function compareTaskIds(a: ParsedTaskId, b: ParsedTaskId): number {
  if (a.num !== b.num) return a.num - b.num;
  return a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : 0;
}

/** The number of a task id (`T046B` → 46), NaN when it is not one; by hand, since it runs for every task. */
function taskIdNumber(id: string): number {
  if (id.charCodeAt(0) !== 84) return Number.NaN; // T
  let num = 0;
  let k = 1;
  for (; k < id.length; k += 1) {
    const c = id.charCodeAt(k);
    if (c < 48 || c > 57) break;
    num = num * 10 + (c - 48);
  }
  if (k === 1 || k < id.length - 1) return Number.NaN;
  if (k === id.length - 1 && !/[A-Za-z]/.test(id.charAt(k))) return Number.NaN;
  return num;
}

// The parser and the graph both need the index of one document's ids: build it once per task list.
const indexCache = new WeakMap<readonly { readonly id: string }[], TaskIdIndex>();

export function taskIdIndexOf(tasks: readonly { readonly id: string }[]): TaskIdIndex {
  let index = indexCache.get(tasks);
  if (index === undefined) {
    index = new TaskIdIndex(tasks.map((t) => t.id));
    indexCache.set(tasks, index);
  }
  return index;
}

/** Lookup of the ids present in a document, to expand ranges to the ids that exist. */
export class TaskIdIndex {
  /** The ids of each number: nearly always one (`T046`), so a list only where suffixes share it (`T046A`, `T046B`). */
  private readonly byNumber = new Map<number, string | string[]>();
  private readonly present = new Set<string>();
  private maxNumber = -1;

  constructor(ids: Iterable<string>) {
    for (const id of ids) {
      if (this.present.has(id)) continue;
      this.present.add(id);
      const num = taskIdNumber(id);
      if (Number.isNaN(num)) continue;
      const known = this.byNumber.get(num);
      if (known === undefined) this.byNumber.set(num, id);
      else if (typeof known === 'string') this.byNumber.set(num, [known, id]);
      else known.push(id);
      if (num > this.maxNumber) this.maxNumber = num;
    }
  }

  has(id: string): boolean {
    return this.present.has(id);
  }

  /** The existing ids a reference covers, in id order. */
  expand(
    ref:
      | RawIdRef
      | { kind: 'id'; id: string }
      | { kind: 'range'; from: string; to: string }
      | { kind: 'open-range'; from: string },
  ): string[] {
    switch (ref.kind) {
      case 'id':
        return this.present.has(ref.id) ? [ref.id] : [];
      case 'range':
        return this.between(parseTaskId(ref.from), parseTaskId(ref.to));
      case 'open-range':
        return this.between(parseTaskId(ref.from), { num: this.maxNumber, suffix: '\uffff' });
      default: {
        const never: never = ref;
        return never;
      }
    }
  }

  private between(low: ParsedTaskId, high: ParsedTaskId): string[] {
    const out: string[] = [];
    if (Number.isNaN(low.num) || Number.isNaN(high.num) || low.num > high.num) return out;
    const top = Math.min(high.num, this.maxNumber);
    for (let n = low.num; n <= top; n += 1) {
      const ids = this.byNumber.get(n);
      if (ids === undefined) continue;
      if (typeof ids === 'string') pushBetween(out, ids, low, high);
      else for (const id of ids) pushBetween(out, id, low, high);
    }
    return out.sort((a, b) => compareTaskIds(parseTaskId(a), parseTaskId(b)));
  }
}

function pushBetween(out: string[], id: string, low: ParsedTaskId, high: ParsedTaskId): void {
  const p = parseTaskId(id);
  if (compareTaskIds(p, low) >= 0 && compareTaskIds(p, high) <= 0) out.push(id);
}
