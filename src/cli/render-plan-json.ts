import type { RunPlan } from '../core/engine';

/** One task of `implement --dry-run --json`. */
export interface PlanJsonTask {
  readonly id: string;
  /** Only when the id is written more than once in tasks.md (`T012#2`): what `waves` and `criticalPath` name. */
  readonly key?: string;
  readonly description: string;
  readonly role: string;
  /** The model its worker would call. */
  readonly model: string;
  /** The project command its worker may run (the test command, as it would be run), null when none is set. */
  readonly command: string | null;
  /** Why this role. */
  readonly reason: string;
  readonly alreadyDone: boolean;
}

/** `implement --dry-run --json`: the plan as one object, for scripts. */
export interface PlanJson {
  readonly feature: {
    readonly id: string;
    readonly dir: string;
    readonly tasksPath: string;
    readonly chosenBy: string;
    readonly mode: RunPlan['mode'];
  };
  /** The steps the scheduler takes if every task took the same time, with `maxWorkers` workers. */
  readonly waves: readonly (readonly string[])[];
  readonly maxWorkers: number;
  readonly storyParallelism: RunPlan['storyParallelism'];
  readonly tasks: readonly PlanJsonTask[];
  readonly criticalPath: readonly string[];
  readonly forecast: {
    /** Expected cost in US dollars, at list prices. */
    readonly usd: number;
    readonly lowUsd: number;
    readonly highUsd: number;
    readonly inputTokens: number;
    readonly outputTokens: number;
  };
  readonly diagnostics: RunPlan['diagnostics'];
}

export function planJsonOf(plan: RunPlan): PlanJson {
  const test = plan.settings.commands['test'];
  const command = test === undefined || test.length === 0 ? null : test.join(' ');
  return {
    feature: {
      id: plan.feature.id,
      dir: plan.feature.dir,
      tasksPath: plan.feature.tasksPath,
      chosenBy: plan.feature.detail === undefined ? plan.feature.rule : `${plan.feature.rule}: ${plan.feature.detail}`,
      mode: plan.mode,
    },
    waves: plan.schedule.map((step) => [...step.taskKeys]),
    maxWorkers: plan.strategy.maxWorkers,
    storyParallelism: plan.storyParallelism,
    tasks: plan.tasks.map((task) => ({
      id: task.id,
      ...(task.key === task.id ? {} : { key: task.key }),
      description: task.description,
      role: task.role,
      model: plan.strategy.modelByRole[task.role],
      command,
      reason: task.roleReason,
      alreadyDone: task.alreadyDone,
    })),
    criticalPath: [...plan.criticalPath.taskKeys],
    forecast: {
      usd: plan.forecast.expected,
      lowUsd: plan.forecast.low,
      highUsd: plan.forecast.high,
      inputTokens: plan.forecast.inputTokens,
      outputTokens: plan.forecast.outputTokens,
    },
    diagnostics: plan.diagnostics,
  };
}

export function renderPlanJson(plan: RunPlan): string {
  return `${JSON.stringify(planJsonOf(plan), null, 2)}\n`;
}
