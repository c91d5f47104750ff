/**
 * What an `@anthropic-ai/sdk` failure means for us: whether the governor pools a backoff, retries the
 * call, or gives up, and which typed `LlmError` the agent loop finally sees. Kept apart from the provider
 * so the rules can be read (and tested) in one place. The SDK itself retries nothing (`maxRetries: 0`):
 * the governor is the one owner of retries, so `maxAttempts` bounds every send of a call.
 */
import {
  APIConnectionError,
  APIError,
  APIUserAbortError,
  AnthropicError,
  AuthenticationError,
  PermissionDeniedError,
} from '@anthropic-ai/sdk';
import {
  LlmAuthError,
  LlmUnavailableError,
  LlmCancelledError,
  LlmError,
  LlmOverloadedError,
  LlmRateLimitedError,
  LlmRequestError,
} from './errors';
import { GovernorRetriesExhaustedError, type RetryDecision } from './governor';

/** A stream that ended without `message_stop`, or went silent: the turn is retried from the last message. */
export class StreamBrokenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StreamBrokenError';
  }
}

const RATE_LIMIT_RESOURCES = ['requests', 'tokens', 'input-tokens', 'output-tokens'] as const;

/**
 * How long the server asks us to wait: `retry-after-ms`, `retry-after` (seconds or an HTTP date), else the
 * latest `anthropic-ratelimit-*-reset` among the limits that are exhausted. Null when it says nothing.
 */
export function retryAfterMsFromHeaders(headers: Headers | undefined, now = Date.now()): number | null {
  if (!headers) return null;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms > 0) return ms;
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number.parseFloat(retryAfter);
    if (Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date) && date > now) return date - now;
  }
  let latest: number | null = null;
  for (const resource of RATE_LIMIT_RESOURCES) {
    const remaining = headers.get(`anthropic-ratelimit-${resource}-remaining`);
    const reset = Date.parse(headers.get(`anthropic-ratelimit-${resource}-reset`) ?? '');
    if (remaining === '0' && Number.isFinite(reset) && reset > now) latest = Math.max(latest ?? 0, reset - now);
  }
  return latest;
}

type SdkApiError = APIError<number | undefined, Headers | undefined, object | undefined>;

/** `instanceof APIError` narrows to `APIError<any, …>`; this narrows to the declared field types instead. */
function asApiError(error: unknown): SdkApiError | undefined {
  return error instanceof APIError ? (error as SdkApiError) : undefined;
}

function isOverloaded(error: SdkApiError): boolean {
  // `OverloadedError` (529) exists only in SDK 1.x, and an SSE `error` event carries no status at all.
  return error.status === 529 || error.type === 'overloaded_error';
}

/**
 * Connection failures that mean "nothing answers there" (refused, no such host, a certificate the TLS layer
 * rejects): sending again only waits longer for the same answer, so the call fails at once and says so.
 * Anything else on the way (a reset, a timeout) is a passing fault, retried.
 */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** An error and its causes, outermost first (`fetch failed` → its `cause`, and so on down; at most 8). */
function* causeChain(error: unknown): Generator<object> {
  for (let current: unknown = error, depth = 0; depth < 8; depth++) {
    if (typeof current !== 'object' || current === null) return;
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}

/** The system error code under a failed fetch. */
export function networkErrorCode(error: unknown): string | undefined {
  for (const link of causeChain(error)) {
    const code: unknown = (link as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
  }
  return undefined;
}

/**
 * Fetch refuses some ports outright (the Fetch standard's "bad port" list: 6000, 9, 25, …) before any
 * connection, with a plain `Error('bad port')` and no code: a base URL on such a port never answers.
 */
function isBlockedPort(error: unknown): boolean {
  for (const link of causeChain(error)) if (link instanceof Error && link.message === 'bad port') return true;
  return false;
}

/** Why nothing can answer at the base URL (a system error code, or `blocked port`); undefined for a passing fault. */
function unreachableReason(error: APIConnectionError): string | undefined {
  const code = networkErrorCode(error.cause);
  if (code !== undefined && UNREACHABLE_CODES.has(code)) return code;
  return isBlockedPort(error.cause) ? 'blocked port' : undefined;
}

/** Statuses worth sending again: the SDK's own list (timeout, conflict, lock, 5xx), 429 and 529 apart. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status >= 500;
}

export function classifyAnthropicFailure(error: unknown): RetryDecision {
  if (error instanceof StreamBrokenError) return { type: 'retry', reason: error.message };
  if (error instanceof APIUserAbortError) return { type: 'fail' };
  if (error instanceof APIConnectionError) {
    if (unreachableReason(error) !== undefined) return { type: 'fail' };
    return { type: 'retry', reason: `connection failed: ${error.message}` };
  }
  const apiError = asApiError(error);
  if (apiError) {
    if (apiError.status === 429 || apiError.type === 'rate_limit_error' || isOverloaded(apiError)) {
      return { type: 'pool-backoff', retryAfterMs: retryAfterMsFromHeaders(apiError.headers) };
    }
    // No status: an SSE `error` event in the middle of a stream, which the SDK does not retry.
    if (apiError.status === undefined)
      return { type: 'retry', reason: `stream error: ${apiError.type ?? apiError.message}` };
    // The server may say outright whether a retry can help (the SDK's own rule).
    const shouldRetry = apiError.headers?.get('x-should-retry');
    if (shouldRetry === 'false') return { type: 'fail' };
    if (shouldRetry === 'true' || isRetryableStatus(apiError.status)) {
      return {
        type: 'retry',
        reason: `HTTP ${apiError.status}`,
        retryAfterMs: retryAfterMsFromHeaders(apiError.headers),
      };
    }
    return { type: 'fail' };
  }
  // A non-API SDK error after the response began: the body was cut or ended early.
  if (error instanceof AnthropicError) return { type: 'retry', reason: `stream broken: ${error.message}` };
  return { type: 'fail' };
}

function requestIdNote(requestId: string | null | undefined): string {
  // Gateways and stand-ins may send no request id at all; then there is nothing to quote.
  return requestId ? ` [request-id ${requestId}]` : '';
}

/** What the user can do about a status the API answers for a reason of ours, not a passing fault. */
function adviceFor(status: number | undefined): string {
  switch (status) {
    case 400:
      return ' (the API rejected the request as built; this is a bug worth reporting with the message above)';
    case 404:
      return ' (check the model id in the settings, and that the base URL points at a Messages API)';
    case 413:
      return ' (the request is too large: give the task fewer or smaller files)';
    default:
      return '';
  }
}

/** The typed error the agent loop sees for any failure out of the SDK or the governor. */
export function toLlmError(error: unknown, signal: AbortSignal): LlmError {
  if (error instanceof LlmError) return error;
  if (signal.aborted || error instanceof APIUserAbortError)
    return new LlmCancelledError('The model call was cancelled.', { cause: error });
  const attempts = error instanceof GovernorRetriesExhaustedError ? error.attempts : 1;
  const failure: unknown = error instanceof GovernorRetriesExhaustedError ? error.cause : error;
  const after = attempts > 1 ? ` (gave up after ${attempts} attempts)` : '';
  if (failure instanceof AuthenticationError || failure instanceof PermissionDeniedError) {
    const what = failure.apiMessage ? `: ${failure.apiMessage}` : '';
    const advice =
      failure instanceof AuthenticationError
        ? 'check the API key, or the gateway set as base URL'
        : 'the key may not use this model or this workspace';
    return new LlmAuthError(
      `The Anthropic API refused the key (${failure.status}${what}): ${advice}.${requestIdNote(failure.requestID)}`,
      { cause: failure },
    );
  }
  const apiFailure = asApiError(failure);
  if (apiFailure) {
    const requestId = apiFailure.requestID ?? null;
    const what = apiFailure.apiMessage ?? apiFailure.message;
    if (apiFailure.status === 429 || apiFailure.type === 'rate_limit_error') {
      return new LlmRateLimitedError(
        `Rate limited by the Anthropic API${after}: ${what}`,
        retryAfterMsFromHeaders(apiFailure.headers),
        { cause: apiFailure },
      );
    }
    if (isOverloaded(apiFailure))
      return new LlmOverloadedError(`The Anthropic API is overloaded${after}: ${what}`, { cause: apiFailure });
    if (apiFailure instanceof APIConnectionError) {
      const unreachable = unreachableReason(apiFailure);
      if (unreachable !== undefined) {
        // Every other call would meet the same closed door: a run stops on this (see the agent loop).
        return new LlmUnavailableError(
          `Could not reach the Anthropic API (${unreachable}): check the network, a proxy, or the base URL.`,
          { cause: apiFailure },
        );
      }
      return new LlmRequestError(`Could not reach the Anthropic API${after}: ${apiFailure.message}`, null, null, {
        cause: apiFailure,
      });
    }
    return new LlmRequestError(
      `The Anthropic API failed the request${after}${apiFailure.status ? ` (${apiFailure.status})` : ''}: ${what}${adviceFor(apiFailure.status)}${requestIdNote(requestId)}`,
      apiFailure.status ?? null,
      requestId,
      { cause: apiFailure },
    );
  }
  const message = failure instanceof Error ? failure.message : String(failure);
  return new LlmRequestError(`The model call failed${after}: ${message}`, null, null, { cause: failure });
}
