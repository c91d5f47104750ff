/**
 * What a model costs, per million tokens, and money from usage. Each usage field is priced at its own rate:
 * uncached input, output, cache writes (5-minute and 1-hour TTL differ) and cache reads; a model may bill a
 * whole request at higher rates when its prompt is long.
 *
 * The defaults are Anthropic's list prices per model, as published on platform.claude.com ("Pricing" and each
 * model's overview page), checked 2026-12. Where a page gives only input and output, cache writes are 1.25x
 * (5m) and 2x (1h) input and reads 0.1x. Prices change, so the extension fills `overrides` from settings; a
 * model missing here is priced by its family's name, and an unknown one at the dearest family, so a budget is
 * never under-priced.
 */
import type { LlmUsage } from '../../protocol/engine-events';

export interface TokenRates {
  inputPerMTok: number;
  outputPerMTok: number;
  cacheWrite5mPerMTok: number;
  cacheWrite1hPerMTok: number;
  cacheReadPerMTok: number;
}

export interface ModelPrice extends TokenRates {
  /** Above this many prompt tokens (input, cache writes and reads together) the whole request, output included, bills at `rates`. */
  longPrompt?: { aboveTokens: number; rates: TokenRates };
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

function tier(inputPerMTok: number, outputPerMTok: number, cacheRead = inputPerMTok * 0.1): ModelPrice {
  return {
    inputPerMTok,
    outputPerMTok,
    cacheWrite5mPerMTok: inputPerMTok * 1.25,
    cacheWrite1hPerMTok: inputPerMTok * 2,
    cacheReadPerMTok: cacheRead,
  };
}

const FABLE_5_1 = tier(10, 50, 0.25);
const FABLE_5 = tier(10, 50, 1);
const OPUS_4_5_TO_5 = tier(5, 25);
const SONNET_5 = tier(2, 10, 0.2);

/** List prices of the current models (the ids of the SDK's `Model` type), per million tokens. */
export const LIST_PRICES: PriceTable = {
  'claude-fable-5-2': tier(8, 40),
  'claude-fable-5-1': FABLE_5_1,
  'claude-mythos-5-1': FABLE_5_1,
  'claude-fable-5': FABLE_5,
  'claude-mythos-5': FABLE_5,
  'claude-opus-5-5': tier(4, 20, 0.2),
  'claude-opus-5': OPUS_4_5_TO_5,
  'claude-opus-4-8': OPUS_4_5_TO_5,
  'claude-opus-4-7': OPUS_4_5_TO_5,
  'claude-opus-4-6': OPUS_4_5_TO_5,
  'claude-opus-4-5': OPUS_4_5_TO_5,
  'claude-sonnet-5-5': SONNET_5,
  'claude-sonnet-5': SONNET_5,
  'claude-sonnet-4-6': tier(3, 15),
  'claude-sonnet-4-5': tier(3, 15),
  // Haiku 5.5 bills a request whose prompt is over 100,000 tokens at five times its rates, output included.
  'claude-haiku-5-5': {
    ...tier(0.1, 0.5, 0.01),
    longPrompt: { aboveTokens: 100_000, rates: tier(0.5, 2.5, 0.05) },
  },
  'claude-haiku-4-5': tier(1, 5),
};

/** Family prices, matched by name when a model has no list price: its family's dearest current member. */
const FAMILY_PRICES: readonly (readonly [string, ModelPrice])[] = [
  ['fable', tier(10, 50)],
  ['mythos', tier(10, 50)],
  ['opus', tier(5, 25)],
  ['sonnet', tier(3, 15)],
  ['haiku', tier(1, 5)],
];

/** The dearest family: an unknown model is never under-priced, so budgets stay safe. */
const FALLBACK_PRICE = tier(10, 50);

/** A list price by id, or by the id a dated snapshot (`claude-haiku-4-5-20251001`) is a version of. */
function listPriceOf(model: string): ModelPrice | undefined {
  const exact = LIST_PRICES[model];
  if (exact) return exact;
  const dated = /^(.*)-\d{8}$/.exec(model);
  return dated?.[1] !== undefined ? LIST_PRICES[dated[1]] : undefined;
}

/** The price of `model`: an override, else its list price, else its family by name, else the dearest family. */
export function priceFor(model: string, overrides: PriceTable = {}): ModelPrice {
  return (
    overrides[model] ??
    listPriceOf(model) ??
    FAMILY_PRICES.find(([name]) => model.includes(name))?.[1] ??
    FALLBACK_PRICE
  );
}

/** The rates one request is billed at, given its prompt's size in tokens. */
export function ratesFor(price: ModelPrice, promptTokens: number): TokenRates {
  return price.longPrompt && promptTokens > price.longPrompt.aboveTokens ? price.longPrompt.rates : price;
}

/** Money in US dollars for one request's usage (its prompt size chooses the rates where a model has tiers). */
export function costUsd(usage: LlmUsage, price: ModelPrice): number {
  const rates = ratesFor(price, usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens);
  const write1h = Math.min(usage.cacheCreation1hInputTokens, usage.cacheCreationInputTokens);
  const write5m = usage.cacheCreationInputTokens - write1h;
  const microDollars =
    usage.inputTokens * rates.inputPerMTok +
    usage.outputTokens * rates.outputPerMTok +
    write5m * rates.cacheWrite5mPerMTok +
    write1h * rates.cacheWrite1hPerMTok +
    usage.cacheReadInputTokens * rates.cacheReadPerMTok;
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
    const read = (name: keyof TokenRates): number | undefined => {
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
