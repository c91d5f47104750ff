// `npm run smoke:live` as a process: it skips without a key, and with one it builds the CLI, runs the whole
// example and then the example's own tests. Here the "real API" is the local wire mock, reached through the
// same base-URL override a user's gateway uses, so the script's whole path runs: the success, the $0.50 cap
// stopping a run whose calls cost too much, and a failure reported with the project kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startMockAnthropic, type MockAnthropic, type MockReply, type RecordedRequest } from '../../mock-anthropic';
import { TEST_KEY } from './cli-harness';
import { scriptedAgents } from './scripted-agents';

const repoRoot = resolve(__dirname, '..', '..', '..');
const SMOKE_TIMEOUT_MS = 180_000;

function smokeLive(env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  // Not this runner's NODE_TEST_CONTEXT either: with it the example's `node --test` would report to us, not print.
  const { ANTHROPIC_API_KEY: _key, ANTHROPIC_BASE_URL: _url, NODE_TEST_CONTEXT: _context, ...inherited } = process.env;
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'smoke-live.mjs')], {
      cwd: repoRoot,
      env: { ...inherited, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), SMOKE_TIMEOUT_MS - 10_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, out, err });
    });
  });
}

function messagesRequests(mock: MockAnthropic): RecordedRequest[] {
  return mock.requests.filter((r) => r.path.endsWith('/messages'));
}

let mock: MockAnthropic;
before(async () => {
  mock = await startMockAnthropic({ apiKeys: [TEST_KEY] });
});
after(async () => {
  await mock.close();
});

test('without ANTHROPIC_API_KEY: a clear skip message, exit 0, no request', { timeout: SMOKE_TIMEOUT_MS }, async () => {
  const start = mock.requests.length;
  const r = await smokeLive({ ANTHROPIC_BASE_URL: mock.url });
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.out,
    /^smoke:live skipped: ANTHROPIC_API_KEY is not set\. .*at most \$0\.50.*set the key to run it\.\n$/,
  );
  assert.equal(mock.requests.length, start, 'nothing was called');
});

let fullRunRequests = 0;

test(
  'with a key: the whole example is implemented within the $0.50 budget, then its own tests pass',
  { timeout: SMOKE_TIMEOUT_MS },
  async () => {
    mock.setHandler(scriptedAgents());
    const start = messagesRequests(mock).length;
    const r = await smokeLive({ ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: mock.url });
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(
      r.out,
      new RegExp(
        `with the API at ${mock.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} on claude-haiku-5-5, budget \\$0\\.50`,
      ),
    );
    assert.match(r.out, /budget \$0\.50/, 'the CLI was given the cap');
    assert.match(
      r.out,
      /^smoke:live: forecast on claude-haiku-5-5: \$\d\.\d\d–\$\d\.\d\d \(expected \$0\.\d\d\); cap \$0\.50$/m,
      'the forecast, on the cheapest model, is printed first',
    );
    assert.ok(
      messagesRequests(mock)
        .slice(start)
        .every((request) => (request.body as { model?: string }).model === 'claude-haiku-5-5'),
      'every call on the cheapest model',
    );
    assert.match(r.out, /10\/10 tasks done/);
    assert.match(r.out, /the example's own tests \(npm test\)/);
    assert.match(r.out, /# pass \d+/, 'node --test ran in the copy');
    assert.match(
      r.out,
      /smoke:live passed: every task done and the example's own tests pass\. Spent \$\d+\.\d+ of \$0\.50\.\n$/,
    );
    fullRunRequests = messagesRequests(mock).length - start;
    assert.ok(fullRunRequests >= 20, `the run called the model for every task (${fullRunRequests} calls)`);
  },
);

test(
  'calls that cost too much: the run stops before the $0.50 cap, the script fails and says so',
  { timeout: SMOKE_TIMEOUT_MS },
  async () => {
    // Every answer bills 10,000 output tokens: $0.05 on Haiku 4.5, whose forecast fits under the cap.
    const scripted = scriptedAgents();
    mock.setHandler((request): MockReply => {
      const answer = scripted(request);
      return answer.type === 'message' ? { ...answer, outputTokens: 10_000 } : answer;
    });
    const start = messagesRequests(mock).length;
    const r = await smokeLive({
      ANTHROPIC_API_KEY: TEST_KEY,
      ANTHROPIC_BASE_URL: mock.url,
      SMOKE_LIVE_MODEL: 'claude-haiku-4-5',
    });
    assert.equal(r.code, 1, r.out + r.err);
    const calls = messagesRequests(mock).length - start;
    assert.ok(
      fullRunRequests === 0 || calls < fullRunRequests / 2,
      `stopped early: ${calls} of ${fullRunRequests} calls`,
    );
    const failed = /smoke:live FAILED: (.*)\. Spent \$(\d+\.\d+) of \$0\.50\. The project is kept in (\S+)\.\n$/.exec(
      r.err,
    );
    assert.ok(failed, r.err);
    const [, reasons = '', spent = '', kept = ''] = failed;
    assert.match(reasons, /the run stopped at the \$0\.50 budget before finishing \(exit 1\)/);
    // The cap is a ceiling: the run never spends past it, and it stopped near it (less than one call short).
    assert.ok(Number(spent) <= 0.5 && Number(spent) >= 0.5 - 0.25, `spent $${spent}`);
    assert.ok(existsSync(join(kept, 'specs', '001-todo-api', 'tasks.md')), 'the project is kept for a look');
    await rm(resolve(kept, '..'), { recursive: true, force: true });
  },
);

test(
  'a forecast over the cap fails at once, before any model call, and says which model and what it would cost',
  { timeout: SMOKE_TIMEOUT_MS },
  async () => {
    const start = messagesRequests(mock).length;
    const r = await smokeLive({
      ANTHROPIC_API_KEY: TEST_KEY,
      ANTHROPIC_BASE_URL: mock.url,
      SMOKE_LIVE_MODEL: 'claude-sonnet-5-5',
    });
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(
      r.err,
      /smoke:live FAILED: the forecast's expected cost on claude-sonnet-5-5, \$\d\.\d\d, is over the \$0\.50 cap; no model was called\./,
    );
    assert.equal(messagesRequests(mock).length, start, 'no call was made');
  },
);
