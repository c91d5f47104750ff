/**
 * The engine's facade: with its light part (./light), the only modules the faces (src/extension, src/cli)
 * import from src/core.
 *
 *   const engine = createEngine({ provider, workspace: (root) => …, commandRunner, confirm, logger });
 *   const plan = await engine.plan({ root, feature: '001' });   // dry run: show plan.schedule / strategy / forecast
 *   const run = engine.start(plan);
 *   run.onEvent((e) => foldRunView(view, e));                    // events from src/protocol/engine-events.ts
 *   run.decide(proposalId, { kind: 'accept' });                  // when the face is the approver
 *   const result = await run.done;
 */
// Reading documents and parsing settings: the light part, which the activation paths import on its own.
export * from './light';
export { createEngine } from './run/create-engine';
export { PlanError, type PlanErrorKind } from './orchestrators/spec-kit-planner';
export { PlanningFailedError } from './orchestrators/fallback-planner';
export { defaultEngineSettings } from './run/default-settings';
export { systemWallClock, type WallClock } from '../ports/clock';
export type { Disposable } from '../util/emitter';
export type { ModelTier } from '../agents/definitions/agent-definition';
// The model provider for a run: one governor shared by all its workers (never `new AnthropicProvider` alone).
export {
  createAnthropicProviderForRun,
  createGovernorForRun,
  governorLimitFor,
  LONGEST_SINGLE_WAIT_MS,
  type AnthropicRunProviderOptions,
} from './run/anthropic-for-run';
// Node implementations of the ports and the path policy, for faces that build their own variants of them.
export { NodeWorkspace } from './workspace/node-workspace';
export { NodeCommandRunner } from './commands/node-command-runner';
// The project's test/build command when the user configured none.
export { detectProjectCommands, type DetectedCommands } from './commands/project-commands';
export { defaultPathPolicy, type PathPolicy } from './workspace/path-policy';
export type {
  DeleteOutcome,
  ListOptions,
  ListOutcome,
  PathPurpose,
  PathRefusal,
  ReadOptions,
  ReadOutcome,
  ResolvedPath,
  SearchOutcome,
  SearchQuery,
  StatOutcome,
  Workspace,
  WriteOptions,
  WriteOutcome,
} from '../ports/workspace';
export type { Approver, Confirm, ConfirmRequest, ProposalContent, ProposalDecision } from '../ports/consent';
export type { CommandResult, CommandRunner, CommandRunOptions } from '../ports/command-runner';
export { stateDirFor, runsDirFor } from './journal/state-dir';
export type {
  ChecklistState,
  CostForecast,
  CoverageItem,
  Engine,
  EnginePorts,
  EngineSettings,
  FeatureChoice,
  HookView,
  InterruptedRun,
  PlanDiagnostic,
  PlannedTask,
  PlanOptions,
  PlanningCall,
  RecordedRun,
  ResumeOptions,
  RollbackOptions,
  RollbackResult,
  Run,
  RunPlan,
  RunResult,
  ScheduleStep,
  StartInput,
  Strategy,
} from './facade-types';
// For a face that brings its own model provider (the extension's adapter over VS Code's language models),
// which goes through the run's governor like every call.
export type { LlmGovernor } from '../llm/governor';
export type { LlmProvider, LlmRequest, LlmResponse, LlmStreamHooks } from '../llm/provider';
export { LlmCancelledError } from '../llm/errors';
export { estimateTokens } from '../llm/token-estimate';
export {
  classifyLmFailure,
  estimateUsage,
  lastFailureOf,
  LmResponseAssembler,
  noModelError,
  toLlmErrorFromLm,
  toLmMessages,
  toLmTools,
  type LmMessage,
} from '../llm/vscode-lm-conversion';
export type {
  ApprovalPolicy,
  EngineEvent,
  ProposalView,
  RunOutcome,
  TaskView,
  UsageTotals,
  WorkerRole,
} from '../../protocol/engine-events';
