// The whole user path in a real workbench and browser, against the wire mock of the Anthropic API: set the
// key, "Implement Spec-Kit Tasks" from the palette, the Tasks tree fills in, a proposed edit opens as a diff
// from Pending Changes and is rejected with feedback from the editor title, the worker's revision is accepted
// from its diff, the rest from the view's title, the tree reaches done, the file and the ticks are there; then
// "Roll Back Run" from the palette, confirmed in its dialog, restores every file and takes the ticks back.
// Screenshots of each step go to test-results/orchestra-run-*.png.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { copyFixtureWorkspace, EXAMPLE_WORKSPACE, type WorkspaceCopy } from '../harness/fixture-workspace';
import { repoRoot } from '../harness/paths';
import { openWorkbench, type Workbench } from '../harness/workbench';
import { startMockAnthropic, type MockAnthropic } from '../mock-anthropic';
import { revisingAfter, revisionHeader } from '../unit/engine/run/harness';
import {
  notificationToast,
  progressPanel,
  progressWebview,
  reportFailure,
  runFromCommandPalette,
  saveScreenshot,
} from './workbench-ui';

const KEY = 'sk-e2e-test';
const FOCUS = 'keep the store API unchanged';
const FEEDBACK = 'Please start each module with a comment naming its task';
let workspace: WorkspaceCopy | undefined;
let workbench: Workbench | undefined;
let mock: MockAnthropic | undefined;

before(async () => {
  workspace = await copyFixtureWorkspace(EXAMPLE_WORKSPACE);
  const dir = workspace.dir;
  // A little latency so the tree shows work in progress, as it would with a real model.
  mock = await startMockAnthropic({ apiKeys: [KEY], latencyMs: 150, eventDelayMs: 5 });
  mock.setHandler(revisingAfter(FEEDBACK, (path) => existsSync(join(dir, path))));
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

test(
  'palette → implement → reject with feedback → accept → done → roll back restores files and ticks',
  { timeout: 420_000 },
  async () => {
    assert.ok(workbench && workspace && mock);
    const { page } = workbench;
    const dir = workspace.dir;
    const before = projectFiles(dir);
    const shot = async (name: string): Promise<void> =>
      console.log(`screenshot: ${await saveScreenshot(page, `orchestra-run-${name}`)}`);
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
      const pendingPane = sidebar.locator('.pane', {
        has: page.locator('.pane-header', { hasText: 'Pending Changes' }),
      });
      const proposalRow = pendingPane.locator('.monaco-list-row', { hasText: /^(index|errors|ids)\.js/ }).first();
      await proposalRow.waitFor({ timeout: 60_000 });
      await shot('tree');

      const panel = progressPanel(page);
      await panel.locator('#root', { hasText: 'Running' }).waitFor({ timeout: 30_000 });
      await shot('progress-panel');

      // Reject: a click on the proposal opens the diff; ✗ in the editor title asks why, and the worker hears it.
      const name = /^(index|errors|ids)\.js/.exec(await proposalRow.innerText())?.[0] ?? '';
      assert.ok(['index.js', 'errors.js', 'ids.js'].includes(name), `reviewing ${name}`);
      const path = join(dir, 'src', name);
      // That file's row, looked up by its name: the list can change between reading the first row and the click.
      const fileRow = (): Locator =>
        pendingPane.locator('.monaco-list-row', { hasText: new RegExp(`^${name.replace('.', '\\.')}`) }).first();
      await fileRow().click();
      const diff = page.locator('.monaco-diff-editor').first();
      await diff.waitFor({ timeout: 30_000 });
      await page.locator('.tab', { hasText: '(new file)' }).first().waitFor({ timeout: 10_000 });
      await shot('diff');
      await page.locator('.editor-actions .action-label[aria-label^="Reject Edit"]').first().click();
      const feedbackBox = page.locator('.quick-input-widget', { hasText: `Reject the edit to src/${name}` });
      await feedbackBox.waitFor({ timeout: 10_000 });
      await feedbackBox.locator('input').fill(FEEDBACK);
      await shot('reject-feedback');
      await feedbackBox.locator('input').press('Enter');
      await diff.waitFor({ state: 'detached', timeout: 30_000 });
      assert.equal(existsSync(path), false, 'a rejected edit writes nothing');

      // The task's other edits of that turn are accepted, each from its row; then the worker, told why, proposes
      // its revision. Row by row, not "Accept All": the revision can arrive between a look at the mock and a click
      // on Accept All, which would accept it unseen.
      const pendingHeader = pendingPane.locator('.pane-header');
      const acceptAll = pendingHeader.locator('.action-label[aria-label^="Accept All Pending Edits"]');
      const acceptAllOnce = async (): Promise<void> => {
        // View title actions show while the pointer is over the view: hover its header, then click.
        if (!(await pendingHeader.isVisible())) return;
        await pendingHeader.hover();
        if (await acceptAll.isVisible()) await acceptAll.click().catch(() => undefined);
      };
      const otherFileRow = pendingPane
        .locator('.monaco-list-row', { hasText: /^[\w.-]+\.js/ })
        .filter({ hasNotText: new RegExp(`^${name.replace('.', '\\.')}`) })
        .first();
      const acceptOtherFileOnce = async (): Promise<void> => {
        if (!(await otherFileRow.isVisible())) return;
        // A row's inline actions show while the pointer is over it.
        await otherFileRow.hover().catch(() => undefined);
        await otherFileRow
          .locator('.action-label[aria-label^="Accept Edit"]')
          .click({ timeout: 2_000 })
          .catch(() => undefined);
      };
      const toldWhy = (): boolean => mock?.requests.some((r) => JSON.stringify(r.body).includes(FEEDBACK)) ?? false;
      const told = Date.now() + 60_000;
      while (!toldWhy()) {
        if (Date.now() > told) throw new Error('the worker was not told the feedback within 60 s');
        await acceptOtherFileOnce();
        await page.waitForTimeout(100);
      }
      // The file's row, not its task's: a task's row may name the file too.
      await fileRow().waitFor({ timeout: 60_000 });
      await fileRow().click();
      await diff.waitFor({ timeout: 30_000 });
      await page
        .locator('.monaco-diff-editor .modified .view-lines', { hasText: '// module for T' })
        .waitFor({ timeout: 30_000 });
      await shot('revised-diff');
      await page.locator('.editor-actions .action-label[aria-label^="Accept Edit"]').first().click();
      await diff.waitFor({ state: 'detached', timeout: 30_000 });
      await waitUntil(() => existsSync(path), 30_000, `${name} to be written`);
      const firstLine = readFileSync(path, 'utf8').split('\n')[0] ?? '';
      assert.match(firstLine, new RegExp(`^${revisionHeader('T\\d+')}$`), 'the revision after feedback was written');

      // Accept the rest from the Pending Changes title until the run finishes.
      const finished = panel.locator('#root', { hasText: 'Run completed' });
      const deadline = Date.now() + 180_000;
      while (!(await finished.isVisible())) {
        if (Date.now() > deadline) throw new Error('the run did not finish within 180 s');
        await acceptAllOnce();
        await page.waitForTimeout(250);
      }
      // The tree reaches done: the feature counts ten of ten, each task row says done.
      const featureRow = sidebar.locator('.monaco-list-row', { hasText: '001-todo-api' }).first();
      await featureRow.locator('.label-description', { hasText: /^10\/10$/ }).waitFor({ timeout: 30_000 });
      // Each tick proves itself: the row's evidence badge says verified, and its hover says what holds. The row's
      // label (the tree) and its badge (the evidence check) are refreshed apart: wait for both in one look.
      await waitForRow(page, 'T001, done', '✓', 30_000);
      const t001 = sidebar.locator('.monaco-list-row[aria-label^="T001, done"]');
      // The row, not its label's text: the text is wider than the sidebar, and a hover over it first scrolls its
      // clipped box sideways to bring it into view, which leaves the row looking blank in the picture.
      await hoverUntil(page, t001, page.locator('.monaco-hover', { hasText: 'Evidence holds' }));
      await shot('evidence');
      await page.mouse.move(0, 0);
      await page.keyboard.press('Escape');
      // Collapse the Tasks view so the finished panel (bars, tokens, cost, log) has room for its picture.
      for (const other of ['Workers', 'Pending Changes'])
        await sidebar.locator('.pane-header', { hasText: other }).first().click();
      const tasksHeader = sidebar.locator('.pane-header', { hasText: 'Tasks' }).first();
      await tasksHeader.click();
      await panel
        .locator('table[aria-label="Tokens and cost"]', { hasText: 'Cost / budget' })
        .waitFor({ timeout: 10_000 });
      // The validation report of the run: requirement verdicts and the tests (no test command here).
      await panel.locator('h2', { hasText: 'Validation' }).waitFor({ timeout: 10_000 });
      await panel.locator('#root p', { hasText: /requirement.* · tests not run/ }).waitFor({ timeout: 10_000 });
      // The webview is an overlay the workbench moves after the layout settles: wait until it sits under its header.
      const progressHeader = sidebar.locator('.pane-header', { hasText: 'Progress' }).first();
      await waitUntilAsync(
        async () => {
          const [frame, header] = await Promise.all([
            progressWebview(page).boundingBox(),
            progressHeader.boundingBox(),
          ]);
          return frame !== null && header !== null && Math.abs(frame.y - (header.y + header.height)) < 4;
        },
        10_000,
        'the progress webview to follow the layout',
      );
      await shot('progress-finished');
      await tasksHeader.click();
      for (const other of ['Workers', 'Pending Changes'])
        await sidebar.locator('.pane-header', { hasText: other }).first().click();
      const tasksPath = join(dir, 'specs', '001-todo-api', 'tasks.md');
      const tasks = readFileSync(tasksPath, 'utf8');
      assert.equal((tasks.match(/^- \[X\] T\d+/gm) ?? []).length, 10, 'every task ticked in tasks.md');
      const requests = mock.requests;
      assert.ok(requests.length > 0);
      for (const request of requests)
        assert.ok(JSON.stringify(request.body).includes(FOCUS), 'every model call carries the focus');

      // The file and the tick, as the user sees them.
      await sidebar.locator('.monaco-list-row', { hasText: 'T001 Create the public entry point' }).click();
      await page.locator('.view-lines', { hasText: '- [X] T001' }).first().waitFor({ timeout: 30_000 });
      await shot('finished');

      // Roll back from the palette; the dialog says what it will do, and the user confirms.
      await runFromCommandPalette(page, 'Spec-Kit: Roll Back Run');
      const dialog = page.locator('.monaco-dialog-box', { hasText: /Roll back every edit of run/ });
      await dialog.waitFor({ timeout: 30_000 });
      await shot('rollback-dialog');
      await dialog.locator('.monaco-button', { hasText: /^Roll Back$/ }).click();
      await notificationToast(page, /Rolled back: \d+ restored, \d+ deleted\./).waitFor({ timeout: 60_000 });
      const after = projectFiles(dir);
      assert.deepEqual(after, before, 'every file as it was before the run, tasks.md included; the run’s files gone');
      // The open tasks.md and the tree follow the disk: no tick left.
      await page.locator('.view-lines', { hasText: '- [ ] T001' }).first().waitFor({ timeout: 30_000 });
      await featureRow.locator('.label-description', { hasText: /^0\/10$/ }).waitFor({ timeout: 30_000 });
      // The rollback voided the evidence and took the tick: the row carries no badge.
      await waitForRow(page, 'T001, pending', undefined, 30_000);
      // The lenses and the panel tell the rolled-back run, not its last state. The editor redraws the lenses in
      // its viewport a few at a time (those scrolled out of view when they come back): wait until every lens
      // the user sees says it.
      await waitUntilAsync(
        async () => {
          const shown = await visibleLensTexts(page);
          return (
            shown.some((t) => t.includes('Last run: rolled back')) && !shown.some((t) => /Last run: .*\bdone\b/.test(t))
          );
        },
        30_000,
        'every code lens in view to say "rolled back", none "done"',
      );
      await panel.locator('#root', { hasText: 'Run rolled back' }).waitFor({ timeout: 30_000 });
      await panel.locator('#root p', { hasText: /^\d+ restored, \d+ deleted$/ }).waitFor({ timeout: 10_000 });
      await shot('rolled-back');
    } catch (error) {
      await reportFailure(workbench, 'orchestra-run');
      throw error;
    }
  },
);

/** The texts of the code lenses inside the editor's visible area, read in one go in the page. */
async function visibleLensTexts(page: Page): Promise<string[]> {
  const editor = await page.locator('.monaco-editor .overflow-guard').first().boundingBox();
  if (editor === null) return [];
  const lenses = await page.locator('.codelens-decoration').evaluateAll((elements) =>
    elements.map((element) => {
      const e = element as unknown as {
        textContent: string | null;
        getBoundingClientRect(): { top: number; bottom: number };
      };
      const box = e.getBoundingClientRect();
      return { text: e.textContent ?? '', top: box.top, bottom: box.bottom };
    }),
  );
  return lenses.filter((l) => l.bottom > editor.y && l.top < editor.y + editor.height).map((l) => l.text);
}

/** What the sidebar shows of one tree row, read in one go in the page; undefined when no row has that label. */
interface RowSeen {
  label: string;
  /** The evidence badge (VS Code draws it as the `::after` content of a class it generates), if any. */
  badge: string | undefined;
}

/**
 * Waits until the sidebar's row whose accessible label starts with `label` carries `badge` (undefined: none). The
 * row is looked up afresh on every look, and its label and badge are read together in the page: a tree refresh
 * re-renders rows, and a badge read through a handle or locator taken a moment earlier can wait for an element
 * that is gone. On timeout, says what the rows showed last.
 */
async function waitForRow(page: Page, label: string, badge: string | undefined, timeoutMs: number): Promise<void> {
  const rows = page.locator('.part.sidebar .monaco-list-row');
  let seen: RowSeen[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Runs in the page (its source is sent there): the DOM's getComputedStyle, typed here, as this project has no DOM lib.
    seen = await rows.evaluateAll((elements) =>
      elements.map((element) => {
        const dom = element as unknown as {
          getAttribute(name: string): string | null;
          querySelector(selector: string): unknown;
        };
        const badgeElement = dom.querySelector('[class*="monaco-decoration-itemBadge-"]');
        const content =
          badgeElement === null
            ? 'none'
            : (
                globalThis as unknown as { getComputedStyle(e: unknown, pseudo: string): { content: string } }
              ).getComputedStyle(badgeElement, '::after').content;
        return {
          label: dom.getAttribute('aria-label') ?? '',
          badge: content === 'none' || content === '' ? undefined : content.replace(/^"|"$/g, ''),
        };
      }),
    );
    const row = seen.find((r) => r.label.startsWith(label));
    if (row !== undefined && row.badge === badge) return;
    if (Date.now() > deadline) {
      const shown = seen.map((r) => `${r.label.split(',').slice(0, 2).join(',')} [${r.badge ?? 'no badge'}]`);
      throw new Error(
        `timed out waiting for the row '${label}…' with ${badge === undefined ? 'no badge' : `badge ${badge}`}; rows: ${shown.join('; ')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Hovers `target` until `hover` shows: the workbench drops a hover whose pointer arrived while it was busy. */
async function hoverUntil(page: Page, target: Locator, hover: Locator): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    await target.hover();
    if (
      await hover.waitFor({ timeout: 3_000 }).then(
        () => true,
        () => false,
      )
    )
      return;
    await page.mouse.move(0, 0);
  }
  throw new Error('the hover did not show within 30 s');
}

/** The project's files and their text, without the run's journal and the test's settings. */
function projectFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const rel = relative(root, path);
      if (rel === join('.specify', 'orchestra') || rel === '.vscode') continue;
      if (entry.isDirectory()) walk(path);
      else files.set(rel, readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return files;
}

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
