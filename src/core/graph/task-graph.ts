/**
 * The task graph of one tasks.md: who waits for whom, and why. Rules, in spec-kit's own words where it has them:
 * - phase order: every task of a phase waits for all tasks of earlier phases (one barrier node per phase, so
 *   the edges stay linear in the number of tasks);
 * - within a phase, tasks without [P] run in document order; a run of consecutive [P] tasks starts after the
 *   preceding sequential task, and the next sequential task waits for the whole run;
 * - two [P] tasks naming the same file never overlap (the later waits for the earlier);
 * - tests before implementation of the same story;
 * - explicit dependencies from a task's own text and from dependency statements.
 * Cycles are reported, never thrown: the explicit edges inside a cycle are dropped so the graph stays usable.
 */
import { taskIdIndexOf, type RawIdRef } from '../speckit/tasks-dependency-prose';
import { normalizeTaskPath } from '../speckit/task-paths';
import type { DependencyStatement, Task, TaskIdRef, TasksDiagnostic, TasksDocument } from '../speckit/tasks-model';

export type EdgeReason = 'phase-order' | 'sequence' | 'same-file' | 'tests-first' | 'explicit';

export type TaskRunStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface TaskEdge {
  readonly key: string;
  readonly reason: EdgeReason;
}

export interface TaskCycle {
  /** Keys in order, each finishing before the next; the first is repeated at the end. */
  readonly keys: readonly string[];
  readonly message: string;
}

export interface CriticalPath {
  readonly keys: readonly string[];
  readonly length: number;
}

export interface TaskGraph {
  readonly document: TasksDocument;
  /** Document order. */
  readonly tasks: readonly Task[];
  task(key: string): Task | undefined;
  /** What this task waits for directly (barriers and statements resolved to the tasks behind them). */
  dependenciesOf(key: string): readonly TaskEdge[];
  /** What waits for this task directly. */
  dependentsOf(key: string): readonly TaskEdge[];
  /** Keys in an order that respects every edge (document order where the graph leaves a choice). */
  topologicalOrder(): readonly string[];
  /**
   * Pending tasks whose dependencies are all done or skipped (transitively: a task ticked out of order does not
   * release what follows it while something before it is pending) and whose files no running task holds. Two
   * tasks in the answer never share a file: the earlier one in topological order wins.
   */
  ready(status: (key: string) => TaskRunStatus): readonly Task[];
  /** The longest chain of waits; `duration` defaults to 1 per task. */
  criticalPath(duration?: (task: Task) => number): CriticalPath;
  readonly cycles: readonly TaskCycle[];
  /** Graph-level diagnostics: `dependency-cycle`, `dependency-on-later-phase`. */
  readonly diagnostics: readonly TasksDiagnostic[];
}

/** Finished well enough for dependents to start. */
export function isSettled(status: TaskRunStatus): boolean {
  switch (status) {
    case 'done':
    case 'skipped':
      return true;
    case 'pending':
    case 'running':
    case 'failed':
      return false;
    default: {
      const never: never = status;
      return never;
    }
  }
}

/** Status from the document alone: ticked tasks are done, the rest pending. */
export function statusFromDocument(graph: TaskGraph): (key: string) => TaskRunStatus {
  return (key) => (graph.task(key)?.done === true ? 'done' : 'pending');
}

/** One object per edge, listed under both ends: `from` finishes before `to`. */
interface Edge {
  readonly from: number;
  readonly to: number;
  readonly reason: EdgeReason;
}

const DIRECT_EDGE_LIMIT = 16;

export function buildTaskGraph(doc: TasksDocument): TaskGraph {
  const tasks = doc.tasks;
  const n = tasks.length;
  const preds: Edge[][] = [];
  const succs: Edge[][] = [];
  const diagnostics: TasksDiagnostic[] = [];
  const keyToNode = new Map<string, number>();
  // The first task with an id has the id as its key; only duplicates need a second table.
  const duplicates = new Map<string, number[]>();
  tasks.forEach((t, i) => {
    keyToNode.set(t.key, i);
    if (t.key !== t.id) {
      const list = duplicates.get(t.id);
      if (list === undefined) duplicates.set(t.id, [i]);
      else list.push(i);
    }
    preds.push([]);
    succs.push([]);
  });
  const nodesWithId = (id: string): readonly number[] => {
    const first = keyToNode.get(id);
    if (first === undefined) return [];
    const more = duplicates.get(id);
    return more === undefined ? [first] : [first, ...more];
  };
  const explicitSeen = new Set<string>();
  const addNode = (): number => {
    preds.push([]);
    succs.push([]);
    return preds.length - 1;
  };
  const addEdge = (from: number, to: number, reason: EdgeReason): void => {
    if (from === to) return;
    if (reason === 'explicit') {
      const k = `${from}>${to}`;
      if (explicitSeen.has(k)) return;
      explicitSeen.add(k);
    }
    const edge: Edge = { from, to, reason };
    preds[to]?.push(edge);
    succs[from]?.push(edge);
  };

  const stage = tasks.map((t) => stageOf(doc, t));
  const files = tasks.map((t) => (t.files.length === 0 ? t.files : t.files.map(normalizeTaskPath)));

  buildStructuralEdges(doc, stage, files, addNode, addEdge);

  // Explicit dependencies from the tasks' own text.
  tasks.forEach((t, i) => {
    for (const id of t.dependsOn) {
      for (const d of nodesWithId(id)) {
        if (d === i) continue;
        if ((stage[d] ?? 0) > (stage[i] ?? 0)) {
          diagnostics.push(laterPhase(t.idRange, `${t.id} depends on ${id}, which is in a later phase; ignored for scheduling (phases run in order).`, t.key));
          continue;
        }
        addEdge(d, i, 'explicit');
      }
    }
  });

  // Dependency statements ("T014 blocks T022", "Tests (T006-T013) before implementation (T014-T034)").
  const index = taskIdIndexOf(tasks);
  const nodesOf = (refs: readonly TaskIdRef[]): number[] => {
    const out = new Set<number>();
    for (const ref of refs) for (const id of index.expand(toRaw(ref))) for (const node of nodesWithId(id)) out.add(node);
    return [...out].sort((a, b) => a - b);
  };
  for (const statement of doc.dependencyStatements) addStatement(statement);

  function addStatement(statement: DependencyStatement): void {
    const before = nodesOf(statement.before);
    const after = nodesOf(statement.after);
    if (before.length === 0 || after.length === 0) return;
    const byStage = new Map<number, number[]>();
    for (const a of after) {
      const s = stage[a] ?? 0;
      const list = byStage.get(s);
      if (list === undefined) byStage.set(s, [a]);
      else list.push(a);
    }
    const dropped = new Set<number>();
    for (const [s, targets] of byStage) {
      const targetSet = new Set(targets);
      const sources = before.filter((b) => {
        if ((stage[b] ?? 0) <= s) return !targetSet.has(b);
        dropped.add(b);
        return false;
      });
      if (sources.length === 0) continue;
      if (sources.length * targets.length <= DIRECT_EDGE_LIMIT) {
        for (const b of sources) for (const a of targets) addEdge(b, a, 'explicit');
      } else {
        const hub = addNode();
        for (const b of sources) addEdge(b, hub, 'explicit');
        for (const a of targets) addEdge(hub, a, 'explicit');
      }
    }
    if (dropped.size > 0) {
      const ids = [...dropped].map((d) => tasks[d]?.id ?? '?').join(', ');
      diagnostics.push(laterPhase(statement.range, `"${statement.text}" makes earlier tasks wait for ${ids}, in a later phase; ignored for scheduling.`));
    }
  }

  // Kahn's order covers every node exactly when there is no cycle: only then is the SCC search skipped.
  let order = topologicalNodes(preds, succs);
  const cycles = order.length === preds.length ? [] : breakCycles(n, preds, succs, tasks);
  if (cycles.length > 0) order = topologicalNodes(preds, succs);
  for (const cycle of cycles) {
    const first = keyToNode.get(cycle.keys[0] ?? '');
    const task = first === undefined ? undefined : tasks[first];
    if (task !== undefined) diagnostics.push({ code: 'dependency-cycle', severity: 'error', range: task.idRange, message: cycle.message, taskKey: task.key });
  }


  const resolve = (start: number, direction: Edge[][], end: (e: Edge) => number): TaskEdge[] => {
    const out: TaskEdge[] = [];
    const seen = new Set<number>();
    const walk = (node: number, reason: EdgeReason | undefined): void => {
      for (const edge of direction[node] ?? []) {
        const other = end(edge);
        if (seen.has(other)) continue;
        seen.add(other);
        const r = reason ?? edge.reason;
        const task = other < n ? tasks[other] : undefined;
        if (task !== undefined) out.push({ key: task.key, reason: r });
        else walk(other, r);
      }
    };
    walk(start, undefined);
    return out;
  };

  return {
    document: doc,
    tasks,
    task: (key) => {
      const node = keyToNode.get(key);
      return node === undefined ? undefined : tasks[node];
    },
    dependenciesOf: (key) => {
      const node = keyToNode.get(key);
      return node === undefined ? [] : resolve(node, preds, (e) => e.from);
    },
    dependentsOf: (key) => {
      const node = keyToNode.get(key);
      return node === undefined ? [] : resolve(node, succs, (e) => e.to);
    },
    topologicalOrder: () => order.filter((node) => node < n).map((node) => tasks[node]?.key ?? ''),
    ready: (status) => {
      const settled = new Uint8Array(preds.length);
      const locked = new Set<string>();
      const statuses: TaskRunStatus[] = tasks.map((t) => status(t.key));
      statuses.forEach((s, i) => {
        if (s === 'running') for (const f of files[i] ?? []) locked.add(f);
      });
      const out: Task[] = [];
      for (const node of order) {
        // Complete = settled with everything before it complete: a task ticked out of order does not open
        // the next phase while an earlier task is still pending.
        const depsSettled = (preds[node] ?? []).every((e) => settled[e.from] === 1);
        if (node >= n) {
          settled[node] = depsSettled ? 1 : 0;
          continue;
        }
        const s = statuses[node] ?? 'pending';
        settled[node] = isSettled(s) && depsSettled ? 1 : 0;
        if (s !== 'pending' || !depsSettled) continue;
        const taskFiles = files[node] ?? [];
        if (taskFiles.some((f) => locked.has(f))) continue;
        for (const f of taskFiles) locked.add(f);
        const task = tasks[node];
        if (task !== undefined) out.push(task);
      }
      return out;
    },
    criticalPath: (duration) => {
      const dist = new Float64Array(preds.length);
      const via = new Int32Array(preds.length).fill(-1);
      let best = -1;
      for (const node of order) {
        let longest = 0;
        for (const e of preds[node] ?? []) {
          const d = dist[e.from] ?? 0;
          if (via[node] === -1 || d > longest) {
            longest = d;
            via[node] = e.from;
          }
        }
        const task = node < n ? tasks[node] : undefined;
        const own = task === undefined ? 0 : (duration?.(task) ?? 1);
        dist[node] = longest + own;
        if (best < 0 || (dist[node] ?? 0) > (dist[best] ?? 0)) best = node;
      }
      const keys: string[] = [];
      for (let node = best; node >= 0; node = via[node] ?? -1) {
        if (node < n) keys.push(tasks[node]?.key ?? '');
      }
      keys.reverse();
      return { keys, length: best < 0 ? 0 : (dist[best] ?? 0) };
    },
    cycles,
    diagnostics,
  };
}

/**
 * The scheduling group of a task: phases in document order, with tasks outside any phase forming groups of
 * their own where they stand (before the first phase, or after the phase they follow).
 */
function stageOf(doc: TasksDocument, task: Task): number {
  if (task.phaseIndex !== undefined) return 2 * (task.phaseIndex + 1);
  let before = 0;
  for (const phase of doc.phases) if (phase.headingRange.start.line < task.line) before += 1;
  return 2 * before + 1;
}

function buildStructuralEdges(
  doc: TasksDocument,
  stage: readonly number[],
  files: readonly (readonly string[])[],
  addNode: () => number,
  addEdge: (from: number, to: number, reason: EdgeReason) => void,
): void {
  const tasks = doc.tasks;
  const groups = new Map<number, number[]>();
  tasks.forEach((_t, i) => {
    const s = stage[i] ?? 0;
    const list = groups.get(s);
    if (list === undefined) groups.set(s, [i]);
    else list.push(i);
  });
  let barrier: number | undefined;
  for (const s of [...groups.keys()].sort((a, b) => a - b)) {
    const members = groups.get(s) ?? [];
    let previous: number | undefined;
    let run: number[] = [];
    let runFiles = new Map<string, number>();
    let runTests = new Map<string, number[]>();
    for (const i of members) {
      const task = tasks[i];
      if (task === undefined) continue;
      if (!task.parallel) {
        if (run.length > 0) for (const r of run) addEdge(r, i, 'sequence');
        else if (previous !== undefined) addEdge(previous, i, 'sequence');
        else if (barrier !== undefined) addEdge(barrier, i, 'phase-order');
        previous = i;
        run = [];
        runFiles = new Map();
        runTests = new Map();
        continue;
      }
      if (previous !== undefined) addEdge(previous, i, 'sequence');
      else if (barrier !== undefined) addEdge(barrier, i, 'phase-order');
      for (const f of files[i] ?? []) {
        const owner = runFiles.get(f);
        if (owner !== undefined) addEdge(owner, i, 'same-file');
        runFiles.set(f, i);
      }
      // Earlier tests are already behind `previous`; only tests in this same [P] run could overlap.
      const story = task.story ?? (task.phaseIndex === undefined ? undefined : doc.phases[task.phaseIndex]?.story);
      if (story !== undefined) {
        const tests = runTests.get(story) ?? [];
        if (task.isTest) runTests.set(story, [...tests, i]);
        else for (const t of tests) addEdge(t, i, 'tests-first');
      }
      run.push(i);
    }
    const next = addNode();
    const terminals = run.length > 0 ? run : previous !== undefined ? [previous] : [];
    for (const t of terminals) addEdge(t, next, 'phase-order');
    if (terminals.length === 0 && barrier !== undefined) addEdge(barrier, next, 'phase-order');
    barrier = next;
  }
}

function laterPhase(range: TasksDiagnostic['range'], message: string, taskKey?: string): TasksDiagnostic {
  return { code: 'dependency-on-later-phase', severity: 'warning', range, message, ...(taskKey === undefined ? {} : { taskKey }) };
}

function toRaw(ref: TaskIdRef): RawIdRef {
  switch (ref.kind) {
    case 'id':
      return { kind: 'id', id: ref.id, start: 0, end: 0 };
    case 'range':
      return { kind: 'range', from: ref.from, to: ref.to, start: 0, end: 0 };
    case 'open-range':
      return { kind: 'open-range', from: ref.from, start: 0, end: 0 };
    default: {
      const never: never = ref;
      return never;
    }
  }
}

/**
 * Finds strongly connected components (iterative Tarjan: a 10,000-task file must not blow the stack), reports
 * one cycle per component, and removes the explicit edges inside it. Structural edges all point forward in
 * document order, so what remains is acyclic.
 */
function breakCycles(taskCount: number, preds: Edge[][], succs: Edge[][], tasks: readonly Task[]): TaskCycle[] {
  const components = stronglyConnected(succs);
  const cycles: TaskCycle[] = [];
  for (const component of components) {
    if (component.length < 2) continue;
    const members = new Set(component);
    const cycleNodes = findCycle(component, members, succs);
    const keys = cycleNodes.filter((node) => node < taskCount).map((node) => tasks[node]?.id ?? '?');
    if (keys.length > 0 && keys[0] !== keys[keys.length - 1]) keys.push(keys[0] ?? '');
    const taskKeys = cycleNodes.filter((node) => node < taskCount).map((node) => tasks[node]?.key ?? '?');
    if (taskKeys.length > 0) taskKeys.push(taskKeys[0] ?? '');
    cycles.push({
      keys: taskKeys,
      message: `Dependency cycle: ${keys.join(' → ')} (each must finish before the next); the explicit dependencies in it are ignored for scheduling.`,
    });
    for (const node of component) {
      preds[node] = (preds[node] ?? []).filter((e) => !(e.reason === 'explicit' && members.has(e.from)));
      succs[node] = (succs[node] ?? []).filter((e) => !(e.reason === 'explicit' && members.has(e.to)));
    }
  }
  return cycles;
}

function stronglyConnected(succs: readonly Edge[][]): number[][] {
  const count = succs.length;
  const indexOf = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const onStack = new Uint8Array(count);
  const stack: number[] = [];
  const components: number[][] = [];
  let next = 0;
  for (let root = 0; root < count; root += 1) {
    if (indexOf[root] !== -1) continue;
    const work: { node: number; edge: number }[] = [{ node: root, edge: 0 }];
    indexOf[root] = next;
    low[root] = next;
    next += 1;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame === undefined) break;
      const edges = succs[frame.node] ?? [];
      if (frame.edge < edges.length) {
        const to = edges[frame.edge]?.to ?? 0;
        frame.edge += 1;
        if (indexOf[to] === -1) {
          indexOf[to] = next;
          low[to] = next;
          next += 1;
          stack.push(to);
          onStack[to] = 1;
          work.push({ node: to, edge: 0 });
        } else if (onStack[to] === 1) {
          low[frame.node] = Math.min(low[frame.node] ?? 0, indexOf[to] ?? 0);
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low[parent.node] = Math.min(low[parent.node] ?? 0, low[frame.node] ?? 0);
      if (low[frame.node] === indexOf[frame.node]) {
        const component: number[] = [];
        for (;;) {
          const member = stack.pop();
          if (member === undefined) break;
          onStack[member] = 0;
          component.push(member);
          if (member === frame.node) break;
        }
        components.push(component);
      }
    }
  }
  return components;
}

/** A simple cycle through the component, starting at its earliest task, by breadth-first search back to it. */
function findCycle(component: readonly number[], members: ReadonlySet<number>, succs: readonly Edge[][]): number[] {
  const start = Math.min(...component);
  const parent = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head += 1) {
    const node = queue[head] ?? start;
    for (const e of succs[node] ?? []) {
      if (!members.has(e.to)) continue;
      if (e.to === start) {
        const path = [node];
        for (let p = parent.get(node); p !== undefined; p = parent.get(p)) path.push(p);
        return path.reverse();
      }
      if (!parent.has(e.to)) {
        parent.set(e.to, node);
        queue.push(e.to);
      }
    }
  }
  return [start];
}

/** Kahn's algorithm, taking ready nodes lowest-index first so independent tasks keep document order. */
function topologicalNodes(preds: readonly Edge[][], succs: readonly Edge[][]): number[] {
  const count = preds.length;
  const remaining = new Int32Array(count);
  for (let i = 0; i < count; i += 1) remaining[i] = preds[i]?.length ?? 0;
  const heap = new MinHeap();
  for (let i = 0; i < count; i += 1) if (remaining[i] === 0) heap.push(i);
  const order: number[] = [];
  while (heap.size > 0) {
    const node = heap.pop();
    order.push(node);
    for (const e of succs[node] ?? []) {
      remaining[e.to] = (remaining[e.to] ?? 0) - 1;
      if (remaining[e.to] === 0) heap.push(e.to);
    }
  }
  return order;
}

class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const items = this.items;
    items.push(value);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] ?? 0) <= value) break;
      items[i] = items[parent] ?? 0;
      i = parent;
    }
    items[i] = value;
  }

  pop(): number {
    const items = this.items;
    const top = items[0] ?? 0;
    const last = items.pop() ?? 0;
    if (items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && (items[right] ?? 0) < (items[left] ?? 0) ? right : left;
      if ((items[child] ?? 0) >= last) break;
      items[i] = items[child] ?? 0;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
