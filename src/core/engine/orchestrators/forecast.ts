/**
 * The dry run's cost forecast: the plan's tasks grouped per role and handed to the LLM layer's forecast
 * (src/core/llm/forecast.ts), shown as a range because every figure in it is an estimate.
 */
import { forecastRunCost, type RolePlan } from '../../llm/forecast';
import { estimateTokens } from '../../llm/token-estimate';
import type { PriceTable } from '../../llm/prices';
import type { WorkerRole } from '../../../protocol/engine-events';
import type { CostForecast } from '../facade-types';

export interface ForecastInput {
  tasks: { role: WorkerRole; model: string; files: number }[];
  /** Characters of the feature context every worker shares (constitution, spec, plan). */
  sharedContextChars: number;
  validation: { reviewerModel: string; files: number } | undefined;
  /** The run's price overrides (`EngineSettings.prices`). */
  prices?: PriceTable | undefined;
}

const TURNS_PER_TASK = 4;
const ROLE_PROMPT_AND_TOOLS_TOKENS = 2_000;
const TASK_MESSAGE_TOKENS = 800;
const TOKENS_PER_FILE = 1_200;
const OUTPUT_PER_TURN_TOKENS = 700;
const TOOL_RESULT_PER_TURN_TOKENS = 800;

export function forecastCost(input: ForecastInput): CostForecast {
  const shared = estimateTokens('x'.repeat(input.sharedContextChars)) + ROLE_PROMPT_AND_TOOLS_TOKENS;
  const groups = new Map<string, RolePlan>();
  const add = (role: WorkerRole, model: string, files: number, turns: number) => {
    const key = `${role} ${model}`;
    const plan = groups.get(key) ?? {
      role,
      model,
      tasks: 0,
      turnsPerTask: turns,
      sharedContextTokens: shared,
      taskContextTokens: 0,
      outputTokensPerTurn: OUTPUT_PER_TURN_TOKENS,
      toolResultTokensPerTurn: TOOL_RESULT_PER_TURN_TOKENS,
    };
    // The LLM forecast takes one task size per role: keep the running mean.
    plan.taskContextTokens =
      (plan.taskContextTokens * plan.tasks + TASK_MESSAGE_TOKENS + files * TOKENS_PER_FILE) / (plan.tasks + 1);
    plan.tasks++;
    groups.set(key, plan);
  };
  for (const task of input.tasks) add(task.role, task.model, task.files, TURNS_PER_TASK);
  if (input.validation)
    for (let i = 0; i < 2; i++) add('reviewer', input.validation.reviewerModel, input.validation.files, 3);
  const forecast = forecastRunCost([...groups.values()], {
    caching: true,
    ...(input.prices ? { prices: input.prices } : {}),
  });
  const usage = forecast.usage;
  return {
    low: forecast.totalUsd * 0.5,
    expected: forecast.totalUsd,
    high: forecast.totalUsd * 2.5,
    inputTokens: usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens,
    outputTokens: usage.outputTokens,
    assumptions: [
      `${TURNS_PER_TASK} model turns per task, ~${OUTPUT_PER_TURN_TOKENS} output tokens a turn`,
      `the shared context (${shared} tokens) written to the prompt cache once per role and read after`,
      'token counts estimated from text length (about 4 characters a token)',
    ],
  };
}
