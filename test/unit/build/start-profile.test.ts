// `npm start` keeps its profile between starts: the settings a person changed in the workbench survive the next
// start, while the throwaway profiles of the tests always get exactly the quiet test settings.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testUserSettings, writeUserSettings } from '../../harness/workbench';

const personal = '// mine\n{ "editor.fontSize": 18 }\n';

test('a kept profile gets the defaults once, then keeps what the person wrote', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'speckit-start-profile-'));
  try {
    await writeUserSettings(dir, 'trusted', { 'workbench.welcomePage.walkthroughs.openOnInstall': true }, 'keep');
    const user = join(dir, 'User', 'settings.json');
    const machine = join(dir, 'Machine', 'settings.json');
    const written = JSON.parse(await readFile(user, 'utf8')) as Record<string, unknown>;
    assert.equal(written['workbench.startupEditor'], 'none');
    assert.deepEqual(JSON.parse(await readFile(machine, 'utf8')), {
      'workbench.welcomePage.walkthroughs.openOnInstall': true,
    });

    await writeFile(user, personal);
    await writeFile(machine, '{}\n');
    await writeUserSettings(dir, 'trusted', { 'workbench.welcomePage.walkthroughs.openOnInstall': true }, 'keep');
    assert.equal(await readFile(user, 'utf8'), personal);
    assert.equal(await readFile(machine, 'utf8'), '{}\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a throwaway profile is always reset to the test settings', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'speckit-test-profile-'));
  try {
    await writeUserSettings(dir);
    const user = join(dir, 'User', 'settings.json');
    await writeFile(user, personal);
    await writeUserSettings(dir);
    assert.deepEqual(JSON.parse(await readFile(user, 'utf8')), testUserSettings);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
