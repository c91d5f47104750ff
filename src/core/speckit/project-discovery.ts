import { dirname, join, resolve } from 'node:path';
import { constitutionPath } from './constitution';
import { listFeatures, listDirectory, type Feature } from './feature-documents';
import { probePath } from './read-text-file';
import type { WorkspaceDiagnostic } from './workspace-diagnostic';

export interface SpecKitProject {
  /** Absolute path of the folder holding `.specify/` (or `specs/` for a specs-only project). */
  readonly root: string;
  /**
   * `specify`: the folder has `.specify/`. `specs-only`: no `.specify/` but `specs/<feature>/tasks.md`
   * exist — a project whose spec-kit scaffolding was not committed; usable, but faces should say so.
   */
  readonly layout: 'specify' | 'specs-only';
  readonly features: readonly Feature[];
  /** `.specify/memory/constitution.md` when present. */
  readonly constitutionPath?: string;
  /** `.specify/extensions.yml` when present. */
  readonly extensionsPath?: string;
}

export interface ProjectDiscovery {
  readonly projects: readonly SpecKitProject[];
  readonly diagnostics: readonly WorkspaceDiagnostic[];
}

export interface DiscoveryOptions {
  readonly signal: AbortSignal;
  /** How many folder levels below each root to look for projects; 4 reaches `packages/app/` in monorepos. */
  readonly maxDepth?: number;
}

/** Folders that never hold a spec-kit project but can be huge: never descended into. */
const SKIPPED = new Set([
  'node_modules',
  'dist',
  'out',
  'build',
  'target',
  'vendor',
  'venv',
  '__pycache__',
  'coverage',
  'bower_components',
]);

/** The nearest folder at or above `path` that has `.specify/`, or undefined. */
export async function findProjectRootUpward(path: string, signal: AbortSignal): Promise<string | undefined> {
  let current = resolve(path);
  if ((await probePath(current)) === 'file') current = dirname(current);
  for (;;) {
    signal.throwIfAborted();
    if ((await probePath(join(current, '.specify'))) === 'directory') return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * Finds the spec-kit projects of a (multi-root) workspace. For each root: if it lies inside a project
 * (the nearest `.specify/` above it), that project; otherwise every project below it, depth-bounded,
 * skipping hidden and build folders and not descending into a project once found.
 */
export async function discoverProjects(roots: readonly string[], options: DiscoveryOptions): Promise<ProjectDiscovery> {
  const { signal, maxDepth = 4 } = options;
  const diagnostics: WorkspaceDiagnostic[] = [];
  const found = new Map<string, SpecKitProject>();
  for (const root of roots) {
    const start = resolve(root);
    const kind = await probePath(start);
    if (kind === 'missing') {
      diagnostics.push({
        severity: 'error',
        code: 'workspace-missing',
        file: start,
        message: 'workspace folder does not exist',
      });
      continue;
    }
    const above = await findProjectRootUpward(start, signal);
    const projectRoots = above === undefined ? await searchDownward(start, maxDepth, signal, diagnostics) : [above];
    for (const projectRoot of projectRoots) {
      if (found.has(projectRoot)) continue;
      found.set(projectRoot, await loadProject(projectRoot, signal, diagnostics));
    }
  }
  const projects = [...found.values()].sort((a, b) => (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));
  return { projects, diagnostics };
}

/** Reads one project whose root is known. */
export async function loadProject(
  root: string,
  signal: AbortSignal,
  diagnostics: WorkspaceDiagnostic[],
): Promise<SpecKitProject> {
  const specifyDir = join(root, '.specify');
  const layout = (await probePath(specifyDir)) === 'directory' ? 'specify' : 'specs-only';
  const listing = await listFeatures(root, signal);
  diagnostics.push(...listing.diagnostics);
  if (layout === 'specs-only') {
    diagnostics.push({
      severity: 'info',
      code: 'project-without-specify',
      file: root,
      message: 'spec-kit features found but no .specify/ folder',
    });
  }
  const constitution = constitutionPath(root);
  const extensions = join(specifyDir, 'extensions.yml');
  return {
    root,
    layout,
    features: listing.features,
    ...((await probePath(constitution)) === 'file' ? { constitutionPath: constitution } : {}),
    ...((await probePath(extensions)) === 'file' ? { extensionsPath: extensions } : {}),
  };
}

async function searchDownward(
  start: string,
  maxDepth: number,
  signal: AbortSignal,
  diagnostics: WorkspaceDiagnostic[],
): Promise<string[]> {
  const result: string[] = [];
  let level = [start];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      signal.throwIfAborted();
      const children = await subfolders(dir, diagnostics);
      if (
        children.includes('.specify') ||
        (children.includes('specs') && (await hasFeatureWithTasks(join(dir, 'specs'), diagnostics)))
      ) {
        result.push(dir);
        continue;
      }
      for (const child of children) {
        if (!child.startsWith('.') && !SKIPPED.has(child)) next.push(join(dir, child));
      }
    }
    level = next;
  }
  return result.sort();
}

async function subfolders(dir: string, diagnostics: WorkspaceDiagnostic[]): Promise<string[]> {
  return (await listDirectory(dir, diagnostics, false)).filter((e) => e.isDirectory).map((e) => e.name);
}

/** `specs/<feature>/tasks.md`, or `specs/<group>/<feature>/tasks.md` as `listFeatures` reads groups. */
async function hasFeatureWithTasks(
  specsDir: string,
  diagnostics: WorkspaceDiagnostic[],
  groupLevels = 1,
): Promise<boolean> {
  for (const entry of await listDirectory(specsDir, diagnostics)) {
    if (!entry.isDirectory || entry.name.startsWith('.')) continue;
    const dir = join(specsDir, entry.name);
    if ((await probePath(join(dir, 'tasks.md'))) === 'file') return true;
    if (groupLevels > 0 && (await hasFeatureWithTasks(dir, diagnostics, groupLevels - 1))) return true;
  }
  return false;
}
