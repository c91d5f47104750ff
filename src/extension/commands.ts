import * as vscode from 'vscode';
import type { Logger } from '../core/util/logger';

export interface CommandDeps {
  log: Logger;
}

/** Command ids, one table: package.json contributes exactly these. */
export const CommandId = {
  implement: 'speckit-orchestra.implement',
} as const;

export const NOT_AVAILABLE_MESSAGE =
  'Spec-Kit Agent Orchestra: implementing tasks is not available in this version yet — the orchestra engine has not landed. Nothing was run.';

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.implement, async (feature?: unknown) => {
      deps.log.info(`implement requested${typeof feature === 'string' ? ` for ${feature}` : ''}; engine not available`);
      await vscode.window.showInformationMessage(NOT_AVAILABLE_MESSAGE);
      return { ran: false, reason: 'engine-not-available' } as const;
    }),
  ];
}
