import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runsDirFor } from '../../speckit/orchestra-paths';

/*
 * The layout is defined with spec-kit's project files (`orchestra-paths`): `verify` reads it without the engine.
 * Note for project detection: in fallback mode (no spec-kit project) a run creates `.specify/orchestra` only,
 * so detect spec-kit by `.specify/memory`, `.specify/templates` or `specs/*\/tasks.md`, not by `.specify` alone.
 */
export { runsDirFor, stateDirFor } from '../../speckit/orchestra-paths';

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
