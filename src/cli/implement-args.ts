import { parseArgs } from 'node:util';
import { parseCommandLine, type ApprovalPolicy } from '../core/engine';
import {
  DEFAULT_MODELS,
  isKnownModel,
  KNOWN_MODELS,
  MAX_MODEL_CALL_ATTEMPTS,
  type StoryParallelismSetting,
} from '../core/engine/light';
import type { WorkerRole } from '../protocol/engine-events';

export const IMPLEMENT_USAGE = `usage: speckit-orchestra implement [FEATURE] [--workspace DIR] [--feature X] [--request "text"]
                                   [--approve ask|tests|all] [--max-workers N] [--task T012]...
                                   [--test-command "npm test"] [--allow-command NAME]... [--allow-changed-commands]
                                   [--budget USD] [--call-attempts N] [--story-parallelism auto|off]
                                   [--converge N] [--completion-reviews N] [--model [ROLE=]ID]...
                                   [--dry-run [--json] | --resume [RUN_ID] | --rollback [RUN_ID]] [--yes]

Implements a spec-kit feature's tasks.md with a team of agents: phases in order, [P] tasks in parallel,
every edit through the approval gate, each finished task ticked [X] in tasks.md. Without a spec-kit project,
--request describes the change and a plan is drafted for your approval first.

options:
  FEATURE             the same as --feature FEATURE (speckit-orchestra implement payment-integration)
  --workspace DIR     the project folder (default: the current folder)
  --feature X         the feature: folder name (003-payment-integration), number (003), slug or a path
                      inside it. Without it: SPECIFY_FEATURE_DIRECTORY, .specify/feature.json,
                      SPECIFY_FEATURE, the git branch, or the only feature
  --request "text"    what to build when there is no spec-kit project (or a focus for the run)
  --approve POLICY    ask: every edit is shown as a diff to accept or reject (needs a terminal);
                      tests: edits of test files are written at once, the rest are asked;
                      all: every edit is written at once (default: ask)
  --max-workers N     at most N workers at once on [P] tasks (default: the plan's strategy)
  --task T012 ...     run only these tasks (ids separated by spaces or commas, or --task repeated)
  --test-command CMD  the test command the validation phase runs, e.g. "npm test" (quotes group
                      arguments; no shell, so no pipes, &&, variables or globs). Default: found from
                      package.json, pyproject.toml/pytest.ini/setup.cfg, Cargo.toml, go.mod or a Makefile
  --allow-command NAME  run the named command (test, build) without asking; else it is asked on a
                      terminal, and without one a found command is left out (--yes allows them all)
  --allow-changed-commands  run a command even after this run changed a file that defines it (package.json
                      scripts, a Makefile, pyproject.toml, Cargo.toml, a script it runs). Without it such a
                      command is asked again on a terminal, showing the change, even with --yes or
                      --allow-command, and is not run where there is no terminal
  --budget USD        a hard ceiling on what the run's model calls cost (list prices): each call reserves
                      its worst case first and max_tokens is lowered to what is left, so the run stops
                      before crossing it; the work done is kept and --resume (with a higher --budget)
                      continues it
  --model [ROLE=]ID   the model for every role (--model claude-haiku-5-5), or for one role
                      (--model reviewer=claude-opus-5-5; ROLE: orchestrator, task-orchestrator,
                      implementation-orchestrator, code-writer, test-writer, documenter, reviewer,
                      bug-fixer); a role's own choice wins over the one for every role, as the
                      per-role settings do. Default: the role's tier (--dry-run shows each)
  --call-attempts N   send one model call at most N times in all, whatever failed (429, 529, 5xx, a broken
                      stream): the one bound on retries (default 6)
  --story-parallelism auto|off  auto: user-story phases run side by side where tasks.md says they can
                      ("User stories can then proceed in parallel"); off: phases in order (default: auto)
  --converge N        after validation, give requirements the review found missing and a failing test
                      run to the bug-fixer, then check them again: at most N rounds (default 1; 0: off)
  --completion-reviews N  how many reviews one worker's claims get when no edit of the task's own files
                      proves it done (a task naming no files, a review task): each rejection goes back to
                      the worker with the reason, after the last the task is not done (default 2; 1 to 10)
  --dry-run           show the plan, schedule, worker roles, strategy and cost forecast; no model is
                      called and no API key is needed
  --json              with --dry-run: the plan as one JSON object on stdout (feature, waves, tasks,
                      criticalPath, forecast); notes go to stderr
  --resume [RUN_ID]   continue an interrupted run (default: the newest); completed tasks are not redone
  --rollback [RUN_ID] restore every file a run changed and delete the files it created (default: the
                      newest run); with --task, only that task's edits
  -y, --yes           answer yes to hooks, checklist and command questions (needed without a terminal);
                      not to a command whose defining file the run changed (--allow-changed-commands)
  -h, --help          show this help

environment: ANTHROPIC_API_KEY (required unless --dry-run or --rollback), ANTHROPIC_BASE_URL, NO_COLOR

exit codes: 0 every task done and validation met; 1 a task failed or was not done (tasks.md changed before
            --resume), a requirement is missing or the tests fail after --converge, or the run was cancelled
            or over budget; 2 bad input;
            3 an edit or a required confirmation needed an answer and there was no terminal to ask
`;

export type ImplementAction =
  | { kind: 'run' }
  /** `json`: the plan as one JSON object instead of text. */
  | { kind: 'dry-run'; json: boolean }
  /** `runId` undefined: the newest interrupted run. */
  | { kind: 'resume'; runId?: string }
  /** `runId` undefined: the newest run. */
  | { kind: 'rollback'; runId?: string };

export interface ImplementArgs {
  action: ImplementAction;
  /** As given; resolved against the current folder by the command. */
  workspace: string;
  feature?: string;
  request?: string;
  approvalPolicy: ApprovalPolicy;
  maxWorkers?: number;
  /** `--story-parallelism`. */
  storyParallelism?: StoryParallelismSetting;
  /** `--test-command`, split into argv without a shell. */
  testCommand?: string[];
  /** `--allow-command`: command names that run without asking. */
  allowedCommands: string[];
  /** `--allow-changed-commands`: a command runs without asking even after the run changed its defining files. */
  allowChangedCommands: boolean;
  /** `--budget`, US dollars. */
  budgetUsd?: number;
  /** `--call-attempts`: sends of one model call in all. */
  callAttempts?: number;
  /** `--converge`: most rounds of the bug-fixer after validation. */
  convergeRounds?: number;
  /** `--completion-reviews`: reviews one worker's completion claims may get. */
  completionReviews?: number;
  /** `--model`: a model id per role, the choice for every role already spread over the roles it did not name. */
  modelByRole?: Partial<Record<WorkerRole, string>>;
  /** Task ids to run (or roll back), in the order given, without duplicates. */
  tasks: string[];
  yes: boolean;
  help: boolean;
}

/** Bad input: one line on stderr, exit code 2. */
export class ArgumentProblem {
  constructor(readonly message: string) {}
}

const POLICIES: Record<string, ApprovalPolicy> = { ask: 'ask', tests: 'auto-approve-tests', all: 'auto-approve-all' };

/** The most convergence rounds the command line and the settings allow. */
const MAX_CONVERGE_ROUNDS = 10;
/** The completion reviews one worker's claims may get, as the `limits.completionReviews` setting allows. */
const MIN_COMPLETION_REVIEWS = 1;
const MAX_COMPLETION_REVIEWS = 10;

const TASK_ID = /^[A-Za-z]+\d+[A-Za-z]?(?:#\d+)?$/;

/** Flags whose value is optional: `--resume` alone means "the newest run". */
const OPTIONAL_VALUE_FLAGS = new Set(['--resume', '--rollback']);

/**
 * `node:util` parseArgs has no optional values, so `--resume` (alone, or followed by another option) is
 * rewritten to `--resume=` before parsing; `--resume ID` and `--resume=ID` pass through.
 */
function withOptionalValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    if (OPTIONAL_VALUE_FLAGS.has(arg) && (next === undefined || next.startsWith('-'))) out.push(`${arg}=`);
    else out.push(arg);
  }
  return out;
}

/** A flag's whole-number value within bounds; undefined when the flag was not given. */
function wholeNumberIn(
  flag: string,
  text: string | undefined,
  min: number,
  max: number,
): number | undefined | ArgumentProblem {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max)
    return new ArgumentProblem(`${flag} must be a whole number from ${min} to ${max}, not '${text}'`);
  return value;
}

const IMPLEMENT_OPTIONS = {
  workspace: { type: 'string' },
  feature: { type: 'string' },
  request: { type: 'string' },
  approve: { type: 'string', default: 'ask' },
  'max-workers': { type: 'string' },
  'story-parallelism': { type: 'string' },
  task: { type: 'string', multiple: true },
  'test-command': { type: 'string' },
  'allow-command': { type: 'string', multiple: true },
  'allow-changed-commands': { type: 'boolean', default: false },
  budget: { type: 'string' },
  'call-attempts': { type: 'string' },
  converge: { type: 'string' },
  'completion-reviews': { type: 'string' },
  model: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  resume: { type: 'string' },
  rollback: { type: 'string' },
  yes: { type: 'boolean', short: 'y', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type ImplementValues = ReturnType<typeof parseArgs<{ options: typeof IMPLEMENT_OPTIONS; tokens: true }>>['values'];

export function parseImplementArgs(argv: readonly string[]): ImplementArgs | ArgumentProblem {
  let values: ImplementValues;
  let tokens: ParsedToken[];
  try {
    ({ values, tokens } = parseArgs({
      args: withOptionalValues(argv),
      options: IMPLEMENT_OPTIONS,
      strict: true,
      // More ids after --task (`--task T012 T013`), or the feature (`implement payment-integration`).
      allowPositionals: true,
      tokens: true,
    }));
  } catch (error) {
    return new ArgumentProblem(error instanceof Error ? error.message : String(error));
  }

  const approvalPolicy = POLICIES[values.approve];
  if (approvalPolicy === undefined)
    return new ArgumentProblem(`--approve must be ask, tests or all, not '${values.approve}'`);
  const maxWorkers = wholeNumberIn('--max-workers', values['max-workers'], 1, 64);
  if (maxWorkers instanceof ArgumentProblem) return maxWorkers;
  const storyParallelism = values['story-parallelism'];
  if (storyParallelism !== undefined && storyParallelism !== 'auto' && storyParallelism !== 'off')
    return new ArgumentProblem(`--story-parallelism is auto or off, not '${storyParallelism}'`);
  const callAttempts = wholeNumberIn('--call-attempts', values['call-attempts'], 1, MAX_MODEL_CALL_ATTEMPTS);
  if (callAttempts instanceof ArgumentProblem) return callAttempts;
  const convergeRounds = wholeNumberIn('--converge', values.converge, 0, MAX_CONVERGE_ROUNDS);
  if (convergeRounds instanceof ArgumentProblem) return convergeRounds;
  const completionReviews = wholeNumberIn(
    '--completion-reviews',
    values['completion-reviews'],
    MIN_COMPLETION_REVIEWS,
    MAX_COMPLETION_REVIEWS,
  );
  if (completionReviews instanceof ArgumentProblem) return completionReviews;
  const modelByRole = modelsOf(values.model ?? []);
  if (modelByRole instanceof ArgumentProblem) return modelByRole;
  const commands = commandsOf(values);
  if (commands instanceof ArgumentProblem) return commands;
  const budgetUsd = budgetOf(values.budget);
  if (budgetUsd instanceof ArgumentProblem) return budgetUsd;
  const target = targetOf(values, tokens);
  if (target instanceof ArgumentProblem) return target;
  const action = actionOf(values, target);
  if (action instanceof ArgumentProblem) return action;

  return {
    action,
    workspace: values.workspace ?? '.',
    ...(target.feature !== undefined ? { feature: target.feature } : {}),
    ...(values.request !== undefined ? { request: values.request } : {}),
    approvalPolicy,
    ...(maxWorkers !== undefined ? { maxWorkers } : {}),
    ...(storyParallelism !== undefined ? { storyParallelism } : {}),
    ...commands,
    allowChangedCommands: values['allow-changed-commands'],
    ...(budgetUsd !== undefined ? { budgetUsd } : {}),
    ...(callAttempts !== undefined ? { callAttempts } : {}),
    ...(convergeRounds !== undefined ? { convergeRounds } : {}),
    ...(completionReviews !== undefined ? { completionReviews } : {}),
    ...(modelByRole !== undefined ? { modelByRole } : {}),
    tasks: target.tasks,
    yes: values.yes,
    help: values.help,
  };
}

/** `--test-command` split without a shell, and the command names `--allow-command` lets run unasked. */
function commandsOf(values: ImplementValues): { testCommand?: string[]; allowedCommands: string[] } | ArgumentProblem {
  let testCommand: string[] | undefined;
  if (values['test-command'] !== undefined) {
    const parsed = parseCommandLine(values['test-command']);
    if (parsed.kind === 'refused') return new ArgumentProblem(`--test-command: ${parsed.reason}`);
    testCommand = parsed.argv;
  }
  const allowedCommands = [
    ...new Set(
      (values['allow-command'] ?? [])
        .flatMap((n) => n.split(','))
        .map((n) => n.trim())
        .filter((n) => n !== ''),
    ),
  ];
  const badName = allowedCommands.find((n) => !/^[a-z][a-z0-9-]*$/.test(n));
  if (badName !== undefined)
    return new ArgumentProblem(`--allow-command takes a command name such as test or build, not '${badName}'`);
  return { ...(testCommand !== undefined ? { testCommand } : {}), allowedCommands };
}

const WORKER_ROLES = Object.keys(DEFAULT_MODELS) as WorkerRole[];

/** `--model` names: every engine role, and `orchestrator` for both orchestrators (as the settings have it). */
function rolesNamed(name: string): WorkerRole[] | undefined {
  if (name === 'orchestrator') return ['task-orchestrator', 'implementation-orchestrator'];
  return (WORKER_ROLES as string[]).includes(name) ? [name as WorkerRole] : undefined;
}

/**
 * `--model ID` (every role) and `--model ROLE=ID` (one role; it wins over the choice for every role, as a
 * per-role setting does), each id checked against the models we know, so a typo fails before any call.
 */
function modelsOf(choices: readonly string[]): Partial<Record<WorkerRole, string>> | undefined | ArgumentProblem {
  if (choices.length === 0) return undefined;
  let everyRole: string | undefined;
  const perRole: Partial<Record<WorkerRole, string>> = {};
  for (const choice of choices) {
    const [name, id] = choice.includes('=') ? choice.split('=', 2).map((p) => p.trim()) : [undefined, choice.trim()];
    if (id === undefined || !isKnownModel(id))
      return new ArgumentProblem(`--model: unknown model '${id ?? ''}'; known models: ${KNOWN_MODELS.join(', ')}`);
    if (name === undefined) {
      if (everyRole !== undefined && everyRole !== id)
        return new ArgumentProblem(
          `--model given twice for every role ('${everyRole}', '${id}'); name one, or use ROLE=ID`,
        );
      everyRole = id;
      continue;
    }
    const roles = rolesNamed(name);
    if (roles === undefined)
      return new ArgumentProblem(`--model: unknown role '${name}'; roles: orchestrator, ${WORKER_ROLES.join(', ')}`);
    for (const role of roles) perRole[role] = id;
  }
  const chosen: Partial<Record<WorkerRole, string>> = {};
  for (const role of WORKER_ROLES) {
    const id = perRole[role] ?? everyRole;
    if (id !== undefined) chosen[role] = id;
  }
  return chosen;
}

function budgetOf(budget: string | undefined): number | undefined | ArgumentProblem {
  if (budget === undefined) return undefined;
  const text = budget.replace(/^\$/, '');
  const usd = /^\d+(?:\.\d+)?$|^\.\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(usd) || usd <= 0)
    return new ArgumentProblem(`--budget must be an amount of US dollars above 0, such as 2.50, not '${budget}'`);
  return usd;
}

/** The feature (a word or `--feature`, not two different ones) and the task ids (`--task`, and more words after it). */
function targetOf(
  values: ImplementValues,
  tokens: readonly ParsedToken[],
): { feature: string | undefined; tasks: string[] } | ArgumentProblem {
  const { featureArgument, moreTaskIds, extra } = splitPositionals(tokens);
  if (extra !== undefined) return new ArgumentProblem(`unexpected argument '${extra}'`);
  if (featureArgument !== undefined && values.feature !== undefined && featureArgument !== values.feature)
    return new ArgumentProblem(`two features given: '${featureArgument}' and --feature '${values.feature}'; name one`);
  const tasks = [
    ...new Set(
      [...(values.task ?? []), ...moreTaskIds]
        .flatMap((t) => t.split(','))
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    ),
  ];
  const badTask = tasks.find((t) => !TASK_ID.test(t));
  if (badTask !== undefined) return new ArgumentProblem(`--task expects task ids such as T012, not '${badTask}'`);
  return { feature: values.feature ?? featureArgument, tasks };
}

/** What to do: run (the default), a dry run, resume or roll back, one at a time, with the options each takes. */
function actionOf(
  values: ImplementValues,
  target: { feature: string | undefined; tasks: string[] },
): ImplementAction | ArgumentProblem {
  const chosen = [
    values['dry-run'] ? '--dry-run' : '',
    values.resume !== undefined ? '--resume' : '',
    values.rollback !== undefined ? '--rollback' : '',
  ].filter((f) => f !== '');
  if (chosen.length > 1) return new ArgumentProblem(`${chosen.join(' and ')} cannot be combined`);

  let action: ImplementAction;
  if (values.json && !values['dry-run']) return new ArgumentProblem('--json goes with --dry-run');
  if (values['dry-run']) action = { kind: 'dry-run', json: values.json };
  else if (values.resume !== undefined)
    action = values.resume === '' ? { kind: 'resume' } : { kind: 'resume', runId: values.resume };
  else if (values.rollback !== undefined)
    action = values.rollback === '' ? { kind: 'rollback' } : { kind: 'rollback', runId: values.rollback };
  else action = { kind: 'run' };

  if (action.kind === 'rollback' && target.tasks.length > 1)
    return new ArgumentProblem('--rollback takes at most one --task');
  if (
    (action.kind === 'resume' || action.kind === 'rollback') &&
    (target.feature !== undefined || values.request !== undefined)
  )
    return new ArgumentProblem(`--${action.kind} continues a recorded run: --feature and --request do not apply`);
  if (values.request !== undefined && values.request.trim() === '')
    return new ArgumentProblem('--request needs a description of the change');
  return action;
}

type ParsedToken = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];

function looksLikeTaskIds(word: string): boolean {
  const parts = word.split(',').map((p) => p.trim());
  return parts.some((p) => p !== '') && parts.every((p) => p === '' || TASK_ID.test(p));
}

/**
 * Positional words: with `--task` given, words that are task ids are more task ids (`--task T012 T013`); the
 * first other word is the feature (`implement 003 --approve all`, `implement --task T012 payment`). A second
 * feature word is refused rather than guessed at.
 */
function splitPositionals(tokens: readonly ParsedToken[]): {
  featureArgument?: string;
  moreTaskIds: string[];
  extra?: string;
} {
  let featureArgument: string | undefined;
  const moreTaskIds: string[] = [];
  const withTasks = tokens.some((token) => token.kind === 'option' && token.name === 'task');
  for (const token of tokens) {
    if (token.kind !== 'positional') continue;
    if (withTasks && looksLikeTaskIds(token.value)) {
      moreTaskIds.push(token.value);
      continue;
    }
    if (featureArgument === undefined) featureArgument = token.value;
    else return { featureArgument, moreTaskIds, extra: token.value };
  }
  return { ...(featureArgument !== undefined ? { featureArgument } : {}), moreTaskIds };
}
