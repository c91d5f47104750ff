/**
 * The end of a run: the after_implement hooks, then the outcome in words, its record in the journal (awaited,
 * then the journal is closed) and the result the faces get.
 */
import { zeroUsageTotals, type ProposalKind, type RunOutcome, type UsageTotals } from '../../../protocol/engine-events';
import type { ValidationReport } from '../../../protocol/validation-report';
import { reportFailures } from '../../../protocol/validation-summary';
import type { CoverageItem, RunResult } from '../facade-types';
import { runHooks } from '../hooks/implement-hooks';
import type { ScheduleResult } from '../scheduler/scheduler';
import type { RunContext, RunStop } from './run-context';

export async function runAfterHooks(ctx: RunContext): Promise<void> {
  if (ctx.signal.aborted) return;
  const after = await runHooks('after_implement', ctx.plan.hooks, {
    confirm: ctx.ports.confirm,
    events: ctx.events,
    signal: ctx.signal,
    commands: ctx.settings.commands,
    runner: ctx.ports.commandRunner,
    cwd: ctx.plan.root,
  });
  if (after.kind === 'stop') ctx.events.log('warn', after.message);
}

export interface FinishInput {
  schedule: ScheduleResult;
  coverage: CoverageItem[];
  /** The validation report, when validation ran. */
  report?: ValidationReport;
  findings: number;
  stop: RunStop | undefined;
  usage: { totals(): UsageTotals; byTask(): Record<string, UsageTotals> };
}

export async function finishRun(ctx: RunContext, input: FinishInput): Promise<RunResult> {
  const counts = countTasks(ctx, input.schedule);
  // Work the run did not do because tasks.md no longer matched its journal: never reported as completed.
  const planned = new Map(ctx.plan.tasks.map((t) => [t.key, t]));
  const skippedTasks = [...(ctx.resume?.skippedKeys ?? [])].map(([taskKey, reason]) => ({
    taskKey,
    taskId: planned.get(taskKey)?.id ?? taskKey,
    reason,
  }));
  const validationFailures = input.report ? reportFailures(input.report) : [];
  const { outcome, message } = input.stop ?? judge(counts, validationFailures, skippedTasks);
  if (outcome === 'cancelled') await ctx.append({ type: 'run-cancelled', at: ctx.at(), reason: message });
  else await ctx.append({ type: 'run-finished', at: ctx.at(), outcome, message });
  await ctx.folder.close();
  ctx.events.emit({ type: 'run-finished', outcome, message });
  return {
    runId: ctx.runId,
    outcome,
    message,
    tasks: counts,
    usage: input.usage.totals(),
    usageByTask: input.usage.byTask(),
    ...(skippedTasks.length > 0 ? { skippedTasks } : {}),
    ...changedFilesByTask(ctx),
    ...(input.stop?.cause ? { stoppedBy: input.stop.cause } : {}),
    coverage: input.coverage,
    ...(input.report ? { report: input.report } : {}),
    findings: input.findings,
    journalDir: ctx.folder.dir,
  };
}

/** What each task changed, for the summary: a file created then edited was created; one deleted at the end, deleted. */
function changedFilesByTask(ctx: RunContext): Pick<RunResult, 'changedFiles'> {
  const changedFiles = ctx.plan.tasks.flatMap((task) => {
    const byPath = new Map<string, ProposalKind>();
    for (const change of ctx.applied.get(task.key) ?? []) {
      const earlier = byPath.get(change.path);
      byPath.set(change.path, earlier === 'create' && change.kind === 'modify' ? 'create' : change.kind);
    }
    const files = [...byPath].map(([path, kind]) => ({ path, kind }));
    return files.length > 0 ? [{ taskKey: task.key, taskId: task.id, files }] : [];
  });
  return changedFiles.length > 0 ? { changedFiles } : {};
}

function countTasks(ctx: RunContext, schedule: ScheduleResult): RunResult['tasks'] {
  const counts = { total: ctx.plan.tasks.length, done: 0, failed: 0, skipped: 0, pending: 0 };
  for (const status of schedule.status.values()) {
    if (status === 'done') counts.done++;
    else if (status === 'failed') counts.failed++;
    else if (status === 'skipped') counts.skipped++;
    else counts.pending++;
  }
  return counts;
}

/**
 * A run nobody stopped: completed only when every task is done or skipped on purpose and validation found no
 * missing requirement or failing test run.
 */
function judge(
  counts: RunResult['tasks'],
  validationFailures: readonly string[],
  skippedTasks: readonly { taskId: string }[],
): { outcome: RunOutcome; message: string } {
  if (counts.failed > 0 || counts.pending > 0 || validationFailures.length > 0 || skippedTasks.length > 0) {
    let message = `${counts.done}/${counts.total} tasks done, ${counts.failed} failed, ${counts.skipped} skipped${validationFailures.length > 0 ? `; ${validationFailures.join('; ')}` : ''}`;
    if (skippedTasks.length > 0)
      message += `; not done because tasks.md changed since the run: ${skippedTasks.map((s) => s.taskId).join(', ')}`;
    return { outcome: 'failed', message };
  }
  const skipped = counts.skipped > 0 ? ` (${counts.skipped} skipped)` : '';
  return { outcome: 'completed', message: `${counts.done}/${counts.total} tasks done${skipped}` };
}

/** The result of a run that ended before its journal existed, or on an unexpected error. */
export function emptyResult(runId: string, outcome: RunOutcome, message: string, usage = zeroUsageTotals()): RunResult {
  return {
    runId,
    outcome,
    message,
    tasks: { total: 0, done: 0, failed: 0, skipped: 0, pending: 0 },
    usage,
    coverage: [],
    findings: 0,
    journalDir: '',
  };
}
