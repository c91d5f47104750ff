import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseSpec } from '../core/speckit/spec-model';
import type { SpecStories } from './tasks-analysis';

/** spec.md beside a tasks.md: spec-kit keeps both in `specs/<feature>/`. */
export function siblingSpecPath(tasksPath: string): string {
  return join(dirname(tasksPath), 'spec.md');
}

/**
 * The user stories of each feature's spec.md, read once and kept until the file changes. An editor's unsaved
 * text wins over the disk, so a story added in spec.md clears tasks.md's warnings before anything is saved.
 */
export class SpecStoriesCache {
  private readonly cache = new Map<string, Promise<SpecStories>>();

  constructor(private readonly openText: (specPath: string) => string | undefined) {}

  storiesFor(tasksPath: string): Promise<SpecStories> {
    const specPath = siblingSpecPath(tasksPath);
    let stories = this.cache.get(specPath);
    if (!stories) {
      stories = this.read(specPath);
      this.cache.set(specPath, stories);
    }
    return stories;
  }

  invalidate(specPath: string): void {
    this.cache.delete(specPath);
  }

  private async read(specPath: string): Promise<SpecStories> {
    const open = this.openText(specPath);
    if (open !== undefined) return known(specPath, open);
    try {
      return known(specPath, await readFile(specPath, 'utf8'));
    } catch (error) {
      // No spec.md (or an unreadable one) leaves story labels unjudged rather than all wrong.
      if (error instanceof Error && 'code' in error && typeof error.code === 'string') return { kind: 'missing' };
      throw error;
    }
  }
}

function known(specPath: string, text: string): SpecStories {
  const spec = parseSpec(text, specPath);
  return { kind: 'known', path: specPath, stories: spec.userStories, spec };
}
