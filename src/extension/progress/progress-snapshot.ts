import { shownTaskStatus, type EngineEvent, type RunView } from '../../protocol/engine-events';
import { assertNever } from '../../core/util/assert-never';
import { commandLine, countOf, rollbackText, runEndText, runOutcomeText } from '../../protocol/run-wording';
import { describeValidation, reportFailures } from '../../protocol/validation-summary';
import type { LogEntry, ProgressSnapshot } from '../../protocol/webview-messages';

/** What a worker is doing, as the user should read it: a worker whose task waits on the user says so. */
export function workerActivity(view: Readonly<RunView>, worker: { taskKey: string; activity: string }): string {
  return view.tasks.get(worker.taskKey)?.status === 'awaiting-approval' ? 'waiting for approval' : worker.activity;
}

/** The panel's picture of a run view. Pure, so the status bar and tests share it. */
export function progressSnapshot(view: Readonly<RunView>, active: boolean): ProgressSnapshot {
  // After a rollback a task's work is undone: it counts as neither done nor failed.
  const tasks = [...view.tasks.values()].map((t) => ({ ...t, shown: shownTaskStatus(view, t.key) }));
  const done = (list: typeof tasks): number => list.filter((t) => t.shown === 'done' || t.shown === 'skipped').length;
  const failed = (list: typeof tasks): number => list.filter((t) => t.shown === 'failed').length;
  const snapshot: ProgressSnapshot = {
    state: view.runId === undefined ? 'idle' : active ? 'running' : 'finished',
    done: done(tasks),
    failed: failed(tasks),
    total: tasks.length,
    phases: view.phases.map((phase) => {
      const own = tasks.filter((t) => t.phaseIndex === phase.index);
      return { index: phase.index, title: phase.title, done: done(own), failed: failed(own), total: own.length };
    }),
    workers: [...view.workers.values()].map((w) => ({
      workerId: w.workerId,
      role: w.role,
      taskId: view.tasks.get(w.taskKey)?.id ?? w.taskKey,
      activity: workerActivity(view, w),
      command: commandLine(w.commands),
    })),
    pendingEdits: view.pending.size,
  };
  if (view.runId !== undefined) snapshot.runId = view.runId;
  if (view.featureId !== undefined) snapshot.featureId = view.featureId;
  if (view.usage !== undefined) snapshot.usage = { ...view.usage };
  if (view.budgetUsd !== undefined) snapshot.budgetUsd = view.budgetUsd;
  if (view.startedAt !== undefined) snapshot.startedAt = view.startedAt;
  if (view.validation !== undefined) {
    snapshot.validation = {
      summary: describeValidation(view.validation),
      failing: reportFailures(view.validation).length > 0,
      open: view.validation.requirements
        .filter((r) => r.verdict !== 'met')
        .map((r) => ({ id: r.id, verdict: r.verdict, evidence: r.evidence })),
    };
  }
  if (view.finished !== undefined) {
    snapshot.outcome = view.finished.outcome;
    snapshot.outcomeText = runOutcomeText(view.finished.outcome);
    snapshot.message = view.finished.message;
    snapshot.finishedAt = view.finished.at;
  }
  if (view.rolledBack !== undefined && !active) {
    const { scope, taskKeys } = view.rolledBack;
    const who = scope === 'run' ? 'Run' : taskKeys.map((key) => view.tasks.get(key)?.id ?? key).join(', ');
    const text = rollbackText(who, view.rolledBack);
    snapshot.outcomeText = scope === 'run' ? text.title : `${snapshot.outcomeText ?? 'Run finished'} · ${text.title}`;
    snapshot.message = text.detail;
  }
  return snapshot;
}

/** One readable log line per event worth showing; usage ticks are drawn as numbers, not logged. */
export function logEntryOf(event: EngineEvent, taskId: (key: string) => string): LogEntry | undefined {
  const at = event.at;
  switch (event.type) {
    case 'run-started':
      return {
        at,
        level: 'info',
        text: `${event.resumed ? 'Resumed' : 'Started'} run ${event.runId} on ${event.featureId}: ${event.tasks.length} tasks in ${event.phases.length} phases`,
      };
    case 'task-status':
      return {
        at,
        level: event.status === 'failed' ? 'error' : 'info',
        text: `${taskId(event.taskKey)} → ${event.status}${event.message ? `: ${event.message}` : ''}`,
      };
    case 'worker-started':
      return {
        at,
        level: 'debug',
        text: `${event.role} ${event.workerId} started on ${taskId(event.taskKey)} (${event.model})`,
      };
    case 'worker-activity':
      return undefined;
    case 'worker-finished':
      return {
        at,
        level: event.outcome === 'failed' ? 'warn' : 'debug',
        text: `${event.workerId} ${event.outcome}${event.summary ? `: ${event.summary}` : ''}`,
      };
    case 'proposal-pending':
      return {
        at,
        level: 'info',
        text: `${taskId(event.proposal.taskKey)} proposes ${event.proposal.kind} ${event.proposal.path}`,
      };
    case 'proposal-decided':
      return {
        at,
        level: 'info',
        text: `Edit ${event.proposalId} ${event.outcome}${event.feedback ? ` — “${event.feedback}”` : ''}`,
      };
    case 'proposal-applied':
      return { at, level: 'info', text: `Wrote ${event.path} (${event.kind}) for ${taskId(event.taskKey)}` };
    case 'usage':
      return undefined;
    case 'finding':
      return {
        at,
        level: event.severity === 'error' ? 'error' : event.severity === 'warning' ? 'warn' : 'info',
        text: `${event.source}: ${event.message}${event.path ? ` (${event.path}${event.line !== undefined ? `:${event.line}` : ''})` : ''}`,
      };
    case 'validation-report':
      return {
        at,
        level: reportFailures(event.report).length > 0 ? 'warn' : 'info',
        text: `Validation: ${describeValidation(event.report)}`,
      };
    case 'log':
      return { at, level: event.level, text: event.message };
    case 'run-finished':
      return {
        at,
        level: event.outcome === 'completed' ? 'info' : 'warn',
        text: runEndText(event.outcome, event.message),
      };
    default:
      return assertNever(event);
  }
}

/** "Orchestra 12/40 · 3 workers" */
export function statusBarText(snapshot: ProgressSnapshot): string {
  const workers = snapshot.workers.length;
  return `Orchestra ${snapshot.done}/${snapshot.total} · ${countOf(workers, 'worker')}`;
}
