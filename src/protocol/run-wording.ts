/**
 * Words every face uses for the same facts, so the CLI, the panel and the notifications say them alike.
 */
import { type RunOutcome } from './engine-events';
import { assertNever } from '../core/util/assert-never';

/** `1 worker`, `3 workers`, `0 tasks`: a count with its noun in the right number. */
export function countOf(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
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

/** `/spec-kit:implement /test`: how every face names the slash commands a worker was given. */
export function commandLine(commands: readonly string[]): string {
  return commands.map((c) => `/${c}`).join(' ');
}
