/**
 * What the CLI says about a run, as a new user reads it: the version, the feature as a plain argument, counts in
 * the right number, outcomes in words, the same critical path from `tasks` and `--dry-run`, and a fallback plan
 * that is shown even with --yes and, when declined, leaves no resume hint that cannot work.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockAnthropic, type MockAnthropic, type RecordedRequest } from '../../mock-anthropic';
import { cli, copyExample, mockEnv, TASKS_MD } from './cli-harness';
import { scriptedAgents } from './scripted-agents';
import { toolCall } from '../engine/run/harness';

let mock: MockAnthropic;
const workers = scriptedAgents();

function asksForPlan(request: RecordedRequest): boolean {
  const tools = (request.body as { tools?: { name: string }[] } | undefined)?.tools ?? [];
  return tools.some((t) => t.name === 'submit_plan');
}

const PLAN = {
  title: 'Greeting',
  slug: 'greeting',
  complexity: 'small',
  rationale: 'One module.',
  phases: [{ name: 'Core', tasks: [{ description: 'Write the greeter', files: ['src/greet.js'], parallel: false }] }],
};

before(async () => {
  mock = await startMockAnthropic({
    handler: (request) => (asksForPlan(request) ? toolCall('submit_plan', PLAN) : workers(request)),
  });
});
after(async () => {
  await mock.close();
});

test('--version prints the package version and exits 0', async () => {
  const { version } = JSON.parse(await readFile(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  for (const flag of ['--version', '-V']) {
    const result = await cli([flag]);
    assert.equal(result.code, 0, result.err);
    assert.equal(result.out, `speckit-orchestra ${version}\n`);
  }
});

test('the feature as a plain argument, counts in the right number, and the outcome in words', async () => {
  const root = await copyExample();
  try {
    const result = await cli(
      ['implement', '001-todo-api', '--workspace', root, '--approve', 'all', '--max-workers', '1'],
      {
        env: mockEnv(mock.url),
        cwd: root,
      },
    );
    assert.equal(result.code, 0, result.err + result.out);
    assert.match(result.out, /up to 1 worker;/);
    assert.doesNotMatch(result.out, /1 workers/);
    assert.match(result.out, /Run completed: 10\/10 tasks done/);

    const unknown = await cli(['implement', 'no-such-feature', '--workspace', root, '--dry-run'], { cwd: root });
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /no-such-feature/);

    const over = await cli(['implement', '--workspace', root, '--approve', 'all', '--budget', '0.000001'], {
      env: mockEnv(mock.url),
      cwd: root,
    });
    // Everything is ticked already: nothing to do, nothing spent. Untick one task to have work to stop.
    assert.equal(over.code, 0, over.err + over.out);
    const tasksPath = join(root, TASKS_MD);
    await writeFile(
      tasksPath,
      (await readFile(tasksPath, 'utf8')).replace('- [X] T009', '- [ ] T009').replace('- [X] T010', '- [ ] T010'),
    );
    const stopped = await cli(
      ['implement', '--workspace', root, '--approve', 'all', '--max-workers', '1', '--budget', '0.000001'],
      {
        env: mockEnv(mock.url),
        cwd: root,
      },
    );
    assert.equal(stopped.code, 1, stopped.err + stopped.out);
    assert.match(
      stopped.out,
      /Run stopped: budget reached: \$[\d.]+ cap, \$[\d.]+ spent, next call could cost up to \$[\d.]+\. Work done so far is kept/,
    );
    assert.doesNotMatch(stopped.out, /budget-exceeded:/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('tasks and --dry-run print the same critical path for the same tasks.md', async () => {
  const root = await copyExample();
  try {
    const tasksPath = join(root, TASKS_MD);
    // Some work done already: the path of the work left is what both must agree on.
    await writeFile(
      tasksPath,
      (await readFile(tasksPath, 'utf8')).replace('- [ ] T001', '- [X] T001').replace('- [ ] T004', '- [X] T004'),
    );
    const tasks = await cli(['tasks', '--workspace', root], { cwd: root });
    const dry = await cli(['implement', '--dry-run', '--workspace', root], { cwd: root });
    assert.equal(tasks.code, 0, tasks.err);
    assert.equal(dry.code, 0, dry.err);
    const pathOf = (text: string) => /critical path \((\d+)\): (.*)/.exec(text)?.slice(1, 3);
    const fromTasks = pathOf(tasks.out);
    assert.ok(fromTasks, tasks.out);
    assert.deepEqual(pathOf(dry.out), fromTasks);
    assert.doesNotMatch(fromTasks[1] ?? '', /\bT001\b|\bT004\b/, 'done tasks are not on the path of the work left');
    // The dry run names each task's commands and where every command comes from.
    assert.match(dry.out, /T005 test-writer \/spec-kit:implement \/test {2}Write tests/);
    assert.match(dry.out, /T009 documenter \/spec-kit:implement \/docs:generate {2}Document/);
    assert.match(dry.out, /\nCommands\n {2}\/docs:generate +Write or update documentation\. \(built in\)\n/);
    assert.match(dry.out, /\n {2}\/review:security +Review code for security weaknesses\. \(built in\)\n/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a declined fallback plan: nothing saved, its planning cost in the summary, no resume hint; --yes still prints the plan', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'orchestra-cli-fallback-'));
  try {
    const declined = await cli(['implement', '--workspace', empty, '--approve', 'all', '--request', 'a greeter'], {
      env: mockEnv(mock.url),
      cwd: empty,
      terminal: { question: async () => 'n' },
    });
    assert.equal(declined.code, 1, declined.err + declined.out);
    assert.match(declined.out, /Run this plan/);
    assert.match(declined.out, /The plan was not approved/);
    assert.doesNotMatch(declined.out, /--resume/);
    assert.match(declined.out, /nothing ran\ntokens .* · \$0\.\d*[1-9]\d*\n/, 'the planning call is counted');

    const agreed = await cli(
      ['implement', '--workspace', empty, '--approve', 'all', '--request', 'a greeter', '--yes'],
      {
        env: mockEnv(mock.url),
        cwd: empty,
      },
    );
    assert.equal(agreed.code, 0, agreed.err + agreed.out);
    assert.match(agreed.out, /Run this plan \(1 task in 1 phase\)/);
    assert.match(agreed.out, /- \[ \] T001 Write the greeter in `src\/greet\.js`/, 'the drafted tasks.md is printed');
    assert.match(agreed.out, /yes \(--yes\): Run this plan/);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});
