/**
 * Whether the user-story phases of a tasks.md run side by side. spec-kit's template makes every user-story phase
 * depend only on Setup and Foundational ("User stories can then proceed in parallel"), and many files say so in
 * their Dependencies section, story by story ("**User Story 2 (P2)**: Can start after Foundational"). When the
 * file says so, its story phases run concurrently, each after the stories it names; otherwise phases stay in
 * document order. The setting can turn it off.
 */
import type { Phase, StoryStatement, TasksDocument } from '../speckit/tasks-model';

export type StoryParallelismSetting = 'auto' | 'off';

export interface StoryParallelism {
  readonly setting: StoryParallelismSetting;
  /** `parallel`: story phases run side by side; `in-order`: one after another; `none`: under two story phases. */
  readonly mode: 'parallel' | 'in-order' | 'none';
  /** Why, in a sentence for the dry run. */
  readonly reason: string;
  /**
   * In parallel mode, the runs of adjacent story phases that run side by side (phase indices); a phase between
   * them that is no story (an integration phase) waits for the run before it, as phases do.
   */
  readonly groups: readonly (readonly number[])[];
  /** In parallel mode, by phase index: the story phases it waits for (within its group). */
  readonly waitsFor: ReadonlyMap<number, readonly number[]>;
}

export function decideStoryParallelism(doc: TasksDocument, setting: StoryParallelismSetting): StoryParallelism {
  const storyPhases = doc.phases.filter((phase) => phase.story !== undefined);
  const none = { setting, groups: [], waitsFor: new Map<number, number[]>() };
  if (storyPhases.length < 2) {
    return { ...none, mode: 'none', reason: 'fewer than two user-story phases: phases run in order' };
  }
  if (setting === 'off') {
    return { ...none, mode: 'in-order', reason: 'speckitOrchestra.storyParallelism is off: phases run in order' };
  }
  const general = doc.storyStatements.find((s) => s.parallel && s.after.length === 0);
  const perStory = storyStatementsByStory(doc.storyStatements);
  if (general === undefined && ![...perStory.values()].some((s) => s.independent || s.parallel)) {
    return {
      ...none,
      mode: 'in-order',
      reason:
        'the file does not say its user stories can run in parallel (as "User stories can then proceed in parallel" or "Can start after Foundational" would): phases run in order',
    };
  }
  const groups = adjacentStoryPhases(doc);
  const waitsFor = new Map<number, number[]>();
  const waits: string[] = [];
  for (const group of groups) {
    group.forEach((phaseIndex, k) => {
      const phase = doc.phases[phaseIndex];
      const statement = phase?.story === undefined ? undefined : perStory.get(phase.story);
      const earlier = group.slice(0, k).map((index) => doc.phases[index]);
      const after = waitedPhases(statement, general, earlier);
      waitsFor.set(
        phaseIndex,
        after.map((p) => p.index),
      );
      if (after.length > 0 && phase?.story !== undefined)
        waits.push(`${phase.story} waits for ${after.map((p) => p.story ?? p.title).join(', ')}`);
    });
  }
  const said = general ?? [...perStory.values()][0];
  const quote = said === undefined ? '' : `: "${said.text.replace(/^[-*+]\s+/, '')}" (line ${said.line + 1})`;
  return {
    setting,
    mode: 'parallel',
    reason: `the file says its user stories can run in parallel${quote}${waits.length > 0 ? `; ${waits.join('; ')}` : ''}`,
    groups,
    waitsFor,
  };
}

/** The first statement that speaks of each story, by story (`US2`). */
function storyStatementsByStory(statements: readonly StoryStatement[]): Map<string, StoryStatement> {
  const byStory = new Map<string, StoryStatement>();
  for (const statement of statements)
    for (const story of statement.stories) if (!byStory.has(story)) byStory.set(story, statement);
  return byStory;
}

/**
 * The earlier story phases of its group a story phase waits for: those its statement names; none when the file
 * says the stories run in parallel or this one starts after Foundational; else the one before it (in order).
 */
function waitedPhases(
  statement: StoryStatement | undefined,
  general: StoryStatement | undefined,
  earlier: readonly (Phase | undefined)[],
): Phase[] {
  const named = (statement?.after ?? []).flatMap((story) =>
    earlier.filter((p) => p !== undefined && p.story === story),
  );
  if (named.length > 0 || statement?.independent === true || statement?.parallel === true || general !== undefined)
    return named.filter((p) => p !== undefined);
  const previous = earlier.at(-1);
  return previous === undefined ? [] : [previous];
}

/** Runs of story phases with no other phase, and no task outside a phase, between them. */
function adjacentStoryPhases(doc: TasksDocument): number[][] {
  const groups: number[][] = [];
  let current: number[] = [];
  let lastPhase: number | undefined;
  const close = (): void => {
    if (current.length > 1) groups.push(current);
    current = [];
  };
  for (const task of doc.tasks) {
    const phase = task.phaseIndex === undefined ? undefined : doc.phases[task.phaseIndex];
    if (phase?.index === lastPhase && phase !== undefined) continue;
    lastPhase = phase?.index;
    if (phase?.story === undefined) close();
    else current.push(phase.index);
  }
  close();
  return groups;
}
