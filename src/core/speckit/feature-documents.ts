import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseFeatureName, type FeatureNaming } from './feature-naming';
import { describeFsError, isMissing } from '../util/fs-errors';
import { probePath } from './read-text-file';
import type { WorkspaceDiagnostic } from './workspace-diagnostic';

/** Absolute paths of the documents a feature folder holds; absent ones are left out. */
export interface FeatureDocuments {
  readonly spec?: string;
  readonly plan?: string;
  readonly tasks?: string;
  readonly research?: string;
  readonly dataModel?: string;
  readonly quickstart?: string;
  /** The `contracts/` folder. */
  readonly contracts?: string;
  /** `checklists/*.md`, sorted. */
  readonly checklists: readonly string[];
}

export interface Feature {
  /**
   * The folder name (`003-payment-integration`); `group/folder` for a feature grouped one level down
   * (`backend/001-api`); `.specify` for the lone-tasks.md layout.
   */
  readonly id: string;
  readonly naming: FeatureNaming;
  /** The name without its prefix: `payment-integration`; may be empty (`001-`). */
  readonly slug: string;
  /** Absolute path of the feature folder. */
  readonly dir: string;
  readonly projectRoot: string;
  readonly documents: FeatureDocuments;
  readonly tasksPath: string | undefined;
}

export interface FeatureListing {
  readonly features: readonly Feature[];
  readonly diagnostics: readonly WorkspaceDiagnostic[];
}

const FILES = {
  spec: 'spec.md',
  plan: 'plan.md',
  tasks: 'tasks.md',
  research: 'research.md',
  dataModel: 'data-model.md',
  quickstart: 'quickstart.md',
} as const;

/**
 * The features of the project at `projectRoot`: every folder under `specs/` that has a spec-kit prefix or
 * holds one of spec.md/plan.md/tasks.md, plus a lone `.specify/tasks.md`. A hand-named folder with neither
 * is just a folder, unless it groups features one level down (`specs/backend/001-api/`, as teams sort a
 * large specs/ by area): those are features too, with the group in their id (`backend/001-api`). Sorted by
 * id so every face lists them in the same order. Features in `.specify/specs/` (spec-kit's earlier layout) count
 * the same.
 */
export async function listFeatures(projectRoot: string, signal: AbortSignal): Promise<FeatureListing> {
  const diagnostics: WorkspaceDiagnostic[] = [];
  const features = await featuresUnder(projectRoot, join(projectRoot, 'specs'), diagnostics, signal);
  // spec-kit's earlier layout kept features in `.specify/specs/<feature>/`; a name also under specs/ keeps the path.
  const taken = new Set(features.map((feature) => feature.id));
  const specifyDir = join(projectRoot, '.specify');
  for (const feature of await featuresUnder(projectRoot, join(specifyDir, 'specs'), diagnostics, signal))
    features.push(taken.has(feature.id) ? { ...feature, id: `.specify/specs/${feature.id}` } : feature);
  features.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if ((await probePath(join(specifyDir, 'tasks.md'))) === 'file') {
    const documents = await readFeatureDocuments(specifyDir, diagnostics);
    features.push({
      id: '.specify',
      naming: { kind: 'specify-dir' },
      slug: basename(projectRoot),
      dir: specifyDir,
      projectRoot,
      documents,
      tasksPath: documents.tasks,
    });
  }
  return { features, diagnostics };
}

/** The features in one specs folder: its feature folders, and those grouped one level down. */
async function featuresUnder(
  projectRoot: string,
  specsDir: string,
  diagnostics: WorkspaceDiagnostic[],
  signal: AbortSignal,
): Promise<Feature[]> {
  const features: Feature[] = [];
  for (const entry of await listDirectory(specsDir, diagnostics)) {
    signal.throwIfAborted();
    if (!entry.isDirectory || entry.name.startsWith('.')) continue;
    const feature = await readFeatureFolder(projectRoot, specsDir, entry.name, diagnostics);
    if (feature !== undefined) {
      features.push(feature);
      continue;
    }
    const groupDir = join(specsDir, entry.name);
    for (const child of await listDirectory(groupDir, diagnostics)) {
      if (!child.isDirectory || child.name.startsWith('.')) continue;
      const grouped = await readFeatureFolder(projectRoot, groupDir, child.name, diagnostics, `${entry.name}/`);
      if (grouped !== undefined) features.push(grouped);
    }
  }
  return features;
}

/** The feature in `parent/name`, or undefined when that folder is just a folder (hand-named, no core document). */
async function readFeatureFolder(
  projectRoot: string,
  parent: string,
  name: string,
  diagnostics: WorkspaceDiagnostic[],
  idPrefix = '',
): Promise<Feature | undefined> {
  const dir = join(parent, name);
  const documents = await readFeatureDocuments(dir, diagnostics);
  const { naming, slug } = parseFeatureName(name);
  const hasCoreDocument = documents.spec !== undefined || documents.plan !== undefined || documents.tasks !== undefined;
  if (naming.kind === 'named' && !hasCoreDocument) return undefined;
  return { id: `${idPrefix}${name}`, naming, slug, dir, projectRoot, documents, tasksPath: documents.tasks };
}

async function readFeatureDocuments(dir: string, diagnostics: WorkspaceDiagnostic[]): Promise<FeatureDocuments> {
  const entries = await listDirectory(dir, diagnostics);
  const files = new Set(entries.filter((e) => !e.isDirectory).map((e) => e.name));
  const dirs = new Set(entries.filter((e) => e.isDirectory).map((e) => e.name));
  const present = (name: string): string | undefined => (files.has(name) ? join(dir, name) : undefined);
  const checklists = dirs.has('checklists')
    ? (await listDirectory(join(dir, 'checklists'), diagnostics))
        .filter((e) => !e.isDirectory && e.name.endsWith('.md'))
        .map((e) => join(dir, 'checklists', e.name))
        .sort()
    : [];
  return {
    ...optional('spec', present(FILES.spec)),
    ...optional('plan', present(FILES.plan)),
    ...optional('tasks', present(FILES.tasks)),
    ...optional('research', present(FILES.research)),
    ...optional('dataModel', present(FILES.dataModel)),
    ...optional('quickstart', present(FILES.quickstart)),
    ...optional('contracts', dirs.has('contracts') ? join(dir, 'contracts') : undefined),
    checklists,
  };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

export interface DirectoryEntry {
  readonly name: string;
  /** Symlinks are followed, so a linked folder counts as a folder. */
  readonly isDirectory: boolean;
}

/**
 * Lists a folder; a missing one is empty, an unreadable one is empty plus a diagnostic. Symlinked folders
 * count as folders unless `followSymlinks` is false (a recursive search must not, or a cycle traps it).
 */
export async function listDirectory(
  dir: string,
  diagnostics: WorkspaceDiagnostic[],
  followSymlinks = true,
): Promise<DirectoryEntry[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    const result: DirectoryEntry[] = [];
    for (const e of entries) {
      const isDirectory =
        e.isDirectory() ||
        (followSymlinks && e.isSymbolicLink() && (await probePath(join(dir, e.name))) === 'directory');
      result.push({ name: e.name, isDirectory });
    }
    return result.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (error) {
    if (isMissing(error)) return [];
    diagnostics.push({
      severity: 'warning',
      code: 'folder-unreadable',
      file: dir,
      message: `cannot list folder: ${describeFsError(error)}`,
    });
    return [];
  }
}
