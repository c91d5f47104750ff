import type { Task, TasksDocument } from '../speckit/tasks-model';

// The graph, its explicit edges and the faces all look tasks up by key: one map per document.
const maps = new WeakMap<TasksDocument, ReadonlyMap<string, Task>>();

/** The document's tasks by key; the first task with an id has the id as its key (`T012`, then `T012#2`). */
export function tasksByKey(doc: TasksDocument): ReadonlyMap<string, Task> {
  let byKey = maps.get(doc);
  if (byKey === undefined) {
    byKey = new Map(doc.tasks.map((task) => [task.key, task]));
    maps.set(doc, byKey);
  }
  return byKey;
}
