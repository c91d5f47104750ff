/**
 * Two classes of attack against the whole engine (real SDK, wire mock): a write or a rollback must not
 * change a file's permissions, and a search with a catastrophic regular expression must not hang a worker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordedRequest } from '../../../mock-anthropic';
import { complete, jobOf, makeProject, startHarness, testSettings, toolCall, toolResults, turnOf } from './harness';

const settings = { ...testSettings, validate: false, bugFixAttempts: 0 };

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o7777;
}

test(
  'an executable script stays executable through an approved edit and through the rollback of it; a deleted one comes back executable',
  { skip: process.platform === 'win32' ? 'POSIX permission bits' : false },
  async () => {
    const tasks = '## Phase 1: Core\n\n- [ ] T001 [P] Fix `bin/run.sh`\n- [ ] T002 [P] Remove `bin/old.sh`\n';
    const dir = await makeProject(tasks, {
      'bin/run.sh': '#!/bin/sh\necho one\n',
      'bin/old.sh': '#!/bin/sh\necho old\n',
    });
    await chmod(join(dir, 'bin/run.sh'), 0o755);
    await chmod(join(dir, 'bin/old.sh'), 0o750);
    const h = await startHarness({ dir });
    h.mock.setHandler((request) => {
      if (turnOf(request) > 0) return complete(jobOf(request) === 'T001' ? ['bin/run.sh'] : ['bin/old.sh']);
      return jobOf(request) === 'T001'
        ? toolCall('propose_edit', { kind: 'write', path: 'bin/run.sh', content: '#!/bin/sh\necho two\n' })
        : toolCall('propose_edit', { kind: 'delete', path: 'bin/old.sh' });
    });
    try {
      const run = h.engine.start({ root: dir, settings });
      const result = await run.done;
      assert.equal(result.outcome, 'completed', result.message);
      assert.equal(await readFile(join(dir, 'bin/run.sh'), 'utf8'), '#!/bin/sh\necho two\n');
      assert.equal(await modeOf(join(dir, 'bin/run.sh')), 0o755, 'the write kept the mode');

      await h.engine.rollback({ root: dir, runId: run.id });
      assert.equal(await readFile(join(dir, 'bin/run.sh'), 'utf8'), '#!/bin/sh\necho one\n');
      assert.equal(await modeOf(join(dir, 'bin/run.sh')), 0o755, 'the rollback kept the mode');
      assert.equal(await readFile(join(dir, 'bin/old.sh'), 'utf8'), '#!/bin/sh\necho old\n');
      assert.equal(await modeOf(join(dir, 'bin/old.sh')), 0o750, 'the deleted script came back with its mode');
    } finally {
      await h.close();
    }
  },
);

// A hang would be caught by the test's timeout: this asserts the worker got its answers and went on.
test('a catastrophic regular expression over a long line is answered; the worker goes on', async () => {
  const tasks = '## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n';
  const dir = await makeProject(tasks);
  // 50 000 a's and no end of line match: a backtracking engine never returns from (a+)+$ on this.
  await writeFile(join(dir, 'src-evil.txt'), `${'a'.repeat(50_000)}!\n`);
  const h = await startHarness({ dir });
  const seen: { content: string; isError: boolean }[] = [];
  h.mock.setHandler((request: RecordedRequest) => {
    seen.push(...toolResults(request));
    switch (turnOf(request)) {
      case 0:
        return toolCall('search_text', { pattern: '(a+)+$', regex: true });
      case 1:
        return toolCall('search_text', { pattern: '(x+x+)+y', regex: true });
      case 2:
        return toolCall('propose_edit', { kind: 'create', path: 'src/a.js', content: 'a\n' });
      default:
        return complete(['src/a.js']);
    }
  });
  try {
    const result = await h.engine.start({ root: dir, settings }).done;
    assert.equal(result.outcome, 'completed', result.message);
    assert.equal(seen[0]?.isError, false, seen[0]?.content);
    assert.doesNotMatch(seen[0]?.content ?? '', /src-evil\.txt:1/, 'the line ends in "!": no match');
    assert.equal(seen[1]?.isError, false, seen[1]?.content);
  } finally {
    await h.close();
  }
});
