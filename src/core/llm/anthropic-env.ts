/**
 * The CLI's key and base URL for the Anthropic provider: `ANTHROPIC_API_KEY` and `ANTHROPIC_BASE_URL`,
 * read from the environment it is given (the extension reads SecretStorage and a setting instead).
 */
import type { AnthropicProviderOptions } from './anthropic-provider';

export function anthropicOptionsFromEnv(env: NodeJS.ProcessEnv): Pick<AnthropicProviderOptions, 'apiKey' | 'baseURL'> {
  const baseURL = env['ANTHROPIC_BASE_URL']?.trim();
  return {
    apiKey: async () => env['ANTHROPIC_API_KEY'],
    ...(baseURL ? { baseURL } : {}),
  };
}
