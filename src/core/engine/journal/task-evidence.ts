/**
 * The evidence behind a tick, composed from what the run's journal already holds: the task's edits still in
 * effect (hashes, and the hunk rebuilt from the pre- and post-image blobs), who approved each, the commands
 * its worker ran, the models and the cost. Pure over its inputs, so a resumed run composes the same record
 * for edits an earlier session applied.
 */
import type { ApprovalPolicy, UsageTotals } from '../../../protocol/engine-events';
import type {
  CompletionAcceptance,
  EvidenceApproval,
  EvidenceCommand,
  EvidenceEdit,
  JournalRecordOf,
  PreImageRef,
} from '../../../protocol/journal';
import { unifiedDiff } from '../../evidence/unified-diff';
import { sha256 } from '../../util/sha256';
import type { AppliedEdit, FinishedCommand, ProposalRecord } from './fold';

export interface EvidenceSources {
  /** The task's edits, oldest first (rolled-back and never-confirmed ones are left out here). */
  edits: readonly AppliedEdit[];
  proposals: ReadonlyMap<string, ProposalRecord>;
  /** The run's approval policy: what "approved by policy" means for its edits. */
  policy: ApprovalPolicy | undefined;
  /** Commands the task's workers ran, oldest first. */
  commands: readonly FinishedCommand[];
  models: readonly string[];
  cost: UsageTotals;
  summary?: string;
  readBlob(hash: string): Promise<string | undefined>;
}

/** What the task's workers did, as the run's journal has it: what the completion reviewer judges a claim by. */
export interface WorkDone {
  edits: readonly { path: string; kind: string; hunk: string; hunkTruncated?: boolean }[];
  commands: readonly {
    name: string;
    argv: readonly string[];
    outcome: 'exited' | 'failed-to-start' | 'denied';
    exitCode: number | null;
    timedOut: boolean;
    /** As kept in the journal (head and tail of a long output). */
    output?: string;
  }[];
}

export interface EvidenceTask {
  key: string;
  id: string;
  /** `Task.lineText`: the checkbox line after the checkbox, as ticked. */
  lineText: string;
}

export async function composeTaskEvidence(
  task: EvidenceTask,
  tasksPath: string,
  at: string,
  sources: EvidenceSources,
  acceptance?: CompletionAcceptance,
): Promise<JournalRecordOf<'task-evidence'>> {
  return {
    type: 'task-evidence',
    at,
    taskKey: task.key,
    taskId: task.id,
    tasksPath,
    lineHash: sha256(task.lineText),
    edits: await liveEvidenceEdits(sources),
    commands: sources.commands.map(evidenceCommand),
    models: [...sources.models],
    cost: sources.cost,
    ...(sources.summary !== undefined ? { summary: sources.summary } : {}),
    ...(acceptance ? { acceptance } : {}),
  };
}

/** The task's edits still in effect, each with its hunk and approver. */
async function liveEvidenceEdits(sources: EvidenceSources): Promise<EvidenceEdit[]> {
  const edits: EvidenceEdit[] = [];
  for (const edit of sources.edits) {
    if (edit.rolledBack || edit.inDoubt) continue;
    edits.push(await evidenceEdit(edit, sources));
  }
  return edits;
}

/** What the task's workers did so far, for the completion reviewer: its edits as diffs, its commands with their output. */
export async function composeWorkDone(sources: EvidenceSources): Promise<WorkDone> {
  return {
    edits: (await liveEvidenceEdits(sources)).map((e) => ({
      path: e.path,
      kind: e.kind,
      hunk: e.hunk,
      ...(e.hunkTruncated ? { hunkTruncated: true } : {}),
    })),
    commands: sources.commands.map((c) => ({
      name: c.name,
      argv: c.argv,
      outcome: c.outcome,
      exitCode: c.exitCode,
      timedOut: c.timedOut,
      ...(c.output !== undefined ? { output: c.output } : {}),
    })),
  };
}

async function evidenceEdit(edit: AppliedEdit, sources: EvidenceSources): Promise<EvidenceEdit> {
  const proposal = sources.proposals.get(edit.proposalId);
  const before = await contentOf(edit.preImage, sources);
  const after = edit.writtenHash === null ? null : await contentOf(edit.postImage, sources);
  const hunk =
    before === undefined || after === undefined
      ? {
          text: `(${edit.path}: the ${before === undefined ? 'original' : 'written'} content was not kept)\n`,
          truncated: true,
        }
      : unifiedDiff(edit.path, before, after);
  return {
    proposalId: edit.proposalId,
    path: edit.path,
    kind: edit.kind,
    role: proposal?.role ?? 'code-writer',
    beforeHash: edit.preImage.kind === 'none' ? null : edit.preImage.hash,
    afterHash: edit.writtenHash,
    hunk: hunk.text,
    ...(hunk.truncated ? { hunkTruncated: true } : {}),
    approval: approvalOf(proposal, sources.policy),
  };
}

/** The content a ref names: null for a file that did not exist, undefined when it was not kept. */
async function contentOf(ref: PreImageRef | undefined, sources: EvidenceSources): Promise<string | null | undefined> {
  if (ref === undefined) return undefined;
  switch (ref.kind) {
    case 'none':
      return null;
    case 'too-big':
      return undefined;
    case 'stored':
      return sources.readBlob(ref.hash);
  }
}

function approvalOf(proposal: ProposalRecord | undefined, policy: ApprovalPolicy | undefined): EvidenceApproval {
  const decision = proposal?.decision;
  if (decision?.outcome === 'accepted-with-edits') return { by: 'user', edited: true };
  // A policy only ever accepts under one of the auto-approve policies; `ask` never decides by policy.
  if (decision?.by === 'policy') return { by: 'policy', policy: policy ?? 'auto-approve-all' };
  return { by: 'user', edited: false };
}

function evidenceCommand(command: FinishedCommand): EvidenceCommand {
  return {
    name: command.name,
    argv: command.argv,
    outcome: command.outcome,
    exitCode: command.exitCode,
    timedOut: command.timedOut,
    outputDigest:
      command.outputDigest ??
      (command.outcome === 'denied' || command.output === undefined ? null : sha256(command.output)),
    at: command.at,
  };
}
