import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { countChecklistItems, readChecklistGate } from '../../../src/core/speckit/checklists';
import { discoverProjects } from '../../../src/core/speckit/project-discovery';
import { copyFixtureProject } from './fixture-projects';

const signal = new AbortController().signal;

test('counts items of every bullet style, nested ones too, and ignores fenced code', () => {
  const text =
    '\uFEFF# C\r\n- [x] a\r\n* [X] b\r\n+ [ ] c\r\n  - [ ] nested\r\n1. [x] ordered\r\n~~~\r\n- [ ] fenced\r\n~~~\r\n- [] not an item\r\n';
  assert.deepEqual(countChecklistItems(text), { total: 5, checked: 3, unchecked: 2 });
});

test('the gate lists each checklist and fails when any item is unchecked', async (t) => {
  const fx = await copyFixtureProject('numbered');
  t.after(fx.dispose);
  const { projects } = await discoverProjects([fx.root], { signal });
  const feature = projects[0]?.features[0];
  assert.ok(feature);
  const gate = await readChecklistGate(feature, signal);
  const dir = join(fx.root, 'specs', '001-user-auth', 'checklists');
  assert.deepEqual(gate, {
    checklists: [
      { file: join(dir, 'requirements.md'), total: 3, checked: 3, unchecked: 0 },
      { file: join(dir, 'ux.md'), total: 3, checked: 1, unchecked: 2 },
    ],
    pass: false,
    diagnostics: [],
  });
  const noChecklists = projects[0]?.features[1];
  assert.ok(noChecklists);
  assert.deepEqual(await readChecklistGate(noChecklists, signal), { checklists: [], pass: true, diagnostics: [] });

  await rm(join(dir, 'ux.md'));
  const vanished = await readChecklistGate(feature, signal);
  assert.equal(vanished.pass, false);
  assert.deepEqual(
    vanished.diagnostics.map((d) => d.code),
    ['checklist-unreadable'],
  );
  await chmod(join(dir, 'requirements.md'), 0o000);
  // Root reads anything, so only assert the outcome is a value either way.
  const locked = await readChecklistGate(feature, signal);
  assert.equal(locked.pass, false);
});
