import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where runs live: `<project>/.specify/orchestra/`. Project-local, so the extension and the CLI find (and can
 * resume or roll back) each other's runs; under `.specify/`, which agents may not write and whose `orchestra`
 * folder they may not even read (see `defaultPathPolicy`). A `.gitignore` with `*` keeps it out of commits.
 *
 * Note for project detection: in fallback mode (no spec-kit project) this creates `.specify/orchestra` only, so
 * detect spec-kit by `.specify/memory`, `.specify/templates` or `specs/*\/tasks.md`, not by `.specify` alone.
 */
export function stateDirFor(projectRoot: string): string {
  return join(projectRoot, '.specify', 'orchestra');
}

export function runsDirFor(stateDir: string): string {
  return join(stateDir, 'runs');
}

/** Creates the state folder with its `.gitignore` (idempotent). */
export async function ensureStateDir(stateDir: string): Promise<void> {
  await mkdir(runsDirFor(stateDir), { recursive: true });
  // `wx`: never clobber a .gitignore the user adjusted.
  await writeFile(
    join(stateDir, '.gitignore'),
    '# Spec-Kit Agent Orchestra run journals: local state, not for commits.\n*\n',
    { flag: 'wx' },
  ).catch((error: unknown) => {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
  });
}
