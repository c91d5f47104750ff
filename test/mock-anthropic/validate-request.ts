/**
 * The Messages API's request checks that matter to a client: what the real API answers 400 (or 401) to.
 * One deliberate difference: the real API merges consecutive same-role turns; the mock rejects them, so a
 * client that builds a sloppy conversation is caught in tests.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type Rejection = {
  status: 400 | 401;
  errorType: 'invalid_request_error' | 'authentication_error';
  message: string;
};

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
export const MAX_CACHE_CONTROL_BLOCKS = 4;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): Rejection {
  return { status: 400, errorType: 'invalid_request_error', message };
}

export function credentialOf(headers: IncomingHttpHeaders, scheme: 'any' | 'x-api-key' = 'any'): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0) return apiKey;
  if (scheme === 'x-api-key') return undefined;
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ') && auth.length > 7) return auth.slice(7);
  return undefined;
}

function countCacheControl(value: unknown): number {
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + countCacheControl(item), 0);
  if (!isObject(value)) return 0;
  return (value['cache_control'] ? 1 : 0) + (Array.isArray(value['content']) ? countCacheControl(value['content']) : 0);
}

function contentBlocks(content: unknown): Json[] | string {
  if (typeof content === 'string') return content;
  return Array.isArray(content) ? content.filter(isObject) : [];
}

export function validateMessagesRequest(
  headers: IncomingHttpHeaders,
  body: unknown,
  acceptedKeys: readonly string[] | undefined,
  scheme: 'any' | 'x-api-key' = 'any',
): Rejection | undefined {
  const credential = credentialOf(headers, scheme);
  if (credential === undefined)
    return { status: 401, errorType: 'authentication_error', message: 'x-api-key header is required' };
  if (acceptedKeys && !acceptedKeys.includes(credential))
    return { status: 401, errorType: 'authentication_error', message: 'invalid x-api-key' };
  if (typeof headers['anthropic-version'] !== 'string' || headers['anthropic-version'].length === 0) {
    return invalid('anthropic-version: header is required');
  }
  if (!isObject(body)) return invalid('body: Input should be an object');
  if (typeof body['model'] !== 'string' || body['model'].length === 0) return invalid('model: Field required');
  const maxTokens = body['max_tokens'];
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1)
    return invalid('max_tokens: Field required');

  const system = body['system'];
  if (system !== undefined && typeof system !== 'string') {
    if (!Array.isArray(system)) return invalid('system: Input should be a valid string or list');
    for (const block of system) {
      if (!isObject(block) || block['type'] !== 'text' || typeof block['text'] !== 'string')
        return invalid('system: blocks must be text blocks');
      if (block['text'].length === 0) return invalid('system: text content blocks must be non-empty');
    }
  }

  const tools = body['tools'];
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return invalid('tools: Input should be a valid list');
    const names = new Set<string>();
    for (const [index, tool] of tools.entries()) {
      if (!isObject(tool)) return invalid(`tools.${index}: Input should be an object`);
      const name = tool['name'];
      if (typeof name !== 'string' || !TOOL_NAME.test(name))
        return invalid(`tools.${index}.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`);
      if (names.has(name)) return invalid(`tools: Tool names must be unique (${name})`);
      names.add(name);
      const schema = tool['input_schema'];
      if (!isObject(schema) || schema['type'] !== 'object')
        return invalid(`tools.${index}.input_schema.type: Input should be 'object'`);
    }
  }

  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return invalid('messages: at least one message is required');
  let previousToolUseIds: string[] = [];
  for (const [index, message] of messages.entries()) {
    if (!isObject(message)) return invalid(`messages.${index}: Input should be an object`);
    const role = message['role'];
    if (role !== 'user' && role !== 'assistant')
      return invalid(`messages.${index}.role: Input should be 'user' or 'assistant'`);
    if (index === 0 && role !== 'user') return invalid('messages: first message must use the "user" role');
    if (index > 0 && isObject(messages[index - 1]) && (messages[index - 1] as Json)['role'] === role) {
      return invalid(
        `messages: roles must alternate between "user" and "assistant", but found multiple "${role}" roles in a row`,
      );
    }
    const blocks = contentBlocks(message['content']);
    if (typeof blocks !== 'string') {
      if (blocks.length === 0) return invalid(`messages.${index}: all messages must have non-empty content`);
      for (const block of blocks) {
        if (block['type'] === 'text' && (typeof block['text'] !== 'string' || block['text'].length === 0)) {
          return invalid(`messages.${index}: text content blocks must be non-empty`);
        }
      }
    } else if (blocks.length === 0) {
      return invalid(`messages.${index}: all messages must have non-empty content`);
    }
    const list = typeof blocks === 'string' ? [] : blocks;
    if (role === 'user') {
      const results = list.filter((b) => b['type'] === 'tool_result');
      const resultIds = results.map((b) => String(b['tool_use_id']));
      for (const id of resultIds) {
        if (!previousToolUseIds.includes(id)) {
          return invalid(
            `messages.${index}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
          );
        }
      }
      const missing = previousToolUseIds.filter((id) => !resultIds.includes(id));
      if (missing.length > 0) {
        return invalid(
          `messages.${index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
        );
      }
      const firstOther = list.findIndex((b) => b['type'] !== 'tool_result');
      if (firstOther >= 0 && list.slice(firstOther).some((b) => b['type'] === 'tool_result')) {
        return invalid(`messages.${index}.content: \`tool_result\` blocks must come first in the content array`);
      }
      previousToolUseIds = [];
    } else {
      previousToolUseIds = list.filter((b) => b['type'] === 'tool_use').map((b) => String(b['id']));
      if (list.some((b) => b['type'] === 'tool_result'))
        return invalid(`messages.${index}: \`tool_result\` blocks are only allowed in user messages`);
    }
  }
  if (previousToolUseIds.length > 0) {
    return invalid(
      `messages: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${previousToolUseIds.join(', ')}`,
    );
  }

  const breakpoints =
    countCacheControl(system) +
    countCacheControl(tools) +
    countCacheControl(messages) +
    (body['cache_control'] ? 1 : 0);
  if (breakpoints > MAX_CACHE_CONTROL_BLOCKS) {
    return invalid(
      `A maximum of ${MAX_CACHE_CONTROL_BLOCKS} blocks with cache_control may be provided. Found ${breakpoints}.`,
    );
  }
  return undefined;
}
