import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import packageJson from '../../package.json';
import { CommandId } from '../../src/extension/commands';
import type { OrchestraApi } from '../../src/extension/extension';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMockAnthropic, type MockAnthropic } from '../mock-anthropic';
import { wellBehaved } from '../unit/engine/run/harness';
import { waitFor } from './wait';

/** The extension's API once it has activated (activation events fire on the fixture's spec-kit files). */
export async function orchestraApi(): Promise<OrchestraApi> {
  const extension = vscode.extensions.getExtension<OrchestraApi | undefined>(
    `${packageJson.publisher}.${packageJson.name}`,
  );
  assert.ok(extension);
  const exports = await waitFor('activation', () => (extension.isActive ? extension.exports : undefined), 20_000);
  assert.ok(exports, 'activate returned its API');
  return exports;
}

/** Runs a command that may await a notification; dismisses notifications, as a user would, until it returns. */
export async function runDismissing<T>(command: string, ...args: unknown[]): Promise<T> {
  let outcome: { value: T } | undefined;
  const running = Promise.resolve(vscode.commands.executeCommand<T>(command, ...args)).then((value) => {
    outcome = { value };
  });
  await waitFor(
    `${command} to return`,
    async () => {
      await vscode.commands.executeCommand('notifications.clearAll');
      return outcome;
    },
    60_000,
  );
  await running;
  assert.ok(outcome);
  return outcome.value;
}

/** Reviews until the run finishes: each of `firsts` decides one proposal in turn, then everything is accepted. */
export async function reviewUntilFinished(
  orchestra: OrchestraApi,
  ...firsts: ((proposalId: string) => Promise<void>)[]
): Promise<void> {
  // A decided proposal can still show as pending for a moment (the view follows the run's events): each is
  // handed to one decision only, never to the next one as well.
  const decided = new Set<string>();
  await waitFor(
    'the run to finish',
    async () => {
      if (orchestra.session.view.finished) return true;
      const pending = [...orchestra.session.view.pending.keys()].find((id) => !decided.has(id));
      if (pending === undefined) return undefined;
      const next = firsts.shift();
      if (next) {
        decided.add(pending);
        await next(pending);
      } else await vscode.commands.executeCommand(CommandId.acceptAllPendingEdits);
      return undefined;
    },
    240_000,
  );
}

/** The run's outcome with every failed task's reason, for an assertion message that says why. */
export function outcomeReport(orchestra: OrchestraApi): string {
  const failures = orchestra.session.recentEvents.flatMap((event) =>
    event.type === 'task-status' && event.status === 'failed' ? [`${event.taskKey}: ${event.message ?? '?'}`] : [],
  );
  return [orchestra.session.view.finished?.message ?? 'not finished', ...failures].join('\n');
}

/** The first workspace folder's path (the suite's copy of the example). */
export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder);
  return folder.uri.fsPath;
}

export const HOST_TEST_KEY = 'sk-host-test';

/**
 * What a suite that runs the example needs: the well-behaved team on the wire mock, the workspace settings
 * pointing at it with no test command, a stored key, and tasks.md with every tick taken back (`ticked` ids
 * stay ticked). The caller closes the mock.
 */
export async function prepareRuns(options: { ticked?: readonly string[] } = {}): Promise<MockAnthropic> {
  await orchestraApi();
  const root = workspaceRoot();
  const mock = await startMockAnthropic({ apiKeys: [HOST_TEST_KEY] });
  mock.setHandler(wellBehaved((path) => existsSync(join(root, path))));
  const settings = vscode.workspace.getConfiguration('speckitOrchestra');
  await settings.update('anthropic.baseUrl', mock.url, vscode.ConfigurationTarget.Workspace);
  await settings.update('testCommand', '', vscode.ConfigurationTarget.Workspace);
  await settings.update('detectTestCommand', false, vscode.ConfigurationTarget.Workspace);
  assert.equal(await vscode.commands.executeCommand(CommandId.setApiKey, HOST_TEST_KEY), true);
  const tasksPath = join(root, 'specs/001-todo-api/tasks.md');
  const text = readFileSync(tasksPath, 'utf8').replace(/^- \[[xX]\] (T\d+)/gm, (line, id: string) =>
    options.ticked?.includes(id) === true ? line : `- [ ] ${id}`,
  );
  await vscode.workspace.fs.writeFile(vscode.Uri.file(tasksPath), new TextEncoder().encode(text));
  await vscode.commands.executeCommand(CommandId.refreshTasks);
  return mock;
}
