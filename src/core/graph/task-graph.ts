/**
 * The task graph of one tasks.md: who waits for whom, and why. Built in steps, each in a module of its own:
 * 1. whether user-story phases run side by side (story-parallelism) and so the stages and lanes (graph-lanes);
 * 2. the author's explicit edges (explicit-edges), cycles among them reported and broken (cycles);
 * 3. an order of the tasks that keeps every explicit edge, document order otherwise (tests moved up);
 * 4. the implied edges along that order (graph-lanes): phases, sequences, [P] runs, same file, tests first;
 * 5. implied edges that would still close a cycle with the author's yield.
 * The result answers the scheduler (ready set, critical path first), the reports (dependencies, critical path)
 * and the editor (diagnostics on the references at fault).
 */
import { taskIdIndexOf, type TaskIdIndex } from '../speckit/task-ids';
import { tasksByKey, type TaskLookup } from '../speckit/tasks-by-key';
import { normalizeTaskPath } from '../speckit/task-paths';
import type { Task, TasksDiagnostic, TasksDocument } from '../speckit/tasks-model';
import { breakExplicitCycles, impliedEdgesInCycles, type TaskCycle } from './cycles';
import { addExplicitEdges } from './explicit-edges';
import {
  GraphBuilder,
  topologicalOrder,
  type EdgeReason,
  type GraphEdge,
  type GraphNode,
  type Wiring,
} from './graph-builder';
import { addImpliedEdges, preferredOrder, stagesOf, type Stage } from './graph-lanes';
import { decideStoryParallelism, type StoryParallelism, type StoryParallelismSetting } from './story-parallelism';

export type { EdgeReason } from './graph-builder';
export type { TaskCycle } from './cycles';
export type { StoryParallelism, StoryParallelismSetting } from './story-parallelism';

export type TaskRunStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface TaskEdge {
  readonly key: string;
  readonly reason: EdgeReason;
}

export interface CriticalPath {
  readonly keys: readonly string[];
  readonly length: number;
}

export interface TaskGraphOptions {
  /** `auto` (default): story phases run side by side where the file says so; `off`: phases in order. */
  readonly storyParallelism?: StoryParallelismSetting;
  /**
   * The tasks file's folder relative to the project root (`specs/001-x`): where a `../` path a task names starts,
   * so that it and the same file written from the root lock as one.
   */
  readonly tasksFolder?: string;
  /** The files a task locks, as the scheduler compares them; default its files, normalised (see `tasksFolder`). */
  readonly filesOf?: (task: Task) => readonly string[];
}

export interface TaskGraph {
  readonly document: TasksDocument;
  /** Document order. */
  readonly tasks: readonly Task[];
  task(key: string): Task | undefined;
  /** What this task waits for directly (gates and hubs resolved to the tasks behind them). */
  dependenciesOf(key: string): readonly TaskEdge[];
  /** What waits for this task directly. */
  dependentsOf(key: string): readonly TaskEdge[];
  /** Keys in an order that respects every edge (document order where the graph leaves a choice). */
  topologicalOrder(): readonly string[];
  /**
   * Pending tasks whose dependencies are all done or skipped (transitively: a task ticked out of order does not
   * release what follows it while something before it is pending) and whose files no running task holds, the
   * longest remaining chain first (critical path first). Two tasks in the answer never share a file: the one
   * earlier in the answer wins.
   */
  ready(status: (key: string) => TaskRunStatus): readonly Task[];
  /** The files this task locks while it runs, as the scheduler compares them (one spelling per file). */
  lockedFiles(key: string): readonly string[];
  /** The longest chain of waits from this task to the end, itself included, in tasks. */
  remaining(key: string): number;
  /** The longest chain of waits; `duration` defaults to 1 per task. */
  criticalPath(duration?: (task: Task) => number): CriticalPath;
  /** Whether story phases run side by side, and why. */
  readonly storyParallelism: StoryParallelism;
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

export function buildTaskGraph(doc: TasksDocument, options: TaskGraphOptions = {}): TaskGraph {
  const ids = taskIdIndexOf(doc.tasks, tasksByKey(doc));
  const parallelism = decideStoryParallelism(doc, options.storyParallelism ?? 'auto');
  const stages = stagesOf(doc, parallelism);
  const stageOf = stageIndexOf(doc, stages);
  const builder = new GraphBuilder(doc.tasks);
  const diagnostics = addExplicitEdges({ doc, builder, ids, stageOf: (i) => stageOf[i] ?? 0 });
  const cycles = rankByExplicitOrder(doc, ids, builder, stages);
  const lockedFiles = doc.tasks.map(options.filesOf ?? ((task) => normalizedFiles(task, options.tasksFolder)));
  const filesOf = (task: Task): readonly string[] => lockedFiles[task.index] ?? [];
  addImpliedEdges({
    doc,
    builder,
    stages,
    parallelism,
    rank: (task) => builder.nodes[task.index]?.position ?? 0,
    filesOf,
  });
  let wiring = builder.wire();
  let order = topologicalOrder(wiring);
  if (order.length < wiring.nodes.length) {
    builder.removeEdges(impliedEdgesInCycles(wiring));
    wiring = builder.wire();
    order = topologicalOrder(wiring);
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
  return new BuiltGraph({ document: doc, wiring, order, filesOf, storyParallelism: parallelism, cycles, diagnostics });
}

function normalizedFiles(task: Task, tasksFolder: string | undefined): readonly string[] {
  let normalized: string[] | undefined;
  task.files.forEach((file, k) => {
    const path = normalizeTaskPath(file, tasksFolder);
    if (path !== file) (normalized ??= [...task.files])[k] = path;
  });
  // Two spellings of one file in one task lock it once.
  return normalized === undefined ? task.files : [...new Set(normalized)];
}

function stageIndexOf(doc: TasksDocument, stages: readonly Stage[]): number[] {
  const stageOf = doc.tasks.map(() => 0);
  stages.forEach((stage, s) => {
    for (const lane of stage.lanes)
      lane.tasks.forEach((task) => {
        stageOf[task.index] = s;
      });
  });
  return stageOf;
}

/**
 * Gives every task node the place it runs at in its lane: an order of the explicit edges alone (the author's word
 * first), taking document order — tests moved up before their story's implementation — wherever it leaves a
 * choice. Explicit edges never point to an earlier stage, so the order keeps stages together. Cycles among the
 * explicit edges are reported and their edges dropped first.
 */
function rankByExplicitOrder(
  doc: TasksDocument,
  ids: TaskIdIndex,
  builder: GraphBuilder,
  stages: readonly Stage[],
): TaskCycle[] {
  let preferred = 0;
  for (const stage of stages)
    for (const lane of stage.lanes)
      preferredOrder(doc, lane).forEach((task) => {
        const node = builder.nodes[task.index];
        if (node !== undefined) node.position = preferred;
        preferred += 1;
      });
  let wiring = builder.wire();
  builder.nodes.forEach((node) => {
    if (node.kind !== 'hub') return;
    const targets = (wiring.waitedBy[node.id] ?? []).map((edge) => builder.nodes[edge.to]?.position ?? 0);
    node.position = Math.min(...targets) - 0.5;
  });
  let order = topologicalOrder(wiring);
  let cycles: TaskCycle[] = [];
  if (order.length < wiring.nodes.length) {
    const broken = breakExplicitCycles(doc, ids, wiring);
    builder.removeEdges(broken.removed);
    cycles = broken.cycles;
    wiring = builder.wire();
    order = topologicalOrder(wiring);
  }
  order.forEach((node, rank) => {
    node.position = rank;
  });
  return cycles;
}

const NO_EDGES: readonly GraphEdge[] = [];
// Past this many edges a task's list is checked for repeats by the walk's set, not one by one.
const DIRECT_LIST_LIMIT = 16;

interface BuiltGraphParts {
  readonly document: TasksDocument;
  readonly wiring: Wiring;
  readonly order: readonly GraphNode[];
  readonly filesOf: (task: Task) => readonly string[];
  readonly storyParallelism: StoryParallelism;
  readonly cycles: readonly TaskCycle[];
  readonly diagnostics: readonly TasksDiagnostic[];
}

/** The graph as the faces and the scheduler ask it. */
class BuiltGraph implements TaskGraph {
  readonly document: TasksDocument;
  readonly tasks: readonly Task[];
  readonly storyParallelism: StoryParallelism;
  readonly cycles: readonly TaskCycle[];
  readonly diagnostics: readonly TasksDiagnostic[];
  private readonly wiring: Wiring;
  private readonly order: readonly GraphNode[];
  private readonly filesOf: (task: Task) => readonly string[];
  private readonly byKey: TaskLookup;
  private remainingByNode: readonly number[] | undefined;

  constructor(parts: BuiltGraphParts) {
    this.document = parts.document;
    this.tasks = parts.document.tasks;
    this.storyParallelism = parts.storyParallelism;
    this.cycles = parts.cycles;
    this.diagnostics = parts.diagnostics;
    this.wiring = parts.wiring;
    this.order = parts.order;
    this.filesOf = parts.filesOf;
    this.byKey = tasksByKey(parts.document);
  }

  task(key: string): Task | undefined {
    return this.byKey.get(key);
  }

  dependenciesOf(key: string): readonly TaskEdge[] {
    const task = this.byKey.get(key);
    return task === undefined ? [] : this.resolve(task.index, 'waitsFor');
  }

  dependentsOf(key: string): readonly TaskEdge[] {
    const task = this.byKey.get(key);
    return task === undefined ? [] : this.resolve(task.index, 'waitedBy');
  }

  topologicalOrder(): readonly string[] {
    return this.order.flatMap((node) => (node.task === undefined ? [] : [node.task.key]));
  }

  ready(status: (key: string) => TaskRunStatus): readonly Task[] {
    const complete = new Array<boolean>(this.wiring.nodes.length).fill(false);
    const held = new Set<string>();
    const candidates: Task[] = [];
    this.order.forEach((node) => {
      // Complete = settled with everything before it complete: a task ticked out of order does not open the
      // next phase while an earlier task is still pending.
      const before = (this.wiring.waitsFor[node.id] ?? []).every((edge) => complete[edge.from] === true);
      if (node.task === undefined) {
        complete[node.id] = before;
        return;
      }
      const s = status(node.task.key);
      complete[node.id] = before && isSettled(s);
      if (s === 'running') for (const file of this.filesOf(node.task)) held.add(file);
      if (s === 'pending' && before) candidates.push(node.task);
    });
    const chosen: Task[] = [];
    for (const task of candidates.sort((a, b) => this.priority(b) - this.priority(a) || this.rank(a) - this.rank(b))) {
      const files = this.filesOf(task);
      if (files.some((file) => held.has(file))) continue;
      for (const file of files) held.add(file);
      chosen.push(task);
    }
    return chosen;
  }

  lockedFiles(key: string): readonly string[] {
    const task = this.byKey.get(key);
    return task === undefined ? [] : this.filesOf(task);
  }

  remaining(key: string): number {
    const task = this.byKey.get(key);
    return task === undefined ? 0 : this.priority(task);
  }

  criticalPath(duration: (task: Task) => number = () => 1): CriticalPath {
    const length = new Array<number>(this.wiring.nodes.length).fill(0);
    const via = new Array<number>(this.wiring.nodes.length).fill(-1);
    let best: GraphNode | undefined;
    this.order.forEach((node) => {
      let longest = 0;
      (this.wiring.waitsFor[node.id] ?? NO_EDGES).forEach((edge) => {
        const candidate = length[edge.from] ?? 0;
        if (via[node.id] === -1 || candidate > longest) {
          longest = candidate;
          via[node.id] = edge.from;
        }
      });
      length[node.id] = longest + (node.task === undefined ? 0 : duration(node.task));
      if (best === undefined || (length[node.id] ?? 0) > (length[best.id] ?? 0)) best = node;
    });
    const keys: string[] = [];
    for (let id = best?.id ?? -1; id >= 0; id = via[id] ?? -1) {
      const task = this.wiring.nodes[id]?.task;
      if (task !== undefined) keys.push(task.key);
    }
    return { keys: keys.reverse(), length: best === undefined ? 0 : (length[best.id] ?? 0) };
  }

  /** The longest chain of tasks from this one to the end, itself included: what "critical path first" compares. */
  private priority(task: Task): number {
    if (this.remainingByNode === undefined) {
      const remaining = new Array<number>(this.wiring.nodes.length).fill(0);
      [...this.order].reverse().forEach((node) => {
        const longestAfter = (this.wiring.waitedBy[node.id] ?? NO_EDGES).reduce(
          (longest, edge) => Math.max(longest, remaining[edge.to] ?? 0),
          0,
        );
        remaining[node.id] = longestAfter + (node.task === undefined ? 0 : 1);
      });
      this.remainingByNode = remaining;
    }
    return this.remainingByNode[task.index] ?? 0;
  }

  private rank(task: Task): number {
    return this.wiring.nodes[task.index]?.position ?? task.index;
  }

  /**
   * The tasks one step away on one side, looking through gates and hubs (depth first, in edge order). A task
   * reached through a story's gate waits because of the story order; otherwise the first edge says why.
   */
  private resolve(start: number, side: 'waitsFor' | 'waitedBy'): TaskEdge[] {
    const direct = this.directTasks(this.wiring[side][start] ?? NO_EDGES, side);
    if (direct !== undefined) return direct;
    const found: TaskEdge[] = [];
    const seen = new Set<number>([start]);
    const walk = (node: number, reason: EdgeReason | undefined): void => {
      (this.wiring[side][node] ?? NO_EDGES).forEach((edge) => {
        const other = side === 'waitsFor' ? edge.from : edge.to;
        if (seen.has(other)) return;
        seen.add(other);
        const why = reason === undefined || edge.reason === 'story-order' ? edge.reason : reason;
        const task = this.wiring.nodes[other]?.task;
        if (task !== undefined) found.push({ key: task.key, reason: why });
        else walk(other, why);
      });
    };
    walk(start, undefined);
    return found;
  }

  /**
   * What `resolve` finds when each edge reaches a task and no two the same one, as for most tasks: the edges
   * themselves, in order, without a walk. Undefined when a gate or hub is in the way, or a task comes twice.
   */
  private directTasks(edges: readonly GraphEdge[], side: 'waitsFor' | 'waitedBy'): TaskEdge[] | undefined {
    if (edges.length > DIRECT_LIST_LIMIT) return undefined;
    const found: TaskEdge[] = [];
    for (const edge of edges) {
      const task = this.wiring.nodes[side === 'waitsFor' ? edge.from : edge.to]?.task;
      if (task === undefined || found.some((earlier) => earlier.key === task.key)) return undefined;
      found.push({ key: task.key, reason: edge.reason });
    }
    return found;
  }
}
