/**
 * The heading structure of a tasks.md, built as the parser meets headings: the title, the phases (with their
 * `**Goal**:`-style properties and `###` sub-sections) and the other `##` sections (dependencies, notes…).
 */
import { lineRange, type SourceLines } from './source-lines';
import type { Phase, Section, SectionKind, Subsection, SubsectionKind } from './tasks-model';

const PHASE_HEADING =
  /^(?:phase|stage|module|part|milestone|sprint|iteration|wave|step)\s+(\d+(?:\.\d+)*[A-Za-z]?|[A-Za-z]|[IVX]+)\b\s*(?:[:.\-–—)]\s*)?(.*)$/i;
const CJK_PHASE_HEADING = /^第\s*([^\s阶]{1,6})\s*阶段\s*[:：]?\s*(.*)$/;
const PHASE_PROPERTY =
  /^[ \t]*(?:[-*+][ \t]+)?\*\*(purpose|goal|independent test|checkpoint)[ \t]*:?\*\*[ \t]*:?[ \t]*(.*)$/i;

type PropertyName = 'purpose' | 'goal' | 'independentTest' | 'checkpoint';

const PROPERTY_OF: Readonly<Record<string, PropertyName>> = {
  purpose: 'purpose',
  goal: 'goal',
  'independent test': 'independentTest',
  checkpoint: 'checkpoint',
};

interface OpenSubsection {
  readonly title: string;
  readonly level: number;
  readonly kind: SubsectionKind;
  readonly headingLine: number;
  /** Where a task under it points: one shared object per sub-section. */
  readonly ref: { readonly title: string; readonly kind: SubsectionKind };
  endLine: number;
}

/** A `##` block (or a `###` phase heading under a non-phase `##`) while the parser is inside it. */
interface OpenBlock {
  readonly heading: string;
  /** 2 for `##` (and a setext `---` heading); 3 or more for a phase heading nested under a non-phase `##`. */
  readonly level: number;
  readonly headingLine: number;
  /** 'phase' when the heading names a phase; otherwise a section kind (an 'other' block with tasks is a phase). */
  readonly kind: 'phase' | SectionKind;
  readonly number: string | undefined;
  readonly title: string;
  /**
   * For a `### Phase N` heading under a `##` that is not a phase (`## Tasks`): that `##` block. It is a phase
   * once it holds a task, else only a heading inside its section (`## File Creation Order` lists phases).
   */
  readonly nestedIn: { readonly parent: OpenBlock | undefined } | undefined;
  readonly properties: Partial<Record<PropertyName, string>>;
  readonly subsections: OpenSubsection[];
  endLine: number;
  /** Its index among the phases: set at the heading of a phase, at the first task of any other block. */
  phaseIndex: number | undefined;
}

/** Where a task stands in the outline. */
export interface TaskPlace {
  readonly phaseIndex: number | undefined;
  readonly subsection: { readonly title: string; readonly kind: SubsectionKind } | undefined;
  /** The block it stands in (phase or section), for "same phase or section" checks; -1 before any heading. */
  readonly block: number;
}

export class TasksOutline {
  title: string | undefined;
  private readonly blocks: OpenBlock[] = [];
  private current: OpenBlock | undefined;
  private phaseCount = 0;
  /** Where a task at the current point stands; forgotten at every heading. */
  private place: TaskPlace | undefined;

  constructor(private readonly lines: SourceLines) {}

  /** A heading (ATX or setext) at `line`: the title, a phase or section, or a sub-section of the current block. */
  heading(line: number, level: number, text: string): void {
    this.place = undefined;
    const nestedPhase = level >= 3 && this.startsNestedPhase(level, text);
    if (level === 1) {
      this.close(line - 1);
      this.title ??= text;
    } else if (level === 2 || nestedPhase) {
      const parent = this.current?.nestedIn === undefined ? this.current : this.current.nestedIn.parent;
      this.close(line - 1);
      this.open(text, line, level, nestedPhase ? { parent } : undefined);
    } else if (this.current !== undefined && this.holdsTasks(this.current)) {
      this.addSubsection(this.current, line, level, text);
    }
  }

  /** A `**Goal**: …` line inside a phase (the first of each property counts). */
  property(text: string): void {
    const block = this.current;
    if (block === undefined || !this.holdsTasks(block)) return;
    const m = PHASE_PROPERTY.exec(text);
    const name = PROPERTY_OF[(m?.[1] ?? '').toLowerCase()];
    if (m === null || name === undefined) return;
    block.properties[name] ??= (m[2] ?? '').trim();
  }

  /** Whether the current point is inside a phase (prose there describes the phase, not the file's order). */
  inPhase(): boolean {
    return this.current?.phaseIndex !== undefined;
  }

  /** Whether a task written without a checkbox here is worth a note: in a phase or a plain section, not in prose ones. */
  expectsTasks(): boolean {
    return this.current === undefined || this.holdsTasks(this.current);
  }

  /**
   * Places a task at the current point; the first task of a plain `##` block makes that block a phase. Tasks
   * between two headings share one place.
   */
  placeTask(): TaskPlace {
    const block = this.current;
    if (block?.kind === 'other' && block.phaseIndex === undefined) {
      block.phaseIndex = this.nextPhaseIndex();
      this.place = undefined;
    }
    this.place ??= {
      phaseIndex: block?.phaseIndex,
      subsection: block?.subsections.at(-1)?.ref,
      block: block === undefined ? -1 : this.blocks.length - 1,
    };
    return this.place;
  }

  /** Ends the current block at `lastLine` (its trailing blank lines left out). */
  close(lastLine: number): void {
    const block = this.current;
    if (block === undefined) return;
    block.endLine = this.lines.lastFilled(block.headingLine, lastLine);
    const last = block.subsections.at(-1);
    if (last !== undefined) last.endLine = block.endLine;
    this.current = undefined;
  }

  /** The phases and sections, once every line is read; `taskKeysOf` gives each phase's tasks. */
  finish(taskKeysOf: (phaseIndex: number) => readonly string[]): { phases: Phase[]; sections: Section[] } {
    // A nested phase heading without tasks is a heading inside its section: the section runs over it.
    for (const block of this.blocks) {
      const parent = block.nestedIn?.parent;
      if (block.phaseIndex === undefined && parent !== undefined)
        parent.endLine = Math.max(parent.endLine, block.endLine);
    }
    const phases: Phase[] = [];
    const sections: Section[] = [];
    for (const block of this.blocks) {
      if (block.phaseIndex !== undefined) phases.push(this.phaseOf(block, block.phaseIndex, taskKeysOf));
      else if (block.nestedIn?.parent === undefined) sections.push(this.sectionOf(block));
    }
    return { phases, sections };
  }

  private open(heading: string, line: number, level: number, nestedIn: OpenBlock['nestedIn']): void {
    const phase = PHASE_HEADING.exec(heading) ?? CJK_PHASE_HEADING.exec(heading);
    const rest = (phase?.[2] ?? '').trim();
    const isPhase = phase !== null && nestedIn === undefined;
    const block: OpenBlock = {
      heading,
      level,
      headingLine: line,
      kind: isPhase ? 'phase' : nestedIn !== undefined ? 'other' : sectionKind(heading),
      number: phase?.[1],
      title: phase === null || rest === '' ? heading : rest,
      nestedIn,
      properties: {},
      subsections: [],
      endLine: line,
      phaseIndex: isPhase ? this.nextPhaseIndex() : undefined,
    };
    this.blocks.push(block);
    this.current = block;
  }

  private nextPhaseIndex(): number {
    this.phaseCount += 1;
    return this.phaseCount - 1;
  }

  /**
   * Whether a `###`-or-deeper heading is a phase of its own: it reads like one (`Phase 3.1: Setup`) and the `##`
   * around it is not a phase (`## Tasks`, or none), or it is a sibling of such a nested phase.
   */
  private startsNestedPhase(level: number, heading: string): boolean {
    if (!PHASE_HEADING.test(heading) && !CJK_PHASE_HEADING.test(heading)) return false;
    const block = this.current;
    if (block === undefined) return true;
    if (block.nestedIn !== undefined) return level <= block.level;
    return block.kind === 'other' && block.phaseIndex === undefined;
  }

  private holdsTasks(block: OpenBlock): boolean {
    return block.kind === 'phase' || block.kind === 'other';
  }

  private addSubsection(block: OpenBlock, line: number, level: number, title: string): void {
    const previous = block.subsections.at(-1);
    if (previous !== undefined) previous.endLine = this.lines.lastFilled(previous.headingLine, line - 1);
    const kind = subsectionKind(title);
    block.subsections.push({ title, level, kind, headingLine: line, ref: { title, kind }, endLine: line });
  }

  private phaseOf(block: OpenBlock, index: number, taskKeysOf: (phaseIndex: number) => readonly string[]): Phase {
    const story = storyOfPhaseTitle(block.title);
    const priority = priorityOfPhaseTitle(block.title);
    const phase: Phase = {
      index,
      heading: block.heading,
      title: block.title,
      headingRange: this.lines.span(block.headingLine, block.headingLine),
      range: this.lines.span(block.headingLine, Math.max(block.headingLine, block.endLine)),
      mvp: /🎯|\bMVP\b/i.test(block.heading),
      subsections: block.subsections.map((s) => this.subsectionOf(s)),
      taskKeys: taskKeysOf(index),
      ...block.properties,
      ...(block.number === undefined ? {} : { number: block.number }),
      ...(story === undefined ? {} : { story }),
      ...(priority === undefined ? {} : { priority }),
    };
    return phase;
  }

  private subsectionOf(s: OpenSubsection): Subsection {
    return {
      title: s.title,
      level: s.level,
      kind: s.kind,
      headingRange: lineRange(s.headingLine, 0, this.lines.line(s.headingLine).length),
      range: this.lines.span(s.headingLine, Math.max(s.headingLine, s.endLine)),
    };
  }

  private sectionOf(block: OpenBlock): Section {
    const kind = block.kind === 'phase' ? 'other' : block.kind;
    return {
      title: block.heading,
      kind,
      headingRange: this.lines.span(block.headingLine, block.headingLine),
      range: this.lines.span(block.headingLine, Math.max(block.headingLine, block.endLine)),
    };
  }
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
