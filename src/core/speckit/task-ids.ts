/**
 * The one task-id grammar, shared by the parser, the prose reader, the writer and the language server.
 *
 * An id is `T`, 1–6 digits, any number of dotted sub-numbers and one optional letter: `T001`, `T46B`, `T007b`,
 * `T109.1`, `T109.14`, `T109.1a`. Sub-numbered ids are sub-tasks of their parent and sort right after it
 * (`T109` < `T109.1` < `T109.2` < `T109.14` < `T110`); a letter sorts after the bare id (`T046` < `T046A`).
 */
import { matchesOf } from './pattern-matches';

/** The id pattern without anchors, for building larger patterns. */
export const TASK_ID_PATTERN = String.raw`T\d{1,6}(?:\.\d{1,4})*[A-Za-z]?`;

/**
 * The end of an id: no word character may follow, nor a `.` that continues a word (`T012.md` is a file name,
 * `T1.12345` no id). A sentence's full stop (`after T010.`) is fine.
 */
export const TASK_ID_END = String.raw`(?![\w]|\.\w)`;

const WHOLE_ID = new RegExp(String.raw`^T(\d{1,6})((?:\.\d{1,4})*)([A-Za-z]?)$`);
const ID_AT = new RegExp(String.raw`${TASK_ID_PATTERN}${TASK_ID_END}`, 'y');
const IDS_IN_TEXT = new RegExp(String.raw`(?<![\w.])${TASK_ID_PATTERN}${TASK_ID_END}`, 'g');

export interface TaskIdParts {
  readonly number: number;
  /** The dotted sub-numbers: `[1]` for `T109.1`, empty for `T109`. */
  readonly sub: readonly number[];
  /** The letter, upper-cased (`B` for `T46b`), or empty. */
  readonly suffix: string;
}

const NO_SUB_NUMBERS: readonly number[] = [];

/** The parts of a whole id, or undefined when `id` is not one. */
export function parseTaskId(id: string): TaskIdParts | undefined {
  const m = WHOLE_ID.exec(id);
  if (m === null) return undefined;
  const dotted = m[2] ?? '';
  return {
    number: Number(m[1]),
    sub: dotted === '' ? NO_SUB_NUMBERS : dotted.slice(1).split('.').map(Number),
    suffix: (m[3] ?? '').toUpperCase(),
  };
}

/** The end index of an id starting at `at` in `text`, or -1 when no id starts there. */
export function taskIdEndAt(text: string, at: number): number {
  ID_AT.lastIndex = at;
  return ID_AT.test(text) ? ID_AT.lastIndex : -1;
}

export interface TaskIdToken {
  readonly id: string;
  readonly start: number;
  readonly end: number;
}

/** Every id in a line of prose, in order; ids inside words or file names (`P3-T012.md`) are not ids. */
export function taskIdTokens(text: string): TaskIdToken[] {
  const tokens: TaskIdToken[] = [];
  for (const m of matchesOf(IDS_IN_TEXT, text)) tokens.push({ id: m[0], start: m.index, end: m.index + m[0].length });
  return tokens;
}

/** Orders ids as spec-kit numbers them: by number, then sub-numbers (a parent first), then letter. */
export function compareTaskIdParts(a: TaskIdParts, b: TaskIdParts): number {
  if (a.number !== b.number) return a.number - b.number;
  const shared = Math.min(a.sub.length, b.sub.length);
  for (let k = 0; k < shared; k += 1) {
    const difference = (a.sub[k] ?? 0) - (b.sub[k] ?? 0);
    if (difference !== 0) return difference;
  }
  if (a.sub.length !== b.sub.length) return a.sub.length - b.sub.length;
  return a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : 0;
}

/** `compareTaskIdParts` on id strings; anything that is not an id sorts after every id. */
export function compareTaskIds(a: string, b: string): number {
  const left = parseTaskId(a);
  const right = parseTaskId(b);
  if (left === undefined || right === undefined) return Number(left === undefined) - Number(right === undefined);
  return compareTaskIdParts(left, right);
}

/** What a reference in prose names: one id, an inclusive range (`T006-T013`) or an open one (`T016+`). */
export type TaskIdTarget =
  | { readonly kind: 'id'; readonly id: string }
  | { readonly kind: 'range'; readonly from: string; readonly to: string }
  | { readonly kind: 'open-range'; readonly from: string };

/** A task as the index needs it: its id, and its key and index in its document. */
export interface IndexedTask {
  readonly id: string;
  readonly key: string;
  readonly index: number;
}

/** A document's tasks by key. */
export interface IndexedTaskLookup {
  get(key: string): IndexedTask | undefined;
}

/** The ids of one document, sorted, so a range expands to the ids that exist between its ends. */
export class TaskIdIndex {
  /** Each id once, in id order. */
  private readonly sorted: readonly string[];
  /** The ids came in id order (a document's, nearly always): nothing was sorted and no id goes backwards. */
  readonly cameInOrder: boolean;

  /**
   * `ids`: each id once, in the order given, with `parts` (index for index); `partsOf`: the parts of each of them,
   * undefined for anything else.
   */
  private constructor(
    ids: readonly string[],
    parts: readonly TaskIdParts[],
    private readonly partsOf: (id: string) => TaskIdParts | undefined,
  ) {
    this.cameInOrder = partsInOrder(parts);
    this.sorted = this.cameInOrder ? ids : [...ids].sort((a, b) => this.compare(a, b));
  }

  /** Any ids; repeats and text that is no id are left out. */
  static of(ids: Iterable<string>): TaskIdIndex {
    const table = new Map<string, TaskIdParts>();
    for (const id of ids) {
      if (table.has(id)) continue;
      const parts = parseTaskId(id);
      if (parts !== undefined) table.set(id, parts);
    }
    return new TaskIdIndex([...table.keys()], [...table.values()], (id) => table.get(id));
  }

  /**
   * A document's task ids, each found through `byKey`, the document's map of tasks by key (the first task of an
   * id has the id as its key), rather than a table of its own: past a few thousand entries a table costs more to
   * build than the rest of the index. `partsByTask`: the parts of each task's id, index for index, undefined for a
   * later task of the same id (the parser has them already).
   */
  static ofTasks(
    tasks: readonly IndexedTask[],
    byKey: IndexedTaskLookup,
    partsByTask: readonly (TaskIdParts | undefined)[] = tasks.map(partsOfFirstOfId),
  ): TaskIdIndex {
    const ids: string[] = [];
    const parts: TaskIdParts[] = [];
    tasks.forEach((task) => {
      const own = partsByTask[task.index];
      if (own === undefined) return;
      ids.push(task.id);
      parts.push(own);
    });
    return new TaskIdIndex(ids, parts, (id) => {
      const task = byKey.get(id);
      return task === undefined ? undefined : partsByTask[task.index];
    });
  }

  has(id: string): boolean {
    return this.partsOf(id) !== undefined;
  }

  /** `compareTaskIds` for ids of this document, without parsing them again. */
  compare(a: string, b: string): number {
    const left = this.partsOf(a);
    const right = this.partsOf(b);
    return left === undefined || right === undefined ? compareTaskIds(a, b) : compareTaskIdParts(left, right);
  }

  /** The existing ids a reference covers, in id order. */
  expand(target: TaskIdTarget): string[] {
    switch (target.kind) {
      case 'id':
        return this.has(target.id) ? [target.id] : [];
      case 'range':
        return this.between(target.from, target.to);
      case 'open-range':
        return this.between(target.from, undefined);
      default: {
        const never: never = target;
        return never;
      }
    }
  }

  private between(from: string, to: string | undefined): string[] {
    const low = parseTaskId(from);
    const high = to === undefined ? undefined : parseTaskId(to);
    if (low === undefined || (to !== undefined && high === undefined)) return [];
    const ids: string[] = [];
    for (let k = this.firstNotBefore(low); k < this.sorted.length; k += 1) {
      const id = this.sorted[k];
      if (id === undefined || (high !== undefined && this.compareTo(id, high) > 0)) break;
      ids.push(id);
    }
    return ids;
  }

  /** Binary search: the index of the first id at or after `parts`. */
  private firstNotBefore(parts: TaskIdParts): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const id = this.sorted[middle];
      if (id !== undefined && this.compareTo(id, parts) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** An id of this document against parts read from a reference. */
  private compareTo(id: string, parts: TaskIdParts): number {
    const own = this.partsOf(id);
    return own === undefined ? 1 : compareTaskIdParts(own, parts);
  }
}

function partsOfFirstOfId(task: IndexedTask): TaskIdParts | undefined {
  return task.key === task.id ? parseTaskId(task.id) : undefined;
}

function partsInOrder(parts: readonly TaskIdParts[]): boolean {
  return parts.every((own, k) => k === 0 || compareTaskIdParts(parts[k - 1] as TaskIdParts, own) <= 0);
}

// The parser and the graph both need the index of one document's ids: built once per task list.
const indexes = new WeakMap<readonly IndexedTask[], TaskIdIndex>();

/** The index of a document's task ids; `byKey` is the document's map of its tasks by key; see `ofTasks`. */
export function taskIdIndexOf(
  tasks: readonly IndexedTask[],
  byKey: IndexedTaskLookup,
  partsByTask?: readonly (TaskIdParts | undefined)[],
): TaskIdIndex {
  let index = indexes.get(tasks);
  if (index === undefined) {
    index = TaskIdIndex.ofTasks(tasks, byKey, partsByTask);
    indexes.set(tasks, index);
  }
  return index;
}
