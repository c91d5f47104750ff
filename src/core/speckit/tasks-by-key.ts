import type { Task, TasksDocument } from './tasks-model';

/** How a document's tasks are looked up by key. */
export interface TaskLookup {
  get(key: string): Task | undefined;
}

// A Map of more than 4,096 entries keeps its table as a large object outside the young generation, and every
// key stored into it then pays for the generations' bookkeeping: built for 10,000 tasks, one Map costs twenty
// times what three smaller ones do. So the tasks sit in Maps of at most this many.
const TASKS_PER_MAP = 4096;

/** A document's tasks by key, as the parser meets them. */
export class TasksByKey implements TaskLookup {
  private readonly maps: Map<string, Task>[] = [];

  get(key: string): Task | undefined {
    for (let m = 0; m < this.maps.length; m += 1) {
      const task = this.maps[m]?.get(key);
      if (task !== undefined) return task;
    }
    return undefined;
  }

  set(key: string, task: Task): void {
    const holder = this.mapWith(key);
    if (holder === undefined) this.add(key, task);
    else holder.set(key, task);
  }

  /** Adds a task whose key is not in it yet (the parser makes each key unique), without looking for the key. */
  add(key: string, task: Task): void {
    let last = this.maps.at(-1);
    if (last === undefined || last.size >= TASKS_PER_MAP) {
      last = new Map();
      this.maps.push(last);
    }
    last.set(key, task);
  }

  private mapWith(key: string): Map<string, Task> | undefined {
    return this.maps.find((map) => map.has(key));
  }
}

// The parser, the graph, its explicit edges and the faces all look tasks up by key: one lookup per document, the
// one the parser builds as it reads (a document built otherwise gets its own on first use).
const lookups = new WeakMap<TasksDocument, TaskLookup>();

/** Hands the parser's tasks by key to every later `tasksByKey(doc)`. */
export function keepTasksByKey(doc: TasksDocument, byKey: TaskLookup): void {
  lookups.set(doc, byKey);
}

/** The document's tasks by key; the first task with an id has the id as its key (`T012`, then `T012#2`). */
export function tasksByKey(doc: TasksDocument): TaskLookup {
  let byKey = lookups.get(doc);
  if (byKey === undefined) {
    const built = new TasksByKey();
    for (const task of doc.tasks) built.set(task.key, task);
    byKey = built;
    lookups.set(doc, byKey);
  }
  return byKey;
}
