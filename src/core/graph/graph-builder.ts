/**
 * The nodes and edges a task graph is built from. Tasks are nodes 0…n-1 (their index in the document); hubs
 * (one node standing for a large "these before those" statement) and gates (where a phase or a story starts
 * and ends) follow. Edges are plain records; a node's edges are listed once the graph is complete.
 */
import type { Task } from '../speckit/tasks-model';

/**
 * Why one task waits for another. `explicit`: the author said so. The rest are implied by the file's shape and
 * yield to the author's word: phase order, the sequence of a list, two tasks on one file, tests before the
 * implementation of their story, and one story after another where the file says so.
 */
export type EdgeReason = 'phase-order' | 'sequence' | 'same-file' | 'tests-first' | 'story-order' | 'explicit';

export type NodeKind = 'task' | 'hub' | 'gate';

export interface GraphNode {
  readonly id: number;
  readonly kind: NodeKind;
  /** The task, for a task node. */
  readonly task: Task | undefined;
  /** Where the node sorts when the graph leaves a choice: document order, tests hoisted, the author's order kept. */
  position: number;
}

export interface GraphEdge {
  /** Finishes first. */
  readonly from: number;
  /** Waits for `from`. */
  readonly to: number;
  readonly reason: EdgeReason;
}

export class GraphBuilder {
  readonly nodes: GraphNode[];
  private edges: GraphEdge[] = [];
  /** Explicit edges already added (`pairKey`): statements and task text often say the same thing twice. */
  private readonly explicitPairs = new Set<number>();

  constructor(tasks: readonly Task[]) {
    this.nodes = tasks.map((task, id) => ({ id, kind: 'task', task, position: id }));
  }

  addNode(kind: 'hub' | 'gate', position: number): GraphNode {
    const node: GraphNode = { id: this.nodes.length, kind, task: undefined, position };
    this.nodes.push(node);
    return node;
  }

  addEdge(from: number, to: number, reason: EdgeReason): void {
    if (from === to) return;
    if (reason === 'explicit') {
      const pair = pairKey(from, to);
      if (this.explicitPairs.has(pair)) return;
      this.explicitPairs.add(pair);
    }
    this.edges.push({ from, to, reason });
  }

  allEdges(): readonly GraphEdge[] {
    return this.edges;
  }

  removeEdges(removed: ReadonlySet<GraphEdge>): void {
    if (removed.size > 0) this.edges = this.edges.filter((edge) => !removed.has(edge));
  }

  /** Each node's edges from both ends, in the order they were added. */
  wire(): Wiring {
    return wire(this.nodes, this.edges);
  }
}

// Node ids stay far below this (a node per task, hub and gate), so one number holds a pair of them.
const PAIR_BASE = 2 ** 26;

function pairKey(from: number, to: number): number {
  return from * PAIR_BASE + to;
}

export interface Wiring {
  readonly nodes: readonly GraphNode[];
  /** By node id: the edges into it (what it waits for). */
  readonly waitsFor: readonly (readonly GraphEdge[])[];
  /** By node id: the edges out of it (what waits for it). */
  readonly waitedBy: readonly (readonly GraphEdge[])[];
}

export function wire(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): Wiring {
  // Each list sized to fit: a 10,000-task graph has tens of thousands of them, and grown arrays keep spare room.
  const inCount = new Array<number>(nodes.length).fill(0);
  const outCount = new Array<number>(nodes.length).fill(0);
  edges.forEach((edge) => {
    inCount[edge.to] = (inCount[edge.to] ?? 0) + 1;
    outCount[edge.from] = (outCount[edge.from] ?? 0) + 1;
  });
  const waitsFor = inCount.map((count) => (count === 0 ? NO_EDGES : new Array<GraphEdge>(count)));
  const waitedBy = outCount.map((count) => (count === 0 ? NO_EDGES : new Array<GraphEdge>(count)));
  edges.forEach((edge) => {
    const into = (inCount[edge.to] ?? 1) - 1;
    const out = (outCount[edge.from] ?? 1) - 1;
    inCount[edge.to] = into;
    outCount[edge.from] = out;
    const waiting = waitsFor[edge.to];
    const waited = waitedBy[edge.from];
    if (waiting !== undefined) waiting[waiting.length - 1 - into] = edge;
    if (waited !== undefined) waited[waited.length - 1 - out] = edge;
  });
  return { nodes, waitsFor, waitedBy };
}

const NO_EDGES: GraphEdge[] = [];

/**
 * Kahn's algorithm: every node in an order that respects every edge, taking among the nodes free to go the one
 * with the lowest position. Nodes on a cycle are left out, so a short answer means a cycle.
 */
export function topologicalOrder(wiring: Wiring): GraphNode[] {
  // Where every edge already runs from a lower position to a higher one, as in most files, Kahn's algorithm would
  // take the nodes in position order: sorting them gives the same order without a heap.
  const forward = pointsForward(wiring.nodes);
  if (wiring.waitedBy.every((edges) => edges.every(forward))) {
    return [...wiring.nodes].sort(byPosition);
  }
  const { nodes, waitsFor, waitedBy } = wiring;
  const remaining = waitsFor.map((edges) => edges.length);
  const free = new MinHeap<GraphNode>(byPosition);
  for (const node of nodes) if (remaining[node.id] === 0) free.push(node);
  const order: GraphNode[] = [];
  for (let node = free.pop(); node !== undefined; node = free.pop()) {
    order.push(node);
    for (const edge of waitedBy[node.id] ?? []) {
      const left = (remaining[edge.to] ?? 1) - 1;
      remaining[edge.to] = left;
      const next = nodes[edge.to];
      if (left === 0 && next !== undefined) free.push(next);
    }
  }
  return order;
}

/** Position order; ties (never between two tasks) in id order. */
function byPosition(a: GraphNode, b: GraphNode): number {
  return a.position - b.position || a.id - b.id;
}

function pointsForward(nodes: readonly GraphNode[]): (edge: GraphEdge) => boolean {
  return (edge) => {
    const from = nodes[edge.from];
    const to = nodes[edge.to];
    return from !== undefined && to !== undefined && byPosition(from, to) < 0;
  };
}

/** A binary heap: the smallest item by `compare` comes out first. */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let child = items.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      const above = items[parent] as T;
      if (this.compare(above, item) <= 0) break;
      items[child] = above;
      child = parent;
    }
    items[child] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let parent = 0;
    for (;;) {
      const left = 2 * parent + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && this.compare(items[right] as T, items[left] as T) < 0 ? right : left;
      const below = items[child] as T;
      if (this.compare(below, last) >= 0) break;
      items[parent] = below;
      parent = child;
    }
    items[parent] = last;
    return top;
  }
}
