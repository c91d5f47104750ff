import { join } from 'node:path';

/**
 * Where runs live: `<project>/.specify/orchestra/`. Project-local, so the extension and the CLI find (and can
 * resume or roll back) each other's runs, and `verify` finds the evidence behind a feature's ticks; under
 * `.specify/`, which agents may not write and whose `orchestra` folder they may not even read.
 */
export function stateDirFor(projectRoot: string): string {
  return join(projectRoot, '.specify', 'orchestra');
}

/** One folder per run below it: `runs/<runId>/journal.jsonl` and `runs/<runId>/blobs/<sha256>`. */
export function runsDirFor(stateDir: string): string {
  return join(stateDir, 'runs');
}
