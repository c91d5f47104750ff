import type { ProposalKind, WorkerRole } from '../../../protocol/engine-events';

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

const allowed: Readonly<Record<ProposalStateName, readonly ProposalStateName[]>> = {
  drafted: ['pending'],
  pending: ['accepted', 'accepted-with-edits', 'rejected', 'stale'],
  accepted: ['applied', 'stale'],
  'accepted-with-edits': ['applied', 'stale'],
  stale: ['pending', 'rejected'],
  rejected: [],
  applied: ['rolled-back'],
  'rolled-back': [],
};

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

export class InvalidProposalTransitionError extends Error {
  constructor(from: ProposalStateName, to: ProposalStateName) {
    super(`a proposal cannot go from ${from} to ${to}`);
    this.name = 'InvalidProposalTransitionError';
  }
}

/** Moves a proposal to a new state, or throws when the state machine forbids it (a bug in the gate). */
export function transition(proposal: Proposal, next: ProposalState): Proposal {
  if (!allowed[proposal.state.name].includes(next.name))
    throw new InvalidProposalTransitionError(proposal.state.name, next.name);
  return { ...proposal, state: next };
}

/** Either the new text for the file (null = delete), or why the edit cannot apply to this base. */
export type DraftResult =
  { ok: true; kind: ProposalKind; proposedText: string | null } | { ok: false; message: string };

/**
 * Applies an edit request to a base text (null = the file does not exist). Pure. Refusals are worded for the
 * agent, so it can correct its call: e.g. how often `old_string` occurs.
 */
export function draftEdit(edit: EditRequest, base: string | null): DraftResult {
  switch (edit.kind) {
    case 'replace': {
      if (base === null)
        return { ok: false, message: `${edit.path} does not exist; use kind "create" to make a new file.` };
      if (edit.oldString === '')
        return { ok: false, message: 'old_string is empty; give the exact text to replace (or use kind "write").' };
      const count = countOccurrences(base, edit.oldString);
      if (count === 0) {
        return {
          ok: false,
          message: `old_string was not found in ${edit.path}. Read the file again and copy the exact text, including whitespace and indentation.`,
        };
      }
      if (count > 1) {
        return {
          ok: false,
          message: `old_string occurs ${count} times in ${edit.path}; include more surrounding lines so it matches exactly once.`,
        };
      }
      const at = base.indexOf(edit.oldString);
      return {
        ok: true,
        kind: 'modify',
        proposedText: base.slice(0, at) + edit.newString + base.slice(at + edit.oldString.length),
      };
    }
    case 'write':
      return { ok: true, kind: base === null ? 'create' : 'modify', proposedText: edit.content };
    case 'create':
      if (base !== null)
        return {
          ok: false,
          message: `${edit.path} already exists; read it and use kind "replace" or "write" to change it.`,
        };
      return { ok: true, kind: 'create', proposedText: edit.content };
    case 'delete':
      if (base === null) return { ok: false, message: `${edit.path} does not exist, so there is nothing to delete.` };
      return { ok: true, kind: 'delete', proposedText: null };
  }
}

/** Non-overlapping occurrences. */
export function countOccurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}
