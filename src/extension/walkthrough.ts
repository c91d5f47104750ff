import * as vscode from 'vscode';
import type { Logger } from '../core/engine';
import type { Config } from './config';
import { ContextKey, setContextKey } from './context-keys';
import type { Prompts } from './prompts';
import type { ApiKeyStore } from './secrets';

/** `contributes.walkthroughs[].id` in package.json. */
export const WALKTHROUGH_ID = 'firstRun';
const SHOWN_KEY = 'speckitOrchestra.walkthroughShown';

export interface WalkthroughDeps {
  context: vscode.ExtensionContext;
  config: Config;
  keys: ApiKeyStore;
  prompts: Prompts;
  log: Logger;
}

/** What the command table needs of the guided first run. */
export interface Walkthrough {
  open(): Promise<void>;
  /** Copies the bundled example into the extension's storage and opens it; `open: false` only copies (scripts). */
  openExample(options?: { open?: boolean }): Promise<vscode.Uri | undefined>;
}

/**
 * The guided first run (package.json `contributes.walkthroughs`): opened once, on the first activation, unless
 * the user turned walkthroughs off (see `shouldOpenOnActivation`); always from the Tasks view's title. Its first step completes when a model is ready, which the `modelReady` context key says.
 */
export function register(deps: WalkthroughDeps): { walkthrough: Walkthrough; disposables: vscode.Disposable[] } {
  const { context, config, keys, log } = deps;
  const walkthrough: Walkthrough = {
    open: async () => {
      await vscode.commands.executeCommand(
        'workbench.action.openWalkthrough',
        `${context.extension.id}#${WALKTHROUGH_ID}`,
        false,
      );
    },
    openExample: (options) => openExample(deps, options?.open ?? true),
  };
  // Only the newest check sets the key: an older one (activation's first look at the secret storage) that
  // answers after a key was stored must not turn the step back off.
  let checks = 0;
  const updateModelReady = async (): Promise<void> => {
    const check = ++checks;
    const ready = config.read().settings.provider === 'vscode-lm' || (await keys.get()) !== undefined;
    if (check === checks) setContextKey(ContextKey.modelReady, ready, log);
  };
  const refresh = (): void =>
    void updateModelReady().catch((error: unknown) => log.warn(`checking for a model: ${String(error)}`));
  refresh();
  if (shouldOpenOnActivation(context, config)) {
    // Remembered before it opens: a second window activating at the same time does not open it again.
    void context.globalState
      .update(SHOWN_KEY, true)
      .then(() =>
        vscode.commands.executeCommand(
          'workbench.action.openWalkthrough',
          `${context.extension.id}#${WALKTHROUGH_ID}`,
          // Beside nothing; behind the editor the user is typing in, if any, rather than taking its focus.
          { toSide: false, inactive: vscode.window.activeTextEditor !== undefined },
        ),
      )
      .then(undefined, (error: unknown) => log.warn(`opening the walkthrough: ${String(error)}`));
  }
  return { walkthrough, disposables: [keys.onDidChange(refresh), config.onDidChange(refresh)] };
}

/**
 * Once per user (global state), never while the extension's own tests run, and only if the user leaves VS Code's
 * `workbench.welcomePage.walkthroughs.openOnInstall` on. That setting is machine-scoped: in a remote window VS Code
 * takes it from the remote machine's settings, and so do we, as we read it through the configuration API.
 */
function shouldOpenOnActivation(context: vscode.ExtensionContext, config: Config): boolean {
  if (context.globalState.get<boolean>(SHOWN_KEY) === true) return false;
  if (context.extensionMode === vscode.ExtensionMode.Test) return false;
  return config.opensWalkthroughOnFirstUse();
}

/** The example a new user can try everything on without touching a project of theirs. */
async function openExample(deps: WalkthroughDeps, open: boolean): Promise<vscode.Uri | undefined> {
  const source = vscode.Uri.joinPath(deps.context.extensionUri, 'examples', 'todo-api');
  const copy = vscode.Uri.joinPath(deps.context.globalStorageUri, 'example', 'todo-api');
  let fresh = true;
  if (await exists(copy)) {
    const keep = 'Open It As It Is';
    const restart = 'Start Over';
    const choice = await deps.prompts.modal(
      'A copy of the example project from before exists.',
      `${copy.fsPath}\n\nOpen it with what earlier runs left in it, or start over from a fresh copy (the old copy is deleted).`,
      keep,
      restart,
    );
    if (choice === undefined) return undefined;
    fresh = choice === restart;
  }
  if (fresh) {
    // Copied beside its place and renamed into it: an interrupted copy is never opened as the example.
    const partial = vscode.Uri.joinPath(copy, '..', 'todo-api.partial');
    await removeIfPresent(partial);
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(copy, '..'));
    await vscode.workspace.fs.copy(source, partial, { overwrite: false });
    await removeIfPresent(copy);
    await vscode.workspace.fs.rename(partial, copy, { overwrite: false });
    deps.log.info(`copied the example project to ${copy.fsPath}`);
  }
  if (!open) return copy;
  const here = (vscode.workspace.workspaceFolders ?? []).length === 0;
  await vscode.commands.executeCommand('vscode.openFolder', copy, { forceNewWindow: !here });
  return copy;
}

async function removeIfPresent(uri: vscode.Uri): Promise<void> {
  if (await exists(uri)) await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: false });
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch (error) {
    if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') return false;
    throw error;
  }
}
