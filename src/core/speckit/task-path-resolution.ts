/**
 * Where a path a task names points, judged as its author meant it. spec-kit writes paths relative to the project
 * root (`src/models/user.ts`); a Markdown link is relative to the tasks file's folder (`../../src/x.ts` from
 * `specs/001-x/`); `/recipes/index.json` in a web project is a URL path, not a file at the top of the disk. Only
 * a path that truly resolves outside the project is reported, and what exists on disk decides when the words
 * alone cannot.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { probePath } from './read-text-file';
import type { TasksDiagnostic, TasksDocument } from './tasks-model';
import { taskFileRange } from './task-ranges';

/** Home-relative and drive-letter paths can only mean a place outside the project. */
const ALWAYS_OUTSIDE = /^(?:~[\\/]|[A-Za-z]:[\\/])/;

/** Whether a path might point outside the project at all: absolute, home-relative, drive-letter, or with `..`. */
export function mayLeaveProject(path: string): boolean {
  return path.includes('..') || /^[/~\\]|^[A-Za-z]:/.test(path);
}

export interface TaskPathContext {
  /** Absolute: the folder holding `specs/` (and `.specify/`). */
  readonly projectRoot: string;
  /** Absolute: the tasks.md the paths are written in. */
  readonly tasksPath: string;
  /** Whether something exists at an absolute path; default: the disk. */
  readonly exists?: (absolute: string) => Promise<boolean>;
}

/** Where a written path leads: `inside` the project, `outside` it, or `unknown` (a URL path, nothing on disk). */
export async function placeOfTaskPath(
  written: string,
  context: TaskPathContext,
): Promise<'inside' | 'outside' | 'unknown'> {
  if (!mayLeaveProject(written)) return 'inside';
  if (ALWAYS_OUTSIDE.test(written)) return 'outside';
  const root = resolve(context.projectRoot);
  const exists = context.exists ?? existsOnDisk;
  const path = written.replace(/\\/g, '/');
  if (path.startsWith('/')) {
    if (isWithin(root, resolve(path))) return 'inside';
    if (await exists(join(root, path))) return 'inside'; // written from the project root: `/src/app.ts`
    return (await exists(resolve(path))) ? 'outside' : 'unknown';
  }
  // Relative with `..`: from the tasks file's folder (a link), else from the project root (spec-kit's own way).
  const fromTasks = resolve(context.tasksPath, '..', path);
  return isWithin(root, fromTasks) || isWithin(root, resolve(root, path)) ? 'inside' : 'outside';
}

/** `path-outside-workspace` for every file a task names that truly resolves outside the project. */
export async function outsidePathDiagnostics(doc: TasksDocument, context: TaskPathContext): Promise<TasksDiagnostic[]> {
  const diagnostics: TasksDiagnostic[] = [];
  // Nearly every task names only paths inside the project: those are passed over without a look at the disk.
  const suspects = doc.tasks.filter((task) => task.files.some(mayLeaveProject));
  for (const task of suspects)
    for (const [k, file] of task.files.entries()) {
      if (!mayLeaveProject(file) || (await placeOfTaskPath(file, context)) !== 'outside') continue;
      diagnostics.push({
        code: 'path-outside-workspace',
        severity: 'warning',
        range: taskFileRange(task, k),
        message: `${task.id} names ${file}, which is outside the workspace; agents will not write there.`,
        taskKey: task.key,
      });
    }
  return diagnostics;
}

/** The document with its paths judged against the disk: diagnostics for those that lead outside the project. */
export async function withTaskPathsPlaced(doc: TasksDocument, context: TaskPathContext): Promise<TasksDocument> {
  const outside = await outsidePathDiagnostics(doc, context);
  if (outside.length === 0) return doc;
  const diagnostics = [...doc.diagnostics, ...outside].sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
  return { ...doc, diagnostics };
}

function isWithin(root: string, absolute: string): boolean {
  const rel = relative(root, absolute);
  return rel === '' || !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}

async function existsOnDisk(absolute: string): Promise<boolean> {
  return (await probePath(absolute)) !== 'missing';
}
