import * as vscode from 'vscode';
import type { DetectedCommands, Engine, EngineSettings, Logger, RunPlan, RunResult } from '../core/engine';
import {
  LspCommandId,
  parseRunPhaseArgs,
  parseRunTaskArgs,
  type RunPhaseArgs,
  type RunTaskArgs,
  type VerifyTasksResult,
} from '../protocol/lsp-messages';
import { countOf, runNoticeText } from '../protocol/run-wording';
import type { Config } from './config';
import { ContextKey, setContextKey } from './context-keys';
import { renderDryRun } from './dry-run';
import { engineSettingsOf } from './engine-settings';
import { PROGRESS_VIEW_ID } from './progress/progress-view';
import type { Prompts } from './prompts';
import type { ReviewController, ReviewTarget } from './review/review-controller';
import type { WindowRun } from './window-run';
import type { ApiKeyStore } from './secrets';
import { describeSettingsProblems, type OrchestraSettings } from './settings-parser';
import { describeUnfinishedDependencies, unfinishedDependencies } from './task-selection';
import type { TaskDocuments } from './trees/task-documents';
import { openTask } from './trees/tasks-tree';
import { ensureTrusted } from './trust';
import { OPEN_EVIDENCE_DIFF_COMMAND, openEvidenceDiff } from './evidence/evidence-hover';
import type { TaskEvidence } from './evidence/task-evidence';
import type { LanguageServerRequests } from './language-client';
import type { Walkthrough } from './walkthrough';

/** Command ids, one table: package.json contributes exactly these. */
export const CommandId = {
  implement: 'speckit-orchestra.implement',
  resumeRun: 'speckit-orchestra.resumeRun',
  cancelRun: 'speckit-orchestra.cancelRun',
  rollBackRun: 'speckit-orchestra.rollBackRun',
  acceptEdit: 'speckit-orchestra.acceptEdit',
  rejectEdit: 'speckit-orchestra.rejectEdit',
  acceptAllPendingEdits: 'speckit-orchestra.acceptAllPendingEdits',
  setApiKey: 'speckit-orchestra.setApiKey',
  selectModelProvider: 'speckit-orchestra.selectModelProvider',
  showProgressPanel: 'speckit-orchestra.showProgressPanel',
  openTask: 'speckit-orchestra.openTask',
  refreshTasks: 'speckit-orchestra.refreshTasks',
  openProposal: 'speckit-orchestra.openProposal',
  acceptTaskEdits: 'speckit-orchestra.acceptTaskEdits',
  rejectTaskEdits: 'speckit-orchestra.rejectTaskEdits',
  openChangedFile: 'speckit-orchestra.openChangedFile',
  revertTaskChanges: 'speckit-orchestra.revertTaskChanges',
  showLog: 'speckit-orchestra.showLog',
  verifyTasks: 'speckit-orchestra.verifyTasks',
  openEvidenceDiff: OPEN_EVIDENCE_DIFF_COMMAND,
  openWalkthrough: 'speckit-orchestra.openWalkthrough',
  openExample: 'speckit-orchestra.openExample',
  dryRun: 'speckit-orchestra.dryRun',
  runNextTask: 'speckit-orchestra.runNextTask',
} as const;

export type CommandName = keyof typeof CommandId;

/** What a run command returns, for scripted callers and tests. */
export type RunCommandResult =
  | { ran: true; runId: string }
  | {
      ran: false;
      reason:
        | 'untrusted'
        | 'cancelled'
        | 'no-api-key'
        | 'no-model'
        | 'run-active'
        | 'no-workspace'
        | 'no-interrupted-run'
        | 'nothing-to-run'
        | 'invalid-arguments'
        | 'failed';
    };

export interface CommandDeps {
  log: Logger;
  config: Config;
  keys: ApiKeyStore;
  session: WindowRun;
  review: ReviewController;
  documents: TaskDocuments;
  /** Loads the engine on first use (it is most of the bundle) and builds one for these settings. */
  createEngine: (settings: OrchestraSettings) => Promise<Engine>;
  /** The project's own test/build commands (the engine's detection), for a user who configured none. */
  detectCommands: (root: string, signal: AbortSignal) => Promise<DetectedCommands>;
  prompts: Prompts;
  showLog: () => void;
  evidence: TaskEvidence;
  languageServer: LanguageServerRequests;
  walkthrough: Walkthrough;
}

/** Options a scripted caller (tests, other extensions) may pass after the feature argument. */
export interface ImplementOptions {
  request?: string;
  /** Only these task ids run (a code lens's Run task / Run phase); the others are left as they are. */
  onlyTasks?: string[];
  /** Ticked tasks to do again (a tick without evidence that holds: the Re-run task quick fix). */
  rerunTasks?: string[];
}

type Handler = (...args: unknown[]) => unknown;

/**
 * The command table: each entry builds its handler from the deps. `trust` names the action for the
 * untrusted-workspace explanation: such commands stay visible and say why they cannot run.
 */
type CommandEntry = { trust?: string; handler: Handler };

function createCommands(deps: CommandDeps): Record<CommandName, CommandEntry> {
  const { session, review } = deps;
  return {
    implement: {
      trust: 'Implementing tasks',
      handler: (feature, options) =>
        implement(deps, typeof feature === 'string' ? feature : undefined, isImplementOptions(options) ? options : {}),
    },
    resumeRun: {
      trust: 'Resuming a run',
      handler: (runId) => resume(deps, typeof runId === 'string' ? runId : undefined),
    },
    cancelRun: {
      handler: () => {
        const run = session.isActive ? session.run : undefined;
        if (!run) return false;
        run.cancel('cancelled by the user');
        deps.log.info(`run ${run.id} cancelled by the user`);
        return true;
      },
    },
    rollBackRun: {
      trust: 'Rolling back a run',
      handler: (runId, options) =>
        rollBack(deps, typeof runId === 'string' ? runId : undefined, undefined, isConfirmed(options)),
    },
    acceptEdit: { trust: 'Accepting edits', handler: (target) => review.accept(asReviewTarget(target)) },
    rejectEdit: { handler: (target, options) => review.reject(asReviewTarget(target), feedbackOption(options)) },
    acceptAllPendingEdits: { trust: 'Accepting edits', handler: () => review.acceptAll() },
    // A scripted caller (a test, a setup script) may pass the key; a user gets the password box.
    setApiKey: {
      handler: async (key) =>
        typeof key === 'string' && key.trim() !== '' ? (await deps.keys.store(key.trim()), true) : deps.keys.prompt(),
    },
    selectModelProvider: { handler: () => selectProvider(deps) },
    showProgressPanel: { handler: () => vscode.commands.executeCommand(`${PROGRESS_VIEW_ID}.focus`) },
    openTask: { handler: (node) => openTask(deps.documents, node) },
    refreshTasks: { handler: () => deps.documents.reload() },
    openProposal: { handler: (target) => review.open(asReviewTarget(target)) },
    acceptTaskEdits: {
      trust: 'Accepting edits',
      handler: (node) => (taskKeyOf(node) === undefined ? 0 : review.acceptTask(taskKeyOf(node) ?? '')),
    },
    rejectTaskEdits: {
      handler: (node, options) =>
        taskKeyOf(node) === undefined ? 0 : review.rejectTask(taskKeyOf(node) ?? '', feedbackOption(options)),
    },
    openChangedFile: {
      handler: (uri) =>
        uri instanceof vscode.Uri ? vscode.window.showTextDocument(uri, { preview: true }) : undefined,
    },
    revertTaskChanges: {
      trust: 'Reverting changes',
      handler: (node) => rollBack(deps, session.view.runId, taskKeyOf(node)),
    },
    showLog: { handler: () => deps.showLog() },
    // Reads only: allowed in untrusted workspaces too.
    verifyTasks: { handler: (target) => verifyTasks(deps, target instanceof vscode.Uri ? target : undefined) },
    openEvidenceDiff: { handler: (args) => openEvidenceDiff(args) },
    openWalkthrough: { handler: () => deps.walkthrough.open() },
    // A script or a test passes `{ open: false }`: it gets the copy's location, and no window is replaced.
    openExample: { handler: (options) => deps.walkthrough.openExample({ open: !isNoOpen(options) }) },
    // Planning reads the project and may look for its test command; like Implement, only where it is trusted.
    dryRun: {
      trust: 'A dry run',
      handler: (feature) => dryRun(deps, typeof feature === 'string' ? feature : undefined),
    },
    runNextTask: { trust: 'Implementing tasks', handler: () => runNextTask(deps) },
  };
}

function isNoOpen(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { open?: unknown }).open === false;
}

/** The commands the language server's code lenses name (not in the palette): they hand a selection to the engine. */
function createLensCommands(deps: CommandDeps): Record<keyof typeof LspCommandId, CommandEntry> {
  return {
    runTask: { trust: 'Running a task', handler: (args) => runTaskFromLens(deps, parseRunTaskArgs(args), args) },
    runPhase: { trust: 'Running a phase', handler: (args) => runPhaseFromLens(deps, parseRunPhaseArgs(args), args) },
  };
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const table = createCommands(deps);
  const lensTable = createLensCommands(deps);
  const entries: [string, CommandEntry][] = [
    ...(Object.keys(table) as CommandName[]).map((name): [string, CommandEntry] => [CommandId[name], table[name]]),
    ...(Object.keys(lensTable) as (keyof typeof LspCommandId)[]).map((name): [string, CommandEntry] => [
      LspCommandId[name],
      lensTable[name],
    ]),
  ];
  // After activation, off its path: is there a run to resume? (It loads the engine, so not during activate.)
  const check = setTimeout(() => void refreshInterruptedRuns(deps), 2000);
  const disposables = entries.map(([name, { trust, handler }]) => {
    return vscode.commands.registerCommand(name, async (...args: unknown[]) => {
      if (trust !== undefined && !(await ensureTrusted(trust))) return { ran: false, reason: 'untrusted' } as const;
      try {
        return await handler(...args);
      } catch (error) {
        return reportFailure(deps, name, error);
      }
    });
  });
  return [...disposables, new vscode.Disposable(() => clearTimeout(check))];
}

/** Sets the `interruptedRun` context key (Resume Run's `when`) from the journals of the workspace folders. */
async function refreshInterruptedRuns(deps: CommandDeps): Promise<void> {
  try {
    let found = false;
    for (const folder of (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file')) {
      const engine = await deps.createEngine(deps.config.read(folder.uri).settings);
      found ||= (await engine.findInterruptedRuns(folder.uri.fsPath)).length > 0;
    }
    setContextKey(ContextKey.interruptedRun, found && !deps.session.isActive, deps.log);
  } catch (error) {
    deps.log.warn(`looking for interrupted runs: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Errors become one readable message (no stack trace) and a log entry; the key never appears in either. */
async function reportFailure(deps: CommandDeps, name: string, error: unknown): Promise<RunCommandResult> {
  switch (llmErrorKind(error)) {
    case 'auth': {
      const message = (error as Error).message;
      deps.log.warn(`${name}: ${message}`);
      const choice = await vscode.window.showErrorMessage(
        `The Anthropic API refused the key: ${message}`,
        'Set API Key',
      );
      if (choice === 'Set API Key') await deps.keys.prompt();
      return { ran: false, reason: 'no-api-key' };
    }
    case 'unavailable':
      await reportNoModel(deps, `${name}: ${(error as Error).message}`, (error as Error).message);
      return { ran: false, reason: 'no-model' };
    case undefined:
      break;
  }
  const message = error instanceof Error ? error.message : String(error);
  deps.log.error(error instanceof Error ? error : message);
  const choice = await vscode.window.showErrorMessage(`Spec-Kit Orchestra: ${message}`, 'Show Log');
  if (choice === 'Show Log') deps.showLog();
  return { ran: false, reason: 'failed' };
}

/**
 * The model errors a user can fix, told apart by their `kind`, not their class: the engine is a separate
 * bundle (dist/extension-engine.js) with its own copy of the error classes, so `instanceof` would miss them.
 */
function llmErrorKind(error: unknown): 'auth' | 'unavailable' | undefined {
  if (!(error instanceof Error) || !('kind' in error)) return undefined;
  return error.kind === 'auth' || error.kind === 'unavailable' ? error.kind : undefined;
}

/** No chat model to run on: one plain sentence with the way out, never a stack trace. */
async function reportNoModel(deps: CommandDeps, logLine: string, message: string): Promise<void> {
  deps.log.warn(logLine);
  const choice = await vscode.window.showErrorMessage(message, 'Select Model Provider');
  if (choice === 'Select Model Provider') await selectProvider(deps);
}

function isImplementOptions(value: unknown): value is ImplementOptions {
  if (typeof value !== 'object' || value === null) return false;
  const { request, onlyTasks, rerunTasks } = value as { request?: unknown; onlyTasks?: unknown; rerunTasks?: unknown };
  const ids = (list: unknown) =>
    list === undefined || (Array.isArray(list) && list.every((id) => typeof id === 'string'));
  return (request === undefined || typeof request === 'string') && ids(onlyTasks) && ids(rerunTasks);
}

function feedbackOption(value: unknown): { feedback?: string } {
  if (typeof value === 'object' && value !== null && 'feedback' in value) {
    const feedback = (value as { feedback?: unknown }).feedback;
    if (typeof feedback === 'string') return { feedback };
  }
  return {};
}

function asReviewTarget(value: unknown): ReviewTarget {
  if (value === undefined || typeof value === 'string' || value instanceof vscode.Uri) return value;
  if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'proposal') {
    const proposalId = (value as { proposalId?: unknown }).proposalId;
    if (typeof proposalId === 'string') return { kind: 'proposal', proposalId };
  }
  return undefined;
}

function taskKeyOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const taskKey = (value as { taskKey?: unknown }).taskKey;
    if (typeof taskKey === 'string') return taskKey;
  }
  return undefined;
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  if (folders.length <= 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which folder?' });
}

/** The settings for a run, with problems logged and shown once (a bad value falls back to its default). */
function readSettings(deps: CommandDeps, folder: vscode.WorkspaceFolder): OrchestraSettings {
  const { settings, problems } = deps.config.read(folder.uri);
  if (problems.length > 0) {
    for (const p of problems) deps.log.warn(`setting speckitOrchestra.${p.key}: ${p.message}`);
    void vscode.window.showWarningMessage(describeSettingsProblems(problems));
  }
  return settings;
}

export const NO_CHAT_MODEL_MESSAGE =
  'No VS Code language model is available: no installed extension provides a chat model. Install or sign in to one, or select the Anthropic provider. Nothing was run.';

/** What the provider needs before any work starts; undefined when it has it, else why nothing can run. */
async function missingCredentials(
  deps: CommandDeps,
  settings: OrchestraSettings,
): Promise<'no-api-key' | 'no-model' | undefined> {
  switch (settings.provider) {
    case 'anthropic':
      return (await deps.keys.require()) === undefined ? 'no-api-key' : undefined;
    case 'vscode-lm': {
      // The engine's provider asks for any chat model too; ask now, so the user hears it before a run starts.
      const models = await vscode.lm.selectChatModels({});
      if (models.length > 0) return undefined;
      await reportNoModel(deps, `provider vscode-lm: told the user: ${NO_CHAT_MODEL_MESSAGE}`, NO_CHAT_MODEL_MESSAGE);
      return 'no-model';
    }
  }
}

/** Settings for the engine; with no test command configured, the project's own (asked before it runs). */
async function runSettingsFor(
  deps: CommandDeps,
  settings: OrchestraSettings,
  root: string,
  signal: AbortSignal,
): Promise<Partial<EngineSettings>> {
  const engineSettings = engineSettingsOf(settings);
  if (settings.testCommand.length > 0 || !settings.detectTestCommand) return engineSettings;
  const detected = await deps.detectCommands(root, signal);
  const test = detected.commands['test'];
  if (test === undefined) {
    deps.log.info("no test command configured or found; the run's validation runs no tests");
    return engineSettings;
  }
  deps.log.info(
    `test command: ${test.join(' ')} (from ${detected.sources['test'] ?? 'the project'}; asked before it runs)`,
  );
  return { ...engineSettings, commands: { test } };
}

function reportUnfinishedDependencies(deps: CommandDeps, plan: RunPlan, onlyTasks: readonly string[]): void {
  const message = describeUnfinishedDependencies(unfinishedDependencies(plan, onlyTasks), onlyTasks.length);
  if (message === undefined) return;
  deps.log.warn(message);
  void vscode.window
    .showWarningMessage(message)
    .then(undefined, (error: unknown) => deps.log.warn(`showing unfinished dependencies: ${String(error)}`));
}

/** The workspace folder and feature folder of a tasks.md a lens names. */
function lensTarget(
  uri: string,
): { folder: vscode.WorkspaceFolder; featureDir: string; tasksUri: vscode.Uri } | undefined {
  let tasksUri: vscode.Uri;
  try {
    tasksUri = vscode.Uri.parse(uri, true);
  } catch {
    // Not a URI at all: the caller reports the arguments as unreadable.
    return undefined;
  }
  const folder = vscode.workspace.getWorkspaceFolder(tasksUri);
  if (tasksUri.scheme !== 'file' || !folder) return undefined;
  return { folder, featureDir: vscode.Uri.joinPath(tasksUri, '..').fsPath, tasksUri };
}

function invalidLensArguments(deps: CommandDeps, value: unknown): RunCommandResult {
  deps.log.warn(`a code lens command ignored arguments it cannot read: ${JSON.stringify(value) ?? String(value)}`);
  return { ran: false, reason: 'invalid-arguments' };
}

/**
 * Run task: that task alone; unfinished dependencies are reported, not run. With `rerun` (the quick fix on a
 * tick without evidence that holds) a ticked task is done again and its evidence written anew.
 */
async function runTaskFromLens(
  deps: CommandDeps,
  args: RunTaskArgs | undefined,
  raw: unknown,
): Promise<RunCommandResult> {
  const target = args && lensTarget(args.uri);
  if (!args || !target) return invalidLensArguments(deps, raw);
  deps.log.info(`${args.rerun ? 're-run' : 'run'} task ${args.taskId} requested from the editor`);
  const ids = [args.taskId];
  return implement(
    deps,
    target.featureDir,
    { onlyTasks: ids, ...(args.rerun ? { rerunTasks: ids } : {}) },
    target.folder,
  );
}

/** Run phase: the phase's unfinished tasks, as tasks.md reads now (unsaved edits included). */
async function runPhaseFromLens(
  deps: CommandDeps,
  args: RunPhaseArgs | undefined,
  raw: unknown,
): Promise<RunCommandResult> {
  const target = args && lensTarget(args.uri);
  if (!args || !target) return invalidLensArguments(deps, raw);
  const feature = (await deps.documents.features()).find((f) => f.tasksUri.toString() === target.tasksUri.toString());
  const phase = feature?.document.phases[args.phaseIndex];
  if (!feature || !phase) return invalidLensArguments(deps, raw);
  const byKey = new Map(feature.document.tasks.map((t) => [t.key, t]));
  const unfinished = phase.taskKeys.flatMap((key) => {
    const task = byKey.get(key);
    return task && !task.done ? [task.id] : [];
  });
  deps.log.info(
    `run phase "${phase.title}" requested from a code lens: ${unfinished.join(', ') || 'nothing left to do'}`,
  );
  if (unfinished.length === 0) {
    void vscode.window.showInformationMessage(`Every task of "${phase.title}" is done already. Nothing was run.`);
    return { ran: false, reason: 'nothing-to-run' };
  }
  return implement(deps, target.featureDir, { onlyTasks: unfinished }, target.folder);
}

/** What a run is planned on: the folder, its settings, the engine built for them, and the plan. */
interface PlannedRun {
  folder: vscode.WorkspaceFolder;
  settings: OrchestraSettings;
  engine: Engine;
  plan: RunPlan;
  /** Run from the palette or a button (no arguments): a spec-kit run asks the user for an optional focus. */
  asksFocus: boolean;
  /** The same feature planned again with a focus (a spec-kit plan calls no model). */
  replan: (focus: string) => Thenable<RunPlan>;
}

/**
 * Chooses the folder and the feature (or asks what to build where there is no spec-kit project) and plans the
 * run, with a cancellable progress notification. Returns why nothing was planned when the user stopped it.
 */
async function planRun(
  deps: CommandDeps,
  feature: string | undefined,
  options: ImplementOptions,
  inFolder: vscode.WorkspaceFolder | undefined,
  question: string,
): Promise<PlannedRun | RunCommandResult> {
  const folder = inFolder ?? (await pickFolder());
  if (!folder) {
    void vscode.window.showInformationMessage('Open a folder to implement its spec-kit tasks.');
    return { ran: false, reason: 'no-workspace' };
  }
  let request = options.request;
  const asksFocus = feature === undefined && request === undefined && options.onlyTasks === undefined;
  if (feature === undefined && request === undefined) {
    const features = (await deps.documents.features()).filter(
      (f) => f.projectRoot.startsWith(folder.uri.fsPath) || folder.uri.fsPath.startsWith(f.projectRoot),
    );
    if (features.length > 1) {
      const pick = await vscode.window.showQuickPick(
        features.map((f) => ({
          label: f.featureId,
          description: `${f.document.tasks.filter((t) => t.done).length}/${f.document.tasks.length} done`,
        })),
        { title: question },
      );
      if (!pick) return { ran: false, reason: 'cancelled' };
      feature = pick.label;
    } else if (features.length === 0) {
      // No spec-kit project: fallback mode drafts a plan from the user's words.
      request = await vscode.window.showInputBox({
        title: 'What should the orchestra build?',
        prompt: 'No spec-kit tasks.md here: describe the change; a plan is drafted for your approval first.',
        ignoreFocusOut: true,
      });
      if (!request) return { ran: false, reason: 'cancelled' };
    }
  }
  const settings = readSettings(deps, folder);
  const engine = await deps.createEngine(settings);
  const { onlyTasks, rerunTasks } = options;
  const planWith = (chosenFeature: string | undefined, focusOrRequest: string | undefined) =>
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Spec-Kit Orchestra: planning…', cancellable: true },
      async (_progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        const root = folder.uri.fsPath;
        const runSettings = await runSettingsFor(deps, settings, root, controller.signal);
        return engine.plan({
          root,
          ...(chosenFeature !== undefined ? { feature: chosenFeature } : {}),
          ...(focusOrRequest !== undefined ? { request: focusOrRequest } : {}),
          ...(onlyTasks !== undefined ? { onlyTasks } : {}),
          ...(rerunTasks !== undefined ? { rerunTasks } : {}),
          settings: runSettings,
          signal: controller.signal,
        });
      },
    );
  const plan = await planWith(feature, request);
  deps.log.info(
    `plan for ${plan.feature.id} (${plan.feature.rule}): ${plan.tasks.length} tasks, ${plan.schedule.length} steps, ${countOf(plan.strategy.maxWorkers, 'worker')}, ${forecastText(plan)}`,
  );
  const replan = (focus: string) => planWith(plan.feature.dir, focus);
  return { folder, settings, engine, plan, asksFocus, replan };
}

function forecastText(plan: RunPlan): string {
  return `forecast $${plan.forecast.low.toFixed(2)}–$${plan.forecast.high.toFixed(2)}`;
}

async function showDryRun(plan: RunPlan): Promise<void> {
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: renderDryRun(plan) });
  await vscode.window.showTextDocument(document, { preview: true });
}

/** What the dry-run command returns, for scripted callers and tests. */
export type DryRunResult = { shown: true; featureId: string; tasksToDo: number } | RunCommandResult;

/** Plans as Implement would and shows the schedule, the roles and the forecast; runs nothing, needs no key. */
async function dryRun(deps: CommandDeps, feature: string | undefined): Promise<DryRunResult> {
  const planned = await planRun(deps, feature, {}, undefined, 'Dry run of which feature?');
  if ('ran' in planned) return planned;
  await showDryRun(planned.plan);
  return {
    shown: true,
    featureId: planned.plan.feature.id,
    tasksToDo: planned.plan.tasks.filter((t) => !t.alreadyDone).length,
  };
}

async function implement(
  deps: CommandDeps,
  feature: string | undefined,
  options: ImplementOptions,
  inFolder?: vscode.WorkspaceFolder,
): Promise<RunCommandResult> {
  if (deps.session.isActive) {
    void vscode.window.showInformationMessage('A run is already active. Cancel it first, or wait for it to finish.');
    return { ran: false, reason: 'run-active' };
  }
  const planned = await planRun(deps, feature, options, inFolder, 'Implement which feature?');
  if ('ran' in planned) return planned;
  const { folder, settings, engine } = planned;
  let { plan } = planned;
  const missing = await missingCredentials(deps, settings);
  if (missing === 'no-model') return { ran: false, reason: 'no-model' };
  if (missing === 'no-api-key') {
    // Without a key the user still sees the dry run: the schedule and the cost forecast.
    void vscode.window
      .showInformationMessage(
        `Dry run of ${plan.feature.id}: ${plan.tasks.filter((t) => !t.alreadyDone).length} tasks to do in ${plan.schedule.length} steps with up to ${countOf(plan.strategy.maxWorkers, 'worker')}; ${forecastText(plan)}. Set an API key to run it.`,
        'Show Dry Run',
      )
      .then(async (choice) => {
        if (choice === 'Show Dry Run') await showDryRun(plan);
      })
      .then(undefined, (error: unknown) => deps.log.warn(`showing the dry run: ${String(error)}`));
    return { ran: false, reason: 'no-api-key' };
  }
  const { onlyTasks } = options;
  if (planned.asksFocus && plan.mode === 'spec-kit') {
    // Asked once the run can start (a key, a model): a dry run without a key needs no focus.
    const focus = await vscode.window.showInputBox({
      title: `Focus for this run of ${plan.feature.id} (optional)`,
      prompt: 'Every worker and reviewer is told it, e.g. "keep the public API unchanged". Empty for none.',
      ignoreFocusOut: true,
    });
    if (focus === undefined) return { ran: false, reason: 'cancelled' };
    // The same feature again, now with the focus in its strategy.
    if (focus.trim() !== '') {
      plan = await planned.replan(focus);
    }
  }
  if (onlyTasks !== undefined) reportUnfinishedDependencies(deps, plan, onlyTasks);
  const run = engine.start(plan);
  attachRun(deps, run, folder.uri);
  return { ran: true, runId: run.id };
}

/**
 * The walkthrough's "first task": the first unfinished task of the feature, alone (its unfinished dependencies
 * are reported, not run), as the code lens "Run task" does.
 */
async function runNextTask(deps: CommandDeps): Promise<RunCommandResult> {
  const folder = await pickFolder();
  if (!folder) {
    void vscode.window.showInformationMessage('Open a folder to implement its spec-kit tasks.');
    return { ran: false, reason: 'no-workspace' };
  }
  const features = (await deps.documents.features()).filter((f) => f.tasksUri.fsPath.startsWith(folder.uri.fsPath));
  const withWork = features.filter((f) => f.document.tasks.some((t) => !t.done));
  let feature = withWork[0];
  if (withWork.length > 1) {
    const pick = await vscode.window.showQuickPick(
      withWork.map((f) => ({ label: f.featureId })),
      { title: 'Run the next task of which feature?' },
    );
    feature = withWork.find((f) => f.featureId === pick?.label);
    if (!feature) return { ran: false, reason: 'cancelled' };
  }
  const next = feature?.document.tasks.find((t) => !t.done);
  if (!feature || !next) {
    void vscode.window.showInformationMessage(
      features.length === 0
        ? 'No spec-kit tasks.md here: open a spec-kit project, or the example, first.'
        : 'Every task is done already. Nothing was run.',
    );
    return { ran: false, reason: 'nothing-to-run' };
  }
  deps.log.info(`run the next task: ${next.id} of ${feature.featureId}`);
  return implement(deps, vscode.Uri.joinPath(feature.tasksUri, '..').fsPath, { onlyTasks: [next.id] }, folder);
}

function attachRun(deps: CommandDeps, run: ReturnType<Engine['start']>, root: vscode.Uri): void {
  deps.session.attach(run, root);
  setContextKey(ContextKey.interruptedRun, false, deps.log);
  void run.done.then(
    (result) => {
      void refreshInterruptedRuns(deps);
      void announce(deps, result, root);
    },
    (error: unknown) => void reportFailure(deps, 'implement', error),
  );
}

async function announce(deps: CommandDeps, result: RunResult, root: vscode.Uri): Promise<void> {
  const text = runNoticeText(result.outcome, result.message, result.tasks, result.usage.costUsd);
  deps.log.info(text);
  const show = result.outcome === 'completed' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  // A refused Anthropic key stops the run: offer the fix, not a stack trace.
  const keyProblem = result.stoppedBy === 'credentials' && deps.config.read(root).settings.provider === 'anthropic';
  const choice = await show(text, 'Show Progress', ...(keyProblem ? ['Set API Key'] : []));
  if (choice === 'Show Progress') await vscode.commands.executeCommand(CommandId.showProgressPanel);
  if (choice === 'Set API Key') await deps.keys.prompt();
}

async function resume(deps: CommandDeps, runId: string | undefined): Promise<RunCommandResult> {
  if (deps.session.isActive) return { ran: false, reason: 'run-active' };
  const folder = await pickFolder();
  if (!folder) return { ran: false, reason: 'no-workspace' };
  const settings = readSettings(deps, folder);
  const engine = await deps.createEngine(settings);
  const interrupted = await engine.findInterruptedRuns(folder.uri.fsPath);
  setContextKey(ContextKey.interruptedRun, interrupted.length > 0, deps.log);
  let chosen = interrupted.find((r) => r.runId === runId);
  if (!chosen && runId === undefined) {
    if (interrupted.length === 1) chosen = interrupted[0];
    else if (interrupted.length > 1) {
      const pick = await vscode.window.showQuickPick(
        interrupted.map((r) => ({
          label: r.featureId,
          description: `${r.tasksDone}/${r.tasksTotal} done · started ${r.startedAt}`,
          runId: r.runId,
        })),
        { title: 'Resume which run?' },
      );
      chosen = interrupted.find((r) => r.runId === pick?.runId);
      if (!chosen) return { ran: false, reason: 'cancelled' };
    }
  }
  if (!chosen) {
    void vscode.window.showInformationMessage('No interrupted run to resume in this folder.');
    return { ran: false, reason: 'no-interrupted-run' };
  }
  const missing = await missingCredentials(deps, settings);
  if (missing !== undefined) return { ran: false, reason: missing };
  const root = folder.uri.fsPath;
  const run = await engine.resume({
    root,
    runId: chosen.runId,
    settings: await runSettingsFor(deps, settings, root, AbortSignal.timeout(10_000)),
  });
  attachRun(deps, run, folder.uri);
  return { ran: true, runId: run.id };
}

/** `{ confirmed: true }` from a scripted caller that asked its user already (a test, a setup script). */
function isConfirmed(options: unknown): boolean {
  return typeof options === 'object' && options !== null && (options as { confirmed?: unknown }).confirmed === true;
}

async function rollBack(
  deps: CommandDeps,
  runId: string | undefined,
  taskKey?: string,
  confirmed = false,
): Promise<{ restored: number; deleted: number; skipped: number } | RunCommandResult> {
  if (deps.session.isActive) {
    void vscode.window.showInformationMessage('Cancel the active run before rolling back.');
    return { ran: false, reason: 'run-active' };
  }
  const id = runId ?? deps.session.view.runId;
  if (id === undefined) {
    void vscode.window.showInformationMessage('No run to roll back in this window. Resume or start one first.');
    return { ran: false, reason: 'no-interrupted-run' };
  }
  // The window's run is rolled back where it ran; only another run's folder is asked for.
  const runRoot = id === deps.session.view.runId ? deps.session.root : undefined;
  const folder = runRoot ? vscode.workspace.getWorkspaceFolder(runRoot) : await pickFolder();
  if (!folder) return { ran: false, reason: 'no-workspace' };
  const scope =
    taskKey === undefined
      ? `every edit of run ${id}`
      : `the edits of ${deps.session.view.tasks.get(taskKey)?.id ?? taskKey}`;
  const yes = 'Roll Back';
  const choice = confirmed
    ? yes
    : await deps.prompts.modal(
        `Roll back ${scope}?`,
        'Files are restored to what they were before the run wrote them. Files you edited since are skipped unless you agree to overwrite them.',
        yes,
      );
  if (choice !== yes) return { ran: false, reason: 'cancelled' };
  const engine = await deps.createEngine(readSettings(deps, folder));
  const result = await engine.rollback({
    root: (runRoot ?? folder.uri).fsPath,
    runId: id,
    ...(taskKey !== undefined ? { taskKey } : {}),
  });
  const summary = `Rolled back: ${result.restored.length} restored, ${result.deleted.length} deleted${result.skipped.length > 0 ? `, ${result.skipped.length} skipped (${result.skipped.map((s) => s.path).join(', ')})` : ''}.`;
  deps.log.info(summary);
  deps.session.noteRollback(id, {
    ...(taskKey !== undefined ? { taskKey } : {}),
    untickedIds: result.unticked,
    restored: result.restored.length,
    deleted: result.deleted.length,
    skipped: result.skipped.length,
    at: new Date().toISOString(),
  });
  void vscode.window.showInformationMessage(summary);
  return { restored: result.restored.length, deleted: result.deleted.length, skipped: result.skipped.length };
}

/**
 * Spec-Kit: Verify Tasks — the open feature's ticks against their evidence, in the Problems view (through
 * the language server, which keeps them there) and in the Tasks tree.
 */
async function verifyTasks(deps: CommandDeps, target: vscode.Uri | undefined): Promise<VerifyTasksResult | undefined> {
  const features = await deps.documents.features();
  const active = vscode.window.activeTextEditor?.document.uri;
  let feature =
    features.find((f) => f.tasksUri.toString() === (target ?? active)?.toString()) ??
    (active && features.find((f) => active.fsPath.startsWith(vscode.Uri.joinPath(f.tasksUri, '..').fsPath)));
  if (!feature && features.length === 1) feature = features[0];
  if (!feature && features.length > 1) {
    const pick = await vscode.window.showQuickPick(
      features.map((f) => ({ label: f.featureId, feature: f })),
      { title: 'Verify the tasks of which feature?' },
    );
    feature = pick?.feature;
  }
  if (!feature) {
    if (features.length === 0) void vscode.window.showInformationMessage('No spec-kit tasks.md to verify here.');
    return undefined;
  }
  const [result] = await Promise.all([deps.languageServer.verifyTasks(feature.tasksUri), deps.evidence.recheck()]);
  if (!result) {
    void vscode.window.showWarningMessage('Verify Tasks: the spec-kit language server is not running; see the log.');
    return undefined;
  }
  const { verified, drifted, unverified, open } = result.summary;
  const text = `${feature.featureId}: ${verified} verified, ${drifted} drifted, ${unverified} unverified, ${open} open.`;
  deps.log.info(`verify tasks: ${text}`);
  await vscode.commands.executeCommand('workbench.actions.view.problems');
  const show = drifted + unverified > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(text);
  return result;
}

async function selectProvider(deps: CommandDeps): Promise<boolean> {
  const current = deps.config.read().settings.provider;
  const items: (vscode.QuickPickItem & { id: OrchestraSettings['provider'] })[] = [
    {
      id: 'anthropic',
      label: 'Anthropic API',
      description: current === 'anthropic' ? 'current' : '',
      detail: 'Uses your Anthropic API key from secret storage.',
    },
    {
      id: 'vscode-lm',
      label: 'VS Code language models',
      description: current === 'vscode-lm' ? 'current' : '',
      detail: 'Uses a chat model another extension provides; no key needed here.',
    },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Select Model Provider' });
  if (!pick) return false;
  await deps.config.setProvider(pick.id);
  deps.log.info(`model provider set to ${pick.id}`);
  if (pick.id === 'anthropic' && (await deps.keys.get()) === undefined) {
    const choice = await vscode.window.showInformationMessage(
      'The Anthropic provider needs an API key.',
      'Set API Key',
    );
    if (choice === 'Set API Key') await deps.keys.prompt();
  }
  return true;
}
