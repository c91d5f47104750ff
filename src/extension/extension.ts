import * as vscode from 'vscode';
import { CommandId, registerCommands } from './commands';
import { Config } from './config';
import * as contextKeys from './context-keys';
import { registerLanguageClient } from './language-client';
import { createLog } from './log';
import { PROPOSAL_SCHEME, ProposalFileSystem } from './review/proposal-file-system';
import { ReviewController } from './review/review-controller';
import { RunSession, type RunHandle } from './run-session';
import { ApiKeyStore } from './secrets';
import { TaskDocuments } from './trees/task-documents';
import * as views from './views';

/**
 * What `activate` returns (`extension.exports`): the window's run and its trees, read-only, and a way to
 * show a run started elsewhere. Host tests drive the UI through it; nothing here bypasses the engine.
 */
export interface OrchestraApi {
  readonly session: Pick<RunSession, 'view' | 'onDidChange' | 'isActive' | 'recentEvents' | 'root'>;
  readonly trees: views.Trees;
  attachRun(run: RunHandle, root: vscode.Uri): void;
  /** How long `activate` itself took, for the activation benchmark. */
  readonly activateMs: number;
}

/** Wiring only: each feature registers itself and hands back its disposables. */
export function activate(context: vscode.ExtensionContext): OrchestraApi | undefined {
  const started = performance.now();
  const { log, channel } = createLog();
  context.subscriptions.push(channel);
  try {
    const config = new Config();
    const keys = new ApiKeyStore(context.secrets, log);
    const session = new RunSession();
    const documents = new TaskDocuments(log);
    const proposals = new ProposalFileSystem();
    const review = new ReviewController(session, proposals, log);
    const sidebar = views.register({
      extensionUri: context.extensionUri,
      session,
      documents,
      log,
      showProgressCommand: CommandId.showProgressPanel,
      runPanelCommand: (command) => {
        switch (command) {
          case 'cancelRun':
            return vscode.commands.executeCommand(CommandId.cancelRun);
          case 'implement':
            return vscode.commands.executeCommand(CommandId.implement);
          case 'showPendingChanges':
            return vscode.commands.executeCommand('speckitOrchestra.pendingChanges.focus');
          case 'showLog':
            channel.show(true);
            return Promise.resolve();
        }
      },
    });
    context.subscriptions.push(
      config,
      session,
      documents,
      proposals,
      review,
      vscode.workspace.registerFileSystemProvider(PROPOSAL_SCHEME, proposals, { isCaseSensitive: true }),
      config.onDidChange((keysChanged) => {
        if (session.isActive) void vscode.window.showInformationMessage(`Changed settings (${keysChanged.join(', ')}) apply to the next run.`);
      }),
      ...contextKeys.register(session),
      ...registerCommands({ log, config, keys, session, review, documents, createEngine: async (settings) => (await import('./engine-factory')).createEngineFor(settings, { keys, log }), showLog: () => channel.show(true) }),
      ...sidebar.disposables,
      ...registerLanguageClient({ context, log }),
    );
    const activateMs = performance.now() - started;
    log.info(`activated (${String((context.extension.packageJSON as { version?: unknown }).version)}) in ${activateMs.toFixed(1)} ms`);
    return { session, trees: sidebar.trees, attachRun: (run, root) => session.attach(run, root), activateMs };
  } catch (error) {
    // VS Code stays silent when activate throws; say it ourselves.
    log.error(error instanceof Error ? error : String(error));
    void vscode.window.showErrorMessage(`Spec-Kit Agent Orchestra failed to start: ${String(error)}`);
    return undefined;
  }
}

export function deactivate(): void {
  // Disposables registered on the context are released by VS Code.
}
