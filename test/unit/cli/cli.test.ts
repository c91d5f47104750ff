import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/cli';

function io() {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: {},
      cwd: process.cwd(),
    },
    out: () => out,
    err: () => err,
  };
}

test('unknown command exits 2 with usage on stderr', async () => {
  const t = io();
  assert.equal(await runCli(['frobnicate'], t.io), 2);
  assert.match(t.err(), /unknown command 'frobnicate'/);
  assert.equal(t.out(), '');
});
