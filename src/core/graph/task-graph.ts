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
 *
 * Diagnostics point at the reference that causes them: a later-phase dependency at the id (or id range) that
 * names the later task, in the task's text or in a dependency statement; a cycle at the one reference that closes
 * it (see `TaskCycle.range`), so an editor shows one error per cycle, where removing a reference breaks it.
 */
import { taskIdIndexOf, type TaskIdIndex } from '../speckit/task-ids';
import { normalizeTaskPath } from '../speckit/task-paths';
import type {
  DependencyStatement,
  Range,
  Task,
  TaskIdRef,
  TasksDiagnostic,
  TasksDocument,
} from '../speckit/tasks-model';

export type EdgeReason = 'phase-order' | 'sequence' | 'same-file' | 'tests-first' | 'explicit';

export type TaskRunStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface TaskEdge {
  readonly key: string;
  readonly reason: EdgeReason;
}

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

const REASONS: readonly EdgeReason[] = ['phase-order', 'sequence', 'same-file', 'tests-first', 'explicit'];
const EXPLICIT = REASONS.indexOf('explicit');

/**
 * Every edge (`from` finishes before `to`) in three growable typed arrays: a 10,000-task graph has tens of
 * thousands of edges, and an object per edge plus two arrays per node cost more than the parse itself.
 */
class EdgeList {
  from = new Int32Array(1024);
  to = new Int32Array(1024);
  reason = new Uint8Array(1024);
  count = 0;

  add(from: number, to: number, reason: number): void {
    if (this.count === this.from.length) {
      const size = this.count * 2;
      this.from = grow(this.from, size);
      this.to = grow(this.to, size);
      const reasons = new Uint8Array(size);
      reasons.set(this.reason);
      this.reason = reasons;
    }
    this.from[this.count] = from;
    this.to[this.count] = to;
    this.reason[this.count] = reason;
    this.count += 1;
  }
}

function grow(array: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(size);
  next.set(array);
  return next;
}

/**
 * Edges grouped by one end (compressed rows): node `v`'s edges are `edges[start[v]]` to `edges[start[v + 1] - 1]`,
 * as indices into the EdgeList, in the order they were added, so walks keep document order.
 */
interface Adjacency {
  readonly start: Int32Array;
  readonly edges: Int32Array;
}

function adjacency(list: EdgeList, nodeCount: number, byEnd: Int32Array, removed: Uint8Array | undefined): Adjacency {
  const start = new Int32Array(nodeCount + 1);
  for (let e = 0; e < list.count; e += 1) {
    if (removed?.[e] === 1) continue;
    const slot = (byEnd[e] ?? 0) + 1;
    start[slot] = (start[slot] ?? 0) + 1;
  }
  for (let v = 0; v < nodeCount; v += 1) start[v + 1] = (start[v + 1] ?? 0) + (start[v] ?? 0);
  const fill = start.slice(0, nodeCount);
  const edges = new Int32Array(start[nodeCount] ?? 0);
  for (let e = 0; e < list.count; e += 1) {
    if (removed?.[e] === 1) continue;
    const v = byEnd[e] ?? 0;
    edges[fill[v] ?? 0] = e;
    fill[v] = (fill[v] ?? 0) + 1;
  }
  return { start, edges };
}

/** The graph's edges seen from both ends. */
interface Wiring {
  readonly list: EdgeList;
  readonly nodeCount: number;
  /** Grouped by `to`: what each node waits for. */
  readonly preds: Adjacency;
  /** Grouped by `from`: what waits for each node. */
  readonly succs: Adjacency;
}

function wire(list: EdgeList, nodeCount: number, removed?: Uint8Array): Wiring {
  return {
    list,
    nodeCount,
    preds: adjacency(list, nodeCount, list.to, removed),
    succs: adjacency(list, nodeCount, list.from, removed),
  };
}

// Statements whose sides multiply to more edges than this go through one hub node.
const DIRECT_EDGE_LIMIT = 16;

export function buildTaskGraph(doc: TasksDocument): TaskGraph {
  const tasks = doc.tasks;
  const n = tasks.length;
  const list = new EdgeList();
  const diagnostics: TasksDiagnostic[] = [];
  const keyToNode = new Map<string, number>();
  // The first task with an id has the id as its key; only duplicates need a second table.
  const duplicates = new Map<string, number[]>();
  for (let i = 0; i < n; i += 1) {
    const t = tasks[i];
    if (t === undefined) continue;
    keyToNode.set(t.key, i);
    if (t.key !== t.id) {
      const more = duplicates.get(t.id);
      if (more === undefined) duplicates.set(t.id, [i]);
      else more.push(i);
    }
  }
  // An id several tasks hold (a duplicate-task-id warning) names one of them: in a task's own text the nearest
  // one written before it (else the first), as the author reads it; in a statement, which stands apart from
  // the tasks, the first, whose key is the bare id. Binding to all would invent waits, even cycles.
  const nodeWithId = (id: string, readFrom?: number): number | undefined => {
    const first = keyToNode.get(id);
    if (readFrom === undefined || first === undefined || first > readFrom) return first;
    const more = duplicates.get(id);
    if (more === undefined) return first;
    let nearest = first;
    for (const node of more) if (node < readFrom) nearest = node;
    return nearest;
  };
  // Task nodes are 0..n-1; barrier and hub nodes follow.
  let nodeCount = n;
  const addNode = (): number => {
    nodeCount += 1;
    return nodeCount - 1;
  };
  const explicitSeen = new Set<number>();
  const addEdge = (from: number, to: number, reason: EdgeReason): void => {
    if (from === to) return;
    const code = REASONS.indexOf(reason);
    if (code === EXPLICIT) {
      // Node numbers stay far below 2^26, so the pair fits one exact number.
      const pair = from * 67_108_864 + to;
      if (explicitSeen.has(pair)) return;
      explicitSeen.add(pair);
    }
    list.add(from, to, code);
  };

  const stage = stagesOf(doc);
  const files = tasks.map((t) => normalizedFiles(t.files));

  buildStructuralEdges(doc, stage, files, addNode, addEdge);

  // Only references need the id index; a file without dependencies never builds it.
  let idIndex: TaskIdIndex | undefined;
  const ids = (): TaskIdIndex => (idIndex ??= taskIdIndexOf(tasks));

  // Explicit dependencies from the tasks' own text.
  for (let i = 0; i < n; i += 1) {
    const t = tasks[i];
    if (t === undefined) continue;
    let later: string[] | undefined;
    for (const id of t.dependsOn) {
      const d = nodeWithId(id, i);
      if (d === undefined || d === i) continue;
      if ((stage[d] ?? 0) > (stage[i] ?? 0)) {
        if (!(later ??= []).includes(id)) later.push(id);
        continue;
      }
      addEdge(d, i, 'explicit');
    }
    if (later !== undefined) reportLaterPhaseRefs(t, later);
  }

  /** One diagnostic per reference in `t`'s text that names a task of a later phase, on that reference. */
  function reportLaterPhaseRefs(t: Task, later: readonly string[]): void {
    let reported = false;
    for (const ref of t.dependencyRefs) {
      const named = ids()
        .expand(ref)
        .filter((id) => later.includes(id));
      if (named.length === 0) continue;
      reported = true;
      const which = named.length === 1 ? `${named[0] ?? ''}, which is` : `${named.join(', ')}, which are`;
      diagnostics.push(
        laterPhase(
          ref.range,
          `${t.id} depends on ${which} in a later phase; ignored for scheduling (phases run in order).`,
          t.key,
        ),
      );
    }
    // A task built elsewhere may carry ids without the references they came from.
    if (!reported)
      diagnostics.push(
        laterPhase(
          t.idRange,
          `${t.id} depends on ${later.join(', ')}, in a later phase; ignored for scheduling (phases run in order).`,
          t.key,
        ),
      );
  }

  // Dependency statements ("T014 blocks T022", "Tests (T006-T013) before implementation (T014-T034)").
  const nodesOfRef = (ref: TaskIdRef): number[] => {
    const out: number[] = [];
    for (const id of ids().expand(ref)) {
      const node = nodeWithId(id);
      if (node !== undefined) out.push(node);
    }
    return out;
  };
  if (doc.dependencyStatements.length > 0) {
    const nodesOf = (refs: readonly TaskIdRef[]): number[] => {
      const out = new Set<number>();
      for (const ref of refs) for (const node of nodesOfRef(ref)) out.add(node);
      return [...out].sort((a, b) => a - b);
    };
    for (const statement of doc.dependencyStatements) addStatement(statement, nodesOf);
  }

  function addStatement(statement: DependencyStatement, nodesOf: (refs: readonly TaskIdRef[]) => number[]): void {
    const before = nodesOf(statement.before);
    const after = nodesOf(statement.after);
    if (before.length === 0 || after.length === 0) return;
    const byStage = new Map<number, number[]>();
    for (const a of after) {
      const s = stage[a] ?? 0;
      const group = byStage.get(s);
      if (group === undefined) byStage.set(s, [a]);
      else group.push(a);
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
    if (dropped.size === 0) return;
    // On each reference of the waited-for side that names a dropped task.
    for (const ref of statement.before) {
      const named = [
        ...new Set(
          nodesOfRef(ref)
            .filter((d) => dropped.has(d))
            .map((d) => tasks[d]?.id ?? '?'),
        ),
      ];
      if (named.length === 0) continue;
      diagnostics.push(
        laterPhase(
          ref.range,
          `"${statement.text}" makes earlier tasks wait for ${named.join(', ')}, in a later phase; ignored for scheduling.`,
        ),
      );
    }
  }

  // Kahn's order covers every node exactly when there is no cycle: only then is the SCC search skipped.
  let wiring = wire(list, nodeCount);
  let order = topologicalNodes(wiring);
  let cycles: TaskCycle[] = [];
  if (order.length !== nodeCount) {
    const broken = breakCycles(n, wiring, tasks, (waiting, waitedFor) =>
      closingReference(doc, ids(), waiting, waitedFor),
    );
    cycles = broken.cycles;
    wiring = wire(list, nodeCount, broken.removed);
    order = topologicalNodes(wiring);
  }
  for (const cycle of cycles) {
    diagnostics.push({
      code: 'dependency-cycle',
      severity: 'error',
      range: cycle.range,
      message: cycle.message,
      ...(cycle.taskKey === undefined ? {} : { taskKey: cycle.taskKey }),
    });
  }
  const { preds, succs } = wiring;

  /** The tasks one step away, looking through barrier and hub nodes (depth-first, in edge order). */
  const resolve = (startNode: number, side: Adjacency, otherEnd: Int32Array): TaskEdge[] => {
    const out: TaskEdge[] = [];
    const seen = new Set<number>();
    const stackNode = [startNode];
    const stackPos = [side.start[startNode] ?? 0];
    // The reason of the first edge out of the task, inherited by everything reached through a hub; -1 at the top.
    const stackReason = [-1];
    while (stackNode.length > 0) {
      const top = stackNode.length - 1;
      const node = stackNode[top] ?? 0;
      const pos = stackPos[top] ?? 0;
      if (pos >= (side.start[node + 1] ?? 0)) {
        stackNode.pop();
        stackPos.pop();
        stackReason.pop();
        continue;
      }
      stackPos[top] = pos + 1;
      const edge = side.edges[pos] ?? 0;
      const other = otherEnd[edge] ?? 0;
      if (seen.has(other)) continue;
      seen.add(other);
      const inherited = stackReason[top] ?? -1;
      const reason = inherited >= 0 ? inherited : (list.reason[edge] ?? 0);
      const task = other < n ? tasks[other] : undefined;
      if (task !== undefined) {
        out.push({ key: task.key, reason: REASONS[reason] ?? 'explicit' });
      } else {
        stackNode.push(other);
        stackPos.push(side.start[other] ?? 0);
        stackReason.push(reason);
      }
    }
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
      return node === undefined ? [] : resolve(node, preds, list.from);
    },
    dependentsOf: (key) => {
      const node = keyToNode.get(key);
      return node === undefined ? [] : resolve(node, succs, list.to);
    },
    topologicalOrder: () => {
      const keys: string[] = [];
      for (const node of order) if (node < n) keys.push(tasks[node]?.key ?? '');
      return keys;
    },
    ready: (status) => {
      const settled = new Uint8Array(nodeCount);
      const locked = new Set<string>();
      const statuses: TaskRunStatus[] = tasks.map((t) => status(t.key));
      statuses.forEach((s, i) => {
        if (s === 'running') for (const f of files[i] ?? []) locked.add(f);
      });
      const out: Task[] = [];
      for (const node of order) {
        // Complete = settled with everything before it complete: a task ticked out of order does not open
        // the next phase while an earlier task is still pending.
        let depsSettled = true;
        for (let k = preds.start[node] ?? 0, end = preds.start[node + 1] ?? 0; k < end; k += 1) {
          if (settled[list.from[preds.edges[k] ?? 0] ?? 0] !== 1) {
            depsSettled = false;
            break;
          }
        }
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
      const dist = new Float64Array(nodeCount);
      const via = new Int32Array(nodeCount).fill(-1);
      let best = -1;
      for (const node of order) {
        let longest = 0;
        for (let k = preds.start[node] ?? 0, end = preds.start[node + 1] ?? 0; k < end; k += 1) {
          const from = list.from[preds.edges[k] ?? 0] ?? 0;
          const d = dist[from] ?? 0;
          if (via[node] === -1 || d > longest) {
            longest = d;
            via[node] = from;
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
 * The scheduling group of each task: phases in document order, with tasks outside any phase forming groups of
 * their own where they stand (before the first phase, or after the phase they follow). Tasks are in document
 * order, so one pointer over the phase headings answers "how many phases start before this task" for all.
 */
function stagesOf(doc: TasksDocument): Int32Array {
  const stage = new Int32Array(doc.tasks.length);
  let before = 0;
  doc.tasks.forEach((task, i) => {
    if (task.phaseIndex !== undefined) {
      stage[i] = 2 * (task.phaseIndex + 1);
      return;
    }
    while (before < doc.phases.length && (doc.phases[before]?.headingRange.start.line ?? 0) < task.line) before += 1;
    stage[i] = 2 * before + 1;
  });
  return stage;
}

/** The task's files as the scheduler compares them; the task's own list when nothing needs normalising. */
function normalizedFiles(files: readonly string[]): readonly string[] {
  for (let k = 0; k < files.length; k += 1) {
    const file = files[k] ?? '';
    if (normalizeTaskPath(file) !== file) return files.map(normalizeTaskPath);
  }
  return files;
}

/** Tests of one story met so far in a [P] run: those already behind a hub node, and those since. */
interface RunTests {
  hub: number | undefined;
  readonly pending: number[];
}

// A story's implementation task waits for at most this many tests directly; beyond, through a hub.
const DIRECT_TEST_EDGES = 2;

/**
 * Sequence, [P] runs, same-file and tests-first edges. Stages never decrease in document order (see `stagesOf`),
 * so one walk over the tasks meets each stage as one contiguous group.
 */
function buildStructuralEdges(
  doc: TasksDocument,
  stage: Int32Array,
  files: readonly (readonly string[])[],
  addNode: () => number,
  addEdge: (from: number, to: number, reason: EdgeReason) => void,
): void {
  const tasks = doc.tasks;
  let barrier: number | undefined;
  let i = 0;
  while (i < tasks.length) {
    const s = stage[i] ?? 0;
    let previous: number | undefined;
    // The current [P] run: its first member, and how many; members are consecutive task indices.
    let runStart = -1;
    let runLength = 0;
    const runFiles = new Map<string, number>();
    let runTests: Map<string, RunTests> | undefined;
    for (; i < tasks.length && stage[i] === s; i += 1) {
      const task = tasks[i];
      if (task === undefined) continue;
      if (!task.parallel) {
        if (runLength > 0) for (let r = runStart; r < runStart + runLength; r += 1) addEdge(r, i, 'sequence');
        else if (previous !== undefined) addEdge(previous, i, 'sequence');
        else if (barrier !== undefined) addEdge(barrier, i, 'phase-order');
        previous = i;
        runLength = 0;
        runFiles.clear();
        runTests = undefined;
        continue;
      }
      if (runLength === 0) runStart = i;
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
        runTests ??= new Map();
        let tests = runTests.get(story);
        if (tests === undefined) {
          tests = { hub: undefined, pending: [] };
          runTests.set(story, tests);
        }
        if (task.isTest) tests.pending.push(i);
        else waitForTests(tests, i, addNode, addEdge);
      }
      runLength += 1;
    }
    const next = addNode();
    if (runLength > 0) for (let r = runStart; r < runStart + runLength; r += 1) addEdge(r, next, 'phase-order');
    else if (previous !== undefined) addEdge(previous, next, 'phase-order');
    else if (barrier !== undefined) addEdge(barrier, next, 'phase-order');
    barrier = next;
  }
}

/**
 * Makes implementation task `i` wait for every test of its story met so far in the run. A few tests get direct
 * edges; more are gathered behind a hub (each new hub waits for the previous one), so a long run of tests and
 * implementations costs edges linear in its length rather than tests × implementations.
 */
function waitForTests(
  tests: RunTests,
  i: number,
  addNode: () => number,
  addEdge: (from: number, to: number, reason: EdgeReason) => void,
): void {
  if (tests.hub === undefined && tests.pending.length <= DIRECT_TEST_EDGES) {
    for (const t of tests.pending) addEdge(t, i, 'tests-first');
    return;
  }
  if (tests.pending.length > 0) {
    const hub = addNode();
    if (tests.hub !== undefined) addEdge(tests.hub, hub, 'tests-first');
    for (const t of tests.pending) addEdge(t, hub, 'tests-first');
    tests.pending.length = 0;
    tests.hub = hub;
  }
  if (tests.hub !== undefined) addEdge(tests.hub, i, 'tests-first');
}

function laterPhase(range: TasksDiagnostic['range'], message: string, taskKey?: string): TasksDiagnostic {
  return {
    code: 'dependency-on-later-phase',
    severity: 'warning',
    range,
    message,
    ...(taskKey === undefined ? {} : { taskKey }),
  };
}

/** Where `waiting` is told to wait for `waitedFor`: the reference in its own text, else in a dependency statement. */
interface ClosingReference {
  readonly range: Range;
  readonly taskKey?: string;
  /** How the message quotes it. */
  readonly text: string;
}

function closingReference(doc: TasksDocument, index: TaskIdIndex, waiting: Task, waitedFor: Task): ClosingReference {
  const covers = (refs: readonly TaskIdRef[], id: string): TaskIdRef | undefined =>
    refs.find((ref) => index.expand(ref).includes(id));
  const own = covers(waiting.dependencyRefs, waitedFor.id);
  if (own !== undefined)
    return { range: own.range, taskKey: waiting.key, text: `${waiting.id} waiting for ${waitedFor.id}` };
  for (const statement of doc.dependencyStatements) {
    const ref = covers(statement.after, waiting.id) === undefined ? undefined : covers(statement.before, waitedFor.id);
    if (ref !== undefined) return { range: ref.range, text: `"${statement.text}"` };
  }
  return { range: waiting.idRange, taskKey: waiting.key, text: `${waiting.id} waiting for ${waitedFor.id}` };
}

/**
 * Finds strongly connected components (iterative Tarjan: a 10,000-task file must not blow the stack), reports
 * one cycle per component, and marks the explicit edges inside it removed. Structural edges all point forward in
 * document order, so what remains is acyclic.
 */
function breakCycles(
  taskCount: number,
  wiring: Wiring,
  tasks: readonly Task[],
  closing: (waiting: Task, waitedFor: Task) => ClosingReference,
): { cycles: TaskCycle[]; removed: Uint8Array } {
  const { list } = wiring;
  const removed = new Uint8Array(list.count);
  const cycles: TaskCycle[] = [];
  for (const component of stronglyConnected(wiring)) {
    if (component.length < 2) continue;
    const members = new Set(component);
    const cycleNodes = findCycle(component, members, wiring);
    const ids = cycleNodes.filter((node) => node < taskCount).map((node) => tasks[node]?.id ?? '?');
    if (ids.length > 0 && ids[0] !== ids[ids.length - 1]) ids.push(ids[0] ?? '');
    const cycleTasks = cycleNodes.filter((node) => node < taskCount).map((node) => tasks[node]);
    const taskKeys = cycleTasks.map((task) => task?.key ?? '?');
    if (taskKeys.length > 0) taskKeys.push(taskKeys[0] ?? '');
    // `findCycle` starts at the earliest task, so the last step (back to it) runs against document order.
    const earliest = cycleTasks[0];
    const last = cycleTasks[cycleTasks.length - 1];
    const reference = earliest === undefined || last === undefined ? undefined : closing(earliest, last);
    cycles.push({
      keys: taskKeys,
      message:
        `Dependency cycle: ${ids.join(' → ')} (each must finish before the next)` +
        `${reference === undefined ? '' : `, closed by ${reference.text}`}; the explicit dependencies in it are ignored for scheduling.`,
      range: reference?.range ??
        earliest?.idRange ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      ...(reference?.taskKey === undefined ? {} : { taskKey: reference.taskKey }),
    });
    for (const node of component) {
      for (let k = wiring.succs.start[node] ?? 0, end = wiring.succs.start[node + 1] ?? 0; k < end; k += 1) {
        const e = wiring.succs.edges[k] ?? 0;
        if (list.reason[e] === EXPLICIT && members.has(list.to[e] ?? -1)) removed[e] = 1;
      }
    }
  }
  return { cycles, removed };
}

function stronglyConnected(wiring: Wiring): number[][] {
  const { list, succs, nodeCount: count } = wiring;
  const indexOf = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const onStack = new Uint8Array(count);
  const stack: number[] = [];
  const components: number[][] = [];
  let next = 0;
  for (let root = 0; root < count; root += 1) {
    if (indexOf[root] !== -1) continue;
    const work: { node: number; edge: number }[] = [{ node: root, edge: succs.start[root] ?? 0 }];
    indexOf[root] = next;
    low[root] = next;
    next += 1;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame === undefined) break;
      if (frame.edge < (succs.start[frame.node + 1] ?? 0)) {
        const to = list.to[succs.edges[frame.edge] ?? 0] ?? 0;
        frame.edge += 1;
        if (indexOf[to] === -1) {
          indexOf[to] = next;
          low[to] = next;
          next += 1;
          stack.push(to);
          onStack[to] = 1;
          work.push({ node: to, edge: succs.start[to] ?? 0 });
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
function findCycle(component: readonly number[], members: ReadonlySet<number>, wiring: Wiring): number[] {
  const { list, succs } = wiring;
  let start = component[0] ?? 0;
  for (const node of component) if (node < start) start = node;
  const parent = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head += 1) {
    const node = queue[head] ?? start;
    for (let k = succs.start[node] ?? 0, end = succs.start[node + 1] ?? 0; k < end; k += 1) {
      const to = list.to[succs.edges[k] ?? 0] ?? 0;
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [node];
        for (let p = parent.get(node); p !== undefined; p = parent.get(p)) path.push(p);
        return path.reverse();
      }
      if (!parent.has(to)) {
        parent.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start];
}

/** Kahn's algorithm, taking ready nodes lowest-index first so independent tasks keep document order. */
function topologicalNodes(wiring: Wiring): number[] {
  const { list, preds, succs, nodeCount: count } = wiring;
  const remaining = new Int32Array(count);
  for (let i = 0; i < count; i += 1) remaining[i] = (preds.start[i + 1] ?? 0) - (preds.start[i] ?? 0);
  const heap = new MinHeap();
  for (let i = 0; i < count; i += 1) if (remaining[i] === 0) heap.push(i);
  const order: number[] = [];
  while (heap.size > 0) {
    const node = heap.pop();
    order.push(node);
    for (let k = succs.start[node] ?? 0, end = succs.start[node + 1] ?? 0; k < end; k += 1) {
      const to = list.to[succs.edges[k] ?? 0] ?? 0;
      remaining[to] = (remaining[to] ?? 0) - 1;
      if (remaining[to] === 0) heap.push(to);
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
