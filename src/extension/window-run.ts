import * as vscode from 'vscode';
import type { Run } from '../core/engine';
import { emptyRunView, foldRollback, foldRunView, type EngineEvent, type RunView } from '../protocol/engine-events';

/** What a face needs of a run: its events, and the proposal queue when the face is the approver. */
export type RunHandle = Pick<
  Run,
  'id' | 'onEvent' | 'events' | 'pendingProposals' | 'proposalContent' | 'decide' | 'cancel'
> & {
  readonly done: Promise<unknown>;
};

export type RunChange = { kind: 'event'; event: EngineEvent } | { kind: 'reset' };

/**
 * The run the window shows: at most one at a time. Its picture is a fold over the run's events
 * (`foldRunView`), never a copy of engine state; attaching a new run disposes the old subscription, as a
 * `MutableDisposable` would. Every face (trees, panel, status bar, review) listens to `onDidChange`.
 */
export class WindowRun implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<RunChange>();
  readonly onDidChange = this._onDidChange.event;
  private current: { run: RunHandle; root: vscode.Uri; subscription: { dispose(): void } } | undefined;
  private _view: RunView = emptyRunView();
  private readonly _log: EngineEvent[] = [];
  private static readonly LOG_LIMIT = 500;

  get view(): Readonly<RunView> {
    return this._view;
  }

  get run(): RunHandle | undefined {
    return this.current?.run;
  }

  /** The workspace folder the run works in: proposal paths are relative to it. */
  get root(): vscode.Uri | undefined {
    return this.current?.root;
  }

  /** True from `attach` until the run's `run-finished` event. */
  get isActive(): boolean {
    return this.current !== undefined && this._view.finished === undefined;
  }

  /** The most recent events, oldest first, bounded: the panel's live log. */
  get recentEvents(): readonly EngineEvent[] {
    return this._log;
  }

  attach(run: RunHandle, root: vscode.Uri): void {
    this.current?.subscription.dispose();
    this._view = emptyRunView();
    this._log.length = 0;
    for (const event of run.events()) this.apply(event);
    const subscription = run.onEvent((event) => {
      this.apply(event);
      this._onDidChange.fire({ kind: 'event', event });
    });
    this.current = { run, root, subscription };
    this._onDidChange.fire({ kind: 'reset' });
  }

  /**
   * The shown run (`runId`), or one task of it, was rolled back: every face shows the rolled-back state instead of
   * the run's last one, until a run is attached again. A rollback of another run changes nothing here.
   */
  noteRollback(runId: string, rollback: Parameters<typeof foldRollback>[1]): void {
    if (this._view.runId !== runId || this.isActive) return;
    foldRollback(this._view, rollback);
    this._onDidChange.fire({ kind: 'reset' });
  }

  /** Drops the run (after it finished and the user moved on, or on dispose); the picture stays until the next attach. */
  detach(): void {
    this.current?.subscription.dispose();
    this.current = undefined;
    this._onDidChange.fire({ kind: 'reset' });
  }

  private apply(event: EngineEvent): void {
    foldRunView(this._view, event);
    this._log.push(event);
    if (this._log.length > WindowRun.LOG_LIMIT) this._log.splice(0, this._log.length - WindowRun.LOG_LIMIT);
  }

  dispose(): void {
    this.current?.subscription.dispose();
    this.current = undefined;
    this._onDidChange.dispose();
  }
}
