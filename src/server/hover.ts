import { MarkupKind, type Hover, type Position } from 'vscode-languageserver/node';
import type { Task } from '../core/speckit/tasks-model';
import type { TaskRunStatus } from '../protocol/lsp-messages';
import { taskIdAt } from './task-ids';
import type { TasksAnalysis } from './tasks-analysis';

function describeStatus(status: TaskRunStatus): string {
  const who = [status.workerId, status.role].filter((s): s is string => s !== undefined).join(', ');
  return `**Run status:** ${status.status}${who ? ` (${who})` : ''}${status.message ? ` — ${status.message}` : ''}`;
}

function describeTask(task: Task, analysis: TasksAnalysis, status: TaskRunStatus | undefined): string {
  const phase = task.phaseIndex === undefined ? undefined : analysis.document.phases[task.phaseIndex];
  const labels = task.labels.map((l) => `[${l}]`).join(' ');
  const parts = [
    `**${task.id}**${labels ? ` ${labels}` : ''}${task.done ? ' ✓ done' : ''} — line ${task.line + 1}`,
    task.description,
    `**Phase:** ${phase ? phase.heading : '(none)'}${task.subsection ? ` › ${task.subsection.title}` : ''}`,
  ];
  if (task.details.length > 0) parts.push(task.details.map((d) => `- ${d}`).join('\n'));
  if (task.files.length > 0) parts.push(`**Files:** ${task.files.map((f) => `\`${f}\``).join(', ')}`);
  const dependencies = dependenciesOf(task, analysis);
  if (dependencies.length > 0) parts.push(`**Depends on:** ${dependencies.join(', ')}`);
  if (status) parts.push(describeStatus(status));
  return parts.join('\n\n');
}

/**
 * The ids a task waits for because the file says so: its own text (as written, even where the graph ignores a
 * dependency on a later phase) and the Dependencies section's statements; not the implicit phase order.
 */
export function dependenciesOf(task: Task, analysis: TasksAnalysis): string[] {
  const fromStatements = analysis.graph
    .dependenciesOf(task.key)
    .filter((edge) => edge.reason === 'explicit')
    .map((edge) => analysis.tasksByKey.get(edge.key)?.id)
    .filter((id): id is string => id !== undefined);
  // The graph keeps one reason per pair, so a statement that repeats the document order reads as `sequence`.
  const restated = analysis.document.dependencyStatements
    .filter((st) => st.after.some((ref) => ref.kind === 'id' && ref.id === task.id))
    .flatMap((st) => st.before.flatMap((ref) => (ref.kind === 'id' ? [ref.id] : [])));
  return [...new Set([...task.dependsOn, ...fromStatements, ...restated])];
}

/** Hover on any task id in the file: in its own line, in "depends on T012", in the Dependencies section. */
export function hoverAt(analysis: TasksAnalysis, position: Position, statusOf: (taskId: string) => TaskRunStatus | undefined): Hover | null {
  const token = taskIdAt(analysis.lines[position.line] ?? '', position.character);
  if (!token) return null;
  const range = { start: { line: position.line, character: token.start }, end: { line: position.line, character: token.end } };
  const tasks = analysis.tasksById.get(token.id) ?? [];
  const [first] = tasks;
  if (!first) {
    return { range, contents: { kind: MarkupKind.Markdown, value: `**${token.id}**: no task with this id in this file.` } };
  }
  const duplicates = tasks.length > 1 ? `\n\n⚠ ${token.id} is used by ${tasks.length} tasks (lines ${tasks.map((t) => t.line + 1).join(', ')}).` : '';
  return { range, contents: { kind: MarkupKind.Markdown, value: describeTask(first, analysis, statusOf(first.id)) + duplicates } };
}
