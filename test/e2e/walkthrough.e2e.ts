// The guided first run in a real workbench and browser: it opens by itself on the extension's first activation
// (walkthroughs left on, as a user has them), its first step completes once a key is stored, the dry-run step's
// button shows the plan, it does not open again after a reload, and the Tasks view's title opens it.
// Screenshots go to test-results/walkthrough-*.png.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyFixtureWorkspace, EXAMPLE_WORKSPACE, type WorkspaceCopy } from '../harness/fixture-workspace';
import { repoRoot } from '../harness/paths';
import { openWorkbench, type Workbench } from '../harness/workbench';
import { startMockAnthropic, type MockAnthropic } from '../mock-anthropic';
import { reportFailure, runFromCommandPalette, saveScreenshot } from './workbench-ui';

const KEY = 'sk-e2e-walkthrough';
const TITLE = 'Get Started with Spec-Kit Agent Orchestra';
let workspace: WorkspaceCopy | undefined;
let workbench: Workbench | undefined;
let mock: MockAnthropic | undefined;

before(async () => {
  workspace = await copyFixtureWorkspace(EXAMPLE_WORKSPACE);
  // No step here calls a model; the mock only makes sure nothing reaches the network if one did.
  mock = await startMockAnthropic({ apiKeys: [KEY] });
  mkdirSync(join(workspace.dir, '.vscode'), { recursive: true });
  writeFileSync(
    join(workspace.dir, '.vscode', 'settings.json'),
    JSON.stringify({
      'speckitOrchestra.anthropic.baseUrl': mock.url,
      'speckitOrchestra.testCommand': '',
      'speckitOrchestra.detectTestCommand': false,
    }),
  );
  workbench = await openWorkbench({
    folder: workspace.dir,
    extensionDevelopmentPath: repoRoot,
    userSettings: { 'workbench.welcomePage.walkthroughs.openOnInstall': true },
  });
});

after(async () => {
  await workbench?.close();
  await mock?.close();
  await workspace?.dispose();
});

test(
  'opened once on first activation, steps complete as the user goes, and from the Tasks title',
  { timeout: 240_000 },
  async () => {
    assert.ok(workbench && mock);
    const { page } = workbench;
    const shot = async (name: string): Promise<void> =>
      console.log(`screenshot: ${await saveScreenshot(page, `walkthrough-${name}`)}`);
    const guide = page.locator('.gettingStartedContainer', { hasText: TITLE });
    const done = (step: string) => guide.locator(`.codicon.complete[data-done-step-id$="${step}"]`);
    const stepButton = (title: string) => guide.locator('button.getting-started-step', { hasText: title });
    try {
      // The example holds a tasks.md: the extension activates, and its first activation opens the walkthrough.
      await guide.waitFor({ timeout: 90_000 });
      await done('openProject').waitFor({ timeout: 30_000 });
      assert.equal(await done('chooseModel').count(), 0, 'no model yet');
      await shot('first-activation');

      // Step 1: the button asks for the key; once stored, the step is checked.
      await stepButton('Choose a model').click();
      await guide.locator('.monaco-button', { hasText: 'Set Anthropic API Key' }).click();
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: 10_000 });
      await input.fill(KEY);
      await input.press('Enter');
      await done('chooseModel').waitFor({ timeout: 30_000 });
      await shot('model-ready');

      // Step 3: the dry run opens the plan beside nothing else, and calls no model.
      await stepButton('See the plan first').click();
      await guide.locator('.monaco-button', { hasText: /^Dry Run$/ }).click();
      await page.locator('.view-lines', { hasText: 'Cost forecast' }).first().waitFor({ timeout: 60_000 });
      assert.equal(mock.requests.length, 0, 'a dry run calls no model');
      await shot('dry-run');
      await runFromCommandPalette(page, 'View: Revert and Close Editor');
      await guide.waitFor({ timeout: 10_000 });
      await done('dryRun').waitFor({ timeout: 10_000 });
      await runFromCommandPalette(page, 'View: Close All Editors');
      await guide.waitFor({ state: 'detached', timeout: 10_000 });

      // Opened once: a reload activates the extension again and shows no walkthrough. Reloaded as a user does,
      // so the workbench saves its state first (a page reload may restore the editors of an older save).
      const reloaded = page.waitForEvent('load', { timeout: 60_000 });
      await runFromCommandPalette(page, 'Developer: Reload Window');
      await reloaded;
      await page.locator('.part.activitybar .action-label[aria-label^="Spec-Kit Orchestra"]').click();
      const sidebar = page.locator('.part.sidebar');
      await sidebar
        .locator('.monaco-list-row', { hasText: 'T001 Create the public entry point' })
        .waitFor({ timeout: 60_000 });
      await page.waitForTimeout(3000);
      assert.equal(await guide.count(), 0, 'not opened a second time');

      // From the Tasks view's title (its actions show while the pointer is over the view).
      const tasksHeader = sidebar.locator('.pane-header', { hasText: 'Tasks' }).first();
      await tasksHeader.hover();
      await tasksHeader.locator('.action-label[aria-label^="Get Started"]').click();
      await guide.waitFor({ timeout: 30_000 });
      await done('chooseModel').waitFor({ timeout: 10_000 });
      await shot('from-tasks-title');
    } catch (error) {
      await reportFailure(workbench, 'walkthrough');
      throw error;
    }
  },
);
