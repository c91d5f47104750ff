import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { missingTestVsCode, repoRoot } from './paths';

/**
 * What both real-VS-Code runners do first: refuse clearly when the test VS Code is not installed (unless a
 * desktop VS Code is used), then build the extension bundles the host loads from dist/.
 */
export function prepareExtensionRun(runner: string, options: { desktop: boolean }): void {
  const missing = options.desktop ? undefined : missingTestVsCode();
  if (missing !== undefined) {
    console.error(`${runner}: ${missing}`);
    process.exit(1);
  }
  const build = spawnSync(process.execPath, [join(repoRoot, 'esbuild.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error(`${runner}: building the extension failed`);
    process.exit(1);
  }
}
