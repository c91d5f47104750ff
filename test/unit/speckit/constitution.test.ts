import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readConstitution } from '../../../src/core/speckit/constitution';
import { copyFixtureProject } from './fixture-projects';

const signal = new AbortController().signal;

test('the constitution text and its core principles; absent when the project has none', async (t) => {
  const fx = await copyFixtureProject('numbered');
  t.after(fx.dispose);
  const constitution = await readConstitution(fx.root, signal);
  assert.equal(constitution.kind, 'present');
  if (constitution.kind !== 'present') return;
  assert.match(constitution.text, /^# Fixture Constitution/);
  assert.deepEqual(constitution.principles, [
    { title: 'I. Test-First', line: 5 },
    { title: 'II. Simplicity', line: 9 },
  ]);
  const other = await copyFixtureProject('four-digit');
  t.after(other.dispose);
  assert.equal((await readConstitution(other.root, signal)).kind, 'absent');
});
