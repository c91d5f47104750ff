/**
 * Tasks the author wrote without a checkbox (as headings, bold lines or table rows), rewritten the way spec-kit
 * writes a task so they are scheduled and can be ticked: `- [ ] T001 [P] Install x`. What the author wrote with
 * a task (the text under a heading, a bold line's paragraph, a row's other cells) goes with it as its details,
 * which is what its worker reads.
 */
import type { TextEdit } from 'vscode-languageserver/node';
import {
  closesFence,
  indentLength,
  matchCheckboxLine,
  matchFence,
  matchHeading,
  matchTaskHead,
  type FenceMarker,
  type TaskHead,
} from '../core/speckit/tasks-line';

/** The edits of one task, or of one table of tasks: never overlapping another's. */
export interface TaskRewrite {
  /** The first line of what is rewritten. */
  readonly line: number;
  /** The rewritten task line (the first one, for a table). */
  readonly taskLine: string;
  /** How many tasks it writes. */
  readonly tasks: number;
  readonly edits: readonly TextEdit[];
}

/**
 * A heading (`### T001: Install x`) or a bold line (`**T001 [S]** - Add x`) as spec-kit writes a task:
 * `- [ ] T001 [S] Add x`. Undefined for a table row or a line that holds no task id where the text starts.
 */
export function asCheckboxTask(line: string): string | undefined {
  if (isTableRow(line)) return undefined;
  const heading = matchHeading(line);
  const head = matchTaskHead(line, heading?.textStart ?? indentLength(line));
  if (head === undefined) return undefined;
  const rest = line.slice(head.descriptionStart);
  return checkboxLine(head, (heading === undefined ? rest : rest.replace(/[ \t]+#+[ \t]*$/, '')).trim());
}

function checkboxLine(head: TaskHead, description: string): string {
  const labels = head.labels.map((label) => ` [${label.text}]`).join('');
  return `- [ ] ${head.id}${labels}${description === '' ? '' : ` ${description}`}`;
}

/**
 * The rewrite of the task written on `line`: the task written without a checkbox, and what belongs to it. For a
 * table row, the whole table becomes a list, once every row of it is a task. `taskLines`: every line that holds
 * such a task, where the text under one task ends.
 */
export function rewriteTaskAt(
  lines: readonly string[],
  line: number,
  taskLines: ReadonlySet<number>,
  eol = '\n',
): TaskRewrite | undefined {
  return isTableRow(lines[line] ?? '') ? rewriteTable(lines, line, eol) : rewriteTaskLine(lines, line, taskLines);
}

/** Every task written without a checkbox, each once (a table's rows together), in document order. */
export function rewriteAll(lines: readonly string[], taskLines: ReadonlySet<number>, eol = '\n'): TaskRewrite[] {
  const rewrites: TaskRewrite[] = [];
  let covered = -1;
  for (const line of [...taskLines].sort((a, b) => a - b)) {
    if (line <= covered) continue;
    const rewrite = rewriteTaskAt(lines, line, taskLines, eol);
    if (rewrite === undefined) continue;
    rewrites.push(rewrite);
    covered = Math.max(line, ...rewrite.edits.map((edit) => edit.range.end.line));
  }
  return rewrites;
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

function isTableRow(line: string): boolean {
  return line.trimStart().startsWith('|');
}

/**
 * A heading or bold-line task, and the text under it indented into it: up to the next task, a rule, a table
 * (it may hold tasks of its own), and for a heading the next heading as high as its own, for a bold line the
 * end of its paragraph. A sub-heading in there becomes a bold line, which stays in the task.
 */
function rewriteTaskLine(
  lines: readonly string[],
  line: number,
  taskLines: ReadonlySet<number>,
): TaskRewrite | undefined {
  const text = lines[line] ?? '';
  const taskLine = asCheckboxTask(text);
  if (taskLine === undefined) return undefined;
  const edits = [wholeLine(line, text, taskLine)];
  const ownLevel = matchHeading(text)?.level ?? 0;
  let fence: FenceMarker | undefined;
  for (let at = line + 1; at < lines.length && !taskLines.has(at); at += 1) {
    const body = lines[at] ?? '';
    if (fence === undefined) {
      const heading = matchHeading(body);
      if (heading !== undefined && heading.level <= ownLevel) break;
      if (ownLevel === 0 && (heading !== undefined || body.trim() === '')) break;
      if (THEMATIC_BREAK.test(body) || isTaskLine(body) || isTableRow(body)) break;
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
  return { line, taskLine, tasks: 1, edits };
}

// The row under a table's header: `|---|:---:|`.
const DELIMITER_ROW = /^[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+(?:[ \t]*:?-+:?[ \t]*)?$/;

/**
 * A table whose every row names a task (`| **T003** [P] | Create x | Scope |`) as a list of tasks: the id's cell
 * gives the id and labels, its own text or else the next cell the description, and every other cell a detail
 * named by its column (`Scope: …`). A table with a row that is not a task is left as it is.
 */
function rewriteTable(lines: readonly string[], line: number, eol: string): TaskRewrite | undefined {
  let start = line;
  while (start > 0 && isTableRow(lines[start - 1] ?? '')) start -= 1;
  let end = line;
  while (end + 1 < lines.length && isTableRow(lines[end + 1] ?? '')) end += 1;
  if (end - start < 2 || !DELIMITER_ROW.test(lines[start + 1] ?? '')) return undefined;
  const columns = cellsOf(lines[start] ?? '');
  const written: string[] = [];
  for (let row = start + 2; row <= end; row += 1) {
    const task = tableTask(cellsOf(lines[row] ?? ''), columns);
    if (task === undefined) return undefined;
    written.push(...task);
  }
  const last = lines[end] ?? '';
  return {
    line: start,
    taskLine: written[0] ?? '',
    tasks: end - start - 1,
    edits: [
      {
        range: { start: { line: start, character: 0 }, end: { line: end, character: last.length } },
        newText: written.join(eol),
      },
    ],
  };
}

function tableTask(cells: readonly string[], columns: readonly string[]): string[] | undefined {
  const at = cells.findIndex((cell) => matchTaskHead(cell, 0) !== undefined);
  const idCell = cells[at];
  const head = idCell === undefined ? undefined : matchTaskHead(idCell, 0);
  if (head === undefined || idCell === undefined) return undefined;
  const own = idCell.slice(head.descriptionStart).trim();
  const descriptionAt = own === '' ? cells.findIndex((cell, k) => k > at && cell !== '') : -1;
  const description = own !== '' ? own : (cells[descriptionAt] ?? '');
  const details = cells.flatMap((cell, k) => {
    if (k === at || k === descriptionAt || cell === '') return [];
    const column = columns[k] ?? '';
    return [`  ${column === '' ? cell : `${column}: ${cell}`}`];
  });
  return [checkboxLine(head, description), ...details];
}

/** A row's cells, trimmed: split at each `|` outside a code span and not escaped. */
function cellsOf(row: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let inCode = false;
  const text = row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '');
  for (let k = 0; k < text.length; k += 1) {
    const char = text[k] ?? '';
    if (char === '`') inCode = !inCode;
    if (char === '|' && !inCode && text[k - 1] !== '\\') {
      cells.push(cell.trim());
      cell = '';
    } else cell += char;
  }
  cells.push(cell.trim());
  return cells;
}
