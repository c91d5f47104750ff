import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import type { Phase, Task } from '../core/speckit/tasks-model';
import type { TasksAnalysis } from './tasks-analysis';
import { taskIdRange, taskRange } from '../core/speckit/task-ranges';

function taskSymbol(task: Task): DocumentSymbol {
  const labels = task.labels.map((l) => `[${l}]`).join(' ');
  return {
    name: task.id,
    detail: `${task.done ? '✓ ' : ''}${labels ? `${labels} ` : ''}${task.description}`,
    kind: SymbolKind.Event,
    range: taskRange(task),
    selectionRange: taskIdRange(task),
  };
}

function phaseSymbol(phase: Phase, analysis: TasksAnalysis): DocumentSymbol {
  const tasks = phase.taskKeys.map((key) => analysis.tasksByKey.get(key)).filter((t): t is Task => t !== undefined);
  const loose: DocumentSymbol[] = [];
  const subsections: DocumentSymbol[] = phase.subsections.map((s) => ({
    name: s.title,
    kind: SymbolKind.Namespace,
    range: s.range,
    selectionRange: s.headingRange,
    children: [],
  }));
  for (const task of tasks) {
    // A subsection holds the tasks that start inside it; the rest hang off the phase itself.
    const owner = subsections.find((s) => task.line >= s.range.start.line && task.line <= s.range.end.line);
    (owner?.children ?? loose).push(taskSymbol(task));
  }
  const done = tasks.filter((t) => t.done).length;
  return {
    name: phase.heading,
    detail: `${done}/${tasks.length} done`,
    kind: SymbolKind.Module,
    range: phase.range,
    selectionRange: phase.headingRange,
    children: [...loose, ...subsections].sort((a, b) => a.range.start.line - b.range.start.line),
  };
}

/** The outline: phases → subsections → tasks, then the other `##` sections; tasks outside any phase at the top. */
export function documentSymbols(analysis: TasksAnalysis): DocumentSymbol[] {
  const { phases, sections, tasks } = analysis.document;
  const symbols = [
    ...phases.map((p) => phaseSymbol(p, analysis)),
    ...sections.map((s): DocumentSymbol => ({
      name: s.title,
      kind: SymbolKind.String,
      range: s.range,
      selectionRange: s.headingRange,
      children: [],
    })),
  ];
  for (const task of tasks) {
    if (task.phaseIndex !== undefined) continue;
    const section = symbols.find(
      (s) => s.kind === SymbolKind.String && task.line >= s.range.start.line && task.line <= s.range.end.line,
    );
    (section?.children ?? symbols).push(taskSymbol(task));
  }
  return symbols.sort((a, b) => a.range.start.line - b.range.start.line);
}
