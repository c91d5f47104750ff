import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { readJournalFile } from '../../../src/core/engine/journal/journal-file';
import { verifyTasks, type TaskVerification, type VerifyReport } from '../../../src/core/evidence/verify-tasks';
import { parseTasks } from '../../../src/core/speckit/tasks-parser';
import { sha256 } from '../../../src/core/util/sha256';
import { unifiedDiff } from '../../../src/core/evidence/unified-diff';

const hunk = (path: string, before: string | null, after: string | null): string =>
  unifiedDiff(path, before, after).text;
import {
  complete,
  filesNamed,
  makeProject,
  startHarness,
  testSettings,
  toolCall,
  turnOf,
  jobOf,
  type Harness,
} from '../engine/run/harness';

const settings = { ...testSettings, validate: false };
const TASKS = [
  '# Tasks',
  '',
  '## Phase 1: Core',
  '',
  '- [ ] T001 Create `src/a.js`',
  '- [ ] T002 Rewrite `src/b.js`',
  '- [ ] T003 Extend `src/a.js`',
  '- [ ] T004 Write `docs/notes.md`',
  '',
].join('\n');

/** Each task writes its named file: T003 extends what T001 wrote (a later run's edit on the same file). */
function team(dir: string) {
  return (request: Parameters<Parameters<Harness['mock']['setHandler']>[0]>[0]) => {
    const job = jobOf(request) ?? 'unknown';
    const [path] = filesNamed(request);
    if (turnOf(request) > 0 || path === undefined) return complete(path ? [path] : []);
    let current: string | undefined;
    try {
      current = readFileSync(join(dir, path), 'utf8');
    } catch {
      current = undefined;
    }
    const content = `${current ?? ''}// ${job}\n`;
    return toolCall('propose_edit', { kind: current === undefined ? 'create' : 'write', path, content, reason: job });
  };
}

async function run(h: Harness, onlyTasks?: string[]): Promise<string> {
  const started = h.engine.start({ root: h.dir, settings, ...(onlyTasks ? { onlyTasks } : {}) });
  const result = await started.done;
  assert.equal(result.outcome, 'completed', result.message);
  return started.id;
}

const tasksPath = (dir: string) => join(dir, 'specs', '001-demo', 'tasks.md');
const byId = (report: VerifyReport, id: string): TaskVerification => {
  const task = report.tasks.find((t) => t.id === id);
  assert.ok(task, id);
  return task;
};
const states = (report: VerifyReport) => Object.fromEntries(report.tasks.map((t) => [t.id, t.state]));

test('run → verified; user edit → drifted (file and hunk named); reverted → verified; hand tick → unverified', async () => {
  const dir = await makeProject(TASKS, { 'src/b.js': 'original b\n' });
  const h = await startHarness({ dir });
  try {
    h.mock.setHandler(team(dir));
    const first = await run(h, ['T001', 'T002']);
    let report = await verifyTasks({ tasksPath: tasksPath(dir), hunk });
    assert.deepEqual(states(report), { T001: 'verified', T002: 'verified', T003: 'open', T004: 'open' });
    assert.deepEqual(report.summary, { verified: 2, drifted: 0, unverified: 0, open: 2 });
    const t001 = byId(report, 'T001');
    assert.deepEqual(t001.files, ['src/a.js']);
    assert.equal(t001.evidence?.runId, first);
    const edit = t001.evidence?.record.edits[0];
    assert.equal(edit?.beforeHash, null);
    assert.equal(edit?.afterHash, sha256(readFileSync(join(dir, 'src/a.js'), 'utf8')));
    assert.match(edit?.hunk ?? '', /^\+\/\/ T001$/m);
    assert.deepEqual(edit?.approval, { by: 'policy', policy: 'auto-approve-all' });
    assert.ok((t001.evidence?.record.models.length ?? 0) > 0, 'the model is named');
    const cost = t001.evidence?.record.cost;
    assert.ok(cost && cost.outputTokens > 0 && cost.costUsd > 0, `the cost is counted: ${JSON.stringify(cost)}`);

    // A person edits src/b.js after the run: T002 drifted, with the file and the hunk.
    const b = join(dir, 'src/b.js');
    const written = readFileSync(b, 'utf8');
    writeFileSync(b, `${written}console.log('hand edit');\n`);
    report = await verifyTasks({ tasksPath: tasksPath(dir), hunk });
    const t002 = byId(report, 'T002');
    assert.equal(t002.state, 'drifted');
    assert.equal(t002.drift?.[0]?.path, 'src/b.js');
    assert.equal(t002.drift?.[0]?.cause, 'outside-change');
    assert.match(t002.drift?.[0]?.hunk ?? '', /^\+console\.log\('hand edit'\);$/m);
    assert.match(t002.detail, /src\/b\.js was changed outside any run/);
    assert.equal(byId(report, 'T001').state, 'verified', 'other tasks are not affected');

    // Reverted: verified again. Deleted: drifted again.
    writeFileSync(b, written);
    assert.equal(byId(await verifyTasks({ tasksPath: tasksPath(dir), hunk }), 'T002').state, 'verified');
    unlinkSync(b);
    const deleted = byId(await verifyTasks({ tasksPath: tasksPath(dir), hunk }), 'T002');
    assert.equal(deleted.state, 'drifted');
    assert.match(deleted.detail, /src\/b\.js was deleted outside any run/);
    writeFileSync(b, written);

    // A hand tick: unverified, and only that task.
    const md = tasksPath(dir);
    writeFileSync(md, readFileSync(md, 'utf8').replace('- [ ] T004', '- [x] T004'));
    report = await verifyTasks({ tasksPath: md, hunk });
    assert.equal(byId(report, 'T004').state, 'unverified');
    assert.equal(byId(report, 'T004').unverifiedReason, 'no-evidence');
    // A ticked task whose text changed after the run: its evidence is for the old text.
    writeFileSync(md, readFileSync(md, 'utf8').replace('T001 Create `src/a.js`', 'T001 Create `src/a.js` quickly'));
    report = await verifyTasks({ tasksPath: md, hunk });
    assert.equal(byId(report, 'T001').unverifiedReason, 'text-changed');
    // The language server hands over the parse it already has: the same verdicts as from the text alone.
    const text = readFileSync(md, 'utf8');
    assert.deepEqual(await verifyTasks({ tasksPath: md, text, document: parseTasks(text), hunk }), report);
    assert.deepEqual(
      (await verifyTasks({ tasksPath: md, taskIds: ['T002'], hunk })).tasks.map((t) => t.id),
      ['T002'],
      'a selection checks only those tasks',
    );
  } finally {
    await h.close();
  }
});

test('changed since only by a later run: verified; an outside change before that run: drifted', async () => {
  const dir = await makeProject(TASKS, { 'src/b.js': 'original b\n' });
  const h = await startHarness({ dir });
  try {
    h.mock.setHandler(team(dir));
    await run(h, ['T001']);
    const second = await run(h, ['T003']);
    let report = await verifyTasks({ tasksPath: tasksPath(dir), hunk });
    assert.equal(byId(report, 'T001').state, 'verified');
    assert.match(byId(report, 'T001').detail, /changed since only by T003 \(run /);
    assert.deepEqual(byId(report, 'T001').changedSince, [{ runId: second, taskKey: 'T003', path: 'src/a.js' }]);
    assert.equal(byId(report, 'T003').state, 'verified');

    // Another history: a person edits src/a.js between the runs; the later run builds on it.
    const dir2 = await makeProject(TASKS, { 'src/b.js': 'original b\n' });
    const h2 = await startHarness({ dir: dir2, mock: h.mock });
    try {
      h.mock.setHandler(team(dir2));
      await run(h2, ['T001']);
      writeFileSync(join(dir2, 'src/a.js'), `${readFileSync(join(dir2, 'src/a.js'), 'utf8')}// by hand\n`);
      await run(h2, ['T003']);
      report = await verifyTasks({ tasksPath: tasksPath(dir2), hunk });
      const t001 = byId(report, 'T001');
      assert.equal(t001.state, 'drifted');
      assert.match(t001.detail, /src\/a\.js was changed outside any run \(before T003 of run /);
      assert.match(t001.drift?.[0]?.hunk ?? '', /^\+\/\/ by hand$/m);
      assert.equal(byId(report, 'T003').state, 'verified', 'the later task built on what it found');
    } finally {
      await h2.close();
    }
  } finally {
    await h.close();
  }
});

test('rollback → evidence void and the task open; a hand tick then stays unverified', async () => {
  const dir = await makeProject(TASKS, { 'src/b.js': 'original b\n' });
  const h = await startHarness({ dir });
  try {
    h.mock.setHandler(team(dir));
    const runId = await run(h, ['T001', 'T002']);
    const rolled = await h.engine.rollback({ root: dir, runId, taskKey: 'T002' });
    assert.deepEqual(rolled.unticked, ['T002']);
    let report = await verifyTasks({ tasksPath: tasksPath(dir), hunk });
    assert.deepEqual(states(report), { T001: 'verified', T002: 'open', T003: 'open', T004: 'open' });
    const journal = await readJournalFile(join(dir, '.specify', 'orchestra', 'runs', runId, 'journal.jsonl'));
    assert.deepEqual(
      journal.records
        .filter((r) => r.type === 'evidence-voided')
        .map((r) => r.type === 'evidence-voided' && r.taskKeys),
      [['T002']],
    );
    const md = tasksPath(dir);
    writeFileSync(md, readFileSync(md, 'utf8').replace('- [ ] T002', '- [X] T002'));
    report = await verifyTasks({ tasksPath: md, hunk });
    assert.equal(byId(report, 'T002').state, 'unverified');
    assert.equal(byId(report, 'T002').unverifiedReason, 'voided');

    // The whole run rolled back: every tick cleared, every task open.
    await h.engine.rollback({ root: dir, runId });
    report = await verifyTasks({ tasksPath: md, hunk });
    assert.equal(byId(report, 'T001').state, 'open');
  } finally {
    await h.close();
  }
});

test('evidence survives resume: a task ticked before the interruption stays verified, one ticked after it too', async () => {
  const dir = await makeProject(TASKS, { 'src/b.js': 'original b\n' });
  const h = await startHarness({ dir });
  try {
    h.mock.setHandler(team(dir));
    const started = h.engine.start({
      root: dir,
      settings: { ...settings, maxWorkers: 1 },
      onlyTasks: ['T001', 'T002'],
    });
    started.onEvent((e) => {
      if (e.type === 'task-status' && e.taskKey === 'T001' && e.status === 'done') started.cancel('interrupted');
    });
    assert.equal((await started.done).outcome, 'cancelled');
    const resumed = await h.engine.resume({ root: dir, runId: started.id, settings });
    assert.equal((await resumed.done).outcome, 'completed');
    const report = await verifyTasks({ tasksPath: tasksPath(dir), hunk });
    assert.equal(byId(report, 'T001').state, 'verified');
    assert.equal(byId(report, 'T002').state, 'verified');
    assert.equal(byId(report, 'T001').evidence?.runId, started.id);
    assert.equal(byId(report, 'T002').evidence?.runId, started.id);
  } finally {
    await h.close();
  }
});

test('re-run of a drifted and a hand-ticked task: verified, ticks kept; interrupted, the resume finishes it; its rollback restores the states before it', async () => {
  const dir = await makeProject(TASKS, { 'src/b.js': 'original b\n' });
  const h = await startHarness({ dir });
  try {
    h.mock.setHandler(team(dir));
    await run(h, ['T001', 'T002']);
    const b = join(dir, 'src/b.js');
    const handEdited = `${readFileSync(b, 'utf8')}console.log('hand edit');\n`;
    writeFileSync(b, handEdited);
    const md = tasksPath(dir);
    writeFileSync(md, readFileSync(md, 'utf8').replace('- [ ] T004', '- [X] T004'));
    const ticked = readFileSync(md, 'utf8');
    let report = await verifyTasks({ tasksPath: md, hunk });
    assert.deepEqual(states(report), { T001: 'verified', T002: 'drifted', T003: 'open', T004: 'unverified' });

    // Without asking for a re-run, a ticked task is finished work: nothing runs.
    const plain = await h.engine.plan({ root: dir, settings, onlyTasks: ['T002'] });
    assert.deepEqual(
      plain.tasks.filter((t) => !t.alreadyDone).map((t) => t.id),
      [],
    );

    // Asked to do them again, one worker at a time; interrupted after the first, resumed.
    const rerun = ['T002', 'T004'];
    const started = h.engine.start({
      root: dir,
      settings: { ...settings, maxWorkers: 1 },
      onlyTasks: rerun,
      rerunTasks: rerun,
    });
    started.onEvent((e) => {
      if (e.type === 'task-status' && e.status === 'done') started.cancel('interrupted');
    });
    assert.equal((await started.done).outcome, 'cancelled');
    report = await verifyTasks({ tasksPath: md, hunk });
    assert.equal(
      rerun.filter((id) => byId(report, id).state === 'verified').length,
      1,
      `one re-run task done before the interruption: ${JSON.stringify(states(report))}`,
    );
    const resumed = await h.engine.resume({ root: dir, runId: started.id, settings });
    assert.equal((await resumed.done).outcome, 'completed');
    report = await verifyTasks({ tasksPath: md, hunk });
    assert.deepEqual(states(report), { T001: 'verified', T002: 'verified', T003: 'open', T004: 'verified' });
    assert.equal(byId(report, 'T002').evidence?.runId, started.id, 'the newest evidence stands');
    assert.equal(byId(report, 'T004').evidence?.runId, started.id);
    assert.equal(readFileSync(md, 'utf8'), ticked, 'the ticks were there and stay as they were');
    assert.match(readFileSync(b, 'utf8'), /hand edit[\s\S]*\/\/ T002/, 'the re-run started from the file as it was');

    // Rolled back: the files as before the re-run, the ticks kept (they predate it), its evidence void; so
    // T002 is drifted again on its first run's evidence and T004 has none that stands.
    const rolled = await h.engine.rollback({ root: dir, runId: started.id });
    assert.deepEqual(rolled.unticked, []);
    assert.equal(readFileSync(b, 'utf8'), handEdited);
    assert.equal(readFileSync(md, 'utf8'), ticked);
    report = await verifyTasks({ tasksPath: md, hunk });
    assert.deepEqual(states(report), { T001: 'verified', T002: 'drifted', T003: 'open', T004: 'unverified' });
    assert.equal(byId(report, 'T004').unverifiedReason, 'voided');
  } finally {
    await h.close();
  }
});
