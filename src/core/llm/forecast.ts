/**
 * What a run will cost, before it starts, from the plan alone: for each role, how many tasks, how many
 * turns a task takes, how big the shared feature context and each task's own context are, and how much
 * each turn adds (the model's output and the tool results it gets back). Pure, for the dry-run.
 *
 * The conversation model: turn t sends the shared prefix plus the task's conversation so far,
 * C1 = task context, Ct = C(t-1) + output + tool results. With caching and warm-up the shared prefix is
 * written once per role and read by every other call, and each turn reads the previous turn's
 * conversation and writes only what is new. All token counts are estimates.
 */
import type { WorkerRole } from '../../protocol/engine-events';
import { costUsd, priceFor, type PriceTable } from './prices';
import { addUsage, zeroUsage, type LlmUsage } from '../../protocol/engine-events';

export interface RolePlan {
  role: WorkerRole;
  model: string;
  tasks: number;
  turnsPerTask: number;
  /** Tools, role prompt and the feature's constitution/spec/plan excerpts: the same for every task. */
  sharedContextTokens: number;
  /** The task's own text and the files it starts with. */
  taskContextTokens: number;
  outputTokensPerTurn: number;
  toolResultTokensPerTurn: number;
}

export interface RoleForecast {
  role: WorkerRole;
  model: string;
  calls: number;
  usage: LlmUsage;
  costUsd: number;
}

/** What a run would cost per role and in total: the engine turns it into the dry run's low–high `CostForecast`. */
export interface RunCostBreakdown {
  caching: boolean;
  roles: RoleForecast[];
  totalUsd: number;
  usage: LlmUsage;
}

function forecastRole(plan: RolePlan, caching: boolean, prices: PriceTable): RoleForecast {
  const price = priceFor(plan.model, prices);
  let usage = zeroUsage(true);
  let cost = 0;
  let calls = 0;
  const growth = plan.outputTokensPerTurn + plan.toolResultTokensPerTurn;
  for (let task = 0; task < plan.tasks; task++) {
    let previous = 0;
    for (let turn = 1; turn <= plan.turnsPerTask; turn++) {
      const conversation = turn === 1 ? plan.taskContextTokens : previous + growth;
      const firstCallOfRole = task === 0 && turn === 1;
      const turnUsage: LlmUsage = caching
        ? {
            ...zeroUsage(true),
            cacheCreationInputTokens: (firstCallOfRole ? plan.sharedContextTokens : 0) + (conversation - previous),
            cacheReadInputTokens: (firstCallOfRole ? 0 : plan.sharedContextTokens) + previous,
            outputTokens: plan.outputTokensPerTurn,
          }
        : {
            ...zeroUsage(true),
            inputTokens: plan.sharedContextTokens + conversation,
            outputTokens: plan.outputTokensPerTurn,
          };
      usage = addUsage(usage, turnUsage);
      // Priced per call: a model's rates may depend on the size of one call's prompt.
      cost += costUsd(turnUsage, price);
      calls++;
      previous = conversation;
    }
  }
  return { role: plan.role, model: plan.model, calls, usage, costUsd: cost };
}

export function forecastRunCost(
  plans: readonly RolePlan[],
  options: { caching: boolean; prices?: PriceTable },
): RunCostBreakdown {
  const roles = plans.map((plan) => forecastRole(plan, options.caching, options.prices ?? {}));
  return {
    caching: options.caching,
    roles,
    totalUsd: roles.reduce((sum, r) => sum + r.costUsd, 0),
    usage: roles.reduce((sum, r) => addUsage(sum, r.usage), zeroUsage(true)),
  };
}
