/**
 * Parses a spec-kit `tasks.md` in one linear pass. Never throws: anything odd becomes a diagnostic, and every
 * checkbox line is either a task or a `nonTaskCheckboxes` entry. Fenced code blocks are skipped, because
 * spec-kit's "Parallel Example" sections list task lines inside fences.
 */
import {
  columns,
  closesFence,
  isMalformedCheckbox,
  isParallelLabel,
  leadingWhitespace,
  matchCheckboxLine,
  matchFence,
  matchTaskHead,
  storyOfLabel,
  taskLineIdentity,
  type CheckboxLine,
  type FenceMarker,
} from './tasks-line';
import {
  compareTaskIds,
  findDependencyStatements,
  findOwnDependencyRefs,
  parseTaskId,
  TaskIdIndex,
  taskIdIndexOf,
  type ParsedTaskId,
  type RawIdRef,
} from './tasks-dependency-prose';
import { extractPaths, isOutsideWorkspace } from './task-paths';
import type {
  Checkbox,
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
  TaskIdRef,
  TasksDiagnostic,
  TasksDocument,
} from './tasks-model';

interface Line {
  readonly start: number;
  /** End of the content, before `\r\n` / `\n`. */
  readonly end: number;
  readonly text: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface BlockDraft {
  heading: string;
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
}

type TaskDraft = Mutable<Task> & { dependsOn: string[] };

interface OwnRef {
  readonly ref: RawIdRef;
  readonly line: number;
}

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/;
const PHASE_HEADING =
  /^(?:phase|stage|module|part|milestone|sprint|iteration|wave|step)\s+(\d+(?:\.\d+)*[A-Za-z]?|[A-Za-z]|[IVX]+)\b\s*(?:[:.\-–—)]\s*)?(.*)$/i;
const CJK_PHASE_HEADING = /^第\s*([^\s阶]{1,6})\s*阶段\s*[:：]?\s*(.*)$/;
const PHASE_PROPERTY = /^[ \t]*(?:[-*+][ \t]+)?\*\*(purpose|goal|independent test|checkpoint)[ \t]*:?\*\*[ \t]*:?[ \t]*(.*)$/i;
const TABLE_ROW = /^[ \t]*\|/;

export function parseTasks(text: string): TasksDocument {
  const hasBom = text.charCodeAt(0) === 0xfeff;
  const bomLength = hasBom ? 1 : 0;
  // Line 0 starts after the BOM, so character positions match an editor's and offsets still index `text`.
  const lines = splitLines(text, bomLength);
  const firstNewline = text.indexOf('\n');
  const eol: Eol = firstNewline > 0 && text[firstNewline - 1] === '\r' ? '\r\n' : '\n';

  const pos = (line: number, character: number): { line: number; character: number } => ({ line, character });
  const lineRange = (line: number, startIndex: number, endIndex: number): Range => ({
    start: pos(line, startIndex),
    end: pos(line, endIndex),
  });
  const wholeLines = (first: number, last: number): Range => ({
    start: pos(first, 0),
    end: pos(last, lineText(lines, last).length),
  });

  const diagnostics: TasksDiagnostic[] = [];
  // Tasks are built once and completed in `finish` (keys, dependencies, phase); side tables hold the rest.
  const tasks: TaskDraft[] = [];
  const taskBlock: (number | undefined)[] = [];
  const taskOwnRefs: (OwnRef[] | undefined)[] = [];
  const blocks: BlockDraft[] = [];
  const nonTaskCheckboxes: NonTaskCheckbox[] = [];
  const rawStatements: { before: RawIdRef[]; after: RawIdRef[]; line: number }[] = [];
  // Ids written without a checkbox (heading or table tasks): known to the author, so not "unknown" dependencies.
  const idsWithoutCheckbox: string[] = [];
  let title: string | undefined;
  let block: BlockDraft | undefined;
  let fence: FenceMarker | undefined;

  const closeBlock = (lastLine: number): void => {
    if (block === undefined) return;
    block.endLine = trimBlankTail(lines, block.headingLine, lastLine);
    const lastSub = block.subsections.length - 1;
    if (lastSub >= 0) block.subsectionEnds[lastSub] = block.endLine;
    block = undefined;
  };

  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line === undefined) break;
    const raw = line.text;
    // Dispatch on the first non-blank character so most lines meet no regular expression at all.
    let first = 0;
    while (first < raw.length && (raw.charCodeAt(first) === 32 || raw.charCodeAt(first) === 9)) first += 1;
    const lead = raw.charCodeAt(first);
    const fenceLead = lead === 96 || lead === 126; // ` ~

    if (fence !== undefined) {
      if (fenceLead && closesFence(fence, raw)) fence = undefined;
      i += 1;
      continue;
    }
    if (first === raw.length) {
      i += 1;
      continue;
    }
    const fenceOpen = fenceLead ? matchFence(raw) : undefined;
    if (fenceOpen !== undefined) {
      fence = fenceOpen;
      i += 1;
      continue;
    }

    const heading = lead === 35 ? HEADING.exec(raw) : null; // #
    if (heading !== null) {
      const level = heading[1]?.length ?? 1;
      const headingText = stripClosingHashes(heading[2] ?? '');
      if (level <= 2) {
        closeBlock(i - 1);
        if (level === 1) {
          title ??= headingText;
        } else {
          block = newBlock(headingText, i);
          blocks.push(block);
        }
      } else if (block !== undefined && (block.kind === 'phase' || block.kind === 'other')) {
        const last = block.subsections.length - 1;
        if (last >= 0) block.subsectionEnds[last] = trimBlankTail(lines, block.subsections[last]?.headingRange.start.line ?? i, i - 1);
        const headingRange = lineRange(i, 0, raw.length);
        block.subsections.push({ title: headingText, level, kind: subsectionKind(headingText), headingRange, range: headingRange });
        block.subsectionEnds.push(i);
      }
      let textStart = raw.indexOf('#') + level;
      while (raw[textStart] === ' ' || raw[textStart] === '\t') textStart += 1;
      noteTaskWithoutCheckbox(raw, textStart, i);
      i += 1;
      continue;
    }

    const listLead = lead === 45 || lead === 42 || lead === 43 || lead === 91 || (lead >= 48 && lead <= 57); // - * + [ digit
    const checkbox = listLead ? matchCheckboxLine(raw) : undefined;
    if (checkbox !== undefined) {
      const head = matchTaskHead(raw, checkbox.contentStart);
      if (head !== undefined && !TABLE_ROW.test(raw)) {
        i = readTask(i, line, checkbox, head);
        continue;
      }
      recordNonTaskCheckbox(i, raw, checkbox.contentStart, checkbox.mark !== ' ', TABLE_ROW.test(raw) ? 'table-row' : 'no-id');
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
      const ws = leadingWhitespace(raw).length;
      diagnostics.push({
        code: 'malformed-checkbox',
        severity: 'warning',
        range: lineRange(i, ws, raw.trimEnd().length),
        message: 'This line looks like a checkbox but is not one; write it as "- [ ] T001 Description" (a space inside the brackets, one after them).',
      });
    } else if (tableRow || (lead === 42 && /^[ \t]*\*\*T\d/.test(raw))) {
      noteTaskWithoutCheckbox(raw, leadingWhitespace(raw).length, i);
    }
    if ((lead === 42 || lead === 45 || lead === 43) && (block?.kind === 'phase' || block?.kind === 'other')) {
      const prop = PHASE_PROPERTY.exec(raw);
      if (prop !== null) setPhaseProperty(block, (prop[1] ?? '').toLowerCase(), (prop[2] ?? '').trim());
    }
    collectStatements(raw, i);
    i += 1;
  }
  closeBlock(lines.length - 1);

  return finish();

  // ---- helpers that share the pass's state ----

  function readTask(
    first: number,
    line: Line,
    checkbox: CheckboxLine,
    head: NonNullable<ReturnType<typeof matchTaskHead>>,
  ): number {
    const { indent, bracketStart, mark } = checkbox;
    const raw = line.text;
    const details: string[] = [];
    let last = first;
    let j = first + 1;
    let innerFence: FenceMarker | undefined;
    while (j < lines.length) {
      const next = lineText(lines, j);
      if (innerFence !== undefined) {
        if (closesFence(innerFence, next)) innerFence = undefined;
        details.push(next.trim());
        last = j;
        j += 1;
        continue;
      }
      if (next.trim() === '') {
        j += 1;
        continue;
      }
      const nextIndent = columns(leadingWhitespace(next));
      if (nextIndent <= indent || HEADING.test(next)) break;
      const nested = matchCheckboxLine(next);
      if (nested !== undefined && matchTaskHead(next, nested.contentStart) !== undefined) break;
      if (nested !== undefined) recordNonTaskCheckbox(j, next, nested.contentStart, nested.mark !== ' ', 'sub-item');
      const f = matchFence(next);
      if (f !== undefined) innerFence = f;
      details.push(next.trim());
      last = j;
      j += 1;
    }
    const index = tasks.length;
    const labels: string[] = [];
    let parallel = false;
    let story: string | undefined;
    for (const label of head.labels) {
      labels.push(label.text);
      if (isParallelLabel(label.text)) parallel = true;
      else story ??= storyOfLabel(label.text);
    }
    const description = raw.slice(head.descriptionStart).trimEnd();
    if (!parallel && description.endsWith('[P]')) {
      labels.push('P');
      parallel = true;
    }
    const files: string[] = [];
    for (const mention of extractPaths(description)) files.push(mention.path);
    for (const detail of details) {
      if (/^(?:[-*+]\s+)?\**(?:files?|paths?|locations?)\**\s*:/i.test(detail)) {
        for (const mention of extractPaths(detail)) if (!files.includes(mention.path)) files.push(mention.path);
      }
    }
    let ownRefs: OwnRef[] | undefined;
    for (const ref of findOwnDependencyRefs(description)) {
      (ownRefs ??= []).push({ ref: shiftRef(ref, head.descriptionStart), line: first });
    }
    for (let d = first + 1; d <= last; d += 1) {
      const detailLine = lineText(lines, d);
      for (const ref of findOwnDependencyRefs(detailLine)) (ownRefs ??= []).push({ ref, line: d });
    }
    const checkboxValue: Checkbox = {
      offset: line.start + bracketStart + 1,
      range: lineRange(first, bracketStart, bracketStart + 3),
      mark,
    };
    const currentBlock = block;
    const subsection = currentBlock?.subsections[currentBlock.subsections.length - 1];
    const lastLineText = lineText(lines, last);
    const indentLength = leadingWhitespace(raw).length;
    const isTest = subsection?.kind === 'tests' || (subsection?.kind !== 'implementation' && looksLikeTest(description, files));
    const draft: TaskDraft = {
      id: head.id,
      key: head.id,
      index,
      line: first,
      range: { start: pos(first, indentLength), end: pos(last, lastLineText.length) },
      startOffset: line.start + indentLength,
      endOffset: (lines[last]?.start ?? line.start) + lastLineText.length,
      idRange: lineRange(first, head.idStart, head.idEnd),
      checkbox: checkboxValue,
      done: mark !== ' ',
      parallel,
      labels,
      description,
      lineText: taskLineIdentity(raw, checkbox),
      details,
      files,
      dependsOn: NO_IDS,
      isTest,
    };
    if (story !== undefined) draft.story = story;
    if (subsection !== undefined) draft.subsection = sharedSubsectionRef(subsection);
    tasks.push(draft);
    taskBlock.push(currentBlock === undefined ? undefined : blocks.length - 1);
    taskOwnRefs.push(ownRefs);
    currentBlock?.taskIndices.push(index);
    return last + 1;
  }

  function recordNonTaskCheckbox(line: number, raw: string, contentStart: number, checked: boolean, reason: NonTaskCheckbox['reason']): void {
    const text = raw.slice(contentStart).trimEnd();
    const range = lineRange(line, leadingWhitespace(raw).length, raw.trimEnd().length);
    nonTaskCheckboxes.push({ range, text, checked, reason });
    if (reason === 'no-id') {
      const looksLikeTask = /\[(?:P|US\s*\d+)\]/i.test(text) || /^\**\s*(?:T-?\d+|Task\s+\d+)\b/i.test(text);
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
    while (k < text.length && (text[k] === '|' || text[k] === ' ' || text[k] === '\t' || text[k] === '-' || text[k] === '*' || text[k] === '+')) {
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
    for (const s of findDependencyStatements(raw)) rawStatements.push({ before: [...s.before], after: [...s.after], line });
  }

  function finish(): TasksDocument {
    const phases: Phase[] = [];
    const sections: Section[] = [];
    const phaseOfBlock = new Map<number, number>();
    blocks.forEach((b, blockIndex) => {
      const headingRange = wholeLines(b.headingLine, b.headingLine);
      const range = wholeLines(b.headingLine, Math.max(b.headingLine, b.endLine));
      if (b.kind === 'phase' || (b.kind === 'other' && b.taskIndices.length > 0)) {
        const phaseIndex = phases.length;
        phaseOfBlock.set(blockIndex, phaseIndex);
        const story = storyOfPhaseTitle(b.title);
        const priority = priorityOfPhaseTitle(b.title);
        phases.push({
          index: phaseIndex,
          heading: b.heading,
          title: b.title,
          headingRange,
          range,
          mvp: /🎯|\bMVP\b/i.test(b.heading),
          subsections: b.subsections.map((s, k) => ({ ...s, range: wholeLines(s.headingRange.start.line, Math.max(s.headingRange.start.line, b.subsectionEnds[k] ?? b.endLine)) })),
          taskKeys: [],
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
    });

    // Keys, duplicates, order.
    const seen = new Map<string, TaskDraft>();
    const counts = new Map<string, number>();
    let previous: ParsedTaskId | undefined;
    let previousId = '';
    for (const t of tasks) {
      const n = (counts.get(t.id) ?? 0) + 1;
      counts.set(t.id, n);
      if (n > 1) {
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

    const index = taskIdIndexOf(tasks);
    const uncheckedIndex = new TaskIdIndex(idsWithoutCheckbox);
    const toRef = (ref: RawIdRef, line: number): TaskIdRef => {
      const range = lineRange(line, ref.start, ref.end);
      switch (ref.kind) {
        case 'id':
          return { kind: 'id', id: ref.id, range };
        case 'range':
          return { kind: 'range', from: ref.from, to: ref.to, range };
        case 'open-range':
          return { kind: 'open-range', from: ref.from, range };
        default: {
          const never: never = ref;
          return never;
        }
      }
    };
    const checkKnown = (ref: RawIdRef, line: number, taskKey?: string): void => {
      if (index.expand(ref).length > 0 || uncheckedIndex.expand(ref).length > 0) return;
      const what = ref.kind === 'id' ? ref.id : ref.kind === 'range' ? `${ref.from}-${ref.to}` : `${ref.from}+`;
      diagnostics.push({
        code: 'unknown-dependency',
        severity: 'warning',
        range: lineRange(line, ref.start, ref.end),
        message: `Dependency on ${what}, but no task ${ref.kind === 'id' ? 'has that id' : 'falls in that range'}.`,
        ...(taskKey === undefined ? {} : { taskKey }),
      });
    };

    tasks.forEach((t, taskIndex) => {
      const blockIndex = taskBlock[taskIndex];
      const phaseIndex = blockIndex === undefined ? undefined : phaseOfBlock.get(blockIndex);
      for (const { ref, line } of taskOwnRefs[taskIndex] ?? []) {
        checkKnown(ref, line, t.key);
        for (const id of index.expand(ref)) {
          if (id === t.id || t.dependsOn.includes(id)) continue;
          if (t.dependsOn === NO_IDS) t.dependsOn = [];
          t.dependsOn.push(id);
        }
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
        t.phaseIndex = phaseIndex;
        (phases[phaseIndex]?.taskKeys as string[] | undefined)?.push(t.key);
      }
      for (const file of t.files) {
        if (isOutsideWorkspace(file)) {
          diagnostics.push({
            code: 'path-outside-workspace',
            severity: 'warning',
            range: t.idRange,
            message: `${t.id} names ${file}, which is outside the workspace; agents will not write there.`,
            taskKey: t.key,
          });
        }
      }
    });
    const finalTasks: readonly Task[] = tasks;

    diagnoseParallelSameFile(finalTasks, diagnostics);

    const dependencyStatements: DependencyStatement[] = rawStatements.map((s) => {
      for (const r of [...s.before, ...s.after]) checkKnown(r, s.line);
      const text = lineText(lines, s.line);
      return {
        before: s.before.map((r) => toRef(r, s.line)),
        after: s.after.map((r) => toRef(r, s.line)),
        range: lineRange(s.line, 0, text.length),
        text: text.trim(),
      };
    });

    diagnostics.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
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

// Most tasks depend on nothing: they share one empty list (never pushed to; see `finish`).
const NO_IDS: string[] = [];

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

function diagnoseParallelSameFile(tasks: readonly Task[], diagnostics: TasksDiagnostic[]): void {
  // Within one run of consecutive [P] tasks of a phase: those are the tasks that would otherwise overlap.
  let owners = new Map<string, Task>();
  let groupPhase: number | undefined = -1;
  for (const t of tasks) {
    if (!t.parallel || t.phaseIndex !== groupPhase) {
      owners = new Map();
      groupPhase = t.phaseIndex;
    }
    if (!t.parallel) continue;
    for (const file of t.files) {
      const other = owners.get(file);
      if (other !== undefined) {
        diagnostics.push({
          code: 'parallel-same-file',
          severity: 'warning',
          range: t.idRange,
          message: `${t.id} and ${other.id} are both marked [P] but both touch ${file}; they will run one after the other.`,
          taskKey: t.key,
        });
      } else {
        owners.set(file, t);
      }
    }
  }
}

function looksLikeTest(description: string, files: readonly string[]): boolean {
  if (/^(?:\*\*)?(?:(?:write|add|create|implement|update)\s+)?(?:(?:failing|missing|new)\s+)?(?:unit|contract|integration|e2e|end-to-end|property|snapshot|regression|component|browser|acceptance|performance)?\s*tests?\b/i.test(description)) {
    return true;
  }
  return files.length > 0 && files.every((f) => /(?:^|\/)(?:tests?|__tests__|spec)\/|\.(?:test|spec)\.[a-z]+$|(?:^|\/)test_[^/]+$|_test\.[a-z]+$/i.test(f));
}

function newBlock(heading: string, line: number): BlockDraft {
  const base = { heading, headingLine: line, endLine: line, subsections: [], subsectionEnds: [], taskIndices: [] };
  const m = PHASE_HEADING.exec(heading) ?? CJK_PHASE_HEADING.exec(heading);
  if (m !== null) {
    const rest = (m[2] ?? '').trim();
    return { ...base, kind: 'phase', number: m[1] ?? '', title: rest === '' ? heading : rest };
  }
  return { ...base, kind: sectionKind(heading), title: heading };
}

function sectionKind(heading: string): SectionKind {
  const h = heading.toLowerCase();
  if (/^(?:\W*\s*)?depend|execution order|critical path|dependency graph|blocking/.test(h)) return 'dependencies';
  if (/parallel/.test(h)) return 'parallel-example';
  if (/strateg/.test(h)) return 'strategy';
  if (/^(?:\W*\s*)?notes?\b/.test(h)) return 'notes';
  return 'other';
}

function subsectionKind(title: string): SubsectionKind {
  if (/^\W*(?:tests?|testing|测试)\b|^测试|tests?\s+(?:for|first)|test\s+implementation|tdd:?\s*red|(?:contract|integration|unit|e2e|property)\s+tests?/i.test(title)) {
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

function splitLines(text: string, from: number): Line[] {
  const lines: Line[] = [];
  let start = from;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      const end = text.length > start && text.charCodeAt(text.length - 1) === 13 ? text.length - 1 : text.length;
      lines.push({ start, end, text: text.slice(start, end) });
      return lines;
    }
    const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    lines.push({ start, end, text: text.slice(start, end) });
    start = nl + 1;
  }
}

function lineText(lines: readonly Line[], index: number): string {
  return lines[index]?.text ?? '';
}

function trimBlankTail(lines: readonly Line[], floor: number, last: number): number {
  let l = last;
  while (l > floor && lineText(lines, l).trim() === '') l -= 1;
  return l;
}
