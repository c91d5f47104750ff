import { assertNever } from '../../util/assert-never';
import {
  addUsageTotals,
  zeroUsageTotals,
  type ApprovalPolicy,
  type ProposalKind,
  type ProposalOutcome,
  type RunOutcome,
  type TaskStatus,
  type UsageTotals,
  type WorkerRole,
} from '../../../protocol/engine-events';
import type { JournalRecord, JournalRecordOf, JournalTask, PreImageRef } from '../../../protocol/journal';
import type { ValidationReport } from '../../../protocol/validation-report';

/** One edit the run wrote (or may have written: `inDoubt`), newest last. */
export interface AppliedEdit {
  proposalId: string;
  taskKey: string;
  path: string;
  kind: ProposalKind;
  preImage: PreImageRef;
  /** sha256 of what was written; null for a delete. */
  writtenHash: string | null;
  /** Where the written content is kept; absent for a delete and in older journals. */
  postImage?: PreImageRef;
  /** A deleted file's permission bits, when the workspace knew them. */
  mode?: number;
  at: string;
  /**
   * The write-ahead record exists but the confirmation does not: the process died while writing. The file
   * holds either the pre-image or the written content; rollback and resume check which.
   */
  inDoubt: boolean;
  rolledBack: boolean;
}

export type FinishedCommand = Omit<JournalRecordOf<'command-run'>, 'type'>;
export type WorkerSummary = Omit<JournalRecordOf<'worker-summary'>, 'type'>;
export type TickEvidence = Omit<JournalRecordOf<'task-evidence'>, 'type'>;

/** A proposal as the journal tells it: who made it and the latest decision on its latest revision. */
export interface ProposalRecord {
  role: WorkerRole;
  /** Absent while the latest revision waits for a decision. */
  decision?: { outcome: ProposalOutcome; by?: 'user' | 'policy' };
}

/** A run as its journal tells it. Pure data; `foldJournal` builds it. */
export interface RunState {
  runId?: string;
  featureId?: string;
  tasksPath?: string;
  tasksHash?: string;
  /** The approval policy of the latest plan (absent in older journals). */
  policy?: ApprovalPolicy;
  /** The tasks as planned (the latest `run-planned` record wins, e.g. after a resume re-plan). */
  tasks: JournalTask[];
  taskStatus: Map<string, TaskStatus>;
  /** As of the latest plan: tasks done before the run (not by it: rollback never unticks them) and tasks left out. */
  alreadyDone: Set<string>;
  excluded: Set<string>;
  /** The user's focus for the run, when one was given. */
  focus?: string;
  /** Ticked tasks the run was asked to do again (every session's, so a rollback after a resume knows them). */
  rerun: Set<string>;
  edits: AppliedEdit[];
  commands: FinishedCommand[];
  summaries: WorkerSummary[];
  usage: UsageTotals;
  usageByRole: Map<WorkerRole, UsageTotals>;
  /** By task key (and `validation:…` job); calls recorded without a task are only in `usage`. */
  usageByTask: Map<string, UsageTotals>;
  /** Model ids called per task key, in first-call order. */
  modelsByTask: Map<string, string[]>;
  /** Proposals by id, with what the gate decided: who approved an applied edit. */
  proposals: Map<string, ProposalRecord>;
  /** Evidence records in journal order; `voided` holds the keys of tasks whose evidence a rollback undid. */
  evidence: TickEvidence[];
  voidedEvidence: Set<string>;
  startedAt?: string;
  lastRecordAt?: string;
  cancelled?: { reason: string; at: string };
  finished?: { outcome: RunOutcome; message: string; at: string };
  /** The latest validation report, when validation ran. */
  validation?: ValidationReport;
}

export function emptyRunState(): RunState {
  return {
    tasks: [],
    taskStatus: new Map(),
    alreadyDone: new Set(),
    excluded: new Set(),
    rerun: new Set(),
    edits: [],
    commands: [],
    summaries: [],
    usage: zeroUsageTotals(),
    usageByRole: new Map(),
    usageByTask: new Map(),
    modelsByTask: new Map(),
    proposals: new Map(),
    evidence: [],
    voidedEvidence: new Set(),
  };
}

/** A run's state is a fold over its records: resume = fold, then continue from there. Pure. */
export function foldJournal(records: readonly JournalRecord[]): RunState {
  return records.reduce(applyRecord, emptyRunState());
}

/** Applies one record to the state in place and returns it (usable as a reducer). */
export function applyRecord(state: RunState, record: JournalRecord): RunState {
  state.startedAt ??= record.at;
  state.lastRecordAt = record.at;
  switch (record.type) {
    case 'run-planned':
      state.runId = record.runId;
      state.featureId = record.featureId;
      state.tasksPath = record.tasksPath;
      state.tasksHash = record.tasksHash;
      if (record.policy !== undefined) state.policy = record.policy;
      state.tasks = record.tasks;
      state.alreadyDone = new Set(record.alreadyDone);
      state.excluded = new Set(record.excluded);
      if (record.focus !== undefined) state.focus = record.focus;
      for (const key of record.rerun ?? []) state.rerun.add(key);
      for (const task of record.tasks) if (!state.taskStatus.has(task.key)) state.taskStatus.set(task.key, 'pending');
      // A resume re-opens the run: an earlier cancel or stop no longer describes it.
      delete state.cancelled;
      delete state.finished;
      return state;
    case 'task-state':
      state.taskStatus.set(record.taskKey, record.status);
      return state;
    case 'proposal-made':
      // A new revision (a stale proposal re-diffed) starts undecided.
      state.proposals.set(record.proposalId, { role: record.role });
      return state;
    case 'proposal-decided': {
      const proposal = state.proposals.get(record.proposalId);
      if (proposal)
        proposal.decision = { outcome: record.outcome, ...(record.by !== undefined ? { by: record.by } : {}) };
      return state;
    }
    case 'edit-applying':
      state.edits.push({
        proposalId: record.proposalId,
        taskKey: record.taskKey,
        path: record.path,
        kind: record.kind,
        preImage: record.preImage,
        writtenHash: record.writtenHash,
        ...(record.postImage !== undefined ? { postImage: record.postImage } : {}),
        ...(record.mode !== undefined ? { mode: record.mode } : {}),
        at: record.at,
        inDoubt: true,
        rolledBack: false,
      });
      return state;
    case 'edit-applied':
      for (const edit of state.edits) if (edit.proposalId === record.proposalId) edit.inDoubt = false;
      return state;
    case 'edit-rolled-back':
      for (const edit of state.edits) if (edit.proposalId === record.proposalId) edit.rolledBack = true;
      return state;
    case 'command-run': {
      const { type: _type, ...command } = record;
      state.commands.push(command);
      return state;
    }
    case 'worker-summary': {
      const { type: _type, ...summary } = record;
      state.summaries.push(summary);
      return state;
    }
    case 'usage':
      state.usage = addUsageTotals(state.usage, record.usage);
      if (record.role !== undefined) addTo(state.usageByRole, record.role, record.usage);
      if (record.taskKey !== undefined) addTo(state.usageByTask, record.taskKey, record.usage);
      if (record.taskKey !== undefined && record.model !== undefined) {
        const models = state.modelsByTask.get(record.taskKey) ?? [];
        if (!models.includes(record.model)) state.modelsByTask.set(record.taskKey, [...models, record.model]);
      }
      return state;
    case 'task-evidence': {
      const { type: _type, ...evidence } = record;
      state.evidence.push(evidence);
      // Evidence written after a void (the task ran again) stands on its own.
      state.voidedEvidence.delete(record.taskKey);
      return state;
    }
    case 'evidence-voided':
      for (const key of record.taskKeys) state.voidedEvidence.add(key);
      return state;
    case 'evidence-review':
      return state;
    case 'validation-report':
      state.validation = record.report;
      return state;
    case 'run-cancelled':
      state.cancelled = { reason: record.reason, at: record.at };
      return state;
    case 'run-finished':
      state.finished = { outcome: record.outcome, message: record.message, at: record.at };
      return state;
    default:
      return assertNever(record);
  }
}

function addTo<K>(map: Map<K, UsageTotals>, key: K, usage: UsageTotals): void {
  map.set(key, addUsageTotals(map.get(key) ?? zeroUsageTotals(), usage));
}

/** The run's tasks by status as a face counts them: tasks done before the run count as done, left-out ones as skipped. */
export function countTasks(state: RunState): {
  total: number;
  done: number;
  failed: number;
  skipped: number;
  pending: number;
} {
  const counts = { total: state.tasks.length, done: 0, failed: 0, skipped: 0, pending: 0 };
  for (const task of state.tasks) {
    const status = state.taskStatus.get(task.key) ?? 'pending';
    if (status === 'done' || (status === 'pending' && state.alreadyDone.has(task.key))) counts.done++;
    else if (status === 'skipped' || (status === 'pending' && state.excluded.has(task.key))) counts.skipped++;
    else if (status === 'failed') counts.failed++;
    else counts.pending++;
  }
  return counts;
}

/** Outcomes that stop a run before its work is done for a cause the user can lift: raise the budget, answer on a terminal. */
const STOPPED_OUTCOMES: ReadonlySet<RunOutcome> = new Set(['budget-exceeded', 'needs-approval']);

/**
 * True when the run can be resumed: it never finished (crash, kill, window reload, cancel), or it stopped at
 * its budget or at an edit nobody could approve. It is offered for resume.
 */
export function isInterrupted(state: RunState): boolean {
  return state.runId !== undefined && (state.finished === undefined || STOPPED_OUTCOMES.has(state.finished.outcome));
}

/** Edits of the run that are still in effect (not rolled back), oldest first. */
export function liveEdits(state: RunState, taskKey?: string): AppliedEdit[] {
  return state.edits.filter((e) => !e.rolledBack && (taskKey === undefined || e.taskKey === taskKey));
}

/**
 * Tasks this run ticked, by their evidence (written before the tick, so a tick whose end a kill kept from the
 * journal still has it): those whose evidence no rollback voided.
 */
export function evidencedTasks(state: RunState): Set<string> {
  return new Set(state.evidence.map((e) => e.taskKey).filter((key) => !state.voidedEvidence.has(key)));
}
