/**
 * One governor for every model call of a run. Workers share one API key, so rate limits and the prompt
 * cache are the pool's business:
 *
 * - a concurrency limit (slots are handed out in arrival order), which adapts: a rate limit lowers it to the
 *   calls the server still accepted, and it climbs back by one after a full round of successes (the
 *   account's real limit is unknown, so the pool probes for it gently instead of hitting it in waves);
 * - on a 429 or 529 the *whole pool* pauses until the server's `retry-after` (or the rate-limit reset)
 *   has passed, and the failed call queues again; callers in the queue are told they are waiting for the
 *   rate limit, they are not failed. Without this every worker would retry on its own schedule and keep
 *   the account over its limit;
 * - bounded retries of a turn whose stream broke (SSE `error` event, cut connection, stall), which the
 *   SDK never retries because part of the response was already consumed;
 * - cache warm-up: the first call with a given `prefixKey` goes alone; the others with the same key start
 *   once it has received its first byte (the API writes the cache when the response begins), so the shared
 *   prefix is written once and read by every other worker.
 *
 * How it combines with the SDK's own retries: the Anthropic provider lets the SDK keep retrying 408, 409,
 * 5xx and connection failures (per request, `retry-after` honoured), but marks 429 and 529 responses
 * `x-should-retry: false` so they reach this governor at once and are pooled here. See
 * `anthropic-provider.ts`.
 *
 * The governor knows nothing of any SDK: the caller classifies its failures with `classify`.
 */
import { LlmCancelledError } from './errors';
import type { LlmWaitReason } from './provider';

export type RetryDecision =
  /** Pause the whole pool, then try again. */
  | { type: 'pool-backoff'; retryAfterMs: number | null }
  /** Try again after this caller's own backoff (the turn broke mid-stream). */
  | { type: 'retry'; reason: string }
  | { type: 'fail' };

export interface GovernorOptions {
  maxConcurrent: number;
  /** Attempts per call, the first included. */
  maxAttempts?: number;
  /** Pool pause when the server names none. Doubles on consecutive rate limits, up to `maxBackoffMs`. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a warmed prefix counts as cached (the API's default TTL is five minutes). */
  warmTtlMs?: number;
  now?: () => number;
}

export interface GovernedCall<T> {
  attempt(context: AttemptContext): Promise<T>;
  classify(error: unknown): RetryDecision;
  prefixKey?: string | undefined;
  onWaiting?: ((reason: LlmWaitReason, untilMs?: number) => void) | undefined;
  onRetry?: ((attempt: number, reason: string) => void) | undefined;
}

export interface AttemptContext {
  /** 1-based. */
  attempt: number;
  signal: AbortSignal;
  /** Call when the response has begun: releases the callers waiting for this prefix to be warm. */
  markFirstByte(): void;
}

export interface GovernorStats {
  inFlight: number;
  /** The adaptive limit now in force (at most `maxConcurrent`). */
  concurrencyLimit: number;
  queued: number;
  poolPausedUntil: number;
  rateLimitHits: number;
  retries: number;
}

interface Warmth {
  /** Resolves when the warming call's response began (or it ended). */
  ready: Promise<void>;
  warmedAt: number | null;
}

/** Thrown out of `attempt` chains when the governor gives up; carries the last failure as `cause`. */
export class GovernorRetriesExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    options: ErrorOptions,
  ) {
    super(`gave up after ${attempts} attempts`, options);
    this.name = 'GovernorRetriesExhaustedError';
  }
}

export class LlmGovernor {
  private readonly maxConcurrent: number;
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly warmTtlMs: number;
  private readonly now: () => number;

  private inFlight = 0;
  private limit: number;
  private successesAtLimit = 0;
  private readonly queue: {
    resolve: () => void;
    reject: (error: unknown) => void;
    signal: AbortSignal;
    onAbort: () => void;
  }[] = [];
  private pausedUntil = 0;
  private consecutiveRateLimits = 0;
  private pauseTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly warmth = new Map<string, Warmth>();
  private rateLimitHits = 0;
  private retries = 0;

  constructor(options: GovernorOptions) {
    this.maxConcurrent = Math.max(1, options.maxConcurrent);
    this.limit = this.maxConcurrent;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 6);
    this.baseBackoffMs = options.baseBackoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.warmTtlMs = options.warmTtlMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  get stats(): GovernorStats {
    return {
      inFlight: this.inFlight,
      concurrencyLimit: this.limit,
      queued: this.queue.length,
      poolPausedUntil: this.pausedUntil,
      rateLimitHits: this.rateLimitHits,
      retries: this.retries,
    };
  }

  async run<T>(call: GovernedCall<T>, signal: AbortSignal): Promise<T> {
    const warming = await this.enterPrefix(call, signal);
    try {
      for (let attempt = 1; ; attempt++) {
        await this.acquire(signal, call.onWaiting);
        let decision: RetryDecision;
        let failure: unknown;
        try {
          const result = await call.attempt({ attempt, signal, markFirstByte: () => warming?.() });
          this.onSuccess();
          return result;
        } catch (error) {
          failure = error;
          decision = signal.aborted ? { type: 'fail' } : call.classify(error);
          if (decision.type === 'pool-backoff') {
            // Pause and shrink before this slot frees, so no queued call slips out into the limit. The other
            // calls still in flight were accepted: that many is what the account takes right now.
            this.rateLimitHits++;
            this.limit = Math.max(1, Math.min(this.limit, this.inFlight - 1));
            this.successesAtLimit = 0;
            this.pausePool(decision.retryAfterMs);
          }
        } finally {
          this.release();
        }
        if (decision.type === 'fail') throw failure;
        if (attempt >= this.maxAttempts) throw new GovernorRetriesExhaustedError(attempt, { cause: failure });
        this.retries++;
        if (decision.type === 'pool-backoff') {
          call.onRetry?.(attempt, 'rate limited');
        } else {
          call.onRetry?.(attempt, decision.reason);
          call.onWaiting?.('retry', this.now() + this.ownBackoffMs(attempt));
          await sleep(this.ownBackoffMs(attempt), signal);
        }
      }
    } finally {
      warming?.();
    }
  }

  /** Ends pending timers; queued callers are rejected. For the end of a run. */
  dispose(): void {
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    for (const waiter of this.queue.splice(0)) {
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.reject(new LlmCancelledError('The run ended before this model call could start.'));
    }
  }

  private onSuccess(): void {
    this.consecutiveRateLimits = 0;
    if (this.limit >= this.maxConcurrent) return;
    this.successesAtLimit++;
    if (this.successesAtLimit >= this.limit * 2) {
      this.limit++;
      this.successesAtLimit = 0;
      this.pump();
    }
  }

  private ownBackoffMs(attempt: number): number {
    return Math.min(this.baseBackoffMs * 2 ** (attempt - 1), this.maxBackoffMs) / 2;
  }

  private pausePool(retryAfterMs: number | null): void {
    this.consecutiveRateLimits++;
    const fallback = Math.min(this.baseBackoffMs * 2 ** (this.consecutiveRateLimits - 1), this.maxBackoffMs);
    const waitMs = retryAfterMs !== null && retryAfterMs > 0 ? Math.min(retryAfterMs, this.maxBackoffMs) : fallback;
    const until = this.now() + waitMs;
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => {
      this.pauseTimer = undefined;
      this.pump();
    }, waitMs);
  }

  private canStart(): boolean {
    return this.inFlight < this.limit && this.now() >= this.pausedUntil;
  }

  private async acquire(
    signal: AbortSignal,
    onWaiting: ((reason: LlmWaitReason, untilMs?: number) => void) | undefined,
  ): Promise<void> {
    if (signal.aborted) throw new LlmCancelledError();
    if (this.queue.length === 0 && this.canStart()) {
      this.inFlight++;
      return;
    }
    const reason: LlmWaitReason = this.now() < this.pausedUntil ? 'rate-limit' : 'concurrency';
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        signal,
        resolve: () => {
          signal.removeEventListener('abort', waiter.onAbort);
          resolve();
        },
        reject,
        onAbort: () => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) this.queue.splice(index, 1);
          reject(new LlmCancelledError());
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      // Told only once queued, so a listener that cancels right away finds the waiter to remove.
      onWaiting?.(reason, reason === 'rate-limit' ? this.pausedUntil : undefined);
    });
  }

  private release(): void {
    this.inFlight--;
    this.pump();
  }

  private pump(): void {
    while (this.queue.length > 0 && this.canStart()) {
      const next = this.queue.shift();
      if (!next) return;
      this.inFlight++;
      next.resolve();
    }
  }

  /**
   * Lets a call through once its prefix is warm. The first caller for a cold (or expired) prefix becomes the
   * warmer and gets the trigger to fire at its first byte; the others wait for it. Checking and claiming
   * happen with no await in between, so two callers can never both become the warmer.
   */
  private async enterPrefix(call: GovernedCall<unknown>, signal: AbortSignal): Promise<(() => void) | undefined> {
    const key = call.prefixKey;
    if (key === undefined) return undefined;
    for (;;) {
      const warmth = this.warmth.get(key);
      if (warmth && warmth.warmedAt === null) {
        call.onWaiting?.('cache-warm-up');
        await raceAbort(warmth.ready, signal);
        continue;
      }
      if (warmth && warmth.warmedAt !== null && this.now() - warmth.warmedAt < this.warmTtlMs) return undefined;
      let resolve: () => void = () => undefined;
      const claimed: Warmth = { ready: new Promise<void>((r) => (resolve = r)), warmedAt: null };
      this.warmth.set(key, claimed);
      // A warmer that fails still releases the others (one of them will write the cache instead).
      return () => {
        if (claimed.warmedAt === null) {
          claimed.warmedAt = this.now();
          resolve();
        }
      };
    }
  }
}

export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw new LlmCancelledError();
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new LlmCancelledError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function raceAbort(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw new LlmCancelledError();
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        onAbort = () => reject(new LlmCancelledError());
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
