/**
 * The CLI as a process, against a hostile machine: a reader that closes the pipe, signals while a tool
 * hangs or the model stalls, a gateway that echoes the key. The bundle is built fresh from the sources.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  reply,
  startMockAnthropic,
  type MockAnthropic,
  type MockReply,
  type RecordedRequest,
} from '../../mock-anthropic';
import { complete, jobOf, makeProject, removeDir, toolCall, toolResults, turnOf } from '../engine/run/harness';
import { buildCliBundle, TEST_KEY } from './cli-harness';

let bundleDir: string;
let cliJs: string;
let mock: MockAnthropic;
let handler: (request: RecordedRequest) => MockReply = () => complete();

before(async () => {
  ({ dir: bundleDir, cliJs } = await buildCliBundle());
  mock = await startMockAnthropic({ handler: (request) => handler(request) });
});

after(async () => {
  await mock.close();
  await rm(bundleDir, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  at: number;
}

/** `fileBlocks`: the largest file the process may write, in 512-byte blocks (`ulimit -f`), as a nearly full disk. */
function spawnCli(args: string[], cwd: string, env: Record<string, string> = {}, fileBlocks?: number) {
  const [program, argv] =
    fileBlocks === undefined
      ? [process.execPath, [cliJs, ...args]]
      : ['sh', ['-c', `ulimit -f ${fileBlocks}; exec "$0" "$@"`, process.execPath, cliJs, ...args]];
  const child: ChildProcess = spawn(program, argv, {
    cwd,
    env: {
      PATH: process.env['PATH'] ?? '',
      NO_COLOR: '1',
      ANTHROPIC_API_KEY: TEST_KEY,
      ANTHROPIC_BASE_URL: mock.url,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, out, err, at: performance.now() })),
  );
  return { child, exited };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const TASKS = '## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n';

test('`tasks | head -1`: a reader that closes the pipe ends the command quietly', { timeout: 60_000 }, async () => {
  const lines = Array.from(
    { length: 4_000 },
    (_, i) => `- [ ] T${String(i + 1).padStart(4, '0')} Task ${i} in src/f${i}.js`,
  );
  const dir = await makeProject(`## Phase 1: Setup\n\n${lines.join('\n')}\n`);
  try {
    const { child, exited } = spawnCli(['tasks'], dir);
    // Like `head -1`: read the first line, then close our end of the pipe while the CLI is still writing.
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    child.stdout?.destroy();
    const exit = await exited;
    assert.equal(exit.code, 0, exit.err);
    assert.equal(exit.err, '', 'no EPIPE stack trace');
  } finally {
    await removeDir(dir);
  }
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(
    `${signal} while a command ignores SIGTERM: the CLI is gone within 2 s, takes the command with it, and the run resumes`,
    { timeout: 90_000 },
    async () => {
      const dir = await makeProject(TASKS, {
        'hang.js': `require('fs').writeFileSync('started', String(process.pid)); process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);\n`,
      });
      try {
        handler = (request) => (turnOf(request) === 0 ? toolCall('run_command', { name: 'test' }) : complete());
        const args = [
          'implement',
          '--approve',
          'all',
          '--yes',
          '--test-command',
          'node hang.js',
          '--allow-command',
          'test',
        ];
        const { child, exited } = spawnCli(args, dir);
        await waitFor(() => existsSync(join(dir, 'started')), 'the command to start');
        const commandPid = Number(await readFile(join(dir, 'started'), 'utf8'));
        const sentAt = performance.now();
        child.kill(signal);
        const exit = await exited;
        assert.ok(exit.at - sentAt < 2_000, `stopped ${Math.round(exit.at - sentAt)} ms after ${signal}`);
        assert.equal(exit.code, signal === 'SIGINT' ? 130 : 143, exit.err);
        await waitFor(() => !isAlive(commandPid), 'the command to be killed', 3_000);

        handler = (request) =>
          turnOf(request) === 0
            ? toolCall('propose_edit', { kind: 'create', path: 'src/a.js', content: 'a' })
            : complete(['src/a.js']);
        const resumed = await spawnCli(['implement', '--resume', '--approve', 'all', '--yes'], dir).exited;
        assert.equal(resumed.code, 0, `${resumed.out}\n${resumed.err}`);
        assert.match(await readFile(join(dir, 'specs/001-demo/tasks.md'), 'utf8'), /- \[[xX]\] T001/);
      } finally {
        await removeDir(dir);
      }
    },
  );
}

test('SIGTERM while the model stream stalls: the CLI is gone within 2 s', { timeout: 60_000 }, async () => {
  const dir = await makeProject(TASKS);
  try {
    const stalled = mock.requests.length;
    handler = () => reply.stallAfter(2);
    const { child, exited } = spawnCli(['implement', '--approve', 'all', '--yes'], dir);
    await waitFor(() => mock.requests.length > stalled, 'the model call');
    await new Promise((r) => setTimeout(r, 200));
    const sentAt = performance.now();
    child.kill('SIGTERM');
    const exit = await exited;
    assert.ok(exit.at - sentAt < 2_000, `stopped ${Math.round(exit.at - sentAt)} ms after SIGTERM`);
  } finally {
    await removeDir(dir);
  }
});

test('a gateway that echoes the key: no key on stdout, stderr or in the journal', { timeout: 60_000 }, async () => {
  const dir = await makeProject(TASKS);
  const gatewayKey = 'gw-0123456789-secret-token';
  const otherKey = 'sk-ant-api03-AbCdEf0123456789_xyz';
  try {
    handler = () =>
      reply.error(400, 'invalid_request_error', `key ${gatewayKey} is not valid here; did you mean ${otherKey}?`);
    const exit = await spawnCli(['implement', '--approve', 'all', '--yes'], dir, { ANTHROPIC_API_KEY: gatewayKey })
      .exited;
    const runs = join(dir, '.specify/orchestra/runs');
    const journals = await Promise.all(
      (await readdir(runs)).map((id) => readFile(join(runs, id, 'journal.jsonl'), 'utf8')),
    );
    const everything = [exit.out, exit.err, ...journals].join('\n');
    assert.match(everything, /\[redacted\]/, 'the echoed message was shown, redacted');
    assert.ok(!everything.includes(gatewayKey), 'the key in use never appears');
    assert.ok(!everything.includes('AbCdEf0123456789'), 'no sk-ant-… string appears');
  } finally {
    await removeDir(dir);
  }
});

test(
  'a write the disk refuses: no temp file is left, the model and the user are told, the rest is counted',
  {
    timeout: 60_000,
    skip: process.platform === 'win32' ? 'needs a POSIX shell for ulimit' : false,
  },
  async () => {
    const dir = await makeProject(
      '## Phase 1: Core\n\n- [ ] T001 [P] Write `src/big.js`\n- [ ] T002 [P] Write `src/small.js`\n',
    );
    try {
      const results: string[] = [];
      handler = (request) => {
        const job = jobOf(request);
        const turn = turnOf(request);
        if (turn > 0) results.push(...toolResults(request).map((r) => r.content));
        if (job === 'T001')
          return turn === 0
            ? toolCall('propose_edit', { kind: 'create', path: 'src/big.js', content: 'x'.repeat(200_000) })
            : complete(['src/big.js']);
        return turn === 0
          ? toolCall('propose_edit', { kind: 'create', path: 'src/small.js', content: 'ok' })
          : complete(['src/small.js']);
      };
      // 128 blocks: 64 KiB per file, far above the journal's and the small file's size, below the big file's.
      const exit = await spawnCli(['implement', '--approve', 'all', '--yes'], dir, { NO_COLOR: '1' }, 128).exited;
      const leftovers = (await readdir(dir, { recursive: true })).filter((name) => name.endsWith('.tmp'));
      assert.deepEqual(leftovers, [], 'no temp file next to a target');
      assert.ok(!existsSync(join(dir, 'src/big.js')));
      assert.equal(await readFile(join(dir, 'src/small.js'), 'utf8'), 'ok');
      assert.ok(
        results.some((r) => /EFBIG|too large/i.test(r)),
        `the model was told: ${results.join(' | ')}`,
      );
      assert.match(exit.out + exit.err, /EFBIG|File too large/, 'the user is told what happened');
      assert.match(exit.out, /1 of 2 tasks done|1\/2/, exit.out);
      assert.equal(exit.code, 1);
    } finally {
      await removeDir(dir);
    }
  },
);
