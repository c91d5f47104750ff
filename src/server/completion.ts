import { CompletionItemKind, type CompletionItem, type Position, type Range } from 'vscode-languageserver/node';
import { isParallelLabel, matchCheckboxLine, matchTaskHead, storyOfLabel } from '../core/speckit/tasks-line';
import { nextFreeTaskId, numberBefore } from './task-ids';
import type { TasksAnalysis } from './tasks-analysis';

const PARTIAL_ID = /^(?:T\d*)?$/;
const PARTIAL_LABEL = /^(?:\[[\w ]*)?$/;

/**
 * Completion on a task line: the next free id right after `- [ ] `, then `[P]` and the story labels spec.md
 * defines (each only while the task has none of that kind yet).
 */
export function completionsAt(analysis: TasksAnalysis, position: Position): CompletionItem[] {
  const prefix = (analysis.lines[position.line] ?? '').slice(0, position.character);
  const checkbox = matchCheckboxLine(prefix);
  // The id goes after `- [ ] `: at least one blank after the bracket.
  if (!checkbox || prefix.length <= checkbox.bracketStart + 3) return [];
  const replaceFrom = (start: number): Range => ({ start: { line: position.line, character: start }, end: position });

  const rest = prefix.slice(checkbox.contentStart);
  if (PARTIAL_ID.test(rest)) {
    const id = nextFreeTaskId(analysis.document.tasks, numberBefore(analysis.document.tasks, position.line));
    return [
      {
        label: id,
        kind: CompletionItemKind.Constant,
        detail: 'next free task id',
        textEdit: { range: replaceFrom(checkbox.contentStart), newText: `${id} ` },
        sortText: '0',
      },
    ];
  }

  const head = matchTaskHead(prefix, checkbox.contentStart);
  if (!head || !PARTIAL_LABEL.test(prefix.slice(head.descriptionStart))) return [];
  const range = replaceFrom(head.descriptionStart);
  const items: CompletionItem[] = [];
  if (!head.labels.some((l) => isParallelLabel(l.text))) {
    items.push({
      label: '[P]',
      kind: CompletionItemKind.Keyword,
      detail: 'can run in parallel (different files, no dependencies)',
      textEdit: { range, newText: '[P] ' },
      sortText: '1',
    });
  }
  if (analysis.specStories.kind === 'known' && !head.labels.some((l) => storyOfLabel(l.text) !== undefined)) {
    for (const story of analysis.specStories.stories) {
      items.push({
        label: `[${story.label}]`,
        kind: CompletionItemKind.EnumMember,
        detail: `User Story ${story.number}: ${story.title}${story.priority ? ` (${story.priority})` : ''}`,
        textEdit: { range, newText: `[${story.label}] ` },
        sortText: `2${String(story.number).padStart(4, '0')}`,
      });
    }
  }
  return items;
}
