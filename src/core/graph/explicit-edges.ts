/**
 * The order the author wrote: a task's own "depends on T012" and the file's statements ("T014 blocks T022",
 * "Tests (T006-T013) before implementation (T014-T034)"). A wait on a task of a later phase contradicts the
 * phase order the author also wrote: it is reported where it is written and not scheduled.
 */
import type { TaskIdIndex } from '../speckit/task-ids';
import type { DependencyStatement, Task, TaskIdRef, TasksDiagnostic, TasksDocument } from '../speckit/tasks-model';
import type { GraphBuilder } from './graph-builder';
import { tasksByKey, type TaskLookup } from '../speckit/tasks-by-key';
import { taskIdRange } from '../speckit/task-ranges';

// A statement whose sides multiply to more edges than this goes through one hub node.
const DIRECT_EDGE_LIMIT = 64;

export interface ExplicitInput {
  readonly doc: TasksDocument;
  readonly builder: GraphBuilder;
  readonly ids: TaskIdIndex;
  /** The scheduling stage of each task (phases in order; story phases that run side by side share one). */
  readonly stageOf: (taskIndex: number) => number;
}

/** Adds the author's edges to the builder; returns the diagnostics for waits on later phases. */
export function addExplicitEdges(input: ExplicitInput): TasksDiagnostic[] {
  const diagnostics: TasksDiagnostic[] = [];
  const nodes = new TaskNodes(input.doc);
  input.doc.tasks.forEach((task) => addOwnDependencies(input, nodes, task, diagnostics));
  input.doc.dependencyStatements.forEach((statement) => addStatement(input, nodes, statement, diagnostics));
  return diagnostics;
}

/**
 * An id several tasks hold (a duplicate-task-id warning) names one of them: in a task's own text the nearest one
 * written before it (else the first), as the author reads it; in a statement, which stands apart from the tasks,
 * the first. Binding to all would invent waits, even cycles.
 */
class TaskNodes {
  private readonly byKey: TaskLookup;
  /** Only ids written more than once: every task with the id, in document order. */
  private readonly duplicates = new Map<string, number[]>();

  constructor(doc: TasksDocument) {
    this.byKey = tasksByKey(doc);
    doc.tasks.forEach((task) => {
      if (task.key === task.id) return;
      const first = this.byKey.get(task.id)?.index;
      const same = this.duplicates.get(task.id) ?? (first === undefined ? [] : [first]);
      same.push(task.index);
      this.duplicates.set(task.id, same);
    });
  }

  withId(id: string, readFrom?: number): number | undefined {
    const first = this.byKey.get(id)?.index;
    const same = this.duplicates.get(id);
    if (same === undefined || readFrom === undefined || first === undefined || first > readFrom) return first;
    return same.filter((index) => index < readFrom).at(-1) ?? first;
  }

  ofRefs(refs: readonly TaskIdRef[], ids: TaskIdIndex): number[] {
    const found = new Set<number>();
    for (const ref of refs)
      for (const id of ids.expand(ref)) {
        const node = this.withId(id);
        if (node !== undefined) found.add(node);
      }
    return [...found].sort((a, b) => a - b);
  }
}

function addOwnDependencies(input: ExplicitInput, nodes: TaskNodes, task: Task, diagnostics: TasksDiagnostic[]): void {
  const later: string[] = [];
  for (const id of task.dependsOn) {
    const dependency = nodes.withId(id, task.index);
    if (dependency === undefined || dependency === task.index) continue;
    if (input.stageOf(dependency) > input.stageOf(task.index)) {
      if (!later.includes(id)) later.push(id);
      continue;
    }
    input.builder.addEdge(dependency, task.index, 'explicit');
  }
  if (later.length > 0) diagnostics.push(...laterPhaseInTask(input.ids, task, later));
}

/** One diagnostic per reference in the task's text that names a task of a later phase, on that reference. */
function laterPhaseInTask(ids: TaskIdIndex, task: Task, later: readonly string[]): TasksDiagnostic[] {
  const found: TasksDiagnostic[] = [];
  for (const ref of task.dependencyRefs) {
    const named = ids.expand(ref).filter((id) => later.includes(id));
    if (named.length === 0) continue;
    const which = named.length === 1 ? `${named[0] ?? ''}, which is` : `${named.join(', ')}, which are`;
    found.push(
      laterPhase(
        ref.range,
        `${task.id} depends on ${which} in a later phase; ignored for scheduling (phases run in order).`,
        task.key,
      ),
    );
  }
  // A task built elsewhere may carry ids without the references they came from.
  if (found.length === 0)
    found.push(
      laterPhase(
        taskIdRange(task),
        `${task.id} depends on ${later.join(', ')}, in a later phase; ignored for scheduling (phases run in order).`,
        task.key,
      ),
    );
  return found;
}

function addStatement(
  input: ExplicitInput,
  nodes: TaskNodes,
  statement: DependencyStatement,
  diagnostics: TasksDiagnostic[],
): void {
  // A task's own "before T016" is about that very task, even when its id is written twice.
  const own = statement.taskKey === undefined ? undefined : tasksByKey(input.doc).get(statement.taskKey);
  const before = own === undefined ? nodes.ofRefs(statement.before, input.ids) : [own.index];
  const after = nodes.ofRefs(statement.after, input.ids);
  const dropped = new Set<number>();
  const sources: number[] = [];
  const targets: number[] = [];
  for (const target of after) {
    const fitting = before.filter((source) => {
      if (input.stageOf(source) <= input.stageOf(target)) return source !== target;
      dropped.add(source);
      return false;
    });
    if (fitting.length === 0) continue;
    targets.push(target);
    for (const source of fitting) if (!sources.includes(source)) sources.push(source);
  }
  linkMany(input.builder, sources, targets, input.stageOf);
  if (dropped.size > 0) diagnostics.push(...laterPhaseInStatement(input, nodes, statement, dropped));
}

/**
 * Every source before every target (each pair whose stages allow it): directly when the pairs are few, else
 * through one hub per target stage, so edges stay linear in the size of the statement.
 */
function linkMany(
  builder: GraphBuilder,
  sources: readonly number[],
  targets: readonly number[],
  stageOf: (taskIndex: number) => number,
): void {
  if (sources.length * targets.length <= DIRECT_EDGE_LIMIT) {
    for (const target of targets)
      for (const source of sources)
        if (source !== target && stageOf(source) <= stageOf(target)) builder.addEdge(source, target, 'explicit');
    return;
  }
  const stages = [...new Set(targets.map(stageOf))];
  for (const stage of stages) {
    const here = targets.filter((target) => stageOf(target) === stage);
    const hub = builder.addNode('hub', Math.min(...here));
    for (const source of sources)
      if (stageOf(source) <= stage && !here.includes(source)) builder.addEdge(source, hub.id, 'explicit');
    for (const target of here) builder.addEdge(hub.id, target, 'explicit');
  }
}

/** On each reference of the waited-for side that names a task of a later phase. */
function laterPhaseInStatement(
  input: ExplicitInput,
  nodes: TaskNodes,
  statement: DependencyStatement,
  dropped: ReadonlySet<number>,
): TasksDiagnostic[] {
  const found: TasksDiagnostic[] = [];
  for (const ref of statement.before) {
    const named = [
      ...new Set(
        nodes
          .ofRefs([ref], input.ids)
          .filter((node) => dropped.has(node))
          .map((node) => input.doc.tasks[node]?.id ?? '?'),
      ),
    ];
    if (named.length === 0) continue;
    found.push(
      laterPhase(
        ref.range,
        `"${statement.text}" makes earlier tasks wait for ${named.join(', ')}, in a later phase; ignored for scheduling.`,
        statement.taskKey,
      ),
    );
  }
  return found;
}

function laterPhase(range: TasksDiagnostic['range'], message: string, taskKey: string | undefined): TasksDiagnostic {
  return {
    code: 'dependency-on-later-phase',
    severity: 'warning',
    range,
    message,
    ...(taskKey === undefined ? {} : { taskKey }),
  };
}
