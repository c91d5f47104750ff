/**
 * Which slash commands a piece of work is delegated with. The implementation-orchestrator hands every worker
 * its instruction as commands (`/implement`, `/test`, …) the project may override in `.claude/commands/`:
 * - spec-kit mode wraps each task in `/spec-kit:implement` (the task comes from the feature's tasks.md);
 * - code-writer: `/implement`, or `/refactor:large-scale` when the task restructures code (its text says so,
 *   or it names many files); test-writer: `/test`; documenter: `/docs:generate`; reviewer: `/review:code`;
 * - the validation phase: `/review:code`, `/review:security`, and `/test` for the test run;
 * - the completion reviewer, judging the claim of a task no edit of its own files can prove done:
 *   `/review:completion`.
 */
import type { WorkerRole } from '../../../protocol/engine-events';
import type { CommandDefinition } from '../../agents/definitions/agent-definition';
import type { CommandView } from '../facade-types';

export const SPEC_KIT_WRAPPER = 'spec-kit:implement';

/** A task names this many files or more: a change that wide is planned as a large-scale refactoring. */
export const MANY_FILES = 6;

const RESTRUCTURES =
  /\b(?:refactor\w*|restructur\w*|re-?organi[sz]\w*|re-?architect\w*|modulari[sz]\w*|decompos\w*|consolidat\w*|migrat\w*|split\w*\s+(?:\w+\s+){0,3}into|extract\w*\s+(?:\w+\s+){0,3}(?:into|to|from)|mov(?:e|es|ing)\s+(?:\w+\s+){0,4}(?:into|to)|renam\w*\s+(?:\w+\s+){0,3}across)\b/i;

export interface CommandTask {
  description: string;
  files: readonly string[];
}

/** Why a code task is a large-scale refactoring, or undefined when it is ordinary implementation. */
export function restructuringReason(task: CommandTask): string | undefined {
  const files = task.files.filter((f) => !f.endsWith('/'));
  if (RESTRUCTURES.test(task.description)) return 'its text restructures code';
  if (files.length >= MANY_FILES) return `it names ${files.length} files`;
  return undefined;
}

/** The command a role works a task with (without the spec-kit wrapper). */
export function roleCommand(role: WorkerRole, task: CommandTask): string {
  switch (role) {
    case 'test-writer':
      return 'test';
    case 'documenter':
      return 'docs:generate';
    case 'reviewer':
      return 'review:code';
    case 'code-writer':
    case 'bug-fixer':
    case 'task-orchestrator':
    case 'implementation-orchestrator':
      return restructuringReason(task) !== undefined ? 'refactor:large-scale' : 'implement';
    default: {
      const never: never = role;
      throw new Error(`unknown role ${String(never)}`);
    }
  }
}

/** Every command a task's worker is given, outermost first: `['spec-kit:implement', 'test']` in spec-kit mode. */
export function taskCommands(role: WorkerRole, task: CommandTask, mode: 'spec-kit' | 'fallback'): string[] {
  const own = roleCommand(role, task);
  return mode === 'spec-kit' ? [SPEC_KIT_WRAPPER, own] : [own];
}

/** What `$ARGUMENTS` is for a task: its id and text. */
export function taskArguments(task: { id: string; description: string }): string {
  return `${task.id} ${task.description.replace(/\s+/g, ' ').trim()}`;
}

/** The command the completion reviewer judges a claimed completion with. */
export const COMPLETION_REVIEW_COMMAND = 'review:completion';

/**
 * A task whose tick no applied edit of its own files can prove (it names no files, or it is a review): it is
 * done only when the completion reviewer accepts the worker's claim.
 */
export function needsAcceptance(task: { files: readonly string[]; role: WorkerRole }): boolean {
  return task.files.length === 0 || task.role === 'reviewer';
}

/** The validation phase's commands: the code review, the security review, and the test run. */
export const VALIDATION_COMMANDS = {
  codeReview: 'review:code',
  securityReview: 'review:security',
  tests: 'test',
} as const;

/**
 * The commands a plan uses (its tasks', the completion reviewer's when a task needs its acceptance, then
 * validation's when it runs) as the run will find them: built in or overridden by a project file. A name
 * without a definition is left out (it cannot happen with the built-ins).
 */
export function commandViews(
  definitions: ReadonlyMap<string, CommandDefinition>,
  tasks: readonly { commands: readonly string[]; files: readonly string[]; role: WorkerRole }[],
  validate: boolean,
): CommandView[] {
  const names = new Set(tasks.flatMap((t) => t.commands));
  if (tasks.some(needsAcceptance)) names.add(COMPLETION_REVIEW_COMMAND);
  if (validate) for (const name of Object.values(VALIDATION_COMMANDS)) names.add(name);
  return [...names].sort().flatMap((name) => {
    const command = definitions.get(name);
    if (!command) return [];
    return [
      {
        name,
        description: command.description,
        ...(command.argumentHint !== undefined ? { argumentHint: command.argumentHint } : {}),
        source: command.source.kind === 'file' ? command.source.path : 'built-in',
        ...(command.allowedTools !== undefined ? { allowedTools: [...command.allowedTools] } : {}),
      },
    ];
  });
}
