import { cp, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const fixtureProjectsDir = resolve(__dirname, '..', '..', 'fixtures', 'projects');

/**
 * Copies a fixture project into a fresh temp folder and returns the copy's root. Git refuses to track a
 * nested `.git`, so fixtures spell it `dot-git` and the copy renames it; the temp folder also keeps the
 * checkout's own `.git` (and its branch) out of reach of the upward searches.
 */
export async function copyFixtureProject(name: string): Promise<{ root: string; dispose: () => Promise<void> }> {
  const base = await mkdtemp(join(tmpdir(), 'speckit-fixture-'));
  const root = join(base, name);
  await cp(join(fixtureProjectsDir, name), root, { recursive: true });
  await renameDotGit(root);
  return { root, dispose: () => rm(base, { recursive: true, force: true }) };
}

async function renameDotGit(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.name === 'dot-git') await rename(path, join(dir, '.git'));
    else if (entry.isDirectory()) await renameDotGit(path);
  }
}
