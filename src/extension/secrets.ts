import * as vscode from 'vscode';
import type { Logger } from '../core/engine';

const ANTHROPIC_KEY = 'speckit-orchestra.anthropicApiKey';

/** The Anthropic key, kept in SecretStorage only: never in settings, never logged, never in an error message. */
export class ApiKeyStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly secretChanges: vscode.Disposable;
  /**
   * The key was stored or removed: here, once the store has it (not only when the secret storage's own event
   * makes its round trip), or in another window.
   */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: Logger,
  ) {
    this.secretChanges = secrets.onDidChange((event) => {
      if (event.key === ANTHROPIC_KEY) this.changed.fire();
    });
  }

  async get(): Promise<string | undefined> {
    const key = await this.secrets.get(ANTHROPIC_KEY);
    return key === undefined || key.trim() === '' ? undefined : key;
  }

  /** Asks for the key in a password box and stores it; returns false when the user cancelled. */
  async prompt(): Promise<boolean> {
    const value = await vscode.window.showInputBox({
      title: 'Set Anthropic API Key',
      prompt: "Stored in VS Code's secret storage on this machine; sent only to the Anthropic API endpoint.",
      password: true,
      ignoreFocusOut: true,
      placeHolder: 'sk-ant-…',
      validateInput: (text) =>
        text.trim() === ''
          ? 'Enter a key, or press Escape to cancel.'
          : /\s/.test(text.trim())
            ? 'A key has no spaces.'
            : undefined,
    });
    if (value === undefined) return false;
    await this.store(value.trim());
    void vscode.window.showInformationMessage('Anthropic API key saved.');
    return true;
  }

  async store(key: string): Promise<void> {
    await this.secrets.store(ANTHROPIC_KEY, key);
    this.log.info('Anthropic API key stored in secret storage');
    this.changed.fire();
  }

  async clear(): Promise<void> {
    await this.secrets.delete(ANTHROPIC_KEY);
    this.log.info('Anthropic API key removed from secret storage');
    this.changed.fire();
  }

  dispose(): void {
    this.secretChanges.dispose();
    this.changed.dispose();
  }

  /**
   * The key, or — when there is none — a message with a "Set API Key" button (pressing it prompts), and
   * undefined. Callers stop quietly on undefined; the user has been told what to do.
   */
  async require(): Promise<string | undefined> {
    const key = await this.get();
    if (key !== undefined) return key;
    this.log.warn('no Anthropic API key stored; asked the user to set one');
    const choice = await vscode.window.showWarningMessage(
      'Spec-Kit Orchestra needs an Anthropic API key to run agents. Browsing tasks and the dry-run forecast work without one.',
      'Set API Key',
      'Use VS Code Models',
    );
    if (choice === 'Set API Key' && (await this.prompt())) return this.get();
    if (choice === 'Use VS Code Models') await vscode.commands.executeCommand('speckit-orchestra.selectModelProvider');
    return undefined;
  }
}
