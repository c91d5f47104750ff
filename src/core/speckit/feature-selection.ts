import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Feature } from './feature-documents';
import { prefixOf, samePrefix } from './feature-naming';
import { assertNever } from '../util/assert-never';
import { readGitHead, type GitHead } from './git-head';
import type { SpecKitProject } from './project-discovery';
import { readTextFile } from './read-text-file';

/** Which rule chose the feature, in the order they are tried (spec-kit's own scripts use the same order). */
export type SelectionRule =
  'argument' | 'env-feature-directory' | 'feature-json' | 'env-feature' | 'git-branch' | 'only-feature';

export type FeatureSelection =
  | { readonly kind: 'selected'; readonly feature: Feature; readonly rule: SelectionRule; readonly detail: string }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly Feature[]; readonly reason: string }
  | { readonly kind: 'not-found'; readonly reason: string; readonly candidates: readonly Feature[] };

export interface SelectionInputs {
  /** What the user named: `payment-integration`, `003`, `003-payment-integration`, or a path. */
  readonly argument?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where a path argument is resolved from. */
  readonly cwd: string;
}

/** `.specify/feature.json`, which spec-kit writes to remember the current feature. */
export type FeatureJson =
  | { readonly kind: 'absent' }
  | { readonly kind: 'ok'; readonly file: string; readonly featureDirectory: string }
  | { readonly kind: 'invalid'; readonly file: string; readonly reason: string };

/** What selection needs to know about one project beyond its features. */
export interface ProjectSelectionFacts {
  readonly project: SpecKitProject;
  readonly featureJson: FeatureJson;
  readonly gitHead: GitHead;
}

export async function readFeatureJson(projectRoot: string, signal: AbortSignal): Promise<FeatureJson> {
  const file = join(projectRoot, '.specify', 'feature.json');
  const read = await readTextFile(file, signal);
  switch (read.kind) {
    case 'missing':
      return { kind: 'absent' };
    case 'unreadable':
      return { kind: 'invalid', file, reason: read.reason };
    case 'ok':
      return parseFeatureJson(read.text, file);
    default:
      return assertNever(read);
  }
}

export function parseFeatureJson(text: string, file: string): FeatureJson {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { kind: 'invalid', file, reason: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  // One field, checked by hand: this module is on the CLI's and the activation bundle's light path (no zod).
  const directory =
    typeof value === 'object' && value !== null && 'feature_directory' in value ? value.feature_directory : undefined;
  if (typeof directory !== 'string' || directory === '')
    return { kind: 'invalid', file, reason: 'expected an object with a non-empty string "feature_directory"' };
  return { kind: 'ok', file, featureDirectory: directory };
}

export async function readSelectionFacts(project: SpecKitProject, signal: AbortSignal): Promise<ProjectSelectionFacts> {
  return {
    project,
    featureJson: await readFeatureJson(project.root, signal),
    gitHead: await readGitHead(project.root, signal),
  };
}

/** Reads what selection needs from disk, then chooses. */
export async function selectFeature(
  projects: readonly SpecKitProject[],
  inputs: SelectionInputs,
  signal: AbortSignal,
): Promise<FeatureSelection> {
  const facts: ProjectSelectionFacts[] = [];
  for (const project of projects) facts.push(await readSelectionFacts(project, signal));
  return chooseFeature(facts, inputs);
}

/**
 * Tries each rule in order; the first that applies decides. An explicit pointer (argument, env, feature.json)
 * that matches nothing is an error rather than a reason to try the next rule: running the wrong feature is
 * worse than stopping. A branch that names no feature is normal (`main`) and falls through.
 */
export function chooseFeature(facts: readonly ProjectSelectionFacts[], inputs: SelectionInputs): FeatureSelection {
  const all = facts.flatMap((f) => f.project.features);
  const decide = (rule: SelectionRule, detail: string, matches: readonly Feature[]): FeatureSelection => {
    const [only, second] = matches;
    if (only === undefined) return { kind: 'not-found', reason: `${detail} matches no feature`, candidates: all };
    if (second !== undefined)
      return { kind: 'ambiguous', reason: `${detail} matches ${matches.length} features`, candidates: matches };
    return { kind: 'selected', feature: only, rule, detail };
  };

  const argument = nonEmpty(inputs.argument);
  if (argument !== undefined)
    return decide('argument', `argument '${argument}'`, matchArgument(all, argument, inputs.cwd));

  const featureDirectory = nonEmpty(inputs.env['SPECIFY_FEATURE_DIRECTORY']);
  if (featureDirectory !== undefined) {
    const matches = facts.flatMap((f) => matchDirectory(f.project, featureDirectory));
    return decide('env-feature-directory', `SPECIFY_FEATURE_DIRECTORY=${featureDirectory}`, unique(matches));
  }

  const pointers = facts.filter((f) => f.featureJson.kind !== 'absent');
  if (pointers.length > 0) {
    const matches: Feature[] = [];
    for (const { project, featureJson } of pointers) {
      switch (featureJson.kind) {
        case 'invalid':
          return {
            kind: 'not-found',
            reason: `${featureJson.file} is malformed: ${featureJson.reason}`,
            candidates: all,
          };
        case 'ok': {
          const found = matchDirectory(project, featureJson.featureDirectory);
          if (found.length === 0) {
            return {
              kind: 'not-found',
              reason: `${featureJson.file} names '${featureJson.featureDirectory}', which is not a feature folder`,
              candidates: all,
            };
          }
          matches.push(...found);
          break;
        }
        case 'absent':
          break;
        default:
          return assertNever(featureJson);
      }
    }
    return decide('feature-json', '.specify/feature.json feature_directory', unique(matches));
  }

  const featureName = nonEmpty(inputs.env['SPECIFY_FEATURE']);
  if (featureName !== undefined)
    return decide('env-feature', `SPECIFY_FEATURE=${featureName}`, matchBranchName(all, featureName));

  const branchMatches: Feature[] = [];
  const branches: string[] = [];
  for (const { project, gitHead } of facts) {
    if (gitHead.kind !== 'branch') continue;
    const found = matchBranchName(project.features, gitHead.name);
    if (found.length > 0) branches.push(gitHead.name);
    branchMatches.push(...found);
  }
  if (branchMatches.length > 0)
    return decide('git-branch', `git branch '${[...new Set(branches)].join("', '")}'`, branchMatches);

  const [only, second] = all;
  if (only !== undefined && second === undefined)
    return { kind: 'selected', feature: only, rule: 'only-feature', detail: 'the only feature' };
  if (only === undefined)
    return { kind: 'not-found', reason: 'the workspace has no spec-kit features', candidates: [] };
  return { kind: 'ambiguous', reason: `${all.length} features and nothing chose one`, candidates: all };
}

/**
 * An argument is, in this order: a feature id (folder name); a path to a feature folder or a file inside
 * it; a bare prefix (`003`, `3`, a timestamp); a slug (`payment-integration`).
 */
export function matchArgument(features: readonly Feature[], argument: string, cwd: string): Feature[] {
  const byId = features.filter((f) => f.id === argument);
  if (byId.length > 0) return byId;
  if (looksLikePath(argument)) {
    const target = resolve(cwd, argument);
    const containing = features.filter((f) => target === f.dir || target.startsWith(f.dir + sep));
    // The deepest folder wins: a path inside `specs/003-x/` is not also "inside" the project's `.specify/`.
    const depth = Math.max(...containing.map((f) => f.dir.length));
    return containing.filter((f) => f.dir.length === depth);
  }
  const prefix = prefixOf(argument);
  if (prefix !== undefined && prefix.prefix === argument) return features.filter((f) => samePrefix(f.naming, prefix));
  return features.filter((f) => f.slug === argument);
}

/**
 * A branch (or SPECIFY_FEATURE) names a feature by exact folder name in any `/` segment, else by the
 * numeric or timestamp prefix of its last segment that has one: `feat/004-x` → the `specs/004-*` folders.
 */
export function matchBranchName(features: readonly Feature[], branch: string): Feature[] {
  const segments = branch.split('/').reverse();
  for (const segment of segments) {
    const exact = features.filter((f) => f.id === segment);
    if (exact.length > 0) return exact;
  }
  for (const segment of segments) {
    const prefix = prefixOf(segment);
    if (prefix !== undefined) return features.filter((f) => samePrefix(f.naming, prefix));
  }
  return [];
}

/** A directory named absolutely or relative to the project root, e.g. `specs/003-x`. */
function matchDirectory(project: SpecKitProject, directory: string): Feature[] {
  const target = isAbsolute(directory) ? resolve(directory) : resolve(project.root, directory);
  return project.features.filter((f) => relative(f.dir, target) === '');
}

function looksLikePath(argument: string): boolean {
  return (
    argument.includes('/') || argument.includes('\\') || argument === '.' || argument === '..' || isAbsolute(argument)
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function unique(features: readonly Feature[]): Feature[] {
  return [...new Map(features.map((f) => [f.dir, f])).values()];
}
