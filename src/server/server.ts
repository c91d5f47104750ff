// The language server's wiring: connection handlers to the small modules beside this file. No logic here
// beyond choosing which documents to serve and when to publish.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  DidChangeWatchedFilesNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type Diagnostic,
  type Disposable,
  type InitializeResult,
} from 'vscode-languageserver/node';
import {
  ClearTaskStatusNotification,
  parseClearTaskStatusParams,
  parseTaskStatusParams,
  TaskStatusNotification,
  TaskStatusStore,
  VerifyTasksRequest,
  parseVerifyTasksParams,
  type VerifyTasksResult,
} from '../protocol/lsp-messages';
import { withTaskPathsPlaced } from '../core/speckit/task-path-resolution';
import { parseTasks } from '../core/speckit/tasks-parser';
import type { TasksDocument } from '../core/speckit/tasks-model';
import { EvidenceReports, evidenceDiagnostics, verifyResult } from './evidence';
import { featureDocumentGlob, featureDocumentKind } from '../core/speckit/feature-paths';
import { codeActionsFor } from './code-actions';
import { codeLenses } from './code-lenses';
import { completionsAt } from './completion';
import { definitionAt } from './definition';
import { lspDiagnostics, toLspDiagnostic } from './diagnostics';
import { documentSymbols } from './document-symbols';
import { headingSymbols } from './markdown-outline';
import { foldingRanges } from './folding';
import { hoverAt } from './hover';
import { projectRootOf } from './project-paths';
import { analyzeSpec, specSymbols, storyCoverageOf, type SpecAnalysis, type StoryCoverage } from './spec-analysis';
import { siblingSpecPath, SpecStoriesCache } from './spec-stories';
import { TaskStoryCoverageCache } from './task-story-coverage';
import { analyzeTasks, type TasksAnalysis } from './tasks-analysis';

type ServedKind = 'tasks' | 'spec' | 'plan' | 'other';

interface TasksVersion {
  version: number;
  text: string;
  parsed: TasksDocument;
  analysis: Promise<TasksAnalysis>;
}

function servedKind(uri: string): ServedKind {
  if (!uri.startsWith('file:')) return 'other';
  return featureDocumentKind(fileURLToPath(uri)) ?? 'other';
}

/** tasks.md beside a spec.md. */
function siblingTasksPath(specPath: string): string {
  return join(dirname(specPath), 'tasks.md');
}

export function startLanguageServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const statuses = new TaskStatusStore();
  const specs = new SpecStoriesCache((specPath) => documents.get(pathToFileURL(specPath).href)?.getText());
  const analyses = new Map<string, TasksVersion>();
  const coverage = new TaskStoryCoverageCache();
  const specAnalyses = new Map<string, { version: number; analysis: Promise<SpecAnalysis> }>();
  const evidence = new EvidenceReports();
  /** tasks.md files verified on request: their evidence diagnostics stay while they are closed. */
  const pinned = new Set<string>();
  let codeLensRefresh = false;
  let watchedFilesDynamic = false;

  /**
   * A tasks.md at its current version: its text, one parse (shared by the analysis, the evidence check and every
   * request) and its analysis.
   */
  function tasksVersionOf(document: TextDocument): TasksVersion {
    const { uri, version } = document;
    const cached = analyses.get(uri);
    if (cached?.version === version) return cached;
    // Read the text now: incremental sync updates this same object in place while spec.md is being read.
    const text = document.getText();
    const path = fileURLToPath(uri);
    const parsed = parseTasks(text);
    // Paths are judged against the disk: a link relative to tasks.md, or a URL path, is no path outside the project.
    const placed = withTaskPathsPlaced(parsed, { projectRoot: projectRootOf(path), tasksPath: path });
    const analysis = Promise.all([specs.storiesFor(path), placed]).then(([stories, document]) =>
      analyzeTasks(text, stories, document),
    );
    const current = { version, text, parsed, analysis };
    analyses.set(uri, current);
    return current;
  }

  function analysisOf(document: TextDocument): Promise<TasksAnalysis> {
    return tasksVersionOf(document).analysis;
  }

  /** Which stories the tasks.md beside a spec.md covers: from its editor when open, else from disk. */
  function coverageFor(specPath: string): Promise<StoryCoverage> {
    const tasksPath = siblingTasksPath(specPath);
    const open = documents.get(pathToFileURL(tasksPath).href);
    return open ? analysisOf(open).then((a) => storyCoverageOf(a.document)) : coverage.coverageOf(tasksPath);
  }

  /** The analysis of a spec.md at its current version. */
  function specAnalysisOf(document: TextDocument): Promise<SpecAnalysis> {
    const { uri, version } = document;
    const cached = specAnalyses.get(uri);
    if (cached?.version === version) return cached.analysis;
    const text = document.getText();
    const path = fileURLToPath(uri);
    const analysis = coverageFor(path).then((stories) => analyzeSpec(text, path, stories));
    specAnalyses.set(uri, { version, analysis });
    return analysis;
  }

  async function publishSpec(document: TextDocument): Promise<void> {
    const { uri, version } = document;
    const analysis = await specAnalysisOf(document);
    if (documents.get(uri)?.version !== version) return;
    await connection.sendDiagnostics({ uri, version, diagnostics: analysis.diagnostics.map(toLspDiagnostic) });
  }

  function schedulePublishSpec(document: TextDocument): void {
    publishSpec(document).catch((error: unknown) =>
      connection.console.error(`diagnostics for ${document.uri} failed: ${String(error)}`),
    );
  }

  /** tasks.md changed (in an editor, on disk, opened or closed): its spec.md's story coverage must be judged again. */
  function tasksChanged(tasksPath: string): void {
    coverage.invalidate(tasksPath);
    const specUri = pathToFileURL(siblingSpecPath(tasksPath)).href;
    const spec = documents.get(specUri);
    if (!spec) return;
    specAnalyses.delete(specUri);
    schedulePublishSpec(spec);
  }

  function tasksDocument(uri: string): TextDocument | undefined {
    const document = documents.get(uri);
    return document && servedKind(uri) === 'tasks' ? document : undefined;
  }

  async function publish(document: TextDocument): Promise<void> {
    const { uri, version } = document;
    const current = tasksVersionOf(document);
    const [analysis, evidence] = await Promise.all([current.analysis, evidenceOf(uri, current.text, current.parsed)]);
    // A newer edit arrived (or the file closed) while this one was analysed: never publish stale results.
    if (documents.get(uri)?.version !== version) return;
    await connection.sendDiagnostics({ uri, version, diagnostics: [...lspDiagnostics(analysis), ...evidence] });
  }

  /**
   * Evidence diagnostics for a tasks.md text (and its parse, when one is at hand); a check that fails is logged and
   * shows nothing, never stale ones.
   */
  async function evidenceOf(uri: string, text: string, parsed?: TasksDocument): Promise<Diagnostic[]> {
    try {
      const report = await evidence.reportFor(uri, text, parsed);
      scheduleEvidenceWatch();
      // Where the orchestra never ran this feature every tick lacks evidence: said only when asked (Verify Tasks).
      if (report.evidenceRecords === 0 && !pinned.has(uri)) return [];
      return evidenceDiagnostics(report, parsed ?? parseTasks(text));
    } catch (error) {
      connection.console.warn(`evidence check of ${uri} failed: ${String(error)}`);
      return [];
    }
  }

  /** A tasks.md verified on request while closed: its evidence diagnostics stay in the problem list. */
  async function publishClosed(uri: string): Promise<void> {
    const text = await readFile(fileURLToPath(uri), 'utf8');
    if (documents.get(uri)) return;
    await connection.sendDiagnostics({ uri, diagnostics: await evidenceOf(uri, text) });
  }

  /** A journal or a file the evidence names changed: check every open tasks.md (and pinned ones) again. */
  function evidenceChanged(): void {
    evidence.invalidate();
    for (const document of documents.all()) if (servedKind(document.uri) === 'tasks') schedulePublish(document);
    for (const uri of pinned)
      if (!documents.get(uri))
        publishClosed(uri).catch((error: unknown) => connection.console.warn(`evidence of ${uri}: ${String(error)}`));
  }

  let watched = '';
  let watching: Disposable | undefined;
  let watchTimer: ReturnType<typeof setTimeout> | undefined;
  /** Asks the editor to watch the files the evidence names, so an edit outside any run shows as drift. */
  function scheduleEvidenceWatch(): void {
    if (!watchedFilesDynamic || watchTimer !== undefined) return;
    watchTimer = setTimeout(() => {
      watchTimer = undefined;
      void evidence.dependencies().then(
        async (paths) => {
          const globs = paths.map((p) => p.replace(/[[\]{}*?]/g, '\\$&'));
          const key = globs.join('\n');
          if (key === watched) return;
          watched = key;
          const previous = watching;
          watching = undefined;
          previous?.dispose();
          if (globs.length === 0) return;
          watching = await connection.client.register(DidChangeWatchedFilesNotification.type, {
            watchers: [{ globPattern: globs.length === 1 ? (globs[0] ?? '') : `{${globs.join(',')}}` }],
          });
        },
        (error: unknown) => connection.console.warn(`could not watch the evidenced files: ${String(error)}`),
      );
    }, 500);
  }

  function schedulePublish(document: TextDocument): void {
    publish(document).catch((error: unknown) =>
      connection.console.error(`diagnostics for ${document.uri} failed: ${String(error)}`),
    );
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
    connection
      .sendRequest(CodeLensRefreshRequest.type)
      .catch((error: unknown) => connection.console.warn(`code lens refresh failed: ${String(error)}`));
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
    // Editors that do not sync file events themselves are asked to watch spec.md and tasks.md for us.
    if (watchedFilesDynamic) {
      connection.client
        .register(DidChangeWatchedFilesNotification.type, {
          watchers: [
            { globPattern: featureDocumentGlob(['spec', 'tasks']) },
            { globPattern: '**/.specify/orchestra/runs/*/journal.jsonl' },
          ],
        })
        .catch((error: unknown) =>
          connection.console.warn(`could not watch spec.md and tasks.md files: ${String(error)}`),
        );
    }
  });

  documents.onDidChangeContent(({ document }) => {
    const kind = servedKind(document.uri);
    switch (kind) {
      case 'tasks':
        schedulePublish(document);
        tasksChanged(fileURLToPath(document.uri));
        return;
      case 'spec':
        specChanged(fileURLToPath(document.uri));
        schedulePublishSpec(document);
        return;
      case 'plan':
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
    specAnalyses.delete(document.uri);
    const kind = servedKind(document.uri);
    if (kind === 'spec') specChanged(fileURLToPath(document.uri));
    // Its spec.md is judged against the file on disk from now on.
    if (kind === 'tasks') tasksChanged(fileURLToPath(document.uri));
    if (kind === 'tasks' && pinned.has(document.uri)) {
      publishClosed(document.uri).catch((error: unknown) =>
        connection.console.warn(`evidence of ${document.uri}: ${String(error)}`),
      );
      return;
    }
    if (kind === 'tasks') evidence.forget(document.uri);
    if (kind === 'tasks' || kind === 'spec') {
      connection
        .sendDiagnostics({ uri: document.uri, diagnostics: [] })
        .catch((error: unknown) => connection.console.warn(`could not clear diagnostics: ${String(error)}`));
    }
  });

  connection.onDidChangeWatchedFiles(({ changes }) => {
    let evidenceTouched = false;
    for (const change of changes) {
      const kind = servedKind(change.uri);
      if (kind === 'spec') specChanged(fileURLToPath(change.uri));
      if (kind === 'tasks') tasksChanged(fileURLToPath(change.uri));
      // Anything else reported is a journal or a file some evidence names (the only other things watched).
      if (kind !== 'spec') evidenceTouched = true;
    }
    if (evidenceTouched) evidenceChanged();
  });

  connection.onRequest(VerifyTasksRequest.method, async (raw: unknown): Promise<VerifyTasksResult | null> => {
    const params = parseVerifyTasksParams(raw);
    if (!params || servedKind(params.uri) !== 'tasks') return null;
    pinned.add(params.uri);
    evidence.invalidate();
    const open = documents.get(params.uri);
    const current = open && tasksVersionOf(open);
    const report = current
      ? await evidence.reportFor(params.uri, current.text, current.parsed)
      : await evidence.reportFor(params.uri, await readFile(fileURLToPath(params.uri), 'utf8'));
    if (open) await publish(open);
    else await publishClosed(params.uri);
    return verifyResult(params.uri, report);
  });

  connection.onNotification(TaskStatusNotification.method, (raw: unknown) => {
    const params = parseTaskStatusParams(raw);
    if (!params) {
      connection.console.warn(`ignored a ${TaskStatusNotification.method} notification it could not read`);
      return;
    }
    statuses.update(params);
    // A task that finished (or was ticked) has new evidence to show.
    if (params.tasks.some((t) => t.status === 'done')) evidenceChanged();
    refreshLenses();
  });

  connection.onNotification(ClearTaskStatusNotification.method, (raw: unknown) => {
    const params = parseClearTaskStatusParams(raw);
    if (!params) {
      connection.console.warn(`ignored a ${ClearTaskStatusNotification.method} notification it could not read`);
      return;
    }
    statuses.clear(params.uri);
    // Sent when a run starts or was rolled back: a rollback voids evidence and clears ticks.
    evidenceChanged();
    refreshLenses();
  });

  async function withAnalysis<T>(
    uri: string,
    empty: T,
    use: (analysis: TasksAnalysis, document: TextDocument) => T | Promise<T>,
  ): Promise<T> {
    const document = tasksDocument(uri);
    return document ? use(await analysisOf(document), document) : empty;
  }

  connection.onHover(({ textDocument, position }) =>
    withAnalysis(textDocument.uri, null, (a) => hoverAt(a, position, (id) => statuses.get(textDocument.uri, id))),
  );
  connection.onDocumentSymbol(async ({ textDocument }) => {
    const document = documents.get(textDocument.uri);
    if (!document) return [];
    const kind = servedKind(textDocument.uri);
    switch (kind) {
      case 'tasks':
        return documentSymbols(await analysisOf(document));
      case 'spec':
        return specSymbols(await specAnalysisOf(document), document.getText());
      case 'plan':
        return headingSymbols(document.getText());
      case 'other':
        return [];
      default: {
        const unexpected: never = kind;
        return unexpected;
      }
    }
  });
  connection.onFoldingRanges(({ textDocument }) => withAnalysis(textDocument.uri, [], foldingRanges));
  connection.onCompletion(({ textDocument, position }) =>
    withAnalysis(textDocument.uri, [], (a) => completionsAt(a, position)),
  );
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
    withAnalysis(textDocument.uri, [], (a) =>
      codeLenses(textDocument.uri, a, (id) => statuses.get(textDocument.uri, id)),
    ),
  );

  documents.listen(connection);
  connection.listen();
}
