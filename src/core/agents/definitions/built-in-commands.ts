import type { CommandDefinition } from './agent-definition';

const builtIn = { kind: 'built-in' } as const;

/**
 * The slash commands the implementation-orchestrator delegates work with; a project's
 * `.claude/commands/<namespace>/<name>.md` overrides one by name (`review/code.md` → `/review:code`). Each
 * template is a worker's instruction: `$ARGUMENTS` is the work (for a task, its id and text; for a review,
 * the files it covers), `$1`…`$9` its words.
 */
export const builtInCommands: readonly CommandDefinition[] = [
  {
    name: 'spec-kit:implement',
    description: "Carry out one task of a spec-kit feature's tasks.md.",
    argumentHint: '<task id> <task text>',
    template: `Implement task $1 of this spec-kit feature, exactly as tasks.md states it: $ARGUMENTS

The feature's constitution, spec.md and plan.md are in your instructions above; the constitution overrides everything else, then the spec, then the plan. Do this one task completely and nothing beyond it: other tasks belong to other workers. The engine ticks the task in tasks.md once your accepted edits are on disk; never edit tasks.md yourself.`,
    source: builtIn,
  },
  {
    name: 'implement',
    description: 'Implement one change in the production code.',
    argumentHint: '<what to build>',
    template: `Implement: $ARGUMENTS

Read the code the change connects to first (search_text for the functions, types and imports involved), then make the smallest complete change: working code with its error handling, no stubs or TODOs, in the project's own layout and naming. When a test command is configured and the change is testable, run it and fix what you broke.`,
    source: builtIn,
  },
  {
    name: 'refactor:large-scale',
    description: 'Restructure code across many files without changing its behaviour.',
    argumentHint: '<what to restructure and why>',
    template: `Refactor without changing observable behaviour: $ARGUMENTS

First map every place affected (search_text for each name you move or change), then change them in small steps that each leave the code building. Keep public interfaces stable unless the work says otherwise, and name any that change in your summary. Run the configured test command after the change.`,
    source: builtIn,
  },
  {
    name: 'test',
    description: 'Write tests, or make a failing test run pass.',
    argumentHint: '<code or behaviour to test>',
    template: `Tests for: $ARGUMENTS

Use the project's own test framework, folders and helpers. Cover the main path, the edge cases the spec names and the errors; every test must be able to fail, asserting real outputs, never timing. When tests fail, decide by the spec whether the code or the test is wrong, fix that side with the smallest change, and never silence a failure. Run the configured test command and say what passes and what fails.`,
    source: builtIn,
  },
  {
    name: 'docs:generate',
    description: 'Write or update documentation.',
    argumentHint: '<topic or module>',
    template: `Document: $ARGUMENTS

Read the code first and document what it actually does, with the names, options and commands it really uses and examples that would run. Prefer updating an existing page (README, docs/) over adding a new one.`,
    source: builtIn,
  },
  {
    name: 'review:code',
    description: 'Review code for correctness against the spec, tests and maintainability.',
    argumentHint: '[files or folder]',
    template: `Review $ARGUMENTS for correctness against the spec, bugs, missing tests and duplication. Report findings as severity, path:line, problem and fix; propose a fix only when it is small and certain.`,
    source: builtIn,
  },
  {
    name: 'review:security',
    description: 'Review code for security weaknesses.',
    argumentHint: '[files or folder]',
    template: `Do a security review of $ARGUMENTS: trace untrusted input to its uses and report injection, missing authorisation, leaked secrets, unsafe deserialisation and missing validation as severity, path:line, weakness, exploit and fix; propose a fix only when it is small and certain.`,
    source: builtIn,
  },
  {
    name: 'review:completion',
    description: "Judge a worker's claim that a task is done, against what was done.",
    argumentHint: '<task id> <task text>',
    template: `Judge whether task $1 is done: $ARGUMENTS

Check the worker's claim against the edits applied for the task, the commands its workers ran and their output, and the files as they are now. Accept only what the evidence shows; reject a claim of work that left no trace, saying what is missing. Give the verdict with judge_completion.`,
    source: builtIn,
  },
];
