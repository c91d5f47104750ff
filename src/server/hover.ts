import { MarkupKind, type Hover, type Position } from 'vscode-languageserver/node';
import type { Task } from '../core/speckit/tasks-model';
import type { TaskStatusReport } from '../protocol/lsp-messages';
import { describeSpecDefinition, specDefinitionOf, specReferenceAt } from './spec-references';
import { taskIdAt } from './task-ids';
import { taskStatusText } from '../protocol/run-wording';
import { tasksWithId, type TasksAnalysis } from './tasks-analysis';

function describeStatus(status: TaskStatusReport): string {
  const who = [status.workerId, status.role].filter((s): s is string => s !== undefined).join(', ');
  return `**Run status:** ${taskStatusText(status.status)}${who ? ` (${who})` : ''}${status.message ? ` — ${status.message}` : ''}`;
}

function describeTask(task: Task, analysis: TasksAnalysis, status: TaskStatusReport | undefined): string {
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

/**
 * Hover on any task id in the file (in its own line, in "depends on T012", in the Dependencies section), or on
 * what spec.md defines: `FR-001`, `SC-002`, `US1` / `[US1]`.
 */
export function hoverAt(
  analysis: TasksAnalysis,
  position: Position,
  statusOf: (taskId: string) => TaskStatusReport | undefined,
): Hover | null {
  const lineText = analysis.lines[position.line] ?? '';
  const token = taskIdAt(lineText, position.character);
  if (!token) return specHoverAt(analysis, lineText, position);
  const range = {
    start: { line: position.line, character: token.start },
    end: { line: position.line, character: token.end },
  };
  const tasks = tasksWithId(analysis, token.id);
  const [first] = tasks;
  if (!first) {
    return {
      range,
      contents: { kind: MarkupKind.Markdown, value: `**${token.id}**: no task with this id in this file.` },
    };
  }
  const duplicates =
    tasks.length > 1
      ? `\n\n⚠ ${token.id} is used by ${tasks.length} tasks (lines ${tasks.map((t) => t.line + 1).join(', ')}).`
      : '';
  return {
    range,
    contents: { kind: MarkupKind.Markdown, value: describeTask(first, analysis, statusOf(first.id)) + duplicates },
  };
}

function specHoverAt(analysis: TasksAnalysis, lineText: string, position: Position): Hover | null {
  const reference = specReferenceAt(lineText, position.character);
  if (!reference) return null;
  const range = {
    start: { line: position.line, character: reference.start },
    end: { line: position.line, character: reference.end },
  };
  const { specStories } = analysis;
  const definition = specStories.kind === 'known' ? specDefinitionOf(specStories.spec, reference) : undefined;
  const value =
    definition !== undefined
      ? describeSpecDefinition(definition)
      : `**${reference.id}**: ${specStories.kind === 'known' ? 'spec.md does not define it.' : 'no spec.md beside this tasks.md to look it up in.'}`;
  return { range, contents: { kind: MarkupKind.Markdown, value } };
}
