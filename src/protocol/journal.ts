/**
 * The run journal's records: one JSON object per line in `<stateDir>/runs/<runId>/journal.jsonl`.
 *
 * "The journal is the run": a run's state is a fold over these records (see `foldJournal`), so the
 * extension and the CLI can resume or roll back each other's runs. Records cross a boundary (disk, possibly
 * written by another version), so they are parsed with the schemas below, never trusted by shape.
 *
 * Compatibility rule: add optional fields freely; never change the meaning of an existing one. Bump
 * `JOURNAL_FORMAT_VERSION` when a reader of the old version would misread the new records.
 */
import * as z from 'zod';
import { WORKER_ROLES } from './engine-events';
import type {
  ApprovalPolicy,
  ProposalKind,
  ProposalOutcome,
  RunOutcome,
  TaskStatus,
  WorkerRole,
} from './engine-events';
import { reviewFindingSchema, validationReportSchema, type ReviewFinding } from './validation-report';

export const JOURNAL_FORMAT_VERSION = 1;

const taskStatusSchema = z.enum([
  'pending',
  'ready',
  'running',
  'awaiting-approval',
  'done',
  'failed',
  'skipped',
  'cancelled',
]) satisfies z.ZodType<TaskStatus>;
const workerRoleSchema = z.enum(WORKER_ROLES) satisfies z.ZodType<WorkerRole>;
const proposalKindSchema = z.enum(['create', 'modify', 'delete']) satisfies z.ZodType<ProposalKind>;
const proposalOutcomeSchema = z.enum([
  'accepted',
  'accepted-with-edits',
  'rejected',
  'stale',
  'refused',
  'cancelled',
]) satisfies z.ZodType<ProposalOutcome>;
const runOutcomeSchema = z.enum([
  'completed',
  'failed',
  'cancelled',
  'budget-exceeded',
  'needs-approval',
]) satisfies z.ZodType<RunOutcome>;
const approvalPolicySchema = z.enum([
  'ask',
  'auto-approve-tests',
  'auto-approve-all',
]) satisfies z.ZodType<ApprovalPolicy>;

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * Where a file's content before an edit is kept for rollback. `none`: the file did not exist (rollback deletes
 * it). `too-big`: over the blob store's size cap, so it was not kept and rollback cannot restore it.
 */
export const preImageRefSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('stored'), hash: sha256Schema, size: z.number().int().nonnegative() }),
  z.object({
    kind: z.literal('too-big'),
    hash: sha256Schema,
    size: z.number().int().nonnegative(),
    limit: z.number().int().nonnegative(),
  }),
]);
export type PreImageRef = z.infer<typeof preImageRefSchema>;

/** A task as the run knew it: keyed by id AND text so a regenerated tasks.md can be matched (see `matchTasks`). */
export const journalTaskSchema = z.object({ key: z.string(), id: z.string(), text: z.string() });
export type JournalTask = z.infer<typeof journalTaskSchema>;

export const usageTotalsSchema = z.object({
  inputTokens: z.number().nonnegative(),
  outputTokens: z.number().nonnegative(),
  cacheCreationInputTokens: z.number().nonnegative(),
  // Journals written before the 1-hour cache writes were counted apart have none.
  cacheCreation1hInputTokens: z.number().nonnegative().default(0),
  cacheReadInputTokens: z.number().nonnegative(),
  costUsd: z.number().nonnegative(),
  estimated: z.boolean(),
});

const at = z.string();

/** Who let an edit reach the disk: a person (as proposed, or with their own changes), or the run's policy. */
export const evidenceApprovalSchema = z.discriminatedUnion('by', [
  z.object({ by: z.literal('user'), edited: z.boolean() }),
  z.object({ by: z.literal('policy'), policy: approvalPolicySchema }),
]);
export type EvidenceApproval = z.infer<typeof evidenceApprovalSchema>;

/** One edit a task applied, as its evidence keeps it. */
export const evidenceEditSchema = z.object({
  proposalId: z.string(),
  /** Relative to the run's root, forward slashes. */
  path: z.string(),
  kind: proposalKindSchema,
  role: workerRoleSchema,
  /** sha256 of the file before the edit; null when it did not exist. */
  beforeHash: sha256Schema.nullable(),
  /** sha256 of the file the edit left; null when the edit deleted it. */
  afterHash: sha256Schema.nullable(),
  /** The edit as a unified diff (before → after). */
  hunk: z.string(),
  /** The diff was cut at the size cap; the whole change is in the run's blobs. */
  hunkTruncated: z.boolean().optional(),
  approval: evidenceApprovalSchema,
});
export type EvidenceEdit = z.infer<typeof evidenceEditSchema>;

/** A command the task's worker ran (the configured test command, typically), as its evidence keeps it. */
export const evidenceCommandSchema = z.object({
  name: z.string(),
  argv: z.array(z.string()),
  outcome: z.enum(['exited', 'failed-to-start', 'denied']),
  exitCode: z.number().int().nullable(),
  timedOut: z.boolean(),
  /** sha256 of the command's output; null when it produced none it could keep (denied). */
  outputDigest: sha256Schema.nullable(),
  at,
});
export type EvidenceCommand = z.infer<typeof evidenceCommandSchema>;

/** A completion reviewer's acceptance of a worker's claim that its task is done. */
export const completionAcceptanceSchema = z.object({
  by: z.literal('reviewer'),
  /** The reviewer worker's id. */
  reviewer: z.string(),
  model: z.string(),
  reason: z.string(),
  /** Which review of the worker's claims accepted it: 1 for the first. */
  round: z.number().int().positive(),
});
export type CompletionAcceptance = z.infer<typeof completionAcceptanceSchema>;

export { reviewFindingSchema, type ReviewFinding };

export const journalRecordSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run-planned'),
    at,
    formatVersion: z.number().int(),
    runId: z.string(),
    featureId: z.string(),
    /** Workspace-relative, forward slashes. */
    tasksPath: z.string(),
    /** sha256 of tasks.md as planned, to notice that it changed before a resume. */
    tasksHash: sha256Schema,
    tasks: z.array(journalTaskSchema),
    policy: approvalPolicySchema.optional(),
    /** Present when this planned record starts a resume of the same run. */
    resumed: z.boolean().optional(),
    /** Keys of tasks already ticked in tasks.md when the run was planned: done, but not by this run. */
    alreadyDone: z.array(z.string()).optional(),
    /** Keys of tasks left out of the run (not selected). */
    excluded: z.array(z.string()).optional(),
    /** The user's focus for the run, so a resume gives the workers the same one. */
    focus: z.string().optional(),
    /** Keys of tasks ticked when the run was planned that it was asked to do again. */
    rerun: z.array(z.string()).optional(),
  }),
  z.object({
    type: z.literal('task-state'),
    at,
    taskKey: z.string(),
    status: taskStatusSchema,
    message: z.string().optional(),
  }),
  z.object({
    type: z.literal('proposal-made'),
    at,
    proposalId: z.string(),
    /** Increments when a stale proposal is re-diffed onto a new base. */
    revision: z.number().int().nonnegative(),
    taskKey: z.string(),
    workerId: z.string(),
    role: workerRoleSchema,
    path: z.string(),
    kind: proposalKindSchema,
    baseHash: sha256Schema.nullable(),
  }),
  z.object({
    type: z.literal('proposal-decided'),
    at,
    proposalId: z.string(),
    outcome: proposalOutcomeSchema,
    by: z.enum(['user', 'policy']).optional(),
    feedback: z.string().optional(),
  }),
  /** Written BEFORE the file is touched (write-ahead): a crash between this and `edit-applied` leaves an in-doubt edit. */
  z.object({
    type: z.literal('edit-applying'),
    at,
    proposalId: z.string(),
    taskKey: z.string(),
    path: z.string(),
    kind: proposalKindSchema,
    preImage: preImageRefSchema,
    /** sha256 of the content being written; null for a delete. */
    writtenHash: sha256Schema.nullable(),
    /**
     * Where the written content is kept (a blob named by `writtenHash`), so the evidence of the task can show
     * what it applied and `verify` can show how a file drifted from it. Absent for a delete and in older journals.
     */
    postImage: preImageRefSchema.optional(),
    /** A deleted file's permission bits, so a rollback recreates it as it was (an executable stays one). */
    mode: z.number().int().nonnegative().optional(),
  }),
  z.object({ type: z.literal('edit-applied'), at, proposalId: z.string() }),
  z.object({ type: z.literal('edit-rolled-back'), at, proposalId: z.string(), forced: z.boolean().optional() }),
  z.object({
    type: z.literal('command-run'),
    at,
    /** The configured command's name, e.g. `test`. */
    name: z.string(),
    argv: z.array(z.string()),
    taskKey: z.string().optional(),
    outcome: z.enum(['exited', 'failed-to-start', 'denied']),
    exitCode: z.number().int().nullable(),
    signal: z.string().nullable(),
    timedOut: z.boolean(),
    durationMs: z.number().nonnegative(),
    /** The (already head+tail truncated) output kept for resume, so a finished command is never re-run. */
    output: z.string().optional(),
    /** sha256 of the whole output as captured (stdout, then `[stderr]` and stderr), before it was truncated. */
    outputDigest: sha256Schema.optional(),
  }),
  z.object({
    type: z.literal('worker-summary'),
    at,
    taskKey: z.string(),
    workerId: z.string(),
    role: workerRoleSchema,
    summary: z.string(),
    filesTouched: z.array(z.string()),
  }),
  /**
   * Usage of one model call (a delta, not a running total). `taskKey`: the task (or `validation:…` job) it was
   * made for, so cost per task can be shown; absent for calls outside any task (planning) and in older journals.
   */
  z.object({
    type: z.literal('usage'),
    at,
    role: workerRoleSchema.optional(),
    taskKey: z.string().optional(),
    model: z.string().optional(),
    usage: usageTotalsSchema,
  }),
  /** The validation phase's result (requirement verdicts, reviews, tests); the latest one is the run's. */
  z.object({ type: z.literal('validation-report'), at, report: validationReportSchema }),
  /**
   * The proof behind one tick, written (fsync'd) just before the scheduler ticks the task in tasks.md: which
   * line it ticked, every edit of the task still in effect with its hashes and hunk, who approved each, the
   * commands its worker ran, the models and the cost. `speckit-orchestra verify` checks it against the disk.
   */
  z.object({
    type: z.literal('task-evidence'),
    at,
    taskKey: z.string(),
    taskId: z.string(),
    /** Relative to the run's root, forward slashes. */
    tasksPath: z.string(),
    /** sha256 of the task's checkbox line after the checkbox (`Task.lineText`), as it was ticked. */
    lineHash: sha256Schema,
    edits: z.array(evidenceEditSchema),
    commands: z.array(evidenceCommandSchema),
    models: z.array(z.string()),
    cost: usageTotalsSchema,
    /** The worker's own account (`complete_task`). */
    summary: z.string().optional(),
    /**
     * For a task no edit of its own files proves (it names none, or it is a review): the completion reviewer
     * that accepted the worker's claim against what was done, and why. Absent when the edits are the proof.
     */
    acceptance: completionAcceptanceSchema.optional(),
  }),
  /** Evidence that no longer holds because the run undid it (a rollback of the run or of these tasks). */
  z.object({ type: z.literal('evidence-voided'), at, taskKeys: z.array(z.string()), reason: z.string() }),
  /** What the validation's reviewers found over the run's files, for the evidence of the tasks ticked before it. */
  z.object({
    type: z.literal('evidence-review'),
    at,
    reviews: z.array(
      z.object({
        source: z.enum(['code-review', 'security-review']),
        /** False when the review did not finish (its findings may be incomplete). */
        finished: z.boolean(),
        findings: z.array(reviewFindingSchema),
      }),
    ),
  }),
  z.object({ type: z.literal('run-cancelled'), at, reason: z.string() }),
  z.object({ type: z.literal('run-finished'), at, outcome: runOutcomeSchema, message: z.string() }),
]);

export type JournalRecord = z.infer<typeof journalRecordSchema>;
export type JournalRecordType = JournalRecord['type'];
/** One record type by its `type` tag, e.g. `JournalRecordOf<'edit-applying'>`. */
export type JournalRecordOf<T extends JournalRecordType> = Extract<JournalRecord, { type: T }>;
