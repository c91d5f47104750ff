/**
 * The agent loop: one worker's conversation with the model. We own it (rather than an SDK tool runner)
 * because the approval gate and the journal sit between a turn and its tools.
 *
 * Each turn streams through the provider; the assistant content is appended unchanged, then ONE user message
 * carrying a `tool_result` for every `tool_use` id. Unknown tools, invalid input and refused edits are error
 * results the model can correct; nothing a model says crashes the loop. The loop ends in exactly one
 * `AgentOutcome`: the worker completed its task, failed for a stated reason, ran over a budget, or was cancelled.
 */
import {
  LlmAuthError,
  LlmBudgetExceededError,
  LlmCancelledError,
  LlmError,
  LlmRequestError,
  LlmUnavailableError,
} from '../llm/errors';
import {
  type LlmAssistantBlock,
  type LlmMessage,
  type LlmRequest,
  type LlmProvider,
  type LlmResponse,
  type LlmTextBlock,
  type LlmToolResultBlock,
  type LlmToolUseBlock,
  type LlmWaitReason,
} from '../llm/provider';
import { truncateMiddle } from '../util/output-capture';
import { addUsage, zeroUsage, type LlmUsage } from '../../protocol/engine-events';
import type { TaskCompletion, ToolResult } from './tools/tool';

/** The worker's tools as the loop sees them; validation, confinement and the gate live behind `execute`. */
export interface ToolExecutor {
  readonly names: ReadonlySet<string>;
  execute(call: { id: string; name: string; input: unknown }, signal: AbortSignal): Promise<ToolResult>;
}

/**
 * The scheduler's check of a claimed completion. `question` sends a follow-up turn (e.g. "the task names
 * src/a.ts but nothing was changed: why?", or a reviewer's reason for not accepting the claim); the check
 * bounds how often it asks, then answers `reject`, which ends the worker as failed with that reason.
 */
export type CompletionVerdict =
  { kind: 'accept' } | { kind: 'question'; question: string } | { kind: 'reject'; reason: string };

export interface AgentLimits {
  /** Model calls, continuations included. */
  maxTurns: number;
  /** Tokens billed to this worker (input, cache writes and reads, output). */
  tokenBudget: number;
  /** How often a reply cut at max_tokens is continued before the worker fails. */
  maxTokenContinuations: number;
  /** Tool calls one turn may make; the calls past it are answered with an error, not run. */
  maxToolCallsPerTurn: number;
  /** Characters of one tool result sent back to the model; a longer one keeps its head and tail. */
  maxToolResultChars: number;
}

export const defaultAgentLimits: AgentLimits = {
  maxTurns: 24,
  tokenBudget: 400_000,
  maxTokenContinuations: 2,
  maxToolCallsPerTurn: 16,
  maxToolResultChars: 100_000,
};

export interface AgentHooks {
  /** Short human text for the face: "thinking", "calling propose_edit", "waiting for rate limit". */
  onActivity?(activity: string): void;
  /** Usage of one model call (failed attempts included), to be booked to role and task. */
  onUsage?(usage: LlmUsage, model: string): void;
  onText?(delta: string): void;
}

export interface AgentLoopOptions {
  provider: LlmProvider;
  /** Everything of the request but the messages. */
  request: Omit<LlmRequest, 'messages'>;
  /** The opening user message (the task and its context). */
  initialMessage: string;
  tools: ToolExecutor;
  limits: AgentLimits;
  hooks?: AgentHooks;
  verifyCompletion?: (completion: TaskCompletion) => CompletionVerdict | Promise<CompletionVerdict>;
  /** Sent once when a turn ends without a tool call; default: call complete_task (`NUDGE_MESSAGE`). */
  nudge?: string;
  signal: AbortSignal;
}

export type AgentOutcome =
  | { kind: 'completed'; completion: TaskCompletion; turns: number; usage: LlmUsage; finalText: string }
  /**
   * `stopsRun`: the failure is the account's or the configuration's (a refused key, no model, an unknown model
   * or endpoint), not the task's: every other call would fail the same way, so retrying or fixing is pointless.
   */
  | { kind: 'failed'; reason: string; turns: number; usage: LlmUsage; finalText: string; stopsRun?: true }
  /** `worker`: this worker's turn or token limit; `run`: the run's (or role's) money budget, so no worker may go on. */
  | {
      kind: 'budget-exceeded';
      scope: 'worker' | 'run';
      reason: string;
      turns: number;
      usage: LlmUsage;
      finalText: string;
    }
  | { kind: 'cancelled'; turns: number; usage: LlmUsage; finalText: string };

export const NUDGE_MESSAGE =
  'You ended your turn without calling complete_task. If the task is finished, call complete_task with a summary and the files you touched. If it is not, continue working with the tools.';

const CONTINUE_MESSAGE =
  'Your reply was cut off at the output limit. Continue exactly where you stopped, keeping tool inputs small (propose one file per call).';

/** A tool result within the per-call limit: its head and tail, and a note saying how much was cut. */
export function clipToolResult(content: string, maxChars: number): string {
  if (content.length <= maxChars) return content;
  const clipped = truncateMiddle(content, maxChars).text;
  return `${clipped}\n[This result was ${content.length} characters, over the limit of ${maxChars} per tool call; its middle was left out. Ask for less, e.g. a line range or a narrower search.]`;
}

export function tokensBilled(usage: LlmUsage): number {
  return usage.inputTokens + usage.outputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens;
}

function describeWait(reason: LlmWaitReason, forMs: number | undefined): string {
  const howLong = forMs !== undefined && forMs >= 1000 ? ` (${Math.ceil(forMs / 1000)} s)` : '';
  switch (reason) {
    case 'rate-limit':
      return `waiting for rate limit${howLong}`;
    case 'concurrency':
      return 'waiting for a free model slot';
    case 'cache-warm-up':
      return 'waiting for the shared prompt cache';
    case 'retry':
      return `retrying the model call${howLong}`;
    default: {
      const never: never = reason;
      return String(never);
    }
  }
}

function stopsRun(error: LlmError): boolean {
  return (
    error instanceof LlmAuthError ||
    error instanceof LlmUnavailableError ||
    (error instanceof LlmRequestError && error.status === 404)
  );
}

export async function runAgentLoop(options: AgentLoopOptions): Promise<AgentOutcome> {
  const { provider, request, tools, limits, hooks = {}, signal } = options;
  const messages: LlmMessage[] = [{ role: 'user', content: [{ type: 'text', text: options.initialMessage }] }];
  let usage = zeroUsage();
  let turns = 0;
  let continuations = 0;
  let nudged = false;
  let finalText = '';
  let completion: TaskCompletion | undefined;
  let completionToolUseId: string | undefined;
  let stoppedBy: string | undefined;

  const end = <K extends AgentOutcome['kind']>(
    kind: K,
    extra: Omit<Extract<AgentOutcome, { kind: K }>, 'kind' | 'turns' | 'usage' | 'finalText'>,
  ) => ({ kind, turns, usage, finalText, ...extra }) as Extract<AgentOutcome, { kind: K }>;

  const book = (delta: LlmUsage | undefined, model: string) => {
    if (!delta) return;
    usage = addUsage(usage, delta);
    hooks.onUsage?.(delta, model);
  };

  while (true) {
    if (signal.aborted) return end('cancelled', {});
    if (turns >= limits.maxTurns)
      return end('budget-exceeded', {
        scope: 'worker',
        reason: `used its ${limits.maxTurns}-turn budget without completing the task`,
      });
    if (tokensBilled(usage) >= limits.tokenBudget) {
      return end('budget-exceeded', {
        scope: 'worker',
        reason: `used ${tokensBilled(usage)} tokens, over its budget of ${limits.tokenBudget}`,
      });
    }

    // The provider has already retried what was worth retrying (the governor owns every retry of a call):
    // a failure that reaches here is final for this turn.
    turns++;
    hooks.onActivity?.(turns === 1 ? 'thinking' : `thinking (turn ${turns})`);
    let response: LlmResponse;
    try {
      response = await provider.send(
        { ...request, messages: messages.slice() },
        {
          onText: (delta) => hooks.onText?.(delta),
          onWaiting: (reason, forMs) => hooks.onActivity?.(describeWait(reason, forMs)),
          onToolUseStart: (toolUse) => hooks.onActivity?.(`writing a ${toolUse.name} call`),
          onAttemptDiscarded: (_attempt, reason) => hooks.onActivity?.(`retrying the model call (${reason})`),
        },
        signal,
      );
    } catch (error) {
      if (error instanceof LlmError) book(error.usage, request.model);
      if (error instanceof LlmCancelledError || signal.aborted) return end('cancelled', {});
      if (error instanceof LlmBudgetExceededError)
        return end('budget-exceeded', { scope: 'run', reason: error.message });
      if (error instanceof LlmError)
        return end('failed', {
          reason: `model call failed: ${error.message}`,
          ...(stopsRun(error) ? { stopsRun: true as const } : {}),
        });
      throw error;
    }
    book(response.usage, response.model);

    const text = response.content
      .filter((b): b is LlmTextBlock => b.type === 'text')
      .map((b) => b.text)
      .join('');
    if (text.trim() !== '') finalText = text;
    const toolUses = response.content.filter((b): b is LlmToolUseBlock => b.type === 'tool_use');
    const stop = response.stopReason;

    switch (stop.type) {
      case 'refusal':
        // Never run tools from a refusal turn; nothing of it is kept.
        return end('failed', { reason: `the model refused${stop.explanation ? `: ${stop.explanation}` : ''}` });
      case 'model_context_window_exceeded':
        return end('failed', {
          reason: "the conversation outgrew the model's context window; split the task or give it fewer files",
        });
      case 'pause_turn':
        // The API paused a long turn: send it back unchanged and the model resumes where it was.
        pushAssistant(response.content);
        if (toolUses.length > 0) pushUser(await runTools(toolUses));
        continue;
      case 'max_tokens': {
        continuations++;
        if (continuations > limits.maxTokenContinuations) {
          return end('failed', { reason: `the reply hit the output limit ${continuations} times in a row` });
        }
        pushAssistant(response.content);
        // A tool call cut at the limit has incomplete input: answer it with an error instead of running it.
        const results: (LlmToolResultBlock | LlmTextBlock)[] = toolUses.map((t) => ({
          type: 'tool_result',
          toolUseId: t.id,
          content: 'This call was cut off at the output limit and was not run. Send it again with a smaller input.',
          isError: true,
        }));
        results.push({ type: 'text', text: CONTINUE_MESSAGE });
        pushUser(results);
        continue;
      }
      case 'tool_use':
      case 'end_turn':
      case 'stop_sequence': {
        continuations = 0;
        pushAssistant(response.content);
        if (toolUses.length === 0) {
          if (nudged) return end('failed', { reason: 'ended its turn twice without calling complete_task' });
          nudged = true;
          pushUser([{ type: 'text', text: options.nudge ?? NUDGE_MESSAGE }]);
          continue;
        }
        const results = await runTools(toolUses);
        if (signal.aborted) return end('cancelled', {});
        if (stoppedBy !== undefined) return end('failed', { reason: stoppedBy });
        const completed = completion;
        if (completed) {
          const verdict = options.verifyCompletion
            ? await options.verifyCompletion(completed)
            : { kind: 'accept' as const };
          switch (verdict.kind) {
            case 'accept':
              return end('completed', { completion: completed });
            case 'reject':
              return end('failed', { reason: verdict.reason });
            case 'question':
              completion = undefined;
              replaceCompletionResult(results, verdict.question);
              break;
            default: {
              const never: never = verdict;
              return never;
            }
          }
        }
        pushUser(results);
        continue;
      }
      default: {
        const never: never = stop;
        throw new Error(`unhandled stop reason ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * The reply as the next request must carry it: every block unchanged (thinking and server-tool blocks
   * included) except empty text blocks, which the API rejects. A reply with nothing left adds no turn.
   */
  function pushAssistant(content: LlmAssistantBlock[]): void {
    const kept = content.filter((b) => !(b.type === 'text' && b.text === ''));
    if (kept.length > 0) messages.push({ role: 'assistant', content: kept });
  }

  /** A user turn; after another user turn (the reply before was empty) it joins that one, so roles alternate. */
  function pushUser(content: (LlmTextBlock | LlmToolResultBlock)[]): void {
    const last = messages.at(-1);
    // A new object: earlier requests may still hold the old one.
    if (last?.role === 'user') messages[messages.length - 1] = { role: 'user', content: [...last.content, ...content] };
    else messages.push({ role: 'user', content });
  }

  // Tools run one after another: a propose_edit may wait for approval, and order within a turn matters.
  async function runTools(toolUses: LlmToolUseBlock[]): Promise<LlmToolResultBlock[]> {
    const results: LlmToolResultBlock[] = [];
    for (const [index, call] of toolUses.entries()) {
      if (index >= limits.maxToolCallsPerTurn) {
        results.push({
          type: 'tool_result',
          toolUseId: call.id,
          content: `Not run: one turn may make at most ${limits.maxToolCallsPerTurn} tool calls, and this turn made ${toolUses.length}. Send the rest in your next turn.`,
          isError: true,
        });
        continue;
      }
      if (signal.aborted) {
        results.push({
          type: 'tool_result',
          toolUseId: call.id,
          content: 'Cancelled before this tool ran.',
          isError: true,
        });
        continue;
      }
      if (!tools.names.has(call.name)) {
        results.push({
          type: 'tool_result',
          toolUseId: call.id,
          content: `Unknown tool '${call.name}'. Available tools: ${[...tools.names].sort().join(', ')}.`,
          isError: true,
        });
        continue;
      }
      if (call.inputError !== undefined) {
        // Arguments that did not arrive as a JSON object are never guessed at: the model sends the call again.
        results.push({
          type: 'tool_result',
          toolUseId: call.id,
          content: `This call was not run: ${call.inputError}. Send it again with a JSON object as input.`,
          isError: true,
        });
        continue;
      }
      hooks.onActivity?.(`running ${call.name}`);
      const result = await tools.execute({ id: call.id, name: call.name, input: call.input }, signal);
      stoppedBy ??= result.stop;
      if (result.completion && !result.isError) {
        completion = result.completion;
        completionToolUseId = call.id;
      }
      const content = clipToolResult(result.content, limits.maxToolResultChars);
      results.push({ type: 'tool_result', toolUseId: call.id, content, isError: result.isError });
    }
    return results;
  }

  function replaceCompletionResult(results: LlmToolResultBlock[], question: string): void {
    const index = results.findIndex((r) => r.toolUseId === completionToolUseId);
    const existing = results[index];
    if (existing) results[index] = { ...existing, content: question, isError: true };
  }
}
