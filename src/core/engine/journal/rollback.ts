import type { RunJournal } from './run-store';
import type { AppliedEdit, RunState } from './fold';
import { liveEdits } from './fold';
import { sha256 } from './hash';
import type { Workspace } from '../../ports/workspace';

export interface RollbackRequest {
  /** Only this task's edits; the whole run when absent. */
  taskKey?: string;
  /**
   * Overwrite files the user changed after the run: `true` for all, or the paths the user agreed to (a face
   * asks per conflict, then calls again with those paths).
   */
  force?: boolean | readonly string[];
}

/** A file the user changed after the run wrote it: left alone; both sides given so a face can show a diff. */
export interface RollbackConflict {
  path: string;
  proposalId: string;
  taskKey: string;
  /** The file now; null when the user deleted it. */
  current: string | null;
  /** What rollback would make it; null when rollback would delete it (the run created it). */
  restore: string | null;
}

export interface RollbackReport {
  restored: string[];
  deleted: string[];
  /** Already as before the run (e.g. an in-doubt edit whose write never happened). */
  unchanged: string[];
  conflicts: RollbackConflict[];
  /** Files rollback cannot put back, with the reason (pre-image over the size cap, blob gone, not text now). */
  unrestorable: { path: string; reason: string }[];
}

export interface RollbackDeps {
  workspace: Workspace;
  /** For reading pre-images and recording `edit-rolled-back`, so a second rollback does not redo work. */
  journal: Pick<RunJournal, 'append' | 'readBlob'>;
  now: () => Date;
  signal: AbortSignal;
}

/**
 * Rolls back a run (or one task of it) by walking its applied edits backwards: each file gets its pre-image
 * back, files the run created are deleted. A file whose content is not what the run wrote (the user edited
 * it since) is NOT overwritten unless forced: it comes back as a conflict. Never touches git.
 */
export async function rollbackRun(
  state: RunState,
  request: RollbackRequest,
  deps: RollbackDeps,
): Promise<RollbackReport> {
  const report: RollbackReport = { restored: [], deleted: [], unchanged: [], conflicts: [], unrestorable: [] };
  const blocked = new Set<string>();
  const edits = liveEdits(state, request.taskKey).reverse();
  for (const edit of edits) {
    deps.signal.throwIfAborted();
    // An earlier edit of a file whose later edit could not be undone must wait: undoing it would skip a step.
    if (blocked.has(edit.path)) continue;
    const outcome = await rollbackEdit(edit, request, deps);
    switch (outcome.kind) {
      case 'restored':
        report.restored.push(edit.path);
        break;
      case 'deleted':
        report.deleted.push(edit.path);
        break;
      case 'unchanged':
        report.unchanged.push(edit.path);
        break;
      case 'conflict':
        blocked.add(edit.path);
        report.conflicts.push(outcome.conflict);
        break;
      case 'unrestorable':
        blocked.add(edit.path);
        report.unrestorable.push({ path: edit.path, reason: outcome.reason });
        break;
    }
  }
  const dedupe = (paths: string[]): string[] => [...new Set(paths)];
  return {
    ...report,
    restored: dedupe(report.restored),
    deleted: dedupe(report.deleted),
    unchanged: dedupe(report.unchanged),
  };
}

type EditRollback =
  | { kind: 'restored' | 'deleted' | 'unchanged' }
  | { kind: 'conflict'; conflict: RollbackConflict }
  | { kind: 'unrestorable'; reason: string };

async function rollbackEdit(edit: AppliedEdit, request: RollbackRequest, deps: RollbackDeps): Promise<EditRollback> {
  const { workspace, journal, signal } = deps;
  const current = await workspace.read(edit.path, signal, { anySize: true });
  let currentText: string | null;
  switch (current.kind) {
    case 'text':
      currentText = current.text;
      break;
    case 'not-found':
      currentText = null;
      break;
    case 'binary':
    case 'too-large':
    case 'not-a-file':
      return { kind: 'unrestorable', reason: `the file is now ${current.kind}; it was left as it is` };
    case 'refused':
      return { kind: 'unrestorable', reason: current.reason };
  }
  const currentHash = currentText === null ? null : sha256(currentText);

  let restore: string | null;
  let preHash: string | null;
  switch (edit.preImage.kind) {
    case 'none':
      restore = null;
      preHash = null;
      break;
    case 'too-big':
      if (currentHash === edit.preImage.hash) return markRolledBack(edit, deps, 'unchanged', false);
      return {
        kind: 'unrestorable',
        reason: `its original (${edit.preImage.size} bytes) was over the ${edit.preImage.limit}-byte limit and was not kept`,
      };
    case 'stored': {
      const blob = await journal.readBlob(edit.preImage.hash);
      if (blob === undefined) return { kind: 'unrestorable', reason: 'its original is missing from the run folder' };
      restore = blob;
      preHash = edit.preImage.hash;
      break;
    }
  }

  if (currentHash === preHash) return markRolledBack(edit, deps, 'unchanged', false);
  const forced = request.force === true || (Array.isArray(request.force) && request.force.includes(edit.path));
  if (currentHash !== edit.writtenHash && !forced) {
    return {
      kind: 'conflict',
      conflict: { path: edit.path, proposalId: edit.proposalId, taskKey: edit.taskKey, current: currentText, restore },
    };
  }
  const isForced = currentHash !== edit.writtenHash;
  if (restore === null) {
    const deleted = await workspace.delete(edit.path, signal);
    if (deleted.kind === 'refused') return { kind: 'unrestorable', reason: deleted.reason };
    return markRolledBack(edit, deps, 'deleted', isForced);
  }
  // A file the edit deleted comes back with its permission bits; a replaced one keeps its own.
  const written = await workspace.writeAtomic(
    edit.path,
    restore,
    signal,
    edit.mode !== undefined ? { mode: edit.mode } : {},
  );
  if (written.kind === 'refused') return { kind: 'unrestorable', reason: written.reason };
  return markRolledBack(edit, deps, 'restored', isForced);
}

async function markRolledBack(
  edit: AppliedEdit,
  deps: RollbackDeps,
  kind: 'restored' | 'deleted' | 'unchanged',
  forced: boolean,
): Promise<EditRollback> {
  await deps.journal.append({
    type: 'edit-rolled-back',
    at: deps.now().toISOString(),
    proposalId: edit.proposalId,
    ...(forced ? { forced } : {}),
  });
  return { kind };
}
