import type { TasksDiagnostic, TasksDocument } from '../speckit/tasks-model';
import { buildTaskGraph, type TaskGraph } from './task-graph';

/**
 * Every diagnostic for a document, parse-level and graph-level, in document order: what the language server
 * publishes and what the CLI prints as warnings.
 */
export function diagnoseTasks(doc: TasksDocument, graph: TaskGraph = buildTaskGraph(doc)): TasksDiagnostic[] {
  return [...doc.diagnostics, ...graph.diagnostics].sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
}
