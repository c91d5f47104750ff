import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver/node';
import type { Range } from '../core/speckit/tasks-model';
import type { TasksAnalysis } from './tasks-analysis';
import { taskRange } from '../core/speckit/task-ranges';

function fold(range: Range, kind?: FoldingRangeKind): FoldingRange | undefined {
  // A fold needs at least two lines; trailing blank lines stay visible under the folded heading.
  if (range.end.line <= range.start.line) return undefined;
  return kind === undefined
    ? { startLine: range.start.line, endLine: range.end.line }
    : { startLine: range.start.line, endLine: range.end.line, kind };
}

/** One fold per phase and per non-phase section, one per subsection, one per task with continuation lines. */
export function foldingRanges(analysis: TasksAnalysis): FoldingRange[] {
  const { phases, sections, tasks } = analysis.document;
  const ranges = [
    ...phases.flatMap((p) => [fold(p.range, FoldingRangeKind.Region), ...p.subsections.map((s) => fold(s.range))]),
    ...sections.map((s) => fold(s.range, FoldingRangeKind.Region)),
    ...tasks.map((t) => fold(taskRange(t))),
  ];
  return ranges.filter((r): r is FoldingRange => r !== undefined).sort((a, b) => a.startLine - b.startLine);
}
