/**
 * Words every face uses for the same facts, so the CLI, the panel and the notifications say them alike.
 */
import { type RunOutcome, type ShownTaskStatus } from './engine-events';
import { assertNever } from '../core/util/assert-never';

/** `1 worker`, `3 workers`, `0 tasks`: a count with its noun in the right number. */
export function countOf(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** `$0.50`, `$0.0042`, `~$1.20` (an estimate): money as every face and every budget message shows it. */
export function formatUsd(usd: number, estimated = false): string {
  return `${estimated ? '~' : ''}$${usd.toFixed(usd > 0 && usd < 0.01 ? 4 : 2)}`;
}

/** How a run ended, as a person says it: "Run stopped at its budget", never "Run budget-exceeded". */
export function runOutcomeText(outcome: RunOutcome): string {
  switch (outcome) {
    case 'completed':
      return 'Run completed';
    case 'failed':
      return 'Run failed';
    case 'cancelled':
      return 'Run cancelled';
    case 'budget-exceeded':
      return 'Run stopped at its budget';
    case 'needs-approval':
      return 'Run stopped: an edit needs approval';
    default:
      return assertNever(outcome);
  }
}

/**
 * The line a run ends with, its outcome and why said once: "Run failed: Could not reach the Anthropic API …",
 * "Run stopped: budget reached: $0.50 cap, $0.49 spent, next call could cost up to $0.07. …" (a budget's
 * reason names the budget itself).
 */
export function runEndText(outcome: RunOutcome, message: string): string {
  const head = outcome === 'budget-exceeded' ? 'Run stopped' : runOutcomeText(outcome);
  return message.trim() === '' ? head : `${head}: ${message}`;
}

/**
 * The notification a finished run shows: its end line, then the counts (unless the reason states them already)
 * and the cost: "Run stopped: budget reached: … (3/10 tasks done; $0.49)".
 */
export function runNoticeText(
  outcome: RunOutcome,
  message: string,
  tasks: { done: number; total: number; failed: number },
  costUsd: number,
): string {
  const end = runEndText(outcome, message);
  const counts = end.includes(`${tasks.done}/${tasks.total}`)
    ? ''
    : `${tasks.done}/${tasks.total} tasks done${tasks.failed > 0 ? `, ${tasks.failed} failed` : ''}; `;
  return `${end} (${counts}${formatUsd(costUsd)})`;
}

/** A task's status in words: "awaiting approval", "rolled back". */
export function taskStatusText(status: ShownTaskStatus): string {
  return status.replace(/-/g, ' ');
}

/** "Run rolled back" with "2 restored, 8 deleted" (a task's: "T003 rolled back"), as the panel says it. */
export function rollbackText(
  who: string,
  rollback: { restored: number; deleted: number; skipped: number },
): { title: string; detail: string } {
  const skipped =
    rollback.skipped > 0 ? `, ${rollback.skipped} left as you edited ${rollback.skipped === 1 ? 'it' : 'them'}` : '';
  return {
    title: `${who} rolled back`,
    detail: `${rollback.restored} restored, ${rollback.deleted} deleted${skipped}`,
  };
}

/** `/spec-kit:implement /test`: how every face names the slash commands a worker was given. */
export function commandLine(commands: readonly string[]): string {
  return commands.map((c) => `/${c}`).join(' ');
}
