import { CodeActionKind, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver/node';
import { isParallelLabel, matchCheckboxLine } from '../core/speckit/tasks-line';
import { rewriteAll, rewriteTaskAt } from './checkbox-rewrite';
import { LspCommandId, type RunTaskArgs } from '../protocol/lsp-messages';
import { EvidenceCode } from './evidence';
import { nextFreeTaskId, numberBefore, taskIdNumber } from './task-ids';
import { labelRange, taskAtLine, type TasksAnalysis } from './tasks-analysis';
import { taskCheckboxRange, taskIdRange } from '../core/speckit/task-ranges';

function quickFix(uri: string, title: string, diagnostic: Diagnostic, ...edits: TextEdit[]): CodeAction {
  return {
    title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: true,
    edit: { changes: { [uri]: edits } },
  };
}

function renumberDuplicate(uri: string, analysis: TasksAnalysis, diagnostic: Diagnostic): CodeAction | undefined {
  const task = taskAtLine(analysis, diagnostic.range.start.line);
  if (!task) return undefined;
  const id = nextFreeTaskId(analysis.document.tasks, taskIdNumber(task.id) ?? 0);
  return quickFix(uri, `Renumber ${task.id} to ${id}`, diagnostic, { range: taskIdRange(task), newText: id });
}

function dropParallel(uri: string, analysis: TasksAnalysis, diagnostic: Diagnostic): CodeAction | undefined {
  const task = taskAtLine(analysis, diagnostic.range.start.line);
  const label = task && labelRange(analysis.lines, task, isParallelLabel);
  if (!task || !label) return undefined;
  // Take the blank after `[P]` with it, so `T014 [P] [US1] Add` becomes `T014 [US1] Add`.
  const after = analysis.lines[task.line]?.[label.end.character];
  const end =
    after === ' ' || after === '\t' ? { line: label.end.line, character: label.end.character + 1 } : label.end;
  return quickFix(uri, `Drop [P] from ${task.id}`, diagnostic, { range: { start: label.start, end }, newText: '' });
}

function addMissingId(uri: string, analysis: TasksAnalysis, diagnostic: Diagnostic): CodeAction | undefined {
  const line = diagnostic.range.start.line;
  const checkbox = matchCheckboxLine(analysis.lines[line] ?? '');
  if (!checkbox) return undefined;
  const id = nextFreeTaskId(analysis.document.tasks, numberBefore(analysis.document.tasks, line));
  const at = { line, character: checkbox.contentStart };
  return quickFix(uri, `Add task id ${id}`, diagnostic, { range: { start: at, end: at }, newText: `${id} ` });
}

/** Write this task (or its table) with a checkbox; where there are more such tasks, also all of them at once. */
function addCheckboxes(uri: string, analysis: TasksAnalysis, diagnostic: Diagnostic): CodeAction[] {
  const line = diagnostic.range.start.line;
  const taskLines = new Set(
    analysis.diagnostics.filter((d) => d.code === 'task-without-checkbox').map((d) => d.range.start.line),
  );
  const own = rewriteTaskAt(analysis.lines, line, taskLines, analysis.eol);
  if (own === undefined) return [];
  const id = (analysis.lines[line] ?? '').slice(diagnostic.range.start.character, diagnostic.range.end.character);
  const title =
    own.tasks === 1
      ? `Write ${id} as a task: "${own.taskLine}"`
      : `Write the table's ${own.tasks} tasks as a list ("${own.taskLine}" …)`;
  const actions = [quickFix(uri, title, diagnostic, ...own.edits)];
  const all = rewriteAll(analysis.lines, taskLines, analysis.eol);
  const count = all.reduce((sum, rewrite) => sum + rewrite.tasks, 0);
  if (all.length > 1)
    actions.push({
      title: `Write all ${count} tasks without a checkbox as tasks ("- [ ] T001 …")`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: { changes: { [uri]: all.flatMap((rewrite) => rewrite.edits) } },
    });
  return actions;
}

/** A tick that cannot prove itself: run the task again (its evidence is written anew), or untick it. */
function evidenceFixes(uri: string, analysis: TasksAnalysis, diagnostic: Diagnostic): CodeAction[] {
  const task = taskAtLine(analysis, diagnostic.range.start.line);
  if (!task?.done) return [];
  const args: RunTaskArgs = { uri, taskId: task.id, rerun: true };
  const { start } = taskCheckboxRange(task);
  const mark = {
    start: { line: start.line, character: start.character + 1 },
    end: { line: start.line, character: start.character + 2 },
  };
  return [
    {
      title: `Re-run task ${task.id}`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      command: { title: `Re-run task ${task.id}`, command: LspCommandId.runTask, arguments: [args] },
    },
    quickFix(uri, `Untick ${task.id}`, diagnostic, { range: mark, newText: ' ' }),
  ].map((action, index) => ({ ...action, isPreferred: index === 0 && diagnostic.code === EvidenceCode.drifted }));
}

/**
 * Quick fixes where the fix is clear: renumber a duplicate id, drop `[P]` from a same-file conflict, add a
 * missing id, give a task written without a checkbox one; re-run or untick a task whose tick has no evidence
 * that holds.
 */
export function codeActionsFor(uri: string, analysis: TasksAnalysis, diagnostics: readonly Diagnostic[]): CodeAction[] {
  const actions: (CodeAction | undefined)[] = diagnostics.flatMap((d) => {
    switch (d.code) {
      case EvidenceCode.unverified:
      case EvidenceCode.drifted:
        return evidenceFixes(uri, analysis, d);
      case 'duplicate-task-id':
        return renumberDuplicate(uri, analysis, d);
      case 'parallel-same-file':
        return dropParallel(uri, analysis, d);
      case 'checkbox-without-id':
        return addMissingId(uri, analysis, d);
      case 'task-without-checkbox':
        return addCheckboxes(uri, analysis, d);
      default:
        return undefined;
    }
  });
  return actions.filter((a): a is CodeAction => a !== undefined);
}
