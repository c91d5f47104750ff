/**
 * What a model costs, per million tokens, and money from usage. Each usage field is priced at its own rate:
 * uncached input, output, cache writes (5-minute and 1-hour TTL differ) and cache reads.
 *
 * The defaults follow Anthropic's published list prices per model tier (cache writes 1.25x input for 5m and
 * 2x for 1h, reads 0.1x) at the time of writing; prices change, so the extension fills `overrides` from
 * settings and the CLI from a flag, and an unknown model falls back to its tier by name.
 */
import type { LlmUsage } from '../../protocol/engine-events';

export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
  cacheWrite5mPerMTok: number;
  cacheWrite1hPerMTok: number;
  cacheReadPerMTok: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

function tier(inputPerMTok: number, outputPerMTok: number): ModelPrice {
  return {
    inputPerMTok,
    outputPerMTok,
    cacheWrite5mPerMTok: inputPerMTok * 1.25,
    cacheWrite1hPerMTok: inputPerMTok * 2,
    cacheReadPerMTok: inputPerMTok * 0.1,
  };
}

/** Tier prices, matched by a substring of the model id when no exact entry exists. */
const TIER_PRICES: readonly (readonly [string, ModelPrice])[] = [
  ['opus', tier(5, 25)],
  ['sonnet', tier(3, 15)],
  ['haiku', tier(1, 5)],
];

/** The most expensive tier: an unknown model is never under-priced, so budgets stay safe. */
const FALLBACK_PRICE = tier(5, 25);

/** The price of `model`: an exact override, else its tier by name, else the dearest tier. */
export function priceFor(model: string, overrides: PriceTable = {}): ModelPrice {
  const exact = overrides[model];
  if (exact) return exact;
  const byTier = TIER_PRICES.find(([name]) => model.includes(name));
  return byTier ? byTier[1] : FALLBACK_PRICE;
}

/** Money in US dollars for one usage record. */
export function costUsd(usage: LlmUsage, price: ModelPrice): number {
  const write1h = Math.min(usage.cacheCreation1hInputTokens, usage.cacheCreationInputTokens);
  const write5m = usage.cacheCreationInputTokens - write1h;
  const microDollars =
    usage.inputTokens * price.inputPerMTok +
    usage.outputTokens * price.outputPerMTok +
    write5m * price.cacheWrite5mPerMTok +
    write1h * price.cacheWrite1hPerMTok +
    usage.cacheReadInputTokens * price.cacheReadPerMTok;
  return microDollars / 1_000_000;
}

/** Parses a price table from settings (unknown JSON); entries that are not complete prices are reported. */
export function parsePriceTable(raw: unknown): { prices: Record<string, ModelPrice>; problems: string[] } {
  const prices: Record<string, ModelPrice> = {};
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { prices, problems };
  if (typeof raw !== 'object' || Array.isArray(raw))
    return { prices, problems: ['prices must be an object keyed by model id'] };
  for (const [model, entry] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null) {
      problems.push(`${model}: not an object`);
      continue;
    }
    const fields = entry as Record<string, unknown>;
    const read = (name: keyof ModelPrice): number | undefined => {
      const value = fields[name];
      return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
    };
    const input = read('inputPerMTok');
    const output = read('outputPerMTok');
    if (input === undefined || output === undefined) {
      problems.push(`${model}: inputPerMTok and outputPerMTok must be non-negative numbers`);
      continue;
    }
    const base = tier(input, output);
    prices[model] = {
      inputPerMTok: input,
      outputPerMTok: output,
      cacheWrite5mPerMTok: read('cacheWrite5mPerMTok') ?? base.cacheWrite5mPerMTok,
      cacheWrite1hPerMTok: read('cacheWrite1hPerMTok') ?? base.cacheWrite1hPerMTok,
      cacheReadPerMTok: read('cacheReadPerMTok') ?? base.cacheReadPerMTok,
    };
  }
  return { prices, problems };
}
