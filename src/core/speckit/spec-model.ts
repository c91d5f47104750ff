import { markdownLines, type MarkdownLine } from './markdown-lines';
import type { WorkspaceDiagnostic } from './workspace-diagnostic';

export interface UserStory {
  readonly number: number;
  /** The label tasks.md uses for the story: `US1`. */
  readonly label: string;
  readonly title: string;
  /** `P1`, `P2`…, when the heading or the lines below it state one. */
  readonly priority?: string;
  /** 1-based line of the heading. */
  readonly line: number;
  /** The first paragraph below the heading (what the story is), its lines joined by a space; absent when there is none. */
  readonly description?: string;
}

/** A functional requirement (`FR-001`) or success criterion (`SC-001`) definition. */
export interface RequirementItem {
  /** As written, suffix included: `FR-005a`. */
  readonly id: string;
  readonly text: string;
  readonly line: number;
}

/** A user story, requirement or criterion defined a second time: also reported among `diagnostics`. */
export interface DuplicateDefinition {
  /** `US2`, `FR-003`, `SC-001`. */
  readonly id: string;
  /** 1-based line of this, the later, definition. */
  readonly line: number;
  /** 1-based line of the first definition. */
  readonly firstLine: number;
}

export interface SpecDocument {
  readonly title?: string;
  readonly userStories: readonly UserStory[];
  readonly functionalRequirements: readonly RequirementItem[];
  readonly successCriteria: readonly RequirementItem[];
  /** Every later definition of an id already defined, in the order found (stories, then FR, then SC). */
  readonly duplicates: readonly DuplicateDefinition[];
  readonly diagnostics: readonly WorkspaceDiagnostic[];
}

// `### User Story 1 - Title (Priority: P1) 🎯 MVP` and the variants users write: `US1:`, `Story 2 –`, bold.
const STORY_HEADING = /^#{2,6}\s+\**\s*(?:User\s+Story|Story|US)\s*(\d+)\s*\**\s*(?:[-–—:.]\s*)?(.*)$/i;
const PRIORITY_IN_HEADING = /[([]\s*(?:Priority\s*:?\s*)?(P\d+)\s*[)\]]/i;
const PRIORITY_LINE = /^\s*(?:[-*+]\s+)?\**Priority\**\s*:?\**\s*(P\d+)\b/i;
const TITLE = /^#\s+(?:Feature Specification:\s*)?(.+?)\s*$/;

/** Parses spec.md's user stories, FR-/SC- definitions and title; anything it does not recognise is ignored. */
export function parseSpec(text: string, file: string): SpecDocument {
  const lines = markdownLines(text).filter((l) => !l.inFence);
  const diagnostics: WorkspaceDiagnostic[] = [];
  const duplicates: DuplicateDefinition[] = [];
  const userStories: UserStory[] = [];
  let title: string | undefined;
  lines.forEach((l, index) => {
    title ??= TITLE.exec(l.text)?.[1];
    const story = STORY_HEADING.exec(l.text);
    if (story?.[1] === undefined) return;
    const number = Number(story[1]);
    const rest = story[2] ?? '';
    const priority = PRIORITY_IN_HEADING.exec(rest)?.[1] ?? priorityBelow(lines, index + 1);
    const storyTitle = rest
      .replace(PRIORITY_IN_HEADING, '')
      .replace(/🎯.*$/u, '')
      .replace(/\bMVP\b\s*$/, '')
      .replace(/[\s\-–—:*]+$/, '')
      .trim();
    const description = paragraphBelow(lines, index + 1);
    userStories.push({
      number,
      label: `US${number}`,
      title: storyTitle,
      line: l.line,
      ...(priority === undefined ? {} : { priority: priority.toUpperCase() }),
      ...(description === undefined ? {} : { description }),
    });
  });
  const report = { file, diagnostics, duplicates };
  reportDuplicates(
    userStories.map((s) => ({ id: s.label, line: s.line })),
    report,
  );
  const functionalRequirements = definitions(lines, 'FR', report);
  const successCriteria = definitions(lines, 'SC', report);
  return {
    ...(title === undefined ? {} : { title }),
    userStories,
    functionalRequirements,
    successCriteria,
    duplicates,
    diagnostics,
  };
}

/**
 * The first paragraph from `from` on, before the next heading: blank lines before it are skipped; a list,
 * a bold label line (`**Why this priority**: …`) or a blank line ends it.
 */
function paragraphBelow(lines: readonly MarkdownLine[], from: number): string | undefined {
  const parts: string[] = [];
  let previousLine = -1;
  for (let i = from; i < lines.length; i++) {
    const l = lines[i];
    if (l === undefined) break;
    const text = l.text.trim();
    // Fenced lines were filtered out: a gap in line numbers is a fence, which ends the paragraph too.
    if (parts.length > 0 && (text === '' || l.line !== previousLine + 1)) break;
    previousLine = l.line;
    if (text === '') continue;
    if (
      /^#{1,6}\s/.test(text) ||
      /^(?:[-*+]|\d+[.)])\s/.test(text) ||
      /^\*\*[^*]+\*\*\s*:/.test(text) ||
      text.startsWith('<!--')
    )
      break;
    parts.push(text);
  }
  return parts.length === 0 ? undefined : parts.join(' ');
}

interface DuplicateReport {
  readonly file: string;
  readonly diagnostics: WorkspaceDiagnostic[];
  readonly duplicates: DuplicateDefinition[];
}

function priorityBelow(lines: readonly MarkdownLine[], from: number): string | undefined {
  for (let i = from; i < lines.length; i++) {
    const text = lines[i]?.text ?? '';
    if (/^#{1,6}\s/.test(text)) return undefined;
    const found = PRIORITY_LINE.exec(text)?.[1];
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Lines that *define* an id (it starts the line or list item, maybe bold), not prose that cites one. */
function definitions(lines: readonly MarkdownLine[], kind: 'FR' | 'SC', report: DuplicateReport): RequirementItem[] {
  const pattern = new RegExp(
    `^\\s*(?:[-*+]\\s+)?(?:\\[[ xX]\\]\\s+)?\\**\\s*(${kind}-\\d+[A-Za-z]*)\\s*\\**\\s*[:：.\\-–—]\\s*\\**\\s*(.*?)\\s*$`,
  );
  const items: RequirementItem[] = [];
  for (const l of lines) {
    const match = pattern.exec(l.text);
    if (match?.[1] !== undefined) items.push({ id: match[1], text: match[2] ?? '', line: l.line });
  }
  reportDuplicates(items, report);
  return items;
}

function reportDuplicates(items: readonly { id: string; line: number }[], report: DuplicateReport): void {
  const seen = new Map<string, number>();
  for (const item of items) {
    const first = seen.get(item.id);
    if (first === undefined) {
      seen.set(item.id, item.line);
      continue;
    }
    report.duplicates.push({ id: item.id, line: item.line, firstLine: first });
    report.diagnostics.push({
      severity: 'warning',
      code: 'spec-duplicate-id',
      file: report.file,
      line: item.line,
      message: `${item.id} is defined again (first on line ${first})`,
    });
  }
}
