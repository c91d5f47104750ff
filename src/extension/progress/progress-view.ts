import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Logger } from '../../core/engine';
import { CoalescingScheduler } from '../coalescing-scheduler';
import { assertNever } from '../../core/util/assert-never';
import { parseWebviewToHost, type HostToWebview, type WebviewCommand } from '../../protocol/webview-messages';
import type { WindowRun } from '../window-run';
import { logEntryOf, progressSnapshot } from './progress-snapshot';

export const PROGRESS_VIEW_ID = 'speckitOrchestra.progress';

/** Commands the panel's buttons run, by the webview's name for them. */
export type PanelCommandRunner = (command: WebviewCommand) => Thenable<unknown>;

/**
 * The Progress panel: a sidebar webview drawn from the run session. Strict CSP (`default-src 'none'`, our
 * stylesheet and one nonce'd script from media/ only), typed messages checked on receipt, and the page keeps
 * its last snapshot with `setState` so a reload redraws at once.
 */
export class ProgressViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly viewSubscriptions: vscode.Disposable[] = [];
  private readonly sessionSubscription: vscode.Disposable;
  /** Coalesces bursts of events (a parallel phase emits many) into one post per 100 ms. */
  private readonly poster = new CoalescingScheduler(() => this.post(), {
    quietMs: 100,
    maxDelayMs: 100,
    onError: (error) => this.log.debug(`progress panel post: ${String(error)}`),
  });

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: WindowRun,
    private readonly runCommand: PanelCommandRunner,
    private readonly log: Logger,
  ) {
    this.sessionSubscription = session.onDidChange(() => this.schedulePost());
  }

  /** Whether the panel is on screen now (resolved and visible). */
  get visible(): boolean {
    return this.view?.visible === true;
  }

  resolveWebviewView(webviewView: vscode.WebviewView): void {
    this.disposeView();
    this.view = webviewView;
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    webviewView.webview.options = { enableScripts: true, localResourceRoots: [media] };
    webviewView.webview.html = this.html(webviewView.webview, media);
    this.viewSubscriptions.push(
      webviewView.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      webviewView.onDidChangeVisibility(() => {
        if (webviewView.visible) this.schedulePost();
      }),
      webviewView.onDidDispose(() => {
        if (this.view === webviewView) this.disposeView();
      }),
    );
  }

  private receive(raw: unknown): void {
    const message = parseWebviewToHost(raw);
    if (message === undefined) {
      this.log.warn('progress panel sent a message that is not part of the protocol; ignored');
      return;
    }
    switch (message.type) {
      case 'ready':
        this.post();
        return;
      case 'command':
        void Promise.resolve(this.runCommand(message.command)).then(undefined, (error: unknown) =>
          this.log.error(`panel command ${message.command}: ${String(error)}`),
        );
        return;
      default:
        assertNever(message);
    }
  }

  private schedulePost(): void {
    if (this.view?.visible) this.poster.schedule();
  }

  private post(): void {
    const view = this.view;
    if (!view) return;
    const runView = this.session.view;
    const taskId = (key: string): string => runView.tasks.get(key)?.id ?? key;
    const log = this.session.recentEvents.flatMap((e) => logEntryOf(e, taskId) ?? []).slice(-200);
    const message: HostToWebview = {
      type: 'snapshot',
      snapshot: progressSnapshot(runView, this.session.isActive),
      log,
    };
    void view.webview
      .postMessage(message)
      .then(undefined, (error: unknown) => this.log.debug(`progress panel post: ${String(error)}`));
  }

  private html(webview: vscode.Webview, media: vscode.Uri): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'progress.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'progress.css'));
    const csp = [
      `default-src 'none'`,
      `style-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
      `img-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${style.toString()}" rel="stylesheet">
<title>Spec-Kit Orchestra Progress</title>
</head>
<body>
<main id="root" aria-live="polite"><p class="muted">No run yet.</p></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  private disposeView(): void {
    for (const s of this.viewSubscriptions.splice(0)) s.dispose();
    this.view = undefined;
  }

  dispose(): void {
    this.poster.dispose();
    this.disposeView();
    this.sessionSubscription.dispose();
  }
}
