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
import { addUsage, zeroUsage, type LlmUsage, type RunStopCause } from '../../protocol/engine-events';
import { assertNever } from '../util/assert-never';
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
  | { kind: 'failed'; reason: string; turns: number; usage: LlmUsage; finalText: string; stopsRun?: RunStopCause }
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

function runStopCause(error: LlmError): RunStopCause | undefined {
  if (error instanceof LlmAuthError) return 'credentials';
  if (error instanceof LlmUnavailableError || (error instanceof LlmRequestError && error.status === 404))
    return 'model';
  return undefined;
}

export async function runAgentLoop(options: AgentLoopOptions): Promise<AgentOutcome> {
  return new AgentConversation(options).run();
}

/** How the conversation ends, before the counts every outcome carries are added. */
type Ending = AgentOutcome extends infer O
  ? O extends AgentOutcome
    ? Omit<O, 'turns' | 'usage' | 'finalText'>
    : never
  : never;

/** One worker's conversation: its messages, what it has billed, and how it ends. */
class AgentConversation {
  private readonly messages: LlmMessage[];
  private usage = zeroUsage();
  private turns = 0;
  private continuations = 0;
  private nudged = false;
  private finalText = '';
  private completion: { completion: TaskCompletion; toolUseId: string } | undefined;
  /** Set when a tool decided the worker cannot succeed: the conversation ends failed with this reason. */
  private stoppedBy: string | undefined;

  constructor(private readonly options: AgentLoopOptions) {
    this.messages = [{ role: 'user', content: [{ type: 'text', text: options.initialMessage }] }];
  }

  async run(): Promise<AgentOutcome> {
    for (;;) {
      const ending = this.limitReached() ?? (await this.turn());
      if (ending) return { ...ending, turns: this.turns, usage: this.usage, finalText: this.finalText };
    }
  }

  private limitReached(): Ending | undefined {
    const { limits, signal } = this.options;
    if (signal.aborted) return { kind: 'cancelled' };
    if (this.turns >= limits.maxTurns)
      return {
        kind: 'budget-exceeded',
        scope: 'worker',
        reason: `used its ${limits.maxTurns}-turn budget without completing the task`,
      };
    const billed = tokensBilled(this.usage);
    if (billed >= limits.tokenBudget)
      return {
        kind: 'budget-exceeded',
        scope: 'worker',
        reason: `used ${billed} tokens, over its budget of ${limits.tokenBudget}`,
      };
    return undefined;
  }

  /** One model call and what follows from its stop reason; an ending, or undefined to go on. */
  private async turn(): Promise<Ending | undefined> {
    const sent = await this.send();
    if ('kind' in sent) return sent;
    const { response } = sent;
    const text = response.content
      .filter((b): b is LlmTextBlock => b.type === 'text')
      .map((b) => b.text)
      .join('');
    if (text.trim() !== '') this.finalText = text;
    const toolUses = response.content.filter((b): b is LlmToolUseBlock => b.type === 'tool_use');
    const stop = response.stopReason;
    switch (stop.type) {
      case 'refusal':
        // Never run tools from a refusal turn; nothing of it is kept.
        return { kind: 'failed', reason: `the model refused${stop.explanation ? `: ${stop.explanation}` : ''}` };
      case 'model_context_window_exceeded':
        return {
          kind: 'failed',
          reason: "the conversation outgrew the model's context window; split the task or give it fewer files",
        };
      case 'pause_turn':
        // The API paused a long turn: send it back unchanged and the model resumes where it was.
        this.pushAssistant(response.content);
        if (toolUses.length > 0) this.pushUser(await this.runTools(toolUses));
        return undefined;
      case 'max_tokens':
        return this.continueCutReply(response.content, toolUses);
      case 'tool_use':
      case 'end_turn':
      case 'stop_sequence':
        this.continuations = 0;
        this.pushAssistant(response.content);
        return this.answerTools(toolUses);
      default:
        return assertNever(stop);
    }
  }

  /**
   * The provider has already retried what was worth retrying (the governor owns every retry of a call): a
   * failure that reaches here is final for this turn.
   */
  private async send(): Promise<{ response: LlmResponse } | Ending> {
    const { provider, request, hooks = {}, signal } = this.options;
    this.turns++;
    hooks.onActivity?.(this.turns === 1 ? 'thinking' : `thinking (turn ${this.turns})`);
    try {
      const response = await provider.send(
        { ...request, messages: this.messages.slice() },
        {
          onText: (delta) => hooks.onText?.(delta),
          onWaiting: (reason, forMs) => hooks.onActivity?.(describeWait(reason, forMs)),
          onToolUseStart: (toolUse) => hooks.onActivity?.(`writing a ${toolUse.name} call`),
          onAttemptDiscarded: (_attempt, reason) => hooks.onActivity?.(`retrying the model call (${reason})`),
        },
        signal,
      );
      this.book(response.usage, response.model);
      return { response };
    } catch (error) {
      if (error instanceof LlmError) this.book(error.usage, request.model);
      if (error instanceof LlmCancelledError || signal.aborted) return { kind: 'cancelled' };
      if (error instanceof LlmBudgetExceededError)
        return { kind: 'budget-exceeded', scope: 'run', reason: error.message };
      if (error instanceof LlmError) {
        const stopsRun = runStopCause(error);
        // A failure that stops the run is the account's or the network's: its own message says it all, once.
        if (stopsRun) return { kind: 'failed', reason: error.message, stopsRun };
        return { kind: 'failed', reason: `model call failed: ${error.message}` };
      }
      throw error;
    }
  }

  private book(delta: LlmUsage | undefined, model: string): void {
    if (!delta) return;
    this.usage = addUsage(this.usage, delta);
    this.options.hooks?.onUsage?.(delta, model);
  }

  /** A reply cut at the output limit: continued a bounded number of times; its cut tool calls are not run. */
  private continueCutReply(content: LlmAssistantBlock[], toolUses: LlmToolUseBlock[]): Ending | undefined {
    this.continuations++;
    if (this.continuations > this.options.limits.maxTokenContinuations)
      return { kind: 'failed', reason: `the reply hit the output limit ${this.continuations} times in a row` };
    this.pushAssistant(content);
    const results: (LlmToolResultBlock | LlmTextBlock)[] = toolUses.map((t) => ({
      type: 'tool_result',
      toolUseId: t.id,
      content: 'This call was cut off at the output limit and was not run. Send it again with a smaller input.',
      isError: true,
    }));
    results.push({ type: 'text', text: CONTINUE_MESSAGE });
    this.pushUser(results);
    return undefined;
  }

  /** A turn that ended: run its tools (or nudge a model that called none), then judge a claimed completion. */
  private async answerTools(toolUses: LlmToolUseBlock[]): Promise<Ending | undefined> {
    if (toolUses.length === 0) {
      if (this.nudged) return { kind: 'failed', reason: 'ended its turn twice without calling complete_task' };
      this.nudged = true;
      this.pushUser([{ type: 'text', text: this.options.nudge ?? NUDGE_MESSAGE }]);
      return undefined;
    }
    const results = await this.runTools(toolUses);
    if (this.options.signal.aborted) return { kind: 'cancelled' };
    if (this.stoppedBy !== undefined) return { kind: 'failed', reason: this.stoppedBy };
    const ending = this.completion ? await this.judgeCompletion(this.completion, results) : undefined;
    if (ending) return ending;
    this.pushUser(results);
    return undefined;
  }

  /** The scheduler's check of `complete_task`: accepted, rejected, or questioned (the question replaces its result). */
  private async judgeCompletion(
    claimed: { completion: TaskCompletion; toolUseId: string },
    results: LlmToolResultBlock[],
  ): Promise<Ending | undefined> {
    const { completion } = claimed;
    const verdict = this.options.verifyCompletion
      ? await this.options.verifyCompletion(completion)
      : { kind: 'accept' as const };
    switch (verdict.kind) {
      case 'accept':
        return { kind: 'completed', completion };
      case 'reject':
        return { kind: 'failed', reason: verdict.reason };
      case 'question': {
        this.completion = undefined;
        const index = results.findIndex((r) => r.toolUseId === claimed.toolUseId);
        const existing = results[index];
        if (existing) results[index] = { ...existing, content: verdict.question, isError: true };
        return undefined;
      }
      default:
        return assertNever(verdict);
    }
  }

  /**
   * The reply as the next request must carry it: every block unchanged (thinking and server-tool blocks
   * included) except empty text blocks, which the API rejects. A reply with nothing left adds no turn.
   */
  private pushAssistant(content: LlmAssistantBlock[]): void {
    const kept = content.filter((b) => !(b.type === 'text' && b.text === ''));
    if (kept.length > 0) this.messages.push({ role: 'assistant', content: kept });
  }

  /** A user turn; after another user turn (the reply before was empty) it joins that one, so roles alternate. */
  private pushUser(content: (LlmTextBlock | LlmToolResultBlock)[]): void {
    const last = this.messages.at(-1);
    // A new object: earlier requests may still hold the old one.
    if (last?.role === 'user')
      this.messages[this.messages.length - 1] = { role: 'user', content: [...last.content, ...content] };
    else this.messages.push({ role: 'user', content });
  }

  /** Tools run one after another: a propose_edit may wait for approval, and order within a turn matters. */
  private async runTools(toolUses: LlmToolUseBlock[]): Promise<LlmToolResultBlock[]> {
    const results: LlmToolResultBlock[] = [];
    for (const [index, call] of toolUses.entries()) results.push(await this.runTool(call, index, toolUses.length));
    return results;
  }

  private async runTool(call: LlmToolUseBlock, index: number, callsThisTurn: number): Promise<LlmToolResultBlock> {
    const { tools, signal, hooks, limits } = this.options;
    const refuse = (content: string): LlmToolResultBlock => ({
      type: 'tool_result',
      toolUseId: call.id,
      content,
      isError: true,
    });
    if (index >= limits.maxToolCallsPerTurn)
      return refuse(
        `Not run: one turn may make at most ${limits.maxToolCallsPerTurn} tool calls, and this turn made ${callsThisTurn}. Send the rest in your next turn.`,
      );
    if (signal.aborted) return refuse('Cancelled before this tool ran.');
    if (!tools.names.has(call.name))
      return refuse(`Unknown tool '${call.name}'. Available tools: ${[...tools.names].sort().join(', ')}.`);
    // Arguments that did not arrive as a JSON object are never guessed at: the model sends the call again.
    if (call.inputError !== undefined)
      return refuse(`This call was not run: ${call.inputError}. Send it again with a JSON object as input.`);
    hooks?.onActivity?.(`running ${call.name}`);
    const result = await tools.execute({ id: call.id, name: call.name, input: call.input }, signal);
    this.stoppedBy ??= result.stop;
    if (result.completion && !result.isError) this.completion = { completion: result.completion, toolUseId: call.id };
    const content = clipToolResult(result.content, limits.maxToolResultChars);
    return { type: 'tool_result', toolUseId: call.id, content, isError: result.isError };
  }
}
