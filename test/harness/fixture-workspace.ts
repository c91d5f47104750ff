import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths';

export const fixtureWorkspacesDir = join(repoRoot, 'test', 'fixtures', 'workspaces');

export interface WorkspaceCopy {
  /** The copied workspace folder, to open in VS Code. */
  readonly dir: string;
  /** A temporary folder beside it for the run's own state (user data, profiles). */
  readonly scratch: string;
  dispose(): Promise<void>;
}

/**
 * A fresh copy of test/fixtures/workspaces/<name>: tests may write to their workspace, and the next run
 * must start from the fixture as committed.
 */
export async function copyFixtureWorkspace(name: string): Promise<WorkspaceCopy> {
  const scratch = await mkdtemp(join(tmpdir(), `speckit-${name}-`));
  const dir = join(scratch, 'workspace');
  await cp(join(fixtureWorkspacesDir, name), dir, { recursive: true });
  return { dir, scratch, dispose: () => rm(scratch, { recursive: true, force: true }) };
}
