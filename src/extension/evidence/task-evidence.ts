/**
 * The evidence states of the Tasks tree: the same check as `speckit-orchestra verify`, per feature, kept
 * fresh as tasks.md, the run journals and the files the evidence names change. Shown as a decoration on
 * each ticked task (a badge and a colour) and in the task's hover.
 */
import * as vscode from 'vscode';
import {
  verifyTasks,
  type Logger,
  type TaskVerification,
  type VerifyReport,
  type VerifyState,
} from '../../core/engine/light';
import type { WindowRun } from '../window-run';
import type { FeatureTasks, TaskDocuments } from '../trees/task-documents';

/** Tree items of tasks carry this URI as their `resourceUri`, so the decoration provider can find them. */
export const TASK_EVIDENCE_SCHEME = 'speckit-task';

export function taskEvidenceUri(featureId: string, taskKey: string): vscode.Uri {
  return vscode.Uri.from({
    scheme: TASK_EVIDENCE_SCHEME,
    path: `/${encodeURIComponent(featureId)}/${encodeURIComponent(taskKey)}`,
  });
}

function parseTaskEvidenceUri(uri: vscode.Uri): { featureId: string; taskKey: string } | undefined {
  const [, featureId, taskKey] = uri.path.split('/');
  return featureId && taskKey
    ? { featureId: decodeURIComponent(featureId), taskKey: decodeURIComponent(taskKey) }
    : undefined;
}

const DECORATION: Record<Exclude<VerifyState, 'open'>, vscode.FileDecoration> = {
  verified: new vscode.FileDecoration(
    '✓',
    'verified: its evidence holds on disk',
    new vscode.ThemeColor('testing.iconPassed'),
  ),
  drifted: new vscode.FileDecoration(
    '!',
    'drifted: a file it changed was changed outside any run',
    new vscode.ThemeColor('list.warningForeground'),
  ),
  unverified: new vscode.FileDecoration(
    '?',
    'unverified: ticked without evidence',
    new vscode.ThemeColor('list.deemphasizedForeground'),
  ),
};

/** The badge of a task in a checked feature (the same object for the same state, so it compares by identity). */
function decorationOf(report: VerifyReport, taskKey: string): vscode.FileDecoration | undefined {
  // A feature the orchestra never ran has no evidence anywhere: no badge on every hand-ticked task.
  if (report.evidenceRecords === 0) return undefined;
  const state = report.tasks.find((t) => t.key === taskKey)?.state;
  return state === undefined || state === 'open' ? undefined : DECORATION[state];
}

/** Re-checks are bunched: a run writes many files in a burst. */
const SETTLE_MS = 300;

export class TaskEvidence implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly _onDidChangeFileDecorations = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this._onDidChangeFileDecorations.event;
  private readonly _onDidChange = new vscode.EventEmitter<string>();
  /** Fires a feature id whose states were checked again. */
  readonly onDidChange = this._onDidChange.event;
  private readonly reports = new Map<string, Promise<VerifyReport | undefined>>();
  private readonly settled = new Map<string, VerifyReport>();
  /** Per feature, the number of the check whose report is settled: an older check never replaces it. */
  private readonly settledCheck = new Map<string, number>();
  private checks = 0;
  /** Absolute paths the reports depend on, for the file watcher. */
  private watched = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly documents: TaskDocuments,
    session: WindowRun,
    private readonly log: Logger,
  ) {
    const files = vscode.workspace.createFileSystemWatcher('**/*');
    const touched = (uri: vscode.Uri): void => {
      if (uri.scheme !== 'file') return;
      if (
        this.watched.has(uri.fsPath) ||
        /[\\/]\.specify[\\/]orchestra[\\/]runs[\\/][^\\/]+[\\/]journal\.jsonl$/.test(uri.fsPath)
      )
        this.scheduleRecheck();
    };
    this.subscriptions.push(
      files,
      files.onDidChange(touched),
      files.onDidCreate(touched),
      files.onDidDelete(touched),
      documents.onDidChange(() => this.scheduleRecheck()),
      session.onDidChange((change) => {
        if (change.kind === 'reset') return this.scheduleRecheck();
        const event = change.event;
        if ((event.type === 'task-status' && event.status === 'done') || event.type === 'run-finished')
          this.scheduleRecheck();
      }),
    );
  }

  /** The feature's states as last checked (checking it first when it never was). */
  report(featureId: string): Promise<VerifyReport | undefined> {
    let report = this.reports.get(featureId);
    if (!report) {
      report = this.check(featureId);
      this.reports.set(featureId, report);
    }
    return report;
  }

  async task(featureId: string, taskKey: string): Promise<TaskVerification | undefined> {
    return (await this.report(featureId))?.tasks.find((t) => t.key === taskKey);
  }

  /** Checks every known feature again now (the Verify Tasks command; a test). */
  async recheck(): Promise<void> {
    this.reports.clear();
    const features = await this.documents.features();
    await Promise.all(features.map((f) => this.report(f.featureId)));
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    const target = parseTaskEvidenceUri(uri);
    if (!target) return undefined;
    const report = this.settled.get(target.featureId);
    if (!report) {
      // Not checked yet: check, and the decoration follows when it is known.
      void this.report(target.featureId);
      return undefined;
    }
    return decorationOf(report, target.taskKey);
  }

  private scheduleRecheck(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.recheck().catch((error: unknown) => this.log.warn(`checking task evidence: ${String(error)}`));
    }, SETTLE_MS);
  }

  private async check(featureId: string): Promise<VerifyReport | undefined> {
    const number = ++this.checks;
    const feature: FeatureTasks | undefined = await this.documents.feature(featureId);
    if (!feature) return undefined;
    let report: VerifyReport;
    try {
      report = await verifyTasks({ tasksPath: feature.tasksUri.fsPath, text: feature.document.text });
    } catch (error) {
      this.log.warn(`checking the evidence of ${featureId}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    // Checks overlap (a recheck starts while the last one still reads the journals) and may end in any order: a
    // check that read older files must not settle after a newer one, or its stale badge would stay until the
    // next change. Its callers still get what it found. (Each check that ends after every older one settles,
    // so checks started back to back never keep the badges from settling.)
    if ((this.settledCheck.get(featureId) ?? 0) > number) return report;
    this.settledCheck.set(featureId, number);
    for (const warning of report.warnings) this.log.debug(`evidence of ${featureId}: ${warning}`);
    const before = this.settled.get(featureId);
    this.settled.set(featureId, report);
    for (const task of report.tasks)
      if (task.evidence)
        for (const file of task.files)
          this.watched.add(vscode.Uri.joinPath(vscode.Uri.file(task.evidence.root), file).fsPath);
    // Compared as decorations, not states: a badge can also go when the feature's last evidence record does.
    const changed = report.tasks
      .filter((t) => before === undefined || decorationOf(before, t.key) !== decorationOf(report, t.key))
      .map((t) => taskEvidenceUri(featureId, t.key));
    if (changed.length > 0) this._onDidChangeFileDecorations.fire(changed);
    this._onDidChange.fire(featureId);
    return report;
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this._onDidChangeFileDecorations.dispose();
    this._onDidChange.dispose();
  }
}
