/**
 * One governor for every model call of a run, and the only place a model call is retried. Workers share one
 * API key, so rate limits and the prompt cache are the pool's business:
 *
 * - a concurrency limit (slots are handed out in arrival order), which adapts: a rate limit lowers it to the
 *   calls the server still accepted, and it climbs back by one after a full round of successes (the
 *   account's real limit is unknown, so the pool probes for it gently instead of hitting it in waves);
 * - on a 429 or 529 the *whole pool* pauses until the server's `retry-after` (or the rate-limit reset)
 *   has passed, and the failed call queues again; callers in the queue are told they are waiting for the
 *   rate limit, they are not failed. Without this every worker would retry on its own schedule and keep
 *   the account over its limit;
 * - a call that failed for a passing reason of its own (a 5xx, a timeout, a stream that broke or stalled
 *   after part of the response came) is retried after this call's own backoff;
 * - `maxAttempts` bounds the sends of one call, whatever failed: nothing below (the SDK runs with
 *   `maxRetries: 0`) or above (the agent loop) sends a call again;
 * - cache warm-up: the first call with a given `prefixKey` goes alone; the others with the same key start
 *   once it has received its first byte (the API writes the cache when the response begins), so the shared
 *   prefix is written once and read by every other worker.
 *
 * Every wait is armed and checked on one monotonic clock (`whenDue`), so a wake-up is never lost to a
 * timer that fires a little early or to a wall-clock adjustment.
 *
 * The governor knows nothing of any SDK: the caller classifies its failures with `classify`.
 */
import { sleep, systemMonotonicClock, whenDue, type MonotonicClock } from '../util/monotonic-clock';
import { LlmCancelledError } from './errors';
import type { LlmWaitReason } from './provider';

/** Sends of one model call in all, unless the settings say otherwise; and the most they may say. */
export const DEFAULT_MODEL_CALL_ATTEMPTS = 6;
export const MAX_MODEL_CALL_ATTEMPTS = 20;
/** The longest pool pause, whatever the server's `retry-after` asks. */
export const DEFAULT_MAX_BACKOFF_MS = 60_000;

export type RetryDecision =
  /** Pause the whole pool, then try again. */
  | { type: 'pool-backoff'; retryAfterMs: number | null }
  /** Try again after this call's own backoff, or after the server's `retry-after` when it named one. */
  | { type: 'retry'; reason: string; retryAfterMs?: number | null }
  | { type: 'fail' };

export interface GovernorOptions {
  maxConcurrent: number;
  /** Sends of one call in all, the first included: the one bound on retries of every kind. */
  maxAttempts?: number;
  /** Pool pause when the server names none. Doubles on consecutive rate limits, up to `maxBackoffMs`. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a warmed prefix counts as cached (the API's default TTL is five minutes). */
  warmTtlMs?: number;
  /** Where every wait and deadline is measured; tests pass a clock of their own. */
  clock?: MonotonicClock;
}

export interface GovernedCall<T> {
  attempt(context: AttemptContext): Promise<T>;
  classify(error: unknown): RetryDecision;
  prefixKey?: string | undefined;
  onWaiting?: ((reason: LlmWaitReason, forMs?: number) => void) | undefined;
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
  /** Milliseconds until the pool's rate-limit pause ends; 0 when it is not paused. */
  poolPausedForMs: number;
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
  private readonly clock: MonotonicClock;

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
  /** Cancels the armed wake-up at the end of the pause, while one is armed. */
  private cancelWake: (() => void) | undefined;
  private readonly warmth = new Map<string, Warmth>();
  private rateLimitHits = 0;
  private retries = 0;

  constructor(options: GovernorOptions) {
    this.maxConcurrent = Math.max(1, options.maxConcurrent);
    this.limit = this.maxConcurrent;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MODEL_CALL_ATTEMPTS);
    this.baseBackoffMs = options.baseBackoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.warmTtlMs = options.warmTtlMs ?? 5 * 60_000;
    this.clock = options.clock ?? systemMonotonicClock;
  }

  get stats(): GovernorStats {
    return {
      inFlight: this.inFlight,
      concurrencyLimit: this.limit,
      queued: this.queue.length,
      poolPausedForMs: Math.max(0, this.pausedUntil - this.clock.now()),
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
          const waitMs = this.ownBackoffMs(attempt, decision.retryAfterMs ?? null);
          call.onWaiting?.('retry', waitMs);
          await sleep(waitMs, signal, this.clock).catch((error: unknown) => {
            throw new LlmCancelledError(undefined, { cause: error });
          });
        }
      }
    } finally {
      warming?.();
    }
  }

  /** Ends pending timers; queued callers are rejected. For the end of a run. */
  dispose(): void {
    this.cancelWake?.();
    this.cancelWake = undefined;
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

  private ownBackoffMs(attempt: number, retryAfterMs: number | null): number {
    if (retryAfterMs !== null && retryAfterMs > 0) return Math.min(retryAfterMs, this.maxBackoffMs);
    return Math.min(this.baseBackoffMs * 2 ** (attempt - 1), this.maxBackoffMs) / 2;
  }

  private pausePool(retryAfterMs: number | null): void {
    this.consecutiveRateLimits++;
    const fallback = Math.min(this.baseBackoffMs * 2 ** (this.consecutiveRateLimits - 1), this.maxBackoffMs);
    const waitMs = retryAfterMs !== null && retryAfterMs > 0 ? Math.min(retryAfterMs, this.maxBackoffMs) : fallback;
    const until = this.clock.now() + waitMs;
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    this.armWake();
  }

  /** One wake-up at the end of the pause; a longer pause replaces it. `whenDue` re-arms an early timer. */
  private armWake(): void {
    this.cancelWake?.();
    this.cancelWake = whenDue(this.clock, this.pausedUntil, () => {
      this.cancelWake = undefined;
      // `whenDue` decided the pause is over (also when the clock went backwards meanwhile): so it is.
      this.pausedUntil = Math.min(this.pausedUntil, this.clock.now());
      this.pump();
    });
  }

  private isPaused(): boolean {
    return this.clock.now() < this.pausedUntil;
  }

  private canStart(): boolean {
    return this.inFlight < this.limit && !this.isPaused();
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
    const pausedForMs = this.pausedUntil - this.clock.now();
    const reason: LlmWaitReason = pausedForMs > 0 ? 'rate-limit' : 'concurrency';
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
      onWaiting?.(reason, reason === 'rate-limit' ? pausedForMs : undefined);
      // A waiter must never be left with nothing to wake it: the pause may have ended between the check above
      // and now, or its wake-up may have fired already.
      this.pump();
    });
  }

  private release(): void {
    this.inFlight--;
    this.pump();
  }

  /**
   * Starts queued calls while there is room. Whoever is left waits for a release (a call ending) or for the
   * pause's wake-up, which is armed here if it is not: a queue with waiters and a pause never lacks one.
   */
  private pump(): void {
    while (this.queue.length > 0 && this.canStart()) {
      const next = this.queue.shift();
      if (!next) return;
      this.inFlight++;
      next.resolve();
    }
    if (this.queue.length > 0 && this.isPaused() && this.cancelWake === undefined) this.armWake();
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
      if (warmth && warmth.warmedAt !== null && this.clock.now() - warmth.warmedAt < this.warmTtlMs) return undefined;
      let resolve: () => void = () => undefined;
      const claimed: Warmth = { ready: new Promise<void>((r) => (resolve = r)), warmedAt: null };
      this.warmth.set(key, claimed);
      // A warmer that fails still releases the others (one of them will write the cache instead).
      return () => {
        if (claimed.warmedAt === null) {
          claimed.warmedAt = this.clock.now();
          resolve();
        }
      };
    }
  }
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
