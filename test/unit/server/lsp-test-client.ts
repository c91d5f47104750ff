// A real LSP connection to the server, in process: two pipes, the server's own `createConnection` on one
// end and a JSON-RPC protocol connection on the other. Every request goes through serialisation and the
// server's dispatch exactly as from an editor; only the process boundary is missing.
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import {
  CodeActionRequest,
  CodeLensRequest,
  CompletionRequest,
  createConnection,
  createProtocolConnection,
  DefinitionRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type CodeAction,
  type CodeLens,
  type Command,
  type CompletionItem,
  type CompletionList,
  type Definition,
  type Diagnostic,
  type DocumentSymbol,
  type FoldingRange,
  type Hover,
  type LocationLink,
  type Position,
  type ProtocolConnection,
  type Range,
  type SymbolInformation,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver/node';
import { startLanguageServer } from '../../../src/server/server';
import {
  ClearTaskStatusNotification,
  TaskStatusNotification,
  VerifyTasksRequest,
  type TaskStatusParams,
  type VerifyTasksResult,
} from '../../../src/protocol/lsp-messages';

const DEFAULT_DEADLINE_MS = 5_000;

export interface PublishedDiagnostics {
  uri: string;
  version: number | undefined;
  diagnostics: Diagnostic[];
}

export class LspTestClient {
  private readonly published = new Map<string, PublishedDiagnostics[]>();
  private readonly waiters = new Set<() => void>();
  private readonly versions = new Map<string, number>();

  private constructor(private readonly connection: ProtocolConnection) {
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      const list = this.published.get(params.uri) ?? [];
      list.push({ uri: params.uri, version: params.version, diagnostics: params.diagnostics });
      this.published.set(params.uri, list);
      for (const wake of [...this.waiters]) wake();
    });
    // The server asks for lens refreshes when run statuses change; a client that supports it answers.
    connection.onRequest('workspace/codeLens/refresh', () => null);
  }

  /** Starts a server in process and initializes it with `rootPath` as the only workspace folder. */
  static async start(rootPath: string): Promise<LspTestClient> {
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    startLanguageServer(createConnection(toServer, toClient));
    const connection = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
    connection.listen();
    const client = new LspTestClient(connection);
    const rootUri = pathToFileURL(rootPath).href;
    await connection.sendRequest(InitializeRequest.type, {
      processId: null,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'fixture' }],
      capabilities: {
        workspace: { codeLens: { refreshSupport: true } },
        textDocument: {
          publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          completion: { completionItem: { snippetSupport: false } },
          definition: { linkSupport: true },
        },
      },
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  async open(uri: string, text: string, languageId = 'markdown'): Promise<void> {
    this.versions.set(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId, version: 1, text },
    });
  }

  /** Sends one change (full text or ranged edits) and returns the document's new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: changes,
    });
    return version;
  }

  /** The first diagnostics published for `uri` (at `version`, when given) after `since` earlier publications. */
  async diagnostics(uri: string, options: { version?: number; deadlineMs?: number } = {}): Promise<Diagnostic[]> {
    const found = await this.waitFor(
      () => this.published.get(uri)?.find((p) => options.version === undefined || p.version === options.version),
      options.deadlineMs ?? DEFAULT_DEADLINE_MS,
      `diagnostics for ${uri}${options.version === undefined ? '' : ` at version ${options.version}`}`,
    );
    return found.diagnostics;
  }

  /** Diagnostics published for `uri` after the `count`-th publication (to see a re-validation). */
  async diagnosticsAfter(uri: string, count: number, deadlineMs = DEFAULT_DEADLINE_MS): Promise<Diagnostic[]> {
    const found = await this.waitFor(
      () => this.published.get(uri)?.[count],
      deadlineMs,
      `publication #${count + 1} for ${uri}`,
    );
    return found.diagnostics;
  }

  publicationCount(uri: string): number {
    return this.published.get(uri)?.length ?? 0;
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
  }

  documentSymbols(uri: string): Promise<DocumentSymbol[] | SymbolInformation[] | null> {
    return this.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } });
  }

  foldingRanges(uri: string): Promise<FoldingRange[] | null> {
    return this.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } });
  }

  definition(uri: string, position: Position): Promise<Definition | LocationLink[] | null> {
    return this.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position });
  }

  completion(uri: string, position: Position): Promise<CompletionItem[] | CompletionList | null> {
    return this.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position });
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[]): Promise<(Command | CodeAction)[] | null> {
    return this.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range,
      context: { diagnostics },
    });
  }

  codeLenses(uri: string): Promise<CodeLens[] | null> {
    return this.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
  }

  sendTaskStatus(params: TaskStatusParams): Promise<void> {
    return this.connection.sendNotification(TaskStatusNotification.method, params);
  }

  verifyTasks(uri: string): Promise<VerifyTasksResult | null> {
    return this.connection.sendRequest(VerifyTasksRequest.method, { uri });
  }

  clearTaskStatus(uri: string): Promise<void> {
    return this.connection.sendNotification(ClearTaskStatusNotification.method, { uri });
  }

  async dispose(): Promise<void> {
    await this.connection.sendRequest(ShutdownRequest.type);
    // No `exit` notification: the server would end this (test) process, as LSP asks of a real server.
    this.connection.dispose();
  }

  private waitFor<T>(probe: () => T | undefined, deadlineMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        const value = probe();
        if (value === undefined) return false;
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`timed out after ${deadlineMs} ms waiting for ${what}`));
      }, deadlineMs);
      this.waiters.add(wake);
      check();
    });
  }
}

export function fileUri(path: string): string {
  return pathToFileURL(path).href;
}
