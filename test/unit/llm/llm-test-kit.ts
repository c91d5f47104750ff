/** Shared builders for the LLM tests: a small request and a provider pointed at the mock. */
import { AnthropicProvider, type AnthropicProviderOptions } from '../../../src/core/llm/anthropic-provider';
import { LlmGovernor } from '../../../src/core/llm/governor';
import type { LlmMessage, LlmRequest, LlmToolDefinition } from '../../../src/core/llm/provider';

export const TEST_KEY = 'sk-test-key';

export const readFileTool: LlmToolDefinition = {
  name: 'read_file',
  description: 'Reads a workspace file.',
  inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};

export const listFilesTool: LlmToolDefinition = {
  name: 'list_files',
  description: 'Lists workspace files under a folder.',
  inputSchema: { type: 'object', properties: { dir: { type: 'string' } } },
};

export function userText(text: string): LlmMessage {
  return { role: 'user', content: [{ type: 'text', text }] };
}

export function request(overrides: Partial<LlmRequest> = {}): LlmRequest {
  return {
    model: 'claude-sonnet-5-5',
    maxTokens: 1024,
    system: [{ text: 'You are the code writer.', cacheBreakpoint: true }],
    messages: [userText('Implement T001.')],
    tools: [readFileTool],
    meta: { role: 'code-writer', taskKey: 'T001' },
    ...overrides,
  };
}

/** A provider on the real SDK, against the mock, with fast governor timings for tests. */
export function providerFor(url: string, options: Partial<AnthropicProviderOptions> = {}): AnthropicProvider {
  return new AnthropicProvider({
    apiKey: async () => TEST_KEY,
    baseURL: url,
    governor: new LlmGovernor({ maxConcurrent: 4, baseBackoffMs: 20, maxBackoffMs: 2000 }),
    ...options,
  });
}

export const never = new AbortController().signal;
