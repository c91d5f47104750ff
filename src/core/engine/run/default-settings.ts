import type { EngineSettings } from '../facade-types';

/** Defaults a face overrides field by field; model ids are current Anthropic models per tier. */
export function defaultEngineSettings(overrides: Partial<EngineSettings> = {}): EngineSettings {
  const base: EngineSettings = {
    approvalPolicy: 'ask',
    interactiveApproval: true,
    maxWorkers: 4,
    storyParallelism: 'auto',
    bugFixAttempts: 2,
    convergeRounds: 1,
    commands: {},
    allowedCommands: [],
    allowChangedCommands: false,
    denyGlobs: ['.env*'],
    modelByRole: {},
    models: { fast: 'claude-haiku-5-5', balanced: 'claude-sonnet-5-5', deep: 'claude-opus-5-5' },
    validate: true,
    workerTurnLimit: 24,
    workerTokenBudget: 400_000,
    toolCallsPerTurn: 16,
    toolResultChars: 100_000,
    proposalBytes: 1024 * 1024,
    completionReviews: 2,
  };
  return { ...base, ...overrides };
}
