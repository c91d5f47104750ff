import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliIo } from '../../../src/cli/cli';
import type { VerifyJson } from '../../../src/cli/verify-command';
import { evidencedProject } from '../evidence/evidenced-project';

function capture(cwd: string): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {}, cwd },
    out: () => out,
    err: () => err,
  };
}

async function verify(cwd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = capture(cwd);
  const code = await runCli(['verify', ...args], c.io);
  return { code, out: c.out(), err: c.err() };
}

test('verify: exit 0 when every ticked task is verified, 1 on drift or a hand tick, 2 on bad input', async () => {
  const { dir, harness: h, runId } = await evidencedProject();
  try {
    const ok = await verify(dir, ['--json']);
    assert.equal(ok.code, 0, ok.err);
    const report = JSON.parse(ok.out) as VerifyJson;
    assert.deepEqual(Object.keys(report), ['feature', 'tasks', 'summary', 'warnings']);
    assert.equal(report.feature.id, '001-demo');
    assert.deepEqual(report.summary, { verified: 2, drifted: 0, unverified: 0, open: 1 });
    const t001 = report.tasks.find((t) => t.id === 'T001');
    assert.deepEqual(t001 && { id: t001.id, state: t001.state, files: t001.files, line: t001.line }, {
      id: 'T001',
      state: 'verified',
      files: ['src/a.js'],
      line: 5,
    });
    assert.equal(t001?.evidence?.runId, runId);
    assert.equal(t001?.evidence?.edits[0]?.approvedBy, 'policy auto-approve-all');

    // Drift: exit 1; the text names the file and shows the change.
    writeFileSync(join(dir, 'src/b.js'), '// rewritten by hand\n');
    const drifted = await verify(dir, []);
    assert.equal(drifted.code, 1);
    assert.match(drifted.out, /drifted\s+T002\s+Create `src\/b\.js`/);
    assert.match(drifted.out, /src\/b\.js was changed outside any run/);
    assert.match(drifted.out, /^\s+\+\/\/ rewritten by hand$/m);
    assert.match(drifted.out, /1 verified · 1 drifted · 0 unverified · 1 open/);
    // Only the verified task selected: exit 0.
    assert.equal((await verify(dir, ['--task', 'T001'])).code, 0);
    writeFileSync(join(dir, 'src/b.js'), '// src/b.js\n');
    assert.equal((await verify(dir, [])).code, 0, 'reverted: verified again');

    // A hand tick: exit 1, unverified.
    const md = join(dir, 'specs', '001-demo', 'tasks.md');
    writeFileSync(md, readFileSync(md, 'utf8').replace('- [ ] T003', '- [X] T003'));
    const hand = await verify(dir, ['--json', '--task', 'T003']);
    assert.equal(hand.code, 1);
    assert.equal((JSON.parse(hand.out) as VerifyJson).tasks[0]?.state, 'unverified');

    // Bad input: exit 2, one line on stderr, nothing on stdout.
    for (const args of [['--feature', 'nope'], ['--task', 'T999'], ['--bogus'], ['stray']]) {
      const bad = await verify(dir, args);
      assert.equal(bad.code, 2, args.join(' '));
      assert.equal(bad.out, '');
      assert.equal(bad.err.trim().split('\n').length, 1, bad.err);
    }
    const noProject = await verify(join(dir, 'src'), ['--workspace', join(dir, 'nowhere')]);
    assert.equal(noProject.code, 2);
  } finally {
    await h.close();
  }
});
