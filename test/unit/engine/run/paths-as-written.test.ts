/**
 * A task that names its file relative to the tasks file's folder (`../../src/x.js` from `specs/001-demo/`) means
 * the project's `src/x.js`: the worker is told that path, may write it, and the task is ticked with evidence
 * for it. Read from the root instead, the path would leave the project and the task could never be done.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJournalFile } from '../../../../src/core/engine/journal/journal-file';
import { filesNamed, jobOf, makeProject, startHarness, testSettings, wellBehaved } from './harness';

test('a ../ path in tasks.md is the project file it points to: the worker writes it and the task is ticked', async () => {
  const tasks = [
    '## Phase 1: Setup',
    '',
    '- [ ] T001 Create the greeting in ../../src/greet.js',
    '- [ ] T002 Export the greeting from src/greet.js and ../../src/index.js',
    '',
  ].join('\n');
  const dir = await makeProject(tasks);
  const h = await startHarness({ dir });
  const named = new Map<string, string[]>();
  const answer = wellBehaved((path) => existsSync(join(dir, path)));
  h.mock.setHandler((request) => {
    const job = jobOf(request);
    if (job !== undefined && /^T00\d$/.test(job) && !named.has(job)) named.set(job, filesNamed(request));
    return answer(request);
  });
  try {
    const result = await h.engine.start({ root: dir, settings: { ...testSettings, validate: false } }).done;
    assert.equal(result.outcome, 'completed', `${result.message} ${JSON.stringify([...named])}`);
    assert.deepEqual(named.get('T001'), ['src/greet.js'], 'the worker is told the project path');
    assert.deepEqual(named.get('T002')?.sort(), ['src/greet.js', 'src/index.js']);
    assert.ok(existsSync(join(dir, 'src/greet.js')) && existsSync(join(dir, 'src/index.js')));
    assert.ok(!existsSync(join(dir, '..', 'src', 'greet.js')), 'nothing outside the project');
    const text = await readFile(join(dir, 'specs/001-demo/tasks.md'), 'utf8');
    assert.match(text, /- \[[xX]\] T001 Create the greeting in \.\.\/\.\.\/src\/greet\.js/, 'the line keeps its words');
    assert.match(text, /- \[[xX]\] T002/);
    const { records } = await readJournalFile(join(result.journalDir, 'journal.jsonl'));
    const evidence = records.find((r) => r.type === 'task-evidence' && r.taskId === 'T001');
    assert.deepEqual(
      evidence?.type === 'task-evidence' ? evidence.edits.map((e) => e.path) : [],
      ['src/greet.js'],
      'the evidence names the file the author meant',
    );
  } finally {
    await h.close();
  }
});
