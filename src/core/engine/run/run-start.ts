/**
 * The start of a run: the gates before anything runs (unchecked checklists, before_implement hooks), then the
 * journal opened with its plan record, the faces told what will run, and — on resume — the edits an earlier
 * session left in doubt settled against the disk.
 */
import { relative } from 'node:path';
import type { RunOutcome, TaskStatus } from '../../../protocol/engine-events';
import type { JournalRecord } from '../../../protocol/journal';
import type { RunEvents } from '../events/run-events';
import { runHooks } from '../hooks/implement-hooks';
import { liveEdits } from '../journal/fold';
import { sha256 } from '../journal/hash';
import type { RunFolder } from '../journal/run-store';
import type { InitialStatus } from '../scheduler/scheduler';
import type { AppliedChange } from '../workers/task-execution';
import { EvidenceRecorder } from './evidence-recorder';
import type { PreparedRun, ResumeState, RunContext, SessionPorts } from './run-context';

export type StartGate = { kind: 'go' } | { kind: 'stop'; message: string };

/** Unchecked checklists and mandatory hooks need the user's yes before anything runs; a resume asked already. */
export async function confirmStart(
  prepared: PreparedRun,
  ports: SessionPorts,
  events: RunEvents,
  resume: ResumeState | undefined,
  signal: AbortSignal,
): Promise<StartGate> {
  if (resume) return { kind: 'go' };
  const { plan } = prepared;
  const unchecked = plan.checklists.filter((c) => c.unchecked > 0);
  if (unchecked.length > 0) {
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
      return {
        kind: 'stop',
        message: 'Stopped before anything ran: checklists are incomplete and the run was not confirmed.',
      };
  }
  const before = await runHooks('before_implement', plan.hooks, {
    confirm: ports.confirm,
    events,
    signal,
    commands: plan.settings.commands,
    runner: ports.commandRunner,
    cwd: plan.root,
  });
  return before.kind === 'stop' ? { kind: 'stop', message: before.message } : { kind: 'go' };
}

export interface OpenRunInput {
  runId: string;
  prepared: PreparedRun;
  ports: SessionPorts;
  events: RunEvents;
  resume: ResumeState | undefined;
  folder: RunFolder;
  signal: AbortSignal;
  halt: (outcome: RunOutcome, message: string) => void;
}

/** Writes the plan record, tells the faces what will run and settles edits left in doubt; the context is ready. */
export async function openRun(
  input: OpenRunInput,
): Promise<{ ctx: RunContext; initialStatus: (key: string) => InitialStatus }> {
  const ctx = contextOf(input);
  await ctx.append(plannedRecord(ctx));
  const initialStatus = initialStatusOf(ctx);
  announceStart(ctx, initialStatus);
  if (ctx.resume) await settleEarlierEdits(ctx, ctx.resume);
  return { ctx, initialStatus };
}

function contextOf(input: OpenRunInput): RunContext {
  const { prepared, ports, folder, events } = input;
  const { plan } = prepared;
  const at = (): string => ports.clock.now().toISOString();
  // Every record goes through the evidence recorder, so a tick's evidence is what the journal says.
  const evidence = new EvidenceRecorder(folder, input.resume, at);
  const journal = evidence.journal;
  return {
    ...prepared,
    runId: input.runId,
    ports,
    settings: plan.settings,
    workspace: ports.workspace(plan.root),
    resume: input.resume,
    folder,
    journal,
    evidence,
    tasksRel: relative(plan.root, prepared.feature.tasksPath ?? '')
      .split('\\')
      .join('/'),
    events,
    signal: input.signal,
    applied: new Map<string, AppliedChange[]>(),
    beforeRun: new Map<string, () => Promise<string | null | undefined>>(),
    interactive: plan.settings.interactiveApproval || ports.approver !== undefined,
    append: async (record: JournalRecord) => {
      try {
        await journal.append(record);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        input.halt('failed', `The run stopped: its journal cannot be written (${reason}).`);
        throw error;
      }
    },
    at,
    halt: input.halt,
  };
}

function plannedRecord(ctx: RunContext): JournalRecord {
  const { plan, resume } = ctx;
  return {
    type: 'run-planned',
    at: ctx.at(),
    formatVersion: 1,
    runId: ctx.runId,
    featureId: ctx.feature.id,
    tasksPath: ctx.tasksRel,
    tasksHash: sha256(ctx.doc.text),
    tasks: ctx.doc.tasks.map((t) => ({ key: t.key, id: t.id, text: t.description })),
    policy: ctx.settings.approvalPolicy,
    ...(resume ? { resumed: true } : {}),
    ...keysIfAny(
      'alreadyDone',
      plan.tasks.filter((t) => t.alreadyDone && t.status === 'done' && !resume?.doneKeys.has(t.key)).map((t) => t.key),
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
  };
}

function keysIfAny<K extends string>(name: K, keys: string[]): Partial<Record<K, string[]>> {
  return keys.length > 0 ? ({ [name]: keys } as Partial<Record<K, string[]>>) : {};
}

function initialStatusOf(ctx: RunContext): (key: string) => InitialStatus {
  const planned = new Map(ctx.plan.tasks.map((t) => [t.key, t]));
  return (key) => {
    const skippedBecause = ctx.resume?.skippedKeys.get(key);
    if (ctx.resume?.doneKeys.has(key)) return { status: 'done' };
    if (skippedBecause !== undefined) return { status: 'skipped', reason: skippedBecause };
    const task = planned.get(key);
    if (task?.alreadyDone) return { status: task.status === 'skipped' ? 'skipped' : 'done' };
    return { status: 'pending' };
  };
}

function announceStart(ctx: RunContext, initialStatus: (key: string) => InitialStatus): void {
  const { plan, settings } = ctx;
  const statusOf = (key: string): TaskStatus => initialStatus(key).status;
  ctx.events.emit({
    type: 'run-started',
    runId: ctx.runId,
    featureId: ctx.feature.id,
    tasksPath: ctx.tasksRel,
    phases: plan.phases,
    tasks: plan.tasks.map(({ key, id, description, phaseIndex, line, files, dependsOn, parallel, commands }) => ({
      key,
      id,
      description,
      phaseIndex,
      line,
      files,
      dependsOn,
      parallel,
      status: statusOf(key),
      commands,
    })),
    resumed: ctx.resume !== undefined,
    ...(settings.budgetUsd !== undefined ? { budgetUsd: settings.budgetUsd } : {}),
  });
  for (const task of plan.tasks.filter((t) => statusOf(t.key) === 'pending'))
    ctx.events.log('info', `${task.id} → ${task.role}: ${task.roleReason}`);
}

/**
 * The edits earlier sessions applied count as this run's (for "done" and for validation). One interrupted
 * between its write-ahead record and its confirmation is settled by the disk: landed, or proposed again.
 */
async function settleEarlierEdits(ctx: RunContext, resume: ResumeState): Promise<void> {
  for (const edit of liveEdits(resume.state)) {
    if (edit.inDoubt) {
      const now = await ctx.workspace.read(edit.path, ctx.signal);
      const landed =
        edit.writtenHash === null
          ? now.kind === 'not-found'
          : now.kind === 'text' && sha256(now.text) === edit.writtenHash;
      if (!landed) {
        ctx.events.log(
          'info',
          `resume: the interrupted edit of ${edit.path} never reached the disk; its task will propose it again`,
        );
        continue;
      }
      await ctx.append({ type: 'edit-applied', at: ctx.at(), proposalId: edit.proposalId });
      ctx.events.log('info', `resume: the interrupted edit of ${edit.path} had reached the disk; recorded as applied`);
    }
    if (!ctx.beforeRun.has(edit.path)) {
      const preImage = edit.preImage;
      ctx.beforeRun.set(edit.path, async () =>
        preImage.kind === 'none' ? null : preImage.kind === 'stored' ? ctx.journal.readBlob(preImage.hash) : undefined,
      );
    }
    const key = resume.journalKeyOf.get(edit.taskKey) ?? edit.taskKey;
    ctx.applied.set(key, [...(ctx.applied.get(key) ?? []), { path: edit.path, kind: edit.kind }]);
  }
}
