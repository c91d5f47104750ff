/**
 * One task from start to end, as the scheduler runs it: a worker of the chosen role, then — when it fails —
 * the bug-fixer, a bounded number of times. The worker only proposes and reports; this module decides that the
 * task is done: `complete_task` was called AND the task's approved edits are on disk AND either they touch a
 * file the task names (an edit of some other file does not finish the task; a task whose named files did not
 * change is questioned once, then not ticked) or, for a task no such edit can prove (it names no files, or it
 * is a review that changed none of its files), the completion reviewer accepted the claim against what was
 * done. A rejection goes back to the worker as feedback, a bounded number of times; then the task is not done.
 */
import {
  runAgentLoop,
  type AgentLimits,
  type AgentOutcome,
  type CompletionVerdict,
  type ToolExecutor,
} from '../../agents/agent-loop';
import { type TaskCompletion } from '../../agents/tools/tool';
import type { LlmProvider, LlmSystemBlock, LlmToolDefinition } from '../../llm/provider';
import type { RunStopCause, WorkerRole } from '../../../protocol/engine-events';
import type { ProgressMove, TaskExecution } from '../scheduler/scheduler';
import { needsAcceptance } from '../scheduler/command-choice';
import type { ToolDefinition } from '../../agents/tools/tool';
import type { ToolName } from '../../agents/tools/builtin-tools';
import { sha256 } from '../journal/hash';
import { normaliseRelative } from '../workspace/path-policy';
import type { CommandDefinition } from '../../agents/definitions/agent-definition';
import { commandInstruction, narrowTools } from '../../agents/definitions/expand-command';
import type { RunEvents } from '../events/run-events';
import type { CompletionAcceptance, CompletionClaim, CompletionReview, WorkDone } from './completion-review';

/** How a role works: its prompt, model and limits (from the agent definitions and the settings). */
export interface RoleProfile {
  role: WorkerRole;
  prompt: string;
  tools: readonly ToolName[];
  model: string;
  maxTokens: number;
  limits: AgentLimits;
}

/** The tools one worker gets, bound to its task, its role's write scope and the run's gate. */
export interface WorkerToolbox {
  executor: ToolExecutor;
  definitions: LlmToolDefinition[];
}

export interface AppliedChange {
  path: string;
  kind: 'create' | 'modify' | 'delete';
}

/** What running any worker needs: the provider, events, role profiles, tools and the shared context. */
export interface WorkerDeps {
  provider: LlmProvider;
  events: RunEvents;
  /** The profile of a role; `agent` names a specific definition (`security-reviewer`). */
  profile(role: WorkerRole, agent?: string): RoleProfile;
  toolbox(args: {
    taskKey: string;
    workerId: string;
    role: WorkerRole;
    tools: readonly ToolName[];
    signal: AbortSignal;
    extraTools?: readonly ToolDefinition[];
  }): WorkerToolbox;
  /** The shared system prompt part for this run (feature context, cache breakpoint). */
  featureContext: LlmSystemBlock;
  /** The slash commands by name (built in, or the project's `.claude/commands/` overrides). */
  commands: ReadonlyMap<string, CommandDefinition>;
  nextWorkerId(taskKey: string, role: WorkerRole): string;
}

export interface TaskExecutionDeps extends WorkerDeps {
  /** The opening message for the task (its text and the files it names). */
  taskMessage(taskKey: string): Promise<string>;
  /** Edits of this task that are on disk now, from this run and any earlier session of it. */
  appliedChanges(taskKey: string): Promise<AppliedChange[]>;
  /**
   * Marks the task done where the user sees it (tasks.md); a refusal is reported, never forced. `acceptance`:
   * the reviewer's, when the tick rests on it rather than on the task's own edits.
   */
  tick(taskKey: string, signal: AbortSignal, acceptance?: CompletionAcceptance): Promise<void>;
  /** What the task's workers did so far (its applied edits as diffs, its commands with their output). */
  workDone(taskKey: string): Promise<WorkDone>;
  /** Has the completion reviewer judge a claim. */
  reviewCompletion(claim: CompletionClaim, signal: AbortSignal): Promise<CompletionReview>;
  /** Reviews one worker's claims may get: after this many rejections the task is not done. */
  completionReviews: number;
  recordSummary(taskKey: string, workerId: string, role: WorkerRole, completion: TaskCompletion): Promise<void>;
  bugFixAttempts: number;
  /** Called when a worker hit the run's budget: the run stops starting work. */
  onBudgetExceeded(reason: string): void;
  /** Called when a model call failed for a reason every other call shares (a refused key, an unknown model): the run stops. */
  onRunStoppingFailure(reason: string, cause: RunStopCause): void;
}

export interface ExecutableTask {
  key: string;
  id: string;
  role: WorkerRole;
  /** Files the task names (folders excluded): the ones it is expected to change. */
  files: readonly string[];
  /** The slash commands its workers are given, outermost first (`spec-kit:implement`, `implement`). */
  commands: readonly string[];
  /** `$ARGUMENTS` for those commands: the task's id and text. */
  commandArguments: string;
}

/** A path in the one spelling the gate records, so `./src/a.js` in tasks.md is the `src/a.js` an edit changed. */
function spelling(path: string): string {
  const normalised = normaliseRelative(path);
  return normalised.kind === 'ok' ? normalised.rel : path;
}

/** The applied changes that touch a file the task names. */
export function ownChanges(task: Pick<ExecutableTask, 'files'>, applied: readonly AppliedChange[]): AppliedChange[] {
  const named = new Set(task.files.map(spelling));
  return applied.filter((change) => named.has(spelling(change.path)));
}

function questionFor(task: ExecutableTask, elsewhere: readonly string[]): string {
  const what =
    elsewhere.length === 0
      ? 'no change to any file was applied'
      : `the changes applied were to ${elsewhere.join(', ')}, which it does not name; a task is done when its own files change`;
  return (
    `complete_task was not accepted: task ${task.id} names ${task.files.join(', ')}, but ${what}. ` +
    'If a change is needed, propose it with propose_edit now. If the files are already right as they are, explain why in one sentence and call complete_task again.'
  );
}

/** The worker's next step after a review: done, told why and asked again, or failed with the reason. */
function judged(
  task: ExecutableTask,
  review: CompletionReview,
  reviews: number,
  deps: Pick<TaskExecutionDeps, 'completionReviews' | 'events'>,
  accept: (acceptance: CompletionAcceptance) => void,
): CompletionVerdict {
  switch (review.kind) {
    case 'accepted':
      accept(review.acceptance);
      deps.events.log('info', `${task.id}: the completion reviewer accepted the claim: ${review.acceptance.reason}`);
      return { kind: 'accept' };
    case 'no-verdict':
      return { kind: 'reject', reason: `its completion was not accepted: ${review.reason}` };
    case 'rejected': {
      const of = `review ${reviews} of ${deps.completionReviews}`;
      deps.events.log('warn', `${task.id}: the completion reviewer rejected the claim (${of}): ${review.reason}`);
      if (reviews >= deps.completionReviews)
        return {
          kind: 'reject',
          reason: `the completion reviewer rejected its claim ${reviews === 1 ? 'once' : `${reviews} times`}; last: ${withoutFinalStop(review.reason)}`,
        };
      return {
        kind: 'question',
        question:
          `complete_task was not accepted: a reviewer checked your claim against what was done and rejected it (${of}): ${review.reason}\n` +
          'Do what is missing, or show that it is already done, then call complete_task again. Claims without work are not accepted.',
      };
    }
    default: {
      const never: never = review;
      throw new Error(`unexpected review ${JSON.stringify(never)}`);
    }
  }
}

export interface WorkerRequest {
  taskKey: string;
  role: WorkerRole;
  /** The commands the instruction is built from, outermost first, and their `$ARGUMENTS`. */
  commands: readonly string[];
  commandArguments: string;
  /** The context after the instruction: the task, its files, the failure to fix. */
  message: string;
  verifyCompletion?: (completion: TaskCompletion) => CompletionVerdict | Promise<CompletionVerdict>;
  extraTools?: readonly ToolDefinition[];
  /** A specific agent definition for the role (`security-reviewer`); the role's own otherwise. */
  agent?: string;
  /** What the worker is told when it ends a turn without a tool call (the loop's default otherwise). */
  nudge?: string;
}

/** Runs one worker of a role on one piece of work, with its worker events; the outcome is the loop's. */
export async function runWorker(
  deps: WorkerDeps,
  request: WorkerRequest,
  signal: AbortSignal,
): Promise<{ workerId: string; outcome: AgentOutcome }> {
  const { role, taskKey } = request;
  const profile = deps.profile(role, request.agent);
  const workerId = deps.nextWorkerId(taskKey, role);
  const commands = request.commands.map((name) => {
    const command = deps.commands.get(name);
    if (!command) throw new Error(`no slash command /${name}`);
    return command;
  });
  const toolbox = deps.toolbox({
    taskKey,
    workerId,
    role,
    // A command's allowed-tools narrows the role's tools; a worker can always report its work.
    tools: narrowTools(profile.tools, commands, ['complete_task']),
    signal,
    ...(request.extraTools ? { extraTools: request.extraTools } : {}),
  });
  deps.events.emit({
    type: 'worker-started',
    workerId,
    role,
    taskKey,
    model: profile.model,
    commands: [...request.commands],
  });
  let outcome: AgentOutcome;
  try {
    outcome = await runAgentLoop({
      provider: deps.provider,
      request: {
        model: profile.model,
        maxTokens: profile.maxTokens,
        system: [{ text: profile.prompt }, deps.featureContext],
        tools: toolbox.definitions,
        // Workers share a cache warm-up only when their prefix (tools, role prompt, feature context) is the same
        // bytes: the code and the security reviewer have one role but two prompts, and start together.
        prefixKey: `${profile.model}:${sha256(JSON.stringify([toolbox.definitions, profile.prompt, deps.featureContext.text])).slice(0, 24)}`,
        meta: { role, taskKey, workerId },
      },
      initialMessage: `${commandInstruction(commands, request.commandArguments)}\n\n${request.message}`,
      tools: toolbox.executor,
      limits: profile.limits,
      hooks: { onActivity: (activity) => deps.events.emit({ type: 'worker-activity', workerId, activity }) },
      ...(request.verifyCompletion ? { verifyCompletion: request.verifyCompletion } : {}),
      ...(request.nudge !== undefined ? { nudge: request.nudge } : {}),
      signal,
    });
  } catch (error) {
    deps.events.emit({ type: 'worker-finished', workerId, outcome: 'failed', summary: 'crashed' });
    throw error;
  }
  switch (outcome.kind) {
    case 'completed':
      deps.events.emit({ type: 'worker-finished', workerId, outcome: 'done', summary: outcome.completion.summary });
      break;
    case 'cancelled':
      deps.events.emit({ type: 'worker-finished', workerId, outcome: 'cancelled' });
      break;
    case 'budget-exceeded':
    case 'failed':
      deps.events.emit({ type: 'worker-finished', workerId, outcome: 'failed', summary: outcome.reason });
      break;
    default: {
      const never: never = outcome;
      throw new Error(`unexpected outcome ${JSON.stringify(never)}`);
    }
  }
  return { workerId, outcome };
}

function withoutFinalStop(sentence: string): string {
  return sentence.replace(/[.\s]+$/, '');
}

/** Runs one task to its end; `progress` tells the scheduler of a bug-fixer taking over. */
export async function executeTask(
  task: ExecutableTask,
  deps: TaskExecutionDeps,
  signal: AbortSignal,
  progress: (move: ProgressMove) => void,
): Promise<TaskExecution> {
  let lastFailure: string | undefined;
  let questioned = false;
  for (let attempt = 0; attempt <= deps.bugFixAttempts; attempt++) {
    const role: WorkerRole = attempt === 0 ? task.role : 'bug-fixer';
    if (attempt > 0)
      progress({ status: 'running', role, message: `bug-fixer attempt ${attempt} of ${deps.bugFixAttempts}` });

    let message = await deps.taskMessage(task.key);
    if (lastFailure !== undefined) {
      message += `\n\n## An earlier attempt at this task failed\n${lastFailure}\nFind the cause, fix it, and complete the task. Edits that were already applied are on disk: read the files first.`;
    }

    let reviews = 0;
    let acceptance: CompletionAcceptance | undefined;
    const verifyCompletion = async (completion: TaskCompletion): Promise<CompletionVerdict> => {
      const applied = await deps.appliedChanges(task.key);
      if (ownChanges(task, applied).length > 0) return { kind: 'accept' };
      if (!needsAcceptance(task)) {
        if (questioned)
          return { kind: 'reject', reason: `claimed done without changing the files it names (${completion.summary})` };
        questioned = true;
        return { kind: 'question', question: questionFor(task, [...new Set(applied.map((c) => c.path))]) };
      }
      reviews++;
      const review = await deps.reviewCompletion(
        {
          taskKey: task.key,
          taskId: task.id,
          taskText: task.commandArguments,
          files: task.files,
          completion,
          work: await deps.workDone(task.key),
          round: reviews,
        },
        signal,
      );
      return judged(task, review, reviews, deps, (accepted) => (acceptance = accepted));
    };

    const { workerId, outcome } = await runWorker(
      deps,
      {
        taskKey: task.key,
        role,
        commands: task.commands,
        commandArguments: task.commandArguments,
        message,
        verifyCompletion,
      },
      signal,
    );
    switch (outcome.kind) {
      case 'completed':
        // The summary is journaled ahead of the tick's evidence, which vouches for it: one wait for both.
        await Promise.all([
          deps.recordSummary(task.key, workerId, role, outcome.completion),
          deps.tick(task.key, signal, acceptance),
        ]);
        return { status: 'done' };
      case 'cancelled':
        return { status: 'cancelled' };
      case 'budget-exceeded':
        if (outcome.scope === 'run') {
          deps.onBudgetExceeded(outcome.reason);
          return { status: 'failed', reason: `the run's budget ran out: ${outcome.reason}` };
        }
        lastFailure = `The worker ran over its limits: ${outcome.reason}.`;
        break;
      case 'failed':
        if (outcome.stopsRun) {
          deps.onRunStoppingFailure(outcome.reason, outcome.stopsRun);
          return { status: 'failed', reason: outcome.reason };
        }
        lastFailure = `The ${role} failed: ${withoutFinalStop(outcome.reason)}.${outcome.finalText ? ` Its last words: ${outcome.finalText.slice(0, 600)}` : ''}`;
        break;
      default: {
        const never: never = outcome;
        throw new Error(`unexpected outcome ${JSON.stringify(never)}`);
      }
    }
    deps.events.log('warn', `task ${task.id}: ${lastFailure}`);
    if (signal.aborted) return { status: 'cancelled' };
  }
  return { status: 'failed', ...(lastFailure !== undefined ? { reason: lastFailure } : {}) };
}
