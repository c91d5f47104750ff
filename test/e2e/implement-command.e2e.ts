// The user's path to "Implement Spec-Kit Tasks" in a real workbench with no API key stored: the command
// palette, then the notification that says what happened instead of a run.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { notificationToast, reportFailure, runFromCommandPalette, saveScreenshot, useWorkbench } from './workbench-ui';

const workbench = useWorkbench('basic');

test(
  'Implement Spec-Kit Tasks from the palette, without an API key, says why nothing runs',
  { timeout: 120_000 },
  async () => {
    const { page } = workbench();
    try {
      await runFromCommandPalette(page, 'Spec-Kit: Implement Spec-Kit Tasks');
      // Until the engine is ready it says implementing is not available yet; with the engine it asks for
      // an API key (then shows the dry run of the fixture's feature). The message must say which.
      const why = /not available in this version yet|needs an Anthropic API key|Dry run of 001-demo/;
      const toast = notificationToast(page, why);
      await toast.waitFor({ timeout: 30_000 });
      assert.match(await toast.innerText(), why);
      assert.match(await toast.innerText(), /Spec-Kit Agent Orchestra/, 'the toast names the extension');
      console.log(`screenshot: ${await saveScreenshot(page, 'implement-without-key')}`);
    } catch (error) {
      await reportFailure(workbench(), 'implement-without-key');
      throw error;
    }
  },
);
