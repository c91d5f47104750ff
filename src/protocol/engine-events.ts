/**
 * What the engine tells its faces (VS Code trees and panel, the CLI's progress lines, the language server's
 * hovers) while a run goes on. Faces subscribe to these and never reach into the engine or keep their own
 * copy of a task's state: a face's picture of a run is a fold over these events (see `foldRunView`).
 *
 * Plain data only (JSON-serialisable): the same events cross into the webview and are written to logs.
 */
import { assertNever } from '../core/util/assert-never';
import type { ValidationReport } from './validation-report';

export type TaskStatus =
  'pending' | 'ready' | 'running' | 'awaiting-approval' | 'done' | 'failed' | 'skipped' | 'cancelled';

/** Every role, for readers that check a role read from disk or the wire. */
export const WORKER_ROLES = [
  'task-orchestrator',
  'implementation-orchestrator',
  'code-writer',
  'test-writer',
  'documenter',
  'reviewer',
  'bug-fixer',
] as const;

export type WorkerRole = (typeof WORKER_ROLES)[number];

export type ApprovalPolicy = 'ask' | 'auto-approve-tests' | 'auto-approve-all';

/** Tokens of one model call, or summed over calls; each kind is billed at its own rate. */
export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
  /** All cache writes, both TTLs. */
  cacheCreationInputTokens: number;
  /** The part of `cacheCreationInputTokens` written with the 1-hour TTL (priced higher). */
  cacheCreation1hInputTokens: number;
  cacheReadInputTokens: number;
  /** True when the provider reported no usage and these are our estimates. */
  estimated: boolean;
}

/** Usage with what it cost: what events, the journal and run results count. */
export interface UsageTotals extends LlmUsage {
  /** Money in US dollars at the configured prices. */
  costUsd: number;
}

export function zeroUsage(estimated = false): LlmUsage {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationInputTokens: 0,
    cacheCreation1hInputTokens: 0,
    cacheReadInputTokens: 0,
    estimated,
  };
}

export function addUsage(a: LlmUsage, b: LlmUsage): LlmUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    cacheCreation1hInputTokens: a.cacheCreation1hInputTokens + b.cacheCreation1hInputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    estimated: a.estimated || b.estimated,
  };
}

export function zeroUsageTotals(): UsageTotals {
  return { ...zeroUsage(), costUsd: 0 };
}

export function addUsageTotals(a: UsageTotals, b: UsageTotals): UsageTotals {
  return { ...addUsage(a, b), costUsd: a.costUsd + b.costUsd };
}

export interface PhaseView {
  index: number;
  title: string;
  taskKeys: string[];
}

export interface TaskView {
  key: string;
  id: string;
  description: string;
  phaseIndex: number;
  line: number;
  files: string[];
  dependsOn: string[];
  parallel: boolean;
  status: TaskStatus;
  /** The slash commands its worker is given, outermost first, without the slash (`['spec-kit:implement', 'test']`). */
  commands?: string[];
}

export type ProposalKind = 'create' | 'modify' | 'delete';

/** A proposed edit as a face shows it for review. The proposed text is fetched on demand (it can be large). */
export interface ProposalView {
  id: string;
  taskKey: string;
  workerId: string;
  role: WorkerRole;
  /** Workspace-relative, forward slashes. */
  path: string;
  kind: ProposalKind;
  /** Why the worker proposes it, in its own words, when it said so. */
  reason?: string;
  createdAt: string;
}

export type ProposalOutcome = 'accepted' | 'accepted-with-edits' | 'rejected' | 'stale' | 'refused' | 'cancelled';

export type RunOutcome = 'completed' | 'failed' | 'cancelled' | 'budget-exceeded' | 'needs-approval';

/**
 * Why a failure stops the whole run rather than one task: every other model call would fail the same way.
 * `credentials`: the key or the sign-in was refused; `model`: no model, or an unknown model or endpoint.
 */
export type RunStopCause = 'credentials' | 'model';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export type EngineEvent =
  | {
      type: 'run-started';
      runId: string;
      featureId: string;
      tasksPath: string;
      phases: PhaseView[];
      tasks: TaskView[];
      resumed: boolean;
      budgetUsd?: number;
      at: string;
    }
  | {
      type: 'task-status';
      taskKey: string;
      status: TaskStatus;
      role?: WorkerRole;
      workerId?: string;
      message?: string;
      at: string;
    }
  | {
      type: 'worker-started';
      workerId: string;
      role: WorkerRole;
      taskKey: string;
      model: string;
      /** The slash commands its instruction was built from, outermost first, without the slash. */
      commands?: string[];
      at: string;
    }
  | { type: 'worker-activity'; workerId: string; activity: string; at: string }
  | {
      type: 'worker-finished';
      workerId: string;
      outcome: 'done' | 'failed' | 'cancelled';
      summary?: string;
      at: string;
    }
  | { type: 'proposal-pending'; proposal: ProposalView; at: string }
  | { type: 'proposal-decided'; proposalId: string; outcome: ProposalOutcome; feedback?: string; at: string }
  | { type: 'proposal-applied'; proposalId: string; taskKey: string; path: string; kind: ProposalKind; at: string }
  | {
      type: 'usage';
      totals: UsageTotals;
      byRole: Partial<Record<WorkerRole, UsageTotals>>;
      byTask?: Record<string, UsageTotals>;
      at: string;
    }
  | {
      type: 'finding';
      source: 'code-review' | 'security-review' | 'tests' | 'coverage';
      severity: 'info' | 'warning' | 'error';
      message: string;
      path?: string;
      line?: number;
      at: string;
    }
  /** The validation phase's verdicts, reviews and test run (again after each convergence round). */
  | { type: 'validation-report'; report: ValidationReport; at: string }
  | { type: 'log'; level: LogLevel; message: string; at: string }
  | { type: 'run-finished'; outcome: RunOutcome; message: string; at: string };

/** A face's picture of the run, rebuilt from events alone. */
export interface RunView {
  runId?: string;
  featureId?: string;
  tasksPath?: string;
  phases: PhaseView[];
  tasks: Map<string, TaskView>;
  workers: Map<
    string,
    { workerId: string; role: WorkerRole; taskKey: string; model: string; activity: string; commands: string[] }
  >;
  pending: Map<string, ProposalView>;
  applied: { proposalId: string; taskKey: string; path: string; kind: ProposalKind }[];
  usage?: UsageTotals;
  budgetUsd?: number;
  startedAt?: string;
  /** The latest validation report of the run. */
  validation?: ValidationReport;
  finished?: { outcome: RunOutcome; message: string; at: string };
  /** Set when the run (or some of its tasks) was rolled back after it ended; a new run clears it. */
  rolledBack?: RunRollback;
}

/** A rollback of the shown run, as its faces tell it: what came back, and which tasks' work it undid. */
export interface RunRollback {
  /** The whole run, or the one task whose edits were rolled back. */
  scope: 'run' | 'task';
  /** Task keys whose work was rolled back (all rollbacks of the run so far). */
  taskKeys: string[];
  restored: number;
  deleted: number;
  skipped: number;
  at: string;
}

/** What the faces say of a task: its last status, or `rolled-back` once its work was undone. */
export type ShownTaskStatus = TaskStatus | 'rolled-back';

/** The task's status as the faces show it after a rollback. */
export function shownTaskStatus(
  view: Pick<RunView, 'tasks' | 'rolledBack'>,
  taskKey: string,
): ShownTaskStatus | undefined {
  if (view.rolledBack?.taskKeys.includes(taskKey)) return 'rolled-back';
  return view.tasks.get(taskKey)?.status;
}

/**
 * Notes a rollback of the shown run. The tasks it undid: with `taskKey`, that one; for the whole run, every task
 * the run finished, wrote a file for, or whose tick came off (`untickedIds`: task ids as tasks.md writes them).
 */
export function foldRollback(
  view: RunView,
  rollback: {
    taskKey?: string;
    untickedIds: readonly string[];
    restored: number;
    deleted: number;
    skipped: number;
    at: string;
  },
): RunView {
  const undone = new Set(view.rolledBack?.taskKeys ?? []);
  if (rollback.taskKey !== undefined) undone.add(rollback.taskKey);
  else {
    for (const task of view.tasks.values())
      if (task.status === 'done' || rollback.untickedIds.includes(task.id)) undone.add(task.key);
    for (const edit of view.applied) undone.add(edit.taskKey);
  }
  view.rolledBack = {
    scope: rollback.taskKey === undefined || view.rolledBack?.scope === 'run' ? 'run' : 'task',
    taskKeys: [...undone],
    restored: rollback.restored + (view.rolledBack?.restored ?? 0),
    deleted: rollback.deleted + (view.rolledBack?.deleted ?? 0),
    skipped: rollback.skipped,
    at: rollback.at,
  };
  return view;
}

export function emptyRunView(): RunView {
  return { phases: [], tasks: new Map(), workers: new Map(), pending: new Map(), applied: [] };
}

/** Applies one event to a view in place; returns the view for chaining. Unknown task keys are ignored. */
export function foldRunView(view: RunView, event: EngineEvent): RunView {
  switch (event.type) {
    case 'run-started':
      view.runId = event.runId;
      view.featureId = event.featureId;
      view.tasksPath = event.tasksPath;
      view.phases = event.phases;
      view.tasks = new Map(event.tasks.map((t) => [t.key, { ...t }]));
      view.workers.clear();
      view.pending.clear();
      view.applied = [];
      view.startedAt = event.at;
      if (event.budgetUsd !== undefined) view.budgetUsd = event.budgetUsd;
      delete view.validation;
      delete view.finished;
      delete view.rolledBack;
      return view;
    case 'task-status': {
      const task = view.tasks.get(event.taskKey);
      if (task) task.status = event.status;
      return view;
    }
    case 'worker-started':
      view.workers.set(event.workerId, {
        workerId: event.workerId,
        role: event.role,
        taskKey: event.taskKey,
        model: event.model,
        activity: 'starting',
        commands: event.commands ?? [],
      });
      return view;
    case 'worker-activity': {
      const worker = view.workers.get(event.workerId);
      if (worker) worker.activity = event.activity;
      return view;
    }
    case 'worker-finished':
      view.workers.delete(event.workerId);
      return view;
    case 'proposal-pending':
      view.pending.set(event.proposal.id, event.proposal);
      return view;
    case 'proposal-decided':
      view.pending.delete(event.proposalId);
      return view;
    case 'proposal-applied':
      view.applied.push({ proposalId: event.proposalId, taskKey: event.taskKey, path: event.path, kind: event.kind });
      return view;
    case 'usage':
      view.usage = event.totals;
      return view;
    case 'validation-report':
      view.validation = event.report;
      return view;
    case 'finding':
    case 'log':
      return view;
    case 'run-finished':
      view.finished = { outcome: event.outcome, message: event.message, at: event.at };
      view.workers.clear();
      return view;
    default:
      return assertNever(event);
  }
}
