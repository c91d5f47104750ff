import { isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../core/engine';
import { featureDocumentKind } from '../core/engine/light';
import {
  ClearTaskStatusNotification,
  TaskStatusNotification,
  TaskStatusStore,
  VerifyTasksRequest,
  type NotificationDeclaration,
  type RequestDeclaration,
  type TaskStatusParams,
  type VerifyTasksResult,
} from '../protocol/lsp-messages';
import { shownTaskStatus } from '../protocol/engine-events';
import type { WindowRun } from './window-run';

/** Internal command (not in the palette): the client's state, for host tests and diagnostics. */
export const LANGUAGE_SERVER_STATE_COMMAND = 'speckit-orchestra.languageServerState';

/** `not-started`: no spec-kit document has been open in this window yet, so the server was not needed. */
export type LanguageServerState = 'not-started' | 'stopped' | 'starting' | 'running' | 'start-failed';

/** The running client as the rest of the extension sees it; built by language-client-start.ts. */
export interface StartedLanguageClient extends vscode.Disposable {
  state(): Exclude<LanguageServerState, 'not-started'>;
  readonly onDidChangeState: vscode.Event<LanguageServerState>;
  notify<P>(declaration: NotificationDeclaration<P>, params: P): Promise<void>;
  request<P, R>(declaration: RequestDeclaration<P, R>, params: P): Promise<R>;
}

/** Requests other features make of the server; it is started for them when it is not running yet. */
export interface LanguageServerRequests {
  /** Verifies a tasks.md's evidence and fills the Problems view with the result; undefined: no server. */
  verifyTasks(uri: vscode.Uri): Promise<VerifyTasksResult | undefined>;
}

/** How long a request waits for the server to come up. */
const SERVER_START_DEADLINE_MS = 20_000;

/** The documents the server serves, and plan.md, which a user opens on the way to them. */
export function isSpecKitDocument(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file' && featureDocumentKind(document.uri.path) !== undefined;
}

/**
 * Run statuses the engine reports, forwarded to the server for hovers and lenses. It keeps the latest status
 * of every task so a (re)started server gets the picture again; updates before the client runs are kept too.
 */
export class TaskStatusForwarder {
  private readonly latest = new TaskStatusStore();
  private client: StartedLanguageClient | undefined;

  constructor(private readonly log: Logger) {}

  updateTaskStatus(params: TaskStatusParams): void {
    this.latest.update(params);
    this.send(TaskStatusNotification, params);
  }

  clearTaskStatus(uri: string): void {
    this.latest.clear(uri);
    this.send(ClearTaskStatusNotification, { uri });
  }

  /** Called when the client starts running (everything known is replayed) and with undefined when it stops. */
  attach(client: StartedLanguageClient | undefined): void {
    this.client = client;
    for (const params of this.latest.snapshot()) this.send(TaskStatusNotification, params);
  }

  private send<P>(declaration: NotificationDeclaration<P>, params: P): void {
    if (this.client?.state() !== 'running') return;
    this.client
      .notify(declaration, params)
      .catch((error: unknown) => this.log.warn(`language server: could not forward task status: ${String(error)}`));
  }
}

/** The run's tasks.md as the client names it to the server; the engine reports it relative to the run's root. */
function tasksUriOf(session: WindowRun): string | undefined {
  const { tasksPath } = session.view;
  if (tasksPath === undefined) return undefined;
  if (isAbsolute(tasksPath)) return vscode.Uri.file(tasksPath).toString();
  return session.root && vscode.Uri.joinPath(session.root, ...tasksPath.split(/[\\/]/)).toString();
}

/** The statuses of the window's run, per task, as the server's hovers and lenses show them. */
function forwardRunStatuses(session: WindowRun, forwarder: TaskStatusForwarder): vscode.Disposable {
  return session.onDidChange((change) => {
    const view = session.view;
    const uri = tasksUriOf(session);
    if (view.runId === undefined || uri === undefined) return;
    if (change.kind === 'reset' || change.event.type === 'run-started') {
      // A new run's picture replaces the last one's; so does a rollback's (`WindowRun.noteRollback`).
      forwarder.clearTaskStatus(uri);
      const at = view.startedAt ?? new Date().toISOString();
      forwarder.updateTaskStatus({
        uri,
        runId: view.runId,
        tasks: [...view.tasks.values()].map((t) => {
          const status = shownTaskStatus(view, t.key) ?? t.status;
          return { taskId: t.id, status, at: status === 'rolled-back' ? (view.rolledBack?.at ?? at) : at };
        }),
      });
      return;
    }
    const event = change.event;
    if (event.type !== 'task-status') return;
    const taskId = view.tasks.get(event.taskKey)?.id;
    if (taskId === undefined) return;
    const { status, workerId, role, message, at } = event;
    forwarder.updateTaskStatus({
      uri,
      runId: view.runId,
      tasks: [
        {
          taskId,
          status,
          at,
          ...(workerId !== undefined ? { workerId } : {}),
          ...(role !== undefined ? { role } : {}),
          ...(message !== undefined ? { message } : {}),
        },
      ],
    });
  });
}

export interface LanguageClientDeps {
  context: vscode.ExtensionContext;
  log: Logger;
  session: WindowRun;
}

/**
 * The spec-kit language server, started on demand: the first time a spec-kit document is open (at activation
 * or later), the client module is loaded and the server process started; it then serves every matching
 * document, including those already open. Until then the window pays nothing for it.
 */
export function registerLanguageClient(deps: LanguageClientDeps): {
  disposables: vscode.Disposable[];
  requests: LanguageServerRequests;
} {
  const forwarder = new TaskStatusForwarder(deps.log);
  let client: StartedLanguageClient | undefined;
  let starting: Promise<void> | undefined;
  let disposed = false;
  const start = (): void => {
    starting ??= import('./language-client-start').then(
      ({ startLanguageClient }) => {
        if (disposed) return;
        const started = startLanguageClient(deps.context.extensionUri, deps.log);
        client = started;
        started.onDidChangeState((state) => forwarder.attach(state === 'running' ? started : undefined));
      },
      (error: unknown) =>
        deps.log.error(
          `language server: the client module did not load: ${error instanceof Error ? error.message : String(error)}`,
        ),
    );
  };
  const startFor = (document: vscode.TextDocument): void => {
    if (isSpecKitDocument(document)) start();
  };
  vscode.workspace.textDocuments.forEach(startFor);

  /** The running client: started when needed, waited for within a deadline. */
  const running = async (): Promise<StartedLanguageClient | undefined> => {
    start();
    await starting;
    const started = client;
    if (!started || started.state() === 'running') return started;
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), SERVER_START_DEADLINE_MS);
      const listener = started.onDidChangeState((state) => {
        if (state === 'running') finish(started);
        else if (state === 'start-failed' || state === 'stopped') finish(undefined);
      });
      function finish(result: StartedLanguageClient | undefined): void {
        clearTimeout(timer);
        listener.dispose();
        resolve(result);
      }
    });
  };
  const requests: LanguageServerRequests = {
    async verifyTasks(uri) {
      const started = await running();
      if (!started) return undefined;
      return (await started.request(VerifyTasksRequest, { uri: uri.toString() })) ?? undefined;
    },
  };

  const disposables = [
    vscode.workspace.onDidOpenTextDocument(startFor),
    vscode.commands.registerCommand(
      LANGUAGE_SERVER_STATE_COMMAND,
      (): LanguageServerState => client?.state() ?? 'not-started',
    ),
    forwardRunStatuses(deps.session, forwarder),
    {
      dispose: () => {
        disposed = true;
        forwarder.attach(undefined);
        client?.dispose();
      },
    },
  ];
  return { disposables, requests };
}
