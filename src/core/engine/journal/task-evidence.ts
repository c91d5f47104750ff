/**
 * The evidence behind a tick, composed from what the run's journal already holds: the task's edits still in
 * effect (hashes, and the hunk rebuilt from the pre- and post-image blobs), who approved each, the commands
 * its worker ran, the models and the cost. Pure over its inputs, so a resumed run composes the same record
 * for edits an earlier session applied.
 */
import type { ApprovalPolicy, UsageTotals } from '../../../protocol/engine-events';
import type {
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
): Promise<JournalRecordOf<'task-evidence'>> {
  const edits: EvidenceEdit[] = [];
  for (const edit of sources.edits) {
    if (edit.rolledBack || edit.inDoubt) continue;
    edits.push(await evidenceEdit(edit, sources));
  }
  return {
    type: 'task-evidence',
    at,
    taskKey: task.key,
    taskId: task.id,
    tasksPath,
    lineHash: sha256(task.lineText),
    edits,
    commands: sources.commands.map(evidenceCommand),
    models: [...sources.models],
    cost: sources.cost,
    ...(sources.summary !== undefined ? { summary: sources.summary } : {}),
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
