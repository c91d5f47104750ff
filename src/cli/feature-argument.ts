/**
 * `--workspace` and `--feature` as the read-only commands (`tasks`, `verify`) take them: find the spec-kit
 * project, choose the feature by spec-kit's rules, read its tasks.md. Anything wrong is a `UsageProblem`
 * (one line on stderr, exit code 2); nothing is written.
 */
import { resolve } from 'node:path';
import {
  discoverProjects,
  readTextFile,
  selectFeature,
  type Feature,
  type FeatureSelection,
  type ProjectDiscovery,
} from '../core/engine/light';
import { assertNever } from '../core/util/assert-never';
import type { CliIo } from './cli-io';

/** A failure the user can fix: one line on stderr, exit code 2. */
export class UsageProblem {
  constructor(readonly message: string) {}
}

export interface ChosenFeature {
  feature: Feature & { tasksPath: string };
  selection: Extract<FeatureSelection, { kind: 'selected' }>;
  discovery: ProjectDiscovery;
  /** tasks.md as read now. */
  text: string;
}

export async function chooseFeatureForCli(
  workspaces: readonly string[],
  featureArgument: string | undefined,
  io: CliIo,
  signal: AbortSignal,
): Promise<ChosenFeature | UsageProblem> {
  const roots = (workspaces.length === 0 ? [io.cwd] : workspaces).map((w) => resolve(io.cwd, w));
  const discovery = await discoverProjects(roots, { signal });
  const missing = discovery.diagnostics.find((d) => d.code === 'workspace-missing');
  if (missing !== undefined) return new UsageProblem(`workspace folder not found: ${missing.file}`);
  if (discovery.projects.length === 0) {
    return new UsageProblem(
      `no spec-kit project in ${roots.join(', ')} (looked for a .specify/ folder or specs/*/tasks.md)`,
    );
  }
  const selection = await selectFeature(
    discovery.projects,
    { ...(featureArgument === undefined ? {} : { argument: featureArgument }), env: io.env, cwd: io.cwd },
    signal,
  );
  if (selection.kind !== 'selected') return new UsageProblem(describeFailure(selection, io.cwd));
  const { feature } = selection;
  const tasksPath = feature.tasksPath;
  if (tasksPath === undefined) return new UsageProblem(`feature ${feature.id} has no tasks.md yet (${feature.dir})`);
  const read = await readTextFile(tasksPath, signal);
  switch (read.kind) {
    case 'missing':
      return new UsageProblem(`cannot read ${tasksPath}: file not found`);
    case 'unreadable':
      return new UsageProblem(`cannot read ${tasksPath}: ${read.reason}`);
    case 'ok':
      return { feature: { ...feature, tasksPath }, selection, discovery, text: read.text };
    default:
      return assertNever(read);
  }
}

function describeFailure(selection: Exclude<FeatureSelection, { kind: 'selected' }>, cwd: string): string {
  const names = candidateNames(selection.candidates, cwd);
  switch (selection.kind) {
    case 'ambiguous':
      return `${selection.reason}; choose one with --feature: ${names}`;
    case 'not-found':
      return selection.candidates.length === 0 ? selection.reason : `${selection.reason}; features: ${names}`;
    default:
      return assertNever(selection);
  }
}

/** Folder names, or paths when two projects have a folder of the same name. */
function candidateNames(candidates: readonly Feature[], cwd: string): string {
  const ids = candidates.map((f) => f.id);
  const clash = new Set(ids).size !== ids.length;
  return candidates.map((f) => (clash ? resolve(cwd, f.dir) : f.id)).join(', ');
}
