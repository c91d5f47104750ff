// `npm start`: the real VS Code (the test harness's VS Code 1.100.3 server and web workbench) with this
// extension loaded on the example project, for machines without a desktop VS Code. Builds the extension,
// starts the server on a free loopback port and prints the URL to open; Ctrl-C stops it.
// The example is opened as a copy in .vscode-test/demo/todo-api (git-ignored), made fresh at each start, so a
// demo run writes its code and ticks there and never into the repository.
// Options: `npm start -- --keep` reopens the last copy with what earlier runs left in it;
// `npm start -- <folder>` opens another folder in place. The port is chosen freely each time.
// Profile (settings, installed extensions) lives in .vscode-test/start/ so it survives restarts (tests point
// SPECKIT_START_PROFILE elsewhere); the Anthropic key set in the workbench lives in the browser's storage, as
// VS Code for the Web keeps secrets.
// The server refuses every request without a random connection token, made anew at each start: it is in the
// URL printed below and nowhere else (not on a command line, in the environment or on disk). Opening that URL
// once leaves the token in the browser as a cookie for this server; another account on the machine, or a page
// in another browser, gets "Forbidden".
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const { repoRoot } = require('../test/harness/paths.ts');
const { ensureTestVsCode } = require('../test/harness/preflight.ts');
const { startSecuredServer, workbenchUrl } = require('../test/harness/workbench.ts');

const args = process.argv.slice(2);
const unknownOption = args.find((arg) => arg.startsWith('-') && arg !== '--keep');
if (unknownOption !== undefined) {
  console.error(`start: unknown option ${unknownOption} (use --keep, or name a folder)`);
  process.exit(2);
}
const keep = args.includes('--keep');
const folderArg = args.find((arg) => !arg.startsWith('-'));

/** The example as a fresh working copy (or the kept one), so a demo run never changes examples/. */
function demoCopy() {
  const example = join(repoRoot, 'examples', 'todo-api');
  const copy = join(repoRoot, '.vscode-test', 'demo', 'todo-api');
  if (keep && existsSync(copy)) {
    console.log(`start: reopening the kept demo copy in ${copy}`);
    return copy;
  }
  rmSync(copy, { recursive: true, force: true });
  mkdirSync(join(copy, '..'), { recursive: true });
  cpSync(example, copy, { recursive: true, filter: (source) => !source.split(/[\\/]/).includes('node_modules') });
  console.log(`start: copied ${example} to ${copy}; runs write there, examples/ stays as it is`);
  return copy;
}

const folder = folderArg !== undefined ? resolve(folderArg) : demoCopy();
if (!existsSync(folder)) {
  console.error(`start: no folder ${folder}`);
  process.exit(2);
}
ensureTestVsCode('start');
const build = spawnSync(process.execPath, [join(repoRoot, 'esbuild.mjs')], { cwd: repoRoot, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('start: building the extension failed');
  process.exit(1);
}

const profile = resolve(process.env.SPECKIT_START_PROFILE || join(repoRoot, '.vscode-test', 'start'));
const dirs = {
  userDataDir: join(profile, 'user-data'),
  extensionsDir: join(profile, 'extensions'),
  scratchDir: profile,
};
for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });

const server = await startSecuredServer(dirs);
const url = workbenchUrl(server, { folder, extensionDevelopmentPath: repoRoot });
console.log(
  `\nSpec-Kit Agent Orchestra is running in VS Code 1.100 (web) on ${folder}${folderArg === undefined ? ' (a copy of examples/todo-api)' : ''}\n\n  Open: ${url}\n\nThe server listens on 127.0.0.1 only and refuses requests without the token in this URL; keep it to yourself. Press Ctrl-C to stop.`,
);

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
