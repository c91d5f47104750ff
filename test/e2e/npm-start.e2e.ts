// `npm start` as a user runs it: the script prints one URL; the server behind it refuses every request that
// does not carry the random token in that URL, and the token is nowhere else (not on a command line, in an
// environment, in a file or elsewhere in the output). The printed URL opens the workbench with the extension;
// the same address without the token is "Forbidden". Ctrl-C stops everything. Screenshots in test-results/.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyFixtureWorkspace, EXAMPLE_WORKSPACE, type WorkspaceCopy } from '../harness/fixture-workspace';
import { repoRoot } from '../harness/paths';
import { launchBrowser } from '../harness/workbench';
import { saveScreenshot } from './workbench-ui';

let workspace: WorkspaceCopy | undefined;
let profile: string | undefined;
let start: ChildProcess | undefined;
let stdout = '';
let stderr = '';

before(async () => {
  workspace = await copyFixtureWorkspace(EXAMPLE_WORKSPACE);
  profile = await mkdtemp(join(tmpdir(), 'speckit-start-profile-'));
  start = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts', 'start-vscode.mjs'), workspace.dir], {
    cwd: repoRoot,
    env: { ...process.env, SPECKIT_START_PROFILE: profile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  start.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  start.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
});

after(async () => {
  if (start?.exitCode === null && start.signalCode === null) {
    const exited = new Promise((resolve) => start?.once('exit', resolve));
    start.kill('SIGINT');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    if (start.exitCode === null) start.kill('SIGKILL');
  }
  await workspace?.dispose();
  if (profile) await rm(profile, { recursive: true, force: true });
});

async function printedUrl(timeoutMs: number): Promise<URL> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const match = /Open: (\S+)/.exec(stdout);
    if (match?.[1]) return new URL(match[1]);
    if (start?.exitCode !== null)
      throw new Error(`npm start exited (${String(start?.exitCode)}):\n${stdout}\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`npm start printed no URL within ${timeoutMs} ms:\n${stdout}\n${stderr}`);
}

/** The processes `npm start` started, at any depth (the server runs in its own process group). */
function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) is in parentheses and may hold spaces; the parent pid follows it.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
      continue;
    }
  }
  const found: number[] = [];
  const visit = (parent: number): void => {
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

test(
  'npm start serves the workbench behind a token that only its printed URL holds',
  { timeout: 300_000 },
  async () => {
    const url = await printedUrl(240_000);
    const origin = url.origin;
    const token = url.searchParams.get('tkn') ?? '';
    assert.match(token, /^[A-Za-z0-9_-]{43}$/, 'a random 256-bit token in the URL');
    assert.equal(url.hostname, '127.0.0.1');

    // Without the token (or with a wrong one) every request is refused.
    const refused = async (path: string, headers: Record<string, string> = {}): Promise<void> => {
      const response = await fetch(`${origin}${path}`, { redirect: 'manual', headers });
      assert.equal(response.status, 403, `${path} ${JSON.stringify(headers)} is refused`);
    };
    await refused('/');
    await refused(`/?folder=${encodeURIComponent(workspace?.dir ?? '')}`);
    await refused('/?tkn=not-the-token');
    await refused('/', { Cookie: 'vscode-tkn=not-the-token' });
    await refused('/vscode-remote-resource?path=%2Fetc%2Fhostname');
    await refused('/static/out/vs/code/browser/workbench/workbench.js');

    // The printed URL trades the token for a cookie; with it the workbench page is served.
    const first = await fetch(url, { redirect: 'manual' });
    assert.equal(first.status, 302);
    assert.match(first.headers.get('set-cookie') ?? '', new RegExp(`vscode-tkn=${token}`));
    const location = new URL(first.headers.get('location') ?? '', origin);
    assert.equal(location.searchParams.get('tkn'), null, 'the redirect drops the token from the address');
    const page = await fetch(location, { headers: { Cookie: `vscode-tkn=${token}` } });
    assert.equal(page.status, 200);

    // The token is in the printed URL and nowhere else.
    assert.equal(stdout.split(token).length - 1, 1, 'printed once, in the URL');
    assert.ok(!stderr.includes(token));
    assert.ok(start?.pid !== undefined);
    const processes = descendantsOf(start.pid);
    // The server runs under npm start; an extension host joins only once a browser connects, so it is not counted on.
    assert.ok(processes.length >= 1, 'the server runs under npm start');
    for (const pid of [start.pid, ...processes]) {
      for (const what of ['cmdline', 'environ']) {
        let text = '';
        try {
          text = readFileSync(`/proc/${pid}/${what}`, 'utf8');
        } catch {
          continue;
        }
        assert.ok(!text.includes(token), `process ${pid}'s ${what} does not hold the token`);
      }
    }
    const tempTokenDirs = readdirSync(tmpdir())
      .filter((name) => name.startsWith('speckit-token-'))
      .map((name) => join(tmpdir(), name));
    for (const file of [...filesUnder(profile ?? ''), ...tempTokenDirs.flatMap(filesUnder)]) {
      if (statSync(file).size > 5_000_000) continue;
      assert.ok(!readFileSync(file, 'latin1').includes(token), `${file} does not hold the token`);
    }

    // In a browser: the printed URL opens the workbench with the extension; the bare address is refused.
    const scratch = await mkdtemp(join(tmpdir(), 'speckit-start-browser-'));
    const user = await launchBrowser({ profileDir: join(scratch, 'user') });
    const stranger = await launchBrowser({ profileDir: join(scratch, 'stranger') });
    try {
      await user.page.goto(url.toString());
      await user.page
        .locator('.part.activitybar .action-label[aria-label^="Spec-Kit Orchestra"]')
        .click({ timeout: 120_000 });
      await user.page
        .locator('.part.sidebar .monaco-list-row', { hasText: 'T001 Create the public entry point' })
        .waitFor({ timeout: 60_000 });
      assert.ok(!user.page.url().includes(token), 'the address bar no longer shows the token');
      console.log(`screenshot: ${await saveScreenshot(user.page, 'npm-start-workbench')}`);
      const response = await stranger.page.goto(location.toString());
      assert.equal(response?.status(), 403);
      assert.match(await stranger.page.locator('body').innerText(), /Forbidden/);
      console.log(`screenshot: ${await saveScreenshot(stranger.page, 'npm-start-forbidden')}`);
    } catch (error) {
      console.log(`failure screenshot: ${await saveScreenshot(user.page, 'npm-start-failure')}`);
      throw error;
    } finally {
      await user.close();
      await stranger.close();
      await rm(scratch, { recursive: true, force: true });
    }

    // Ctrl-C stops the server with it.
    const exited = new Promise<number | null>((resolve) => start?.once('exit', (code) => resolve(code)));
    start.kill('SIGINT');
    assert.equal(await exited, 0);
    const deadline = performance.now() + 10_000;
    let stillServing = true;
    while (stillServing && performance.now() < deadline) {
      stillServing = await fetch(`${origin}/version`, { signal: AbortSignal.timeout(1000) }).then(
        () => true,
        () => false,
      );
      if (stillServing) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(stillServing, false, 'the server is gone');
  },
);
