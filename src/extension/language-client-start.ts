/*
 * The language client itself, loaded the first time a spec-kit document is open (`import()` in
 * language-client.ts, bundled as dist/extension-lsp.js): vscode-languageclient is a large module, and most
 * windows that activate the extension never open a spec-kit document.
 */
import * as vscode from 'vscode';
import {
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { Logger } from '../core/engine';
import { FEATURE_DOCUMENT_GLOBS, featureDocumentGlob } from '../core/engine/light';
import type { NotificationDeclaration, RequestDeclaration } from '../protocol/lsp-messages';
import type { LanguageServerState, StartedLanguageClient } from './language-client';

/**
 * The spec-kit files the server serves. Markdown keeps its own language id (no new language is invented);
 * the patterns narrow the server to spec-kit feature folders. tasks.md gets the task features; spec.md and
 * plan.md get outlines and their own diagnostics. The three are synced while open, so an unsaved user story
 * in spec.md already changes which story labels tasks.md may use.
 */
const SPECKIT_DOCUMENT_SELECTOR = Object.values(FEATURE_DOCUMENT_GLOBS)
  .flat()
  .map((pattern) => ({ scheme: 'file', language: 'markdown', pattern }));

/**
 * Files whose changes on disk (not open in an editor) change another file's diagnostics: spec.md decides
 * which story labels tasks.md may use, and tasks.md decides which stories in spec.md have no tasks (a run
 * ticks tasks.md on disk).
 */
const CROSS_FILE_WATCH_GLOB = featureDocumentGlob(['spec', 'tasks']);

function toLanguageServerState(state: State): Exclude<LanguageServerState, 'not-started'> {
  switch (state) {
    case State.Stopped:
      return 'stopped';
    case State.Starting:
      return 'starting';
    case State.Running:
      return 'running';
    case State.StartFailed:
      return 'start-failed';
    default: {
      const unexpected: never = state;
      return unexpected;
    }
  }
}

/** Starts dist/server.js (a separate process over IPC) for tasks.md, spec.md and plan.md under `specs/`. */
export function startLanguageClient(extensionUri: vscode.Uri, log: Logger): StartedLanguageClient {
  const serverModule = vscode.Uri.joinPath(extensionUri, 'dist', 'server.js').fsPath;
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', '--inspect=6019'] },
    },
  };
  const crossFileWatcher = vscode.workspace.createFileSystemWatcher(CROSS_FILE_WATCH_GLOB);
  const clientOptions: LanguageClientOptions = {
    documentSelector: SPECKIT_DOCUMENT_SELECTOR,
    synchronize: { fileEvents: crossFileWatcher },
    initializationFailedHandler: (error) => {
      log.error(error instanceof Error ? error : String(error));
      return false;
    },
  };
  const client = new LanguageClient('speckitOrchestra', 'Spec-Kit Language Server', serverOptions, clientOptions);
  const stateChanged = new vscode.EventEmitter<LanguageServerState>();
  const stateListener = client.onDidChangeState((event) => {
    const state = toLanguageServerState(event.newState);
    log.info(`language server: ${state}`);
    stateChanged.fire(state);
  });
  client.start().catch((error: unknown) => {
    log.error(`language server failed to start: ${error instanceof Error ? error.message : String(error)}`);
  });
  return {
    state: () => toLanguageServerState(client.state),
    onDidChangeState: stateChanged.event,
    notify: <P>(declaration: NotificationDeclaration<P>, params: P) =>
      client.sendNotification(declaration.method, params),
    request: <P, R>(declaration: RequestDeclaration<P, R>, params: P) =>
      client.sendRequest<R>(declaration.method, params),
    dispose: () => {
      stateListener.dispose();
      stateChanged.dispose();
      crossFileWatcher.dispose();
      client.stop().catch((error: unknown) => log.warn(`language server did not stop cleanly: ${String(error)}`));
    },
  };
}
