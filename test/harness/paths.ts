import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The project root, found from this file's place (test/harness/) so any working directory works. */
export const repoRoot = resolve(__dirname, '..', '..');

/** The git-ignored cache that scripts/install-test-vscode.sh fills. */
export const testVsCodeDir = join(repoRoot, '.vscode-test', 'code-server');

/** code-server's Node entry: it serves the VS Code 1.100.3 server and web workbench. */
export const codeServerEntry = join(testVsCodeDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** VS Code's own server inside the code-server package: `npm start` uses it for its connection token. */
export const vscodeServerEntry = join(
  testVsCodeDir,
  'node_modules',
  'code-server',
  'lib',
  'vscode',
  'out',
  'server-main.js',
);

/** Debian's Chromium; playwright-core drives it (never `playwright install`: nothing downloads at test time). */
export const chromiumPath = process.env['SPECKIT_TEST_CHROMIUM'] ?? '/usr/bin/chromium';

/** Why the real-VS-Code tests cannot run, or undefined when everything they need is installed. */
export function missingTestVsCode(): string | undefined {
  const missing = [
    existsSync(codeServerEntry) ? undefined : `the test VS Code (${codeServerEntry})`,
    existsSync(chromiumPath) ? undefined : `Chromium (${chromiumPath})`,
  ].filter((m): m is string => m !== undefined);
  return missing.length === 0
    ? undefined
    : `Missing ${missing.join(' and ')} after scripts/install-test-vscode.sh ran; set SPECKIT_TEST_CHROMIUM if Chromium lives elsewhere`;
}
