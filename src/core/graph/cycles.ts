/**
 * Cycles, reported and broken so the graph stays usable. Only the author's own edges can form a real cycle ("T001
 * after T003" and "T003 after T001"): that is an error, reported once, on the reference that closes it, and its
 * explicit edges are ignored. Implied order yields to the author's: where an implied edge would close a cycle
 * with explicit ones, the implied edge goes, silently.
 */
import type { TaskIdIndex } from '../speckit/task-ids';
import type { Range, Task, TaskIdRef, TasksDocument } from '../speckit/tasks-model';
import { topologicalOrder, wire, type EdgeReason, type GraphEdge, type Wiring } from './graph-builder';
import { taskIdRange } from '../speckit/task-ranges';

export interface TaskCycle {
  /** Keys in order, each finishing before the next, from the cycle's earliest task; the first is repeated at the end. */
  readonly keys: readonly string[];
  readonly message: string;
  /**
   * The reference that closes the cycle: walking `keys` from the earliest task, the last step leads back to it, so
   * the earliest task waits for a task written after it. That wait is written as an id (or id range) in the
   * earliest task's own text, else in a dependency statement; `range` is that id's text.
   */
  readonly range: Range;
  /** The task whose own text holds the closing reference; absent when a dependency statement holds it. */
  readonly taskKey?: string;
}

/** Finds the cycles of a graph of explicit edges, reports each, and says which edges to drop to break them. */
export function breakExplicitCycles(
  doc: TasksDocument,
  ids: TaskIdIndex,
  wiring: Wiring,
): { cycles: TaskCycle[]; removed: Set<GraphEdge> } {
  const cycles: TaskCycle[] = [];
  const removed = new Set<GraphEdge>();
  for (const component of stronglyConnected(wiring)) {
    if (component.length < 2) continue;
    const members = new Set(component);
    cycles.push(describeCycle(doc, ids, findCycle(component, members, wiring)));
    for (const node of component)
      for (const edge of wiring.waitedBy[node] ?? [])
        if (edge.reason === 'explicit' && members.has(edge.to)) removed.add(edge);
  }
  return { cycles, removed };
}

/**
 * The implied edges to drop so the whole graph has no cycle. The author's explicit edges are acyclic by now and
 * every implied edge but a story wait follows an order that keeps them, so a cycle can only run through a story
 * wait the file's prose implied ("US2 after US1") against the author's own edges: those waits go. Should
 * anything else be left, the other implied edges of the cycle go too. Empty when the graph has no cycle.
 */
export function impliedEdgesInCycles(wiring: Wiring): Set<GraphEdge> {
  const removed = new Set<GraphEdge>();
  const tiers: (readonly EdgeReason[] | undefined)[] = [['story-order'], undefined];
  for (const reasons of tiers) {
    const current =
      removed.size === 0
        ? wiring
        : wire(
            wiring.nodes,
            wiring.waitsFor.flat().filter((e) => !removed.has(e)),
          );
    if (topologicalOrder(current).length === current.nodes.length) break;
    for (const component of stronglyConnected(current)) {
      if (component.length < 2) continue;
      const members = new Set(component);
      for (const node of component)
        for (const edge of current.waitedBy[node] ?? [])
          if (
            edge.reason !== 'explicit' &&
            members.has(edge.to) &&
            (reasons === undefined || reasons.includes(edge.reason))
          )
            removed.add(edge);
    }
  }
  return removed;
}

function describeCycle(doc: TasksDocument, ids: TaskIdIndex, cycleNodes: readonly number[]): TaskCycle {
  const cycleTasks = cycleNodes.flatMap((node) => doc.tasks[node] ?? []);
  const earliest = cycleTasks[0];
  const last = cycleTasks.at(-1);
  // `findCycle` starts at the earliest task, so the last step (back to it) runs against document order.
  const reference =
    earliest === undefined || last === undefined ? undefined : closingReference(doc, ids, earliest, last);
  const names = [...cycleTasks.map((task) => task.id), earliest?.id ?? '?'];
  return {
    keys: [...cycleTasks.map((task) => task.key), earliest?.key ?? '?'],
    message:
      `Dependency cycle: ${names.join(' → ')} (each must finish before the next)` +
      `${reference === undefined ? '' : `, closed by ${reference.text}`}; the explicit dependencies in it are ignored for scheduling.`,
    range:
      reference?.range ??
      (earliest === undefined
        ? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }
        : taskIdRange(earliest)),
    ...(reference?.taskKey === undefined ? {} : { taskKey: reference.taskKey }),
  };
}

/** Where `waiting` is told to wait for `waitedFor`: the reference in its own text, else in a dependency statement. */
interface ClosingReference {
  readonly range: Range;
  readonly taskKey?: string;
  /** How the message quotes it. */
  readonly text: string;
}

function closingReference(doc: TasksDocument, ids: TaskIdIndex, waiting: Task, waitedFor: Task): ClosingReference {
  const covering = (refs: readonly TaskIdRef[], id: string): TaskIdRef | undefined =>
    refs.find((ref) => ids.expand(ref).includes(id));
  const own = covering(waiting.dependencyRefs, waitedFor.id);
  if (own !== undefined)
    return { range: own.range, taskKey: waiting.key, text: `${waiting.id} waiting for ${waitedFor.id}` };
  for (const statement of doc.dependencyStatements) {
    if (covering(statement.after, waiting.id) === undefined) continue;
    const ref = covering(statement.before, waitedFor.id);
    if (ref !== undefined)
      return {
        range: ref.range,
        text: `"${statement.text}"`,
        ...(statement.taskKey === undefined ? {} : { taskKey: statement.taskKey }),
      };
  }
  return { range: taskIdRange(waiting), taskKey: waiting.key, text: `${waiting.id} waiting for ${waitedFor.id}` };
}

/** Strongly connected components (Tarjan's, iterative: a 10,000-task file must not blow the stack). */
function stronglyConnected(wiring: Wiring): number[][] {
  const count = wiring.nodes.length;
  const order = new Array<number>(count).fill(-1);
  const low = new Array<number>(count).fill(0);
  const onStack = new Array<boolean>(count).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let next = 0;
  const visit = (node: number): { node: number; edge: number } => {
    order[node] = next;
    low[node] = next;
    next += 1;
    stack.push(node);
    onStack[node] = true;
    return { node, edge: 0 };
  };
  for (let root = 0; root < count; root += 1) {
    if (order[root] !== -1) continue;
    const work = [visit(root)];
    for (let frame = work.at(-1); frame !== undefined; frame = work.at(-1)) {
      const out = wiring.waitedBy[frame.node] ?? [];
      const edge = out[frame.edge];
      if (edge !== undefined) {
        frame.edge += 1;
        if (order[edge.to] === -1) work.push(visit(edge.to));
        else if (onStack[edge.to] === true) low[frame.node] = Math.min(low[frame.node] ?? 0, order[edge.to] ?? 0);
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent !== undefined) low[parent.node] = Math.min(low[parent.node] ?? 0, low[frame.node] ?? 0);
      if (low[frame.node] === order[frame.node]) components.push(popComponent(stack, onStack, frame.node));
    }
  }
  return components;
}

function popComponent(stack: number[], onStack: boolean[], root: number): number[] {
  const component: number[] = [];
  for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
    onStack[member] = false;
    component.push(member);
    if (member === root) break;
  }
  return component;
}

/** A simple cycle through the component, from its earliest task, by breadth-first search back to it. */
function findCycle(component: readonly number[], members: ReadonlySet<number>, wiring: Wiring): number[] {
  const start = Math.min(...component);
  const parent = new Map<number, number>();
  const queue = [start];
  for (const node of queue) {
    for (const edge of wiring.waitedBy[node] ?? []) {
      if (!members.has(edge.to)) continue;
      if (edge.to === start) {
        const path = [node];
        for (let p = parent.get(node); p !== undefined; p = parent.get(p)) path.push(p);
        return path.reverse();
      }
      if (!parent.has(edge.to)) {
        parent.set(edge.to, node);
        queue.push(edge.to);
      }
    }
  }
  return [start];
}
