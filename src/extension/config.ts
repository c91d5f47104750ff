import * as vscode from 'vscode';
import {
  CONFIG_SECTION,
  KEYS_APPLIED_AT_RUN_START,
  parseSettings,
  type OrchestraSettings,
  type ProviderId,
  type SettingsProblem,
} from './settings-parser';

export type { OrchestraSettings, ProviderId, SettingsProblem } from './settings-parser';

/** Live settings: every read goes to VS Code, so no stale copy exists; `onDidChange` names the keys that changed. */
export class Config implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<string[]>();
  readonly onDidChange = this._onDidChange.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly env: Readonly<Record<string, string | undefined>> = process.env) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      const changed = KEYS_APPLIED_AT_RUN_START.filter((key) => event.affectsConfiguration(`${CONFIG_SECTION}.${key}`));
      if (changed.length > 0) this._onDidChange.fire(changed);
    });
  }

  read(scope?: vscode.Uri): { settings: OrchestraSettings; problems: SettingsProblem[] } {
    const configuration = vscode.workspace.getConfiguration(CONFIG_SECTION, scope);
    return parseSettings((key) => configuration.get<unknown>(key), this.env);
  }

  /** VS Code's own switch for opening an extension's walkthrough when it is installed; we honour it on first use. */
  opensWalkthroughOnFirstUse(): boolean {
    return (
      vscode.workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall') ?? true
    );
  }

  /** Writes a user-level value (the "Select Model Provider" command). */
  async setProvider(provider: ProviderId): Promise<void> {
    await vscode.workspace
      .getConfiguration(CONFIG_SECTION)
      .update('provider', provider, vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChange.dispose();
  }
}
