import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../src/core/util/atomic-write';

test('writes new content, creates parent folders and leaves no temp file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'atomic-'));
  const target = join(dir, 'a', 'b', 'file.txt');
  await writeFileAtomic(target, 'one');
  await writeFileAtomic(target, new TextEncoder().encode('two'));
  assert.equal(await readFile(target, 'utf8'), 'two');
  assert.deepEqual(await readdir(join(dir, 'a', 'b')), ['file.txt']);
});
