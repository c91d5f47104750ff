// Shared by the tasks parser, writer and graph tests: where fixtures live and an independent count of task lines.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Range, TasksDocument } from '../../../src/core/speckit/tasks-model';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const ownFixturesDir = path.join(repoRoot, 'test', 'fixtures', 'tasks');
export const realFixturesDir = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'real-tasks');

export function ownFixture(name: string): string {
  return readFileSync(path.join(ownFixturesDir, name), 'utf8');
}

export function ownFixtureNames(): string[] {
  return readdirSync(ownFixturesDir)
    .filter((f) => f.endsWith('.md'))
    .sort();
}

/** Real-world tasks.md files, or undefined when ../shared is not there (a fresh clone). */
export function realTaskFixtureNames(): string[] | undefined {
  if (!existsSync(realFixturesDir)) return undefined;
  return readdirSync(realFixturesDir)
    .filter((f) => f.endsWith('.tasks.md'))
    .sort();
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
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker)
        fence = undefined;
      continue;
    }
    if (
      marker !== undefined &&
      !(marker[0] === '`' && line.slice(line.indexOf(marker) + marker.length).includes('`'))
    ) {
      fence = marker;
      continue;
    }
    if (/^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\]\s+(?:\*\*|`|\[)?T\d+[A-Za-z]?\b(?!\.\d)/.test(line)) count += 1;
  }
  return count;
}

/** The text a single-line range of a parsed document covers (positions count no BOM, as an editor's do). */
export function textAt(doc: TasksDocument, range: Range): string {
  assert.equal(range.start.line, range.end.line, 'a single-line range');
  const line = doc.text.replace(/^\ufeff/, '').split(/\r?\n/)[range.start.line] ?? '';
  return line.slice(range.start.character, range.end.character);
}
