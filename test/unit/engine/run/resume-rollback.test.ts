import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startMockAnthropic, reply, type MockReply, type RecordedRequest } from '../../../mock-anthropic';
import {
  copyExample,
  eventsOf,
  jobOf,
  makeProject,
  removeDir,
  snapshot,
  startHarness,
  testSettings,
  wellBehaved,
} from './harness';

test('resume after an interruption: nothing redone, nothing lost; rollback puts every file back', async () => {
  const dir = await copyExample();
  const before = await snapshot(dir);
  const mock = await startMockAnthropic({ latencyMs: 5 });
  try {
    const exists = (path: string) => existsSync(join(dir, path));
    mock.setHandler(wellBehaved(exists));
    const first = await startHarness({ dir, mock });
    const run = first.engine.start({ root: dir, settings: testSettings });
    // Interrupt once T004 and T005 are done: the run is in the middle of its third phase.
    run.onEvent((e) => {
      if (e.type === 'task-status' && e.status === 'done' && (e.taskKey === 'T005' || e.taskKey === 'T004')) {
        const done = eventsOf(run.events(), 'task-status')
          .filter((x) => x.status === 'done')
          .map((x) => x.taskKey);
        if (done.includes('T004') && done.includes('T005')) run.cancel('interrupted by the test');
      }
    });
    const interrupted = await run.done;
    assert.equal(interrupted.outcome, 'cancelled');
    const doneFirst = eventsOf(run.events(), 'task-status')
      .filter((e) => e.status === 'done')
      .map((e) => e.taskKey);
    assert.ok(doneFirst.length >= 5 && doneFirst.length < 10, `done before the interruption: ${doneFirst.join(', ')}`);
    const requestsBefore = mock.requests.length;

    // A new engine (as after a restart) finds the run and resumes it.
    const second = await startHarness({ dir, mock });
    const found = await second.engine.findInterruptedRuns(dir);
    assert.deepEqual(
      found.map((r) => r.runId),
      [run.id],
    );
    assert.equal(found[0]?.tasksDone, doneFirst.length);
    const resumed = await second.engine.resume({ root: dir, runId: run.id, settings: testSettings });
    const result = await resumed.done;
    assert.equal(result.outcome, 'completed', result.message);
    assert.equal(result.runId, run.id);

    const afterResume = mock.requests.slice(requestsBefore);
    const redone = afterResume.map(jobOf).filter((job) => job !== undefined && doneFirst.includes(job));
    assert.deepEqual(redone, [], 'no request for a task finished before the interruption');
    const tasksMd = readFileSync(join(dir, 'specs/001-todo-api/tasks.md'), 'utf8');
    assert.equal((tasksMd.match(/- \[X\] T0/g) ?? []).length, 10);
    for (const file of [
      'src/index.js',
      'src/errors.js',
      'src/ids.js',
      'test/todo-store.test.js',
      'test/complete.test.js',
      'src/todo-store.js',
      'src/http-handler.js',
      'docs/api.md',
    ]) {
      assert.ok(existsSync(join(dir, file)), file);
    }
    assert.deepEqual(await second.engine.findInterruptedRuns(dir), []);

    // Roll the whole run back: every file as before (created ones deleted, README.md restored, ticks undone).
    const rolled = await second.engine.rollback({ root: dir, runId: run.id });
    assert.ok(rolled.deleted.includes('src/index.js'));
    assert.ok(rolled.restored.includes('README.md'));
    assert.deepEqual(rolled.skipped, []);
    const after = await snapshot(dir);
    assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
    for (const [path, text] of before) assert.equal(after.get(path), text, path);
  } finally {
    await mock.close();
    await removeDir(dir);
  }
});

test('the API failing under the run (429, 529, 500, a cut stream, an SSE error): the run finishes, nothing applied twice', async () => {
  const h = await startHarness({ latencyMs: 0 });
  try {
    const faults = new Map<string, MockReply>([
      ['T002', reply.rateLimited(0)],
      ['T003', reply.overloaded()],
      ['T004', reply.serverError()],
      ['T006', reply.cutAfter(3)],
      ['T008', reply.sseErrorAfter(3)],
    ]);
    const base = wellBehaved((path) => existsSync(join(h.dir, path)));
    h.mock.setHandler((request: RecordedRequest) => {
      const job = jobOf(request);
      const fault = job !== undefined ? faults.get(job) : undefined;
      if (fault && job !== undefined) {
        faults.delete(job);
        return fault;
      }
      return base(request);
    });
    const run = h.engine.start({ root: h.dir, settings: testSettings });
    const result = await run.done;
    assert.equal(result.outcome, 'completed', result.message);
    assert.equal(faults.size, 0, 'every fault was served');
    const activities = eventsOf(run.events(), 'worker-activity').map((e) => e.activity);
    assert.ok(
      activities.some((a) => a === 'waiting for rate limit'),
      `the 429 shows as waiting for rate limit: ${[...new Set(activities)].join(' | ')}`,
    );
    assert.ok(
      activities.some((a) => a.startsWith('retrying the model call')),
      'a broken stream shows as a retry',
    );
    const applied = eventsOf(run.events(), 'proposal-applied').map((e) => `${e.taskKey}:${e.path}`);
    assert.equal(applied.length, new Set(applied).size, `each task's file applied once: ${applied.join(', ')}`);
    assert.equal(applied.length, 10);
    const journal = readFileSync(join(result.journalDir, 'journal.jsonl'), 'utf8');
    const appliedRecords = journal.split('\n').filter((l) => l.includes('"edit-applied"')).length;
    assert.equal(appliedRecords, applied.length);
  } finally {
    await h.close();
  }
});

test('rollback is per task: a kept conflict keeps only its own task ticked; a created file of any size is undone', async () => {
  const tasks =
    '## Phase 1: Core\n\n- [ ] T001 [P] Write `src/a.js`\n- [ ] T002 [P] Write `src/big.js`\n- [ ] T003 [P] Write `src/c.js`\n';
  const dir = await makeProject(tasks);
  const big = `${'// generated data\n'.repeat(200_000)}`; // 3.6 MB: over the 2 MiB a model may read
  const h = await startHarness({ dir, confirm: (r) => r.kind !== 'rollback-conflict' });
  h.mock.setHandler((request) => {
    const file = { T001: 'src/a.js', T002: 'src/big.js', T003: 'src/c.js' }[jobOf(request) ?? ''] ?? '';
    // Edit and completion in one turn, billed small: the big content is never sent back as context.
    return {
      type: 'message',
      outputTokens: 100,
      content: [
        {
          type: 'tool_use',
          name: 'propose_edit',
          input: { kind: 'create', path: file, content: file === 'src/big.js' ? big : 'x' },
        },
        { type: 'tool_use', name: 'complete_task', input: { summary: 'done', files_touched: [file] } },
      ],
    };
  });
  try {
    const settings = {
      ...testSettings,
      validate: false,
      proposalBytes: 8 * 1024 * 1024,
    };
    const run = h.engine.start({ root: dir, settings });
    const result = await run.done;
    assert.equal(result.outcome, 'completed', result.message);
    await writeFile(join(dir, 'src/a.js'), 'the user changed this after the run\n');

    const rolled = await h.engine.rollback({ root: dir, runId: run.id });
    assert.deepEqual(rolled.deleted.sort(), ['src/big.js', 'src/c.js']);
    assert.deepEqual(
      rolled.skipped.map((s) => s.path),
      ['src/a.js'],
    );
    assert.equal(readFileSync(join(dir, 'src/a.js'), 'utf8'), 'the user changed this after the run\n');
    assert.ok(!existsSync(join(dir, 'src/big.js')), 'a created file over the read limit is deleted');
    assert.deepEqual(rolled.unticked.sort(), ['T002', 'T003']);
    const now = readFileSync(join(dir, 'specs/001-demo/tasks.md'), 'utf8');
    assert.match(now, /- \[[xX]\] T001/, 'the task whose file was kept stays ticked');
    assert.match(now, /- \[ \] T002/);
    assert.match(now, /- \[ \] T003/);
    assert.equal(h.confirms.filter((c) => c.kind === 'rollback-conflict').length, 1, 'the conflict was offered');
  } finally {
    await h.close();
    await removeDir(dir);
  }
});

test('a resumed run keeps its selection: the tasks it left out are not run', async () => {
  const tasks =
    '## Phase 1: Core\n\n- [ ] T001 [P] Write `src/a.js`\n- [ ] T002 [P] Write `src/b.js`\n- [ ] T003 [P] Write `src/c.js`\n';
  const dir = await makeProject(tasks);
  const h = await startHarness({ dir });
  const reply = (request: RecordedRequest): MockReply => {
    const file = { T001: 'src/a.js', T002: 'src/b.js', T003: 'src/c.js' }[jobOf(request) ?? ''] ?? '';
    return {
      type: 'message',
      content: [
        { type: 'tool_use', name: 'propose_edit', input: { kind: 'create', path: file, content: 'x' } },
        { type: 'tool_use', name: 'complete_task', input: { summary: 'done', files_touched: [file] } },
      ],
    };
  };
  try {
    const settings = { ...testSettings, validate: false };
    // The first run (only T001 and T003) is cancelled as soon as its first request arrives.
    const run = h.engine.start({ root: dir, onlyTasks: ['T001', 'T003'], settings });
    // Set before the run's first request, which comes after planning.
    h.mock.setHandler((request) => {
      run.cancel('interrupted by the test');
      return reply(request);
    });
    assert.equal((await run.done).outcome, 'cancelled');
    h.mock.setHandler(reply);
    const before = h.mock.requests.length;
    const resumed = await (await h.engine.resume({ root: dir, runId: run.id, settings })).done;
    assert.equal(resumed.outcome, 'completed', resumed.message);
    const jobs = h.mock.requests.slice(before).map(jobOf);
    assert.ok(!jobs.includes('T002'), `T002 was left out by the selection: ${jobs.join(', ')}`);
    assert.ok(!existsSync(join(dir, 'src/b.js')));
    assert.ok(existsSync(join(dir, 'src/a.js')) && existsSync(join(dir, 'src/c.js')));
  } finally {
    await h.close();
    await removeDir(dir);
  }
});
