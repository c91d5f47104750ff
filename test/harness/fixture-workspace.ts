import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths';

export const fixtureWorkspacesDir = join(repoRoot, 'test', 'fixtures', 'workspaces');

/**
 * The example a new user opens (examples/todo-api): suites and browser tests that run on it copy it from
 * there, so it exists once and the tests see what users see.
 */
export const EXAMPLE_WORKSPACE = 'examples/todo-api';

/** Where a workspace name points: `examples/<name>` in the repository, anything else test/fixtures/workspaces/<name>. */
export function workspaceSourceDir(name: string): string {
  return name.startsWith('examples/') ? join(repoRoot, ...name.split('/')) : join(fixtureWorkspacesDir, name);
}

export interface WorkspaceCopy {
  /** The copied workspace folder, to open in VS Code. */
  readonly dir: string;
  /** A temporary folder beside it for the run's own state (user data, profiles). */
  readonly scratch: string;
  dispose(): Promise<void>;
}

/**
 * A fresh copy of a workspace (see `workspaceSourceDir`): tests may write to their workspace, and the next
 * run must start from it as committed.
 */
export async function copyFixtureWorkspace(name: string): Promise<WorkspaceCopy> {
  const scratch = await mkdtemp(join(tmpdir(), `speckit-${name.replaceAll('/', '-')}-`));
  const dir = join(scratch, 'workspace');
  await cp(workspaceSourceDir(name), dir, { recursive: true });
  return { dir, scratch, dispose: () => rm(scratch, { recursive: true, force: true }) };
}
