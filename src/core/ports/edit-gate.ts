/**
 * The approval gate as an agent's tools see it: an edit request goes in, a proposal moves through its states,
 * an outcome comes out. The gate itself (src/core/engine/gate) owns the state machine and the disk.
 */
import type { ProposalKind, WorkerRole } from '../../protocol/engine-events';

/** What an agent asks for through `propose_edit`, after schema validation. Paths are as the agent wrote them. */
export type EditRequest =
  /** Replace the one exact occurrence of `oldString`. */
  | { kind: 'replace'; path: string; oldString: string; newString: string }
  /** Write the whole file (creating it when missing). */
  | { kind: 'write'; path: string; content: string }
  /** Create a new file; refused when it exists. */
  | { kind: 'create'; path: string; content: string }
  | { kind: 'delete'; path: string };

/**
 * The Proposal state machine. Only the gate moves it:
 * drafted → pending → accepted | accepted-with-edits | rejected | stale;
 * stale → pending (re-diffed onto the new base) | rejected (could not be re-diffed);
 * accepted | accepted-with-edits → applied | stale; applied → rolled-back.
 */
export type ProposalState =
  | { name: 'drafted' }
  | { name: 'pending' }
  | { name: 'accepted'; by: 'user' | 'policy' }
  | { name: 'accepted-with-edits'; content: string }
  | { name: 'rejected'; feedback: string }
  | { name: 'stale'; previousBaseHash: string | null }
  | { name: 'applied'; writtenHash: string | null }
  | { name: 'rolled-back' };

export type ProposalStateName = ProposalState['name'];

/** One proposed file change, as the gate, the approver and the faces see it. Immutable: transitions copy. */
export interface Proposal {
  readonly id: string;
  /** Increments each time a stale proposal is re-diffed onto a new base. */
  readonly revision: number;
  readonly taskKey: string;
  readonly workerId: string;
  readonly role: WorkerRole;
  /** Normalised workspace-relative path. */
  readonly path: string;
  readonly kind: ProposalKind;
  readonly edit: EditRequest;
  /** sha256 of the file when the proposal was made; null when it did not exist. */
  readonly baseHash: string | null;
  readonly baseText: string | null;
  /** What the file would become; null for a delete. */
  readonly proposedText: string | null;
  /** The worker's own words on why, when it gave them. */
  readonly reason?: string;
  readonly createdAt: string;
  readonly state: ProposalState;
}

/** How a proposal ended, for the agent's tool result (see `describeGateOutcome`) and for the scheduler. */
export type GateOutcome =
  | {
      kind: 'applied';
      proposal: Proposal;
      decidedBy: 'user' | 'policy';
      writtenText: string | null;
      userEditsDiff?: string;
    }
  | { kind: 'rejected'; proposal: Proposal; feedback: string }
  /** Path policy or role scope: nobody was asked. */
  | { kind: 'refused'; path: string; reason: string }
  /** The edit does not apply (old_string missing or ambiguous, create over an existing file, binary file). */
  | { kind: 'invalid'; path: string; message: string }
  /** The file changed under the proposal and it could not be re-diffed. */
  | { kind: 'stale'; proposal: Proposal; message: string }
  /** No policy accepted it and nobody can be asked (unattended run): the CLI's exit 3. */
  | { kind: 'needs-approval'; proposal: Proposal }
  | { kind: 'cancelled'; proposal: Proposal };
