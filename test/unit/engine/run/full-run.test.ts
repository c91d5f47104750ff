import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { foldJournal } from '../../../../src/core/engine/journal/fold';
import { readJournalFile } from '../../../../src/core/engine/journal/journal-file';
import { eventsOf, jobOf, startHarness, testSettings, wellBehaved } from './harness';

test('a full run on the example: every task file written, tasks.md ticked, validation reported, [P] tasks in flight together', async () => {
  const h = await startHarness({ latencyMs: 40 });
  try {
    h.mock.setHandler(wellBehaved((path) => existsSync(join(h.dir, path))));
    const plan = await h.engine.plan({ root: h.dir, settings: testSettings });
    assert.equal(plan.feature.id, '001-todo-api');
    assert.equal(h.mock.requests.length, 0, 'planning a spec-kit feature calls no model');
    const run = h.engine.start(plan);
    const result = await run.done;
    assert.equal(result.outcome, 'completed', result.message);
    assert.equal(result.tasks.done, 10);

    for (const task of plan.tasks)
      for (const file of task.files) assert.ok(existsSync(join(h.dir, file)), `${task.id} wrote ${file}`);
    assert.match(readFileSync(join(h.dir, 'src/ids.js'), 'utf8'), /T003/);
    const tasksMd = readFileSync(plan.feature.tasksPath, 'utf8');
    assert.equal((tasksMd.match(/- \[X\] T0/g) ?? []).length, 10);
    assert.equal((tasksMd.match(/- \[ \] T0/g) ?? []).length, 0);

    const events = run.events();
    const findings = eventsOf(events, 'finding');
    assert.ok(findings.some((f) => f.source === 'code-review' && f.path === 'src/todo-store.js' && f.line === 1));
    assert.ok(findings.some((f) => f.source === 'security-review'));
    assert.ok(findings.some((f) => f.source === 'coverage' && /FR-006/.test(f.message)));
    assert.ok(!findings.some((f) => f.source === 'tests'), 'the test run passes');
    assert.equal(result.coverage.find((c) => c.id === 'FR-006')?.covered, false);
    assert.equal(result.coverage.find((c) => c.id === 'FR-001')?.covered, true);
    assert.ok(
      eventsOf(events, 'log').some((l) => /T004 → test-writer/.test(l.message)),
      'the role choice is explained',
    );
    assert.ok(eventsOf(events, 'proposal-applied').length >= 10);
    assert.ok(
      result.usage.inputTokens + result.usage.cacheReadInputTokens + result.usage.cacheCreationInputTokens > 0 &&
        result.usage.costUsd > 0,
    );

    // Cost per task: every journaled call names its task, and the per-task totals add up to the run's.
    const journal = await readJournalFile(join(result.journalDir, 'journal.jsonl'));
    const usageRecords = journal.records.filter((r) => r.type === 'usage');
    assert.ok(
      usageRecords.length > 0 && usageRecords.every((r) => r.taskKey !== undefined),
      'each usage record carries its task',
    );
    const byTask = foldJournal(journal.records).usageByTask;
    for (const task of plan.tasks) assert.ok((byTask.get(task.key)?.costUsd ?? 0) > 0, `${task.id} has a cost`);
    assert.ok(byTask.has('validation:code-review') && byTask.has('validation:security-review'));
    const sum = [...byTask.values()].reduce((s, u) => s + u.costUsd, 0);
    assert.ok(Math.abs(sum - result.usage.costUsd) < 1e-9, `per-task costs add up (${sum} vs ${result.usage.costUsd})`);
    assert.deepEqual(Object.keys(result.usageByTask ?? {}).sort(), [...byTask.keys()].sort());

    // Parallelism is real: the [P] pair T002/T003 was in flight at the same time.
    const span = (job: string) => {
      const rs = h.mock.requests.filter((r) => jobOf(r) === job);
      return {
        start: Math.min(...rs.map((r) => r.arrivedAt)),
        end: Math.max(...rs.map((r) => r.finishedAt ?? r.arrivedAt)),
      };
    };
    const t2 = span('T002');
    const t3 = span('T003');
    assert.ok(t2.start < t3.end && t3.start < t2.end, 'T002 and T003 overlap');
    // Same-file tasks never overlap: T006 and T007 both change src/todo-store.js.
    assert.ok(span('T006').end <= span('T007').start, 'T007 starts after T006 ended');
  } finally {
    await h.close();
  }
});
