import { randomUUID } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import type { ApprovalPolicy, ProposalOutcome, WorkerRole } from '../../../protocol/engine-events';
import { assertNever } from '../../util/assert-never';
import { featureDocumentKind } from '../../speckit/feature-paths';
import { sha256 } from '../journal/hash';
import type { JournalRecord } from '../../../protocol/journal';
import type { RunJournal } from '../journal/run-store';
import { GlobSet } from '../workspace/glob';
import type { Workspace } from '../../ports/workspace';
import { Emitter } from '../../util/emitter';
import type { Disposable } from '../../util/emitter';
import { draftEdit, transition } from './proposal';
import type { ProposalDecision } from '../../ports/consent';
import type { EditRequest, GateOutcome, Proposal } from '../../ports/edit-gate';
import { TEST_PATH_GLOBS, defaultWriteScopes } from '../../agents/definitions/write-scope';
import { checkWriteScope } from './write-scope-check';
import type { WriteScope } from '../../agents/definitions/write-scope';

const DEFAULT_MAX_PROPOSAL_BYTES = 1024 * 1024;

/** Bytes of the text an edit request carries (what the model sent), before it is applied to anything. */
function editInputBytes(edit: EditRequest): number {
  switch (edit.kind) {
    case 'replace':
      return Buffer.byteLength(edit.newString);
    case 'write':
    case 'create':
      return Buffer.byteLength(edit.content);
    case 'delete':
      return 0;
    default:
      return assertNever(edit);
  }
}

/** A path as two spellings of one file compare on case-insensitive, normalising file systems. */
function comparable(rel: string): string {
  return rel.normalize('NFC').toLowerCase();
}

/**
 * Who answers a proposal no policy decided, as the gate sees it: the run adapts the face's `Approver` port
 * (src/core/ports/consent.ts) to this; gate tests script it.
 */
export interface ProposalDecider {
  /** Rejects (or throws the signal's reason) when `signal` aborts. */
  decide(proposal: Proposal, signal: AbortSignal): Promise<ProposalDecision>;
}

/** Who is asking, for what task; the gate looks the role's write scope up itself. */
export interface ProposeContext {
  taskKey: string;
  workerId: string;
  role: WorkerRole;
  reason?: string;
  signal: AbortSignal;
}

export type GateEvent =
  | { type: 'pending'; proposal: Proposal }
  | { type: 'decided'; proposal: Proposal; outcome: ProposalOutcome }
  | { type: 'applied'; proposal: Proposal };

export interface ApprovalGateOptions {
  workspace: Workspace;
  journal: Pick<RunJournal, 'append' | 'storeBlob'>;
  policy: ApprovalPolicy;
  /** Asked for every proposal no policy accepted. Without it, proposals wait for `decide` (or, unattended, end). */
  approver?: ProposalDecider;
  /** Nobody can answer: a proposal the policy does not accept ends as `needs-approval` instead of waiting. */
  unattended?: boolean;
  /** Per-role overrides of `defaultWriteScopes`. */
  writeScopes?: Partial<Record<WorkerRole, WriteScope>>;
  /**
   * Files only the scheduler writes: the run's tasks.md. Every feature's task list (`featureDocumentKind`) is
   * the scheduler's too; no worker ticks a task.
   */
  schedulerOwned?: readonly string[];
  /** What `auto-approve-tests` accepts unasked. Default `TEST_PATH_GLOBS`. */
  testPathGlobs?: readonly string[];
  /** Largest file one proposal may produce (bytes, UTF-8). Default 1 MiB. */
  maxProposalBytes?: number;
  /** How often a stale replacement is re-diffed onto a newer base before giving up. Default 3. */
  maxRediffs?: number;
  now?: () => Date;
  newId?: () => string;
  onListenerError?: (error: unknown) => void;
}

type Waiting = { proposal: Proposal; settle: (decision: ProposalDecision) => void };
type Obtained =
  | { kind: 'decided'; decision: ProposalDecision; by: 'user' | 'policy' }
  | { kind: 'needs-approval' }
  | { kind: 'cancelled' };
type Applied =
  | { kind: 'applied'; proposal: Proposal }
  | { kind: 'stale'; currentText: string | null }
  | { kind: 'unreadable'; message: string };

/**
 * The approval gate owns the disk: no file is written without a decision, and only the gate moves a
 * Proposal's state. Many proposals can wait at once (each worker awaits its own); faces watch `pending()`
 * and `onDidChange`, and answer through the `ProposalDecider` or `decide`.
 */
export class ApprovalGate {
  private readonly emitter: Emitter<GateEvent>;
  readonly onDidChange: (listener: (event: GateEvent) => void) => Disposable;
  private readonly waiting = new Map<string, Waiting>();
  private readonly pathLocks = new Map<string, Promise<unknown>>();
  private readonly testPaths: GlobSet;
  private readonly schedulerOwned: ReadonlySet<string>;

  constructor(private readonly options: ApprovalGateOptions) {
    this.emitter = new Emitter(options.onListenerError);
    this.onDidChange = this.emitter.event;
    this.testPaths = new GlobSet(options.testPathGlobs ?? TEST_PATH_GLOBS);
    this.schedulerOwned = new Set((options.schedulerOwned ?? []).map(comparable));
  }

  /** A proposal over the size limit is refused whole, with the numbers, before anyone is asked. */
  private sizeRefusal(path: string, bytes: number): GateOutcome | undefined {
    const limit = this.options.maxProposalBytes ?? DEFAULT_MAX_PROPOSAL_BYTES;
    if (bytes <= limit) return undefined;
    return {
      kind: 'invalid',
      path,
      message: `the edit of ${path} would be ${bytes} bytes, over the limit of ${limit} bytes for one proposal. Nothing was written. Split the content across smaller files, or change the file with smaller "replace" edits.`,
    };
  }

  private isSchedulerOwned(rel: string): boolean {
    // Every feature's task list, grouped features included, spelt in any case.
    return this.schedulerOwned.has(comparable(rel)) || featureDocumentKind(rel, { caseInsensitive: true }) === 'tasks';
  }

  /** Proposals waiting for a decision, oldest first. */
  pending(): Proposal[] {
    return [...this.waiting.values()].map((w) => w.proposal);
  }

  /** Answers a pending proposal from outside (a face's queue). False when it is not pending. */
  decide(proposalId: string, decision: ProposalDecision): boolean {
    const waiting = this.waiting.get(proposalId);
    if (!waiting) return false;
    waiting.settle(decision);
    return true;
  }

  /** Proposes an edit and resolves once it is applied, rejected, refused or given up. Never writes without a decision. */
  async propose(edit: EditRequest, context: ProposeContext): Promise<GateOutcome> {
    const drafted = await this.draft(edit, context);
    if ('outcome' in drafted) return drafted.outcome;
    let proposal = drafted.proposal;
    for (;;) {
      const round = await this.review(proposal, context);
      if (round.kind === 'ended') return round.outcome;
      const redrafted = await this.redraftStale(round.proposal, round.currentText);
      if ('outcome' in redrafted) return redrafted.outcome;
      proposal = redrafted.proposal;
    }
  }

  /** The path policy, the role's write scope and the size limit, then the edit against the file as it is. */
  private async draft(
    edit: EditRequest,
    context: ProposeContext,
  ): Promise<{ proposal: Proposal } | { outcome: GateOutcome }> {
    // The one spelling of the path (and the one it has once links are resolved): every check below sees it.
    const checked = await this.options.workspace.check(edit.path, 'write');
    if (checked.kind === 'refused') return { outcome: { kind: 'refused', path: edit.path, reason: checked.reason } };
    const path = checked.rel;
    if (this.isSchedulerOwned(checked.rel) || this.isSchedulerOwned(checked.realRel)) {
      const reason = `${path} belongs to the scheduler: workers never tick tasks or edit a task list. Call complete_task when your task is done.`;
      return { outcome: { kind: 'refused', path, reason } };
    }
    const scope = this.options.writeScopes?.[context.role] ?? defaultWriteScopes[context.role];
    const outOfScope =
      checkWriteScope(context.role, scope, checked.rel) ?? checkWriteScope(context.role, scope, checked.realRel);
    if (outOfScope !== undefined) return { outcome: { kind: 'refused', path, reason: outOfScope } };
    const tooLarge = this.sizeRefusal(path, editInputBytes(edit));
    if (tooLarge) return { outcome: tooLarge };
    const base = await this.readBase(path, context.signal);
    if (base.kind === 'unreadable') return { outcome: { kind: 'invalid', path, message: base.message } };
    const draft = draftEdit({ ...edit, path }, base.text);
    if (!draft.ok) return { outcome: { kind: 'invalid', path, message: draft.message } };
    const draftTooLarge = this.sizeRefusal(path, Buffer.byteLength(draft.proposedText ?? ''));
    if (draftTooLarge) return { outcome: draftTooLarge };
    return {
      proposal: {
        id: (this.options.newId ?? randomUUID)(),
        revision: 0,
        taskKey: context.taskKey,
        workerId: context.workerId,
        role: context.role,
        path,
        kind: draft.kind,
        edit: { ...edit, path },
        baseHash: base.text === null ? null : sha256(base.text),
        baseText: base.text,
        proposedText: draft.proposedText,
        ...(context.reason !== undefined ? { reason: context.reason } : {}),
        createdAt: this.now(),
        state: { name: 'drafted' },
      },
    };
  }

  /** One round: the proposal is recorded and decided; an accepted one is applied unless its file changed meanwhile. */
  private async review(
    drafted: Proposal,
    context: ProposeContext,
  ): Promise<
    { kind: 'ended'; outcome: GateOutcome } | { kind: 'stale'; proposal: Proposal; currentText: string | null }
  > {
    // Records this round appends without waiting for the disk: the write-ahead record before the file is
    // touched vouches for them (the journal keeps order); every way out of the round waits for them.
    const ahead: Promise<void>[] = [];
    const settled = async (): Promise<void> => {
      await Promise.all(ahead);
    };
    const ended = async (outcome: GateOutcome) => {
      await settled();
      return { kind: 'ended' as const, outcome };
    };
    ahead.push(
      this.appendAhead({
        type: 'proposal-made',
        at: this.now(),
        proposalId: drafted.id,
        revision: drafted.revision,
        taskKey: drafted.taskKey,
        workerId: drafted.workerId,
        role: drafted.role,
        path: drafted.path,
        kind: drafted.kind,
        baseHash: drafted.baseHash,
      }),
    );
    let proposal = transition(drafted, { name: 'pending' });
    const obtained = await this.obtainDecision(proposal, context.signal);
    switch (obtained.kind) {
      case 'needs-approval':
        return ended({ kind: 'needs-approval', proposal });
      case 'cancelled':
        await this.recordDecision(proposal, 'cancelled', undefined);
        return ended({ kind: 'cancelled', proposal });
      case 'decided':
        break;
      default:
        return assertNever(obtained);
    }
    const { decision, by } = obtained;
    if (decision.kind === 'reject') {
      proposal = transition(proposal, { name: 'rejected', feedback: decision.feedback });
      await this.recordDecision(proposal, 'rejected', by, decision.feedback);
      return ended({ kind: 'rejected', proposal, feedback: decision.feedback });
    }
    const withEdits = decision.kind === 'accept-with-edits';
    proposal = transition(
      proposal,
      withEdits ? { name: 'accepted-with-edits', content: decision.content } : { name: 'accepted', by },
    );
    ahead.push(this.recordDecision(proposal, withEdits ? 'accepted-with-edits' : 'accepted', by));
    const text = withEdits ? decision.content : proposal.proposedText;
    const accepted = proposal;
    const applied = await this.withPathLock(proposal.path, () => this.apply(accepted, text, context.signal));
    switch (applied.kind) {
      case 'applied':
        this.emitter.fire({ type: 'applied', proposal: applied.proposal });
        return ended({
          kind: 'applied',
          proposal: applied.proposal,
          decidedBy: by,
          writtenText: text,
          ...(withEdits ? { userEditsDiff: userEditsDiff(proposal, decision.content) } : {}),
        });
      case 'unreadable':
        return ended({ kind: 'invalid', path: proposal.path, message: applied.message });
      case 'stale':
        await settled();
        return { kind: 'stale', proposal, currentText: applied.currentText };
      default:
        return assertNever(applied);
    }
  }

  /**
   * The file changed since the proposal was made: never apply blindly. A replacement that still matches once
   * is re-diffed onto the new base (a bounded number of times) and asked again; anything else ends stale.
   */
  private async redraftStale(
    accepted: Proposal,
    currentText: string | null,
  ): Promise<{ proposal: Proposal } | { outcome: GateOutcome }> {
    let proposal = transition(accepted, { name: 'stale', previousBaseHash: accepted.baseHash });
    await this.recordDecision(proposal, 'stale', undefined);
    const redraft =
      proposal.edit.kind === 'replace' && proposal.revision < (this.options.maxRediffs ?? 3)
        ? draftEdit(proposal.edit, currentText)
        : undefined;
    if (!redraft?.ok) {
      const why = redraft && !redraft.ok ? ` ${redraft.message}` : '';
      proposal = transition(proposal, { name: 'rejected', feedback: 'stale' });
      return {
        outcome: {
          kind: 'stale',
          proposal,
          message: `${proposal.path} changed since the edit was proposed, so it was not applied.${why} Read the file again and propose the edit against its current content.`,
        },
      };
    }
    return {
      proposal: {
        ...proposal,
        revision: proposal.revision + 1,
        kind: redraft.kind,
        baseHash: currentText === null ? null : sha256(currentText),
        baseText: currentText,
        proposedText: redraft.proposedText,
      },
    };
  }

  private async obtainDecision(proposal: Proposal, signal: AbortSignal): Promise<Obtained> {
    const { policy } = this.options;
    if (policy === 'auto-approve-all' || (policy === 'auto-approve-tests' && this.testPaths.matches(proposal.path))) {
      return { kind: 'decided', decision: { kind: 'accept' }, by: 'policy' };
    }
    if (!this.options.approver && this.options.unattended) return { kind: 'needs-approval' };
    if (signal.aborted) return { kind: 'cancelled' };

    const asking = new AbortController();
    const result = new Promise<Obtained>((resolve) => {
      const settle = (obtained: Obtained): void => {
        if (!this.waiting.delete(proposal.id)) return;
        signal.removeEventListener('abort', onAbort);
        asking.abort();
        resolve(obtained);
      };
      const onAbort = (): void => settle({ kind: 'cancelled' });
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(proposal.id, {
        proposal,
        settle: (decision) => settle({ kind: 'decided', decision, by: 'user' }),
      });
      const approver = this.options.approver;
      if (approver) {
        approver.decide(proposal, AbortSignal.any([signal, asking.signal])).then(
          (decision) => settle({ kind: 'decided', decision, by: 'user' }),
          // An approver that fails (or gave up because the proposal was decided elsewhere) leaves it to `decide`/abort,
          // unless the run is cancelled, which `onAbort` handles.
          (error: unknown) => {
            if (!asking.signal.aborted && !signal.aborted) this.options.onListenerError?.(error);
          },
        );
      }
    });
    this.emitter.fire({ type: 'pending', proposal });
    return result;
  }

  private async apply(proposal: Proposal, text: string | null, signal: AbortSignal): Promise<Applied> {
    const { workspace, journal } = this.options;
    const current = await this.readBase(proposal.path, signal);
    if (current.kind === 'unreadable') return current;
    const currentHash = current.text === null ? null : sha256(current.text);
    if (currentHash !== proposal.baseHash) return { kind: 'stale', currentText: current.text };

    // Write-ahead: the pre-image and the intent are durable before the file is touched. The content written is
    // kept too: it is the task's evidence, and the base `verify` measures drift from.
    const [preImage, postImage] = await Promise.all([
      proposal.baseText === null ? ({ kind: 'none' } as const) : journal.storeBlob(proposal.baseText),
      text === null ? undefined : journal.storeBlob(text),
    ]);
    const writtenHash = text === null ? null : sha256(text);
    const mode = text === null ? await this.modeOf(proposal.path, signal) : undefined;
    await journal.append({
      type: 'edit-applying',
      at: this.now(),
      proposalId: proposal.id,
      taskKey: proposal.taskKey,
      path: proposal.path,
      kind: proposal.kind,
      preImage,
      writtenHash,
      ...(postImage !== undefined ? { postImage } : {}),
      ...(mode !== undefined ? { mode } : {}),
    });
    // The write itself must not be abandoned half-way by a cancel: the signal is not passed on.
    const done =
      text === null
        ? await workspace.delete(proposal.path, new AbortController().signal)
        : await workspace.writeAtomic(proposal.path, text, new AbortController().signal);
    if (done.kind === 'refused') return { kind: 'unreadable', message: done.reason };
    // Not awaited: the worker goes on while it reaches the disk. Whatever the task records next (its evidence
    // before the tick, above all) is behind it in the journal, so nothing can count the edit as applied before
    // this record is on disk; a crash before it leaves the edit in doubt, which resume settles from the disk.
    void this.appendAhead({ type: 'edit-applied', at: this.now(), proposalId: proposal.id });
    return { kind: 'applied', proposal: transition(proposal, { name: 'applied', writtenHash }) };
  }

  /** A file's permission bits, when the workspace has them. */
  private async modeOf(path: string, signal: AbortSignal): Promise<number | undefined> {
    const stat = await this.options.workspace.stat(path, signal);
    return stat.kind === 'file' ? stat.mode : undefined;
  }

  private async readBase(
    path: string,
    signal: AbortSignal,
  ): Promise<{ kind: 'ok'; text: string | null } | { kind: 'unreadable'; message: string }> {
    const read = await this.options.workspace.read(path, signal);
    switch (read.kind) {
      case 'text':
        return { kind: 'ok', text: read.text };
      case 'not-found':
        return { kind: 'ok', text: null };
      case 'binary':
        return { kind: 'unreadable', message: `${path} is a binary file; agents can only edit text files.` };
      case 'too-large':
        return {
          kind: 'unreadable',
          message: `${path} is too large to edit (${read.size} bytes, limit ${read.limit}).`,
        };
      case 'not-a-file':
        return { kind: 'unreadable', message: `${path} is a folder, not a file.` };
      case 'refused':
        return { kind: 'unreadable', message: read.reason };
      default:
        return assertNever(read);
    }
  }

  /**
   * Appends a record without waiting for it: its failure is left to the record that vouches for it (the journal
   * writes nothing after a record it lost, so that one fails too), never unhandled.
   */
  private appendAhead(record: JournalRecord): Promise<void> {
    const appended = this.options.journal.append(record);
    appended.catch(noteOnly);
    return appended;
  }

  /** Resolves once the decision is on disk; the faces are told at once. */
  private recordDecision(
    proposal: Proposal,
    outcome: ProposalOutcome,
    by: 'user' | 'policy' | undefined,
    feedback?: string,
  ): Promise<void> {
    const recorded = this.appendAhead({
      type: 'proposal-decided',
      at: this.now(),
      proposalId: proposal.id,
      outcome,
      ...(by !== undefined ? { by } : {}),
      ...(feedback !== undefined ? { feedback } : {}),
    });
    this.emitter.fire({ type: 'decided', proposal, outcome });
    return recorded;
  }

  /** Serialises re-read + write per file, so two proposals for one path cannot both pass the base check. */
  private async withPathLock<T>(path: string, work: () => Promise<T>): Promise<T> {
    const previous = this.pathLocks.get(path) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.pathLocks.set(path, next);
    try {
      return await next;
    } finally {
      if (this.pathLocks.get(path) === next) this.pathLocks.delete(path);
    }
  }

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }
}

/** A failure left to a later record: see `appendAhead`. */
function noteOnly(): void {
  // The record that vouches for this one fails with the same journal error and reports it.
}

/** A compact unified diff from what the agent proposed to what the user had written instead. */
export function userEditsDiff(proposal: Proposal, written: string): string {
  return createTwoFilesPatch(
    `${proposal.path} (proposed)`,
    `${proposal.path} (written)`,
    proposal.proposedText ?? '',
    written,
    undefined,
    undefined,
    { context: 2 },
  );
}
