// Test-only extensions (test/host/extensions/<name>: a package.json and an extension.ts) that a host suite loads
// beside the orchestra, e.g. a chat model registered through an API proposal only that extension declares.
// The host runner bundles them with the host tests; this module packages one as a .vsix and installs it.
//
// Why install rather than load it as a second extension under development: the test VS Code's web workbench
// reads its launch payload into a map, so of two `extensionDevelopmentPath` entries only the last survives.
// A desktop VS Code loads several, and the runner gives it the build folders directly.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeServerEntry, repoRoot } from './paths';

/** Where the test-only extensions' sources are. */
export const testExtensionsDir = join(repoRoot, 'test', 'host', 'extensions');

const STEP_TIMEOUT_MS = 120_000;

export interface TestExtension {
  name: string;
  /** `publisher.name`, as `vscode.extensions.getExtension` and `--enable-proposed-api` take it. */
  id: string;
  /** The folder with its package.json and its bundle, `extension.js`. */
  buildDir: string;
}

export function testExtension(name: string, hostOut: string): TestExtension {
  const manifest = JSON.parse(readFileSync(join(testExtensionsDir, name, 'package.json'), 'utf8')) as {
    publisher?: unknown;
    name?: unknown;
  };
  if (typeof manifest.publisher !== 'string' || typeof manifest.name !== 'string')
    throw new Error(`test/host/extensions/${name}/package.json: needs "publisher" and "name"`);
  return { name, id: `${manifest.publisher}.${manifest.name}`, buildDir: join(hostOut, 'extensions', name) };
}

function run(file: string, args: string[], cwd: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, timeout: STEP_TIMEOUT_MS, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${what} failed: ${error.message}\n${stdout}${stderr}`, { cause: error }));
      else resolve();
    });
  });
}

/** Packages a built test extension (offline; no dependencies, no repository or licence asked for). */
export async function packageTestExtension(extension: TestExtension, vsixPath: string): Promise<void> {
  const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  await run(
    process.execPath,
    [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsixPath],
    extension.buildDir,
    `packaging the test extension ${extension.name}`,
  );
}

/** Installs a .vsix into an extensions folder with the test VS Code's own installer (as a user's install). */
export async function installTestExtension(vsixPath: string, extensionsDir: string): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'speckit-install-'));
  try {
    // Always a config file of our own: without one code-server writes one into the home folder.
    const config = join(scratch, 'config.yaml');
    await writeFile(config, 'auth: none\ncert: false\n');
    await run(
      process.execPath,
      [
        codeServerEntry,
        '--config',
        config,
        '--user-data-dir',
        join(scratch, 'user-data'),
        '--extensions-dir',
        extensionsDir,
        '--install-extension',
        vsixPath,
      ],
      scratch,
      `installing ${vsixPath}`,
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
