/**
 * Prompt-cache billing as the Messages API does it. The prompt is a sequence of blocks in the order
 * tools → system → messages; a `cache_control` marks a breakpoint. The longest prefix ending at a
 * breakpoint that was written before (same model, same bytes, not expired) is billed as a cache read; the
 * prefix up to the last breakpoint beyond it is billed as a cache write, if it reaches the model's minimum
 * cacheable length; `input_tokens` is only the uncached rest. A read refreshes the entry's lifetime.
 *
 * Token counts are the deterministic estimate from `src/core/llm/token-estimate.ts`, not a tokenizer.
 */
import { createHash } from 'node:crypto';
import { estimateTokens } from '../../src/core/llm/token-estimate';

/**
 * Minimum cacheable prompt length by model, from Anthropic's prompt-caching docs as quoted publicly in
 * 2026: 512 for the Opus/Fable/Mythos 5 family; 1024 for Opus 4.8, Sonnet 5 and Sonnet 4.x, Opus 4.1/4;
 * 2048 for Opus 4.7; 4096 for Opus 4.6/4.5 and Haiku 4.5. Earlier Haiku models used 2048, which is the
 * fallback for an unlisted Haiku; other unlisted models fall back to 1024. Most specific prefix first.
 */
const MINIMUM_CACHEABLE: readonly (readonly [string, number])[] = [
  ['claude-opus-4-8', 1024],
  ['claude-opus-4-7', 2048],
  ['claude-opus-4-6', 4096],
  ['claude-opus-4-5', 4096],
  ['claude-haiku-4-5', 4096],
  ['claude-opus-5', 512],
  ['claude-fable-5', 512],
  ['claude-mythos-5', 512],
  ['claude-sonnet-5', 1024],
  ['claude-sonnet-4', 1024],
  ['claude-opus-4', 1024],
];

export function minimumCacheableTokens(model: string): number {
  const entry = MINIMUM_CACHEABLE.find(([prefix]) => model.startsWith(prefix));
  if (entry) return entry[1];
  return model.includes('haiku') ? 2048 : 1024;
}

type Json = Record<string, unknown>;

interface Segment {
  canonical: string;
  tokens: number;
  ttl: '5m' | '1h' | null;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ttlOf(block: Json): '5m' | '1h' | null {
  const control = block['cache_control'];
  if (!isObject(control)) return null;
  return control['ttl'] === '1h' ? '1h' : '5m';
}

function segment(block: Json): Segment {
  const { cache_control: _ignored, ...rest } = block;
  const canonical = JSON.stringify(rest);
  const text = typeof rest['text'] === 'string' ? rest['text'] : canonical;
  return { canonical, tokens: Math.max(1, estimateTokens(text)), ttl: ttlOf(block) };
}

/** The prompt as cacheable blocks, in the API's prefix order. */
export function promptSegments(body: Json): Segment[] {
  const segments: Segment[] = [];
  const tools = Array.isArray(body['tools']) ? body['tools'].filter(isObject) : [];
  for (const tool of tools) segments.push(segment(tool));
  const system = body['system'];
  if (typeof system === 'string') segments.push(segment({ type: 'text', text: system }));
  else if (Array.isArray(system)) for (const block of system.filter(isObject)) segments.push(segment(block));
  const messages = Array.isArray(body['messages']) ? body['messages'].filter(isObject) : [];
  for (const message of messages) {
    const role = String(message['role']);
    const content = message['content'];
    const blocks =
      typeof content === 'string'
        ? [{ type: 'text', text: content }]
        : Array.isArray(content)
          ? content.filter(isObject)
          : [];
    for (const block of blocks) {
      const s = segment(block);
      segments.push({ ...s, canonical: `${role}:${s.canonical}` });
    }
  }
  // Top-level `cache_control` marks the last cacheable block.
  const last = segments.at(-1);
  if (isObject(body['cache_control']) && last && last.ttl === null)
    last.ttl = body['cache_control']['ttl'] === '1h' ? '1h' : '5m';
  return segments;
}

export interface CacheBilling {
  inputTokens: number;
  cacheCreationInputTokens: number;
  cacheCreation5mInputTokens: number;
  cacheCreation1hInputTokens: number;
  cacheReadInputTokens: number;
  /** Number of distinct prefixes written by this request. */
  writes: number;
  /**
   * Makes this request's writes readable. The server calls it when the response begins: the API caches
   * a prefix once the response starts, so requests that arrive before then write it again.
   */
  commit: () => void;
}

export interface CacheWrite {
  model: string;
  /** Hash of the prefix bytes. */
  prefix: string;
  /** Tokens of the whole prefix up to this breakpoint. */
  prefixTokens: number;
}

export class PromptCache {
  private readonly entries = new Map<string, number>();
  readonly writes: CacheWrite[] = [];

  constructor(
    private readonly minimumFor: (model: string) => number,
    private readonly now: () => number = Date.now,
  ) {}

  bill(model: string, body: Json): CacheBilling {
    const segments = promptSegments(body);
    const total = segments.reduce((sum, s) => sum + s.tokens, 0);
    const hash = createHash('sha256');
    hash.update(model);
    const breakpoints: { key: string; cumulative: number; ttl: '5m' | '1h' }[] = [];
    let cumulative = 0;
    for (const s of segments) {
      hash.update('\u0000' + s.canonical);
      cumulative += s.tokens;
      if (s.ttl) breakpoints.push({ key: hash.copy().digest('hex'), cumulative, ttl: s.ttl });
    }
    const now = this.now();
    const ttlMs = (ttl: '5m' | '1h'): number => (ttl === '1h' ? 3_600_000 : 300_000);

    let readUpTo = 0;
    for (const bp of [...breakpoints].reverse()) {
      const expires = this.entries.get(bp.key);
      if (expires !== undefined && expires > now) {
        readUpTo = bp.cumulative;
        this.entries.set(bp.key, now + ttlMs(bp.ttl));
        break;
      }
    }
    const pending: { key: string; expires: number; write: CacheWrite }[] = [];
    let writtenUpTo = readUpTo;
    let write5m = 0;
    let write1h = 0;
    let writes = 0;
    for (const bp of breakpoints) {
      if (bp.cumulative <= writtenUpTo || bp.cumulative < this.minimumFor(model)) continue;
      const tokens = bp.cumulative - writtenUpTo;
      if (bp.ttl === '1h') write1h += tokens;
      else write5m += tokens;
      writtenUpTo = bp.cumulative;
      pending.push({
        key: bp.key,
        expires: now + ttlMs(bp.ttl),
        write: { model, prefix: bp.key, prefixTokens: bp.cumulative },
      });
      writes++;
    }
    return {
      inputTokens: total - writtenUpTo,
      cacheCreationInputTokens: write5m + write1h,
      cacheCreation5mInputTokens: write5m,
      cacheCreation1hInputTokens: write1h,
      cacheReadInputTokens: readUpTo,
      writes,
      commit: () => {
        for (const entry of pending.splice(0)) {
          this.entries.set(entry.key, entry.expires);
          this.writes.push(entry.write);
        }
      },
    };
  }

  clear(): void {
    this.entries.clear();
  }
}
