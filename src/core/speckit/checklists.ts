import { basename } from 'node:path';
import type { Feature } from './feature-documents';
import { markdownLines } from './markdown-lines';
import { readTextFile } from './read-text-file';
import type { WorkspaceDiagnostic } from './workspace-diagnostic';

export interface ChecklistStatus {
  /** Absolute path of `checklists/<name>.md`. */
  readonly file: string;
  readonly total: number;
  readonly checked: number;
  readonly unchecked: number;
}

/**
 * spec-kit's /implement counts every checklist item before it starts and asks the user to confirm when
 * any is unchecked; `pass` is that condition (no checklists at all passes). An unreadable checklist fails
 * the gate: nobody can say it is complete.
 */
export interface ChecklistGate {
  readonly checklists: readonly ChecklistStatus[];
  readonly pass: boolean;
  readonly diagnostics: readonly WorkspaceDiagnostic[];
}

const ITEM = /^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\]/;

/** Counts `- [ ]` / `- [x]` / `- [X]` items (any bullet, ordered too) outside fenced code. */
export function countChecklistItems(text: string): { total: number; checked: number; unchecked: number } {
  let checked = 0;
  let unchecked = 0;
  for (const { text: line, inFence } of markdownLines(text)) {
    if (inFence) continue;
    const mark = ITEM.exec(line)?.[1];
    if (mark === undefined) continue;
    if (mark === ' ') unchecked++;
    else checked++;
  }
  return { total: checked + unchecked, checked, unchecked };
}

export async function readChecklistGate(feature: Feature, signal: AbortSignal): Promise<ChecklistGate> {
  const checklists: ChecklistStatus[] = [];
  const diagnostics: WorkspaceDiagnostic[] = [];
  for (const file of feature.documents.checklists) {
    const read = await readTextFile(file, signal);
    if (read.kind === 'ok') {
      checklists.push({ file, ...countChecklistItems(read.text) });
    } else {
      const reason = read.kind === 'missing' ? 'file vanished while reading' : read.reason;
      diagnostics.push({
        severity: 'error',
        code: 'checklist-unreadable',
        file,
        message: `cannot read checklist ${basename(file)}: ${reason}`,
      });
    }
  }
  const pass = diagnostics.length === 0 && checklists.every((c) => c.unchecked === 0);
  return { checklists, pass, diagnostics };
}
