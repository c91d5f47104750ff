/**
 * What the runs did to each file, in order across runs: every applied edit (its content before and after)
 * and every rollback. `followFile` walks it from one task's write to now, to tell "changed since only by
 * later runs" from "changed outside any run".
 */
import { resolve } from 'node:path';
import type { RunRecords } from './evidence-journals';

/** A file's state as a hash: sha256 of its content, or `ABSENT` when there is no file. */
export const ABSENT = 'absent';

export type FileEvent =
  | {
      kind: 'edit';
      runId: string;
      proposalId: string;
      taskKey: string;
      before: string;
      after: string;
      /** The write-ahead record exists, its confirmation does not: the file holds `before` or `after`. */
      inDoubt: boolean;
      at: string;
    }
  | {
      kind: 'rollback';
      runId: string;
      proposalId: string;
      taskKey: string;
      /** What rollback put back (the edit's `before`) and what the edit had written. */
      restored: string;
      written: string;
      /** Overwrote a file that no longer held what the edit wrote (the user agreed). */
      forced: boolean;
      at: string;
    };

export interface FileHistory {
  /** Events by absolute path, in the order they happened. */
  byPath: Map<string, FileEvent[]>;
  /** Where each (run, proposal)'s edit sits: its path and index in that path's events. */
  editAt: Map<string, { path: string; index: number }>;
  /** Proposals a rollback undid, by `runId/proposalId`. */
  rolledBack: Set<string>;
}

export function editKey(runId: string, proposalId: string): string {
  return `${runId}/${proposalId}`;
}

/**
 * Builds the history from every run. Each journal keeps its own order; journals are merged by record time
 * (so a clock that stepped back inside one run cannot reorder that run's records).
 */
export function buildFileHistory(runs: readonly RunRecords[]): FileHistory {
  const perRun = runs.map((run) => ({ run, events: eventsOf(run) }));
  const history: FileHistory = { byPath: new Map(), editAt: new Map(), rolledBack: new Set() };
  const next = perRun.map(() => 0);
  for (;;) {
    let pick = -1;
    for (let i = 0; i < perRun.length; i++) {
      const event = perRun[i]?.events[next[i] ?? 0];
      if (event === undefined) continue;
      const best = pick < 0 ? undefined : perRun[pick]?.events[next[pick] ?? 0];
      if (best === undefined || event.event.at < best.event.at) pick = i;
    }
    if (pick < 0) break;
    const index = next[pick] ?? 0;
    next[pick] = index + 1;
    const item = perRun[pick]?.events[index];
    if (!item) break;
    const events = history.byPath.get(item.path) ?? [];
    history.byPath.set(item.path, events);
    events.push(item.event);
    const key = editKey(item.event.runId, item.event.proposalId);
    if (item.event.kind === 'edit') history.editAt.set(key, { path: item.path, index: events.length - 1 });
    else history.rolledBack.add(key);
  }
  return history;
}

function eventsOf(run: RunRecords): { path: string; event: FileEvent }[] {
  const out: { path: string; event: FileEvent }[] = [];
  const edits = new Map<string, { path: string; event: Extract<FileEvent, { kind: 'edit' }> }>();
  for (const record of run.records) {
    switch (record.type) {
      case 'edit-applying': {
        const event: Extract<FileEvent, { kind: 'edit' }> = {
          kind: 'edit',
          runId: run.runId,
          proposalId: record.proposalId,
          taskKey: record.taskKey,
          before: record.preImage.kind === 'none' ? ABSENT : record.preImage.hash,
          after: record.writtenHash ?? ABSENT,
          inDoubt: true,
          at: record.at,
        };
        const item = { path: resolve(run.root, record.path), event };
        edits.set(record.proposalId, item);
        out.push(item);
        break;
      }
      case 'edit-applied': {
        const edit = edits.get(record.proposalId);
        if (edit) edit.event.inDoubt = false;
        break;
      }
      case 'edit-rolled-back': {
        const edit = edits.get(record.proposalId);
        if (!edit) break;
        out.push({
          path: edit.path,
          event: {
            kind: 'rollback',
            runId: run.runId,
            proposalId: record.proposalId,
            taskKey: edit.event.taskKey,
            restored: edit.event.before,
            written: edit.event.after,
            forced: record.forced === true,
            at: record.at,
          },
        });
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** How a file came to differ from what a task wrote. */
export type FileBreak =
  | {
      /** Changed outside any run: between `expected` and the next run's edit (which found `found`), or since. */
      kind: 'outside-change';
      expected: string;
      found: string;
      /** The run edit that found the change, when it was found before now. */
      before?: Extract<FileEvent, { kind: 'edit' }>;
    }
  | {
      /** A rollback the user forced put the file back to an older content over this one. */
      kind: 'forced-rollback';
      expected: string;
      found: string;
      rollback: Extract<FileEvent, { kind: 'rollback' }>;
    };

export type FileVerdict =
  { kind: 'holds'; later: FileEvent[] } | { kind: 'broken'; break: FileBreak; later: FileEvent[] };

/**
 * Does `current` follow from the task's write (`after`, at `start` in the file's events) through run events
 * only? Each later event must start from a state the walk allows; an in-doubt edit allows both its sides.
 */
export function followFile(events: readonly FileEvent[], start: number, after: string, current: string): FileVerdict {
  if (current === after) return { kind: 'holds', later: [] };
  let possible = new Set([after]);
  const later: FileEvent[] = [];
  for (const event of events.slice(start + 1)) {
    const expected = [...possible][0] ?? after;
    switch (event.kind) {
      case 'edit':
        if (!possible.has(event.before))
          return {
            kind: 'broken',
            break: { kind: 'outside-change', expected, found: event.before, before: event },
            later,
          };
        possible = new Set(event.inDoubt ? [event.before, event.after] : [event.after]);
        break;
      case 'rollback':
        if (!possible.has(event.written) && !possible.has(event.restored)) {
          if (event.forced)
            return {
              kind: 'broken',
              break: { kind: 'forced-rollback', expected, found: event.restored, rollback: event },
              later,
            };
          // An unforced rollback only touches a file holding what the edit wrote (or already its original).
          return { kind: 'broken', break: { kind: 'outside-change', expected, found: event.written }, later };
        }
        possible = new Set([event.restored]);
        break;
    }
    later.push(event);
  }
  if (possible.has(current)) return { kind: 'holds', later };
  return {
    kind: 'broken',
    break: { kind: 'outside-change', expected: [...possible][0] ?? after, found: current },
    later,
  };
}
