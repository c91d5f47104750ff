/**
 * The task-orchestrator's judgement of a plan: how complex it is, how many workers are worth running, which
 * model each role gets, and why — in sentences a face shows as they are.
 */
import { WORKER_ROLES, type WorkerRole } from '../../../protocol/engine-events';
import { countOf } from '../../../protocol/run-wording';
import type { EngineSettings, Strategy } from '../facade-types';
import type { ModelTier } from '../../agents/definitions/agent-definition';

export interface StrategyInput {
  taskCount: number;
  /** Distinct files the tasks name. */
  fileCount: number;
  /** The most tasks that may run at the same time anywhere in the plan. */
  widestWave: number;
  /** Tasks on the longest dependency chain. */
  criticalPathTasks: number;
  settings: EngineSettings;
  /** The tier each role's definition asks for. */
  tierOf(role: WorkerRole): ModelTier;
  /** The user's focus for the run, when one was given. */
  focus?: string;
}

/** The user's request as a run's focus: trimmed; absent when it says nothing. */
export function focusOf(request: string | undefined): string | undefined {
  const focus = request?.trim();
  return focus ? focus : undefined;
}

const ROLES: readonly WorkerRole[] = WORKER_ROLES;

function bump(tier: ModelTier): ModelTier {
  return tier === 'fast' ? 'balanced' : 'deep';
}

export function chooseStrategy(input: StrategyInput): Strategy {
  const { taskCount, fileCount, widestWave, criticalPathTasks, settings } = input;
  const why: string[] = [];
  const complexity: Strategy['complexity'] =
    taskCount <= 10 && fileCount <= 12 ? 'small' : taskCount > 30 || fileCount > 40 ? 'large' : 'medium';
  why.push(
    `${complexity} plan: ${taskCount} task${taskCount === 1 ? '' : 's'} touching ${fileCount} file${fileCount === 1 ? '' : 's'}, a dependency chain of ${criticalPathTasks}.`,
  );

  const useful = Math.max(1, widestWave);
  const maxWorkers = Math.max(1, Math.min(settings.maxWorkers, useful));
  why.push(
    maxWorkers < settings.maxWorkers
      ? `${maxWorkers} worker${maxWorkers === 1 ? '' : 's'}: at most ${useful} task${useful === 1 ? '' : 's'} can run at once, so more would sit idle (limit ${settings.maxWorkers}).`
      : `${countOf(maxWorkers, 'worker')}: the configured limit; up to ${countOf(useful, 'task')} could run at once.`,
  );

  const modelByRole = {} as Record<WorkerRole, string>;
  const bumped: WorkerRole[] = [];
  for (const role of ROLES) {
    const chosen = settings.modelByRole[role];
    if (chosen !== undefined) {
      modelByRole[role] = chosen;
      continue;
    }
    let tier = input.tierOf(role);
    // A large plan's bugs are subtler and its review matters more: give those roles the next tier up.
    if (complexity === 'large' && (role === 'bug-fixer' || role === 'reviewer') && tier !== 'deep') {
      tier = bump(tier);
      bumped.push(role);
    }
    modelByRole[role] = settings.models[tier];
  }
  const overridden = ROLES.filter((r) => settings.modelByRole[r] !== undefined);
  if (overridden.length > 0) why.push(`Models chosen by the user for: ${overridden.join(', ')}.`);
  if (bumped.length > 0) why.push(`A stronger model for ${bumped.join(' and ')} because the plan is large.`);
  why.push(
    `Writers use ${modelByRole['code-writer']}; review uses ${modelByRole.reviewer}; docs use ${modelByRole.documenter}.`,
  );
  if (input.focus !== undefined)
    why.push(`Focus: "${input.focus}". Every worker, the reviewers included, is given it with the feature context.`);
  return { complexity, maxWorkers, modelByRole, why };
}
