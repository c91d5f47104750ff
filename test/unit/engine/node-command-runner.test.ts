import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { NodeCommandRunner } from '../../../src/core/engine/commands/node-command-runner';
import { HeadTailCapture, truncateMiddle } from '../../../src/core/util/output-capture';
import { never } from './temp-dir';

const node = process.execPath;
const runner = new NodeCommandRunner();

test('runs argv without a shell: metacharacters reach the program verbatim', async () => {
  const result = await runner.run(
    [node, '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', '$HOME; rm -rf / && `x`'],
    { cwd: process.cwd(), signal: never },
  );
  assert.equal(result.kind, 'exited');
  if (result.kind !== 'exited') return;
  assert.equal(result.exitCode, 0);
  assert.deepEqual(JSON.parse(result.stdout), ['$HOME; rm -rf / && `x`']);
});

test('reports the exit code and stderr, and scrubs the model key from the environment', async () => {
  process.env['ANTHROPIC_API_KEY'] = 'sk-test';
  const result = await runner.run(
    [node, '-e', 'console.error(process.env.ANTHROPIC_API_KEY ?? "none", process.env.EXTRA); process.exit(3)'],
    {
      cwd: process.cwd(),
      signal: never,
      env: { EXTRA: 'yes' },
    },
  );
  delete process.env['ANTHROPIC_API_KEY'];
  assert.equal(result.kind === 'exited' && result.exitCode, 3);
  assert.equal(result.kind === 'exited' && result.stderr.trim(), 'none yes');
});

test('a missing program is a value, not a throw', async () => {
  const result = await runner.run(['definitely-not-a-program-xyz'], { cwd: process.cwd(), signal: never });
  assert.equal(result.kind, 'failed-to-start');
});

test('timeout kills the process group, grandchildren included', async () => {
  // The child spawns a grandchild that would print after 3 s; killing only the child would let it live on.
  const script = `
    const { spawn } = require('node:child_process');
    const g = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    console.log(g.pid);
    setTimeout(() => {}, 60000);`;
  const result = await runner.run([node, '-e', script], { cwd: process.cwd(), signal: never, timeoutMs: 500 });
  assert.equal(result.kind, 'exited');
  if (result.kind !== 'exited') return;
  assert.equal(result.timedOut, true);
  assert.equal(result.exitCode, null);
  const grandchild = Number(result.stdout.trim());
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(isRunning(grandchild), false);
});

test('abort stops the command', async () => {
  const controller = new AbortController();
  const pending = runner.run([node, '-e', 'setTimeout(() => {}, 60000)'], {
    cwd: process.cwd(),
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(), 100);
  const result = await pending;
  assert.equal(result.kind === 'exited' && result.aborted, true);
});

test('output is capped keeping head and tail', async () => {
  const result = await runner.run([node, '-e', 'for (let i = 0; i < 5000; i++) console.log("line " + i)'], {
    cwd: process.cwd(),
    signal: never,
    maxOutputChars: 200,
  });
  assert.equal(result.kind, 'exited');
  if (result.kind !== 'exited') return;
  assert.equal(result.truncated, true);
  assert.match(result.stdout, /^line 0\n/);
  assert.match(result.stdout, /line 4999\n$/);
  assert.match(result.stdout, /characters omitted/);
  assert.ok(result.stdout.length < 300);
});

test('HeadTailCapture keeps everything that fits, across chunks', () => {
  const capture = new HeadTailCapture(10);
  capture.append('abc');
  capture.append('def');
  assert.equal(capture.text(), 'abcdef');
  assert.equal(capture.truncated, false);
  capture.append('ghijklmnop');
  assert.equal(capture.truncated, true);
  assert.match(capture.text(), /^abcde\n\[… 6 characters omitted …\]\nlmnop$/);
  assert.deepEqual(truncateMiddle('short', 10), { text: 'short', truncated: false });
});

/** Alive and not a zombie (in a container nobody may reap the orphan, so kill(pid, 0) alone would lie). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}
