/**
 * Which files are a feature's spec-kit documents, by path alone: the one rule every face and the gate use.
 * spec-kit keeps a feature at `specs/<feature>/`; teams with many sort them by area one level down
 * (`specs/<group>/<feature>/`, see `listFeatures`); older layouts keep them in `.specify/specs/<feature>/` or
 * keep a lone `.specify/tasks.md`.
 */
export type FeatureDocumentKind = 'tasks' | 'spec' | 'plan';

const FEATURE_DOCUMENT = /(?:^|\/)specs\/[^/]+\/(?:[^/]+\/)?(tasks|spec|plan)\.md$/;
const LONE_TASKS = /(?:^|\/)\.specify\/tasks\.md$/;

/**
 * The kind of feature document at `path` (absolute or workspace-relative; `\` or `/`), or undefined.
 * `caseInsensitive` for a decision on a case-insensitive file system, where `Specs/X/TASKS.md` is the file.
 */
export function featureDocumentKind(
  path: string,
  options: { caseInsensitive?: boolean } = {},
): FeatureDocumentKind | undefined {
  let slashed = path.replace(/\\/g, '/');
  if (options.caseInsensitive) slashed = slashed.toLowerCase();
  const kind = FEATURE_DOCUMENT.exec(slashed)?.[1];
  if (kind === 'tasks' || kind === 'spec' || kind === 'plan') return kind;
  return LONE_TASKS.test(slashed) ? 'tasks' : undefined;
}

/** Where each kind sits below any folder: `specs/<feature>/`, `specs/<group>/<feature>/`, `.specify/`. */
const FEATURE_DOCUMENT_TAILS: Readonly<Record<FeatureDocumentKind, readonly string[]>> = {
  tasks: ['specs/*/tasks.md', 'specs/*/*/tasks.md', '.specify/tasks.md'],
  spec: ['specs/*/spec.md', 'specs/*/*/spec.md'],
  plan: ['specs/*/plan.md', 'specs/*/*/plan.md'],
};

/** The same rule as globs, for document selectors (which take globs, not functions). */
export const FEATURE_DOCUMENT_GLOBS: Readonly<Record<FeatureDocumentKind, readonly string[]>> = {
  tasks: FEATURE_DOCUMENT_TAILS.tasks.map((tail) => `**/${tail}`),
  spec: FEATURE_DOCUMENT_TAILS.spec.map((tail) => `**/${tail}`),
  plan: FEATURE_DOCUMENT_TAILS.plan.map((tail) => `**/${tail}`),
};

/**
 * One glob for the documents of the given kinds, for file watchers. The any-depth prefix stays outside the
 * braces: inside them, it would not match a document at the top of the folder in every glob engine.
 */
export function featureDocumentGlob(kinds: readonly FeatureDocumentKind[]): string {
  return `**/{${kinds.flatMap((kind) => FEATURE_DOCUMENT_TAILS[kind]).join(',')}}`;
}
