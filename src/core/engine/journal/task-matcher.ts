import type { JournalTask } from '../../../protocol/journal';

/**
 * How the tasks a journal knows map onto a tasks.md that was regenerated or edited between runs, so progress
 * is carried over or reported, never silently redone or lost.
 */
export type TaskMatch =
  /** Same id and same text. */
  | { kind: 'same'; journal: JournalTask; current: JournalTask }
  /** Same text under another id (the file was renumbered): treated as the same task. */
  | { kind: 'renumbered'; journal: JournalTask; current: JournalTask }
  /** Same id, other text: the task changed; the caller reports it and must not assume earlier progress holds. */
  | { kind: 'reworded'; journal: JournalTask; current: JournalTask }
  /** In the journal, gone from tasks.md. */
  | { kind: 'missing'; journal: JournalTask }
  /** In tasks.md, unknown to the journal. */
  | { kind: 'new'; current: JournalTask };

/** Text as compared: whitespace runs collapsed, case kept (a changed identifier is a changed task). */
export function normaliseTaskText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Matches in three passes, each only over what the earlier ones left: id+text, then text (in file order,
 * so duplicated texts pair up one to one), then id. Pure; every input task appears in exactly one match.
 */
export function matchTasks(journalTasks: readonly JournalTask[], currentTasks: readonly JournalTask[]): TaskMatch[] {
  const matches: TaskMatch[] = [];
  const openJournal = new Set(journalTasks);
  const openCurrent = new Set(currentTasks);

  const pass = (kind: 'same' | 'renumbered' | 'reworded', fits: (j: JournalTask, c: JournalTask) => boolean): void => {
    for (const journal of [...openJournal]) {
      const current = [...openCurrent].find((c) => fits(journal, c));
      if (!current) continue;
      openJournal.delete(journal);
      openCurrent.delete(current);
      matches.push({ kind, journal, current });
    }
  };
  pass('same', (j, c) => j.id === c.id && normaliseTaskText(j.text) === normaliseTaskText(c.text));
  pass('renumbered', (j, c) => normaliseTaskText(j.text) === normaliseTaskText(c.text));
  pass('reworded', (j, c) => j.id === c.id);

  for (const journal of openJournal) matches.push({ kind: 'missing', journal });
  for (const current of openCurrent) matches.push({ kind: 'new', current });
  return matches;
}
