import type { Task, TasksDocument } from './tasks-model';

// The parser, the graph, its explicit edges and the faces all look tasks up by key: one map per document, the one
// the parser builds as it reads (a document built otherwise gets its map on first use).
const maps = new WeakMap<TasksDocument, ReadonlyMap<string, Task>>();

/** Hands the parser's map of the document's tasks by key to every later `tasksByKey(doc)`. */
export function keepTasksByKey(doc: TasksDocument, byKey: ReadonlyMap<string, Task>): void {
  maps.set(doc, byKey);
}

/** The document's tasks by key; the first task with an id has the id as its key (`T012`, then `T012#2`). */
export function tasksByKey(doc: TasksDocument): ReadonlyMap<string, Task> {
  let byKey = maps.get(doc);
  if (byKey === undefined) {
    byKey = new Map(doc.tasks.map((task) => [task.key, task]));
    maps.set(doc, byKey);
  }
  return byKey;
}
