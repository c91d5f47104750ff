// The user's path to "Implement Spec-Kit Tasks" in a real workbench: the command palette, then the
// notification that says implementation is not available yet.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { copyFixtureWorkspace, type WorkspaceCopy } from '../harness/fixture-workspace';
import { repoRoot } from '../harness/paths';
import { openWorkbench, type Workbench } from '../harness/workbench';
import { notificationToast, runFromCommandPalette, saveScreenshot } from './workbench-ui';

let workspace: WorkspaceCopy | undefined;
let workbench: Workbench | undefined;

before(async () => {
  workspace = await copyFixtureWorkspace('basic');
  workbench = await openWorkbench({ folder: workspace.dir, extensionDevelopmentPath: repoRoot });
});

after(async () => {
  await workbench?.close();
  await workspace?.dispose();
});

test('Implement Spec-Kit Tasks from the palette says it is not available yet', { timeout: 120_000 }, async () => {
  assert.ok(workbench, 'the workbench opened');
  const { page } = workbench;
  try {
    await runFromCommandPalette(page, 'Spec-Kit: Implement Spec-Kit Tasks');
    const toast = notificationToast(page, 'not available');
    await toast.waitFor({ timeout: 30_000 });
    assert.match(await toast.innerText(), /implementing tasks is not available in this version yet.*Nothing was run/s);
    console.log(`screenshot: ${await saveScreenshot(page, 'implement-not-available')}`);
  } catch (error) {
    // A picture of the workbench as the failure left it says more than a selector timeout.
    console.log(`failure screenshot: ${await saveScreenshot(page, 'implement-not-available-failure')}`);
    throw error;
  }
});
