import { CodeActionKind, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver/node';
import {
  closesFence,
  indentLength,
  isParallelLabel,
  matchCheckboxLine,
  matchFence,
  matchHeading,
  matchTaskHead,
  type FenceMarker,
} from '../core/speckit/tasks-line';
import { LspCommandId, type RunTaskArgs } from '../protocol/lsp-messages';
import { EvidenceCode } from './evidence';
import { nextFreeTaskId, numberBefore, taskIdNumber } from './task-ids';
import { labelRange, taskAtLine, type TasksAnalysis } from './tasks-analysis';
import { taskCheckboxRange, taskIdRange } from '../core/speckit/task-ranges';

function quickFix(uri: string, title: string, diagnostic: Diagnostic, edit: TextEdit): CodeAction {
  return {
    title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: true,
    edit: { changes: { [uri]: [edit] } },
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

/**
 * A task the author wrote without a checkbox, as a heading (`### T001: Install x`) or a bold line (`**T001 [S]**
 * - Add x`), written the way spec-kit writes a task so it is scheduled and can be ticked: `- [ ] T001 [S] Add x`.
 * A table row has no such line: undefined.
 */
export function asCheckboxTask(line: string): string | undefined {
  if (line.trimStart().startsWith('|')) return undefined;
  const heading = matchHeading(line);
  const head = matchTaskHead(line, heading?.textStart ?? indentLength(line));
  if (head === undefined) return undefined;
  const labels = head.labels.map((label) => ` [${label.text}]`).join('');
  const rest = line.slice(head.descriptionStart);
  const description = (heading === undefined ? rest : rest.replace(/[ \t]+#+[ \t]*$/, '')).trim();
  return `- [ ] ${head.id}${labels}${description === '' ? '' : ` ${description}`}`;
}

function wholeLine(line: number, text: string, newText: string): TextEdit {
  return { range: { start: { line, character: 0 }, end: { line, character: text.length } }, newText };
}

// A thematic break (`---`, `***`): left where it is, so it still ends the task rather than becoming a heading.
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;

function isTaskLine(line: string): boolean {
  const checkbox = matchCheckboxLine(line);
  return checkbox !== undefined && matchTaskHead(line, checkbox.contentStart) !== undefined;
}

/**
 * The task's line written with a checkbox, and what the author wrote under it (up to the next task, a rule, and
 * for a heading the next heading as high as its own, for a bold line the end of its paragraph) indented into it: the worker reads those lines as the task's details, as it would
 * have read them under the heading. A sub-heading in there becomes a bold line, which stays in the task.
 */
function rewriteTask(analysis: TasksAnalysis, line: number, taskLines: ReadonlySet<number>): TextEdit[] | undefined {
  const text = analysis.lines[line] ?? '';
  const rewritten = asCheckboxTask(text);
  if (rewritten === undefined) return undefined;
  const edits = [wholeLine(line, text, rewritten)];
  // A heading's text ends at a heading of its level or higher.
  const ownLevel = matchHeading(text)?.level ?? 0;
  let fence: FenceMarker | undefined;
  for (let at = line + 1; at < analysis.lines.length && !taskLines.has(at); at += 1) {
    const body = analysis.lines[at] ?? '';
    if (fence === undefined) {
      const heading = matchHeading(body);
      if (heading !== undefined && heading.level <= ownLevel) break;
      // A bold line's text is its paragraph: it ends at a blank line or a heading.
      if (ownLevel === 0 && (heading !== undefined || body.trim() === '')) break;
      if (THEMATIC_BREAK.test(body) || isTaskLine(body)) break;
      fence = matchFence(body);
      if (heading !== undefined) {
        edits.push(wholeLine(at, body, `  **${heading.text}**`));
        continue;
      }
    } else if (closesFence(fence, body)) {
      fence = undefined;
    }
    if (body.trim() !== '')
      edits.push({ range: { start: { line: at, character: 0 }, end: { line: at, character: 0 } }, newText: '  ' });
  }
  return edits;
}

/** Write this task with a checkbox; where there are more such lines, also all of them at once. */
function addCheckboxes(uri: string, analysis: TasksAnalysis, diagnostic: Diagnostic): CodeAction[] {
  const line = diagnostic.range.start.line;
  const taskLines = new Set(
    analysis.diagnostics.filter((d) => d.code === 'task-without-checkbox').map((d) => d.range.start.line),
  );
  const own = rewriteTask(analysis, line, taskLines);
  if (own === undefined) return [];
  const id = (analysis.lines[line] ?? '').slice(diagnostic.range.start.character, diagnostic.range.end.character);
  const title = `Write ${id} as a task: "${own[0]?.newText.trim() ?? ''}"`;
  const actions: CodeAction[] = [
    {
      title,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      isPreferred: true,
      edit: { changes: { [uri]: own } },
    },
  ];
  const all = [...taskLines].flatMap((l) => {
    const edits = rewriteTask(analysis, l, taskLines);
    return edits === undefined ? [] : [edits];
  });
  if (all.length > 1)
    actions.push({
      title: `Write all ${all.length} tasks without a checkbox as tasks ("- [ ] T001 …")`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: { changes: { [uri]: all.flat() } },
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
