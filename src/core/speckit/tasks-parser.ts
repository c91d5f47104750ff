/**
 * Parses a spec-kit `tasks.md` in one linear pass. Never throws: anything odd becomes a diagnostic, and every
 * checkbox line is either a task or a `nonTaskCheckboxes` entry. Fenced code blocks are skipped, because
 * spec-kit's "Parallel Example" sections list task lines inside fences.
 */
import {
  closesFence,
  htmlCommentEnd,
  htmlCommentStart,
  isMalformedCheckbox,
  isParallelLabel,
  leadingWhitespace,
  matchCheckboxLine,
  matchFence,
  matchTaskHead,
  startsWithIdLikeWord,
  storyOfLabel,
  taskLineIdentity,
  type CheckboxLine,
  type FenceMarker,
  type TaskHead,
  type TaskLabel,
} from './tasks-line';
import {
  compareTaskIds,
  findDependencyStatements,
  findOwnDependencyRefs,
  parseTaskId,
  TaskIdIndex,
  taskIdIndexOf,
  taskIdRefAt,
  type LineIdRef,
  type ParsedTaskId,
  type RawIdRef,
} from './tasks-dependency-prose';
import { extractPaths, isOutsideWorkspace, normalizeTaskPath } from './task-paths';
import { ParsedTask, type TaskDraft } from './parsed-task';
import type {
  DependencyStatement,
  Eol,
  NonTaskCheckbox,
  Phase,
  Range,
  Section,
  SectionKind,
  Subsection,
  SubsectionKind,
  Task,
  TasksDiagnostic,
  TasksDocument,
} from './tasks-model';

/**
 * Where each line sits in the text, as two number arrays rather than an object and a copied string per line:
 * a 10,000-task file has tens of thousands of lines, and the parse must cost no more than tokenising it.
 */
interface Lines {
  readonly text: string;
  /** Offset of each line's first character (line 0 starts after a BOM). */
  readonly starts: number[];
  /** Offset of each line's end, before its `\r\n`, `\n` or `\r`. */
  readonly ends: number[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface BlockDraft {
  heading: string;
  /** 2 for `##` (and a setext `---` heading); 3 or more for a phase heading nested under a non-phase `##`. */
  level: number;
  /**
   * A `### Phase N` heading under a `##` that is not a phase (`## Tasks`): a phase once it holds a task, else
   * only a heading inside that section (`## File Creation Order` lists phases without tasks).
   */
  nested?: { readonly parent: BlockDraft | undefined };
  headingLine: number;
  endLine: number;
  /** 'phase' when the heading names a phase; a section kind otherwise (an 'other' block with tasks becomes a phase). */
  kind: 'phase' | SectionKind;
  number?: string;
  title: string;
  purpose?: string;
  goal?: string;
  independentTest?: string;
  checkpoint?: string;
  subsections: Mutable<Subsection>[];
  subsectionEnds: number[];
  taskIndices: number[];
  /**
   * Its index among the phases, given when it is known to be one: at the heading for a phase heading, at its
   * first task for an 'other' block. Blocks come in document order, so these indices follow it.
   */
  phaseIndex?: number;
}

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/;
const PHASE_HEADING =
  /^(?:phase|stage|module|part|milestone|sprint|iteration|wave|step)\s+(\d+(?:\.\d+)*[A-Za-z]?|[A-Za-z]|[IVX]+)\b\s*(?:[:.\-–—)]\s*)?(.*)$/i;
const CJK_PHASE_HEADING = /^第\s*([^\s阶]{1,6})\s*阶段\s*[:：]?\s*(.*)$/;
const PHASE_PROPERTY =
  /^[ \t]*(?:[-*+][ \t]+)?\*\*(purpose|goal|independent test|checkpoint)[ \t]*:?\*\*[ \t]*:?[ \t]*(.*)$/i;
const TABLE_ROW = /^[ \t]*\|/;

export function parseTasks(text: string): TasksDocument {
  const hasBom = text.charCodeAt(0) === 0xfeff;
  const bomLength = hasBom ? 1 : 0;
  // Line 0 starts after the BOM, so character positions match an editor's and offsets still index `text`.
  const lines = splitLines(text, bomLength);
  const eol = eolOf(text);

  const wholeLines = (first: number, last: number): Range => lineSpan(first, 0, last, lineLength(lines, last));

  const diagnostics: TasksDiagnostic[] = [];
  // Tasks are built once and completed in `finish` (keys, dependencies, phase); side tables hold the rest.
  const tasks: ParsedTask[] = [];
  const draft = emptyTaskDraft();
  const taskBlock: (number | undefined)[] = [];
  const taskOwnRefs: (LineIdRef[] | undefined)[] = [];
  const blocks: BlockDraft[] = [];
  const nonTaskCheckboxes: NonTaskCheckbox[] = [];
  const rawStatements: { before: RawIdRef[]; after: RawIdRef[]; line: number }[] = [];
  // Ids written without a checkbox (heading or table tasks): known to the author, so not "unknown" dependencies.
  const idsWithoutCheckbox: string[] = [];
  let title: string | undefined;
  let block: BlockDraft | undefined;
  let phaseCount = 0;
  let fence: FenceMarker | undefined;

  const closeBlock = (lastLine: number): void => {
    if (block === undefined) return;
    block.endLine = trimBlankTail(lines, block.headingLine, lastLine);
    const lastSub = block.subsections.length - 1;
    if (lastSub >= 0) block.subsectionEnds[lastSub] = block.endLine;
    block = undefined;
  };

  const lineCount = lines.starts.length;
  const bodyStart = frontMatterEnd(lines);
  let i = bodyStart;
  while (i < lineCount) {
    // Dispatch on the first non-blank character, read in place, so most lines meet no regular expression and
    // blank or fenced lines are never copied out of the text.
    const start = lines.starts[i] ?? 0;
    const end = lines.ends[i] ?? start;
    const first = skipBlanks(text, start, end);
    const lead = first < end ? text.charCodeAt(first) : -1;
    const fenceLead = lead === 96 || lead === 126; // ` ~

    if (fence !== undefined) {
      if (fenceLead && closesFence(fence, text.slice(start, end))) fence = undefined;
      i += 1;
      continue;
    }
    if (first === end) {
      i += 1;
      continue;
    }
    const raw = text.slice(start, end);
    const fenceOpen = fenceLead ? matchFence(raw) : undefined;
    if (fenceOpen !== undefined) {
      fence = fenceOpen;
      i += 1;
      continue;
    }
    // An HTML comment hides what it holds, task lines included: authors comment tasks out.
    if (lead === 60 && text.startsWith('<!--', first)) {
      i = skipHtmlComment(i, first - start) + 1;
      continue;
    }

    const heading = lead === 35 ? HEADING.exec(raw) : null; // #
    if (heading !== null) {
      const level = heading[1]?.length ?? 1;
      let textStart = raw.indexOf('#') + level;
      while (raw[textStart] === ' ' || raw[textStart] === '\t') textStart += 1;
      onHeading(level, stripClosingHashes(heading[2] ?? ''), i, end - start, raw, textStart);
      i += 1;
      continue;
    }

    const listLead = lead === 45 || lead === 42 || lead === 43 || lead === 91 || (lead >= 48 && lead <= 57); // - * + [ digit
    // List items, table rows, quotes and HTML are never a setext heading's text.
    const setextLevel =
      !listLead && lead !== 124 && lead !== 62 && lead !== 60 && i + 1 < lineCount ? setextUnderline(i + 1) : 0;
    if (setextLevel > 0 && first - start < 4 && opensParagraph(i)) {
      // `Phase 1: Setup` underlined with `---` (or `===`): the same heading as `## Phase 1: Setup`.
      onHeading(setextLevel, raw.trim(), i, end - start, raw, first - start);
      i += 2;
      continue;
    }
    const checkbox = listLead ? matchCheckboxLine(raw) : undefined;
    if (checkbox !== undefined) {
      const head = matchTaskHead(raw, checkbox.contentStart);
      if (head !== undefined && !TABLE_ROW.test(raw)) {
        i = readTask(i, raw, checkbox, head);
        continue;
      }
      recordNonTaskCheckbox(
        i,
        raw,
        checkbox.contentStart,
        checkbox.mark !== ' ',
        TABLE_ROW.test(raw) ? 'table-row' : 'no-id',
      );
      collectStatements(raw, i);
      i += 1;
      continue;
    }
    const tableRow = lead === 124; // |
    if (tableRow) {
      const cell = /\[([ xX])\]/.exec(raw);
      if (cell !== null) recordNonTaskCheckbox(i, raw, cell.index + 3, cell[1] !== ' ', 'table-row');
    }
    if (listLead && isMalformedCheckbox(raw)) {
      diagnostics.push({
        code: 'malformed-checkbox',
        severity: 'warning',
        range: lineRange(i, first - start, raw.trimEnd().length),
        message:
          'This line looks like a checkbox but is not one; write it as "- [ ] T001 Description" (a space inside the brackets, one after them).',
      });
    } else if (tableRow || (lead === 42 && /^[ \t]*\*\*T\d/.test(raw))) {
      noteTaskWithoutCheckbox(raw, first - start, i);
    }
    if ((lead === 42 || lead === 45 || lead === 43) && (block?.kind === 'phase' || block?.kind === 'other')) {
      const prop = PHASE_PROPERTY.exec(raw);
      if (prop !== null) setPhaseProperty(block, (prop[1] ?? '').toLowerCase(), (prop[2] ?? '').trim());
    }
    collectStatements(raw, i);
    i += 1;
  }
  closeBlock(lineCount - 1);

  return finish();

  // ---- helpers that share the pass's state ----

  /**
   * A heading (ATX or setext) at `line`: the title, a phase or section, or a sub-section of the block it is in.
   * `textStart` is where its text begins in `raw`.
   */
  function onHeading(
    level: number,
    headingText: string,
    line: number,
    lineLength: number,
    raw: string,
    textStart: number,
  ): void {
    const nestedPhase = level >= 3 && startsNestedPhase(level, headingText);
    if (level <= 2 || nestedPhase) {
      const parent = block?.nested === undefined ? block : block.nested.parent;
      closeBlock(line - 1);
      if (level === 1) {
        title ??= headingText;
      } else if (nestedPhase) {
        block = newBlock(headingText, line, level);
        block.kind = 'other';
        block.nested = { parent };
        blocks.push(block);
      } else {
        block = newBlock(headingText, line, level);
        if (block.kind === 'phase') block.phaseIndex = phaseCount++;
        blocks.push(block);
      }
    } else if (block !== undefined && (block.kind === 'phase' || block.kind === 'other')) {
      const last = block.subsections.length - 1;
      if (last >= 0)
        block.subsectionEnds[last] = trimBlankTail(
          lines,
          block.subsections[last]?.headingRange.start.line ?? line,
          line - 1,
        );
      const headingRange = lineRange(line, 0, lineLength);
      block.subsections.push({
        title: headingText,
        level,
        kind: subsectionKind(headingText),
        headingRange,
        range: headingRange,
      });
      block.subsectionEnds.push(line);
    }
    noteTaskWithoutCheckbox(raw, textStart, line);
  }

  /**
   * Whether a `###`-or-deeper heading is a phase of its own: it reads like one (`Phase 3.1: Setup`) and the `##`
   * around it is not a phase (`## Tasks`, or none), or it is a sibling of such a nested phase.
   */
  function startsNestedPhase(level: number, headingText: string): boolean {
    if (!isPhaseHeading(headingText)) return false;
    if (block === undefined) return true;
    if (block.nested !== undefined) return level <= block.level;
    return block.kind === 'other' && block.phaseIndex === undefined;
  }

  /** The last line of an HTML comment opening at `first` (character `from`); an unclosed one runs to the end. */
  function skipHtmlComment(first: number, from: number): number {
    for (let j = first; j < lineCount; j += 1) {
      const start = lines.starts[j] ?? 0;
      if (htmlCommentEnd(text.slice(start, lines.ends[j] ?? start), j === first ? from + 4 : 0) >= 0) return j;
    }
    diagnostics.push({
      code: 'unclosed-html-comment',
      severity: 'warning',
      range: lineRange(first, from, from + 4),
      message:
        'This HTML comment is never closed with "-->", so everything below it is hidden: no task after it is read.',
    });
    return lineCount - 1;
  }

  /** The heading level a setext underline on `line` gives the line above (1 for `===`, 2 for `---`), or 0. */
  function setextUnderline(line: number): number {
    const start = lines.starts[line] ?? 0;
    const end = lines.ends[line] ?? start;
    const first = skipBlanks(text, start, end);
    const c = text.charCodeAt(first);
    if ((c !== 61 && c !== 45) || first - start > 3) return 0; // = -
    let k = first;
    while (k < end && text.charCodeAt(k) === c) k += 1;
    return skipBlanks(text, k, end) === end ? (c === 61 ? 1 : 2) : 0;
  }

  /**
   * Whether `line` starts a paragraph (the line above is blank, a heading, or none but front matter): only then can an
   * underline below make it a heading. Stricter than CommonMark, so a `---` rule under a task's wrapped text
   * never turns that text into a phase.
   */
  function opensParagraph(line: number): boolean {
    if (line === bodyStart) return true;
    const start = lines.starts[line - 1] ?? 0;
    const end = lines.ends[line - 1] ?? start;
    if (isBlank(text, start, end)) return true;
    const first = skipBlanks(text, start, end);
    return text.charCodeAt(first) === 35 && HEADING.test(text.slice(start, end)); // #
  }

  function readTask(first: number, raw: string, checkbox: CheckboxLine, head: TaskHead): number {
    const { indent, bracketStart, mark } = checkbox;
    const lineStart = lines.starts[first] ?? 0;
    // Continuation lines: read in place; only the ones that belong to the task are copied (as details).
    let details: string[] | undefined;
    let detailLines: { readonly text: string; readonly line: number }[] | undefined;
    let last = first;
    let j = first + 1;
    let innerFence: FenceMarker | undefined;
    let innerComment = false;
    while (j < lineCount) {
      const start = lines.starts[j] ?? 0;
      const end = lines.ends[j] ?? start;
      if (innerComment) {
        // Inside the task's HTML comment: its lines belong to the task, but are neither details nor tasks.
        if (htmlCommentEnd(text.slice(start, end), 0) >= 0) innerComment = false;
        last = j;
        j += 1;
        continue;
      }
      if (innerFence === undefined) {
        if (isBlank(text, start, end)) {
          j += 1;
          continue;
        }
        const nextFirst = skipBlanks(text, start, end);
        if (indentColumns(text, start, nextFirst) <= indent) break;
        const lead = text.charCodeAt(nextFirst);
        if (lead === 35 && HEADING.test(text.slice(start, end))) break; // #
      }
      const next = text.slice(start, end);
      const commentAt = innerFence === undefined ? htmlCommentStart(next) : -1;
      if (commentAt >= 0) {
        innerComment = htmlCommentEnd(next, commentAt + 4) < 0;
        last = j;
        j += 1;
        continue;
      }
      if (innerFence !== undefined) {
        if (closesFence(innerFence, next)) innerFence = undefined;
      } else {
        const nested = matchCheckboxLine(next);
        if (nested !== undefined && matchTaskHead(next, nested.contentStart) !== undefined) break;
        if (nested !== undefined) recordNonTaskCheckbox(j, next, nested.contentStart, nested.mark !== ' ', 'sub-item');
        const f = matchFence(next);
        if (f !== undefined) innerFence = f;
      }
      (details ??= []).push(next.trim());
      (detailLines ??= []).push({ text: next, line: j });
      last = j;
      j += 1;
    }
    const index = tasks.length;
    const description = raw.slice(head.descriptionStart).trimEnd();
    let labels: readonly string[];
    let parallel = false;
    let story: string | undefined;
    const previousTask = tasks[index - 1];
    // Most tasks carry the same labels as the task before them: share its (read-only) list, and what the
    // labels say (`parallel` and `story` depend on the list alone).
    if (previousTask !== undefined && !description.endsWith('[P]') && sameLabels(head.labels, previousTask.labels)) {
      labels = previousTask.labels;
      parallel = previousTask.parallel;
      story = previousTask.story;
    } else {
      const texts: string[] = [];
      for (const label of head.labels) {
        texts.push(label.text);
        if (isParallelLabel(label.text)) parallel = true;
        else story ??= storyOfLabel(label.text);
      }
      if (!parallel && description.endsWith('[P]')) {
        texts.push('P');
        parallel = true;
      }
      labels = texts;
    }
    // Sized to fit: the lists live as long as the document, and a grown array keeps its spare slots.
    const mentions = extractPaths(description);
    const files: string[] = mentions.map((mention) => mention.path);
    // `[line, character]` of each file, flat: numbers, so positions cost no object per path until asked for.
    const only = mentions.length === 1 ? mentions[0] : undefined;
    const filePositions: number[] =
      only !== undefined
        ? [first, head.descriptionStart + only.start]
        : mentions.flatMap((mention) => [first, head.descriptionStart + mention.start]);
    let ownRefs: LineIdRef[] | undefined;
    for (const ref of mayNameTaskIds(description) ? findOwnDependencyRefs(description) : NO_REFS) {
      (ownRefs ??= []).push({ ref: shiftRef(ref, head.descriptionStart), line: first });
    }
    if (details !== undefined && detailLines !== undefined) {
      for (let k = 0; k < details.length; k += 1) {
        const detail = details[k] ?? '';
        const detailLine = detailLines[k];
        if (detailLine === undefined || !FILES_DETAIL.test(detail)) continue;
        // The detail is trimmed: its paths sit after the raw line's leading blanks.
        const indentOfDetail = detailLine.text.length - detailLine.text.trimStart().length;
        for (const mention of extractPaths(detail)) {
          if (files.includes(mention.path)) continue;
          files.push(mention.path);
          filePositions.push(detailLine.line, indentOfDetail + mention.start);
        }
      }
      for (const detail of detailLines) {
        if (!mayNameTaskIds(detail.text)) continue;
        for (const ref of findOwnDependencyRefs(detail.text)) (ownRefs ??= []).push({ ref, line: detail.line });
      }
    }
    const currentBlock = block;
    if (currentBlock?.kind === 'other') currentBlock.phaseIndex ??= phaseCount++;
    const subsection = currentBlock?.subsections[currentBlock.subsections.length - 1];
    const indentLength = raw.length - raw.trimStart().length;
    const isTest =
      subsection?.kind === 'tests' || (subsection?.kind !== 'implementation' && looksLikeTest(description, files));
    const lastLength = lineLength(lines, last);
    draft.id = head.id;
    draft.index = index;
    draft.line = first;
    draft.startOffset = lineStart + indentLength;
    draft.endOffset = (lines.starts[last] ?? lineStart) + lastLength;
    draft.parallel = parallel;
    draft.story = story;
    draft.labels = labels;
    draft.description = description;
    draft.lineText = taskLineIdentity(raw, checkbox);
    draft.details = details ?? NO_DETAILS;
    draft.files = files.length === 0 ? NO_FILES : files;
    draft.subsection = subsection === undefined ? undefined : sharedSubsectionRef(subsection);
    draft.isTest = isTest;
    draft.phaseIndex = currentBlock?.phaseIndex;
    draft.indentLength = indentLength;
    draft.lastLine = last;
    draft.lastLineLength = lastLength;
    draft.idStart = head.idStart;
    draft.idEnd = head.idEnd;
    draft.bracketStart = bracketStart;
    draft.checkboxOffset = lineStart + bracketStart + 1;
    draft.mark = mark;
    draft.filePositions = files.length === 0 ? NO_POSITIONS : filePositions;
    draft.dependencyRefs = ownRefs ?? NO_LINE_REFS;
    const task = new ParsedTask(draft, NO_IDS);
    tasks.push(task);
    taskBlock.push(currentBlock === undefined ? undefined : blocks.length - 1);
    taskOwnRefs.push(ownRefs);
    currentBlock?.taskIndices.push(index);
    return last + 1;
  }

  function recordNonTaskCheckbox(
    line: number,
    raw: string,
    contentStart: number,
    checked: boolean,
    reason: NonTaskCheckbox['reason'],
  ): void {
    const text = raw.slice(contentStart).trimEnd();
    const range = lineRange(line, leadingWhitespace(raw).length, raw.trimEnd().length);
    nonTaskCheckboxes.push({ range, text, checked, reason });
    if (reason === 'no-id') {
      const looksLikeTask = /\[(?:P|US\s*\d+)\]/i.test(text) || startsWithIdLikeWord(text);
      diagnostics.push({
        code: 'checkbox-without-id',
        severity: looksLikeTask ? 'warning' : 'information',
        range,
        message: looksLikeTask
          ? 'This checkbox looks like a task but has no task id (T001 …): it will not be scheduled.'
          : 'Checklist item without a task id: not a task, it will not be scheduled.',
      });
    }
  }

  function noteTaskWithoutCheckbox(text: string, from: number, line: number): void {
    if (block !== undefined && block.kind !== 'phase' && block.kind !== 'other') return;
    let k = from;
    while (
      k < text.length &&
      (text[k] === '|' || text[k] === ' ' || text[k] === '\t' || text[k] === '-' || text[k] === '*' || text[k] === '+')
    ) {
      if ((text[k] === '*' && text[k + 1] === '*') || (text[k] === '-' && text[k + 1] !== ' ')) break;
      k += 1;
    }
    const head = matchTaskHead(text, k);
    if (head === undefined) return;
    idsWithoutCheckbox.push(head.id);
    diagnostics.push({
      code: 'task-without-checkbox',
      severity: 'information',
      range: lineRange(line, head.idStart, head.idEnd),
      message: `${head.id} is written without a checkbox ("- [ ] ${head.id} …"), so it is not treated as a task and cannot be ticked.`,
    });
  }

  function collectStatements(raw: string, line: number): void {
    for (const s of findDependencyStatements(raw))
      rawStatements.push({ before: [...s.before], after: [...s.after], line });
  }

  function finish(): TasksDocument {
    const phases: Phase[] = [];
    const sections: Section[] = [];
    const phaseTaskKeys: string[][] = [];
    // A nested phase heading without tasks is a heading inside its section: the section runs over it.
    for (const b of blocks) {
      const parent = b.nested?.parent;
      if (b.phaseIndex === undefined && parent !== undefined) parent.endLine = Math.max(parent.endLine, b.endLine);
    }
    for (const b of blocks) {
      if (b.nested !== undefined && b.phaseIndex === undefined && b.nested.parent !== undefined) continue;
      const headingRange = wholeLines(b.headingLine, b.headingLine);
      const range = wholeLines(b.headingLine, Math.max(b.headingLine, b.endLine));
      if (b.kind === 'phase' || b.phaseIndex !== undefined) {
        const phaseIndex = phases.length;
        const story = storyOfPhaseTitle(b.title);
        const priority = priorityOfPhaseTitle(b.title);
        const taskKeys: string[] = [];
        phaseTaskKeys.push(taskKeys);
        phases.push({
          index: phaseIndex,
          heading: b.heading,
          title: b.title,
          headingRange,
          range,
          mvp: /🎯|\bMVP\b/i.test(b.heading),
          subsections: b.subsections.map((s, k) => ({
            ...s,
            range: wholeLines(
              s.headingRange.start.line,
              Math.max(s.headingRange.start.line, b.subsectionEnds[k] ?? b.endLine),
            ),
          })),
          taskKeys,
          ...(b.number === undefined ? {} : { number: b.number }),
          ...(b.purpose === undefined ? {} : { purpose: b.purpose }),
          ...(b.goal === undefined ? {} : { goal: b.goal }),
          ...(b.independentTest === undefined ? {} : { independentTest: b.independentTest }),
          ...(b.checkpoint === undefined ? {} : { checkpoint: b.checkpoint }),
          ...(story === undefined ? {} : { story }),
          ...(priority === undefined ? {} : { priority }),
        });
      } else {
        sections.push({ title: b.heading, kind: b.kind, headingRange, range });
      }
    }

    // Keys, duplicates, order.
    // One map for the first task of each id; only duplicated ids need a count.
    const seen = new Map<string, ParsedTask>();
    const counts = new Map<string, number>();
    let previous: ParsedTaskId | undefined;
    let previousId = '';
    for (const t of tasks) {
      const n = seen.has(t.id) ? (counts.get(t.id) ?? 1) + 1 : 1;
      if (n > 1) {
        counts.set(t.id, n);
        t.key = `${t.id}#${n}`;
        const firstTask = seen.get(t.id);
        diagnostics.push({
          code: 'duplicate-task-id',
          severity: 'warning',
          range: t.idRange,
          message: `Duplicate task id ${t.id} (first on line ${(firstTask?.line ?? 0) + 1}); both are kept, as ${firstTask?.key ?? t.id} and ${t.key}.`,
          taskKey: t.key,
        });
      } else {
        seen.set(t.id, t);
        const parsed = parseTaskId(t.id);
        if (previous !== undefined && compareTaskIds(parsed, previous) < 0) {
          diagnostics.push({
            code: 'task-id-out-of-order',
            severity: 'information',
            range: t.idRange,
            message: `${t.id} comes after ${previousId}; ids usually follow document order.`,
            taskKey: t.key,
          });
        }
        previous = parsed;
        previousId = t.id;
      }
    }

    // Only references need the id indexes; a file without dependency prose never builds them.
    let index: TaskIdIndex | undefined;
    let uncheckedIndex: TaskIdIndex | undefined;
    const ids = (): TaskIdIndex => (index ??= taskIdIndexOf(tasks));
    const checkKnown = (ref: RawIdRef, line: number, taskKey?: string): void => {
      if (
        ids().expand(ref).length > 0 ||
        (uncheckedIndex ??= new TaskIdIndex(idsWithoutCheckbox)).expand(ref).length > 0
      )
        return;
      const what = ref.kind === 'id' ? ref.id : ref.kind === 'range' ? `${ref.from}-${ref.to}` : `${ref.from}+`;
      diagnostics.push({
        code: 'unknown-dependency',
        severity: 'warning',
        range: lineRange(line, ref.start, ref.end),
        message: `Dependency on ${what}, but no task ${ref.kind === 'id' ? 'has that id' : 'falls in that range'}.`,
        ...(taskKey === undefined ? {} : { taskKey }),
      });
    };

    for (let taskIndex = 0; taskIndex < tasks.length; taskIndex += 1) {
      const t = tasks[taskIndex];
      if (t === undefined) continue;
      const phaseIndex = t.phaseIndex;
      const ownRefs = taskOwnRefs[taskIndex];
      if (ownRefs !== undefined) {
        const dependsOn: string[] = [];
        for (const { ref, line } of ownRefs) {
          checkKnown(ref, line, t.key);
          for (const id of ids().expand(ref)) if (id !== t.id && !dependsOn.includes(id)) dependsOn.push(id);
        }
        if (dependsOn.length > 0) t.dependsOn = dependsOn;
      }
      if (phaseIndex === undefined) {
        diagnostics.push({
          code: 'task-outside-phase',
          severity: 'warning',
          range: t.idRange,
          message: `${t.id} is not under a phase heading ("## Phase N: …"); it is kept and scheduled where it stands, between the phases around it.`,
          taskKey: t.key,
        });
      } else {
        phaseTaskKeys[phaseIndex]?.push(t.key);
      }
      for (let k = 0; k < t.files.length; k += 1) {
        const file = t.files[k] ?? '';
        if (isOutsideWorkspace(file)) {
          diagnostics.push({
            code: 'path-outside-workspace',
            severity: 'warning',
            range: t.fileRanges[k] ?? t.idRange,
            message: `${t.id} names ${file}, which is outside the workspace; agents will not write there.`,
            taskKey: t.key,
          });
        }
      }
    }
    const finalTasks: readonly Task[] = tasks;

    diagnoseParallelSameFile(finalTasks, (taskIndex) => taskBlock[taskIndex] ?? -1, diagnostics);

    const dependencyStatements: DependencyStatement[] = rawStatements.map((s) => {
      for (const r of s.before) checkKnown(r, s.line);
      for (const r of s.after) checkKnown(r, s.line);
      const statementText = text.slice(lines.starts[s.line] ?? 0, lines.ends[s.line] ?? 0);
      return {
        before: s.before.map((r) => taskIdRefAt(r, s.line)),
        after: s.after.map((r) => taskIdRefAt(r, s.line)),
        range: lineRange(s.line, 0, statementText.length),
        text: statementText.trim(),
      };
    });

    diagnostics.sort(
      (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
    );
    return {
      text,
      eol,
      hasBom,
      ...(title === undefined ? {} : { title }),
      phases,
      tasks: finalTasks,
      sections,
      nonTaskCheckboxes,
      dependencyStatements,
      diagnostics,
    };
  }
}

// Most tasks depend on nothing, name no file or have no continuation lines: they share one empty list each.
const NO_IDS: readonly string[] = [];
const NO_FILES: readonly string[] = [];
const NO_DETAILS: readonly string[] = [];
const NO_REFS: readonly RawIdRef[] = [];
const NO_LINE_REFS: readonly LineIdRef[] = [];
const NO_POSITIONS: readonly number[] = [];
const FILES_DETAIL = /^(?:[-*+]\s+)?\**(?:files?|paths?|locations?)\**\s*:/i;

// Every task of a sub-section shares one `{ title, kind }` object rather than a copy each.
const subsectionRefs = new WeakMap<Subsection, { title: string; kind: SubsectionKind }>();

function sharedSubsectionRef(subsection: Subsection): { title: string; kind: SubsectionKind } {
  let ref = subsectionRefs.get(subsection);
  if (ref === undefined) {
    ref = { title: subsection.title, kind: subsection.kind };
    subsectionRefs.set(subsection, ref);
  }
  return ref;
}

/**
 * Two [P] tasks of one phase that name the same file cannot really run side by side: the scheduler orders them
 * (file locks), but the marker misleads, so the later one is flagged where it names the file, naming the first [P]
 * task with that file.
 * Paths are compared as the scheduler compares them (`./src/a.ts` is `src/a.ts`). `blockOf` gives a task's
 * `##` block: its phase, or for a task outside any phase the section it stands in (-1 before any heading).
 */
function diagnoseParallelSameFile(
  tasks: readonly Task[],
  blockOf: (taskIndex: number) => number,
  diagnostics: TasksDiagnostic[],
): void {
  let owners = new Map<string, Task>();
  let block = Number.NaN;
  for (const t of tasks) {
    if (!t.parallel || t.files.length === 0) continue;
    const taskBlock = blockOf(t.index);
    if (taskBlock !== block) {
      owners = new Map();
      block = taskBlock;
    }
    for (let k = 0; k < t.files.length; k += 1) {
      const file = t.files[k] ?? '';
      const path = normalizeTaskPath(file);
      const other = owners.get(path);
      if (other === undefined) {
        owners.set(path, t);
      } else if (other !== t) {
        diagnostics.push({
          code: 'parallel-same-file',
          severity: 'warning',
          range: t.fileRanges[k] ?? t.idRange,
          message: `${t.id} and ${other.id} (line ${other.line + 1}) are both marked [P] in this ${t.phaseIndex === undefined ? 'section' : 'phase'} but both touch ${file}; they will run one after the other.`,
          taskKey: t.key,
        });
      }
    }
  }
}

function looksLikeTest(description: string, files: readonly string[]): boolean {
  if (
    /^(?:\*\*)?(?:(?:write|add|create|implement|update)\s+)?(?:(?:failing|missing|new)\s+)?(?:unit|contract|integration|e2e|end-to-end|property|snapshot|regression|component|browser|acceptance|performance)?\s*tests?\b/i.test(
      description,
    )
  ) {
    return true;
  }
  return (
    files.length > 0 &&
    files.every((f) =>
      /(?:^|\/)(?:tests?|__tests__|spec)\/|\.(?:test|spec)\.[a-z]+$|(?:^|\/)test_[^/]+$|_test\.[a-z]+$/i.test(f),
    )
  );
}

function isPhaseHeading(heading: string): boolean {
  return PHASE_HEADING.test(heading) || CJK_PHASE_HEADING.test(heading);
}

function newBlock(heading: string, line: number, level: number): BlockDraft {
  const base = {
    heading,
    level,
    headingLine: line,
    endLine: line,
    subsections: [],
    subsectionEnds: [],
    taskIndices: [],
  };
  const m = PHASE_HEADING.exec(heading) ?? CJK_PHASE_HEADING.exec(heading);
  if (m !== null) {
    const rest = (m[2] ?? '').trim();
    return { ...base, kind: 'phase', number: m[1] ?? '', title: rest === '' ? heading : rest };
  }
  return { ...base, kind: sectionKind(heading), title: heading };
}

function sectionKind(heading: string): SectionKind {
  const h = heading.toLowerCase();
  // spec-kit's template names its foundational phase "Foundational (Blocking Prerequisites)": a phase, not prose.
  if (/^\W*foundational\b|blocking prerequisites/.test(h)) return 'other';
  if (/^(?:\W*\s*)?depend|execution order|critical path|dependency graph|blocking/.test(h)) return 'dependencies';
  if (/parallel/.test(h)) return 'parallel-example';
  if (/strateg/.test(h)) return 'strategy';
  if (/^(?:\W*\s*)?notes?\b/.test(h)) return 'notes';
  return 'other';
}

function subsectionKind(title: string): SubsectionKind {
  if (
    /^\W*(?:tests?|testing|测试)\b|^测试|tests?\s+(?:for|first)|test\s+implementation|tdd:?\s*red|(?:contract|integration|unit|e2e|property)\s+tests?/i.test(
      title,
    )
  ) {
    return 'tests';
  }
  if (/implement|实现|tdd:?\s*green/i.test(title)) return 'implementation';
  return 'other';
}

function storyOfPhaseTitle(title: string): string | undefined {
  const m = /\buser\s+story\s+(\d+)\b/i.exec(title) ?? /\bUS\s?(\d+)\b/.exec(title);
  return m === null ? undefined : `US${m[1] ?? ''}`;
}

function priorityOfPhaseTitle(title: string): string | undefined {
  const m = /priority:\s*(P\d+)/i.exec(title) ?? /\b(P\d)\b/.exec(title);
  return m?.[1]?.toUpperCase();
}

function setPhaseProperty(block: BlockDraft, name: string, value: string): void {
  if (block.kind !== 'phase' && block.kind !== 'other') return;
  switch (name) {
    case 'purpose':
      block.purpose ??= value;
      return;
    case 'goal':
      block.goal ??= value;
      return;
    case 'independent test':
      block.independentTest ??= value;
      return;
    case 'checkpoint':
      block.checkpoint ??= value;
      return;
    default:
      return;
  }
}

function stripClosingHashes(text: string): string {
  return text.replace(/[ \t]+#+$/, '').trim();
}

function shiftRef(ref: RawIdRef, by: number): RawIdRef {
  return { ...ref, start: ref.start + by, end: ref.end + by };
}

/**
 * Lines as LSP and editors count them: `\r\n`, `\n` and a lone `\r` (old Mac files) each end a line, so the
 * parser's positions are the language server's.
 */
function splitLines(text: string, from: number): Lines {
  const starts: number[] = [];
  const ends: number[] = [];
  let start = from;
  // The next `\r` is looked up only when it may come first, so a file without any costs one scan for it.
  let cr = text.indexOf('\r', from);
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (cr >= 0 && cr < start) cr = text.indexOf('\r', start);
    if (cr >= 0 && (nl < 0 || cr < nl - 1)) {
      // A lone CR ends this line.
      starts.push(start);
      ends.push(cr);
      start = cr + 1;
      continue;
    }
    if (nl < 0) {
      starts.push(start);
      ends.push(text.length > start && text.charCodeAt(text.length - 1) === 13 ? text.length - 1 : text.length);
      return { text, starts, ends };
    }
    starts.push(start);
    ends.push(nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
    start = nl + 1;
  }
}

/** The line ending the file mostly uses, judged by its first line break. */
function eolOf(text: string): Eol {
  const nl = text.indexOf('\n');
  const cr = text.indexOf('\r');
  if (cr >= 0 && (nl < 0 || cr < nl - 1)) return '\r';
  return nl > 0 && cr === nl - 1 ? '\r\n' : '\n';
}

/**
 * The first line after YAML front matter (`---` on line 0 through the next `---` or `...`), or 0 without any:
 * its `key: value` lines are neither prose nor a setext heading.
 */
function frontMatterEnd(lines: Lines): number {
  const { text, starts, ends } = lines;
  if (text.slice(starts[0] ?? 0, ends[0] ?? 0).trimEnd() !== '---') return 0;
  for (let j = 1; j < starts.length; j += 1) {
    const line = text.slice(starts[j] ?? 0, ends[j] ?? 0).trimEnd();
    if (line === '---' || line === '...') return j + 1;
  }
  return 0;
}

function lineLength(lines: Lines, index: number): number {
  return (lines.ends[index] ?? 0) - (lines.starts[index] ?? 0);
}

function lineRange(line: number, startCharacter: number, endCharacter: number): Range {
  return lineSpan(line, startCharacter, line, endCharacter);
}

function lineSpan(startLine: number, startCharacter: number, endLine: number, endCharacter: number): Range {
  return { start: { line: startLine, character: startCharacter }, end: { line: endLine, character: endCharacter } };
}

/** The first offset in [from, end) that is not a space or a tab (`end` when there is none). */
function skipBlanks(text: string, from: number, end: number): number {
  let k = from;
  while (k < end) {
    const c = text.charCodeAt(k);
    if (c !== 32 && c !== 9) break;
    k += 1;
  }
  return k;
}

/** Columns of the indentation in [from, to): a tab counts to the next multiple of four, as `columns` does. */
function indentColumns(text: string, from: number, to: number): number {
  let col = 0;
  for (let k = from; k < to; k += 1) col = text.charCodeAt(k) === 9 ? col + 4 - (col % 4) : col + 1;
  return col;
}

/** Whether [from, end) holds only what `String.prototype.trim` removes, without copying it out. */
function isBlank(text: string, from: number, end: number): boolean {
  for (let k = from; k < end; k += 1) if (!isTrimmedAway(text.charCodeAt(k))) return false;
  return true;
}

// The WhiteSpace and LineTerminator code points of ECMAScript, which `trim` removes.
function isTrimmedAway(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

function emptyTaskDraft(): TaskDraft {
  return {
    id: '',
    index: 0,
    line: 0,
    startOffset: 0,
    endOffset: 0,
    parallel: false,
    story: undefined,
    labels: NO_IDS,
    description: '',
    lineText: '',
    details: NO_DETAILS,
    files: NO_FILES,
    subsection: undefined,
    isTest: false,
    phaseIndex: undefined,
    indentLength: 0,
    lastLine: 0,
    lastLineLength: 0,
    idStart: 0,
    idEnd: 0,
    bracketStart: 0,
    checkboxOffset: 0,
    mark: ' ',
    filePositions: NO_POSITIONS,
    dependencyRefs: NO_LINE_REFS,
  };
}

/** Whether `text` has a `T` followed by a digit: most task lines do not, and need no dependency reading. */
function mayNameTaskIds(text: string): boolean {
  for (let at = text.indexOf('T'); at >= 0; at = text.indexOf('T', at + 1)) {
    const next = text.charCodeAt(at + 1);
    if (next >= 48 && next <= 57) return true;
  }
  return false;
}

function sameLabels(labels: readonly TaskLabel[], texts: readonly string[]): boolean {
  if (labels.length !== texts.length) return false;
  for (let k = 0; k < texts.length; k += 1) if (labels[k]?.text !== texts[k]) return false;
  return true;
}

function trimBlankTail(lines: Lines, floor: number, last: number): number {
  let l = last;
  while (l > floor && isBlank(lines.text, lines.starts[l] ?? 0, lines.ends[l] ?? 0)) l -= 1;
  return l;
}
