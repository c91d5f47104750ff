import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit } from '../../../src/core/util/group-commit';

test('an item on an idle group is committed at once, alone; items added meanwhile share the next commit, in order', async () => {
  const commits: number[][] = [];
  const group = new GroupCommit<number>(async (items) => {
    commits.push([...items]);
    await new Promise((resolve) => setTimeout(resolve, 5));
  });
  const first = group.add(0);
  assert.deepEqual(commits, [[0]], 'no wait before the first commit');
  await Promise.all([first, ...[1, 2, 3].map((n) => group.add(n))]);
  assert.deepEqual(commits, [[0], [1, 2, 3]]);
  await group.idle();
});

test('a failed commit fails each of its items; an item the commit reports as failed fails alone; later items get their own commit', async () => {
  let calls = 0;
  const group = new GroupCommit<string>(async (items) => {
    calls++;
    if (calls === 1) throw new Error('disk full');
    return items.map((item) =>
      item === 'bad'
        ? { status: 'rejected' as const, reason: new Error('refused') }
        : { status: 'fulfilled' as const, value: undefined },
    );
  });
  const first = group.add('a');
  const [bad, good] = [group.add('bad'), group.add('b')];
  await assert.rejects(first, /disk full/);
  await assert.rejects(bad, /refused/);
  await good;
  assert.equal(calls, 2);
});
