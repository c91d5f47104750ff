import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHead, readGitHead } from '../../../src/core/speckit/git-head';

const signal = new AbortController().signal;

test('HEAD text: a branch ref, a detached commit, or something else', () => {
  assert.deepEqual(parseHead('ref: refs/heads/feat/004-x\n', 'H'), {
    kind: 'branch',
    name: 'feat/004-x',
    headFile: 'H',
  });
  const sha = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
  assert.deepEqual(parseHead(`${sha}\r\n`, 'H'), { kind: 'detached', commit: sha, headFile: 'H' });
  assert.equal(parseHead('garbage', 'H').kind, 'unreadable');
  assert.equal(parseHead('ref: refs/remotes/origin/main', 'H').kind, 'unreadable');
});

test('.git is found above the start; a .git file with gitdir: is followed; none is no-repository', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'speckit-git-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  assert.deepEqual(await readGitHead(base, signal), { kind: 'no-repository' });
  await mkdir(join(base, 'repo', '.git'), { recursive: true });
  await mkdir(join(base, 'repo', 'packages', 'app'), { recursive: true });
  await writeFile(join(base, 'repo', '.git', 'HEAD'), 'ref: refs/heads/002-x\n');
  assert.equal((await readGitHead(join(base, 'repo', 'packages', 'app'), signal)).kind, 'branch');

  await mkdir(join(base, 'wt'));
  await mkdir(join(base, 'repo', '.git', 'worktrees', 'wt'), { recursive: true });
  await writeFile(join(base, 'repo', '.git', 'worktrees', 'wt', 'HEAD'), 'ref: refs/heads/007-wt\n');
  await writeFile(join(base, 'wt', '.git'), 'gitdir: ../repo/.git/worktrees/wt\n');
  const head = await readGitHead(join(base, 'wt'), signal);
  assert.equal(head.kind === 'branch' ? head.name : head.kind, '007-wt');

  await mkdir(join(base, 'broken'));
  await writeFile(join(base, 'broken', '.git'), 'not a gitdir line\n');
  assert.equal((await readGitHead(join(base, 'broken'), signal)).kind, 'unreadable');
  await writeFile(join(base, 'broken', '.git'), 'gitdir: /nonexistent/place\n');
  assert.equal((await readGitHead(join(base, 'broken'), signal)).kind, 'unreadable');
});
