import type { EngineSettings, WorkerRole } from '../core/engine';
import type { OrchestraSettings } from './config';
import { MODEL_ROLE_FOR_WORKER } from './settings-parser';

/** The engine's settings from the user's: the face passes data, never a `WorkspaceConfiguration`. */
export function engineSettingsOf(settings: OrchestraSettings): Partial<EngineSettings> {
  const modelByRole: Partial<Record<WorkerRole, string>> = {};
  for (const [role, settingRole] of Object.entries(MODEL_ROLE_FOR_WORKER) as [
    WorkerRole,
    keyof OrchestraSettings['models'],
  ][]) {
    const model = settings.models[settingRole];
    if (model !== undefined) modelByRole[role] = model;
  }
  return {
    approvalPolicy: settings.approvalPolicy,
    interactiveApproval: true,
    maxWorkers: settings.maxParallelWorkers,
    storyParallelism: settings.storyParallelism,
    bugFixAttempts: settings.bugFixerAttempts,
    convergeRounds: settings.convergeRounds,
    commands: settings.testCommand.length > 0 ? { test: settings.testCommand } : {},
    denyGlobs: settings.denyList,
    modelByRole,
    toolCallsPerTurn: settings.limits.toolCallsPerTurn,
    toolResultChars: settings.limits.toolResultChars,
    proposalBytes: settings.limits.proposalKiB * 1024,
    completionReviews: settings.limits.completionReviews,
    ...(settings.budgetPerRunUsd !== undefined ? { budgetUsd: settings.budgetPerRunUsd } : {}),
    ...(Object.keys(settings.budgetPerRoleUsd).length > 0
      ? { budgetPerRoleUsd: { ...settings.budgetPerRoleUsd } }
      : {}),
    ...(Object.keys(settings.prices).length > 0 ? { prices: { ...settings.prices } } : {}),
  };
}
