/**
 * Unexpected outcomes of a model call, as typed errors the agent loop switches on. Every message says what
 * happened and what to do; none carries a key or a header.
 */
import type { LlmUsage } from '../../protocol/engine-events';

export abstract class LlmError extends Error {
  abstract readonly kind:
    'rate-limited' | 'overloaded' | 'auth' | 'budget-exceeded' | 'cancelled' | 'request' | 'unavailable';
  /** Usage billed by attempts that failed before this error, so the ledger loses nothing. */
  usage?: LlmUsage;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class LlmRateLimitedError extends LlmError {
  readonly kind = 'rate-limited';
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class LlmOverloadedError extends LlmError {
  readonly kind = 'overloaded';
}

/** Missing, invalid or refused credentials (no key, 401, 403, or VS Code consent refused). */
export class LlmAuthError extends LlmError {
  readonly kind = 'auth';
}

export class LlmBudgetExceededError extends LlmError {
  readonly kind = 'budget-exceeded';
  constructor(
    message: string,
    readonly scope: { type: 'run' } | { type: 'role'; role: string },
    readonly limitUsd: number,
    readonly spentUsd: number,
  ) {
    super(message);
  }
}

export class LlmCancelledError extends LlmError {
  readonly kind = 'cancelled';
  constructor(message = 'The model call was cancelled.', options?: ErrorOptions) {
    super(message, options);
  }
}

/** No model to talk to (VS Code has no chat model installed, or the chosen one disappeared). */
export class LlmUnavailableError extends LlmError {
  readonly kind = 'unavailable';
}

/** Anything else: a rejected request (400), a broken stream after all retries, a server error. */
export class LlmRequestError extends LlmError {
  readonly kind = 'request';
  constructor(
    message: string,
    readonly status: number | null,
    readonly requestId: string | null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export type AnyLlmError =
  | LlmRateLimitedError
  | LlmOverloadedError
  | LlmAuthError
  | LlmBudgetExceededError
  | LlmCancelledError
  | LlmUnavailableError
  | LlmRequestError;
