/**
 * Reads the order a tasks.md states in words. Only explicit statements count, because a wrong edge is worse
 * than a missing one (it can invent a cycle, or hold a task for nothing):
 * - a statement: ids on both sides of an ordering word, in one clause — "T022 depends on T014", "T014 blocks
 *   T022", "Tests (T006-T013) before implementation (T014-T034)", "T010 → T011 → T012";
 * - a task's own words: the ids right after "after", "depends on", "requires", "blocked by", a
 *   `**Dependencies**:` label… (it waits for them), or right after "before" / "blocks" (they wait for it).
 * Tasks said to run in parallel are not ordered with each other; a clause that contradicts itself is read as no
 * order, with a note (`unclear`).
 */
import { matchesOf } from './pattern-matches';
import { TASK_ID_END, TASK_ID_PATTERN, type TaskIdTarget } from './task-ids';

/** A reference in one line: what it names and where (`start`/`end` are characters of that line). */
export type RawIdRef = TaskIdTarget & { readonly start: number; readonly end: number };

// An id, then optionally a range end (`-T013`, `–T013`, ` to T013`, ` through T013`, `..T013`) or an open end (`+`).
const ID_REF = new RegExp(
  String.raw`(?<![\w.])(${TASK_ID_PATTERN})${TASK_ID_END}` +
    String.raw`(?:\s*(?:[-–—]|\.\.|\bto\b|\bthrough\b|\bthru\b)\s*(${TASK_ID_PATTERN})${TASK_ID_END}|(\+))?`,
  'g',
);
// Link destinations name documents (`[T012](tasks/P3-T012.md)`); URLs are addresses. Neither holds references.
const NOT_PROSE = /\]\([^)\s]*(?:\s+"[^"]*")?\)|<?\bhttps?:\/\/[^\s>)]*>?/g;

export function findTaskIdRefs(text: string): RawIdRef[] {
  const prose =
    text.includes('](') || text.includes('://') ? text.replace(NOT_PROSE, (match) => ' '.repeat(match.length)) : text;
  const refs: RawIdRef[] = [];
  for (const m of matchesOf(ID_REF, prose)) {
    const [whole, from = '', to, open] = m;
    const start = m.index;
    const end = start + whole.length;
    if (to !== undefined) refs.push({ kind: 'range', from, to, start, end });
    else if (open !== undefined) refs.push({ kind: 'open-range', from, start, end });
    else refs.push({ kind: 'id', id: from, start, end });
  }
  return refs;
}

/** `waits`: the left side waits for the right. `precedes`: the right side waits for the left. */
type Direction = 'waits' | 'precedes';

interface Keyword {
  readonly direction: Direction;
  readonly start: number;
  readonly end: number;
  /** `→`, `->`…: a flow as often as an order. */
  readonly isArrow: boolean;
}

// "required by" is listed before "requires" so the longer phrase wins.
const KEYWORDS =
  /\b(?:depends?\s+on|dependent\s+on|blocked\s+by|required\s+by|requires|needs|waits?\s+for|after|blocks|before|prerequisite\s+(?:for|of))\b|→|->|=>|⟶|⇒/gi;
const PRECEDES = /^(?:blocks|before|required\s+by|prerequisite\s+(?:for|of)|→|->|=>|⟶|⇒)$/i;
// A field label in a task's own text: `**Dependencies**: T001`, `Depends: T005`, `Prerequisites: T003`.
const DEPENDENCY_LABEL = /\b(?:dependenc(?:y|ies)|depends|prerequisites?|blocked\s+on)\b\**\s*:/gi;
// Clauses end at `;`, `|`, a full stop followed by a blank (or the end) and the ideographic full stop.
const CLAUSE_END = /[;|]|\.(?=\s|$)|。/g;
const PARALLEL =
  /\bparallel\b|\bconcurrent(?:ly)?\b|\bsimultaneous(?:ly)?\b|\bat the same time\b|\bindependent(?:ly)?\s+of\b|\balongside\b|并行/gi;

function findKeywords(text: string): Keyword[] {
  return matchesOf(KEYWORDS, text).map((m) => ({
    direction: PRECEDES.test(m[0]) ? 'precedes' : 'waits',
    start: m.index,
    end: m.index + m[0].length,
    isArrow: !/^\w/.test(m[0]),
  }));
}

interface Clause {
  readonly start: number;
  readonly end: number;
}

function clausesOf(text: string): Clause[] {
  const clauses: Clause[] = [];
  let start = 0;
  for (const m of matchesOf(CLAUSE_END, text)) {
    clauses.push({ start, end: m.index });
    start = m.index + m[0].length;
  }
  clauses.push({ start, end: text.length });
  return clauses;
}

function refsBetween(refs: readonly RawIdRef[], start: number, end: number): RawIdRef[] {
  return refs.filter((r) => r.start >= start && r.end <= end);
}

export interface RawDependencyStatement {
  readonly before: readonly RawIdRef[];
  readonly after: readonly RawIdRef[];
}

export interface ProseReading {
  readonly statements: readonly RawDependencyStatement[];
  /** Clauses that order ids with an arrow but say the tasks can run in parallel: read as no order. */
  readonly unclear: readonly Clause[];
}

const NOTHING: ProseReading = { statements: [], unclear: [] };

/**
 * The dependency statements of one prose line. In each clause, each ordering word has a left side (the ids since
 * the clause start or the previous ordering word) and a right side (the ids up to the next ordering word or the
 * clause end); a statement needs ids on both, so "Setup (T001-T005) before everything" says nothing.
 *
 * Saying that tasks run in parallel is no order between them: "T016, T017 can run in parallel after T012" orders
 * both after T012, but in "T260 needs T259 and can run in parallel with T261" the ids after "parallel" are not
 * what T260 needs, so a parallel phrase ends the right side of the word before it. An arrow in a clause that
 * also says "in parallel" ("T010 → T011 can run in parallel") contradicts itself: read as no order, with a note.
 */
export function readDependencyProse(text: string): ProseReading {
  const refs = findTaskIdRefs(text);
  if (refs.length < 2) return NOTHING;
  const keywords = findKeywords(text);
  if (keywords.length === 0) return NOTHING;
  const statements: RawDependencyStatement[] = [];
  const unclear: Clause[] = [];
  for (const clause of clausesOf(text)) {
    const inClause = keywords.filter((k) => k.start >= clause.start && k.end <= clause.end);
    const parallelAt = parallelPhraseStarts(text, clause);
    let clauseIsUnclear = false;
    inClause.forEach((keyword, k) => {
      const leftStart = inClause[k - 1]?.end ?? clause.start;
      const rightEnd = Math.min(
        inClause[k + 1]?.start ?? clause.end,
        parallelAt.find((at) => at > keyword.end) ?? clause.end,
      );
      const left = refsBetween(refs, leftStart, keyword.start);
      const right = refsBetween(refs, keyword.end, rightEnd);
      if (left.length === 0 || right.length === 0) return;
      if (keyword.isArrow && parallelAt.length > 0) clauseIsUnclear = true;
      else
        statements.push(
          keyword.direction === 'precedes' ? { before: left, after: right } : { before: right, after: left },
        );
    });
    if (clauseIsUnclear) unclear.push(clause);
  }
  return { statements, unclear };
}

function parallelPhraseStarts(text: string, clause: Clause): number[] {
  const starts: number[] = [];
  const part = text.slice(clause.start, clause.end);
  for (const m of matchesOf(PARALLEL, part)) starts.push(clause.start + m.index);
  return starts;
}

export interface OwnDependencies {
  /** Ids the task waits for. */
  readonly waitsFor: readonly RawIdRef[];
  /** Ids that wait for the task ("before T016", "blocks T020"). */
  readonly precedes: readonly RawIdRef[];
}

const NO_OWN_DEPENDENCIES: OwnDependencies = { waitsFor: [], precedes: [] };

// Between an ordering word and the first id: blanks, Markdown, and a few words that do not change the meaning.
const LEAD_IN =
  /^(?:[\s:*_`([]|\b(?:the|task|tasks|completion|complete|completing|finishing|finished|of|all|both|having)\b)*$/i;
// Between two ids of one list.
const LIST_GAP = /^(?:[\s,&/*_`()[\]]|\band\b|\bas well as\b)*$/i;

/**
 * What a task's own text says about its order: the list of ids right after each ordering word or dependency
 * label. "after T001–T003 are done" and "depends on T001, T002 and T004" name lists; in "after login (see
 * T005)" the id is not what the task waits for, so it is not read.
 */
export function findOwnDependencies(text: string): OwnDependencies {
  const refs = findTaskIdRefs(text);
  if (refs.length === 0) return NO_OWN_DEPENDENCIES;
  const openers: Keyword[] = [
    ...findKeywords(text),
    ...matchesOf(DEPENDENCY_LABEL, text).map((m) => ({
      direction: 'waits' as const,
      start: m.index,
      end: m.index + m[0].length,
      isArrow: false,
    })),
  ];
  const waitsFor: RawIdRef[] = [];
  const precedes: RawIdRef[] = [];
  for (const opener of openers) {
    if (opener.direction === 'precedes' && !precedesTheTask(text, refs, opener)) continue;
    const list = listAfter(text, refs, opener.end);
    const into = opener.direction === 'waits' ? waitsFor : precedes;
    for (const ref of list) if (!into.includes(ref)) into.push(ref);
  }
  waitsFor.sort((a, b) => a.start - b.start);
  precedes.sort((a, b) => a.start - b.start);
  return { waitsFor, precedes };
}

/**
 * Whether "before T016" in a task's text is about the task itself: spelled as a word (an arrow in a task line is
 * a flow, "Parse → T016's model"), and with no id of its own clause before it ("T029 passes before T031" speaks
 * of T029).
 */
function precedesTheTask(text: string, refs: readonly RawIdRef[], opener: Keyword): boolean {
  if (opener.isArrow) return false;
  return refsBetween(refs, clauseStartBefore(text, opener.start), opener.start).length === 0;
}

function clauseStartBefore(text: string, at: number): number {
  let start = 0;
  for (const clause of clausesOf(text)) if (clause.start <= at) start = clause.start;
  return start;
}

/** The ids listed right after `from`: the first within a short lead-in, then each one joined by a list gap. */
function listAfter(text: string, refs: readonly RawIdRef[], from: number): RawIdRef[] {
  const list: RawIdRef[] = [];
  let position = from;
  for (const ref of refs) {
    if (ref.start < position) continue;
    const gap = text.slice(position, ref.start);
    if (!(list.length === 0 ? LEAD_IN : LIST_GAP).test(gap)) break;
    list.push(ref);
    position = ref.end;
  }
  return list;
}

/** What one prose line says about the order of user stories. */
export interface StoryProse {
  /** The stories the line speaks of (`US2` in "**User Story 2 (P2)**: Can start after Foundational"). */
  readonly stories: readonly string[];
  /** The stories they wait for ("depends on US1", "after User Story 1"); empty when they wait for none. */
  readonly after: readonly string[];
  /** The line says the stories can run in parallel ("User stories can then proceed in parallel"). */
  readonly parallel: boolean;
  /** The line says its stories wait for no other story ("Can start after Foundational", "No dependencies…"). */
  readonly independent: boolean;
}

const STORY_REF = /\b(?:user\s+stor(?:y|ies)|stor(?:y|ies)|US)\s*(\d+)\b/gi;
const STORIES_IN_PARALLEL =
  /\b(?:user\s+)?stories\b(?:\s+[\w'()-]+){0,6}?\s+(?:in\s+parallel|concurrently|simultaneously|side\s+by\s+side)\b/i;
const NEGATION = /\b(?:not|never|cannot|can't|must\s+not|don't|do\s+not)\b/i;
const STORY_WAITS =
  /\b(?:depends?\s+on|dependent\s+on|after|requires|needs|blocked\s+by|waits?\s+for|builds?\s+on)\b/gi;
const NO_OTHER_STORY =
  /\bno\s+dependenc(?:y|ies)\s+on\s+other\s+stor|\b(?:can\s+)?start\s+(?:right\s+)?after\s+(?:the\s+)?(?:foundational|foundation|phase\s+\d+)|\bonly\s+(?:depends?\s+on|needs)\s+(?:the\s+)?foundational/i;

/**
 * What a line says about user stories: spec-kit's template writes "User stories can then proceed in parallel"
 * and, per story, "**User Story 2 (P2)**: Can start after Foundational (Phase 2) - May integrate with US1 but
 * should be independently testable" — integrating is no waiting. Undefined when the line says nothing of it.
 */
export function readStoryProse(text: string): StoryProse | undefined {
  if (!/stor|US\s*\d/i.test(text)) return undefined;
  const clause = text.split(/[;。]/)[0] ?? text;
  const parallel = STORIES_IN_PARALLEL.test(clause) && !NEGATION.test(clause);
  const refs = matchesOf(STORY_REF, text).map((m) => ({ story: `US${m[1] ?? ''}`, at: m.index }));
  const firstWait = matchesOf(STORY_WAITS, text).find((m) => refs.some((r) => r.at > m.index))?.index;
  const subjects = refs.filter((r) => firstWait === undefined || r.at < firstWait).map((r) => r.story);
  const after = firstWait === undefined ? [] : waitedStories(text, firstWait);
  const independent = subjects.length > 0 && after.length === 0 && NO_OTHER_STORY.test(text);
  if (!parallel && !independent && (subjects.length === 0 || after.length === 0)) return undefined;
  return {
    stories: unique(subjects),
    after: unique(after.filter((s) => !subjects.includes(s))),
    parallel,
    independent,
  };
}

// Story references joined as a list: "US1 and US2", "User Story 1's models, US2".
const STORY_LIST =
  /^(?:[\s,*_()]|\band\b|\bthe\b|\bcompletion\s+of\b|\b(?:user\s+)?stor(?:y|ies)\s*\d+\b|\bUS\s*\d+\b|'s\b)*/i;

/** The stories named right after each waiting word from `from` on ("after US1 and US2", "depends on User Story 1"). */
function waitedStories(text: string, from: number): string[] {
  const stories: string[] = [];
  for (const wait of matchesOf(STORY_WAITS, text.slice(from))) {
    const rest = text.slice(from + wait.index + wait[0].length);
    const list = STORY_LIST.exec(rest)?.[0] ?? '';
    for (const m of matchesOf(STORY_REF, list)) stories.push(`US${m[1] ?? ''}`);
  }
  return stories;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
