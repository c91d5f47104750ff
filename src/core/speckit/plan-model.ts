import { markdownLines, type MarkdownLine } from './markdown-lines';

/** One `**Name**: value` line of plan.md's Technical Context section. */
export interface TechnicalContextField {
  readonly name: string;
  readonly value: string;
  readonly line: number;
}

export interface PlanDocument {
  readonly title?: string;
  readonly technicalContext: readonly TechnicalContextField[];
  readonly language?: string;
  readonly primaryDependencies?: string;
  readonly storage?: string;
  readonly testing?: string;
  readonly targetPlatform?: string;
  readonly projectType?: string;
  /**
   * Paths drawn in the Project Structure section's trees (`src/models/`, `tests/unit/`), in order, as
   * written: placeholders such as `[###-feature]` are kept, so callers can tell a template from a plan.
   */
  readonly structurePaths: readonly string[];
}

const FIELD = /^\s*(?:[-*+]\s+)?\*\*([^*]+?)\*\*\s*:\s*(.*?)\s*$/;
const TITLE = /^#\s+(?:Implementation Plan:\s*)?(.+?)\s*$/;
const WELL_KNOWN = {
  language: 'language/version',
  primaryDependencies: 'primary dependencies',
  storage: 'storage',
  testing: 'testing',
  targetPlatform: 'target platform',
  projectType: 'project type',
} as const;

export function parsePlan(text: string): PlanDocument {
  const lines = markdownLines(text);
  const title = lines.map((l) => (l.inFence ? undefined : TITLE.exec(l.text)?.[1])).find((t) => t !== undefined);
  const technicalContext: TechnicalContextField[] = [];
  for (const l of section(lines, /^##\s+Technical Context\b/i)) {
    if (l.inFence) continue;
    const match = FIELD.exec(l.text);
    if (match?.[1] !== undefined) technicalContext.push({ name: match[1].trim(), value: match[2] ?? '', line: l.line });
  }
  const known: { -readonly [K in keyof typeof WELL_KNOWN]?: string } = {};
  for (const key of Object.keys(WELL_KNOWN) as (keyof typeof WELL_KNOWN)[]) {
    const field = technicalContext.find((f) => f.name.toLowerCase() === WELL_KNOWN[key]);
    if (field !== undefined) known[key] = field.value;
  }
  return {
    ...(title === undefined ? {} : { title }),
    technicalContext,
    ...known,
    structurePaths: treePaths(section(lines, /^##\s+Project Structure\b/i).filter((l) => l.inFence)),
  };
}

/** The lines after a `##` heading matching `heading`, up to the next `#`/`##` heading outside a fence. */
function section(lines: readonly MarkdownLine[], heading: RegExp): MarkdownLine[] {
  const start = lines.findIndex((l) => !l.inFence && heading.test(l.text));
  if (start < 0) return [];
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => !l.inFence && /^#{1,2}\s/.test(l.text));
  return end < 0 ? rest : rest.slice(0, end);
}

const TREE_PREFIX = /^([\s│├└─┬┴┼|`+\\-]*)(.*)$/u;

/** Turns `tree`-style drawings into paths: each `├── ` level is four columns deeper than its parent. */
function treePaths(lines: readonly MarkdownLine[]): string[] {
  const paths: string[] = [];
  const stack: string[] = [];
  for (const { text } of lines) {
    if (/^\s*(```|~~~)/.test(text)) {
      stack.length = 0;
      continue;
    }
    const match = TREE_PREFIX.exec(text);
    const name = (match?.[2] ?? '').replace(/\s+#.*$/, '').trim();
    if (name === '' || name.startsWith('#') || name.includes('...') || name.includes(' ')) continue;
    const prefixWidth = [...(match?.[1] ?? '')].length;
    const depth = prefixWidth === 0 ? 0 : Math.max(1, Math.round(prefixWidth / 4));
    stack.length = Math.min(stack.length, depth);
    const parent = stack.join('');
    const path = parent + name;
    paths.push(path);
    stack.push(name.endsWith('/') ? name : `${name}/`);
  }
  return paths;
}
