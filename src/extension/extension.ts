import * as vscode from 'vscode';
import { CommandId, registerCommands } from './commands';
import { Config } from './config';
import * as contextKeys from './context-keys';
import { registerLanguageClient } from './language-client';
import { createLog, type LogLine } from './log';
import type { ProgressViewProvider } from './progress/progress-view';
import { createPrompts, type Prompts } from './prompts';
import { PROPOSAL_SCHEME, ProposalFileSystem } from './review/proposal-file-system';
import { pendingProposalSide, ReviewController } from './review/review-controller';
import { WindowRun, type RunHandle } from './window-run';
import { ApiKeyStore } from './secrets';
import { TaskDocuments } from './trees/task-documents';
import { EVIDENCE_CONTENT_SCHEME, EvidenceContentProvider } from './evidence/evidence-hover';
import { TaskEvidence } from './evidence/task-evidence';
import * as views from './views';
import * as walkthrough from './walkthrough';

/**
 * What `activate` returns (`extension.exports`): the window's run and its views, read-only, and a way to
 * show a run started elsewhere. Host tests drive the UI through it; nothing here bypasses the engine.
 */
export interface OrchestraApi {
  readonly session: Pick<WindowRun, 'view' | 'onDidChange' | 'isActive' | 'recentEvents' | 'root'>;
  readonly trees: views.Trees;
  /** The evidence states of ticked tasks (the Tasks tree's decorations and hovers). */
  readonly evidence: TaskEvidence;
  readonly progressView: ProgressViewProvider;
  /** The Tasks view badge and the run's status bar item, as shown now. */
  readonly chrome: views.Chrome;
  attachRun(run: RunHandle, root: vscode.Uri): void;
  /**
   * The modal questions (unsaved-file overwrite, rollback, running the test command, hooks, plans). A script
   * or a host test, which cannot click a modal, answers them by replacing `modal`.
   */
  readonly prompts: Prompts;
  /** Every line written to the log channel, at every level, as it is written. */
  readonly onDidLog: vscode.Event<LogLine>;
  /** How long `activate` itself took, for the activation benchmark. */
  readonly activateMs: number;
}

/** The engine glue is its own bundle (dist/extension-engine.js), loaded by the first command that needs it. */
function loadEngineGlue(): Promise<typeof import('./engine-factory')> {
  return import('./engine-factory');
}

/** Wiring only: each feature registers itself and hands back its disposables. */
export function activate(context: vscode.ExtensionContext): OrchestraApi | undefined {
  const started = performance.now();
  const { log, channel, onDidLog, dispose: disposeLog } = createLog();
  context.subscriptions.push({ dispose: disposeLog });
  try {
    const config = new Config();
    const keys = new ApiKeyStore(context.secrets, log);
    context.subscriptions.push(keys);
    const prompts = createPrompts();
    const session = new WindowRun();
    const documents = new TaskDocuments(log);
    const proposals = new ProposalFileSystem((id, side, relPath) =>
      pendingProposalSide(session.run, id, side, relPath),
    );
    const review = new ReviewController(session, proposals, log, prompts);
    const evidence = new TaskEvidence(documents, session, log);
    const languageServer = registerLanguageClient({ context, log, session });
    const sidebar = views.register({
      evidence,
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
    const guide = walkthrough.register({ context, config, keys, prompts, log });
    context.subscriptions.push(
      config,
      session,
      documents,
      proposals,
      review,
      vscode.workspace.registerFileSystemProvider(PROPOSAL_SCHEME, proposals, { isCaseSensitive: true }),
      config.onDidChange((keysChanged) => {
        if (session.isActive)
          void vscode.window.showInformationMessage(
            `Changed settings (${keysChanged.join(', ')}) apply to the next run.`,
          );
      }),
      ...contextKeys.register(session, log),
      evidence,
      vscode.window.registerFileDecorationProvider(evidence),
      vscode.workspace.registerTextDocumentContentProvider(EVIDENCE_CONTENT_SCHEME, new EvidenceContentProvider()),
      ...registerCommands({
        log,
        evidence,
        languageServer: languageServer.requests,
        config,
        keys,
        session,
        review,
        documents,
        prompts,
        createEngine: async (settings) => (await loadEngineGlue()).createEngineFor(settings, { keys, log, prompts }),
        detectCommands: async (root, signal) => (await loadEngineGlue()).detectCommands(root, signal),
        showLog: () => channel.show(true),
        walkthrough: guide.walkthrough,
      }),
      ...guide.disposables,
      ...sidebar.disposables,
      ...languageServer.disposables,
    );
    const activateMs = performance.now() - started;
    log.info(
      `activated (${String((context.extension.packageJSON as { version?: unknown }).version)}) in ${activateMs.toFixed(1)} ms`,
    );
    return {
      session,
      trees: sidebar.trees,
      evidence,
      progressView: sidebar.progress,
      chrome: sidebar.chrome,
      attachRun: (run, root) => session.attach(run, root),
      prompts,
      onDidLog,
      activateMs,
    };
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
