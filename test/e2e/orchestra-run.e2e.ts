// The whole user path in a real workbench and browser, against the wire mock of the Anthropic API: set the
// key, "Implement Spec-Kit Tasks" from the palette, the Tasks tree fills in, a proposed edit opens as a diff
// from Pending Changes, accept it from the editor title, accept the rest, and see the file and the ticks.
// Screenshots (tree, progress panel, diff, result) go to test-results/.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyFixtureWorkspace, EXAMPLE_WORKSPACE, type WorkspaceCopy } from '../harness/fixture-workspace';
import { repoRoot } from '../harness/paths';
import { openWorkbench, type Workbench } from '../harness/workbench';
import { startMockAnthropic, type MockAnthropic } from '../mock-anthropic';
import { wellBehaved } from '../unit/engine/run/harness';
import { runFromCommandPalette, saveScreenshot } from './workbench-ui';

const KEY = 'sk-e2e-test';
const FOCUS = 'keep the store API unchanged';
let workspace: WorkspaceCopy | undefined;
let workbench: Workbench | undefined;
let mock: MockAnthropic | undefined;

before(async () => {
  workspace = await copyFixtureWorkspace(EXAMPLE_WORKSPACE);
  const dir = workspace.dir;
  // A little latency so the tree shows work in progress, as it would with a real model.
  mock = await startMockAnthropic({ apiKeys: [KEY], latencyMs: 150, eventDelayMs: 5 });
  mock.setHandler(wellBehaved((path) => existsSync(join(dir, path))));
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  writeFileSync(
    join(dir, '.vscode', 'settings.json'),
    JSON.stringify(
      {
        'speckitOrchestra.anthropic.baseUrl': mock.url,
        'speckitOrchestra.testCommand': '',
        'speckitOrchestra.detectTestCommand': false,
      },
      null,
      2,
    ),
  );
  workbench = await openWorkbench({ folder: dir, extensionDevelopmentPath: repoRoot });
});

after(async () => {
  await workbench?.close();
  await mock?.close();
  await workspace?.dispose();
});

test('palette → implement → review a diff → accept → the file and the ticks', { timeout: 300_000 }, async () => {
  assert.ok(workbench && workspace);
  const { page } = workbench;
  const dir = workspace.dir;
  try {
    await runFromCommandPalette(page, 'Spec-Kit: Set Anthropic API Key');
    const input = page.locator('.quick-input-widget input');
    await input.fill(KEY);
    await input.press('Enter');

    await page.locator('.part.activitybar .action-label[aria-label^="Spec-Kit Orchestra"]').click();
    const sidebar = page.locator('.part.sidebar');
    await sidebar
      .locator('.monaco-list-row', { hasText: 'T001 Create the public entry point' })
      .waitFor({ timeout: 60_000 });
    await runFromCommandPalette(page, 'Spec-Kit: Implement Spec-Kit Tasks');
    // Run from the palette, it asks for an optional focus; the one given reaches every worker.
    const focusBox = page.locator('.quick-input-widget', { hasText: 'Focus for this run of 001-todo-api' });
    await focusBox.waitFor({ timeout: 60_000 });
    await focusBox.locator('input').fill(FOCUS);
    await focusBox.locator('input').press('Enter');

    // The run starts: the status bar item appears and the first proposals wait in Pending Changes.
    await page.locator('.statusbar-item', { hasText: /Orchestra \d+\/10/ }).waitFor({ timeout: 60_000 });
    const pendingPane = sidebar.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Pending Changes' }) });
    const proposalRow = pendingPane.locator('.monaco-list-row', { hasText: /^(index|errors|ids)\.js/ }).first();
    await proposalRow.waitFor({ timeout: 60_000 });
    console.log(`screenshot: ${await saveScreenshot(page, 'orchestra-run-tree')}`);

    const panel = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await panel.locator('#root', { hasText: 'Running' }).waitFor({ timeout: 30_000 });
    console.log(`screenshot: ${await saveScreenshot(page, 'orchestra-run-progress-panel')}`);

    // Review: a click on the proposal opens the diff; accept from the editor title.
    const path = /^(index|errors|ids)\.js/.exec(await proposalRow.innerText())?.[0] ?? '';
    await proposalRow.click();
    await page.locator('.monaco-diff-editor').first().waitFor({ timeout: 30_000 });
    await page.locator('.tab', { hasText: '(new file)' }).first().waitFor({ timeout: 10_000 });
    console.log(`screenshot: ${await saveScreenshot(page, 'orchestra-run-diff')}`);
    await page.locator('.editor-actions .action-label[aria-label^="Accept Edit"]').first().click();
    await page.locator('.monaco-diff-editor').first().waitFor({ state: 'detached', timeout: 30_000 });
    assert.ok(['index.js', 'errors.js', 'ids.js'].includes(path), `reviewed ${path}`);
    const written = join(dir, 'src', path);
    await waitUntil(() => existsSync(written), 30_000, `${path} to be written`);

    // Accept the rest from the Pending Changes title until the run finishes.
    // View title actions show while the pointer is over the view: hover its header, then click.
    const pendingHeader = pendingPane.locator('.pane-header');
    const acceptAll = pendingHeader.locator('.action-label[aria-label^="Accept All Pending Edits"]');
    const finished = panel.locator('#root', { hasText: 'Run completed' });
    const deadline = Date.now() + 180_000;
    while (!(await finished.isVisible())) {
      if (Date.now() > deadline) throw new Error('the run did not finish within 180 s');
      if (await pendingHeader.isVisible()) {
        await pendingHeader.hover();
        if (await acceptAll.isVisible()) await acceptAll.click().catch(() => undefined);
      }
      await page.waitForTimeout(250);
    }
    // Collapse the Tasks view so the finished panel (bars, tokens, cost, log) has room for its picture.
    for (const other of ['Workers', 'Pending Changes'])
      await sidebar.locator('.pane-header', { hasText: other }).first().click();
    const tasksHeader = sidebar.locator('.pane-header', { hasText: 'Tasks' }).first();
    await tasksHeader.click();
    await panel
      .locator('table[aria-label="Tokens and cost"]', { hasText: 'Cost / budget' })
      .waitFor({ timeout: 10_000 });
    // The webview is an overlay the workbench moves after the layout settles: wait until it sits under its header.
    const progressHeader = sidebar.locator('.pane-header', { hasText: 'Progress' }).first();
    await waitUntilAsync(
      async () => {
        const [frame, header] = await Promise.all([
          page.locator('iframe.webview.ready').first().boundingBox(),
          progressHeader.boundingBox(),
        ]);
        return frame !== null && header !== null && Math.abs(frame.y - (header.y + header.height)) < 4;
      },
      10_000,
      'the progress webview to follow the layout',
    );
    console.log(`screenshot: ${await saveScreenshot(page, 'orchestra-run-progress-finished')}`);
    await tasksHeader.click();
    for (const other of ['Workers', 'Pending Changes'])
      await sidebar.locator('.pane-header', { hasText: other }).first().click();
    const tasks = readFileSync(join(dir, 'specs', '001-todo-api', 'tasks.md'), 'utf8');
    assert.equal((tasks.match(/^- \[X\] T\d+/gm) ?? []).length, 10, 'every task ticked in tasks.md');
    const requests = mock?.requests ?? [];
    assert.ok(requests.length > 0);
    for (const request of requests)
      assert.ok(JSON.stringify(request.body).includes(FOCUS), 'every model call carries the focus');

    // The file and the tick, as the user sees them.
    await sidebar.locator('.monaco-list-row', { hasText: 'T001 Create the public entry point' }).click();
    await page.locator('.view-lines', { hasText: '- [X] T001' }).first().waitFor({ timeout: 30_000 });
    console.log(`screenshot: ${await saveScreenshot(page, 'orchestra-run-finished')}`);
  } catch (error) {
    console.log(`failure screenshot: ${await saveScreenshot(page, 'orchestra-run-failure')}`);
    throw error;
  }
});

async function waitUntilAsync(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitUntil(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
