/**
 * The engine's facade: the only module the faces (src/extension, src/cli) import from the engine.
 *
 *   const engine = createEngine({ provider, workspace: (root) => …, commandRunner, confirm, logger });
 *   const plan = await engine.plan({ root, feature: '001' });   // dry run: show plan.schedule / strategy / forecast
 *   const run = engine.start(plan);
 *   run.onEvent((e) => foldRunView(view, e));                    // events from src/protocol/engine-events.ts
 *   run.decide(proposalId, { kind: 'accept' });                  // when the face is the approver
 *   const result = await run.done;
 */
export { createEngine, EngineNotReadyError } from './run/create-engine';
export { PlanError, type PlanErrorKind } from './orchestrators/spec-kit-planner';
export { defaultEngineSettings } from './run/default-settings';
export { systemClock } from './run/ports';
// Settings a face parses from the user's configuration: price overrides (with the entries it could not use).
export { parsePriceTable, type ModelPrice, type PriceTable } from '../llm/prices';
export { parseRoleBudgets } from '../llm/usage-ledger';
// The model provider for a run: one governor shared by all its workers (never `new AnthropicProvider` alone),
// and the governor itself for a face's own provider (VS Code language models).
export type { LlmGovernor } from '../llm/governor';
export {
  createAnthropicProviderForRun,
  createGovernorForRun,
  governorLimitFor,
  type AnthropicRunProviderOptions,
} from './run/anthropic-for-run';
// Node implementations of the ports and the path policy, for faces that build their own variants of them.
export { NodeWorkspace } from './workspace/node-workspace';
export { NodeCommandRunner } from './commands/node-command-runner';
// The project's test/build command when the user configured none, and a command line split without a shell.
export {
  detectProjectCommands,
  parseCommandLine,
  type CommandLineParse,
  type DetectedCommands,
} from './commands/project-commands';
export {
  defaultPathPolicy,
  type PathPolicy,
  type PathPurpose,
  type PathRefusal,
  type ResolvedPath,
} from './workspace/path-policy';
export type { CommandResult, CommandRunOptions } from './commands/command-runner';
export type {
  DeleteOutcome,
  ListOptions,
  ListOutcome,
  ReadOutcome,
  SearchOutcome,
  SearchQuery,
  StatOutcome,
  WriteOutcome,
} from './workspace/workspace';
export { stateDirFor, runsDirFor } from './journal/state-dir';
export type {
  Approver,
  ChecklistState,
  Clock,
  Confirm,
  ConfirmRequest,
  CostForecast,
  CoverageItem,
  Disposable,
  Engine,
  EnginePorts,
  EngineSettings,
  FeatureChoice,
  HookView,
  InterruptedRun,
  ModelTier,
  PlanDiagnostic,
  PlannedTask,
  PlanOptions,
  PlanningCall,
  ProposalContent,
  RecordedRun,
  ProposalDecision,
  ResumeOptions,
  RollbackOptions,
  RollbackResult,
  Run,
  RunPlan,
  RunResult,
  ScheduleStep,
  StartInput,
  Strategy,
} from './run/facade-types';
export type { CommandRunner, LlmProvider, Workspace } from './run/port-types';
export type { Logger } from '../util/logger';
export type {
  ApprovalPolicy,
  EngineEvent,
  ProposalView,
  RunOutcome,
  TaskView,
  UsageTotals,
  WorkerRole,
} from '../../protocol/engine-events';
