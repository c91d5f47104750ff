import { type EngineEvent, type RunView, type TaskStatus, type UsageTotals } from '../protocol/engine-events';
import { assertNever } from '../core/util/assert-never';
import { commandLine, countOf, formatUsd, runEndText } from '../protocol/run-wording';
import { describeValidation, reportFailures } from '../protocol/validation-summary';
import type { TextStyle } from './render-tasks-text';

/** One event as a line: `notable` lines stay on screen above the live view; the rest only go to logs. */
export interface EventLine {
  text: string;
  notable: boolean;
}

/** `12`, `12.3k`, `1.20M`: token counts a person reads at a glance. */
export function formatTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(2)}M`;
}

export function formatUsage(usage: UsageTotals, budgetUsd: number | undefined): string {
  const cache =
    usage.cacheReadInputTokens + usage.cacheCreationInputTokens > 0
      ? ` · cache ${formatTokens(usage.cacheReadInputTokens)} read, ${formatTokens(usage.cacheCreationInputTokens)} written`
      : '';
  const budget = budgetUsd === undefined ? '' : ` of ${formatUsd(budgetUsd)}`;
  return `tokens ${formatTokens(usage.inputTokens)} in · ${formatTokens(usage.outputTokens)} out${cache} · ${formatUsd(usage.costUsd, usage.estimated)}${budget}`;
}

/** `T004` for a task key the run announced; the key itself otherwise (validation work has no task). */
function taskLabel(view: RunView, taskKey: string): string {
  return view.tasks.get(taskKey)?.id ?? taskKey;
}

const NOT_STARTED: ReadonlySet<TaskStatus> = new Set(['pending', 'ready', 'skipped']);
const FINISHED: ReadonlySet<TaskStatus> = new Set(['done', 'failed', 'skipped']);

/**
 * The line a task's status change earns its phase, against the view before the change: the phase started (its
 * first task of this run is running) or finished (its last task is done, failed or left out). A phase started
 * before a resume is not announced again; derived from the view alone, like every other line.
 */
export function describePhaseChange(event: EngineEvent, view: RunView, style: TextStyle): EventLine | undefined {
  if (event.type !== 'task-status') return undefined;
  const phaseIndex = view.tasks.get(event.taskKey)?.phaseIndex;
  const phase = view.phases.find((p) => p.index === phaseIndex);
  if (!phase) return undefined;
  const before = phase.taskKeys.map((key) => view.tasks.get(key)?.status ?? 'pending');
  const after = phase.taskKeys.map((key, i) => (key === event.taskKey ? event.status : (before[i] ?? 'pending')));
  const position = view.phases.indexOf(phase) + 1;
  const name = `phase     ${position}/${view.phases.length} ${phase.title}`;
  if (before.every((s) => NOT_STARTED.has(s)) && event.status === 'running') {
    const todo = after.filter((s) => s !== 'done' && s !== 'skipped').length;
    return { text: `${name} started: ${countOf(todo, 'task')} to do`, notable: true };
  }
  if (!before.every((s) => FINISHED.has(s)) && after.every((s) => FINISHED.has(s))) {
    const done = after.filter((s) => s === 'done').length;
    const failed = after.filter((s) => s === 'failed').length;
    const counts = `${done}/${after.length} done${failed > 0 ? `, ${failed} failed` : ''}`;
    return failed > 0
      ? { text: style.warn(`${name} finished: ${counts}`), notable: true }
      : { text: `${style.done(`${name} complete`)}: ${counts}`, notable: true };
  }
  return undefined;
}

/**
 * Describes an event against the view as it was *before* the event was folded in (a finished worker or a
 * decided proposal is still there to be named). Undefined: nothing worth a line (trace and debug logs).
 */
export function describeEvent(event: EngineEvent, view: RunView, style: TextStyle): EventLine | undefined {
  switch (event.type) {
    case 'run-started': {
      const done = event.tasks.filter((t) => t.status === 'done').length;
      const already = done > 0 ? ` (${done} done already)` : '';
      return {
        text: style.heading(
          `${event.resumed ? 'Resumed' : 'Started'} run ${event.runId} on ${event.featureId}: ${event.tasks.length} tasks in ${event.phases.length} phases${already}`,
        ),
        notable: true,
      };
    }
    case 'task-status':
      return describeTaskStatus(event, view, style);
    case 'worker-started':
      return {
        text: `worker    ${taskLabel(view, event.taskKey)} ${event.role} started on ${event.model}${event.commands !== undefined && event.commands.length > 0 ? ` with ${commandLine(event.commands)}` : ''}`,
        notable: false,
      };
    case 'worker-activity': {
      const worker = view.workers.get(event.workerId);
      const who = worker ? `${taskLabel(view, worker.taskKey)} ${worker.role}` : event.workerId;
      return { text: `worker    ${who}: ${event.activity}`, notable: false };
    }
    case 'worker-finished': {
      const worker = view.workers.get(event.workerId);
      const who = worker ? `${taskLabel(view, worker.taskKey)} ${worker.role}` : event.workerId;
      const summary = event.summary !== undefined ? ` — ${event.summary}` : '';
      return { text: `worker    ${who} ${event.outcome}${summary}`, notable: event.outcome === 'failed' };
    }
    case 'proposal-pending': {
      const p = event.proposal;
      return {
        text: `proposal  ${taskLabel(view, p.taskKey)} ${p.role}: ${p.kind} ${p.path}${p.reason !== undefined ? ` — ${p.reason}` : ''}`,
        notable: false,
      };
    }
    case 'proposal-decided':
      return describeDecision(event, view, style);
    case 'proposal-applied':
      return {
        text: `${style.accent('wrote')}     ${taskLabel(view, event.taskKey)} ${event.kind} ${event.path}`,
        notable: true,
      };
    case 'usage':
      return { text: `usage     ${formatUsage(event.totals, view.budgetUsd)}`, notable: false };
    case 'finding': {
      const where = event.path !== undefined ? ` ${event.path}${event.line !== undefined ? `:${event.line}` : ''}` : '';
      const severity = event.severity === 'info' ? event.severity : style.warn(event.severity);
      return { text: `finding   ${event.source} ${severity}${where}: ${event.message}`, notable: true };
    }
    case 'validation-report': {
      const failing = reportFailures(event.report).length > 0;
      const text = `validation ${describeValidation(event.report)}`;
      return { text: failing ? style.warn(text) : text, notable: true };
    }
    case 'log':
      return describeLog(event, style);
    case 'run-finished': {
      const text = runEndText(event.outcome, event.message);
      return {
        text: style.heading(event.outcome === 'completed' ? style.done(text) : style.warn(text)),
        notable: true,
      };
    }
    default:
      return assertNever(event);
  }
}

type EventOf<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

function describeTaskStatus(event: EventOf<'task-status'>, view: RunView, style: TextStyle): EventLine | undefined {
  const label = taskLabel(view, event.taskKey);
  const message = event.message !== undefined ? `: ${event.message}` : '';
  switch (event.status) {
    case 'done':
      return { text: `${style.done('done')}      ${label}${message}`, notable: true };
    case 'failed':
      return { text: `${style.warn('failed')}    ${label}${message}`, notable: true };
    case 'skipped':
    case 'cancelled':
      return { text: `${style.warn(event.status.padEnd(9))} ${label}${message}`, notable: true };
    case 'running':
      // Back to running after a decision says nothing the decision line did not.
      if (event.role === undefined && event.message === undefined) return undefined;
      return {
        text: `running   ${label}${event.role !== undefined ? ` (${event.role})` : ''}${message}`,
        notable: event.message !== undefined,
      };
    case 'awaiting-approval':
      return { text: `waiting   ${label} for an approval${message}`, notable: false };
    case 'pending':
    case 'ready':
      return { text: `${event.status.padEnd(9)} ${label}${message}`, notable: false };
    default:
      return assertNever(event.status);
  }
}

function describeDecision(event: EventOf<'proposal-decided'>, view: RunView, style: TextStyle): EventLine | undefined {
  const p = view.pending.get(event.proposalId);
  // A policy accepted it without it ever pending: the `wrote` line that follows names it.
  if (!p && event.outcome === 'accepted') return undefined;
  const what = p ? `${taskLabel(view, p.taskKey)} ${p.kind} ${p.path}` : `edit ${event.proposalId.slice(0, 8)}`;
  const feedback = event.feedback !== undefined ? `: ${event.feedback}` : '';
  const outcome =
    event.outcome === 'accepted' || event.outcome === 'accepted-with-edits'
      ? style.done(event.outcome)
      : style.warn(event.outcome);
  return { text: `decision  ${what} ${outcome}${feedback}`, notable: event.outcome !== 'accepted' };
}

function describeLog(event: EventOf<'log'>, style: TextStyle): EventLine | undefined {
  switch (event.level) {
    case 'trace':
    case 'debug':
      return undefined;
    case 'info':
      return { text: `note      ${event.message}`, notable: false };
    case 'warn':
    case 'error':
      return { text: `${style.warn(event.level.padEnd(9))} ${event.message}`, notable: true };
    default:
      return assertNever(event.level);
  }
}
