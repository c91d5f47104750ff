import * as vscode from 'vscode';
import {
  discoverProjects,
  featureDocumentGlob,
  featureDocumentKind,
  parseTasks,
  type Logger,
  type TasksDocument,
} from '../../core/engine/light';
import type { ScanState } from './tasks-welcome';

export interface FeatureTasks {
  /** The feature folder name, as the engine's `featureId`. */
  readonly featureId: string;
  readonly projectRoot: string;
  readonly tasksUri: vscode.Uri;
  /** `tasksUri.fsPath`, for the vscode-free tree model. */
  readonly tasksPath: string;
  readonly document: TasksDocument;
}

/**
 * The workspace's spec-kit features and their parsed tasks.md, for the Tasks tree. Works with no engine, no
 * key and in untrusted workspaces (it only reads). Follows edits: an open tasks.md is parsed from the
 * editor's text as the user types (unsaved too), closed ones from disk when a watcher sees them change.
 * Discovery starts with the first `features()` call (the views start it once activation has wired them).
 */
export class TaskDocuments implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<FeatureTasks | undefined>();
  /** Fires the changed feature, or undefined when the set of features changed. */
  readonly onDidChange = this._onDidChange.event;
  private loaded: Promise<Map<string, FeatureTasks>> | undefined;
  private _scan: ScanState = { kind: 'scanning' };
  private readonly _onDidChangeScan = new vscode.EventEmitter<ScanState>();
  /** Fires when a look for features answers; a reload keeps the last answer until the next one. */
  readonly onDidChangeScan = this._onDidChangeScan.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly reparseTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly log: Logger) {
    const watcher = vscode.workspace.createFileSystemWatcher(featureDocumentGlob(['tasks']));
    this.subscriptions.push(
      watcher,
      watcher.onDidChange((uri) => this.scheduleReparse(uri)),
      watcher.onDidCreate(() => this.reload()),
      watcher.onDidDelete(() => this.reload()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && isTasksFile(e.document.uri)) this.scheduleReparse(e.document.uri);
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.reload()),
    );
  }

  get scan(): ScanState {
    return this._scan;
  }

  async features(): Promise<FeatureTasks[]> {
    return [...(await this.load()).values()];
  }

  async feature(featureId: string): Promise<FeatureTasks | undefined> {
    return (await this.load()).get(featureId);
  }

  /** The features, discovered on first use; a failed look is reported and tried again on the next call. */
  private load(): Promise<Map<string, FeatureTasks>> {
    if (this.loaded) return this.loaded;
    const loading = this.discover().then(
      (features) => {
        if (this.loaded === loading) this.setScan({ kind: 'done', features: features.size });
        return features;
      },
      (error: unknown) => {
        if (this.loaded === loading) {
          this.loaded = undefined;
          const message = error instanceof Error ? error.message : String(error);
          this.log.warn(`looking for spec-kit features: ${message}`);
          this.setScan({ kind: 'failed', message });
        }
        throw error;
      },
    );
    this.loaded = loading;
    return loading;
  }

  private setScan(state: ScanState): void {
    this._scan = state;
    this._onDidChangeScan.fire(state);
  }

  reload(): void {
    this.loaded = undefined;
    this._onDidChange.fire(undefined);
  }

  private async discover(): Promise<Map<string, FeatureTasks>> {
    const roots = (vscode.workspace.workspaceFolders ?? [])
      .filter((f) => f.uri.scheme === 'file')
      .map((f) => f.uri.fsPath);
    const result = new Map<string, FeatureTasks>();
    if (roots.length === 0) return result;
    const discovery = await discoverProjects(roots, { signal: AbortSignal.timeout(30_000) });
    for (const d of discovery.diagnostics) this.log.debug(`discovery: ${d.message} (${d.file})`);
    for (const project of discovery.projects) {
      for (const feature of project.features) {
        if (feature.tasksPath === undefined) continue;
        const tasksUri = vscode.Uri.file(feature.tasksPath);
        const text = await readText(tasksUri);
        if (text === undefined) continue;
        // Two projects may hold features of the same name; the first (sorted by root) keeps the plain id.
        const featureId = result.has(feature.id) ? `${feature.id} (${project.root})` : feature.id;
        result.set(featureId, {
          featureId,
          projectRoot: project.root,
          tasksUri,
          tasksPath: tasksUri.fsPath,
          document: parseTasks(text),
        });
      }
    }
    return result;
  }

  private scheduleReparse(uri: vscode.Uri): void {
    const key = uri.toString();
    const pending = this.reparseTimers.get(key);
    if (pending !== undefined) clearTimeout(pending);
    // Typing fires a change per keystroke; parse once the user pauses.
    this.reparseTimers.set(
      key,
      setTimeout(() => {
        this.reparseTimers.delete(key);
        void this.reparse(uri).catch((error: unknown) => this.log.warn(`re-reading ${uri.fsPath}: ${String(error)}`));
      }, 150),
    );
  }

  private async reparse(uri: vscode.Uri): Promise<void> {
    if (!this.loaded) return;
    const features = await this.loaded;
    const entry = [...features.values()].find((f) => f.tasksUri.toString() === uri.toString());
    if (!entry) {
      this.reload();
      return;
    }
    const text = await readText(uri);
    if (text === undefined || text === entry.document.text) return;
    const updated: FeatureTasks = { ...entry, document: parseTasks(text) };
    features.set(entry.featureId, updated);
    this._onDidChange.fire(updated);
  }

  dispose(): void {
    for (const timer of this.reparseTimers.values()) clearTimeout(timer);
    for (const s of this.subscriptions) s.dispose();
    this._onDidChange.dispose();
    this._onDidChangeScan.dispose();
  }
}

function isTasksFile(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && featureDocumentKind(uri.path) === 'tasks';
}

/** An open document's text (unsaved edits included) wins over the disk. */
async function readText(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (error) {
    if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') return undefined;
    throw error;
  }
}
