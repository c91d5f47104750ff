import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { missingTestVsCode, repoRoot } from './paths';

/**
 * Makes sure the test VS Code and Chromium are there, installing them when they are not: the README's two
 * commands (`npm ci`, `npm test`) are the whole set-up, and `npm start` needs the same. The install script is
 * idempotent (about a second when everything is in place). Where it cannot install (Debian packages missing
 * and not root) it says which line to run, and this stops with that message.
 */
export function ensureTestVsCode(runner: string): void {
  const install = spawnSync('bash', [join(repoRoot, 'scripts', 'install-test-vscode.sh')], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (install.status !== 0) {
    console.error(`${runner}: the test VS Code could not be installed (see the lines above); nothing was run`);
    process.exit(1);
  }
  const missing = missingTestVsCode();
  if (missing !== undefined) {
    console.error(`${runner}: ${missing}`);
    process.exit(1);
  }
}

/**
 * What both real-VS-Code runners do first: install the test VS Code when it is missing (unless a desktop VS
 * Code is used), then build the extension bundles the host loads from dist/.
 */
export function prepareExtensionRun(runner: string, options: { desktop: boolean }): void {
  if (!options.desktop) ensureTestVsCode(runner);
  const build = spawnSync(process.execPath, [join(repoRoot, 'esbuild.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error(`${runner}: building the extension failed`);
    process.exit(1);
  }
}
