import type { ProposalKind, ProposalView } from '../../../protocol/engine-events';
import type { ProposalContent } from '../../ports/consent';
import type { EditRequest, Proposal, ProposalState, ProposalStateName } from '../../ports/edit-gate';

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

/** A proposal as the faces list it (no texts). */
export function proposalView(p: Proposal): ProposalView {
  return {
    id: p.id,
    taskKey: p.taskKey,
    workerId: p.workerId,
    role: p.role,
    path: p.path,
    kind: p.kind,
    ...(p.reason !== undefined ? { reason: p.reason } : {}),
    createdAt: p.createdAt,
  };
}

/** A proposal with both texts, for a face to show as a diff. */
export function proposalContent(p: Proposal): ProposalContent {
  return {
    id: p.id,
    taskKey: p.taskKey,
    role: p.role,
    path: p.path,
    kind: p.kind,
    base: p.baseText ?? undefined,
    proposed: p.proposedText ?? undefined,
    ...(p.reason !== undefined ? { reason: p.reason } : {}),
  };
}
