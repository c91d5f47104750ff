/**
 * The user's request focuses a spec-kit run: the strategy names it, every worker (task workers and the
 * validation reviewers alike) gets it with the feature context, the journal keeps it, and a resumed run's
 * workers get the same focus.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMockAnthropic } from '../../../mock-anthropic';
import { bodyOf, copyExample, jobOf, removeDir, startHarness, testSettings, wellBehaved } from './harness';

const FOCUS = 'keep the store API backwards compatible';

function systemText(request: Parameters<typeof bodyOf>[0]): string {
  return (bodyOf(request).system ?? []).map((b) => b.text).join('\n');
}

function journalRecords(dir: string, runId: string): { type: string; focus?: string }[] {
  return readFileSync(join(dir, '.specify', 'orchestra', 'runs', runId, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; focus?: string });
}

test('spec-kit mode: the request is the run focus: in the strategy, in every worker’s context and in the journal', async () => {
  const h = await startHarness();
  try {
    h.mock.setHandler(wellBehaved((path) => existsSync(join(h.dir, path))));
    const plan = await h.engine.plan({ root: h.dir, request: `  ${FOCUS}\n`, settings: testSettings });
    assert.equal(plan.mode, 'spec-kit');
    assert.equal(plan.focus, FOCUS, 'trimmed');
    assert.ok(
      plan.strategy.why.some((w) => w.includes(`Focus: "${FOCUS}"`)),
      plan.strategy.why.join(' | '),
    );

    const run = h.engine.start(plan);
    const result = await run.done;
    assert.equal(result.outcome, 'completed', result.message);
    const requests = h.mock.requests;
    const jobs = new Set(requests.map(jobOf));
    for (const job of ['T001', 'T004', 'T009', 'code review', 'security review'])
      assert.ok(jobs.has(job), `a request for ${job}`);
    for (const request of requests)
      assert.match(
        systemText(request),
        new RegExp(`## The user's focus for this run\\n\\n${FOCUS}`),
        `${jobOf(request) ?? 'a request'} carries the focus`,
      );
    const planned = journalRecords(h.dir, run.id).filter((r) => r.type === 'run-planned');
    assert.deepEqual(
      planned.map((r) => r.focus),
      [FOCUS],
    );
  } finally {
    await h.close();
  }
});

test('no request, no focus: nothing about a focus is added', async () => {
  const h = await startHarness();
  try {
    const plan = await h.engine.plan({ root: h.dir, request: '   ', settings: testSettings });
    assert.equal(plan.focus, undefined);
    assert.ok(!plan.strategy.why.some((w) => w.startsWith('Focus')));
  } finally {
    await h.close();
  }
});

test('a resumed run gives its workers the focus the run was started with', async () => {
  const dir = await copyExample();
  const mock = await startMockAnthropic({ latencyMs: 5 });
  try {
    mock.setHandler(wellBehaved((path) => existsSync(join(dir, path))));
    const first = await startHarness({ dir, mock });
    const run = first.engine.start({ root: dir, request: FOCUS, settings: testSettings });
    run.onEvent((e) => {
      if (e.type === 'task-status' && e.status === 'done' && e.taskKey === 'T001')
        run.cancel('interrupted by the test');
    });
    const interrupted = await run.done;
    assert.equal(interrupted.outcome, 'cancelled');
    const before = mock.requests.length;

    const second = await startHarness({ dir, mock });
    const resumed = await second.engine.resume({ root: dir, runId: run.id, settings: testSettings });
    assert.equal(resumed.id, run.id);
    const result = await resumed.done;
    assert.equal(result.outcome, 'completed', result.message);
    const after = mock.requests.slice(before);
    assert.ok(after.length > 0, 'the resumed run made calls');
    for (const request of after)
      assert.match(systemText(request), new RegExp(FOCUS), `${jobOf(request) ?? 'a request'} after the resume`);
    assert.deepEqual(
      journalRecords(dir, run.id)
        .filter((r) => r.type === 'run-planned')
        .map((r) => r.focus),
      [FOCUS, FOCUS],
      'the resume plans with the same focus',
    );
  } finally {
    await mock.close();
    await removeDir(dir);
  }
});
