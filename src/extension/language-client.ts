import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { Logger } from '../core/util/logger';
import {
  ClearTaskStatusNotification,
  LspCommandId,
  parseRunPhaseArgs,
  parseRunTaskArgs,
  TaskStatusNotification,
  TaskStatusStore,
  type NotificationDeclaration,
  type RunPhaseArgs,
  type RunTaskArgs,
  type TaskStatusParams,
} from '../protocol/lsp-messages';
import { NOT_AVAILABLE_MESSAGE } from './commands';

/** What a lens's command hands back: the engine's own result when it ran, otherwise why it did not. */
export type RunRequestResult = { ran: true; result: unknown } | { ran: false; reason: 'engine-not-available' | 'invalid-arguments' };

export interface LanguageClientDeps {
  context: vscode.ExtensionContext;
  log: Logger;
  /** The engine's entry points; until the engine is wired the lens commands say running is not available. */
  runTask?: (args: RunTaskArgs) => Promise<unknown>;
  runPhase?: (args: RunPhaseArgs) => Promise<unknown>;
}

/** Internal command (not in the palette): the client's state, for host tests and diagnostics. */
export const LANGUAGE_SERVER_STATE_COMMAND = 'speckit-orchestra.languageServerState';

export type LanguageServerState = 'stopped' | 'starting' | 'running' | 'start-failed';

/**
 * The spec-kit files the server serves. Markdown keeps its own language id (no new language is invented);
 * the pattern narrows the server to spec-kit feature folders. spec.md is synced too: editing a user story
 * changes which story labels tasks.md may use, before the file is saved.
 */
export const SPECKIT_DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'markdown', pattern: '**/specs/**/tasks.md' },
  { scheme: 'file', language: 'markdown', pattern: '**/specs/**/spec.md' },
] as const;

function sendDeclared<P>(client: LanguageClient, declaration: NotificationDeclaration<P>, params: P): Promise<void> {
  return client.sendNotification(declaration.method, params);
}

function toLanguageServerState(state: State): LanguageServerState {
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

/**
 * Run statuses the engine reports, forwarded to the server for hovers and lenses. It keeps the latest status
 * of every task so a restarted server gets the picture again; updates before the client runs are kept too.
 */
export class TaskStatusForwarder {
  private readonly latest = new TaskStatusStore();
  private client: LanguageClient | undefined;
  private log: Logger | undefined;

  updateTaskStatus(params: TaskStatusParams): void {
    this.latest.update(params);
    this.send(params);
  }

  clearTaskStatus(uri: string): void {
    this.latest.clear(uri);
    const client = this.runningClient();
    if (client) this.notify(sendDeclared(client, ClearTaskStatusNotification, { uri }));
  }

  /** Called by the client feature; `undefined` when it stops. */
  attach(client: LanguageClient | undefined, log: Logger): void {
    this.client = client;
    this.log = log;
    for (const params of this.latest.snapshot()) this.send(params);
  }

  private send(params: TaskStatusParams): void {
    const client = this.runningClient();
    if (client) this.notify(sendDeclared(client, TaskStatusNotification, params));
  }

  private runningClient(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  private notify(sent: Promise<void>): void {
    sent.catch((error: unknown) => this.log?.warn(`language server: could not forward task status: ${String(error)}`));
  }
}

/** The client's face for the rest of the extension: the engine integration calls `updateTaskStatus`. */
export const languageClientApi = new TaskStatusForwarder();

function registerRunCommands(deps: LanguageClientDeps): vscode.Disposable[] {
  const notAvailable = (what: string): RunRequestResult => {
    deps.log.info(`${what} requested from a code lens; engine not available`);
    // Not awaited: the message resolves only when dismissed, and the caller should learn the outcome now.
    void vscode.window.showInformationMessage(NOT_AVAILABLE_MESSAGE);
    return { ran: false, reason: 'engine-not-available' };
  };
  const invalid = (command: string, value: unknown): RunRequestResult => {
    deps.log.warn(`${command}: ignored arguments it cannot read: ${JSON.stringify(value) ?? String(value)}`);
    return { ran: false, reason: 'invalid-arguments' };
  };
  return [
    vscode.commands.registerCommand(LspCommandId.runTask, async (value: unknown): Promise<RunRequestResult> => {
      const args = parseRunTaskArgs(value);
      if (!args) return invalid(LspCommandId.runTask, value);
      if (!deps.runTask) return notAvailable(`run task ${args.taskId}`);
      return { ran: true, result: await deps.runTask(args) };
    }),
    vscode.commands.registerCommand(LspCommandId.runPhase, async (value: unknown): Promise<RunRequestResult> => {
      const args = parseRunPhaseArgs(value);
      if (!args) return invalid(LspCommandId.runPhase, value);
      if (!deps.runPhase) return notAvailable(`run phase "${args.phaseTitle}"`);
      return { ran: true, result: await deps.runPhase(args) };
    }),
  ];
}

/**
 * Starts the spec-kit language server (dist/server.js, a separate process over IPC) for tasks.md and spec.md
 * under `specs/`, and registers the commands its code lenses invoke.
 */
export function registerLanguageClient(deps: LanguageClientDeps): vscode.Disposable[] {
  const serverModule = vscode.Uri.joinPath(deps.context.extensionUri, 'dist', 'server.js').fsPath;
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const specWatcher = vscode.workspace.createFileSystemWatcher('**/specs/**/spec.md');
  const clientOptions: LanguageClientOptions = {
    documentSelector: [...SPECKIT_DOCUMENT_SELECTOR],
    // spec.md changed on disk (not open in an editor) still changes which story labels are valid.
    synchronize: { fileEvents: specWatcher },
    initializationFailedHandler: (error) => {
      deps.log.error(error instanceof Error ? error : String(error));
      return false;
    },
  };
  const client = new LanguageClient('speckitOrchestra', 'Spec-Kit Language Server', serverOptions, clientOptions);

  const stateListener = client.onDidChangeState((event) => {
    deps.log.info(`language server: ${toLanguageServerState(event.newState)}`);
    languageClientApi.attach(event.newState === State.Running ? client : undefined, deps.log);
  });
  client.start().catch((error: unknown) => {
    deps.log.error(`language server failed to start: ${error instanceof Error ? error.message : String(error)}`);
  });

  return [
    ...registerRunCommands(deps),
    vscode.commands.registerCommand(LANGUAGE_SERVER_STATE_COMMAND, (): LanguageServerState => toLanguageServerState(client.state)),
    stateListener,
    specWatcher,
    {
      dispose: () => {
        languageClientApi.attach(undefined, deps.log);
        client.stop().catch((error: unknown) => deps.log.warn(`language server did not stop cleanly: ${String(error)}`));
      },
    },
  ];
}
