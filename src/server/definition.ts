import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Location, Position } from 'vscode-languageserver/node';
import { extractPaths } from '../core/speckit/task-paths';
import { isMissing } from '../core/util/fs-errors';
import { storyOfLabel } from '../core/speckit/tasks-line';
import type { Task } from '../core/speckit/tasks-model';
import { resolveTaskPath } from './project-paths';
import { lineOfSpecDefinition, specDefinitionOf, specReferenceAt } from './spec-references';
import { taskIdAt } from './task-ids';
import { labelRange, taskAtLine, tasksWithId, type TasksAnalysis } from './tasks-analysis';
import { taskIdRange } from '../core/speckit/task-ranges';

export interface DefinitionContext {
  readonly uri: string;
  /** Task paths are written relative to the project root (the folder holding `specs/`). */
  readonly projectRoot: string;
}

function atLine(uri: string, line: number): Location {
  return { uri, range: { start: { line, character: 0 }, end: { line, character: 0 } } };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    // A path that names no file (yet) has no definition; anything else is a real failure.
    if (isMissing(error)) return false;
    throw error;
  }
}

/**
 * Go to definition: a task id (anywhere, "depends on T012" included) → that task's line; a story label or a
 * mention of `US1`, `FR-001`, `SC-002` → its definition in spec.md; a file path a task names → the file, resolved against the project root (where
 * the parser recorded it, else any path written on the line, as in a Dependencies section).
 */
export async function definitionAt(
  analysis: TasksAnalysis,
  position: Position,
  context: DefinitionContext,
): Promise<Location[]> {
  const lineText = analysis.lines[position.line] ?? '';
  const token = taskIdAt(lineText, position.character);
  if (token) return tasksWithId(analysis, token.id).map((t) => ({ uri: context.uri, range: taskIdRange(t) }));

  const task = taskAtLine(analysis, position.line);
  if (task && task.line === position.line && analysis.specStories.kind === 'known') {
    const label = labelRange(analysis.lines, task, (l) => storyOfLabel(l) !== undefined);
    const { path, stories } = analysis.specStories;
    const story = stories.find((s) => s.label === task.story);
    if (label && story && position.character >= label.start.character && position.character <= label.end.character) {
      return [atLine(pathToFileURL(path).href, story.line - 1)];
    }
  }
  const reference = specReferenceAt(lineText, position.character);
  if (reference && analysis.specStories.kind === 'known') {
    const definition = specDefinitionOf(analysis.specStories.spec, reference);
    return definition === undefined
      ? []
      : [atLine(pathToFileURL(analysis.specStories.path).href, lineOfSpecDefinition(definition) - 1)];
  }

  const written =
    (task && pathAt(task, position)) ??
    extractPaths(lineText).find((m) => position.character >= m.start && position.character <= m.end)?.path;
  if (written === undefined) return [];
  // From the project root as spec-kit writes paths, else from the tasks file's folder as a Markdown link reads.
  const candidates = [
    resolveTaskPath(context.projectRoot, written).absolute,
    resolve(dirname(fileURLToPath(context.uri)), written),
  ];
  for (const absolute of candidates) if (await isFile(absolute)) return [atLine(pathToFileURL(absolute).href, 0)];
  return [];
}

/** The path of `task.files` whose recorded span holds `position` (the cursor may sit just after it). */
function pathAt(task: Task, position: Position): string | undefined {
  const k = task.fileSpans.findIndex(
    (span) => span.line === position.line && position.character >= span.start && position.character <= span.end,
  );
  return k < 0 ? undefined : task.files[k];
}
