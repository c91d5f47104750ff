// Shared by the tasks parser, writer and graph tests: where fixtures live and an independent count of task lines.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const ownFixturesDir = path.join(repoRoot, 'test', 'fixtures', 'tasks');
export const realFixturesDir = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'real-tasks');

export function ownFixture(name: string): string {
  return readFileSync(path.join(ownFixturesDir, name), 'utf8');
}

export function ownFixtureNames(): string[] {
  return readdirSync(ownFixturesDir).filter((f) => f.endsWith('.md')).sort();
}

/** Real-world tasks.md files, or undefined when ../shared is not there (a fresh clone). */
export function realTaskFixtureNames(): string[] | undefined {
  if (!existsSync(realFixturesDir)) return undefined;
  return readdirSync(realFixturesDir).filter((f) => f.endsWith('.tasks.md')).sort();
}

/**
 * Counts checkbox lines that start with a task id, outside fenced blocks, with a deliberately naive scan that
 * shares no code with the parser: the parser's task count must agree with it.
 */
export function countTaskCheckboxLines(text: string): number {
  let count = 0;
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
      continue;
    }
    if (marker !== undefined && !(marker[0] === '`' && line.slice(line.indexOf(marker) + marker.length).includes('`'))) {
      fence = marker;
      continue;
    }
    if (/^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\]\s+(?:\*\*|`|\[)?T\d+[A-Za-z]?\b/.test(line)) count += 1;
  }
  return count;
}
