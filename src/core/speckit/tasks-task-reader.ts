/**
 * Reads one task: its checkbox line and the indented lines that belong to it (sub-bullets, wrapped text, a
 * `Files:` line), and what they say — labels, story, the files it works on, the documents it refers to, and
 * the ids its own words order it after or before.
 */
import type { SourceLines } from './source-lines';
import { lineRange } from './source-lines';
import { extractPaths, type PathMention } from './task-paths';
import { findOwnDependencies, type RawIdRef } from './tasks-dependency-prose';
import {
  closesFence,
  htmlCommentEnd,
  htmlCommentStart,
  isParallelLabel,
  indentColumns,
  indentLength,
  matchCheckboxLine,
  matchFence,
  matchHeading,
  matchTaskHead,
  storyOfLabel,
  taskLineIdentity,
  type CheckboxLine,
  type FenceMarker,
  type TaskHead,
  type TaskLabel,
} from './tasks-line';
import type { TaskPlace } from './tasks-outline';
import type { LineSpan, Task } from './tasks-model';

/** A line under a task that belongs to it. */
export interface DetailLine {
  readonly line: number;
  readonly text: string;
}

const NONE: readonly never[] = [];

/** The lines of a task after its checkbox line. */
export interface TaskBody {
  /** The task's last line (its trailing blank lines are not its own). */
  readonly last: number;
  readonly details: readonly DetailLine[];
  /** Checkbox lines under the task without an id of their own: sub-steps, not tasks. */
  readonly subItems: readonly { readonly line: number; readonly checkbox: CheckboxLine }[];
}

/**
 * The lines after a task's checkbox line that are indented deeper than its bullet. A heading, a line at or left of
 * the bullet, or a nested task line ends the task; fenced code and HTML comments inside it are its own.
 */
export function readTaskBody(lines: SourceLines, first: number, indent: number): TaskBody {
  let details: DetailLine[] | undefined;
  let subItems: { line: number; checkbox: CheckboxLine }[] | undefined;
  let last = first;
  let fence: FenceMarker | undefined;
  let inComment = false;
  for (let index = first + 1; index < lines.count; index += 1) {
    const text = lines.line(index);
    if (inComment) {
      // Inside the task's HTML comment: its lines belong to the task, but are neither details nor tasks.
      inComment = htmlCommentEnd(text, 0) < 0;
      last = index;
      continue;
    }
    if (fence !== undefined) {
      if (closesFence(fence, text)) fence = undefined;
    } else {
      if (lines.isBlank(index)) continue;
      if (indentColumns(text) <= indent || matchHeading(text) !== undefined) break;
      const commentAt = htmlCommentStart(text);
      if (commentAt >= 0) {
        inComment = htmlCommentEnd(text, commentAt + 4) < 0;
        last = index;
        continue;
      }
      const nested = matchCheckboxLine(text);
      if (nested !== undefined && matchTaskHead(text, nested.contentStart) !== undefined) break;
      if (nested !== undefined) (subItems ??= []).push({ line: index, checkbox: nested });
      fence = matchFence(text);
    }
    (details ??= []).push({ line: index, text });
    last = index;
  }
  // Most tasks are one line: they share the empty lists.
  return { last, details: details ?? NONE, subItems: subItems ?? NONE };
}

/** A reference read from one line of the document. */
export interface LineIdRef {
  readonly ref: RawIdRef;
  readonly line: number;
}

/**
 * A task as read, before the document is complete. Its `dependsOn` is filled in by the parser's `finish` once
 * every id of the document is known (a reference may name a task further down, or a range of them).
 */
export interface TaskReading {
  readonly task: Task & { dependsOn: readonly string[] };
  /** Ids its own words say it waits for. */
  readonly waitsFor: readonly LineIdRef[];
  /** Ids its own words say wait for it ("before T016"). */
  readonly precedes: readonly LineIdRef[];
}

export interface TaskLineInput {
  readonly lines: SourceLines;
  readonly line: number;
  readonly checkbox: CheckboxLine;
  readonly head: TaskHead;
  readonly body: TaskBody;
  readonly index: number;
  readonly key: string;
  readonly place: TaskPlace;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// A continuation line that lists the task's files: `- Files: …`, `**Paths**: …`.
const FILES_DETAIL = /^[ \t]*(?:[-*+][ \t]+)?\**(?:files?|paths?|locations?)\**[ \t]*:/i;
const MAY_NAME_IDS = /T\d/;
const TEST_DESCRIPTION =
  /^(?:\*\*)?(?:(?:write|add|create|implement|update)\s+)?(?:(?:failing|missing|new)\s+)?(?:unit|contract|integration|e2e|end-to-end|property|snapshot|regression|component|browser|acceptance|performance)?\s*tests?\b/i;
const TEST_FILE = /(?:^|\/)(?:tests?|__tests__|spec)\/|\.(?:test|spec)\.[a-z]+$|(?:^|\/)test_[^/]+$|_test\.[a-z]+$/i;

export function readTask(input: TaskLineInput): TaskReading {
  const { lines, line, checkbox, head, body, place } = input;
  const text = lines.line(line);
  const description = text.slice(head.descriptionStart).trimEnd();
  const { labels, parallel, story } = labelsOf(head, description);
  const paths = pathsOf(line, head.descriptionStart, description, body.details, head.link);
  const own = ownDependencies(line, head.descriptionStart, description, body.details);
  const lineStart = lines.start(line);
  const indent = indentLength(text);
  // Every task has the same fields in the same order (one object shape); optional ones are added only when set,
  // so an absent story is absent, not undefined.
  const task: Mutable<Task> = {
    id: head.id,
    key: input.key,
    index: input.index,
    line,
    lastLine: body.last,
    startCharacter: indent,
    endCharacter: lines.line(body.last).length,
    startOffset: lineStart + indent,
    endOffset: lines.end(body.last),
    idStart: head.idStart,
    idEnd: head.idEnd,
    checkbox: { offset: lineStart + checkbox.bracketStart + 1, character: checkbox.bracketStart, mark: checkbox.mark },
    done: checkbox.mark !== ' ',
    parallel,
    labels,
    description,
    lineText: taskLineIdentity(text, checkbox),
    details: body.details.length === 0 ? NONE : body.details.map(trimmedText),
    files: paths.files,
    fileSpans: paths.fileSpans,
    references: paths.references,
    dependsOn: NONE,
    dependencyRefs: own.waitsFor.length === 0 ? NONE : own.waitsFor.map(toTaskIdRef),
    isTest:
      place.subsection?.kind === 'tests' ||
      (place.subsection?.kind !== 'implementation' && looksLikeTest(description, paths.files)),
  };
  if (story !== undefined) task.story = story;
  if (place.phaseIndex !== undefined) task.phaseIndex = place.phaseIndex;
  if (place.subsection !== undefined) task.subsection = place.subsection;
  return { task, waitsFor: own.waitsFor, precedes: own.precedes };
}

/** A task's labels and what they say. */
interface Labels {
  readonly labels: readonly string[];
  readonly parallel: boolean;
  readonly story: string | undefined;
}

const NO_LABELS: Labels = { labels: NONE, parallel: false, story: undefined };

// Most tasks carry the same few label lists (`[P] [US1]`): one shared list each, read once, as the lists live as
// long as the document.
const sharedLabels = new Map<string, Labels>();

function labelsOf(head: TaskHead, description: string): Labels {
  const labels = head.labels.map(labelText);
  // "Description [P]": the marker at the end of the line, as some authors write it.
  if (!labels.some(isParallelLabel) && description.endsWith('[P]')) labels.push('P');
  if (labels.length === 0) return NO_LABELS;
  const key = labels.join('\u0000');
  const shared = sharedLabels.get(key);
  if (shared !== undefined) return shared;
  const read: Labels = {
    labels: Object.freeze(labels),
    parallel: labels.some(isParallelLabel),
    story: labels.map(storyOfLabel).find((s) => s !== undefined),
  };
  if (sharedLabels.size < 1000) sharedLabels.set(key, read);
  return read;
}

function labelText(label: TaskLabel): string {
  return label.text;
}

function trimmedText(detail: DetailLine): string {
  return detail.text.trim();
}

interface TaskPaths {
  readonly files: readonly string[];
  readonly fileSpans: readonly LineSpan[];
  readonly references: readonly string[];
}

const NO_PATHS: TaskPaths = { files: NONE, fileSpans: NONE, references: NONE };

/** The paths of the task line and of its `Files:` lines, each where it is first named. */
function pathsOf(
  line: number,
  descriptionStart: number,
  description: string,
  details: readonly DetailLine[],
  link: string | undefined,
): TaskPaths {
  const found = new PathsFound();
  found.add(extractPaths(description), line, descriptionStart);
  for (const detail of details) {
    if (FILES_DETAIL.test(detail.text)) found.add(extractPaths(detail.text), detail.line, 0);
  }
  // The document an id written as a link points to is the task's own reference (`[T012](tasks/T012.md)`).
  if (link !== undefined && !found.references.includes(link)) found.references = [link].concat(found.references);
  if (found.files.length === 0 && found.references.length === 0) return NO_PATHS;
  return { files: found.files, fileSpans: found.fileSpans, references: found.references };
}

/**
 * Paths as they are met, each once. The lists grow by `concat`: a task names a path or two, and a document keeps
 * the lists as long as it lives, so each is exactly as long as it needs (a list grown by `push`, or built by a
 * spread, keeps room for sixteen more: 184 bytes for one path instead of 32).
 */
class PathsFound {
  files: readonly string[] = NONE;
  fileSpans: readonly LineSpan[] = NONE;
  references: readonly string[] = NONE;

  add(mentions: readonly PathMention[], line: number, offset: number): void {
    for (const mention of mentions) {
      if (mention.kind === 'reference') {
        if (!this.references.includes(mention.path)) this.references = this.references.concat([mention.path]);
      } else if (!this.files.includes(mention.path)) {
        this.files = this.files.concat([mention.path]);
        this.fileSpans = this.fileSpans.concat([{ line, start: offset + mention.start, end: offset + mention.end }]);
      }
    }
  }
}

interface OwnReferences {
  readonly waitsFor: LineIdRef[];
  readonly precedes: LineIdRef[];
}

const NO_OWN_REFERENCES: OwnReferences = { waitsFor: [], precedes: [] };

function ownDependencies(
  line: number,
  descriptionStart: number,
  description: string,
  details: readonly DetailLine[],
): OwnReferences {
  if (!MAY_NAME_IDS.test(description) && !details.some((d) => MAY_NAME_IDS.test(d.text))) return NO_OWN_REFERENCES;
  const own: OwnReferences = { waitsFor: [], precedes: [] };
  addOwnReferences(own, description, line, descriptionStart);
  for (const detail of details) addOwnReferences(own, detail.text, detail.line, 0);
  return own;
}

function addOwnReferences(own: OwnReferences, text: string, line: number, offset: number): void {
  if (!MAY_NAME_IDS.test(text)) return;
  const found = findOwnDependencies(text);
  for (const ref of found.waitsFor) own.waitsFor.push({ ref: shifted(ref, offset), line });
  for (const ref of found.precedes) own.precedes.push({ ref: shifted(ref, offset), line });
}

function shifted(ref: RawIdRef, by: number): RawIdRef {
  return by === 0 ? ref : { ...ref, start: ref.start + by, end: ref.end + by };
}

/** The model's form of a reference: its line and characters as a range. */
export function toTaskIdRef({ ref, line }: LineIdRef): Task['dependencyRefs'][number] {
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
}

function looksLikeTest(description: string, files: readonly string[]): boolean {
  return TEST_DESCRIPTION.test(description) || (files.length > 0 && files.every((f) => TEST_FILE.test(f)));
}
