/**
 * The engine as its faces (the VS Code extension, the CLI) see it. Plain data in and out; events are
 * `EngineEvent`s from src/protocol/engine-events.ts and a face folds them with `foldRunView`.
 */
import type {
  ApprovalPolicy,
  EngineEvent,
  PhaseView,
  ProposalKind,
  ProposalView,
  RunOutcome,
  RunStopCause,
  TaskView,
  UsageTotals,
  WorkerRole,
} from '../../protocol/engine-events';
import type { ModelTier } from '../agents/definitions/agent-definition';
import type { StoryParallelism, StoryParallelismSetting } from '../graph/task-graph';
import type { ValidationReport } from '../../protocol/validation-report';
import type { PriceTable } from '../llm/prices';
import type { LlmProvider } from '../llm/provider';
import type { WallClock } from '../ports/clock';
import type { CommandRunner } from '../ports/command-runner';
import type { Approver, Confirm, ProposalContent, ProposalDecision } from '../ports/consent';
import type { Logger } from '../ports/logger';
import type { Workspace } from '../ports/workspace';
import type { Disposable } from '../util/emitter';

export interface EnginePorts {
  /**
   * The LLM every worker talks to. Its calls must share one governor per run (concurrency and rate-limit
   * backoff for the whole pool): build the Anthropic one with `createAnthropicProviderForRun`.
   */
  provider: LlmProvider;
  /** Opens the Workspace port on a workspace folder (absolute path). */
  workspace: (root: string) => Workspace;
  commandRunner: CommandRunner;
  /** Hooks, unchecked checklists, the fallback plan, resume mismatches, rollback conflicts. */
  confirm: Confirm;
  /** See `Approver`: optional; without it faces decide through `Run.decide`. */
  approver?: Approver;
  logger?: Logger;
  clock?: WallClock;
}

/** What a face configures; every field has a default (see `defaultEngineSettings`). */
export interface EngineSettings {
  approvalPolicy: ApprovalPolicy;
  /**
   * True when someone can answer a proposal the policy did not decide (an approver port, or a face that calls
   * `Run.decide`). False (the CLI without a terminal): such a proposal ends the run with outcome `needs-approval`.
   */
  interactiveApproval: boolean;
  maxWorkers: number;
  /** `auto`: user-story phases run side by side where tasks.md says they can; `off`: phases in document order. */
  storyParallelism: StoryParallelismSetting;
  /** How many times the bug-fixer may try after a failed task. */
  bugFixAttempts: number;
  /**
   * Most rounds of validation's convergence loop: the bug-fixer on requirements the review found `missing` and
   * on a failing test run, then both checked again. 0: validation reports and stops there.
   */
  convergeRounds: number;
  /** The project's configured commands by name, argv form (no shell), e.g. `{ test: ['npm', 'test'] }`. */
  commands: Record<string, string[]>;
  /** Command names that run without asking (unless this run changed a file that defines them). */
  allowedCommands: string[];
  /**
   * Run a command without asking even when this run changed a file that defines it (its `package.json` scripts,
   * its Makefile). Off by default: such a command is asked again, with the change shown, whatever
   * `allowedCommands` says, and without anyone to ask it is refused. The CLI's `--allow-changed-commands`.
   */
  allowChangedCommands: boolean;
  /** Globs refused for reading and writing, `.env*` by default. */
  denyGlobs: string[];
  /** Stop new model calls once the run has spent this much (US dollars), earlier sessions of a resumed run included. */
  budgetUsd?: number;
  /**
   * Stop new model calls once one role has spent this much (US dollars), e.g. `{ reviewer: 0.5 }`. Roles not
   * named have no budget of their own. Reaching one stops the run like the run budget does (resumable).
   */
  budgetPerRoleUsd?: Partial<Record<WorkerRole, number>>;
  /**
   * Prices per model id, per million tokens, overriding the built-in list prices (unknown models are priced by
   * tier). Build it from settings JSON with `parsePriceTable`, which reports the entries it could not use.
   */
  prices?: PriceTable;
  /** Model id per role; unset roles use their definition's tier mapped through `models`. */
  modelByRole: Partial<Record<WorkerRole, string>>;
  /** Model id per tier. */
  models: Record<ModelTier, string>;
  /** Run code review, security review and the test command after the last phase. */
  validate: boolean;
  /** Limits per worker; a worker over them fails clearly. */
  workerTurnLimit: number;
  workerTokenBudget: number;
  /** Tool calls one model turn may make; the calls past it get an error result, not a run. */
  toolCallsPerTurn: number;
  /** Characters of one tool result the model gets back; a longer result keeps its head and tail. */
  toolResultChars: number;
  /** Largest file one proposed edit may produce (bytes, UTF-8); a larger proposal is refused with the reason. */
  proposalBytes: number;
  /**
   * Reviews one worker's completion claims may get when no edit of the task's own files proves it done (a task
   * that names none, a review): each rejection goes back to the worker with the reason; the last ends it failed.
   */
  completionReviews: number;
}

export interface PlanOptions {
  /** Absolute path of the workspace folder. */
  root: string;
  /** Explicit feature argument (`003`, `003-payment`, a path). */
  feature?: string;
  /** The user's request: used when there is no spec-kit project (fallback mode), or to focus a spec-kit run. */
  request?: string;
  /** Only these task ids (and nothing else) are run. */
  onlyTasks?: string[];
  /**
   * Ticked tasks to do again (ids): planned as open work, their tick left as it is; done, they get new
   * evidence. A rollback of the run leaves their tick (it was there before the run) and voids that evidence.
   */
  rerunTasks?: string[];
  settings?: Partial<EngineSettings>;
  /** Environment for feature selection (`SPECIFY_FEATURE`, `SPECIFY_FEATURE_DIRECTORY`); none when absent. */
  env?: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
}

export interface PlannedTask extends TaskView {
  role: WorkerRole;
  /** Why this role: "in a tests sub-section", "names docs/ only", "default". */
  roleReason: string;
  /**
   * The slash commands its worker's instruction is built from, outermost first, without the slash:
   * `['spec-kit:implement', 'test']` (see `RunPlan.commands` for where each comes from).
   */
  commands: string[];
  isTest: boolean;
  /** Done in tasks.md already (or in a journal being resumed): not run again. */
  alreadyDone: boolean;
  /** Ticked in tasks.md, and done again by this run on request (`PlanOptions.rerunTasks`). */
  rerun?: true;
}

/** One wave of the schedule as the dry run shows it: tasks that may run at the same time. */
export interface ScheduleStep {
  /**
   * The phases the step's tasks belong to, ascending: one, or several when user-story phases run side by side;
   * empty when its tasks stand outside any phase.
   */
  phaseIndices: number[];
  taskKeys: string[];
  parallel: boolean;
}

export interface Strategy {
  complexity: 'small' | 'medium' | 'large';
  maxWorkers: number;
  modelByRole: Record<WorkerRole, string>;
  /** Sentences, shown as is. */
  why: string[];
}

export interface CostForecast {
  low: number;
  expected: number;
  high: number;
  /** Tokens the forecast assumed, for display. */
  inputTokens: number;
  outputTokens: number;
  assumptions: string[];
}

export interface FeatureChoice {
  id: string;
  /** Absolute. */
  dir: string;
  /** Absolute. */
  tasksPath: string;
  /** Which rule chose it ("explicit argument", "git branch 004-x", "only feature", "fallback plan"). */
  rule: string;
  detail?: string;
}

export interface ChecklistState {
  file: string;
  total: number;
  checked: number;
  unchecked: number;
}

export interface HookView {
  event: 'before_implement' | 'after_implement';
  command: string;
  description?: string;
  optional: boolean;
}

export interface PlanDiagnostic {
  severity: 'error' | 'warning' | 'information';
  message: string;
  path?: string;
  /** 1-based, as shown to people. */
  line?: number;
}

/** A slash command the plan delegates work with, as the run will use it. */
export interface CommandView {
  /** Without the slash: `review:code`. */
  name: string;
  description: string;
  argumentHint?: string;
  /** `built-in`, or the project file overriding it (`.claude/commands/review/code.md`). */
  source: string;
  /** The tools it narrows its workers to (`allowed-tools`); absent: the role's own. */
  allowedTools?: string[];
}

export interface RunPlan {
  mode: 'spec-kit' | 'fallback';
  root: string;
  feature: FeatureChoice;
  /** Fallback mode: the tasks.md text that `start` saves (after the user approves it); spec-kit: undefined. */
  draftTasksMarkdown?: string;
  phases: PhaseView[];
  tasks: PlannedTask[];
  schedule: ScheduleStep[];
  /** Whether user-story phases run side by side in `schedule`, and why (the file's words, or the setting). */
  storyParallelism: Pick<StoryParallelism, 'setting' | 'mode' | 'reason'>;
  criticalPath: { taskKeys: string[]; length: number };
  strategy: Strategy;
  forecast: CostForecast;
  /** Every slash command the tasks and the validation phase are delegated with, and where each comes from. */
  commands: CommandView[];
  checklists: ChecklistState[];
  hooks: HookView[];
  diagnostics: PlanDiagnostic[];
  settings: EngineSettings;
  /**
   * The user's focus for the run (the request): the strategy names it and every worker is told it. In fallback
   * mode it is the request the plan was drafted from.
   */
  focus?: string;
  /**
   * Fallback mode: the model call that drafted the plan — what planning cost so far, before any run journal
   * exists. A run started from this plan books it as its first usage (and counts it against the budget).
   */
  planningCall?: PlanningCall;
}

export interface PlanningCall {
  model: string;
  usage: UsageTotals;
}

export type StartInput = RunPlan | PlanOptions;

export interface CoverageItem {
  /** `FR-001`, `SC-001` or `US1`. */
  id: string;
  kind: 'requirement' | 'success-criterion' | 'user-story';
  text: string;
  taskKeys: string[];
  files: string[];
  covered: boolean;
}

export interface RunResult {
  runId: string;
  outcome: RunOutcome;
  message: string;
  tasks: { total: number; done: number; failed: number; skipped: number; pending: number };
  usage: UsageTotals;
  /** Usage by task key (and `validation:…` job), this run's earlier sessions included; absent when nothing ran. */
  usageByTask?: Record<string, UsageTotals>;
  /**
   * Tasks this run left undone on purpose and why: on resume, tasks.md no longer matched the journal (a task
   * reworded after the run started or finished it). Not the tasks a selection left out. Any → outcome `failed`.
   */
  skippedTasks?: { taskKey: string; taskId: string; reason: string }[];
  /**
   * The files each task changed on disk (this run's earlier sessions included), in plan order, each path once
   * with what happened to it overall; tasks that changed nothing are left out.
   */
  changedFiles?: { taskKey: string; taskId: string; files: { path: string; kind: ProposalKind }[] }[];
  /** Set when a failure every model call shares stopped the run: a face offers its fix (set a key, pick a model). */
  stoppedBy?: RunStopCause;
  /** Requirement/story coverage from the validation phase; empty when it did not run. */
  coverage: CoverageItem[];
  /**
   * The validation phase's verdicts, reviews and test run (also in `<journalDir>/report.json` and `report.md`);
   * absent when validation did not run. A `missing` requirement or failing tests make the outcome `failed`.
   */
  report?: ValidationReport;
  findings: number;
  /** Absolute path of the run's journal folder. */
  journalDir: string;
}

export interface Run {
  readonly id: string;
  readonly plan: RunPlan;
  /** Live events; a late subscriber calls `events()` first for what it missed. */
  onEvent(listener: (event: EngineEvent) => void): Disposable;
  /** Every event so far, in order. */
  events(): readonly EngineEvent[];
  pendingProposals(): ProposalView[];
  proposalContent(proposalId: string): ProposalContent | undefined;
  /** Decides a pending proposal; false when it is not pending (decided already, or unknown). */
  decide(proposalId: string, decision: ProposalDecision): boolean;
  /** Stops workers (their turn in flight is repeated on resume); `done` resolves with outcome `cancelled`. */
  cancel(reason?: string): void;
  readonly done: Promise<RunResult>;
}

export interface InterruptedRun {
  runId: string;
  root: string;
  featureId: string;
  tasksPath: string;
  startedAt: string;
  lastRecordAt: string;
  tasksDone: number;
  tasksTotal: number;
  /** Set when the run did not break off but stopped: at its budget, or at an edit nobody could approve. */
  stoppedBy?: RunOutcome;
}

/** A run recorded in a project's state folder, as `Engine.listRuns` reports it. */
export interface RecordedRun {
  runId: string;
  /** Absolute. */
  root: string;
  featureId: string;
  /** Workspace-relative. */
  tasksPath: string;
  /**
   * How it ended: a finished run's outcome; `cancelled` when it was stopped on purpose (resumable);
   * `interrupted` when it has no end record at all (crash, kill -9, window reload; resumable).
   */
  outcome: RunOutcome | 'interrupted';
  /** The end record's message (or the cancel reason); empty for an interrupted run. */
  message: string;
  /** True when `Engine.resume` can continue it. */
  resumable: boolean;
  startedAt: string;
  /** When it finished or was cancelled; absent for an interrupted run. */
  finishedAt?: string;
  lastRecordAt: string;
  tasks: { total: number; done: number; failed: number; skipped: number; pending: number };
  usage: UsageTotals;
}

export interface ResumeOptions {
  root: string;
  runId: string;
  settings?: Partial<EngineSettings>;
}

export interface RollbackOptions {
  root: string;
  runId: string;
  /** Only this task's edits; the whole run when absent. */
  taskKey?: string;
  /** Overwrite files the user edited after the run without asking. */
  force?: boolean;
  signal?: AbortSignal;
}

export interface RollbackResult {
  restored: string[];
  deleted: string[];
  /** Task ids set back to `[ ]` in tasks.md because their work was rolled back. */
  unticked: string[];
  /** Files left as they are: the user edited them afterwards and did not agree to overwrite. */
  skipped: { path: string; reason: string }[];
}

export interface Engine {
  /** Chooses the feature (or drafts the fallback plan: one model call), schedule, strategy and forecast. */
  plan(options: PlanOptions): Promise<RunPlan>;
  /** Starts a run; hooks and checklist gates are asked through `confirm` before any task runs. */
  start(input: StartInput): Run;
  findInterruptedRuns(root: string): Promise<InterruptedRun[]>;
  /** Every run recorded under a workspace folder, finished and interrupted, newest first. */
  listRuns(root: string): Promise<RecordedRun[]>;
  resume(options: ResumeOptions): Promise<Run>;
  rollback(options: RollbackOptions): Promise<RollbackResult>;
}
