import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, cp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reply, startMockAnthropic, type MockAnthropic } from '../../mock-anthropic';
import { cli, copyExample, EXAMPLE_FILES, mockEnv, snapshotTree, TASKS_MD, tickedIds } from './cli-harness';
import { feedbackIn, scriptedAgents, scriptedContent, taskIdOf } from './scripted-agents';

let mock: MockAnthropic;
before(async () => {
  mock = await startMockAnthropic({ handler: scriptedAgents() });
});
after(async () => {
  await mock.close();
});

function requestsSince(start: number) {
  return mock.requests.slice(start).filter((r) => r.path.endsWith('/messages'));
}

test('implement --approve all: every task written, tasks.md ticked, exit 0, a log with no control codes', async () => {
  const root = await copyExample();
  const start = mock.requests.length;
  const result = await cli(['implement', '--workspace', root, '--approve', 'all'], {
    env: mockEnv(mock.url),
    cwd: root,
  });
  assert.equal(result.code, 0, result.err + result.out);
  for (const [id, path] of Object.entries(EXAMPLE_FILES)) {
    if (id === 'T006') continue; // T007 rewrites the file T006 created
    assert.equal(await readFile(join(root, path), 'utf8'), scriptedContent(id, path), `${id} → ${path}`);
  }
  const tasks = await readFile(join(root, TASKS_MD), 'utf8');
  assert.deepEqual(tickedIds(tasks), Object.keys(EXAMPLE_FILES));
  const workedOn = new Set(
    requestsSince(start)
      .map(taskIdOf)
      .filter((id) => id !== undefined),
  );
  assert.deepEqual([...workedOn].sort(), Object.keys(EXAMPLE_FILES));
  assert.ok(!result.out.includes('\u001b'), 'no escape codes when stdout is not a TTY');
  assert.match(result.out, /done\s+T010/);
  assert.match(result.out, /wrote\s+T002 create src\/errors\.js/);
  assert.match(result.out, /Run completed/);
  assert.match(result.out, /10\/10 tasks done/);
});

test('implement --dry-run shows schedule, roles, strategy and forecast without a request and without a key', async () => {
  const root = await copyExample();
  const start = mock.requests.length;
  const before = await snapshotTree(root);
  const result = await cli(['implement', '--dry-run', '--workspace', root], {
    env: { ANTHROPIC_BASE_URL: mock.url },
    cwd: root,
  });
  assert.equal(result.code, 0, result.err);
  assert.equal(mock.requests.length, start, 'the mock saw no request');
  assert.match(result.out, /Schedule/);
  assert.match(result.out, /in parallel \(2\):\n\s+T002 code-writer/);
  assert.match(result.out, /T004 test-writer/);
  assert.match(result.out, /why documenter: /);
  assert.match(result.out, /Strategy\n/);
  assert.match(result.out, /Cost forecast\n\s+\$\d+\.\d\d – \$\d+\.\d\d/);
  assert.deepEqual(await snapshotTree(root), before, 'a dry run writes nothing');
});

test('implement --dry-run --json: the plan as one object on stdout, waves within the workers, notes on stderr', async () => {
  const root = await copyExample();
  const start = mock.requests.length;
  const before = await snapshotTree(root);
  const run = async (...extra: string[]) => {
    const result = await cli(['implement', '--dry-run', '--json', '--workspace', root, ...extra], {
      env: { ANTHROPIC_BASE_URL: mock.url },
      cwd: root,
    });
    assert.equal(result.code, 0, result.err);
    return {
      plan: JSON.parse(result.out) as {
        feature: { id: string; tasksPath: string };
        waves: string[][];
        maxWorkers: number;
        storyParallelism: { mode: string; reason: string };
        tasks: { id: string; role: string; model: string; command: string | null; reason: string }[];
        criticalPath: string[];
        forecast: { usd: number; lowUsd: number; highUsd: number };
      },
      err: result.err,
    };
  };
  const { plan, err } = await run();
  assert.equal(mock.requests.length, start, 'the mock saw no request');
  assert.match(plan.feature.tasksPath, /tasks\.md$/);
  const ids = plan.tasks.map((t) => t.id);
  assert.deepEqual(plan.waves.flat().sort(), [...ids].sort(), 'every task in exactly one wave');
  assert.ok(plan.waves.every((wave) => wave.length >= 1 && wave.length <= plan.maxWorkers));
  assert.ok(
    plan.waves.some((wave) => wave.length > 1),
    'the [P] tasks share a wave',
  );
  const waveOf = (id: string): number => plan.waves.findIndex((wave) => wave.includes(id));
  for (let k = 1; k < plan.criticalPath.length; k += 1)
    assert.ok(
      waveOf(plan.criticalPath[k] ?? '') > waveOf(plan.criticalPath[k - 1] ?? ''),
      'the critical path in order',
    );
  assert.ok(plan.waves.length >= plan.criticalPath.length);
  const t004 = plan.tasks.find((t) => t.id === 'T004');
  assert.equal(t004?.role, 'test-writer');
  assert.ok(t004 !== undefined && t004.model !== '' && t004.reason !== '');
  assert.ok(
    plan.forecast.usd > 0 && plan.forecast.lowUsd <= plan.forecast.usd && plan.forecast.usd <= plan.forecast.highUsd,
  );
  assert.equal(plan.storyParallelism.mode === 'parallel' || plan.storyParallelism.reason !== '', true);
  assert.match(err, /^Tests: npm test/, 'the note about the test command goes to stderr');
  assert.equal(t004.command, 'npm test', 'the command its worker may run');

  const serial = (await run('--max-workers', '1')).plan;
  assert.equal(serial.maxWorkers, 1);
  assert.ok(
    serial.waves.every((wave) => wave.length === 1),
    '--max-workers 1: one task a wave',
  );
  assert.equal(serial.waves.length, ids.length);
  assert.deepEqual(await snapshotTree(root), before, 'a dry run writes nothing');

  const misplaced = await cli(['implement', '--json', '--workspace', root], { env: {}, cwd: root });
  assert.equal(misplaced.code, 2);
  assert.match(misplaced.err, /--json goes with --dry-run/);
});

test('--model in the dry run: every role and each task on the chosen models, text and JSON alike; the forecast follows', async () => {
  const root = await copyExample();
  const dry = async (...extra: string[]) => {
    const result = await cli(['implement', '--dry-run', '--workspace', root, ...extra], { env: {}, cwd: root });
    assert.equal(result.code, 0, result.err);
    return result.out;
  };
  const text = await dry('--model', 'claude-haiku-5-5', '--model', 'reviewer=claude-sonnet-5-5');
  assert.match(text, /code-writer {18}claude-haiku-5-5\n/);
  assert.match(text, /reviewer {21}claude-sonnet-5-5\n/);
  assert.match(text, /task-orchestrator {12}claude-haiku-5-5\n/);
  const json = JSON.parse(
    await dry('--json', '--model', 'claude-haiku-5-5', '--model', 'documenter=claude-opus-5-5'),
  ) as {
    tasks: { id: string; role: string; model: string }[];
    forecast: { usd: number };
  };
  for (const task of json.tasks)
    assert.equal(task.model, task.role === 'documenter' ? 'claude-opus-5-5' : 'claude-haiku-5-5', task.id);
  const cheapest = JSON.parse(await dry('--json', '--model', 'claude-haiku-5-5')) as { forecast: { usd: number } };
  const defaults = JSON.parse(await dry('--json')) as { forecast: { usd: number } };
  assert.ok(cheapest.forecast.usd < defaults.forecast.usd / 5, 'the cheapest tier forecasts far less');
  assert.ok(
    cheapest.forecast.usd < 0.5,
    `the example on the cheapest tier fits under $0.50: $${cheapest.forecast.usd}`,
  );

  const unknown = await cli(['implement', '--dry-run', '--workspace', root, '--model', 'claude-sonnet-9'], {
    env: {},
    cwd: root,
  });
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /--model: unknown model 'claude-sonnet-9'; known models: /);
});

test('the dry run lists /review:completion when a task will need the completion reviewer (no files, or a review)', async () => {
  const root = await copyExample();
  const commandsOf = async () => {
    const result = await cli(['implement', '--dry-run', '--workspace', root], { env: {}, cwd: root });
    assert.equal(result.code, 0, result.err);
    return /Commands\n((?: {2}\/.*\n)+)/.exec(result.out)?.[1] ?? '';
  };
  assert.doesNotMatch(await commandsOf(), /\/review:completion/, 'every example task names files it changes');
  const tasksPath = join(root, TASKS_MD);
  await writeFile(
    tasksPath,
    `${await readFile(tasksPath, 'utf8')}\n## Phase 5: Review\n\n- [ ] T011 Review the whole feature against the spec\n`,
  );
  assert.match(await commandsOf(), / {2}\/review:completion +\S.*\(built in\)/);
});

test('--approve ask without a terminal: exit 3 before any model call, nothing written', async () => {
  const root = await copyExample();
  const start = mock.requests.length;
  const before = await snapshotTree(root);
  const result = await cli(['implement', '--workspace', root], { env: mockEnv(mock.url), cwd: root });
  assert.equal(result.code, 3);
  assert.match(result.err, /no terminal to ask/);
  assert.equal(result.err.trim().split('\n').length, 1);
  assert.equal(mock.requests.length, start);
  assert.deepEqual(await snapshotTree(root), before);
});

test('--approve tests without a terminal: the first code edit stops the run with exit 3 and is not written', async () => {
  const root = await copyExample();
  const before = await snapshotTree(root);
  const result = await cli(['implement', '--workspace', root, '--approve', 'tests'], {
    env: mockEnv(mock.url),
    cwd: root,
  });
  assert.equal(result.code, 3, result.err + result.out);
  assert.match(result.err, /needs approval/);
  assert.deepEqual(await snapshotTree(root), before, 'nothing written');
});

test('a scripted terminal accepts one edit and rejects another with feedback, which reaches the agent', async () => {
  const root = await copyExample();
  const start = mock.requests.length;
  const asked: string[] = [];
  let rejected = false;
  const terminal = {
    async question(prompt: string) {
      asked.push(prompt);
      if (prompt.startsWith('What should change?')) return 'export both classes by name';
      if (prompt.includes('src/errors.js') && !rejected) {
        rejected = true;
        return 'n';
      }
      return 'y';
    },
  };
  const result = await cli(['implement', '--workspace', root], { env: mockEnv(mock.url), cwd: root, terminal });
  assert.equal(result.code, 0, result.err + result.out);
  assert.ok(rejected);
  const withFeedback = requestsSince(start).filter((r) => feedbackIn(r) !== undefined);
  assert.equal(withFeedback.length, 1);
  assert.equal(taskIdOf(withFeedback[0]!), 'T002');
  assert.equal(feedbackIn(withFeedback[0]!), 'export both classes by name');
  assert.equal(
    await readFile(join(root, 'src/errors.js'), 'utf8'),
    scriptedContent('T002', 'src/errors.js', 'export both classes by name'),
  );
  assert.equal(await readFile(join(root, 'src/ids.js'), 'utf8'), scriptedContent('T003', 'src/ids.js'));
  assert.match(result.out, /\+\/\/ src\/errors\.js: written by the scripted T002 worker/, 'the diff was shown');
  assert.equal(
    asked.filter((p) => p.startsWith('Apply this edit')).length,
    11,
    'ten edits and one revision asked about',
  );
});

test('--rollback leaves every file as before the run: edits restored, created files deleted, ticks undone', async () => {
  const root = await copyExample();
  const before = await snapshotTree(root);
  const run = await cli(['implement', '--workspace', root, '--approve', 'all'], { env: mockEnv(mock.url), cwd: root });
  assert.equal(run.code, 0, run.err);
  assert.notDeepEqual(await snapshotTree(root), before);
  const result = await cli(['implement', '--workspace', root, '--rollback'], { env: {}, cwd: root });
  assert.equal(result.code, 0, result.err + result.out);
  assert.match(result.out, /Rolled back run \S+: 2 restored, 8 deleted, 0 left as they are/);
  assert.deepEqual(await snapshotTree(root), before);
});

test('bad input exits 2 with one line on stderr (before the no-terminal check): missing key, unknown feature, ambiguous feature, bad flag', async () => {
  const root = await copyExample();
  const missingKey = await cli(['implement', '--workspace', root, '--approve', 'all'], {
    env: { ANTHROPIC_BASE_URL: mock.url },
    cwd: root,
  });
  assert.equal(missingKey.code, 2);
  assert.match(missingKey.err, /ANTHROPIC_API_KEY is not set/);

  const unknown = await cli(['implement', '--workspace', root, '--feature', '042'], {
    env: mockEnv(mock.url),
    cwd: root,
  });
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /042.*; features: 001-todo-api$/m);

  await mkdir(join(root, 'specs', '002-todo-tags'), { recursive: true });
  await cp(join(root, TASKS_MD), join(root, 'specs', '002-todo-tags', 'tasks.md'));
  const ambiguous = await cli(['implement', '--workspace', root, '--dry-run'], { env: {}, cwd: root });
  assert.equal(ambiguous.code, 2);
  assert.match(ambiguous.err, /001-todo-api.*002-todo-tags|002-todo-tags.*001-todo-api/);

  const badFlag = await cli(['implement', '--approve', 'sometimes'], { env: {}, cwd: root });
  assert.equal(badFlag.code, 2);
  const noFolder = await cli(['implement', '--dry-run', '--workspace', join(root, 'nope')], { env: {}, cwd: root });
  assert.equal(noFolder.code, 2);
  for (const r of [missingKey, unknown, ambiguous, badFlag, noFolder]) {
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.equal(r.out, '');
  }
  assert.equal(
    (await cli(['implement', '--workspace', root, '--rollback'], { env: {}, cwd: root })).code,
    2,
    'nothing to roll back',
  );
  await rm(root, { recursive: true, force: true });
});

const MANDATORY_HOOK =
  'hooks:\n  before_implement:\n    - extension: lint\n      command: speckit.lint\n      description: Lint before implementing\n      optional: false\n';

for (const [what, files] of [
  [
    'an unchecked checklist',
    {
      'specs/001-todo-api/checklists/requirements.md':
        '# Requirements checklist\n\n- [x] CHK001 Scope is clear\n- [ ] CHK002 Errors are specified\n',
    },
  ],
  ['a mandatory before_implement hook', { '.specify/extensions.yml': MANDATORY_HOOK }],
] as const) {
  test(`${what} without a terminal: exit 3 before any model call unless --yes`, async () => {
    const root = await copyExample();
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), text);
    }
    const before = await snapshotTree(root);
    const start = mock.requests.length;
    const stopped = await cli(['implement', '--workspace', root, '--approve', 'all'], {
      env: mockEnv(mock.url),
      cwd: root,
    });
    assert.equal(stopped.code, 3, stopped.err + stopped.out);
    assert.match(stopped.err, /needs an answer and there is no terminal to ask; answer it in a terminal or pass --yes/);
    assert.equal(mock.requests.length, start, 'no model call');
    assert.deepEqual(await snapshotTree(root), before, 'nothing written');

    const agreed = await cli(['implement', '--workspace', root, '--approve', 'all', '--yes'], {
      env: mockEnv(mock.url),
      cwd: root,
    });
    assert.equal(agreed.code, 0, agreed.err + agreed.out);
    assert.match(agreed.out, /yes \(--yes\): /);
  });
}

test('without a spec-kit project: no request is exit 2; a dry run of a request is exit 2 and calls no model', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'orchestra-cli-empty-'));
  const start = mock.requests.length;
  const noRequest = await cli(['implement', '--workspace', empty, '--dry-run'], { env: {}, cwd: empty });
  assert.equal(noRequest.code, 2);
  assert.match(noRequest.err, /no spec-kit project/);
  const dryFallback = await cli(['implement', '--workspace', empty, '--dry-run', '--request', 'a todo API'], {
    env: mockEnv(mock.url),
    cwd: empty,
  });
  assert.equal(dryFallback.code, 2);
  assert.match(dryFallback.err, /a dry run calls no model/);
  assert.equal(mock.requests.length, start);
  for (const r of [noRequest, dryFallback]) assert.equal(r.err.trim().split('\n').length, 1, r.err);
  await rm(empty, { recursive: true, force: true });
});

test('--task runs only the named tasks', async () => {
  const root = await copyExample();
  const start = mock.requests.length;
  const result = await cli(['implement', '--workspace', root, '--approve', 'all', '--task', 'T001', 'T003'], {
    env: mockEnv(mock.url),
    cwd: root,
  });
  assert.equal(result.code, 0, result.err + result.out);
  assert.deepEqual(tickedIds(await readFile(join(root, TASKS_MD), 'utf8')), ['T001', 'T003']);
  const workedOn = new Set(
    requestsSince(start)
      .map(taskIdOf)
      .filter((id) => id !== undefined),
  );
  assert.deepEqual([...workedOn].sort(), ['T001', 'T003']);
  await rm(root, { recursive: true, force: true });
});

test('a key the API refuses, or a model it does not know, stops the run at once: exit 1, the reason in plain words, no stack trace, no bug-fixer', async () => {
  for (const [status, type, expect] of [
    [401, 'authentication_error', /refused the key \(401: invalid x-api-key\)/],
    [403, 'permission_error', /refused the key \(403/],
    [404, 'not_found_error', /\(404\).*model id/],
  ] as const) {
    const failing = await startMockAnthropic({
      handler: () =>
        reply.error(status, type, status === 401 ? 'invalid x-api-key' : `the ${type} message`, { requestId: false }),
    });
    const root = await copyExample();
    try {
      const r = await cli(['implement', '--workspace', root, '--approve', 'all', '--max-workers', '1'], {
        env: mockEnv(failing.url),
        cwd: root,
      });
      assert.equal(r.code, 1, r.err + r.out);
      assert.match(r.out, expect);
      assert.match(r.out, /^\d\d:\d\d:\d\d Run failed: [A-Z]/m, 'one sentence');
      assert.doesNotMatch(r.out, /The run stopped|model call failed/, 'no prefix on a prefix');
      assert.doesNotMatch(
        r.out + r.err,
        /\n\s+at .+:\d+:\d+|bug-fixer|\.\.$/m,
        'no stack frames, no bug-fixer, no doubled full stop',
      );
      assert.equal(failing.requests.length, 1, `${status}: one call, then the run stopped`);
    } finally {
      await failing.close();
      await rm(root, { recursive: true, force: true });
    }
  }
});

test('an API nobody answers (connection refused, no such host, a blocked port) stops the run at once with the reason: no retries, no bug-fixer', async () => {
  // A port that was just free: nothing listens there.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  for (const [url, code] of [
    [`http://127.0.0.1:${port}`, /ECONNREFUSED/],
    ['http://no-such-host.invalid', /ENOTFOUND|EAI_AGAIN/],
    // A port fetch itself refuses to use (the Fetch standard's blocked ports): nothing is ever sent.
    ['http://127.0.0.1:6000', /blocked port/],
  ] as const) {
    const root = await copyExample();
    try {
      const r = await cli(['implement', '--workspace', root, '--approve', 'all', '--max-workers', '1'], {
        env: mockEnv(url),
        cwd: root,
      });
      assert.equal(r.code, 1, r.err + r.out);
      assert.match(
        r.out,
        /Run failed: Could not reach the Anthropic API \(([A-Z_]+|blocked port)\): check the network, a proxy, or the base URL\.\n/,
      );
      assert.match(r.out, code);
      assert.match(r.out, /0\/10 tasks done, 1 failed, 9 not started/, 'the first failure stopped the run');
      assert.doesNotMatch(r.out + r.err, /\n\s+at .+:\d+:\d+|bug-fixer/m, 'no stack frames, no bug-fixer');
      assert.deepEqual(tickedIds(await readFile(join(root, TASKS_MD), 'utf8')), [], 'nothing was done');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
});

test('a tasks.md whose tasks are headings or unnumbered checkboxes: implement says why it found none, and writes nothing', async () => {
  const root = await copyExample();
  await writeFile(
    join(root, TASKS_MD),
    [
      '# Tasks',
      '',
      '## Phase 1: Setup',
      '',
      '### T001: Create the server in src/index.js',
      '',
      '- [ ] Server starts on port 3000',
      '',
      '### T002: Add errors in src/errors.js',
      '',
      '- [ ] Errors carry a status',
      '- [ ] Errors are JSON',
      '',
    ].join('\n'),
  );
  const before = await snapshotTree(root);
  const result = await cli(['implement', '--workspace', root, '--approve', 'all'], {
    env: mockEnv(mock.url),
    cwd: root,
  });
  assert.notEqual(result.code, 0);
  assert.match(
    result.err,
    /has no tasks: 2 task ids are written without a checkbox \(first on line 5\), and 3 checkboxes have no task id \(first on line 7\)\. A task is written as "- \[ \] T001 Description"; in the editor, the quick fix on such a line rewrites them all/,
  );
  assert.deepEqual(await snapshotTree(root), before, 'nothing written');
});
