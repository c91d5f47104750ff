// The language server's wiring: connection handlers to the small modules beside this file. No logic here
// beyond choosing which documents to serve and when to publish.
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  DidChangeWatchedFilesNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { ClearTaskStatusNotification, parseClearTaskStatusParams, parseTaskStatusParams, TaskStatusNotification, TaskStatusStore } from '../protocol/lsp-messages';
import { codeActionsFor } from './code-actions';
import { codeLenses } from './code-lenses';
import { completionsAt } from './completion';
import { definitionAt } from './definition';
import { lspDiagnostics } from './diagnostics';
import { documentSymbols } from './document-symbols';
import { foldingRanges } from './folding';
import { hoverAt } from './hover';
import { projectRootOf } from './project-paths';
import { siblingSpecPath, SpecStoriesCache } from './spec-stories';
import { analyzeTasks, type TasksAnalysis } from './tasks-analysis';

type ServedKind = 'tasks' | 'spec' | 'other';

function servedKind(uri: string): ServedKind {
  if (!uri.startsWith('file:')) return 'other';
  const name = basename(fileURLToPath(uri));
  return name === 'tasks.md' ? 'tasks' : name === 'spec.md' ? 'spec' : 'other';
}

export function startLanguageServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const statuses = new TaskStatusStore();
  const specs = new SpecStoriesCache((specPath) => documents.get(pathToFileURL(specPath).href)?.getText());
  const analyses = new Map<string, { version: number; analysis: Promise<TasksAnalysis> }>();
  let codeLensRefresh = false;
  let watchedFilesDynamic = false;

  /** The analysis of a tasks.md at its current version; one parse per version, shared by every request. */
  function analysisOf(document: TextDocument): Promise<TasksAnalysis> {
    const { uri, version } = document;
    const cached = analyses.get(uri);
    if (cached?.version === version) return cached.analysis;
    // Read the text now: incremental sync updates this same object in place while spec.md is being read.
    const text = document.getText();
    const analysis = specs.storiesFor(fileURLToPath(uri)).then((stories) => analyzeTasks(text, stories));
    analyses.set(uri, { version, analysis });
    return analysis;
  }

  function tasksDocument(uri: string): TextDocument | undefined {
    const document = documents.get(uri);
    return document && servedKind(uri) === 'tasks' ? document : undefined;
  }

  async function publish(document: TextDocument): Promise<void> {
    const { uri, version } = document;
    const analysis = await analysisOf(document);
    // A newer edit arrived (or the file closed) while this one was analysed: never publish stale results.
    if (documents.get(uri)?.version !== version) return;
    await connection.sendDiagnostics({ uri, version, diagnostics: lspDiagnostics(analysis) });
  }

  function schedulePublish(document: TextDocument): void {
    publish(document).catch((error: unknown) => connection.console.error(`diagnostics for ${document.uri} failed: ${String(error)}`));
  }

  /** spec.md changed (in an editor or on disk): its feature's tasks.md must be judged again. */
  function specChanged(specPath: string): void {
    specs.invalidate(specPath);
    for (const document of documents.all()) {
      if (servedKind(document.uri) !== 'tasks' || siblingSpecPath(fileURLToPath(document.uri)) !== specPath) continue;
      analyses.delete(document.uri);
      schedulePublish(document);
    }
  }

  function refreshLenses(): void {
    if (!codeLensRefresh) return;
    connection.sendRequest(CodeLensRefreshRequest.type).catch((error: unknown) => connection.console.warn(`code lens refresh failed: ${String(error)}`));
  }

  connection.onInitialize((params): InitializeResult => {
    codeLensRefresh = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    watchedFilesDynamic = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        definitionProvider: true,
        completionProvider: { triggerCharacters: [' ', '['] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        codeLensProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'speckit-orchestra-language-server' },
    };
  });

  connection.onInitialized(() => {
    // Editors that do not sync file events themselves are asked to watch spec.md for us.
    if (watchedFilesDynamic) {
      connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/specs/**/spec.md' }] })
        .catch((error: unknown) => connection.console.warn(`could not watch spec.md files: ${String(error)}`));
    }
  });

  documents.onDidChangeContent(({ document }) => {
    const kind = servedKind(document.uri);
    switch (kind) {
      case 'tasks':
        schedulePublish(document);
        return;
      case 'spec':
        specChanged(fileURLToPath(document.uri));
        return;
      case 'other':
        return;
      default: {
        const unexpected: never = kind;
        return unexpected;
      }
    }
  });

  documents.onDidClose(({ document }) => {
    analyses.delete(document.uri);
    const kind = servedKind(document.uri);
    if (kind === 'spec') specChanged(fileURLToPath(document.uri));
    if (kind === 'tasks') {
      connection
        .sendDiagnostics({ uri: document.uri, diagnostics: [] })
        .catch((error: unknown) => connection.console.warn(`could not clear diagnostics: ${String(error)}`));
    }
  });

  connection.onDidChangeWatchedFiles(({ changes }) => {
    for (const change of changes) if (servedKind(change.uri) === 'spec') specChanged(fileURLToPath(change.uri));
  });

  connection.onNotification(TaskStatusNotification.method, (raw: unknown) => {
    const params = parseTaskStatusParams(raw);
    if (!params) {
      connection.console.warn(`ignored a ${TaskStatusNotification.method} notification it could not read`);
      return;
    }
    statuses.update(params);
    refreshLenses();
  });

  connection.onNotification(ClearTaskStatusNotification.method, (raw: unknown) => {
    const params = parseClearTaskStatusParams(raw);
    if (!params) {
      connection.console.warn(`ignored a ${ClearTaskStatusNotification.method} notification it could not read`);
      return;
    }
    statuses.clear(params.uri);
    refreshLenses();
  });

  async function withAnalysis<T>(uri: string, empty: T, use: (analysis: TasksAnalysis, document: TextDocument) => T | Promise<T>): Promise<T> {
    const document = tasksDocument(uri);
    return document ? use(await analysisOf(document), document) : empty;
  }

  connection.onHover(({ textDocument, position }) =>
    withAnalysis(textDocument.uri, null, (a) => hoverAt(a, position, (id) => statuses.get(textDocument.uri, id))),
  );
  connection.onDocumentSymbol(({ textDocument }) => withAnalysis(textDocument.uri, [], documentSymbols));
  connection.onFoldingRanges(({ textDocument }) => withAnalysis(textDocument.uri, [], foldingRanges));
  connection.onCompletion(({ textDocument, position }) => withAnalysis(textDocument.uri, [], (a) => completionsAt(a, position)));
  connection.onDefinition(({ textDocument, position }) =>
    withAnalysis(textDocument.uri, [], (a) => {
      const path = fileURLToPath(textDocument.uri);
      return definitionAt(a, position, { uri: textDocument.uri, projectRoot: projectRootOf(path) });
    }),
  );
  connection.onCodeAction(({ textDocument, context }) =>
    withAnalysis(textDocument.uri, [], (a) => codeActionsFor(textDocument.uri, a, context.diagnostics)),
  );
  connection.onCodeLens(({ textDocument }) =>
    withAnalysis(textDocument.uri, [], (a) => codeLenses(textDocument.uri, a, (id) => statuses.get(textDocument.uri, id))),
  );

  documents.listen(connection);
  connection.listen();
}
