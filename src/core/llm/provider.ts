/**
 * The one interface the agents use to talk to a model, in provider-neutral terms. The Anthropic provider
 * (official SDK) and the VS Code language-model provider both implement it; the agent loop owns the
 * conversation, runs tools between turns and switches on the typed errors in `errors.ts`.
 */
import type { LlmUsage, WorkerRole } from '../../protocol/engine-events';

export type CacheTtl = '5m' | '1h';

/** A block of the system prompt. `cacheBreakpoint` marks the end of a stable prefix worth caching. */
export interface LlmSystemBlock {
  text: string;
  cacheBreakpoint?: boolean;
}

export interface LlmTextBlock {
  type: 'text';
  text: string;
}

export interface LlmToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  /** The model's arguments, parsed from JSON; the tool's own parser narrows it. */
  input: unknown;
  /**
   * Set when the arguments arrived but were not a JSON object (malformed or cut off): `input` is then `{}` and
   * the call must be answered with this as an error result, never run.
   */
  inputError?: string;
}

export interface LlmToolResultBlock {
  type: 'tool_result';
  toolUseId: string;
  content: string;
  /** Failures, rejected approvals and unknown tools are error results, not exceptions. */
  isError?: boolean;
}

/**
 * An assistant block we do not interpret (`thinking`, `redacted_thinking`, `server_tool_use`, a server tool's
 * result, …), kept exactly as the provider returned it. The API requires some of them (thinking signatures,
 * a paused server tool call) to come back unchanged in the next request, so the loop appends them as they are
 * and the provider that produced them sends them back; other providers leave them out.
 */
export interface LlmOpaqueBlock {
  type: 'opaque';
  /** The provider that produced the block (`LlmProvider.id`); only it can send the block back. */
  providerId: string;
  /** The wire type, e.g. `thinking`, for logs and tests. */
  wireType: string;
  /** The block as received, every field kept. */
  raw: Readonly<Record<string, unknown>>;
}

export type LlmAssistantBlock = LlmTextBlock | LlmToolUseBlock | LlmOpaqueBlock;

export type LlmContentBlock = LlmTextBlock | LlmToolUseBlock | LlmToolResultBlock | LlmOpaqueBlock;

export type LlmMessage =
  | { role: 'user'; content: (LlmTextBlock | LlmToolResultBlock)[] }
  | { role: 'assistant'; content: LlmAssistantBlock[] };

export interface LlmToolDefinition {
  /** `^[a-zA-Z0-9_-]{1,64}$`, as the Messages API requires. */
  name: string;
  description: string;
  /** JSON Schema of the input; its top-level `type` must be `object`. */
  inputSchema: { type: 'object'; [key: string]: unknown };
}

/** Who is asking: usage is booked to this role and task, budgets are checked against them. */
export interface LlmCallMeta {
  role: WorkerRole;
  taskKey?: string;
  workerId?: string;
}

export interface LlmRequest {
  model: string;
  maxTokens: number;
  system: LlmSystemBlock[];
  messages: LlmMessage[];
  tools: LlmToolDefinition[];
  stopSequences?: string[];
  /**
   * A name for the stable prefix (tools + role prompt + feature context) shared by every worker of a role.
   * Calls with the same key are warmed up once before fan-out (see `LlmGovernor`). Omit to skip warm-up.
   */
  prefixKey?: string;
  /** Prompt caching on or off (on by default); off is for comparisons and gateways that reject it. */
  caching?: boolean;
  cacheTtl?: CacheTtl;
  meta: LlmCallMeta;
}

export type LlmStopReason =
  | { type: 'end_turn' }
  | { type: 'tool_use' }
  | { type: 'max_tokens' }
  | { type: 'stop_sequence'; sequence: string | null }
  | { type: 'pause_turn' }
  | { type: 'refusal'; explanation: string | null }
  | { type: 'model_context_window_exceeded' };

export interface LlmResponse {
  content: LlmAssistantBlock[];
  stopReason: LlmStopReason;
  /** Billed usage of every attempt of this call, failed attempts included. */
  usage: LlmUsage;
  model: string;
  requestId: string | null;
  /** Sends of this call: 1 unless the governor had to send it again. */
  attempts: number;
}

export type LlmWaitReason = 'rate-limit' | 'concurrency' | 'cache-warm-up' | 'retry';

/** How one send of a call ended, for settling what the budget reserved for it. */
export type SendOutcome =
  /** The reply came whole: what it billed is known exactly. */
  | 'answered'
  /** Refused before any reply began (a 429, a 529, a 5xx, no connection): nothing was billed. */
  | 'failed-before-reply'
  /** The reply began and broke off (an SSE error, a cut or stalled stream): more may be billed than was seen. */
  | 'broken-reply';

export interface LlmStreamHooks {
  onText?(delta: string): void;
  onToolUseStart?(toolUse: { id: string; name: string }): void;
  /** The call is queued, not failed; `forMs` is how long the wait lasts, when that is known. */
  onWaiting?(reason: LlmWaitReason, forMs?: number): void;
  /** An attempt broke mid-stream and will be repeated: a face should drop the partial text it showed. */
  onAttemptDiscarded?(attempt: number, reason: string): void;
  /**
   * The budget, before every send of the call (each retry too, after its slot is granted): reserves the send's
   * worst case and returns the `max_tokens` the send may use; throws `LlmBudgetExceededError` to refuse it. A
   * provider calls it before each send and `settleSend` after each send it allowed.
   */
  reserveSend?(requestedMaxTokens: number): number;
  settleSend?(billed: LlmUsage, outcome: SendOutcome): void;
}

export interface LlmProvider {
  readonly id: string;
  send(request: LlmRequest, hooks: LlmStreamHooks, signal: AbortSignal): Promise<LlmResponse>;
}
