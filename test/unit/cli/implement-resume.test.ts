/**
 * The built CLI as a real process: killed with SIGKILL mid-run, or interrupted with Ctrl-C (SIGINT), then
 * resumed in-process until done. Nothing completed is redone; nothing approved is lost.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startMockAnthropic, type MockAnthropic, type RecordedRequest } from '../../mock-anthropic';
import { buildCliBundle, cli, copyExample, EXAMPLE_FILES, mockEnv, TASKS_MD, tickedIds } from './cli-harness';
import { scriptedAgents, scriptedContent, taskIdOf } from './scripted-agents';

let bundleDir: string;
let cliJs: string;
let mock: MockAnthropic;
/** Called on each model request while a spawned CLI runs; lets a test act at the N-th request. */
let onRequest: ((request: RecordedRequest) => void) | undefined;

before(async () => {
  ({ dir: bundleDir, cliJs } = await buildCliBundle());
  const agents = scriptedAgents();
  mock = await startMockAnthropic({
    latencyMs: 20,
    handler: (request) => {
      onRequest?.(request);
      return agents(request);
    },
  });
});

after(async () => {
  await mock.close();
  await rm(bundleDir, { recursive: true, force: true });
});

interface Spawned {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
}

function spawnCli(args: string[], cwd: string): Spawned {
  const child = spawn(process.execPath, [cliJs, ...args], {
    cwd,
    env: { ...process.env, ...mockEnv(mock.url), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>(
    (resolveExit) => child.on('close', (code, signal) => resolveExit({ code, signal, out, err })),
  );
  return { child, exited };
}

/** Model requests since `start` (its index in mock.requests). */
function since(start: number): RecordedRequest[] {
  return mock.requests.slice(start).filter((r) => r.path.endsWith('/messages'));
}

/** Sends `signal` to the child when the mock has seen `count` model requests since `start`. */
function signalAt(spawned: Spawned, start: number, count: number, signal: NodeJS.Signals): void {
  onRequest = () => {
    if (since(start).length === count) spawned.child.kill(signal);
  };
}

/** Resumes in-process to the end and checks nothing done was redone and nothing is missing. */
async function resumeAndCheck(root: string, doneBefore: readonly string[]): Promise<void> {
  const start = mock.requests.length;
  const resumed = await cli(['implement', '--workspace', root, '--resume', '--approve', 'all'], {
    env: mockEnv(mock.url),
    cwd: root,
  });
  assert.equal(resumed.code, 0, resumed.err + resumed.out);
  assert.match(resumed.out, /Resumed run/);
  const redone = since(start)
    .map(taskIdOf)
    .filter((id) => id !== undefined && doneBefore.includes(id));
  assert.deepEqual(redone, [], 'the mock saw no request for a task completed before the interruption');
  assert.deepEqual(tickedIds(await readFile(join(root, TASKS_MD), 'utf8')), Object.keys(EXAMPLE_FILES));
  for (const [id, path] of Object.entries(EXAMPLE_FILES)) {
    if (id === 'T006') continue; // T007 rewrites the file T006 created
    assert.equal(await readFile(join(root, path), 'utf8'), scriptedContent(id, path), `${id} → ${path}`);
  }
}

/** Starts a full run as a process and sends it `signal` at the `atRequest`-th model request; returns once it ended. */
async function interruptedRun(signal: NodeJS.Signals, atRequest: number) {
  const root = await copyExample();
  const start = mock.requests.length;
  const spawned = spawnCli(['implement', '--workspace', root, '--approve', 'all'], root);
  signalAt(spawned, start, atRequest, signal);
  const ended = await spawned.exited;
  onRequest = undefined;
  const doneBefore = tickedIds(await readFile(join(root, TASKS_MD), 'utf8'));
  return { root, ended, doneBefore };
}

test('kill -9 mid-run, then --resume: completed tasks are not redone and no approved edit is lost', async () => {
  const { root, ended, doneBefore } = await interruptedRun('SIGKILL', 9);
  assert.equal(ended.signal, 'SIGKILL', ended.err + ended.out);
  assert.ok(
    doneBefore.length >= 1 && doneBefore.length < 10,
    `some but not all tasks done before the kill: ${doneBefore.join(', ')}`,
  );
  for (const id of doneBefore)
    assert.equal(
      await readFile(join(root, EXAMPLE_FILES[id] ?? ''), 'utf8'),
      scriptedContent(id, EXAMPLE_FILES[id] ?? ''),
    );
  const dryRun = await cli(['implement', '--workspace', root, '--dry-run'], { env: {}, cwd: root });
  assert.match(dryRun.out, /Run \S+ of 001-todo-api was interrupted \(\d+\/10 tasks done\): continue it with --resume/);

  await resumeAndCheck(root, doneBefore);
  await rm(root, { recursive: true, force: true });
});

test('Ctrl-C cancels cleanly: exit 1, a resume hint, and --resume finishes without redoing work', async () => {
  const { root, ended, doneBefore } = await interruptedRun('SIGINT', 7);
  assert.equal(ended.code, 1, ended.err + ended.out);
  assert.match(ended.err, /cancelling; the run stays resumable/);
  assert.match(ended.out, /Run cancelled/);
  assert.match(ended.out, /continue with: speckit-orchestra implement --resume \S+/);
  assert.ok(!ended.out.includes('\u001b'), 'no control codes in a log');

  await resumeAndCheck(root, doneBefore);
  await rm(root, { recursive: true, force: true });
});
