/**
 * Turns our provider-neutral request into Messages API parameters laid out for prompt caching.
 *
 * The API caches a prefix in the order tools → system → messages, up to a block marked `cache_control`.
 * So: tools sorted by name (byte-stable whatever order a role lists them in); the system prompt as given,
 * with a breakpoint where the caller marks a stable part ends (the role prompt, then the feature's
 * constitution/spec/plan context); and one breakpoint on the last block of the latest turn, so the next
 * turn of the same conversation reads everything before it from the cache.
 *
 * The API rejects more than four breakpoints in one request; `MAX_CACHE_BREAKPOINTS` is enforced here by
 * keeping the conversation's breakpoint and the latest system ones (they cover the longest stable prefix).
 */
import type {
  CacheControlEphemeral,
  ContentBlockParam,
  MessageCreateParamsBase,
  MessageParam,
  TextBlockParam,
  Tool,
} from '@anthropic-ai/sdk/resources/messages';
import type { LlmMessage, LlmRequest } from './provider';

export const MAX_CACHE_BREAKPOINTS = 4;

/** `LlmProvider.id` of the Anthropic provider: opaque blocks it produced are sent back to the API. */
export const ANTHROPIC_PROVIDER_ID = 'anthropic';

export type AnthropicStreamParams = Omit<MessageCreateParamsBase, 'stream'> & {
  system: TextBlockParam[];
  messages: MessageParam[];
  tools: Tool[];
};

function toMessageParam(message: LlmMessage): MessageParam {
  if (message.role === 'user') {
    return {
      role: 'user',
      content: message.content.map((block): ContentBlockParam => {
        switch (block.type) {
          case 'text':
            return { type: 'text', text: block.text };
          case 'tool_result':
            return {
              type: 'tool_result',
              tool_use_id: block.toolUseId,
              content: block.content,
              ...(block.isError ? { is_error: true } : {}),
            };
          default: {
            const never: never = block;
            throw new Error(`unknown user block ${JSON.stringify(never)}`);
          }
        }
      }),
    };
  }
  return {
    role: 'assistant',
    content: message.content.flatMap((block): ContentBlockParam[] => {
      switch (block.type) {
        case 'text':
          return [{ type: 'text', text: block.text }];
        case 'tool_use':
          return [{ type: 'tool_use', id: block.id, name: block.name, input: block.input }];
        case 'opaque':
          // Thinking signatures and paused server-tool calls must come back byte for byte: the block as received.
          // Another provider's blocks mean nothing to this API and are left out.
          return block.providerId === ANTHROPIC_PROVIDER_ID ? [block.raw as unknown as ContentBlockParam] : [];
        default: {
          const never: never = block;
          throw new Error(`unknown assistant block ${JSON.stringify(never)}`);
        }
      }
    }),
  };
}

export function buildAnthropicParams(request: LlmRequest): AnthropicStreamParams {
  const caching = request.caching ?? true;
  const cacheControl: CacheControlEphemeral =
    request.cacheTtl === '1h' ? { type: 'ephemeral', ttl: '1h' } : { type: 'ephemeral' };

  const tools: Tool[] = [...request.tools]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.inputSchema }));

  const systemMarks = request.system.flatMap((block, index) =>
    block.cacheBreakpoint && block.text.length > 0 ? [index] : [],
  );
  const messages = request.messages.map(toMessageParam);
  const lastMessage = messages.at(-1);
  const lastBlock = lastMessage && Array.isArray(lastMessage.content) ? lastMessage.content.at(-1) : undefined;
  const conversationMark =
    caching && lastBlock !== undefined && !(lastBlock.type === 'text' && lastBlock.text.length === 0);

  // The conversation's breakpoint always stays; the system ones fill what is left, latest first.
  const systemBudget = MAX_CACHE_BREAKPOINTS - (conversationMark ? 1 : 0);
  const keptSystemMarks = new Set(caching ? systemMarks.slice(-systemBudget) : []);
  const system: TextBlockParam[] = request.system.map((block, index) =>
    keptSystemMarks.has(index)
      ? { type: 'text', text: block.text, cache_control: cacheControl }
      : { type: 'text', text: block.text },
  );

  // With no system breakpoint the tools alone are still a stable prefix worth marking.
  const lastTool = tools.at(-1);
  if (caching && keptSystemMarks.size === 0 && lastTool && MAX_CACHE_BREAKPOINTS - (conversationMark ? 1 : 0) > 0) {
    lastTool.cache_control = cacheControl;
  }
  if (conversationMark && lastBlock !== undefined) {
    (lastBlock as { cache_control?: CacheControlEphemeral }).cache_control = cacheControl;
  }

  return {
    model: request.model,
    max_tokens: request.maxTokens,
    system,
    messages,
    tools,
    ...(request.stopSequences && request.stopSequences.length > 0 ? { stop_sequences: request.stopSequences } : {}),
  };
}

/** How many `cache_control` markers a request carries, anywhere the API accepts one. */
export function countCacheBreakpoints(params: {
  system?: unknown;
  messages?: unknown;
  tools?: unknown;
  cache_control?: unknown;
}): number {
  let count = params.cache_control ? 1 : 0;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    if (record['cache_control']) count++;
    if (Array.isArray(record['content'])) visit(record['content']);
  };
  visit(params.system);
  visit(params.tools);
  visit(params.messages);
  return count;
}
