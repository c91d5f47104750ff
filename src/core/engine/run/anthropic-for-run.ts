/**
 * The Anthropic provider as a run needs it: with ONE governor that every worker of the run shares. Without
 * it each provider falls back to a private governor of its own (4 calls at a time), so a run with more
 * workers is silently capped, and a 429 pauses only the worker that got it while the others keep the
 * account over its limit. Faces build the provider here rather than with `new AnthropicProvider`.
 */
import {
  AnthropicProvider,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_STREAM_IDLE_TIMEOUT_MS,
} from '../../llm/anthropic-provider';
import { DEFAULT_MAX_BACKOFF_MS, LlmGovernor } from '../../llm/governor';
import type { LlmProvider } from '../../llm/provider';
import type { Logger } from '../../ports/logger';

/**
 * The longest any single wait of a run's model call may last with the default settings: the request's timeout
 * until the response begins, a stalled stream's timeout, and the longest pool pause. A run quiet for longer
 * than this is stuck, not slow (the CLI's watchdog).
 */
export const LONGEST_SINGLE_WAIT_MS =
  DEFAULT_REQUEST_TIMEOUT_MS + DEFAULT_STREAM_IDLE_TIMEOUT_MS + DEFAULT_MAX_BACKOFF_MS;

/** Model calls the validation phase makes at once: code review, security review, the test run's bug-fixer. */
const VALIDATION_CALLS = 3;

export interface AnthropicRunProviderOptions {
  /** Read per call: SecretStorage in the extension, `ANTHROPIC_API_KEY` in the CLI. */
  apiKey: () => Promise<string | undefined>;
  /** A gateway or proxy; the public API when absent or empty. */
  baseURL?: string | undefined;
  /** The run's worker limit (`EngineSettings.maxWorkers`): the governor lets that many calls run at once. */
  maxWorkers: number;
  /** Sends of one model call in all (`LlmGovernor` `maxAttempts`); the governor's default when absent. */
  maxAttempts?: number | undefined;
  logger?: Logger | undefined;
}

/** How many calls the run's governor lets through at once: every worker, and the validation phase's calls. */
export function governorLimitFor(maxWorkers: number): number {
  return Math.max(1, Math.floor(maxWorkers), VALIDATION_CALLS);
}

/** The one governor of a run, whatever the provider: every call of every worker goes through it. */
export function createGovernorForRun(options: { maxWorkers: number; maxAttempts?: number | undefined }): LlmGovernor {
  return new LlmGovernor({
    maxConcurrent: governorLimitFor(options.maxWorkers),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  });
}

/** A provider for one run (create one per run): every call it makes goes through one shared governor. */
export function createAnthropicProviderForRun(options: AnthropicRunProviderOptions): LlmProvider {
  const baseURL = options.baseURL?.trim();
  return new AnthropicProvider({
    apiKey: options.apiKey,
    ...(baseURL ? { baseURL } : {}),
    governor: createGovernorForRun(options),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
