/**
 * The VS Code language-model provider's logic, kept vscode-free so it is unit-tested: how our request
 * becomes LM API messages, how streamed parts become our response, and how LM API errors become ours.
 * `src/extension/llm/vscode-lm-provider.ts` only maps these plain shapes onto the `vscode` classes.
 *
 * The LM API has no system role, no stop reasons beyond "the stream ended" and no usage. So: the system
 * prompt leads the first user message; a response with tool calls stops for `tool_use`, else `end_turn`;
 * usage is counted with the model's `countTokens` (or our estimate) and flagged `estimated`.
 */
import { GovernorRetriesExhaustedError, type RetryDecision } from './governor';
import {
  LlmAuthError,
  LlmCancelledError,
  LlmError,
  LlmRateLimitedError,
  LlmRequestError,
  LlmUnavailableError,
} from './errors';
import type { LlmRequest, LlmResponse, LlmTextBlock, LlmToolUseBlock } from './provider';
import type { LlmUsage } from '../../protocol/engine-events';

export type LmPart =
  | { kind: 'text'; value: string }
  | { kind: 'tool-call'; callId: string; name: string; input: object }
  | { kind: 'tool-result'; callId: string; text: string };

export interface LmMessage {
  role: 'user' | 'assistant';
  parts: LmPart[];
}

export interface LmTool {
  name: string;
  description: string;
  inputSchema: object;
}

/** Prefix of a failed tool's result: the LM API's result part has no error flag. */
export const TOOL_ERROR_PREFIX = 'ERROR: ';

function asObject(value: unknown): object {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
}

export function toLmMessages(request: LlmRequest): LmMessage[] {
  const system = request.system.map((block) => block.text).join('\n\n');
  const messages: LmMessage[] = request.messages.map((message): LmMessage => {
    if (message.role === 'assistant') {
      return {
        role: 'assistant',
        // Another provider's opaque blocks (thinking, server tools) mean nothing to a VS Code model: left out.
        parts: message.content.flatMap((block): LmPart[] => {
          switch (block.type) {
            case 'text':
              return [{ kind: 'text', value: block.text }];
            case 'tool_use':
              return [{ kind: 'tool-call', callId: block.id, name: block.name, input: asObject(block.input) }];
            case 'opaque':
              return [];
            default: {
              const never: never = block;
              throw new Error(`unknown assistant block ${JSON.stringify(never)}`);
            }
          }
        }),
      };
    }
    return {
      role: 'user',
      parts: message.content.map((block): LmPart =>
        block.type === 'text'
          ? { kind: 'text', value: block.text }
          : {
              kind: 'tool-result',
              callId: block.toolUseId,
              text: block.isError ? `${TOOL_ERROR_PREFIX}${block.content}` : block.content,
            },
      ),
    };
  });
  const first = messages[0];
  if (system.length > 0) {
    if (first?.role === 'user') {
      // Tool results must lead a user message, so the system text goes after them when there are any.
      const leadingResults = first.parts.filter((p) => p.kind === 'tool-result');
      const rest = first.parts.filter((p) => p.kind !== 'tool-result');
      first.parts = [...leadingResults, { kind: 'text', value: system }, ...rest];
    } else {
      messages.unshift({ role: 'user', parts: [{ kind: 'text', value: system }] });
    }
  }
  return messages;
}

export function toLmTools(request: LlmRequest): LmTool[] {
  return [...request.tools]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((tool) => ({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema }));
}

/** Every piece of text a request sends, for counting its tokens. */
export function requestTexts(request: LlmRequest): string[] {
  return [
    ...request.system.map((b) => b.text),
    ...request.tools.map((t) => `${t.name} ${t.description} ${JSON.stringify(t.inputSchema)}`),
    ...request.messages.flatMap((m) =>
      m.content.map((b) =>
        b.type === 'text'
          ? b.text
          : b.type === 'tool_use'
            ? `${b.name} ${JSON.stringify(b.input)}`
            : b.type === 'opaque'
              ? ''
              : b.content,
      ),
    ),
  ];
}

export async function estimateUsage(
  request: LlmRequest,
  content: (LlmTextBlock | LlmToolUseBlock)[],
  countTokens: (text: string) => Promise<number>,
): Promise<LlmUsage> {
  const inputCounts = await Promise.all(requestTexts(request).map(countTokens));
  const outputCounts = await Promise.all(
    content.map((b) => countTokens(b.type === 'text' ? b.text : `${b.name} ${JSON.stringify(b.input)}`)),
  );
  return {
    inputTokens: inputCounts.reduce((a, b) => a + b, 0),
    outputTokens: outputCounts.reduce((a, b) => a + b, 0),
    cacheCreationInputTokens: 0,
    cacheCreation1hInputTokens: 0,
    cacheReadInputTokens: 0,
    estimated: true,
  };
}

/** Collects streamed parts into our response content, merging adjacent text. */
export class LmResponseAssembler {
  private readonly content: (LlmTextBlock | LlmToolUseBlock)[] = [];

  addText(value: string): void {
    const last = this.content.at(-1);
    if (last?.type === 'text') last.text += value;
    else this.content.push({ type: 'text', text: value });
  }

  addToolCall(callId: string, name: string, input: object): void {
    this.content.push({ type: 'tool_use', id: callId, name, input });
  }

  finish(model: string, usage: LlmUsage): LlmResponse {
    const hasToolCall = this.content.some((b) => b.type === 'tool_use');
    return {
      content: this.content,
      stopReason: { type: hasToolCall ? 'tool_use' : 'end_turn' },
      usage,
      model,
      requestId: null,
      attempts: 1,
    };
  }

  get blocks(): readonly (LlmTextBlock | LlmToolUseBlock)[] {
    return this.content;
  }
}

/**
 * An LM API failure as our typed error. `code` is `LanguageModelError.code` when the error is one:
 * NoPermissions (the user refused consent), NotFound (the model is gone), Blocked (quota or rate limit).
 */
/**
 * Whether the governor sends a failed VS Code LM call again. `Blocked` is the provider's quota or rate
 * limit: the whole pool waits (no `retry-after` is given, so the governor's own backoff). Consent, a
 * missing model and anything else are final.
 */
export function classifyLmFailure(code: string | undefined, cancelled: boolean): RetryDecision {
  if (cancelled) return { type: 'fail' };
  return code === 'Blocked' ? { type: 'pool-backoff', retryAfterMs: null } : { type: 'fail' };
}

/** The failure to report once the governor gave up: the last attempt's own error. */
export function lastFailureOf(error: unknown): unknown {
  return error instanceof GovernorRetriesExhaustedError ? error.cause : error;
}

export function toLlmErrorFromLm(
  error: unknown,
  code: string | undefined,
  cancelled: boolean,
  modelName: string,
): LlmError {
  if (error instanceof LlmError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (cancelled) return new LlmCancelledError('The model call was cancelled.', { cause: error });
  switch (code) {
    case 'NoPermissions':
      return new LlmAuthError(
        `VS Code did not allow this extension to use "${modelName}" (consent was refused or withdrawn): allow it when asked, or pick the Anthropic provider. ${message}`,
        { cause: error },
      );
    case 'NotFound':
      return new LlmUnavailableError(
        `The VS Code language model "${modelName}" is no longer available: pick another in the settings. ${message}`,
        { cause: error },
      );
    case 'Blocked':
      return new LlmRateLimitedError(
        `The VS Code language model "${modelName}" refused the request (quota or rate limit): ${message}`,
        null,
        { cause: error },
      );
    default:
      return new LlmRequestError(`The VS Code language model "${modelName}" failed: ${message}`, null, null, {
        cause: error,
      });
  }
}

export function noModelError(selector: string): LlmUnavailableError {
  return new LlmUnavailableError(
    `No VS Code language model matches ${selector}. Install or sign in to a chat model extension (for example a Copilot-style chat provider), ` +
      'or use the Anthropic provider with an API key.',
  );
}
