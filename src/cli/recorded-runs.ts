import { readdir } from 'node:fs/promises';
import { runsDirFor, stateDirFor } from '../core/engine/journal/state-dir';

/**
 * Ids of the runs recorded under a project, oldest first (ids sort by start time). The facade offers
 * `findInterruptedRuns` but no list of finished runs, which `--rollback` without an id needs; this reads the
 * run folder names only, never a journal.
 */
export async function listRecordedRuns(root: string): Promise<string[]> {
  try {
    const entries = await readdir(runsDirFor(stateDirFor(root)), { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return [];
    throw error;
  }
}
