import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import packageJson from '../../package.json';
import { CommandId } from '../../src/extension/commands';
import type { OrchestraApi } from '../../src/extension/extension';
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
  await waitFor(
    'the run to finish',
    async () => {
      if (orchestra.session.view.finished) return true;
      const pending = [...orchestra.session.view.pending.keys()];
      if (pending[0] === undefined) return undefined;
      const next = firsts.shift();
      if (next) await next(pending[0]);
      else await vscode.commands.executeCommand(CommandId.acceptAllPendingEdits);
      return undefined;
    },
    240_000,
  );
}
