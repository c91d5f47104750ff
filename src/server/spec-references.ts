import type { RequirementItem, SpecDocument, UserStory } from '../core/speckit/spec-model';

/** A mention of something spec.md defines: a requirement (`FR-001`), a success criterion (`SC-002`) or a story (`US1`). */
export interface SpecReference {
  readonly id: string;
  readonly kind: 'requirement' | 'story';
  readonly start: number;
  readonly end: number;
}

// `FR-001`, `FR-005a`, `SC-002`, and `US1` bare or as the label `[US1]`; never inside a longer word.
const SPEC_REFERENCE = /(?<![\w-])(?:(?:FR|SC)-\d+[A-Za-z]*|US\d+)(?![\w-])/g;

/** The spec.md mention under `character` in one line (the cursor may sit just after it), if any. */
export function specReferenceAt(lineText: string, character: number): SpecReference | undefined {
  SPEC_REFERENCE.lastIndex = 0;
  for (let m = SPEC_REFERENCE.exec(lineText); m !== null; m = SPEC_REFERENCE.exec(lineText)) {
    const start = m.index;
    const end = start + m[0].length;
    if (start > character) return undefined;
    if (character <= end) return { id: m[0], kind: m[0].startsWith('US') ? 'story' : 'requirement', start, end };
  }
  return undefined;
}

export type SpecDefinition =
  | { readonly kind: 'story'; readonly story: UserStory }
  | { readonly kind: 'requirement'; readonly item: RequirementItem };

/** Where spec.md defines what `reference` names: the first definition, as tasks.md authors mean the one in force. */
export function specDefinitionOf(spec: SpecDocument, reference: SpecReference): SpecDefinition | undefined {
  if (reference.kind === 'story') {
    const story = spec.userStories.find((s) => s.label === reference.id);
    return story === undefined ? undefined : { kind: 'story', story };
  }
  const items = reference.id.startsWith('FR') ? spec.functionalRequirements : spec.successCriteria;
  const item = items.find((i) => i.id === reference.id);
  return item === undefined ? undefined : { kind: 'requirement', item };
}

/** The hover text of a definition: the story's heading and first paragraph, or the requirement as written. */
export function describeSpecDefinition(definition: SpecDefinition): string {
  switch (definition.kind) {
    case 'story': {
      const { story } = definition;
      const head = `**User Story ${story.number} (${story.label})**: ${story.title}${story.priority === undefined ? '' : ` — priority ${story.priority}`}`;
      return [head, story.description, `spec.md, line ${story.line}`]
        .filter((part): part is string => part !== undefined)
        .join('\n\n');
    }
    case 'requirement': {
      const { item } = definition;
      return `**${item.id}**: ${item.text}\n\nspec.md, line ${item.line}`;
    }
    default: {
      const unexpected: never = definition;
      return unexpected;
    }
  }
}

/** The 1-based line of a definition in spec.md. */
export function lineOfSpecDefinition(definition: SpecDefinition): number {
  return definition.kind === 'story' ? definition.story.line : definition.item.line;
}
