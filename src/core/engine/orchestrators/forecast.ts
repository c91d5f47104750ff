/**
 * A cost forecast from a plan, for the dry run: how many tokens each worker is likely to read and write, and
 * the money at each model's price. It is an estimate (text length / 4 tokens, a typical number of turns), shown
 * as a range; the real figure comes from the usage the API reports during the run.
 */
import { costUsd, priceFor } from '../../llm/prices';
import { estimateTokens } from '../../llm/token-estimate';
import type { WorkerRole } from '../../../protocol/engine-events';
import type { CostForecast } from '../run/facade-types';

export interface ForecastInput {
  tasks: { role: WorkerRole; model: string; files: number }[];
  /** Characters of the feature context every worker shares (constitution, spec, plan). */
  sharedContextChars: number;
  validation: { reviewerModel: string; files: number } | undefined;
}

const TURNS_PER_TASK = 4;
const ROLE_PROMPT_AND_TOOLS_TOKENS = 2_000;
const TASK_MESSAGE_TOKENS = 800;
const TOKENS_PER_FILE = 1_200;
const GROWTH_PER_TURN_TOKENS = 1_500;
const OUTPUT_PER_TURN_TOKENS = 700;

export function forecastCost(input: ForecastInput): CostForecast {
  const shared = estimateTokens('x'.repeat(input.sharedContextChars)) + ROLE_PROMPT_AND_TOOLS_TOKENS;
  let expected = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  const warmed = new Set<string>();
  const calls: { model: string; files: number; turns: number }[] = input.tasks.map((t) => ({ model: t.model, files: t.files, turns: TURNS_PER_TASK }));
  if (input.validation) {
    calls.push({ model: input.validation.reviewerModel, files: input.validation.files, turns: 3 }, { model: input.validation.reviewerModel, files: input.validation.files, turns: 3 });
  }
  for (const call of calls) {
    const fresh = TASK_MESSAGE_TOKENS + call.files * TOKENS_PER_FILE;
    let uncached = 0;
    for (let turn = 0; turn < call.turns; turn++) uncached += fresh + turn * GROWTH_PER_TURN_TOKENS;
    const write = warmed.has(call.model) ? 0 : shared;
    warmed.add(call.model);
    const usage = {
      inputTokens: uncached,
      outputTokens: call.turns * OUTPUT_PER_TURN_TOKENS,
      cacheCreationInputTokens: write,
      cacheCreation1hInputTokens: 0,
      cacheReadInputTokens: call.turns * shared - write,
      estimated: true,
    };
    expected += costUsd(usage, priceFor(call.model));
    inputTokens += usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens;
    outputTokens += usage.outputTokens;
  }
  return {
    low: expected * 0.5,
    expected,
    high: expected * 2.5,
    inputTokens,
    outputTokens,
    assumptions: [
      `${TURNS_PER_TASK} model turns per task, ~${OUTPUT_PER_TURN_TOKENS} output tokens a turn`,
      `the shared context (${shared} tokens) written to the prompt cache once per model and read after`,
      'token counts estimated from text length (about 4 characters a token)',
    ],
  };
}
