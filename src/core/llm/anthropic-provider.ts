/**
 * The Anthropic provider, on the official SDK: streams every call (`client.messages.stream`), feeds text
 * and tool-call starts to the hooks, returns the final message in our own terms, and really aborts the HTTP
 * request when the signal fires.
 *
 * Retries: the SDK retries nothing (`maxRetries: 0`). Every failure goes to the run's shared `LlmGovernor`,
 * classified by `classifyAnthropicFailure`: 429 and 529 pause the whole pool for the server's
 * `retry-after`; 408, 409, 5xx, timeouts and turns whose stream broke (an SSE `error` event, a cut
 * connection, a stall) are sent again from the same messages after the call's own backoff; an unreachable
 * server or a refused key fails at once. The governor's `maxAttempts` bounds every send of a call. The
 * failed attempts' usage is still counted. Nothing is repeated by a retry: tools run only after `send`
 * returns, from the final message.
 */
import Anthropic from '@anthropic-ai/sdk';
import { redactSecrets, rememberSecret } from '../util/secrets';
import { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import type {
  ContentBlock,
  Message,
  MessageCreateParamsBase,
  MessageStreamEvent,
  Messages,
  Usage,
} from '@anthropic-ai/sdk/resources/messages';
import type { Logger } from '../ports/logger';
import { silentLogger } from '../ports/logger';
import { classifyAnthropicFailure, StreamBrokenError, toLlmError } from './anthropic-failures';
import { AnthropicWireFetch } from './anthropic-wire';
import { ANTHROPIC_PROVIDER_ID, buildAnthropicParams, type AnthropicStreamParams } from './cache-layout';
import { LlmAuthError, LlmRequestError } from './errors';
import { LlmGovernor, type AttemptContext } from './governor';
import {
  type LlmProvider,
  type LlmRequest,
  type LlmResponse,
  type LlmAssistantBlock,
  type LlmStopReason,
  type LlmStreamHooks,
} from './provider';
import { addUsage, zeroUsage, type LlmUsage } from '../../protocol/engine-events';

export interface AnthropicProviderOptions {
  /** Where the key comes from: SecretStorage in the extension, `ANTHROPIC_API_KEY` in the CLI. Read per call. */
  apiKey: () => Promise<string | undefined>;
  /** A gateway or proxy (`ANTHROPIC_BASE_URL` or a setting); the public API when omitted. */
  baseURL?: string | undefined;
  /** The shared governor of the run; a private one (4 at a time) when omitted. */
  governor?: LlmGovernor | undefined;
  /** Per-request timeout until the response begins. Default 10 minutes, as the SDK's. */
  timeoutMs?: number | undefined;
  /** A started stream that sends nothing for this long is cut and the turn retried. Default 2 minutes. */
  streamIdleTimeoutMs?: number | undefined;
  logger?: Logger | undefined;
}

const PUBLIC_API = 'https://api.anthropic.com';

/** How long a request may wait for its response to begin (the SDK's own default). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10 * 60_000;
/** How long a begun stream may send nothing before it counts as stalled, is cut and sent again. */
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 2 * 60_000;

/**
 * The SDK's `messages.create` prints a deprecation warning on the console (not through its logger) for every
 * call to a model on its deprecated list. A run must never print that: the request is the same
 * `POST /v1/messages` the SDK's stream helper sends, made through the client's own `post` (auth, retries,
 * timeout, errors all the SDK's), without that console check. The stream helper is the SDK's own.
 */
type PostOptions = Exclude<Parameters<Anthropic['post']>[1], undefined | PromiseLike<unknown>>;

function quietMessages(client: Anthropic): Messages {
  const create = (body: MessageCreateParamsBase, options?: PostOptions) =>
    client.post('/v1/messages', { ...options, body: { ...body, stream: true }, stream: true });
  // `MessageStream.createMessage` only calls `create(...).withResponse()` on what it is given.
  return { create } as unknown as Messages;
}

export class AnthropicProvider implements LlmProvider {
  readonly id = ANTHROPIC_PROVIDER_ID;
  private readonly governor: LlmGovernor;
  private readonly logger: Logger;
  private readonly wire: AnthropicWireFetch;
  private client: { key: string; client: Anthropic } | undefined;

  constructor(private readonly options: AnthropicProviderOptions) {
    this.governor = options.governor ?? new LlmGovernor({ maxConcurrent: 4 });
    this.logger = options.logger ?? silentLogger;
    this.wire = new AnthropicWireFetch({ logger: this.logger });
  }

  async send(request: LlmRequest, hooks: LlmStreamHooks, signal: AbortSignal): Promise<LlmResponse> {
    const client = await this.clientForCurrentKey();
    const params = buildAnthropicParams(request);
    let failedUsage = zeroUsage();
    try {
      const { message, requestId, attempt } = await this.governor.run(
        {
          prefixKey: request.caching === false ? undefined : request.prefixKey,
          onWaiting: hooks.onWaiting?.bind(hooks),
          onRetry: (attemptNumber, reason) => {
            this.logger.warn(
              `model call attempt ${attemptNumber} (${request.meta.role}${request.meta.taskKey ? ` ${request.meta.taskKey}` : ''}) failed: ${reason}; retrying`,
            );
            hooks.onAttemptDiscarded?.(attemptNumber, reason);
          },
          classify: classifyAnthropicFailure,
          attempt: async (context) => {
            // Reserved per send, after the slot is granted: a call waiting in the queue holds no budget.
            const maxTokens = hooks.reserveSend?.(params.max_tokens) ?? params.max_tokens;
            const outcome = await this.streamOnce(client, { ...params, max_tokens: maxTokens }, hooks, context);
            if (outcome.type === 'failed') {
              hooks.settleSend?.(outcome.usage, outcome.replyBegun ? 'broken-reply' : 'failed-before-reply');
              failedUsage = addUsage(failedUsage, outcome.usage);
              throw outcome.error;
            }
            hooks.settleSend?.(toUsage(outcome.message.usage), 'answered');
            return { ...outcome, attempt: context.attempt };
          },
        },
        signal,
      );
      return {
        content: toContent(message),
        stopReason: toStopReason(message),
        usage: addUsage(failedUsage, toUsage(message.usage)),
        model: message.model,
        requestId,
        attempts: attempt,
      };
    } catch (error) {
      // A gateway may echo the key in its error: the message never carries it on (see util/secrets.ts).
      const typed = withoutSecrets(toLlmError(error, signal));
      typed.usage = failedUsage;
      this.logger.debug(`model call failed: ${typed.message}`);
      throw typed;
    }
  }

  private async clientForCurrentKey(): Promise<Anthropic> {
    const key = (await this.options.apiKey())?.trim();
    if (!key) {
      throw new LlmAuthError(
        'No Anthropic API key. In VS Code run "Spec-Kit: Set Anthropic API Key" (stored in SecretStorage) or pick the VS Code language-model provider; ' +
          'in the CLI set ANTHROPIC_API_KEY.',
      );
    }
    rememberSecret(key);
    if (this.client?.key === key) return this.client.client;
    const client = new Anthropic({
      // Passed explicitly: with no key at all, SDK 1.x would go looking for credential profiles on disk.
      apiKey: key,
      baseURL: this.options.baseURL ?? PUBLIC_API,
      // The governor owns every retry (see the top of this file).
      maxRetries: 0,
      timeout: this.options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      fetch: this.wire.fetch,
      logLevel: 'warn',
      logger: sdkLogger(this.logger),
    });
    this.client = { key, client };
    return client;
  }

  private async streamOnce(
    client: Anthropic,
    params: AnthropicStreamParams,
    hooks: LlmStreamHooks,
    context: AttemptContext,
  ): Promise<
    | { type: 'ok'; message: Message; requestId: string | null }
    | { type: 'failed'; error: unknown; usage: LlmUsage; replyBegun: boolean }
  > {
    const idleMs = this.options.streamIdleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS;
    const local = new AbortController();
    const onOuterAbort = (): void => local.abort();
    context.signal.addEventListener('abort', onOuterAbort, { once: true });
    let stalled = false;
    // Once the server answered 200 the reply may be billed, even if no event of it ever arrives.
    let replyBegun = false;
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    const armIdleTimer = (): void => {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        stalled = true;
        local.abort();
      }, idleMs);
    };

    const stream = MessageStream.createMessage<null>(
      quietMessages(client),
      params,
      { signal: local.signal, headers: { 'x-stainless-helper-method': 'stream' } },
      { logger: sdkLogger(this.logger), client },
    );
    stream.on('connect', () => {
      replyBegun = true;
      armIdleTimer();
    });
    stream.on('streamEvent', (event: MessageStreamEvent) => {
      armIdleTimer();
      switch (event.type) {
        case 'message_start':
          context.markFirstByte();
          break;
        case 'content_block_start':
          if (event.content_block.type === 'tool_use')
            hooks.onToolUseStart?.({ id: event.content_block.id, name: event.content_block.name });
          break;
        default:
          break;
      }
    });
    if (hooks.onText) {
      const onText = hooks.onText.bind(hooks);
      stream.on('text', (delta) => onText(delta));
    }
    try {
      const message = await stream.finalMessage();
      return { type: 'ok', message, requestId: stream.request_id ?? null };
    } catch (error) {
      const partial = stream.currentMessage?.usage;
      const usage = partial ? toUsage(partial) : zeroUsage();
      if (stalled && !context.signal.aborted) {
        return {
          type: 'failed',
          error: new StreamBrokenError(`stream stalled: nothing received for ${idleMs} ms`, { cause: error }),
          usage,
          replyBegun,
        };
      }
      return { type: 'failed', error, usage, replyBegun };
    } finally {
      if (idleTimer) clearTimeout(idleTimer);
      context.signal.removeEventListener('abort', onOuterAbort);
    }
  }
}

function sdkLogger(logger: Logger): NonNullable<ConstructorParameters<typeof Anthropic>[0]>['logger'] {
  const line = (message: string, rest: unknown[]): string =>
    [
      message,
      ...rest.map((item) =>
        item instanceof Error ? item.message : typeof item === 'string' ? item : JSON.stringify(item),
      ),
    ].join(' ');
  return {
    error: (message: string, ...rest: unknown[]) => logger.error(line(message, rest)),
    warn: (message: string, ...rest: unknown[]) => logger.warn(line(message, rest)),
    info: (message: string, ...rest: unknown[]) => logger.debug(line(message, rest)),
    debug: (message: string, ...rest: unknown[]) => logger.trace(line(message, rest)),
  };
}

/** A token count as reported, or 0: the cache fields are `number | null`, and some servers leave fields out. */
function tokens(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

export function toUsage(usage: Partial<Usage> | null | undefined): LlmUsage {
  return {
    inputTokens: tokens(usage?.input_tokens),
    outputTokens: tokens(usage?.output_tokens),
    cacheCreationInputTokens: tokens(usage?.cache_creation_input_tokens),
    cacheCreation1hInputTokens: tokens(usage?.cache_creation?.ephemeral_1h_input_tokens),
    cacheReadInputTokens: tokens(usage?.cache_read_input_tokens),
    estimated: false,
  };
}

/** The SDK parses tool input lazily, from possibly partial JSON; a reply cut mid-call can make that throw. */
function toolInputOf(block: {
  input: unknown;
}): { input: unknown } | { input: Record<string, never>; inputError: string } {
  try {
    const input: unknown = block.input;
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) return { input };
    return { input: {}, inputError: `the tool input was ${JSON.stringify(input)}, not a JSON object` };
  } catch (error) {
    return {
      input: {},
      inputError: `the tool input was not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    };
  }
}

/** A plain copy of a block the SDK assembled (its lazy getters read, its hidden buffers dropped). */
function plainBlock(block: ContentBlock): Record<string, unknown> {
  const copy: unknown = JSON.parse(JSON.stringify(block));
  return typeof copy === 'object' && copy !== null ? (copy as Record<string, unknown>) : {};
}

export function toContent(message: Pick<Message, 'content'>): LlmAssistantBlock[] {
  return message.content.map((block): LlmAssistantBlock => {
    if (block.type === 'text') return { type: 'text', text: block.text };
    if (block.type === 'tool_use') return { type: 'tool_use', id: block.id, name: block.name, ...toolInputOf(block) };
    // Thinking, redacted thinking, server tools and their results: not ours to read, but the API wants some of
    // them back unchanged (thinking signatures, a paused server tool), so they are carried as they came.
    let raw: Record<string, unknown>;
    try {
      raw = plainBlock(block);
    } catch (error) {
      raw = { type: block.type };
      void error;
    }
    return { type: 'opaque', providerId: ANTHROPIC_PROVIDER_ID, wireType: block.type, raw };
  });
}

function toStopReason(message: Message): LlmStopReason {
  const reason = message.stop_reason;
  switch (reason) {
    case 'end_turn':
    case 'tool_use':
    case 'max_tokens':
    case 'pause_turn':
    case 'model_context_window_exceeded':
      return { type: reason };
    case 'stop_sequence':
      return { type: 'stop_sequence', sequence: message.stop_sequence };
    case 'refusal':
      return { type: 'refusal', explanation: message.stop_details?.explanation ?? null };
    case null:
      throw new LlmRequestError('The Anthropic API ended a message without a stop reason.', null, message.id);
    default: {
      const never: never = reason;
      throw new LlmRequestError(`Unknown stop reason ${String(never)}`, null, message.id);
    }
  }
}

/** The error with any secret taken out of its message and stack (the sinks redact again; this is the source). */
function withoutSecrets<E extends Error>(error: E): E {
  const message = redactSecrets(error.message);
  if (message !== error.message) error.message = message;
  if (error.stack !== undefined) error.stack = redactSecrets(error.stack);
  return error;
}
