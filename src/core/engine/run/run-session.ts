/**
 * One run, as a face holds it (`Run`), and the order of its stages: prepare the plan, the gates before it
 * (run-start.ts), the journal and what the faces are told first, the ledger (run-usage.ts), the approval gate
 * and the command service (run-wiring.ts), the workers (run-workers.ts), the schedule and the validation phase
 * (run-tasks.ts), then the after_implement hooks and the outcome (run-finish.ts). The stages share one
 * `RunContext`. The scheduler is the only place a task moves; the journal keeps order, and a record is on disk
 * before anything outside the journal depends on it (write-ahead); the gate owns the disk. Everything that
 * happens is an `EngineEvent`.
 */
import type { EngineEvent, ProposalView, RunOutcome, RunStopCause, UsageTotals } from '../../../protocol/engine-events';
import type { ProposalContent, ProposalDecision } from '../../ports/consent';
import type { Disposable } from '../../util/emitter';
import { assertNever } from '../../util/assert-never';
import { RunEvents } from '../events/run-events';
import type { Run, RunPlan, RunResult } from '../facade-types';
import type { ApprovalGate, GateEvent } from '../gate/approval-gate';
import { proposalContent, proposalView } from '../gate/proposal';
import { zeroUsageTotals } from '../../../protocol/engine-events';
import { lockFeature } from '../journal/feature-lock';
import type { RunFolder } from '../journal/run-store';
import { stateDirFor } from '../journal/state-dir';
import { PlanningFailedError } from '../orchestrators/fallback-planner';
import { PlanError } from '../orchestrators/spec-kit-planner';
import type { Scheduler } from '../scheduler/scheduler';
import type { PreparedRun, ResumeState, RunContext, RunStop, SessionPorts } from './run-context';
import { emptyResult, finishRun, runAfterHooks } from './run-finish';
import { confirmStart, openRun } from './run-start';
import { createScheduler, validateRun } from './run-tasks';
import { meterUsage } from './run-usage';
import { createCommandService, createGate } from './run-wiring';
import { workerDeps } from './run-workers';

export type { PreparedRun, ResumeState } from './run-context';

export interface SessionSetup {
  ports: SessionPorts;
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

export class RunSession implements Run {
  readonly id: string;
  plan: RunPlan;
  readonly done: Promise<RunResult>;
  private readonly bus: RunEvents;
  private readonly controller = new AbortController();
  private gate: ApprovalGate | undefined;
  private scheduler: Scheduler | undefined;
  private context: RunContext | undefined;
  private stop: RunStop | undefined;
  private workerCounter = 0;
  private findings = 0;
  private sessionEdits = 0;

  constructor(private readonly setup: SessionSetup) {
    this.id = setup.runId;
    this.plan = setup.plan;
    this.bus = new RunEvents(() => setup.ports.clock.now(), setup.ports.logger);
    this.done = this.main().catch((error: unknown) => this.crashed(error));
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

  private halt(outcome: RunOutcome, message: string, cause?: RunStopCause): void {
    if (this.stop) return;
    this.stop = { outcome, message, ...(cause ? { cause } : {}) };
    this.bus.log('warn', message);
    this.controller.abort(new Error(message));
  }

  private async main(): Promise<RunResult> {
    const signal = this.controller.signal;
    const prepared = await this.setup.prepare(signal, this.bus);
    if ('stop' in prepared) return this.stoppedBeforeStart(prepared);
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

  /** The run proper, holding its feature's lock: its stages in order over one context. */
  private async runLocked(prepared: PreparedRun, signal: AbortSignal): Promise<RunResult> {
    const { ports, resume } = this.setup;
    const gate = await confirmStart(prepared, ports, this.bus, resume, signal);
    if (gate.kind === 'stop') return this.finishEarly('cancelled', gate.message);

    const folder = await this.setup.openJournal();
    const halt = (outcome: RunOutcome, message: string, cause?: RunStopCause): void =>
      this.halt(outcome, message, cause);
    const { ctx, initialStatus } = await openRun({
      runId: this.id,
      prepared,
      ports,
      events: this.bus,
      resume,
      folder,
      signal,
      halt,
    });
    this.context = ctx;
    const usage = await meterUsage(ctx);
    this.gate = createGate(ctx);
    this.gate.onDidChange((event) => this.onGateEvent(event));
    const commands = createCommandService(ctx);
    const workers = await workerDeps(ctx, {
      provider: usage.provider,
      gate: this.gate,
      commands,
      nextWorkerId: (key, role) => `${key}-${role}-${++this.workerCounter}`,
    });
    this.scheduler = createScheduler(ctx, workers, initialStatus);
    const schedule = await this.scheduler.run();
    const validation = await validateRun(ctx, {
      schedule,
      workers,
      commands,
      editedThisSession: () => this.sessionEdits > 0,
      onFinding: () => this.findings++,
    });
    await runAfterHooks(ctx);
    return finishRun(ctx, { schedule, ...validation, findings: this.findings, stop: this.stop, usage });
  }

  /** Planning was paid for even when its plan is declined: the faces show what it cost. */
  private stoppedBeforeStart(stopped: StoppedBeforeStart): RunResult {
    if (stopped.usage)
      this.bus.emit({ type: 'usage', totals: stopped.usage, byRole: { 'task-orchestrator': stopped.usage } });
    this.bus.emit({ type: 'run-finished', outcome: stopped.stop, message: stopped.message });
    return emptyResult(this.id, stopped.stop, stopped.message, stopped.usage);
  }

  private finishEarly(outcome: RunOutcome, message: string): RunResult {
    this.bus.emit({ type: 'run-finished', outcome, message });
    return emptyResult(this.id, outcome, message);
  }

  /** An error nobody expected (a planning error is expected): the run ends failed and says why. */
  private crashed(error: unknown): RunResult {
    const expected = error instanceof PlanError || error instanceof PlanningFailedError;
    const message = expected
      ? error.message
      : this.stop?.outcome === 'failed'
        ? this.stop.message
        : `the run stopped on an unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    if (!expected) this.setup.ports.logger.error(error instanceof Error ? error : new Error(message));
    // A plan that failed to come together was still paid for.
    const planning = error instanceof PlanningFailedError ? error.planningCall?.usage : undefined;
    if (planning) this.bus.emit({ type: 'usage', totals: planning, byRole: { 'task-orchestrator': planning } });
    this.bus.emit({ type: 'run-finished', outcome: 'failed', message });
    // What was done before the failure (a full disk, a journal that could not be written) still counts, the
    // planning usage above included.
    return { ...emptyResult(this.id, 'failed', message), ...this.progressSoFar() };
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

  /** The gate tells of proposals; a task's wait for a decision is the scheduler's to show. */
  private onGateEvent(event: GateEvent): void {
    switch (event.type) {
      case 'pending':
        this.bus.emit({ type: 'proposal-pending', proposal: proposalView(event.proposal) });
        this.scheduler?.progress(event.proposal.taskKey, {
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
          this.scheduler?.progress(event.proposal.taskKey, { status: 'running', workerId: event.proposal.workerId });
        return;
      case 'applied': {
        const { proposal } = event;
        this.sessionEdits++;
        const beforeRun = this.context?.beforeRun;
        if (beforeRun && !beforeRun.has(proposal.path)) {
          const base = proposal.baseText;
          beforeRun.set(proposal.path, async () => base);
        }
        const applied = this.context?.applied;
        applied?.set(proposal.taskKey, [
          ...(applied.get(proposal.taskKey) ?? []),
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
      default:
        assertNever(event);
    }
  }
}
