import { readFile } from 'node:fs/promises';
import { parseTasks } from '../core/speckit/tasks-parser';
import { storyCoverageOf, type StoryCoverage } from './spec-analysis';

/**
 * The stories each feature's tasks.md covers, read from disk once and kept until the file changes: what
 * spec.md is judged against when its tasks.md is not open (an open one is read from its editor instead).
 */
export class TaskStoryCoverageCache {
  private readonly cache = new Map<string, Promise<StoryCoverage>>();

  coverageOf(tasksPath: string): Promise<StoryCoverage> {
    let coverage = this.cache.get(tasksPath);
    if (!coverage) {
      coverage = read(tasksPath);
      this.cache.set(tasksPath, coverage);
    }
    return coverage;
  }

  invalidate(tasksPath: string): void {
    this.cache.delete(tasksPath);
  }
}

async function read(tasksPath: string): Promise<StoryCoverage> {
  try {
    return storyCoverageOf(parseTasks(await readFile(tasksPath, 'utf8')));
  } catch (error) {
    // No tasks.md yet (spec-kit writes spec.md first): nothing to judge the stories against.
    if (error instanceof Error && 'code' in error && typeof error.code === 'string') return { kind: 'unjudged' };
    throw error;
  }
}
