// The sidebar in a real workbench on the example project: the activity-bar container, the Tasks tree filled
// from tasks.md, the Progress panel's webview under its CSP, and the palette's run command. Screenshots of
// each land in test-results/ (look at them).
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { copyFixtureWorkspace, EXAMPLE_WORKSPACE, type WorkspaceCopy } from '../harness/fixture-workspace';
import { repoRoot } from '../harness/paths';
import { openWorkbench, type Workbench } from '../harness/workbench';
import { progressPanel, reportFailure, runFromCommandPalette, saveScreenshot } from './workbench-ui';

let workspace: WorkspaceCopy | undefined;
let workbench: Workbench | undefined;

before(async () => {
  workspace = await copyFixtureWorkspace(EXAMPLE_WORKSPACE);
  workbench = await openWorkbench({ folder: workspace.dir, extensionDevelopmentPath: repoRoot });
});

after(async () => {
  await workbench?.close();
  await workspace?.dispose();
});

test(
  "the Spec-Kit Orchestra container shows the example's tasks and the progress panel",
  { timeout: 180_000 },
  async () => {
    assert.ok(workbench);
    const { page } = workbench;
    try {
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      const container = page.locator('.part.activitybar .action-label[aria-label^="Spec-Kit Orchestra"]');
      await container.waitFor({ timeout: 60_000 });
      await container.click();
      const sidebar = page.locator('.part.sidebar');
      const taskRow = sidebar.locator('.monaco-list-row', { hasText: 'T001 Create the public entry point' });
      await taskRow.waitFor({ timeout: 60_000 });
      for (const phase of ['Phase 1: Setup', 'Phase 2: Tests first']) {
        await sidebar.locator('.monaco-list-row', { hasText: phase }).first().waitFor({ timeout: 10_000 });
      }
      assert.match(
        await sidebar.locator('.monaco-list-row', { hasText: 'Phase 1: Setup' }).first().innerText(),
        /0\/3/,
      );
      console.log(`screenshot: ${await saveScreenshot(page, 'orchestra-tasks-tree')}`);

      // The Progress panel is a webview view: its page runs under our CSP and draws the idle state.
      await runFromCommandPalette(page, 'Spec-Kit: Show Progress Panel');
      const panel = progressPanel(page);
      await panel.locator('#root', { hasText: 'No run yet' }).waitFor({ timeout: 30_000 });
      await panel.locator('button', { hasText: 'Implement Spec-Kit Tasks' }).waitFor({ timeout: 10_000 });
      console.log(`screenshot: ${await saveScreenshot(page, 'orchestra-progress-panel-idle')}`);

      // Clicking a task opens tasks.md at its line.
      await taskRow.click();
      await page.locator('.tabs-container .tab', { hasText: 'tasks.md' }).waitFor({ timeout: 20_000 });
      console.log(`screenshot: ${await saveScreenshot(page, 'orchestra-task-opened')}`);
    } catch (error) {
      await reportFailure(workbench, 'orchestra-sidebar');
      throw error;
    }
  },
);
