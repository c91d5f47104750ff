import type { CodeLens, Command } from 'vscode-languageserver/node';
import type { Phase, Task } from '../core/speckit/tasks-model';
import { LspCommandId, type RunPhaseArgs, type RunTaskArgs, type TaskStatusReport } from '../protocol/lsp-messages';
import { taskStatusText } from '../protocol/run-wording';
import type { TasksAnalysis } from './tasks-analysis';
import { taskIdRange } from '../core/speckit/task-ranges';

/** A lens with an empty command id is shown as plain text: the last run's result is information, not an action. */
function label(title: string): Command {
  return { title, command: '' };
}

function describeResult(status: TaskStatusReport): string {
  return `Last run: ${taskStatusText(status.status)}${status.workerId ? ` (${status.workerId})` : ''}`;
}

function phaseLenses(
  uri: string,
  phase: Phase,
  analysis: TasksAnalysis,
  statusOf: (taskId: string) => TaskStatusReport | undefined,
): CodeLens[] {
  const range = phase.headingRange;
  const args: RunPhaseArgs = { uri, phaseIndex: phase.index, phaseTitle: phase.title };
  const lenses: CodeLens[] = [
    { range, command: { title: '▶ Run phase', command: LspCommandId.runPhase, arguments: [args] } },
  ];
  const counts = new Map<string, number>();
  for (const key of phase.taskKeys) {
    const task = analysis.tasksByKey.get(key);
    const status = task && statusOf(task.id);
    if (status) counts.set(taskStatusText(status.status), (counts.get(taskStatusText(status.status)) ?? 0) + 1);
  }
  if (counts.size > 0)
    lenses.push({ range, command: label(`Last run: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}`) });
  return lenses;
}

function taskLenses(uri: string, task: Task, statusOf: (taskId: string) => TaskStatusReport | undefined): CodeLens[] {
  const range = taskIdRange(task);
  const lenses: CodeLens[] = [];
  // A ticked task is finished work; running it again is a deliberate act from the engine's own UI.
  if (!task.done) {
    const args: RunTaskArgs = { uri, taskId: task.id };
    lenses.push({ range, command: { title: '▶ Run task', command: LspCommandId.runTask, arguments: [args] } });
  }
  const status = statusOf(task.id);
  if (status) lenses.push({ range, command: label(describeResult(status)) });
  return lenses;
}

/** "Run phase" above each phase, "Run task" above each open task, and the last run's result when known. */
export function codeLenses(
  uri: string,
  analysis: TasksAnalysis,
  statusOf: (taskId: string) => TaskStatusReport | undefined,
): CodeLens[] {
  return [
    ...analysis.document.phases.flatMap((p) => phaseLenses(uri, p, analysis, statusOf)),
    ...analysis.document.tasks.flatMap((t) => taskLenses(uri, t, statusOf)),
  ];
}
