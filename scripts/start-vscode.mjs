// `npm start`: the real VS Code (the test harness's VS Code 1.100.3 server and web workbench) with this
// extension loaded on the example project, for machines without a desktop VS Code. Builds the extension,
// starts the server on a free loopback port and prints the URL to open; Ctrl-C stops it.
// Options: `npm start -- <folder>` opens another folder; PORT is chosen freely each time.
// Profile (settings, installed extensions) lives in .vscode-test/start/ so it survives restarts; the
// Anthropic key set in the workbench lives in the browser's storage, as VS Code for the Web keeps secrets.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const { repoRoot, codeServerEntry } = require('../test/harness/paths.ts');
const { startServer, workbenchUrl } = require('../test/harness/workbench.ts');

const folder = resolve(process.argv[2] ?? join(repoRoot, 'examples', 'todo-api'));
if (!existsSync(folder)) {
  console.error(`start: no folder ${folder}`);
  process.exit(2);
}
if (!existsSync(codeServerEntry)) {
  console.error(`start: the VS Code server is not installed (${codeServerEntry}). Install it once with: bash scripts/install-test-vscode.sh`);
  process.exit(1);
}
const build = spawnSync(process.execPath, [join(repoRoot, 'esbuild.mjs')], { cwd: repoRoot, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('start: building the extension failed');
  process.exit(1);
}

const profile = join(repoRoot, '.vscode-test', 'start');
const dirs = { userDataDir: join(profile, 'user-data'), extensionsDir: join(profile, 'extensions'), scratchDir: profile };
for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });

const server = await startServer(dirs);
const url = workbenchUrl(server, { folder, extensionDevelopmentPath: repoRoot });
console.log(`\nSpec-Kit Agent Orchestra is running in VS Code 1.100 (web) on ${folder}\n\n  Open: ${url}\n\nThe server listens on 127.0.0.1 only. Press Ctrl-C to stop.`);

let stopping = false;
const stop = async () => {
  if (stopping) process.exit(130);
  stopping = true;
  console.log('\nstopping the VS Code server…');
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
