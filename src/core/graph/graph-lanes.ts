/**
 * The order a tasks.md implies by its shape, in spec-kit's own words where it has them:
 * - phases run in order; tasks outside any phase run where they stand, between the phases around them;
 * - user-story phases run side by side where the file says so (see story-parallelism): each is a lane of its stage;
 * - within a lane, tasks without [P] run in sequence; a run of consecutive [P] tasks starts after the task before
 *   it, and the next task without [P] waits for the whole run; two [P] tasks naming the same file never overlap;
 * - tests of a story go before its implementation: a test written after an implementation task of its story moves
 *   up to just before it, in a sequence as in a [P] run;
 * - the author's explicit order comes first: a lane's tasks are sequenced in an order that keeps every explicit
 *   edge (`ranks`), document order otherwise.
 */
import type { Task, TasksDocument } from '../speckit/tasks-model';
import type { EdgeReason, GraphBuilder, GraphNode } from './graph-builder';
import type { StoryParallelism } from './story-parallelism';

/** Tasks that run one after another in one phase (or one stretch outside any phase). */
export interface Lane {
  /** Document order. */
  readonly tasks: readonly Task[];
  readonly phaseIndex: number | undefined;
}

/** Lanes that start together: one phase, or story phases that run side by side. */
export interface Stage {
  readonly lanes: readonly Lane[];
}

export function stagesOf(doc: TasksDocument, parallelism: StoryParallelism): Stage[] {
  const lanes: { tasks: Task[]; phaseIndex: number | undefined }[] = [];
  for (const task of doc.tasks) {
    const last = lanes.at(-1);
    if (last !== undefined && last.phaseIndex === task.phaseIndex) last.tasks.push(task);
    else lanes.push({ tasks: [task], phaseIndex: task.phaseIndex });
  }
  const groupOf = new Map<number, number>();
  parallelism.groups.forEach((group, g) => group.forEach((phaseIndex) => groupOf.set(phaseIndex, g)));
  const stages: { lanes: Lane[]; group: number | undefined }[] = [];
  for (const lane of lanes) {
    const group = lane.phaseIndex === undefined ? undefined : groupOf.get(lane.phaseIndex);
    const last = stages.at(-1);
    if (group !== undefined && last?.group === group) last.lanes.push(lane);
    else stages.push({ lanes: [lane], group });
  }
  return stages;
}

/** The story a task belongs to: its own label, else its phase's. */
export function storyOf(doc: TasksDocument, task: Task): string | undefined {
  return task.story ?? (task.phaseIndex === undefined ? undefined : doc.phases[task.phaseIndex]?.story);
}

/**
 * A lane's tasks in the order they would run without explicit edges: document order, with each test of a story
 * moved up to just before the first implementation task of its story written above it.
 */
export function preferredOrder(doc: TasksDocument, lane: Lane): readonly Task[] {
  const firstImplementation = new Map<string, number>();
  const anchor = new Map<Task, number>();
  lane.tasks.forEach((task, k) => {
    const story = storyOf(doc, task);
    const implementation = story === undefined ? undefined : firstImplementation.get(story);
    if (task.isTest && implementation !== undefined) anchor.set(task, implementation);
    else if (!task.isTest && story !== undefined && implementation === undefined) firstImplementation.set(story, k);
  });
  if (anchor.size === 0) return lane.tasks;
  // A moved test sorts at its anchor, before the implementation there, after tests moved to the same place.
  const size = lane.tasks.length;
  const place = (task: Task, k: number): number => {
    const at = anchor.get(task);
    return (at === undefined ? 2 * k + 1 : 2 * at) * size + k;
  };
  const places = new Map(lane.tasks.map((task, k) => [task, place(task, k)]));
  return [...lane.tasks].sort((a, b) => (places.get(a) ?? 0) - (places.get(b) ?? 0));
}

export interface LaneGates {
  readonly entry: GraphNode;
  readonly exit: GraphNode;
}

/**
 * Adds every stage's implied edges: each lane between its entry and exit gates, stages in order through one gate
 * between them, and the story waits of a stage's lanes. `rank` orders a lane's tasks (explicit edges kept).
 */
export interface ImpliedInput {
  readonly doc: TasksDocument;
  readonly builder: GraphBuilder;
  readonly stages: readonly Stage[];
  readonly parallelism: StoryParallelism;
  /** Where a task runs in its lane: its place in an order that keeps every explicit edge. */
  readonly rank: (task: Task) => number;
  /** The files a task locks, as the scheduler compares them. */
  readonly filesOf: (task: Task) => readonly string[];
}

export function addImpliedEdges(input: ImpliedInput): void {
  const { builder, stages, rank } = input;
  let previous: GraphNode | undefined;
  for (const stage of stages) {
    const gates = new Map<Lane, LaneGates>();
    for (const lane of stage.lanes) {
      const ordered = [...lane.tasks].sort((a, b) => rank(a) - rank(b));
      const ranks = ordered.map(rank);
      const laneGates = {
        entry: builder.addNode('gate', Math.min(...ranks) - 0.5),
        exit: builder.addNode('gate', Math.max(...ranks) + 0.5),
      };
      gates.set(lane, laneGates);
      if (previous !== undefined) builder.addEdge(previous.id, laneGates.entry.id, 'phase-order');
      addLaneEdges(input, ordered, laneGates);
    }
    addStoryWaits(builder, stage, gates, input.parallelism);
    const exits = [...gates.values()].map((g) => g.exit);
    if (exits.length === 1) {
      previous = exits[0];
      continue;
    }
    const barrier = builder.addNode('gate', Math.max(...exits.map((exit) => exit.position)) + 0.25);
    for (const exit of exits) builder.addEdge(exit.id, barrier.id, 'phase-order');
    previous = barrier;
  }
}

/** Lanes of one stage wait for the stories the file names (`US3` after `US1`). */
function addStoryWaits(
  builder: GraphBuilder,
  stage: Stage,
  gates: ReadonlyMap<Lane, LaneGates>,
  parallelism: StoryParallelism,
): void {
  for (const lane of stage.lanes) {
    const waits = lane.phaseIndex === undefined ? undefined : parallelism.waitsFor.get(lane.phaseIndex);
    for (const phaseIndex of waits ?? []) {
      const other = stage.lanes.find((l) => l.phaseIndex === phaseIndex);
      const from = other === undefined ? undefined : gates.get(other)?.exit;
      const to = gates.get(lane)?.entry;
      if (from !== undefined && to !== undefined) builder.addEdge(from.id, to.id, 'story-order');
    }
  }
}

/** The edges inside one lane, its tasks in running order. */
function addLaneEdges(input: ImpliedInput, ordered: readonly Task[], gates: LaneGates): void {
  const { doc, builder } = input;
  // What the next task waits for: the entry gate, the last task without [P], or the whole current [P] run.
  let before: readonly Task[] = [];
  const run = new ParallelRun(input);
  ordered.forEach((task) => {
    const waitsFor = task.parallel || run.tasks.length === 0 ? before : run.tasks;
    if (waitsFor.length === 0) builder.addEdge(gates.entry.id, task.index, 'phase-order');
    waitsFor.forEach((earlier) => builder.addEdge(earlier.index, task.index, sequenceReason(doc, earlier, task)));
    if (task.parallel) {
      run.add(task);
    } else {
      before = [task];
      run.clear();
    }
  });
  const last = run.tasks.length > 0 ? run.tasks : before;
  last.forEach((task) => builder.addEdge(task.index, gates.exit.id, 'phase-order'));
  if (last.length === 0) builder.addEdge(gates.entry.id, gates.exit.id, 'phase-order');
}

function sequenceReason(doc: TasksDocument, from: Task, to: Task): EdgeReason {
  return from.isTest && !to.isTest && storyOf(doc, from) === storyOf(doc, to) ? 'tests-first' : 'sequence';
}

/** The current run of consecutive [P] tasks of a lane: who holds each file, and the tests of each story met so far. */
class ParallelRun {
  tasks: Task[] = [];
  private readonly fileHolders = new Map<string, Task>();
  private readonly testsOfStory = new Map<string, Task[]>();

  constructor(private readonly input: ImpliedInput) {}

  /** A [P] task waits for the earlier member that holds one of its files, and for earlier tests of its story. */
  add(task: Task): void {
    const { builder, doc } = this.input;
    this.input.filesOf(task).forEach((file) => {
      const holder = this.fileHolders.get(file);
      if (holder !== undefined) builder.addEdge(holder.index, task.index, 'same-file');
      this.fileHolders.set(file, task);
    });
    const story = storyOf(doc, task);
    if (story !== undefined) {
      const tests = this.testsOfStory.get(story) ?? [];
      if (task.isTest) {
        tests.push(task);
        this.testsOfStory.set(story, tests);
      } else {
        tests.forEach((test) => builder.addEdge(test.index, task.index, 'tests-first'));
      }
    }
    this.tasks.push(task);
  }

  /** A task without [P] ends the run. */
  clear(): void {
    if (this.tasks.length === 0) return;
    this.tasks = [];
    this.fileHolders.clear();
    this.testsOfStory.clear();
  }
}
