import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import { parseSpec, type RequirementItem, type SpecDocument, type UserStory } from '../core/speckit/spec-model';
import type { Range, TasksDocument } from '../core/speckit/tasks-model';
import { markdownHeadings } from './markdown-outline';
import type { ServerDiagnostic } from './tasks-analysis';

/**
 * Which user stories the feature's tasks.md works on. `unjudged`: no tasks.md yet (a spec comes first), or one
 * that labels no story at all (the numbered-phase era), where every story would look forgotten.
 */
export type StoryCoverage =
  { readonly kind: 'known'; readonly stories: ReadonlySet<string> } | { readonly kind: 'unjudged' };

/** The stories a tasks.md covers: its tasks' `[USn]` labels and its user-story phases that hold tasks. */
export function storyCoverageOf(tasks: TasksDocument): StoryCoverage {
  const stories = new Set<string>();
  for (const task of tasks.tasks) if (task.story !== undefined) stories.add(task.story);
  for (const phase of tasks.phases)
    if (phase.story !== undefined && phase.taskKeys.length > 0) stories.add(phase.story);
  return stories.size === 0 ? { kind: 'unjudged' } : { kind: 'known', stories };
}

/** One parse of one version of a spec.md, with what the server publishes and outlines. */
export interface SpecAnalysis {
  readonly spec: SpecDocument;
  readonly lines: readonly string[];
  readonly diagnostics: readonly ServerDiagnostic[];
}

export function analyzeSpec(text: string, specPath: string, coverage: StoryCoverage): SpecAnalysis {
  const spec = parseSpec(text, specPath);
  const lines = (text.startsWith('\uFEFF') ? text.slice(1) : text).split(/\r\n|\r|\n/);
  const diagnostics: ServerDiagnostic[] = spec.duplicates.map((d) => ({
    code: 'duplicate-spec-id',
    severity: 'warning',
    range: idRange(lines, d.line, d.id),
    message: `${d.id} is defined again; the first definition is on line ${d.firstLine}, and tasks that name ${d.id} mean that one.`,
  }));
  if (coverage.kind === 'known') {
    for (const story of spec.userStories) {
      if (coverage.stories.has(story.label)) continue;
      diagnostics.push({
        code: 'story-without-tasks',
        severity: 'information',
        range: wholeLine(lines, story.line),
        message: `No task in tasks.md works on User Story ${story.number}: none is labelled [${story.label}] and no user-story phase is its.`,
      });
    }
  }
  diagnostics.sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
  return { spec, lines, diagnostics };
}

/** The range of `id` on 1-based `line`, or the whole line when it is written differently. */
function idRange(lines: readonly string[], line: number, id: string): Range {
  const text = lines[line - 1] ?? '';
  const at = text.indexOf(id);
  return at < 0
    ? wholeLine(lines, line)
    : { start: { line: line - 1, character: at }, end: { line: line - 1, character: at + id.length } };
}

function wholeLine(lines: readonly string[], line: number): Range {
  return {
    start: { line: line - 1, character: 0 },
    end: { line: line - 1, character: (lines[line - 1] ?? '').length },
  };
}

/** The outline of spec.md: User Stories, Functional Requirements and Success Criteria, each a group of its items. */
export function specSymbols(analysis: SpecAnalysis, text: string): DocumentSymbol[] {
  const { spec, lines } = analysis;
  const headings = markdownHeadings(text);
  const storySymbol = (story: UserStory): DocumentSymbol => {
    const heading = headings.find((h) => h.line === story.line - 1);
    const selectionRange = wholeLine(lines, story.line);
    return {
      name: `${story.label}: ${story.title}`,
      ...(story.priority === undefined ? {} : { detail: story.priority }),
      kind: SymbolKind.Class,
      range:
        heading === undefined
          ? selectionRange
          : { start: selectionRange.start, end: { line: heading.endLine, character: heading.endLength } },
      selectionRange,
    };
  };
  const itemSymbol = (item: RequirementItem): DocumentSymbol => ({
    name: item.id,
    detail: item.text,
    kind: SymbolKind.Constant,
    range: wholeLine(lines, item.line),
    selectionRange: idRange(lines, item.line, item.id),
  });
  return [
    group('User Stories', spec.userStories.map(storySymbol)),
    group('Functional Requirements', spec.functionalRequirements.map(itemSymbol)),
    group('Success Criteria', spec.successCriteria.map(itemSymbol)),
  ].filter((g): g is DocumentSymbol => g !== undefined);
}

/** A named group spanning its children (absent when it has none). */
function group(name: string, children: DocumentSymbol[]): DocumentSymbol | undefined {
  const first = children[0];
  const last = children[children.length - 1];
  if (first === undefined || last === undefined) return undefined;
  const range = {
    start: first.range.start,
    end: children.reduce((end, c) => (c.range.end.line > end.line ? c.range.end : end), last.range.end),
  };
  return { name, kind: SymbolKind.Namespace, range, selectionRange: first.selectionRange, children };
}
