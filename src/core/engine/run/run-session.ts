/**
 * One run: the gates before it (checklists, before_implement hooks), the journal, the scheduler over the task
 * graph, the approval gate, the validation phase and the after_implement hooks. The session owns task state
 * and is the only writer of tasks.md (ticks) and of the run's journal records about tasks; the gate owns the
 * disk. Everything that happens is an `EngineEvent`.
 */
import { relative } from 'node:path';
import type {
  EngineEvent,
  ProposalKind,
  ProposalView,
  RunOutcome,
  TaskStatus,
  UsageTotals,
  WorkerRole,
} from '../../../protocol/engine-events';
import type { JournalRecord } from '../../../protocol/journal';
import { featureContextBlock, taskMessage, type TaskBrief } from '../../agents/context/worker-context';
import { MeteredProvider } from '../../llm/metered-provider';
import { UsageLedger } from '../../llm/usage-ledger';
import type { Feature } from '../../speckit/feature-documents';
import type { TasksDocument } from '../../speckit/tasks-model';
import { taskRefOf, writeTaskDone } from '../../speckit/tasks-writer';
import { describeDefinitionChanges, type DefinitionChange } from '../commands/command-definitions';
import { CommandService } from '../commands/command-service';
import { ApprovalGate, type GateEvent } from '../gate/approval-gate';
import { proposalContent, proposalView } from '../gate/proposal';
import type { Proposal } from '../../ports/edit-gate';
import { liveEdits, type RunState } from '../journal/fold';
import { addUsageTotals, zeroUsageTotals } from '../../../protocol/engine-events';
import { lockFeature } from '../journal/feature-lock';
import { sha256 } from '../journal/hash';
import { stateDirFor } from '../journal/state-dir';
import type { RunFolder } from '../journal/run-store';
import type { Workspace } from '../../ports/workspace';
import { runHooks } from '../hooks/implement-hooks';
import { PlanError, type FeatureTexts } from '../orchestrators/spec-kit-planner';
import { PlanningFailedError } from '../orchestrators/fallback-planner';
import type { PlanGraph } from '../orchestrators/plan-graph';
import { runSchedule, type TaskExecution } from '../scheduler/scheduler';
import { taskArguments } from '../scheduler/command-choice';
import { EvidenceRecorder } from './evidence-recorder';
import { runValidation } from '../validation/validation-phase';
import { writeReportFiles } from '../validation/report-files';
import { reportFailures, type ValidationReport } from '../../../protocol/validation-report';
import type { CoverageItem, EnginePorts, Run, RunPlan, RunResult } from '../facade-types';
import type { Disposable } from '../../util/emitter';
import type { ProposalContent, ProposalDecision } from '../../ports/consent';
import { RunEvents } from '../events/run-events';
import { executeTask, type AppliedChange, type RoleProfile, type TaskExecutionDeps } from '../workers/task-execution';
import { reviewCompletion, type CompletionAcceptance, type CompletionClaim } from '../workers/completion-review';
import { buildWorkerToolbox, roleProfile } from '../workers/worker-tools';
import { loadDefinitions } from '../../agents/definitions/load-definitions';
import type { ToolName } from '../../agents/tools/builtin-tools';
import type { TaskCompletion, ToolDefinition } from '../../agents/tools/tool';

/** Everything a session needs once the feature is known and parsed (fresh start, or resume). */
export interface PreparedRun {
  plan: RunPlan;
  feature: Feature;
  doc: TasksDocument;
  graph: PlanGraph;
  texts: FeatureTexts;
}

export interface ResumeState {
  state: RunState;
  /** Task keys of the current tasks.md whose work the journal says is done. */
  doneKeys: ReadonlySet<string>;
  /** Current keys mapped from journal keys (renumbered tasks). */
  journalKeyOf: ReadonlyMap<string, string>;
  /** Reported mismatches; these tasks are not run again silently. */
  skippedKeys: ReadonlyMap<string, string>;
}

export interface SessionSetup {
  ports: Required<Pick<EnginePorts, 'logger' | 'clock'>> & EnginePorts;
  runId: string;
  plan: RunPlan;
  /** Turns the plan into a prepared run (a fallback plan is approved and saved here). */
  prepare(signal: AbortSignal, events: RunEvents): Promise<PreparedRun | StoppedBeforeStart>;
  openJournal(): Promise<RunFolder>;
  resume?: ResumeState;
}

/** The run ended before its journal existed (the fallback plan was declined); `usage`: what planning cost. */
export interface StoppedBeforeStart {
  stop: RunOutcome;
  message: string;
  usage?: UsageTotals;
}

type Stop = { outcome: RunOutcome; message: string };

function emptyResult(runId: string, outcome: RunOutcome, message: string, usage = zeroUsageTotals()): RunResult {
  return {
    runId,
    outcome,
    message,
    tasks: { total: 0, done: 0, failed: 0, skipped: 0, pending: 0 },
    usage,
    coverage: [],
    findings: 0,
    journalDir: '',
  };
}

export class RunSession implements Run {
  readonly id: string;
  plan: RunPlan;
  readonly done: Promise<RunResult>;
  private readonly bus: RunEvents;
  private readonly controller = new AbortController();
  private gate: ApprovalGate | undefined;
  private stop: Stop | undefined;
  private readonly applied = new Map<string, AppliedChange[]>();
  /** Per file the run changed (any session of it): its content before the run's first edit; null: it did not exist. */
  private readonly beforeRun = new Map<string, () => Promise<string | null | undefined>>();
  private workerCounter = 0;
  private findings = 0;
  private sessionEdits = 0;
  private ticks: Promise<void> = Promise.resolve();

  constructor(private readonly setup: SessionSetup) {
    this.id = setup.runId;
    this.plan = setup.plan;
    this.bus = new RunEvents(() => setup.ports.clock.now(), setup.ports.logger);
    this.done = this.main().catch((error: unknown) => {
      const expected = error instanceof PlanError || error instanceof PlanningFailedError;
      const message = expected
        ? error.message
        : `the run stopped on an unexpected error: ${error instanceof Error ? error.message : String(error)}`;
      if (!expected) setup.ports.logger.error(error instanceof Error ? error : new Error(message));
      // A plan that failed to come together was still paid for.
      const planning = error instanceof PlanningFailedError ? error.planningCall?.usage : undefined;
      if (planning) this.bus.emit({ type: 'usage', totals: planning, byRole: { 'task-orchestrator': planning } });
      this.bus.emit({ type: 'run-finished', outcome: 'failed', message });
      // What was done before the failure (a full disk, a journal that could not be written) still counts,
      // the planning usage above included.
      return { ...emptyResult(this.id, 'failed', message), ...this.progressSoFar() };
    });
  }

  /** Task counts and usage from the events so far: the result of a run that stopped on an unexpected error. */
  private progressSoFar(): Pick<RunResult, 'tasks' | 'usage'> {
    const last = new Map<string, string>();
    let usage = zeroUsageTotals();
    for (const event of this.bus.all()) {
      if (event.type === 'task-status') last.set(event.taskKey, event.status);
      else if (event.type === 'usage') usage = event.totals;
    }
    const tasks = { total: this.plan.tasks.length, done: 0, failed: 0, skipped: 0, pending: 0 };
    for (const task of this.plan.tasks) {
      const status = last.get(task.key) ?? (task.alreadyDone ? 'done' : 'pending');
      if (status === 'done') tasks.done++;
      else if (status === 'failed') tasks.failed++;
      else if (status === 'skipped') tasks.skipped++;
      else tasks.pending++;
    }
    return { tasks, usage };
  }

  onEvent(listener: Parameters<Run['onEvent']>[0]): Disposable {
    return this.bus.on(listener);
  }

  events(): readonly EngineEvent[] {
    return this.bus.all();
  }

  pendingProposals(): ProposalView[] {
    return (this.gate?.pending() ?? []).map(proposalView);
  }

  proposalContent(proposalId: string): ProposalContent | undefined {
    const proposal = this.gate?.pending().find((p) => p.id === proposalId);
    return proposal ? proposalContent(proposal) : undefined;
  }

  decide(proposalId: string, decision: ProposalDecision): boolean {
    return this.gate?.decide(proposalId, decision) ?? false;
  }

  cancel(reason = 'cancelled by the user'): void {
    if (this.controller.signal.aborted) return;
    this.stop ??= { outcome: 'cancelled', message: reason };
    this.controller.abort(new Error(reason));
  }

  private halt(outcome: RunOutcome, message: string): void {
    if (this.stop) return;
    this.stop = { outcome, message };
    this.bus.log('warn', message);
    this.controller.abort(new Error(message));
  }

  private async main(): Promise<RunResult> {
    const signal = this.controller.signal;
    const prepared = await this.setup.prepare(signal, this.bus);
    if ('stop' in prepared) {
      // Planning was paid for even when its plan is declined: the faces show what it cost.
      if (prepared.usage)
        this.bus.emit({ type: 'usage', totals: prepared.usage, byRole: { 'task-orchestrator': prepared.usage } });
      this.bus.emit({ type: 'run-finished', outcome: prepared.stop, message: prepared.message });
      return emptyResult(this.id, prepared.stop, prepared.message, prepared.usage);
    }
    this.plan = prepared.plan;
    // One live run per feature, from before anything runs (hooks, the journal) to the end.
    const held = await lockFeature({
      stateDir: stateDirFor(prepared.plan.root),
      featureId: prepared.plan.feature.id,
      runId: this.id,
      onLost: (error) =>
        this.halt(
          'failed',
          `the run lost its lock on ${prepared.plan.feature.id} (${error.message}) and stopped, so that two runs never work on one feature; --resume continues it`,
        ),
    });
    if (held.kind === 'busy') return this.finishEarly('failed', held.message);
    try {
      return await this.runLocked(prepared, signal);
    } finally {
      await held.release();
    }
  }

  /** The run proper, holding its feature's lock. */
  private async runLocked(prepared: PreparedRun, signal: AbortSignal): Promise<RunResult> {
    const { ports } = this.setup;
    const { plan, feature, doc, graph, texts } = prepared;
    const settings = plan.settings;
    const workspace = ports.workspace(plan.root);
    const resume = this.setup.resume;

    // Gates before anything runs: unchecked checklists and mandatory hooks need the user's yes.
    const unchecked = plan.checklists.filter((c) => c.unchecked > 0);
    if (unchecked.length > 0 && !resume) {
      const ok = await ports.confirm(
        {
          kind: 'checklists',
          title: `${unchecked.length} checklist${unchecked.length === 1 ? ' has' : 's have'} unchecked items. Implement anyway?`,
          detail: plan.checklists
            .map((c) => `${c.file}: ${c.checked}/${c.total} checked${c.unchecked > 0 ? ` (${c.unchecked} open)` : ''}`)
            .join('\n'),
          required: true,
        },
        signal,
      );
      if (!ok)
        return this.finishEarly(
          'cancelled',
          'Stopped before anything ran: checklists are incomplete and the run was not confirmed.',
        );
    }
    if (!resume) {
      const before = await runHooks('before_implement', plan.hooks, {
        confirm: ports.confirm,
        events: this.bus,
        signal,
        commands: settings.commands,
        runner: ports.commandRunner,
        cwd: plan.root,
      });
      if (before.kind === 'stop') return this.finishEarly('cancelled', before.message);
    }

    const handle = await this.setup.openJournal();
    const tasksRel = relative(plan.root, feature.tasksPath ?? '')
      .split('\\')
      .join('/');
    const at = () => ports.clock.now().toISOString();
    // Every record goes through the evidence recorder, so a tick's evidence is what the journal says.
    const evidence = new EvidenceRecorder(handle, resume, at);
    const journal = evidence.journal;
    const append = async (record: JournalRecord) => journal.append(record);
    await append({
      type: 'run-planned',
      at: at(),
      formatVersion: 1,
      runId: this.id,
      featureId: feature.id,
      tasksPath: tasksRel,
      tasksHash: sha256(doc.text),
      tasks: doc.tasks.map((t) => ({ key: t.key, id: t.id, text: t.description })),
      policy: settings.approvalPolicy,
      ...(resume ? { resumed: true } : {}),
      ...keysIfAny(
        'alreadyDone',
        plan.tasks
          .filter((t) => t.alreadyDone && t.status === 'done' && !resume?.doneKeys.has(t.key))
          .map((t) => t.key),
      ),
      ...keysIfAny(
        'excluded',
        plan.tasks.filter((t) => t.alreadyDone && t.status === 'skipped').map((t) => t.key),
      ),
      ...(plan.focus !== undefined ? { focus: plan.focus } : {}),
      ...keysIfAny(
        'rerun',
        plan.tasks.filter((t) => t.rerun).map((t) => t.key),
      ),
    });

    const initialStatus = (key: string): 'pending' | 'done' | 'skipped' => {
      const task = plan.tasks.find((t) => t.key === key);
      if (resume?.doneKeys.has(key)) return 'done';
      if (resume?.skippedKeys.has(key)) return 'skipped';
      if (task?.alreadyDone) return task.status === 'skipped' ? 'skipped' : 'done';
      return 'pending';
    };
    const taskViews = plan.tasks.map((t) => ({ ...t, status: initialStatus(t.key) }));
    this.bus.emit({
      type: 'run-started',
      runId: this.id,
      featureId: feature.id,
      tasksPath: tasksRel,
      phases: plan.phases,
      tasks: taskViews.map(
        ({ key, id, description, phaseIndex, line, files, dependsOn, parallel, status, commands }) => ({
          key,
          id,
          description,
          phaseIndex,
          line,
          files,
          dependsOn,
          parallel,
          status,
          commands,
        }),
      ),
      resumed: resume !== undefined,
      ...(settings.budgetUsd !== undefined ? { budgetUsd: settings.budgetUsd } : {}),
    });
    for (const t of plan.tasks) {
      const why = resume?.skippedKeys.get(t.key);
      if (why) this.bus.emit({ type: 'task-status', taskKey: t.key, status: 'skipped', message: why });
    }
    for (const t of plan.tasks.filter((x) => initialStatus(x.key) === 'pending')) {
      this.bus.log('info', `${t.id} → ${t.role}: ${t.roleReason}`);
    }
    if (resume) {
      for (const edit of liveEdits(resume.state)) {
        // An edit interrupted between its write-ahead record and its confirmation: the disk says which it is.
        if (edit.inDoubt) {
          const now = await workspace.read(edit.path, signal);
          const landed =
            edit.writtenHash === null
              ? now.kind === 'not-found'
              : now.kind === 'text' && sha256(now.text) === edit.writtenHash;
          if (!landed) {
            this.bus.log(
              'info',
              `resume: the interrupted edit of ${edit.path} never reached the disk; its task will propose it again`,
            );
            continue;
          }
          await append({ type: 'edit-applied', at: at(), proposalId: edit.proposalId });
          this.bus.log(
            'info',
            `resume: the interrupted edit of ${edit.path} had reached the disk; recorded as applied`,
          );
        }
        if (!this.beforeRun.has(edit.path)) {
          const preImage = edit.preImage;
          this.beforeRun.set(edit.path, async () =>
            preImage.kind === 'none' ? null : preImage.kind === 'stored' ? journal.readBlob(preImage.hash) : undefined,
          );
        }
        const key = resume.journalKeyOf.get(edit.taskKey) ?? edit.taskKey;
        this.applied.set(key, [...(this.applied.get(key) ?? []), { path: edit.path, kind: edit.kind }]);
      }
    }

    // Usage: one ledger per run with its budget; every call is booked per role and task, journaled, shown.
    const ledger = new UsageLedger(settings.prices ?? {}, {
      ...(settings.budgetUsd !== undefined ? { runUsd: settings.budgetUsd } : {}),
      ...(settings.budgetPerRoleUsd !== undefined ? { perRoleUsd: settings.budgetPerRoleUsd } : {}),
    });
    if (resume) {
      ledger.carryOver({
        runUsd: resume.state.usage.costUsd,
        byRoleUsd: Object.fromEntries([...resume.state.usageByRole].map(([role, spent]) => [role, spent.costUsd])),
      });
    }
    let totals: UsageTotals = resume ? resume.state.usage : zeroUsageTotals();
    const byRole: Partial<Record<WorkerRole, UsageTotals>> = resume ? Object.fromEntries(resume.state.usageByRole) : {};
    const byTask: Record<string, UsageTotals> = resume ? Object.fromEntries(resume.state.usageByTask) : {};
    ledger.onDidRecord((record) => {
      const delta: UsageTotals = { ...record.usage, costUsd: record.costUsd };
      totals = addUsageTotals(totals, delta);
      byRole[record.meta.role] = addUsageTotals(byRole[record.meta.role] ?? zeroUsageTotals(), delta);
      const taskKey = record.meta.taskKey;
      if (taskKey !== undefined) byTask[taskKey] = addUsageTotals(byTask[taskKey] ?? zeroUsageTotals(), delta);
      this.bus.emit({ type: 'usage', totals, byRole: { ...byRole }, byTask: { ...byTask } });
      void append({
        type: 'usage',
        at: at(),
        role: record.meta.role,
        ...(taskKey !== undefined ? { taskKey } : {}),
        model: record.model,
        usage: delta,
      }).catch((error: unknown) => this.bus.log('error', `journal: ${String(error)}`));
    });
    const provider = new MeteredProvider(ports.provider, ledger);
    // The fallback plan's model call was made before this journal existed: book it first, against the budget too.
    const planning = plan.planningCall;
    if (planning && !resume) {
      ledger.record({ role: 'task-orchestrator' }, planning.model, planning.usage);
    }

    const interactive = settings.interactiveApproval || ports.approver !== undefined;
    const approver = ports.approver;
    this.gate = new ApprovalGate({
      workspace,
      journal,
      policy: settings.approvalPolicy,
      ...(approver ? { approver: { decide: (p: Proposal, s: AbortSignal) => approver(proposalContent(p), s) } } : {}),
      unattended: !interactive,
      schedulerOwned: [tasksRel],
      maxProposalBytes: settings.proposalBytes,
      now: () => ports.clock.now(),
      onListenerError: (error) =>
        this.bus.log('error', `approval: ${error instanceof Error ? error.message : String(error)}`),
    });
    this.gate.onDidChange((event) => this.onGateEvent(event));
    const commands = new CommandService({
      commands: settings.commands,
      allowList: settings.allowedCommands,
      runner: ports.commandRunner,
      cwd: plan.root,
      journal,
      approver: {
        approveCommand: async (request, s) => {
          const line = request.argv.join(' ');
          const changed = request.changedDefinitions ?? [];
          if (changed.length > 0) {
            const files = changed.map((c) => c.path).join(', ');
            if (settings.allowChangedCommands) {
              this.bus.log('warn', `running ${line} although this run changed ${files} (changed commands allowed)`);
              return { kind: 'allow' };
            }
            if (!interactive)
              return {
                kind: 'deny',
                feedback: `this run changed ${files}, which defines what "${request.name}" runs, and nobody can confirm the change in this run.`,
              };
            const ok = await ports.confirm(
              {
                kind: 'changed-command',
                title: `This run changed ${files}, which defines what ${line} runs. Run it anyway for ${request.taskKey}?`,
                detail: describeDefinitionChanges(changed),
                required: false,
              },
              s,
            );
            return ok
              ? { kind: 'allow' }
              : { kind: 'deny', feedback: `The user declined to run it after this run changed ${files}.` };
          }
          if (!interactive)
            return { kind: 'deny', feedback: `"${request.name}" needs approval and nobody can give it in this run.` };
          const ok = await ports.confirm(
            {
              kind: 'command',
              title: `Run the ${request.name} command (${line}) for ${request.taskKey}?`,
              detail: line,
              required: false,
            },
            s,
          );
          return ok ? { kind: 'allow' } : { kind: 'deny', feedback: 'The user declined to run it.' };
        },
      },
      changedByRun: (paths, s) => this.changedByRun(workspace, paths, s),
      now: () => ports.clock.now(),
    });

    const featureContext = featureContextBlock({
      featureId: feature.id,
      ...texts,
      ...(plan.focus !== undefined ? { focus: plan.focus } : {}),
    });
    const byKey = new Map(doc.tasks.map((t) => [t.key, t]));
    const planned = new Map(plan.tasks.map((t) => [t.key, t]));
    const definitions = await loadDefinitions(plan.root, signal);
    for (const d of definitions.diagnostics)
      this.bus.log('warn', `${d.path}: ${d.message} (the built-in definition is used)`);
    const profiles = new Map<string, RoleProfile>();
    const profileOf = (role: WorkerRole, agent: string = role): RoleProfile => {
      let p = profiles.get(agent);
      if (!p) {
        const definition = definitions.agents.get(agent) ?? definitions.agents.get(role);
        if (!definition) throw new Error(`no agent definition for ${agent}`);
        p = roleProfile(definition, plan.strategy.modelByRole[role], settings);
        profiles.set(agent, p);
      }
      return p;
    };
    const readForContext = async (rel: string) => {
      const read = await workspace.read(rel, signal);
      switch (read.kind) {
        case 'text':
          return { kind: 'text' as const, text: read.text };
        case 'not-found':
          return { kind: 'missing' as const };
        case 'refused':
          return { kind: 'unavailable' as const, reason: read.reason };
        default:
          return { kind: 'unavailable' as const, reason: read.kind };
      }
    };
    const taskDeps: TaskExecutionDeps = {
      provider,
      events: this.bus,
      profile: profileOf,
      toolbox: (args: {
        taskKey: string;
        workerId: string;
        role: WorkerRole;
        tools: readonly ToolName[];
        signal: AbortSignal;
        extraTools?: readonly ToolDefinition[];
      }) =>
        buildWorkerToolbox({
          ...args,
          workspace,
          gate: this.requireGate(),
          commands,
          onToolFailure: (tool: string, error: unknown) =>
            this.bus.log(
              'warn',
              `${args.workerId}: ${tool} failed: ${error instanceof Error ? error.message : String(error)}`,
            ),
          onNeedsApproval: (path: string) =>
            this.halt(
              'needs-approval',
              `An edit of ${path} needs approval and nobody can give it (approval policy ${settings.approvalPolicy}). Nothing was written.`,
            ),
        }),
      featureContext,
      commands: definitions.commands,
      taskMessage: async (key: string) => {
        const task = byKey.get(key);
        const plannedTask = planned.get(key);
        if (!task || !plannedTask) throw new Error(`unknown task ${key}`);
        const phase = task.phaseIndex !== undefined ? doc.phases[task.phaseIndex] : undefined;
        const brief: TaskBrief = {
          key,
          id: task.id,
          description: task.description,
          details: task.details,
          files: task.files,
          ...(task.story !== undefined ? { story: task.story } : {}),
          phaseTitle: phase?.title ?? 'Tasks',
          ...(phase?.purpose !== undefined ? { phasePurpose: phase.purpose } : {}),
          roleReason: plannedTask.roleReason,
        };
        return taskMessage(brief, texts.spec, readForContext);
      },
      appliedChanges: async (key: string) => this.applied.get(key) ?? [],
      // Ticks are serialised: two workers finishing together must not read-modify-write tasks.md at once.
      tick: async (key: string, _signal: AbortSignal, acceptance?: CompletionAcceptance) => {
        const task = byKey.get(key);
        const tasksPath = feature.tasksPath;
        if (!task || !tasksPath) return;
        const write = async () => {
          // Evidence first (write-ahead): a tick the run writes is never without its proof.
          await evidence.recordTick({ key, id: task.id, lineText: task.lineText }, tasksRel, acceptance);
          // Not the run's signal: a tick of finished work must land even while the run is being cancelled.
          const result = await writeTaskDone(tasksPath, taskRefOf(task), true, new AbortController().signal);
          if (!result.ok)
            this.bus.log(
              'warn',
              `${task.id} is done but was not ticked in tasks.md (${result.code}): ${result.reason}`,
            );
        };
        this.ticks = this.ticks.then(write, write);
        await this.ticks;
      },
      recordSummary: async (key: string, workerId: string, role: WorkerRole, completion: TaskCompletion) =>
        append({
          type: 'worker-summary',
          at: at(),
          taskKey: key,
          workerId,
          role,
          summary: completion.summary,
          filesTouched: completion.filesTouched,
        }),
      workDone: async (key: string) => evidence.workDone(key),
      reviewCompletion: async (claim: CompletionClaim, s: AbortSignal) => reviewCompletion(taskDeps, claim, s),
      completionReviews: settings.completionReviews,
      bugFixAttempts: settings.bugFixAttempts,
      onBudgetExceeded: (reason: string) => this.halt('budget-exceeded', reason),
      onRunStoppingFailure: (reason: string) => this.halt('failed', reason),
      nextWorkerId: (key: string, role: WorkerRole) => `${key}-${role}-${++this.workerCounter}`,
    };

    const schedule = await runSchedule({
      graph,
      taskKeys: plan.tasks.map((t) => t.key),
      initialStatus,
      maxWorkers: settings.maxWorkers,
      // One spelling per file: `../../src/x.ts` from the tasks file's folder and `src/x.ts` lock as one.
      filesOf: (key) => graph.lockedFiles(key),
      priority: (key) => graph.remaining(key),
      execute: async (key, s): Promise<TaskExecution> => {
        const task = planned.get(key);
        if (!task) return 'skipped';
        return executeTask(
          {
            key,
            id: task.id,
            role: task.role,
            files: task.files.filter((f) => !f.endsWith('/')),
            commands: task.commands,
            commandArguments: taskArguments(task),
          },
          taskDeps,
          s,
        );
      },
      onStatus: (key, status, message) => {
        const s: TaskStatus = status;
        const plannedTask = planned.get(key);
        this.bus.emit({
          type: 'task-status',
          taskKey: key,
          status: s,
          ...(plannedTask && s === 'running' ? { role: plannedTask.role } : {}),
          ...(message !== undefined ? { message } : {}),
        });
        void append({
          type: 'task-state',
          at: at(),
          taskKey: key,
          status: s,
          ...(message !== undefined ? { message } : {}),
        }).catch((error: unknown) => this.bus.log('error', `journal: ${String(error)}`));
      },
      signal,
    });

    const counts = { total: plan.tasks.length, done: 0, failed: 0, skipped: 0, pending: 0 };
    for (const status of schedule.status.values()) {
      if (status === 'done') counts.done++;
      else if (status === 'failed') counts.failed++;
      else if (status === 'skipped') counts.skipped++;
      else counts.pending++;
    }

    let coverage: CoverageItem[] = [];
    let report: ValidationReport | undefined;
    if (!signal.aborted && settings.validate && counts.done > 0) {
      const findings = this.bus.on((event) => {
        if (event.type === 'finding') evidence.noteFinding(event);
      });
      const validation = await runValidation({
        plan,
        doc,
        texts,
        status: (key) => schedule.status.get(key) ?? 'pending',
        changedFiles: (key) => (this.applied.get(key) ?? []).map((c) => c.path),
        workers: taskDeps,
        commands,
        previousCommands: resume?.state.commands ?? [],
        editsSince: (iso) =>
          this.sessionEdits > 0 || (resume ? liveEdits(resume.state).some((e) => e.at > iso) : false),
        convergeRounds: settings.convergeRounds,
        onFinding: () => this.findings++,
        onReport: async (round) => {
          // Journaled first: the report files are a view of the record, written after it.
          await append({ type: 'validation-report', at: at(), report: round });
          this.bus.emit({ type: 'validation-report', report: round });
          await writeReportFiles(handle.dir, this.id, round);
        },
        signal,
      });
      findings.dispose();
      await evidence.recordReview();
      coverage = validation.coverage;
      report = validation.report;
    }
    const validationFailures = report ? reportFailures(report) : [];

    if (!signal.aborted) {
      const after = await runHooks('after_implement', plan.hooks, {
        confirm: ports.confirm,
        events: this.bus,
        signal,
        commands: settings.commands,
        runner: ports.commandRunner,
        cwd: plan.root,
      });
      if (after.kind === 'stop') this.bus.log('warn', after.message);
    }

    // Work the run did not do because tasks.md no longer matched its journal: never reported as completed.
    const skippedTasks = [...(resume?.skippedKeys ?? [])].map(([taskKey, reason]) => ({
      taskKey,
      taskId: planned.get(taskKey)?.id ?? taskKey,
      reason,
    }));
    let outcome: RunOutcome;
    let message: string;
    if (this.stop) {
      ({ outcome, message } = this.stop);
    } else if (counts.failed > 0 || counts.pending > 0 || validationFailures.length > 0 || skippedTasks.length > 0) {
      outcome = 'failed';
      message = `${counts.done}/${counts.total} tasks done, ${counts.failed} failed, ${counts.skipped} skipped${validationFailures.length > 0 ? `; ${validationFailures.join('; ')}` : ''}`;
      if (skippedTasks.length > 0)
        message += `; not done because tasks.md changed since the run: ${skippedTasks.map((s) => s.taskId).join(', ')}`;
    } else {
      outcome = 'completed';
      message = `${counts.done}/${counts.total} tasks done${counts.skipped > 0 ? ` (${counts.skipped} skipped)` : ''}`;
    }
    if (outcome === 'cancelled') await append({ type: 'run-cancelled', at: at(), reason: message });
    else await append({ type: 'run-finished', at: at(), outcome, message });
    await handle.close();
    this.bus.emit({ type: 'run-finished', outcome, message });
    return {
      runId: this.id,
      outcome,
      message,
      tasks: counts,
      usage: totals,
      usageByTask: { ...byTask },
      ...(skippedTasks.length > 0 ? { skippedTasks } : {}),
      ...this.changedFilesByTask(plan),
      coverage,
      ...(report ? { report } : {}),
      findings: this.findings,
      journalDir: handle.dir,
    };
  }

  /** What each task changed, for the summary: a file created then edited was created; one deleted at the end, deleted. */
  private changedFilesByTask(plan: RunPlan): Pick<RunResult, 'changedFiles'> {
    const changedFiles = plan.tasks.flatMap((task) => {
      const byPath = new Map<string, ProposalKind>();
      for (const change of this.applied.get(task.key) ?? []) {
        const earlier = byPath.get(change.path);
        byPath.set(change.path, earlier === 'create' && change.kind === 'modify' ? 'create' : change.kind);
      }
      const files = [...byPath].map(([path, kind]) => ({ path, kind }));
      return files.length > 0 ? [{ taskKey: task.key, taskId: task.id, files }] : [];
    });
    return changedFiles.length > 0 ? { changedFiles } : {};
  }

  private requireGate(): ApprovalGate {
    if (!this.gate) throw new Error('the approval gate is not set up yet');
    return this.gate;
  }

  private finishEarly(outcome: RunOutcome, message: string): RunResult {
    this.bus.emit({ type: 'run-finished', outcome, message });
    return emptyResult(this.id, outcome, message);
  }

  /** Of `paths`, the files this run changed and that are not as they were before it, with both contents. */
  private async changedByRun(
    workspace: Workspace,
    paths: readonly string[],
    signal: AbortSignal,
  ): Promise<DefinitionChange[]> {
    const changes: DefinitionChange[] = [];
    for (const path of paths) {
      const original = this.beforeRun.get(path);
      if (!original) continue;
      const now = await workspace.read(path, signal);
      const after = now.kind === 'text' ? now.text : now.kind === 'not-found' ? null : NOT_TEXT_NOW;
      const before = (await original()) ?? ORIGINAL_NOT_KEPT;
      if (before === after) continue;
      changes.push({ path, before, after });
    }
    return changes;
  }

  private onGateEvent(event: GateEvent): void {
    switch (event.type) {
      case 'pending':
        this.bus.emit({ type: 'proposal-pending', proposal: proposalView(event.proposal) });
        this.bus.emit({
          type: 'task-status',
          taskKey: event.proposal.taskKey,
          status: 'awaiting-approval',
          workerId: event.proposal.workerId,
        });
        return;
      case 'decided':
        this.bus.emit({
          type: 'proposal-decided',
          proposalId: event.proposal.id,
          outcome: event.outcome,
          ...(event.proposal.state.name === 'rejected' ? { feedback: event.proposal.state.feedback } : {}),
        });
        if (event.outcome !== 'stale')
          this.bus.emit({
            type: 'task-status',
            taskKey: event.proposal.taskKey,
            status: 'running',
            workerId: event.proposal.workerId,
          });
        return;
      case 'applied': {
        const { proposal } = event;
        this.sessionEdits++;
        if (!this.beforeRun.has(proposal.path)) {
          const base = proposal.baseText;
          this.beforeRun.set(proposal.path, async () => base);
        }
        this.applied.set(proposal.taskKey, [
          ...(this.applied.get(proposal.taskKey) ?? []),
          { path: proposal.path, kind: proposal.kind },
        ]);
        this.bus.emit({
          type: 'proposal-applied',
          proposalId: proposal.id,
          taskKey: proposal.taskKey,
          path: proposal.path,
          kind: proposal.kind,
        });
        return;
      }
      default: {
        const never: never = event;
        throw new Error(`unknown gate event ${JSON.stringify(never)}`);
      }
    }
  }
}

/** What a file the run never kept the original of is shown as, in a confirmation's diff. */
const ORIGINAL_NOT_KEPT = '(its content before the run was not kept)\n';
/** What a file that cannot be read as text now is shown as. */
const NOT_TEXT_NOW = '(not readable as text now)\n';

function keysIfAny<K extends string>(name: K, keys: string[]): Partial<Record<K, string[]>> {
  return keys.length > 0 ? ({ [name]: keys } as Partial<Record<K, string[]>>) : {};
}
