// What e2e tests do to the web workbench, in the selectors that hold for VS Code 1.100's DOM.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { copyFixtureWorkspace, type WorkspaceCopy } from '../harness/fixture-workspace';
import { repoRoot } from '../harness/paths';
import { openWorkbench, type Workbench } from '../harness/workbench';

/**
 * For an e2e file: opens a fresh copy of test/fixtures/workspaces/<fixture> in its own workbench before
 * the file's tests and closes both after them. Call at the top level; the returned getter gives the
 * workbench inside a test.
 */
export function useWorkbench(fixture: string): () => Workbench {
  let workspace: WorkspaceCopy | undefined;
  let workbench: Workbench | undefined;
  before(async () => {
    workspace = await copyFixtureWorkspace(fixture);
    workbench = await openWorkbench({ folder: workspace.dir, extensionDevelopmentPath: repoRoot });
  });
  after(async () => {
    await workbench?.close();
    await workspace?.dispose();
  });
  return () => {
    if (workbench === undefined) throw new Error(`the workbench on '${fixture}' is not open (did before() fail?)`);
    return workbench;
  };
}

/** Opens the command palette and runs the command whose palette label is `label` ("Category: Title"). */
export async function runFromCommandPalette(page: Page, label: string, timeoutMs = 60_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  const deadline = Date.now() + timeoutMs;
  // Two races with a workbench that is still restoring, each cured by trying again: it swallows keys (the
  // F1 is lost), and the palette lists only the commands known when it opened (the extension's are not
  // there yet). So: F1, type, look for the row briefly; if either is missing, close and start over.
  while (Date.now() < deadline) {
    await page.keyboard.press('F1');
    if (await isShown(input, 1000)) {
      await input.fill(`>${label}`);
      if (await isShown(row, 3000)) {
        await row.click();
        return;
      }
      await page.keyboard.press('Escape');
    }
  }
  throw new Error(`'${label}' did not show in the command palette within ${timeoutMs} ms`);
}

async function isShown(locator: Locator, timeoutMs: number): Promise<boolean> {
  return locator.waitFor({ state: 'visible', timeout: timeoutMs }).then(
    () => true,
    () => false,
  );
}

/** The notification toast containing `text`. */
export function notificationToast(page: Page, text: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text });
}

/**
 * What a failed test prints before it rethrows: a picture of the workbench as the failure left it and the
 * extension's log, which say more than a selector timeout.
 */
export async function reportFailure(workbench: Workbench, name: string): Promise<void> {
  console.log(`failure screenshot: ${await saveScreenshot(workbench.page, `${name}-failure`).catch(String)}`);
  console.log(`extension log at the failure:\n${await workbench.extensionLogs().catch(String)}`);
}

/** Saves a PNG of the page under test-results/ (git-ignored) and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  const dir = join(repoRoot, 'test-results');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  // Transitions run to their end first: toasts slide and fade in, and a half-faded one is hard to read.
  await page.screenshot({ path, animations: 'disabled' });
  return path;
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  publisher: string;
  name: string;
};
/** The iframe of our one webview view, Progress: its URL names our extension and a view as its purpose. Any other
 * webview (a walkthrough's page, a markdown preview) is a different iframe of the same class. */
const PROGRESS_IFRAME = `iframe.webview.ready[src*="extensionId=${manifest.publisher}.${manifest.name}"][src*="purpose=webviewView"]`;

/** The Progress view's iframe element (its box, to wait for the layout). */
export function progressWebview(page: Page): Locator {
  return page.locator(PROGRESS_IFRAME);
}

/** The Progress view's content. */
export function progressPanel(page: Page): FrameLocator {
  return page.frameLocator(PROGRESS_IFRAME).frameLocator('#active-frame');
}
