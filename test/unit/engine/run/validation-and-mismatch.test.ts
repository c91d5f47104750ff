import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordedRequest } from '../../../mock-anthropic';
import {
  complete,
  eventsOf,
  firstUserText,
  jobOf,
  makeProject,
  startHarness,
  testSettings,
  toolCall,
  turnOf,
} from './harness';

test('a failing test run gets the bug-fixer with its output; the fix goes through the gate and the tests are run again', async () => {
  const dir = await makeProject('## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n');
  const h = await startHarness({ dir });
  h.mock.setHandler((request: RecordedRequest) => {
    const job = jobOf(request);
    if (job === 'code review' || job === 'security review') return complete();
    if (job === 'tests')
      return turnOf(request) === 0
        ? toolCall('propose_edit', { kind: 'create', path: 'fixed.txt', content: 'fixed' })
        : complete(['fixed.txt']);
    return turnOf(request) === 0
      ? toolCall('propose_edit', { kind: 'create', path: 'src/a.js', content: 'a' })
      : complete(['src/a.js']);
  });
  try {
    const check = `process.stdout.write('checking'); process.exit(require('fs').existsSync('fixed.txt') ? 0 : 3)`;
    const run = h.engine.start({
      root: dir,
      settings: { ...testSettings, commands: { test: [process.execPath, '-e', check] } },
    });
    const result = await run.done;
    assert.equal(result.outcome, 'completed', result.message);
    const testFindings = eventsOf(run.events(), 'finding').filter((f) => f.source === 'tests');
    assert.equal(testFindings.length, 1);
    assert.match(testFindings[0]?.message ?? '', /exit 3/);
    const fixer = h.mock.requests.find((r) => jobOf(r) === 'tests');
    assert.ok(fixer && /checking/.test(firstUserText(fixer)), 'the bug-fixer got the output');
    assert.ok(existsSync(join(dir, 'fixed.txt')));
    assert.ok(eventsOf(run.events(), 'worker-started').some((w) => w.role === 'bug-fixer'));
  } finally {
    await h.close();
  }
});

test('a task reworded between runs is reported on resume and not silently redone; renumbered ones keep their progress', async () => {
  const tasks =
    '## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n- [ ] T002 Write `src/b.js`\n- [ ] T003 Write `src/c.js`\n';
  const dir = await makeProject(tasks);
  const h = await startHarness({ dir });
  const script = (request: RecordedRequest) => {
    const file = /`(src\/[a-z]\.js)`/.exec(firstUserText(request))?.[1] ?? 'src/x.js';
    return turnOf(request) === 0
      ? toolCall('propose_edit', { kind: 'create', path: file, content: file })
      : complete([file]);
  };
  h.mock.setHandler(script);
  try {
    const settings = { ...testSettings, validate: false, maxWorkers: 1 };
    const first = h.engine.start({ root: dir, settings });
    first.onEvent((e) => {
      if (e.type === 'task-status' && e.taskKey === 'T002' && e.status === 'done') first.cancel('interrupted');
    });
    await first.done;
    // Between runs the user rewords T001 (done) and renumbers: T002 becomes T012, same text.
    const path = join(dir, 'specs/001-demo/tasks.md');
    const text = readFileSync(path, 'utf8');
    writeFileSync(
      path,
      text
        .replace('T001 Write `src/a.js`', 'T001 Write `src/a.js` with validation')
        .replace('T002 Write', 'T012 Write'),
    );
    const before = h.mock.requests.length;
    const resumed = await h.engine.resume({ root: dir, runId: first.id, settings });
    const result = await resumed.done;
    const jobs = h.mock.requests.slice(before).map(jobOf);
    assert.ok(!jobs.includes('T001') && !jobs.includes('T012'), `not redone: ${jobs.join(', ')}`);
    assert.ok(jobs.includes('T003'));
    const skipped = eventsOf(resumed.events(), 'task-status').find(
      (e) => e.taskKey === 'T001' && e.status === 'skipped',
    );
    assert.match(skipped?.message ?? '', /reworded/);
    assert.equal(result.tasks.done, 2);
    assert.equal(result.tasks.skipped, 1);
    // The run did not do T001's (new) work: it says so, and does not call itself completed.
    assert.equal(result.outcome, 'failed');
    assert.match(result.message, /not done because tasks\.md changed since the run: T001$/);
    assert.deepEqual(
      result.skippedTasks?.map((s) => [s.taskKey, s.taskId]),
      [['T001', 'T001']],
    );
    assert.match(result.skippedTasks?.[0]?.reason ?? '', /reworded since the run finished it/);
  } finally {
    await h.close();
  }
});
