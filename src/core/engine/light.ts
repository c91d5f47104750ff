/**
 * The engine's light facade: what a face needs without a run — reading a project's spec-kit documents and
 * parsing the settings it passes to the engine — from modules that load neither the engine, the model SDK nor
 * zod. The extension's activation bundle and the CLI's small commands import this; everything about runs
 * comes from `./index`. Nothing here may import a module that reaches the engine (eslint's layer rule and the
 * bundle-size test in test/unit/build keep it so).
 */
export { discoverProjects, type SpecKitProject, type ProjectDiscovery } from '../speckit/project-discovery';
export { selectFeature, type FeatureSelection, type SelectionRule } from '../speckit/feature-selection';
export type { Feature } from '../speckit/feature-documents';
export { readChecklistGate, type ChecklistGate } from '../speckit/checklists';
export { readTextFile, type TextFileRead } from '../speckit/read-text-file';
export { parseTasks } from '../speckit/tasks-parser';
export { withTaskPathsPlaced } from '../speckit/task-path-resolution';
export { outsideStretchOf, taskGroupsOf, type TaskGroup } from '../speckit/task-groups';
export { whyDocumentHasNoTasks, whyNoTasks } from '../speckit/why-no-tasks';
export {
  featureDocumentGlob,
  featureDocumentKind,
  FEATURE_DOCUMENT_GLOBS,
  type FeatureDocumentKind,
} from '../speckit/feature-paths';
export type { Phase, Task, TasksDocument } from '../speckit/tasks-model';
export type { WorkspaceDiagnostic } from '../speckit/workspace-diagnostic';
export { buildTaskGraph, statusFromDocument, type StoryParallelismSetting, type TaskGraph } from '../graph/task-graph';
export { criticalPathOfWorkLeft } from '../graph/work-left';
// Settings a face parses from the user's configuration before it builds the engine.
export { parseCommandLine, type CommandLineParse } from './commands/command-line';
export { parsePriceTable, type ModelPrice, type PriceTable } from '../llm/prices';
export { cheapestKnownModel, DEFAULT_MODELS, isKnownModel, KNOWN_MODELS } from '../llm/models';
export { parseRoleBudgets } from '../llm/usage-ledger';
export { DEFAULT_MODEL_CALL_ATTEMPTS, MAX_MODEL_CALL_ATTEMPTS } from '../llm/governor';
export type { Logger } from '../ports/logger';
// Waits and deadlines on one monotonic clock, for a face's own timers (the CLI's watchdog).
export { systemMonotonicClock, whenDue, type MonotonicClock } from '../util/monotonic-clock';
// Secrets out of everything a face prints or logs.
export { redactDeep, redactSecrets, rememberSecret } from '../util/secrets';
// Evidence: does each tick's record still hold on disk (verify, the Tasks tree)? Reads journals without zod.
export {
  verifyTasks,
  VERIFY_STATES,
  type FileDrift,
  type TaskVerification,
  type VerifyReport,
  type VerifyState,
} from '../evidence/verify-tasks';
