/**
 * The CLI never hangs silently and never ends "successfully" without finishing: a run that goes quiet says
 * what it waits for, a stuck run is stopped (resumable), and a process whose every wait was lost exits 1 with
 * what was pending instead of 0.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { reply, startMockAnthropic, type MockAnthropic, type MockReply } from '../../mock-anthropic';
import { buildCliBundle, cli, copyExample, mockEnv, TASKS_MD, tickedIds } from './cli-harness';
import { scriptedAgents, taskIdOf } from './scripted-agents';

let mock: MockAnthropic;
let bundle: { dir: string; cliJs: string };
/** Per test: how the mock answers a request for task T001 (the others are played by the scripted agents). */
let firstTaskReply: (() => MockReply | undefined) | undefined;

before(async () => {
  bundle = await buildCliBundle();
  const agents = scriptedAgents();
  mock = await startMockAnthropic({
    handler: (request) => {
      const special = taskIdOf(request) === 'T001' ? firstTaskReply?.() : undefined;
      return special ?? agents(request);
    },
  });
});

after(async () => {
  await mock.close();
  await rm(bundle.dir, { recursive: true, force: true });
});

test('a run whose wake-up is lost exits 1 and names what it waited for, never 0', async () => {
  const root = await copyExample();
  let limited = false;
  firstTaskReply = () => {
    if (limited) return undefined;
    limited = true;
    return reply.rateLimited(1.234);
  };
  try {
    const child = spawn(
      process.execPath,
      [
        '--require',
        join(__dirname, 'lose-pool-wake-up.cjs'),
        bundle.cliJs,
        'implement',
        '--workspace',
        root,
        '--approve',
        'all',
      ],
      { cwd: root, env: { ...process.env, ...mockEnv(mock.url), NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(code, 1, `exit code; stderr: ${err}\nstdout: ${out}`);
    assert.match(err, /stopped without finishing/);
    assert.match(err, /waiting for rate limit/, 'it says what the workers were waiting for');
    assert.match(err, /tasks? not done/);
    assert.ok(tickedIds(await readFile(join(root, TASKS_MD), 'utf8')).length < 10, 'the run really was unfinished');
  } finally {
    firstTaskReply = undefined;
  }
});

test('a quiet run says what it waits for; a stuck one is stopped, resumable, with exit 1', async () => {
  const root = await copyExample();
  firstTaskReply = () => reply.stallAfter(0);
  try {
    const result = await cli(['implement', '--workspace', root, '--approve', 'all', '--task', 'T001'], {
      env: { ...mockEnv(mock.url), SPECKIT_ORCHESTRA_WATCHDOG_MS: '300,1500' },
      cwd: root,
    });
    assert.equal(result.code, 1, result.err + result.out);
    assert.match(result.out, /still running; waiting for:\n\s+T001 code-writer: /);
    assert.match(result.out, /the run is stuck; stopping it \(it stays resumable\)/);
    assert.match(result.out, /continue with: speckit-orchestra implement --resume /);
  } finally {
    firstTaskReply = undefined;
  }
});
