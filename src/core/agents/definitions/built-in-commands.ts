import type { CommandDefinition } from './agent-definition';

const builtIn = { kind: 'built-in' } as const;

/** The slash commands a user can start a run with; `.claude/commands/**\/*.md` overrides them by name. */
export const builtInCommands: readonly CommandDefinition[] = [
  {
    name: 'implement',
    description: 'Implement a request: plan it in phases, then run the team on the plan.',
    argumentHint: '<what to build>',
    template: `Implement the following request in this workspace.

$ARGUMENTS

Plan it as phases (Setup, Core, Testing, Documentation, Review) of concrete tasks with the files each touches, show the plan for approval, then carry it out.`,
    source: builtIn,
  },
  {
    name: 'spec-kit:implement',
    description: 'Implement a spec-kit feature from its tasks.md.',
    argumentHint: '[feature, e.g. 001-photo-albums]',
    template: `Implement the spec-kit feature $1 from its tasks.md, phase by phase, following spec.md, plan.md and the project constitution. Tick each task in tasks.md as it is done. Finish with code review, security review and the test run, and report which functional requirements are covered by which tasks and files.

$ARGUMENTS`,
    source: builtIn,
  },
  {
    name: 'refactor:large-scale',
    description: 'Plan and carry out a refactoring across many files without changing behaviour.',
    argumentHint: '<what to restructure and why>',
    template: `Refactor this workspace as described below without changing its observable behaviour.

$ARGUMENTS

First map every place affected (search_text), then plan the change as small steps that each leave the code building and its tests passing, with the tests run after each phase. Keep public interfaces stable unless the request says otherwise, and list any that change.`,
    source: builtIn,
  },
  {
    name: 'test',
    description: 'Write or extend tests for a part of the code.',
    argumentHint: '<code or behaviour to test>',
    template: `Write tests for: $ARGUMENTS

Use the project's existing test framework, folders and helpers. Cover the main path, the edge cases and the error cases; each test must be able to fail. Run the configured test command and report what passes and what fails.`,
    source: builtIn,
  },
  {
    name: 'docs:generate',
    description: 'Write or update documentation for a part of the project.',
    argumentHint: '<topic or module>',
    template: `Write or update the documentation for: $ARGUMENTS

Read the code first and document what it actually does, with examples that run. Prefer updating existing pages (README, docs/) over adding new ones.`,
    source: builtIn,
  },
  {
    name: 'review:code',
    description: 'Review code for correctness, tests and maintainability.',
    argumentHint: "[files or folder; default: the latest run's changes]",
    template: `Review the code in $ARGUMENTS for correctness against the spec, bugs, missing tests and duplication. Report findings as severity, path:line, problem and fix; propose small certain fixes as edits.`,
    source: builtIn,
  },
  {
    name: 'review:security',
    description: 'Review code for security weaknesses.',
    argumentHint: "[files or folder; default: the latest run's changes]",
    template: `Do a security review of $ARGUMENTS: trace untrusted input to its uses and report injection, missing authorisation, leaked secrets, unsafe deserialisation and missing validation as severity, path:line, weakness, exploit and fix; propose small certain fixes as edits.`,
    source: builtIn,
  },
];
