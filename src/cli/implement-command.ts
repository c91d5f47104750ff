import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  LONGEST_SINGLE_WAIT_MS,
  createAnthropicProviderForRun,
  createEngine,
  defaultEngineSettings,
  detectProjectCommands,
  NodeCommandRunner,
  NodeWorkspace,
  PlanError,
  PlanningFailedError,
  type Approver,
  type ConfirmRequest,
  type Engine,
  type EngineSettings,
  type LlmProvider,
  type Logger,
  type Run,
  type RunResult,
} from '../core/engine';
import { countOf, formatUsd } from '../protocol/run-wording';
import type { ValidationReport } from '../protocol/validation-report';
import { describeValidation, reportFailures } from '../protocol/validation-summary';
import type { CliIo } from './cli-io';
import { formatUsage } from './event-lines';
import { ArgumentProblem, IMPLEMENT_USAGE, parseImplementArgs, type ImplementArgs } from './implement-args';
import { renderPlanJson } from './render-plan-json';
import { renderPlanText } from './render-plan-text';
import { chooseStyle, type TextStyle } from './render-tasks-text';
import { RunRenderer } from './run-renderer';
import { RunWatchdog } from './run-watchdog';
import { terminalApprover, terminalConfirm } from './terminal-questions';

const NAME = 'speckit-orchestra implement';

/** Exit codes, as documented in the usage text and the README. */
export const EXIT = { done: 0, failed: 1, badInput: 2, unanswered: 3 } as const;

/** A failure the user can fix by changing the command line: one line on stderr, exit code 2. */
class BadInput extends Error {}

/** `--approve ask` with nobody to ask: exit 3 before anything runs. */
class NoTerminalToAsk extends Error {}

function requireTerminalForAsk(context: Context): void {
  if (context.args.approvalPolicy === 'ask' && context.io.terminal === undefined) {
    throw new NoTerminalToAsk(
      'every edit needs your approval (--approve ask) and there is no terminal to ask: run it in a terminal, or choose --approve tests or --approve all. Nothing was run.',
    );
  }
  const test = context.commands?.unapprovable;
  if (test !== undefined) {
    throw new NoTerminalToAsk(
      `the test command (${test.join(' ')}) needs your approval to run and there is no terminal to ask: pass --allow-command test or --yes. Nothing was run.`,
    );
  }
}

/** The commands a run may use, which run without asking, and what to tell the user about the test command. */
interface CommandChoice {
  commands: Record<string, string[]>;
  allowedCommands: string[];
  /** One line about the test command validation will (or will not) run. */
  note: string;
  /** The user's own --test-command, when nobody can approve it (no terminal, not allowed): exit 3. */
  unapprovable?: string[];
}

/**
 * --test-command, else the project's own commands (detectProjectCommands). Without a terminal a command that
 * is not allowed could only be refused when the run reaches it: a found one is left out with a note, the
 * user's own stops the command before anything runs.
 */
async function chooseCommands(context: Context, forRun: boolean): Promise<CommandChoice> {
  const { args, io, root, signal } = context;
  const detected = await detectProjectCommands(root, signal);
  const commands: Record<string, string[]> = {
    ...detected.commands,
    ...(args.testCommand ? { test: args.testCommand } : {}),
  };
  const allowed = new Set([...args.allowedCommands, ...(args.yes ? Object.keys(commands) : [])]);
  const test = commands['test'];
  const from = args.testCommand ? '--test-command' : (detected.sources['test'] ?? '');
  let note = test
    ? `Tests: ${test.join(' ')} (${from})${allowed.has('test') ? '' : ', asked before it runs'}`
    : 'Tests: none found, so validation runs no tests (--test-command sets one)';
  let unapprovable: string[] | undefined;
  if (forRun && io.terminal === undefined) {
    for (const name of Object.keys(commands).filter((n) => !allowed.has(n))) {
      if (name === 'test' && args.testCommand) unapprovable = args.testCommand;
      delete commands[name];
    }
    if (test && !allowed.has('test'))
      note = `Tests: ${test.join(' ')} (${from}) is left out: there is no terminal to ask before it runs; --allow-command test or --yes runs it`;
  }
  return {
    commands,
    allowedCommands: [...allowed].filter((n) => commands[n] !== undefined),
    note,
    ...(unapprovable ? { unapprovable } : {}),
  };
}

const NO_MODEL_MESSAGE =
  'a dry run calls no model, and without a spec-kit tasks.md the plan has to be drafted by one: run without --dry-run to draft it (you approve it before anything runs)';

/** The dry run's provider: any call is a bug in the promise "no model is called". */
class NoModelProvider implements LlmProvider {
  readonly id = 'none';
  called = false;
  async send(): Promise<never> {
    this.called = true;
    throw new BadInput(NO_MODEL_MESSAGE);
  }
}

interface Context {
  args: ImplementArgs;
  io: CliIo;
  signal: AbortSignal;
  root: string;
  style: TextStyle;
  /** Set when a required confirmation had nobody to answer it. */
  unanswered: ConfirmRequest | undefined;
  renderer: RunRenderer | undefined;
  /** Chosen once per command, before planning. */
  commands?: CommandChoice;
}

export async function runImplementCommand(argv: readonly string[], io: CliIo, signal: AbortSignal): Promise<number> {
  const args = parseImplementArgs(argv);
  if (args instanceof ArgumentProblem) return fail(io, EXIT.badInput, `${args.message} (see --help)`);
  if (args.help) {
    io.stdout.write(IMPLEMENT_USAGE);
    return EXIT.done;
  }
  const context: Context = {
    args,
    io,
    signal,
    root: resolve(io.cwd, args.workspace),
    style: chooseStyle(io.stdout.isTTY === true, io.env),
    unanswered: undefined,
    renderer: undefined,
  };
  try {
    return await dispatch(context);
  } catch (error) {
    if (error instanceof NoTerminalToAsk) return fail(io, EXIT.unanswered, error.message);
    if (error instanceof PlanError) return fail(io, EXIT.badInput, describePlanError(error));
    // The model never produced a usable plan: a failure of the work, not of the user's input.
    if (error instanceof PlanningFailedError) return fail(io, EXIT.failed, planningFailure(error));
    if (error instanceof BadInput || (error instanceof Error && error.name === 'InvalidRunIdError'))
      return fail(io, EXIT.badInput, error.message);
    throw error;
  } finally {
    context.renderer?.close();
  }
}

async function dispatch(context: Context): Promise<number> {
  const { args, io } = context;
  const info = await stat(context.root).catch(() => undefined);
  if (!info?.isDirectory()) throw new BadInput(`workspace folder not found: ${context.root}`);

  const action = args.action;
  switch (action.kind) {
    case 'dry-run': {
      const provider = new NoModelProvider();
      const engine = engineFor(context, provider, undefined);
      context.commands = await chooseCommands(context, false);
      const plan = await engine.plan(planOptions(context)).catch((error: unknown) => {
        // However the engine wraps it, a call to the no-model provider is the fallback plan's draft.
        if (provider.called && !(error instanceof BadInput)) throw new BadInput(NO_MODEL_MESSAGE, { cause: error });
        throw error;
      });
      // With --json stdout holds the plan alone; what a person should read goes to stderr.
      const notes = action.json ? io.stderr : io.stdout;
      io.stdout.write(action.json ? renderPlanJson(plan) : renderPlanText(plan, io.cwd, context.style));
      notes.write(`${context.commands.note}\n`);
      await noteInterruptedRuns(context, engine, plan.feature.id, notes);
      return EXIT.done;
    }
    case 'rollback':
      return rollBack(context, action.runId);
    case 'run':
    case 'resume': {
      const key = io.env['ANTHROPIC_API_KEY'];
      if (key === undefined || key.trim() === '')
        throw new BadInput(
          'ANTHROPIC_API_KEY is not set: export your Anthropic API key, or use --dry-run to see the plan without a model',
        );
      context.commands = await chooseCommands(context, true);
      // A request may need a model call to draft its plan: refuse before spending it. Otherwise bad input
      // (an unknown feature) is reported first, by planning, which calls no model in spec-kit mode.
      if (action.kind === 'resume' || args.request !== undefined) requireTerminalForAsk(context);
      // One governor for the whole run: every worker's calls share its concurrency and rate-limit backoff.
      const provider = createAnthropicProviderForRun({
        apiKey: async () => key,
        baseURL: io.env['ANTHROPIC_BASE_URL'],
        maxWorkers: args.maxWorkers ?? defaultEngineSettings().maxWorkers,
        maxAttempts: args.callAttempts,
        logger: loggerFor(context),
      });
      const engine = engineFor(
        context,
        provider,
        io.terminal !== undefined ? terminalApprover(io.terminal, questionDeps(context)) : undefined,
      );
      const run =
        action.kind === 'run' ? await startRun(context, engine) : await resumeRun(context, engine, action.runId);
      return follow(context, run);
    }
    default: {
      const never: never = action;
      throw new Error(`unexpected action ${JSON.stringify(never)}`);
    }
  }
}

function engineFor(context: Context, provider: LlmProvider, approver: Approver | undefined): Engine {
  return createEngine({
    provider,
    workspace: (root) => new NodeWorkspace(root),
    commandRunner: new NodeCommandRunner(),
    confirm: terminalConfirm({
      ...questionDeps(context),
      terminal: context.io.terminal,
      yes: context.args.yes,
      onUnanswered: (request) => {
        context.unanswered ??= request;
      },
    }),
    ...(approver ? { approver } : {}),
    logger: loggerFor(context),
  });
}

function questionDeps(context: Context) {
  return {
    out: context.io.stdout,
    style: context.style,
    pause: () => context.renderer?.suspend(),
    resume: () => context.renderer?.resume(),
  };
}

/** Engine warnings and errors that are not run events (a retried model call, a journal problem). */
function loggerFor(context: Context): Logger {
  const write = (level: string, message: string | Error): void => {
    const text = `${level}: ${message instanceof Error ? message.message : message}`;
    if (context.renderer && context.io.stdout.isTTY === true) context.renderer.note(context.style.dim(text));
    else context.io.stderr.write(`${NAME}: ${text}\n`);
  };
  return {
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (m) => write('warning', m),
    error: (m) => write('error', m),
  };
}

function settingsOf(context: Context): Partial<EngineSettings> {
  const { args, io } = context;
  return {
    approvalPolicy: args.approvalPolicy,
    interactiveApproval: io.terminal !== undefined,
    ...(args.maxWorkers !== undefined ? { maxWorkers: args.maxWorkers } : {}),
    ...(args.storyParallelism !== undefined ? { storyParallelism: args.storyParallelism } : {}),
    ...(context.commands
      ? { commands: context.commands.commands, allowedCommands: context.commands.allowedCommands }
      : {}),
    allowChangedCommands: args.allowChangedCommands,
    ...(args.budgetUsd !== undefined ? { budgetUsd: args.budgetUsd } : {}),
    ...(args.convergeRounds !== undefined ? { convergeRounds: args.convergeRounds } : {}),
    ...(args.completionReviews !== undefined ? { completionReviews: args.completionReviews } : {}),
    ...(args.modelByRole !== undefined ? { modelByRole: args.modelByRole } : {}),
  };
}

function planOptions(context: Context) {
  const { args, io, signal, root } = context;
  return {
    root,
    ...(args.feature !== undefined ? { feature: args.feature } : {}),
    ...(args.request !== undefined ? { request: args.request } : {}),
    ...(args.tasks.length > 0 ? { onlyTasks: args.tasks } : {}),
    settings: settingsOf(context),
    env: io.env,
    signal,
  };
}

async function startRun(context: Context, engine: Engine): Promise<Run> {
  const { io } = context;
  const plan = await engine.plan(planOptions(context));
  await noteInterruptedRuns(context, engine, plan.feature.id);
  requireTerminalForAsk(context);
  const todo = plan.tasks.filter((t) => !t.alreadyDone).length;
  io.stdout.write(
    `${plan.feature.id}: ${todo} of ${countOf(plan.tasks.length, 'task')} to do in ${countOf(plan.schedule.length, 'step')}, up to ${countOf(plan.strategy.maxWorkers, 'worker')}; forecast $${plan.forecast.low.toFixed(2)}–$${plan.forecast.high.toFixed(2)}${context.args.budgetUsd !== undefined ? `, budget $${context.args.budgetUsd.toFixed(2)}` : ''}${plan.planningCall ? `; planning cost $${plan.planningCall.usage.costUsd.toFixed(4)} so far` : ''}\n`,
  );
  if (context.commands) io.stdout.write(`${context.commands.note}\n`);
  return engine.start(plan);
}

/** An interrupted run of the same feature is offered for resume rather than silently started over. */
async function noteInterruptedRuns(
  context: Context,
  engine: Engine,
  featureId: string,
  out: Context['io']['stdout'] = context.io.stdout,
): Promise<void> {
  for (const r of (await engine.findInterruptedRuns(context.root)).filter((x) => x.featureId === featureId)) {
    const what =
      r.stoppedBy === 'budget-exceeded'
        ? 'stopped at its budget'
        : r.stoppedBy === 'needs-approval'
          ? 'stopped at an edit nobody could approve'
          : 'was interrupted';
    out.write(
      `${context.style.warn(`Run ${r.runId} of ${r.featureId} ${what} (${r.tasksDone}/${r.tasksTotal} tasks done): continue it with --resume ${r.runId}`)}\n`,
    );
  }
}

async function resumeRun(context: Context, engine: Engine, runId: string | undefined): Promise<Run> {
  const interrupted = await engine.findInterruptedRuns(context.root);
  const chosen = runId === undefined ? interrupted[0] : interrupted.find((r) => r.runId === runId);
  if (!chosen) {
    const known = interrupted.map((r) => r.runId).join(', ');
    if (runId === undefined) throw new BadInput(`no interrupted run to resume in ${context.root}`);
    throw new BadInput(
      `run ${runId} is not an interrupted run in ${context.root}${known === '' ? '' : `; interrupted: ${known}`}`,
    );
  }
  context.io.stdout.write(
    `Resuming run ${chosen.runId} of ${chosen.featureId}: ${chosen.tasksDone}/${chosen.tasksTotal} tasks done\n`,
  );
  if (context.commands) context.io.stdout.write(`${context.commands.note}\n`);
  return engine.resume({ root: context.root, runId: chosen.runId, settings: settingsOf(context) });
}

/**
 * How long a run may go quiet before the watchdog says what it waits for, and before it counts as stuck:
 * longer than any single wait may last (a request's timeout, a stalled stream's, the longest pool pause).
 * `SPECKIT_ORCHESTRA_WATCHDOG_MS=quiet[,stuck]` sets both (milliseconds).
 */
export function watchdogTimes(env: CliIo['env']): { quietMs: number; stuckMs: number } {
  const [quiet, stuck] = (env['SPECKIT_ORCHESTRA_WATCHDOG_MS'] ?? '').split(',').map((x) => Number(x));
  const quietMs = quiet !== undefined && quiet > 0 ? quiet : 60_000;
  const stuckMs = stuck !== undefined && stuck > 0 ? stuck : LONGEST_SINGLE_WAIT_MS + 30_000;
  return { quietMs, stuckMs: Math.max(stuckMs, quietMs) };
}

/** Shows the run until it ends; Ctrl-C cancels it cleanly (the journal keeps it resumable). */
async function follow(context: Context, run: Run): Promise<number> {
  const { io, style } = context;
  const renderer = new RunRenderer({
    out: io.stdout,
    live: io.stdout.isTTY === true,
    style,
    columns: () => io.stdout.columns,
  });
  context.renderer = renderer;
  const watchdog = new RunWatchdog({
    ...watchdogTimes(io.env),
    view: () => renderer.view,
    askingPerson: () => renderer.asking || (io.terminal !== undefined && renderer.view.pending.size > 0),
    onQuiet: (lines) => renderer.note(style.dim(`still running; waiting for:\n  ${lines.join('\n  ')}`)),
    onStuck: (lines) => {
      renderer.note(
        style.warn(`the run is stuck; stopping it (it stays resumable). It was waiting for:\n  ${lines.join('\n  ')}`),
      );
      run.cancel('stuck: nothing happened for longer than any wait may last');
    },
  });
  const pending = io.lifecycle?.whilePending(() => watchdog.waitingFor());
  for (const event of run.events()) renderer.handle(event);
  const subscription = run.onEvent((event) => {
    watchdog.touch();
    renderer.handle(event);
  });
  const onAbort = (): void => run.cancel('interrupted (Ctrl-C)');
  if (context.signal.aborted) onAbort();
  else context.signal.addEventListener('abort', onAbort, { once: true });
  let result: RunResult;
  try {
    result = await run.done;
  } finally {
    context.signal.removeEventListener('abort', onAbort);
    subscription.dispose();
    watchdog.stop();
    pending?.dispose();
    renderer.close();
  }
  io.stdout.write(summaryOf(result, style));
  return exitCodeOf(context, result);
}

const KIND_NOTE = { create: ' (new)', modify: '', delete: ' (deleted)' } as const;

function summaryOf(result: RunResult, style: TextStyle): string {
  const { tasks } = result;
  const lines = [
    tasks.total === 0 && result.journalDir === ''
      ? 'nothing ran'
      : `${tasks.done}/${tasks.total} tasks done${tasks.failed > 0 ? `, ${tasks.failed} failed` : ''}${tasks.skipped > 0 ? `, ${tasks.skipped} skipped` : ''}${tasks.pending > 0 ? `, ${tasks.pending} not started` : ''}`,
    formatUsage(result.usage, undefined),
  ];
  if (result.skippedTasks && result.skippedTasks.length > 0) {
    lines.push(
      style.warn(
        `not done, because tasks.md no longer matches the run (do them yourself, or run them on their own with --task):`,
      ),
    );
    for (const s of result.skippedTasks) lines.push(`  ${s.taskId}: ${s.reason}`);
  }
  if (result.changedFiles && result.changedFiles.length > 0) {
    lines.push('files changed:');
    const width = Math.max(...result.changedFiles.map((t) => t.taskId.length));
    for (const task of result.changedFiles)
      lines.push(
        `  ${task.taskId.padEnd(width)}  ${task.files.map((f) => `${f.path}${KIND_NOTE[f.kind]}`).join(', ')}`,
      );
  }
  if (result.report) lines.push(...reportLines(result.report, style));
  if (result.findings > 0)
    lines.push(`${result.findings} review finding${result.findings === 1 ? '' : 's'} (listed above)`);
  // Only a run with a journal can be resumed: one stopped before it began (a declined plan) has nothing to go on.
  const resumable =
    result.outcome === 'cancelled' || result.outcome === 'budget-exceeded' || result.outcome === 'needs-approval';
  if (resumable && result.journalDir !== '') lines.push(`continue with: ${NAME} --resume ${result.runId}`);
  if (result.outcome !== 'completed' && tasks.done > 0)
    lines.push(`undo its edits with: ${NAME} --rollback ${result.runId}`);
  if (result.journalDir !== '') lines.push(style.dim(`journal: ${result.journalDir}`));
  if (result.report) lines.push(style.dim(`report: ${join(result.journalDir, 'report.md')}`));
  return `${lines.join('\n')}\n`;
}

/** The validation verdicts: one line of counts, then every requirement that is not met, with why. */
function reportLines(report: ValidationReport, style: TextStyle): string[] {
  const failing = reportFailures(report).length > 0;
  const head = `validation: ${describeValidation(report)}${report.rounds > 0 ? ` (after ${countOf(report.rounds, 'bug-fixer round')})` : ''}`;
  const lines = [failing ? style.warn(head) : head];
  for (const r of report.requirements.filter((x) => x.verdict !== 'met')) {
    const text = `  ${r.verdict.padEnd(10)} ${r.id}: ${r.evidence}`;
    lines.push(r.verdict === 'missing' ? style.warn(text) : text);
  }
  if (report.tests.outcome === 'failed') lines.push(style.warn(`  tests      ${report.tests.summary}`));
  return lines;
}

/** 0 only when every task is done: never for work that did not happen. */
function exitCodeOf(context: Context, result: RunResult): number {
  const { io } = context;
  switch (result.outcome) {
    case 'completed':
      if (result.tasks.failed > 0 || result.tasks.pending > 0) return EXIT.failed;
      return EXIT.done;
    case 'needs-approval':
      io.stderr.write(`${NAME}: ${result.message} Run it in a terminal to review the edit, or choose --approve all.\n`);
      return EXIT.unanswered;
    case 'cancelled':
      if (context.unanswered) {
        io.stderr.write(
          `${NAME}: stopped: "${context.unanswered.title}" needs an answer and there is no terminal to ask; answer it in a terminal or pass --yes.\n`,
        );
        return EXIT.unanswered;
      }
      return EXIT.failed;
    case 'failed':
    case 'budget-exceeded':
      return EXIT.failed;
    default: {
      const never: never = result.outcome;
      throw new Error(`unexpected outcome ${JSON.stringify(never)}`);
    }
  }
}

async function rollBack(context: Context, runId: string | undefined): Promise<number> {
  const { io, root, args } = context;
  const engine = engineFor(context, new NoModelProvider(), undefined);
  const runs = (await engine.listRuns(root)).map((r) => r.runId);
  const chosen = runId ?? runs[0];
  if (chosen === undefined) throw new BadInput(`no recorded run to roll back in ${root}`);
  if (!runs.includes(chosen))
    throw new BadInput(`no run ${chosen} in ${root}${runs.length > 0 ? `; runs: ${runs.join(', ')}` : ''}`);
  const taskKey = args.tasks[0];
  const result = await engine.rollback({
    root,
    runId: chosen,
    ...(taskKey !== undefined ? { taskKey } : {}),
    ...(args.yes ? { force: true } : {}),
    signal: context.signal,
  });
  const scope = taskKey === undefined ? `run ${chosen}` : `${taskKey} of run ${chosen}`;
  io.stdout.write(
    `Rolled back ${scope}: ${result.restored.length} restored, ${result.deleted.length} deleted, ${result.skipped.length} left as they are\n`,
  );
  for (const path of result.restored) io.stdout.write(`  restored ${path}\n`);
  for (const path of result.deleted) io.stdout.write(`  deleted  ${path}\n`);
  for (const s of result.skipped) io.stdout.write(`  ${context.style.warn('skipped')}  ${s.path}: ${s.reason}\n`);
  if (result.skipped.length === 0) return EXIT.done;
  if (context.unanswered)
    io.stderr.write(
      `${NAME}: files edited since the run were left as they are: there was no terminal to ask; pass --yes to overwrite them.\n`,
    );
  return context.unanswered ? EXIT.unanswered : EXIT.failed;
}

/** Why planning failed, and what it cost so far. */
function planningFailure(error: PlanningFailedError): string {
  const cost = error.planningCall ? ` (planning cost ${formatUsd(error.planningCall.usage.costUsd)})` : '';
  return `${error.message}${cost}`;
}

/** The planner's message, with the features to choose from when it did not name them already. */
function describePlanError(error: PlanError): string {
  const missing = error.candidates.filter((c) => !error.message.includes(c));
  return error.kind === 'not-found' && missing.length > 0
    ? `${error.message}; features: ${error.candidates.join(', ')}`
    : error.message;
}

function fail(io: CliIo, code: number, message: string): number {
  io.stderr.write(`${NAME}: ${message}\n`);
  return code;
}
