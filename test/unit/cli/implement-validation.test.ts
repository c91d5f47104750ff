/**
 * The CLI's validation test run and budget, end to end against the mock: the example's real `node --test`
 * suite is found from its package.json (or given with --test-command) and run by the validation phase; a run
 * over --budget stops making calls, keeps its work, and --resume finishes it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { reply, startMockAnthropic, type MockAnthropic } from '../../mock-anthropic';
import { bodyOf, jobOf } from '../engine/run/harness';
import { runsDirFor, stateDirFor } from '../../../src/core/engine';
import { readJournalFile } from '../../../src/core/engine/journal/journal-file';
import type { JournalRecordOf } from '../../../src/protocol/journal';
import { cli, copyExample, EXAMPLE_FILES, mockEnv, snapshotTree, TASKS_MD, tickedIds } from './cli-harness';
import { scriptedAgents, scriptedContent, taskIdOf } from './scripted-agents';

let mock: MockAnthropic;
before(async () => {
  // This file runs under node --test, which tells its children so; the example's own `node --test` must not think it is one.
  delete process.env['NODE_TEST_CONTEXT'];
  mock = await startMockAnthropic({ handler: scriptedAgents() });
});
after(async () => {
  await mock.close();
});

/**
 * The next call's reply writes every output token it may. Under a budget that cannot pay the call's full
 * `max_tokens`, the budget lowered it to the headroom: after this reply not even one more short call fits, so
 * the run stops after exactly this call, whatever the prices.
 */
function nextReplySpendsTheHeadroom(): void {
  const answer = scriptedAgents();
  mock.script((request) => {
    const replied = answer(request);
    const max = (bodyOf(request) as { max_tokens?: number }).max_tokens ?? 0;
    return replied.type === 'message' ? { ...replied, outputTokens: max } : replied;
  });
}

/** Less than one worker call's full `max_tokens` costs, more than a short one: see `nextReplySpendsTheHeadroom`. */
const ONE_CALL_BUDGET = '0.20';

function modelRequestsSince(start: number) {
  return mock.requests.slice(start).filter((r) => r.path.endsWith('/messages'));
}

/** The command-run records of the project's only run. */
async function commandRuns(root: string): Promise<JournalRecordOf<'command-run'>[]> {
  const runsDir = runsDirFor(stateDirFor(root));
  const [runId] = await readdir(runsDir);
  const { records } = await readJournalFile(join(runsDir, runId ?? '', 'journal.jsonl'));
  return records.filter((r): r is JournalRecordOf<'command-run'> => r.type === 'command-run');
}

test("validation runs the example's own test suite, found from package.json (npm test), when allowed", async () => {
  const root = await copyExample();
  const result = await cli(['implement', '--workspace', root, '--approve', 'all', '--allow-command', 'test'], {
    env: mockEnv(mock.url),
    cwd: root,
  });
  assert.equal(result.code, 0, result.err + result.out);
  assert.match(result.out, /Tests: npm test \(package\.json scripts\.test\)\n/);
  const runs = await commandRuns(root);
  assert.equal(runs.length, 1);
  assert.deepEqual(runs[0]?.argv, ['npm', 'test']);
  assert.equal(runs[0]?.exitCode, 0);
  // `npm test` ran `node --test`, which found the test files the run wrote.
  assert.match(runs[0]?.output ?? '', /node --test/);
  assert.match(runs[0]?.output ?? '', /todo-store\.test\.js/);
  assert.match(result.out, /the tests pass/);
  // Progress in a log: phase lines, and the summary names the files each task changed.
  assert.match(result.out, /phase {5}1\/\d+ \S.* started: \d+ tasks? to do\n/);
  assert.match(result.out, /phase {5}1\/\d+ \S.* complete: (\d+)\/\1 done\n/);
  assert.match(result.out, /\nfiles changed:\n(?: {2}T\d{3} +\S.*\n)+/);
  assert.match(result.out, /\n {2}T001 +src\/index\.js \(new\)\n/);
  await rm(root, { recursive: true, force: true });
});

test('a failing suite fails the run (exit 1) with the failure reported; --test-command names the command', async () => {
  const root = await copyExample();
  await mkdir(join(root, 'test'), { recursive: true });
  await writeFile(
    join(root, 'test', 'regression.test.js'),
    "require('node:test')('regression', () => { throw new Error('boom from the example suite'); });\n",
  );
  const result = await cli(
    ['implement', '--workspace', root, '--approve', 'all', '--test-command', 'node --test', '--allow-command', 'test'],
    { env: mockEnv(mock.url), cwd: root },
  );
  assert.equal(result.code, 1, result.err + result.out);
  assert.match(result.out, /Tests: node --test \(--test-command\)/);
  assert.match(result.out, /finding\s+tests error: the tests fail \(exit 1\)/);
  const runs = await commandRuns(root);
  assert.ok(runs.length >= 2, 'run again after the bug-fixer');
  assert.ok(runs.every((r) => r.argv.join(' ') === 'node --test' && r.exitCode === 1));
  assert.match(runs[0]?.output ?? '', /boom from the example suite/);
  assert.deepEqual(
    tickedIds(await readFile(join(root, TASKS_MD), 'utf8')),
    Object.keys(EXAMPLE_FILES),
    'the tasks themselves are done',
  );
  await rm(root, { recursive: true, force: true });
});

test("without a terminal: a found test command is left out with a note; the user's own needs --allow-command or --yes (exit 3)", async () => {
  const root = await copyExample();
  const before = await snapshotTree(root);
  const start = mock.requests.length;
  const refused = await cli(['implement', '--workspace', root, '--approve', 'all', '--test-command', 'npm test'], {
    env: mockEnv(mock.url),
    cwd: root,
  });
  assert.equal(refused.code, 3, refused.err + refused.out);
  assert.match(
    refused.err,
    /the test command \(npm test\) needs your approval .* pass --allow-command test or --yes\. Nothing was run\./,
  );
  assert.equal(mock.requests.length, start, 'no model call');
  assert.deepEqual(await snapshotTree(root), before);

  const found = await cli(['implement', '--workspace', root, '--approve', 'all'], {
    env: mockEnv(mock.url),
    cwd: root,
  });
  assert.equal(found.code, 0, found.err + found.out);
  assert.match(
    found.out,
    /Tests: npm test \(package\.json scripts\.test\) is left out: there is no terminal to ask before it runs/,
  );
  assert.deepEqual(await commandRuns(root), [], 'nothing ran, nothing was denied half-way');
  await rm(root, { recursive: true, force: true });
});

test('a run over --budget stops making calls (exit 1), keeps its work, and --resume finishes it', async () => {
  const root = await copyExample();
  const start = mock.requests.length;
  nextReplySpendsTheHeadroom();
  const over = await cli(
    ['implement', '--workspace', root, '--approve', 'all', '--max-workers', '1', '--budget', ONE_CALL_BUDGET],
    { env: mockEnv(mock.url), cwd: root },
  );
  assert.equal(over.code, 1, over.err + over.out);
  assert.match(
    over.out,
    /Run stopped: budget reached: \$0\.20 cap, \$0\.\d+ spent, next call could cost up to \$0\.\d+\./,
  );
  assert.match(over.out, /continue with: speckit-orchestra implement --resume \S+/);
  // The first call fits under the cap and its edit is applied; the next one could cross it, so it is not made.
  assert.equal(modelRequestsSince(start).length, 1);
  assert.equal(
    await readFile(join(root, 'src/index.js'), 'utf8'),
    scriptedContent('T001', 'src/index.js'),
    'the paid-for edit is kept',
  );
  assert.deepEqual(tickedIds(await readFile(join(root, TASKS_MD), 'utf8')), []);

  const resumedAt = mock.requests.length;
  const resumed = await cli(['implement', '--workspace', root, '--resume', '--approve', 'all', '--budget', '5'], {
    env: mockEnv(mock.url),
    cwd: root,
  });
  assert.equal(resumed.code, 0, resumed.err + resumed.out);
  assert.deepEqual(tickedIds(await readFile(join(root, TASKS_MD), 'utf8')), Object.keys(EXAMPLE_FILES));
  const worked = modelRequestsSince(resumedAt)
    .map(taskIdOf)
    .filter((id) => id !== undefined);
  assert.ok(worked.includes('T001') && worked.includes('T010'));
  assert.equal(await readFile(join(root, 'src/index.js'), 'utf8'), scriptedContent('T001', 'src/index.js'));
  await rm(root, { recursive: true, force: true });
});

test('a resume that skips a task because tasks.md changed exits 1 and names the task and why; a --task selection exits 0', async () => {
  const root = await copyExample();
  nextReplySpendsTheHeadroom();
  const stopped = await cli(
    ['implement', '--workspace', root, '--approve', 'all', '--max-workers', '1', '--budget', ONE_CALL_BUDGET],
    { env: mockEnv(mock.url), cwd: root },
  );
  assert.equal(stopped.code, 1, stopped.err + stopped.out);
  // T001 has an applied edit; the user rewords it before resuming.
  const tasksPath = join(root, TASKS_MD);
  await writeFile(
    tasksPath,
    (await readFile(tasksPath, 'utf8')).replace(
      'T001 Create the public entry point',
      'T001 Create the public entry point and a CLI',
    ),
  );
  const resumedAt = mock.requests.length;
  const resumed = await cli(['implement', '--workspace', root, '--resume', '--approve', 'all'], {
    env: mockEnv(mock.url),
    cwd: root,
  });
  assert.equal(resumed.code, 1, resumed.err + resumed.out);
  assert.match(resumed.out, /not done, because tasks\.md no longer matches the run/);
  assert.match(resumed.out, /\n {2}T001: reworded since the run started it \("Create the public entry point/);
  assert.ok(!modelRequestsSince(resumedAt).map(taskIdOf).includes('T001'), 'T001 is not silently redone');
  assert.deepEqual(
    tickedIds(await readFile(tasksPath, 'utf8')),
    Object.keys(EXAMPLE_FILES).filter((id) => id !== 'T001'),
  );

  const selected = await cli(['implement', '--workspace', root, '--approve', 'all', '--task', 'T001'], {
    env: mockEnv(mock.url),
    cwd: root,
  });
  assert.equal(selected.code, 0, selected.err + selected.out);
  assert.deepEqual(tickedIds(await readFile(tasksPath, 'utf8')), Object.keys(EXAMPLE_FILES));
  await rm(root, { recursive: true, force: true });
});

test('requirement verdicts in the summary: a missing one is exit 1 with --converge 0; --converge 1 lets the bug-fixer close it (exit 0)', async () => {
  const workers = scriptedAgents();
  const judging = await startMockAnthropic({
    handler: (request) => {
      const job = jobOf(request);
      const first = (bodyOf(request).messages ?? []).length === 1;
      if (job === 'code review' && first)
        return reply.tools([
          { name: 'report_findings', input: { findings: [] } },
          {
            name: 'report_requirement',
            input: {
              id: 'FR-001',
              verdict: 'met',
              evidence: 'createStore().create',
              tests: ['test/todo-store.test.js'],
            },
          },
          {
            name: 'report_requirement',
            input: { id: 'FR-006', verdict: 'missing', evidence: 'no length check in create' },
          },
        ]);
      if (job === 'requirements re-check' && first)
        return reply.tools([
          {
            name: 'report_requirement',
            input: { id: 'FR-006', verdict: 'met', evidence: 'create rejects 201 characters' },
          },
        ]);
      if (job === 'requirements' && first)
        return reply.tools([
          {
            name: 'propose_edit',
            input: { kind: 'create', path: 'src/title-limit.js', content: 'module.exports = 200;\n' },
          },
        ]);
      if (job === 'requirements')
        return reply.tools([
          { name: 'complete_task', input: { summary: 'limit added', files_touched: ['src/title-limit.js'] } },
        ]);
      return workers(request);
    },
  });
  try {
    const root = await copyExample();
    const stopped = await cli(['implement', '--workspace', root, '--approve', 'all', '--converge', '0'], {
      env: mockEnv(judging.url),
      cwd: root,
    });
    assert.equal(stopped.code, 1, stopped.err + stopped.out);
    assert.match(stopped.out, /Run failed: 10\/10 tasks done, 0 failed, 0 skipped; missing: FR-006/);
    assert.match(stopped.out, /validation: 9 requirements: 1 met, 1 missing, 7 unverified · tests not run/);
    assert.match(stopped.out, /\n {2}missing {4}FR-006: no length check in create\n/);
    assert.match(stopped.out, /\n {2}unverified FR-002: the code review did not judge it\n/);
    const reportPath = /report: (\S+report\.md)/.exec(stopped.out)?.[1];
    assert.ok(reportPath && existsSync(reportPath), 'the report is written and named');
    assert.ok(existsSync(join(reportPath, '..', 'report.json')));
    await rm(root, { recursive: true, force: true });

    const again = await copyExample();
    const converged = await cli(['implement', '--workspace', again, '--approve', 'all', '--converge', '1'], {
      env: mockEnv(judging.url),
      cwd: again,
    });
    assert.equal(converged.code, 0, converged.err + converged.out);
    assert.match(
      converged.out,
      /validation: 9 requirements: 2 met, 7 unverified · tests not run .* \(after 1 bug-fixer round\)/,
    );
    assert.equal(await readFile(join(again, 'src/title-limit.js'), 'utf8'), 'module.exports = 200;\n');
    await rm(again, { recursive: true, force: true });
  } finally {
    await judging.close();
  }
});
