// The Tasks tree as plain data: which nodes exist, what each row shows, and which rows changed since VS Code
// was last given them. No `vscode` here, so the refresh rules are unit-tested; tasks-tree.ts renders rows.
import {
  outsideStretchOf,
  taskGroupsOf,
  whyDocumentHasNoTasks,
  type Task,
  type TaskGroup,
  type TasksDocument,
} from '../../core/engine/light';
import type { TaskStatus, WorkerRole } from '../../protocol/engine-events';
import { commandLine } from '../../protocol/run-wording';
import { plainText } from './plain-text';

/** Tree elements are small keys; the tree interns them by `nodeId`, so VS Code always gets the same object. */
export type TaskNode =
  | { kind: 'feature'; featureId: string }
  | { kind: 'phase'; featureId: string; phaseIndex: number }
  | { kind: 'task'; featureId: string; taskKey: string };

/**
 * The `phaseIndex` of a node for tasks under no phase heading: -1 for the first stretch of them, -2 for the next…
 * Each stretch shows where it stands in the file, between the phases around it.
 */
export function outsideNodeIndex(stretch: number): number {
  return -1 - stretch;
}

/** The `phaseIndex` of the node that holds a task: its phase, or the stretch of tasks outside any phase it is in. */
export function groupNodeIndexOf(document: TasksDocument, task: Task): number {
  return task.phaseIndex ?? outsideNodeIndex(outsideStretchOf(document, task) ?? 0);
}

/** Stable and unique: the tree item's `id`, so VS Code keeps a row's identity (and a click's target) across refreshes. */
export function nodeId(node: TaskNode): string {
  switch (node.kind) {
    case 'feature':
      return `feature:${node.featureId}`;
    case 'phase':
      return `phase:${node.featureId}:${node.phaseIndex}`;
    case 'task':
      return `task:${node.featureId}:${node.taskKey}`;
  }
}

/** A feature as the tree reads it. */
export interface FeatureModel {
  readonly featureId: string;
  readonly tasksPath: string;
  readonly document: TasksDocument;
}

/** What the rows need of the window's run; the tree answers from the session's fold of the run's events. */
export interface RunFacts {
  /** The feature of the run the window shows, if any. */
  readonly featureId: string | undefined;
  /** That run has ended: tasks.md decides again what is done (a rollback or a hand edit may have unticked). */
  readonly finished?: boolean;
  statusOf(taskKey: string): TaskStatus | undefined;
  roleOf(taskKey: string): WorkerRole | undefined;
  lastMessageOf(taskKey: string): string | undefined;
  /** The slash commands the run gives the task's worker (`['spec-kit:implement', 'test']`), when it knows them. */
  commandsOf?(taskKey: string): readonly string[] | undefined;
}

/** A tooltip is Markdown put together from trusted Markdown and text that is shown as written. */
export type TooltipPart = { markdown: string } | { text: string };

/** One row, as data. Two rows with the same `rowSignature` look the same, so only changed rows are refreshed. */
export interface TreeRow {
  readonly label: string;
  readonly description: string;
  readonly icon: { readonly id: string; readonly color?: string };
  readonly contextValue: string;
  /** Feature and phase rows expand; task rows are leaves. */
  readonly collapsible: 'expanded' | 'collapsed' | 'none';
  readonly tooltip: readonly TooltipPart[];
  readonly accessibilityLabel?: string;
  /** Task rows: the tasks.md line a click reveals. */
  readonly openLine?: number;
}

export function rowSignature(row: TreeRow): string {
  return JSON.stringify(row);
}

const STATUS_ICON: Record<TaskStatus, TreeRow['icon']> = {
  pending: { id: 'circle-large-outline' },
  ready: { id: 'circle-large-outline', color: 'charts.blue' },
  running: { id: 'sync~spin', color: 'charts.blue' },
  'awaiting-approval': { id: 'eye', color: 'charts.yellow' },
  done: { id: 'pass-filled', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  skipped: { id: 'debug-step-over', color: 'disabledForeground' },
  cancelled: { id: 'circle-slash', color: 'disabledForeground' },
};

const STATUS_LABEL: Record<TaskStatus, string> = {
  pending: 'pending',
  ready: 'ready',
  running: 'running',
  'awaiting-approval': 'awaiting approval',
  done: 'done',
  failed: 'failed',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

/**
 * Status from the run when it is this feature's and knows the task, else from the checkbox. Once the run has
 * ended, the checkbox decides whether a task is done; the run still says why an open task is open (failed,
 * cancelled), and which tasks it skipped.
 */
export function taskStatus(feature: FeatureModel, task: Task, run: RunFacts): TaskStatus {
  const fromRun = run.featureId === feature.featureId ? run.statusOf(task.key) : undefined;
  const fromCheckbox = task.done ? 'done' : 'pending';
  if (fromRun === undefined) return fromCheckbox;
  if (run.finished === true && fromRun !== 'skipped' && (task.done || fromRun === 'done')) return fromCheckbox;
  return fromRun;
}

function isActive(status: TaskStatus): boolean {
  return status === 'running' || status === 'awaiting-approval';
}

export function tasksOfPhase(feature: FeatureModel, phaseIndex: number): readonly Task[] {
  const group = taskGroupsOf(feature.document).find((g) => nodeIndexOfGroup(g) === phaseIndex);
  return group?.tasks ?? [];
}

function nodeIndexOfGroup(group: TaskGroup): number {
  return group.kind === 'phase' ? group.phase.index : outsideNodeIndex(group.stretch);
}

/** The nodes under `node` (the features under the root), in display order. */
export function childrenOf(features: readonly FeatureModel[], node: TaskNode | undefined): TaskNode[] {
  if (node === undefined) return features.map((f) => ({ kind: 'feature', featureId: f.featureId }));
  const feature = features.find((f) => f.featureId === node.featureId);
  if (!feature) return [];
  switch (node.kind) {
    case 'feature': {
      return taskGroupsOf(feature.document).map((group) => ({
        kind: 'phase',
        featureId: node.featureId,
        phaseIndex: nodeIndexOfGroup(group),
      }));
    }
    case 'phase':
      return tasksOfPhase(feature, node.phaseIndex).map((t) => ({
        kind: 'task',
        featureId: node.featureId,
        taskKey: t.key,
      }));
    case 'task':
      return [];
  }
}

/** The row of a node, or undefined when the node no longer exists (its feature, phase or task is gone). */
export function rowOf(features: readonly FeatureModel[], node: TaskNode, run: RunFacts): TreeRow | undefined {
  const feature = features.find((f) => f.featureId === node.featureId);
  if (!feature) return undefined;
  switch (node.kind) {
    case 'feature':
      return featureRow(feature, run);
    case 'phase':
      return phaseRow(feature, node.phaseIndex, run);
    case 'task': {
      const task = feature.document.tasks.find((t) => t.key === node.taskKey);
      return task && taskRow(feature, task, run);
    }
  }
}

function featureRow(feature: FeatureModel, run: RunFacts): TreeRow {
  const { tasks } = feature.document;
  const done = tasks.filter((t) => taskStatus(feature, t, run) === 'done').length;
  // A file of task-like lines that yields no task says why where the user looks first, not only in Problems.
  const why = whyDocumentHasNoTasks(feature.document);
  return {
    label: feature.featureId,
    description: why === '' ? `${done}/${tasks.length}` : 'no tasks: see why',
    icon: { id: why === '' ? 'checklist' : 'warning' },
    contextValue: 'feature',
    collapsible: 'expanded',
    tooltip: why === '' ? [{ text: feature.tasksPath }] : [{ text: `${feature.tasksPath} has no tasks${why}` }],
  };
}

function phaseRow(feature: FeatureModel, phaseIndex: number, run: RunFacts): TreeRow | undefined {
  const phase = phaseIndex < 0 ? undefined : feature.document.phases[phaseIndex];
  if (phaseIndex >= 0 && !phase) return undefined;
  const tasks = tasksOfPhase(feature, phaseIndex);
  if (phaseIndex < 0 && tasks.length === 0) return undefined;
  const statuses = tasks.map((t) => taskStatus(feature, t, run));
  const done = statuses.filter((s) => s === 'done').length;
  const complete = done === tasks.length && tasks.length > 0;
  const label = phase
    ? phase.number !== undefined
      ? `Phase ${phase.number}: ${phase.title}`
      : phase.title
    : 'Tasks outside a phase';
  const about = phase?.purpose ?? phase?.goal;
  return {
    label,
    description: `${done}/${tasks.length}`,
    // Spins while a task works or waits for review: "active" flips less often than running ⇄ awaiting-approval,
    // and each flip refreshes the phase with every row under it.
    icon: { id: complete ? 'pass' : statuses.some(isActive) ? 'sync~spin' : 'list-tree' },
    contextValue: 'phase',
    collapsible: complete ? 'collapsed' : 'expanded',
    tooltip: about !== undefined ? [{ text: about }] : [],
  };
}

function taskRow(feature: FeatureModel, task: Task, run: RunFacts): TreeRow {
  const status = taskStatus(feature, task, run);
  const ours = run.featureId === feature.featureId;
  const role = ours ? run.roleOf(task.key) : undefined;
  const message = ours ? run.lastMessageOf(task.key) : undefined;
  const commands = ours ? run.commandsOf?.(task.key) : undefined;
  const tooltip: TooltipPart[] = [
    {
      markdown: `**${task.id}** · ${STATUS_LABEL[status]}${role ? ` · ${role}` : ''}${task.parallel ? ' · parallel' : ''}${task.story ? ` · ${task.story}` : ''}\n\n`,
    },
    { text: task.description },
    { markdown: '\n\n' },
  ];
  if (task.files.length > 0)
    tooltip.push({ markdown: `**Files:** ${task.files.map((f) => `\`${f.replace(/`/g, '')}\``).join(', ')}\n\n` });
  if (task.dependsOn.length > 0) tooltip.push({ markdown: `**Depends on:** ${task.dependsOn.join(', ')}\n\n` });
  if (commands !== undefined && commands.length > 0)
    tooltip.push({ markdown: '**Command:** ' }, { text: commandLine(commands) }, { markdown: '\n\n' });
  if (message !== undefined) tooltip.push({ markdown: '**Last message:** ' }, { text: message });
  return {
    label: `${task.id} ${plainText(task.description)}`,
    description: [task.parallel ? '[P]' : '', role ?? ''].filter((s) => s !== '').join(' '),
    icon: STATUS_ICON[status],
    contextValue: `task.${status}`,
    collapsible: 'none',
    tooltip,
    accessibilityLabel: `${task.id}, ${STATUS_LABEL[status]}${role ? `, ${role}` : ''}: ${task.description}`,
    openLine: task.line,
  };
}
