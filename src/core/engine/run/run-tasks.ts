/**
 * The run's work after the start: the schedule over the task graph (the scheduler moves every task; each move
 * is journaled before the schedule goes on), then the validation phase (reviews, the test run, coverage).
 */
import type { ValidationReport } from '../../../protocol/validation-report';
import type { CommandService } from '../commands/command-service';
import type { CoverageItem } from '../facade-types';
import { liveEdits } from '../journal/fold';
import { taskArguments } from '../scheduler/command-choice';
import { Scheduler, type InitialStatus, type ScheduleResult, type TaskMove } from '../scheduler/scheduler';
import { writeReportFiles } from '../validation/report-files';
import { runValidation } from '../validation/validation-phase';
import { executeTask, type TaskExecutionDeps } from '../workers/task-execution';
import type { RunContext } from './run-context';

export function createScheduler(
  ctx: RunContext,
  workers: TaskExecutionDeps,
  initialStatus: (key: string) => InitialStatus,
): Scheduler {
  const { plan, graph } = ctx;
  const planned = new Map(plan.tasks.map((t) => [t.key, t]));
  const show = ({ key, status, role, workerId, message }: TaskMove): void => {
    // A worker starting on a task works in the task's planned role unless a move says otherwise (a bug-fixer).
    const shownRole = role ?? (status === 'running' && workerId === undefined ? planned.get(key)?.role : undefined);
    ctx.events.emit({
      type: 'task-status',
      taskKey: key,
      status,
      ...(shownRole !== undefined ? { role: shownRole } : {}),
      ...(workerId !== undefined ? { workerId } : {}),
      ...(message !== undefined ? { message } : {}),
    });
  };
  return new Scheduler({
    graph,
    taskKeys: plan.tasks.map((t) => t.key),
    initialStatus,
    maxWorkers: ctx.settings.maxWorkers,
    // One spelling per file: `../../src/x.ts` from the tasks file's folder and `src/x.ts` lock as one.
    filesOf: (key) => graph.lockedFiles(key),
    priority: (key) => graph.remaining(key),
    execute: async (key, signal, progress) => {
      const task = planned.get(key);
      if (!task) return { status: 'skipped', reason: 'not in the plan' };
      const files = task.files.filter((f) => !f.endsWith('/'));
      return executeTask(
        { key, id: task.id, role: task.role, files, commands: task.commands, commandArguments: taskArguments(task) },
        workers,
        signal,
        progress,
      );
    },
    onStatus: async (move) => {
      show(move);
      const { key, status, message } = move;
      await ctx.append({
        type: 'task-state',
        at: ctx.at(),
        taskKey: key,
        status,
        ...(message !== undefined ? { message } : {}),
      });
    },
    onProgress: show,
    signal: ctx.signal,
  });
}

export interface ValidationInput {
  schedule: ScheduleResult;
  workers: TaskExecutionDeps;
  commands: CommandService;
  /** True when this session applied an edit. */
  editedThisSession: () => boolean;
  onFinding: () => void;
}

/**
 * Reviews, the test run, requirement verdicts and the convergence rounds, once some task is done and the run
 * was not stopped. Each round's report is journaled before its files are written; what the reviewers found
 * is journaled as evidence for the ticks before the phase ends.
 */
export async function validateRun(
  ctx: RunContext,
  input: ValidationInput,
): Promise<{ coverage: CoverageItem[]; report?: ValidationReport }> {
  const { schedule } = input;
  const anyDone = [...schedule.status.values()].some((s) => s === 'done');
  if (ctx.signal.aborted || !ctx.settings.validate || !anyDone) return { coverage: [] };
  const { resume } = ctx;
  const findings = ctx.events.on((event) => {
    if (event.type === 'finding') ctx.evidence.noteFinding(event);
  });
  const validation = await runValidation({
    plan: ctx.plan,
    doc: ctx.doc,
    texts: ctx.texts,
    status: (key) => schedule.status.get(key) ?? 'pending',
    changedFiles: (key) => (ctx.applied.get(key) ?? []).map((c) => c.path),
    workers: input.workers,
    commands: input.commands,
    previousCommands: resume?.state.commands ?? [],
    editsSince: (iso) =>
      input.editedThisSession() || (resume ? liveEdits(resume.state).some((e) => e.at > iso) : false),
    convergeRounds: ctx.settings.convergeRounds,
    onFinding: input.onFinding,
    onReport: async (round) => {
      // Journaled first: the report files are a view of the record, written after it.
      await ctx.append({ type: 'validation-report', at: ctx.at(), report: round });
      ctx.events.emit({ type: 'validation-report', report: round });
      await writeReportFiles(ctx.folder.dir, ctx.runId, round);
    },
    signal: ctx.signal,
  }).finally(() => findings.dispose());
  await ctx.evidence.recordReview();
  return validation;
}
