import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
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

test('a replaced file keeps its permission bits (an executable stays executable); a new file gets the default', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'atomic-'));
  const script = join(dir, 'run.sh');
  await writeFile(script, '#!/bin/sh\n');
  await chmod(script, 0o750);
  await writeFileAtomic(script, '#!/bin/sh\necho changed\n');
  assert.equal((await stat(script)).mode & 0o7777, 0o750);
  await writeFileAtomic(join(dir, 'new.txt'), 'x');
  assert.equal((await stat(join(dir, 'new.txt'))).mode & 0o111, 0, 'not executable');
});

test(
  'a write the disk refuses (a file size limit, like a full disk) leaves the target as it was and no temp file',
  {
    skip: process.platform === 'win32' ? 'needs a POSIX shell for ulimit' : false,
  },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'atomic-'));
    const target = join(dir, 'file.txt');
    await writeFile(target, 'before\n');
    const module = join(__dirname, '../../../src/core/util/atomic-write.ts');
    // 64 blocks of 512 bytes: writing 1 MiB fails with EFBIG (Node ignores SIGXFSZ), as ENOSPC would on a full disk.
    const script = `require(${JSON.stringify(module)}).writeFileAtomic(${JSON.stringify(target)}, 'x'.repeat(1 << 20)).then(() => console.log('written'), (e) => console.log('failed ' + e.code))`;
    const out = execFileSync('sh', ['-c', `ulimit -f 64; exec "${process.execPath}" --import tsx -e "$0"`, script], {
      encoding: 'utf8',
    });
    assert.equal(out.trim(), 'failed EFBIG');
    assert.equal(await readFile(target, 'utf8'), 'before\n');
    assert.deepEqual(await readdir(dir), ['file.txt'], 'no temp file left behind');
  },
);
