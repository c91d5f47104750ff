import * as vscode from 'vscode';
import type { Logger, ProposalContent, ProposalDecision } from '../../core/engine';
import type { ProposalView, RunView } from '../../protocol/engine-events';
import type { Prompts } from '../prompts';
import type { WindowRun } from '../window-run';
import { parseProposalUri, proposalUri, type ProposalFileSystem, type ProposalSide } from './proposal-file-system';

/** What a review's diff needs to know of a proposal: the engine's `ProposalView` and `ProposalContent` both have it. */
export type ReviewedProposal = Pick<ProposalView, 'id' | 'taskKey' | 'role' | 'path' | 'kind'> & { workerId?: string };

/**
 * `vscode.diff` of a proposal: the file (or an empty base for a new file) against the proposed text, served by
 * the proposal file system from the pending proposal. A Pending Changes row carries this command itself.
 */
export function reviewDiffCommand(
  proposal: ReviewedProposal,
  root: vscode.Uri,
  view: Pick<RunView, 'tasks'>,
): vscode.Command {
  const left =
    proposal.kind === 'create'
      ? proposalUri(proposal.id, 'base', proposal.path)
      : vscode.Uri.joinPath(root, ...proposal.path.split('/'));
  const right = proposalUri(proposal.id, 'proposed', proposal.path);
  const options: vscode.TextDocumentShowOptions = { preview: true };
  return {
    command: 'vscode.diff',
    title: 'Review Diff',
    arguments: [left, right, reviewTitle(proposal, view), options],
  };
}

function reviewTitle(proposal: ReviewedProposal, view: Pick<RunView, 'tasks'>): string {
  const taskId = view.tasks.get(proposal.taskKey)?.id ?? proposal.taskKey;
  const { workerId, role } = proposal;
  // Worker ids often spell out task and role ("T001-code-writer-2"); the title names those already.
  const worker = workerId?.startsWith(`${taskId}-${role}-`)
    ? `#${workerId.slice(taskId.length + role.length + 2)}`
    : workerId;
  const what = proposal.kind === 'create' ? 'new file' : proposal.kind === 'delete' ? 'deleted' : 'proposed';
  return `${taskId} · ${role}${worker ? ` ${worker}` : ''} · ${proposal.path} (${what})`;
}

/** A side of a pending proposal's diff as a review first shows it; undefined once the proposal is decided. */
export function pendingProposalSide(
  source: ProposalSource | undefined,
  proposalId: string,
  side: ProposalSide,
  relPath: string,
): { text: string; readonly: boolean } | undefined {
  const content = source?.proposalContent(proposalId);
  if (!content || content.path !== relPath) return undefined;
  if (side === 'base') return content.kind === 'create' ? { text: '', readonly: true } : undefined;
  return { text: content.proposed ?? '', readonly: content.kind === 'delete' };
}

/** The queue a review reads and answers: the engine's `Run` satisfies it, and tests script one. */
export interface ProposalSource {
  pendingProposals(): ProposalView[];
  proposalContent(proposalId: string): ProposalContent | undefined;
  decide(proposalId: string, decision: ProposalDecision): boolean;
}

/** A command's target as menus, editor titles and tests pass it. */
export type ReviewTarget = { kind: 'proposal'; proposalId: string } | vscode.Uri | string | undefined;

export interface RejectOptions {
  /** Skips the feedback box (tests, scripted callers); `''` rejects without feedback. */
  feedback?: string;
}

/**
 * Diff review of proposals. Nothing opens by itself: the Pending Changes queue (or a command) starts a review.
 * The right side is the proposal served from memory and editable; accepting sends exactly the text the user
 * sees. The left side is the real file, so an editor with unsaved changes is compared as the editor shows it.
 */
export class ReviewController implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly closing = new Map<string, Promise<void>>();

  constructor(
    private readonly session: WindowRun,
    private readonly files: ProposalFileSystem,
    private readonly log: Logger,
    private readonly prompts: Prompts,
  ) {
    this.subscriptions.push(
      session.onDidChange((change) => {
        // A proposal decided elsewhere (accept-all, a policy, the engine marking it stale) closes its review.
        if (change.kind === 'event' && change.event.type === 'proposal-decided')
          void this.closeReview(change.event.proposalId).catch((error: unknown) =>
            this.log.warn(`closing review: ${String(error)}`),
          );
      }),
    );
  }

  private source(): ProposalSource | undefined {
    return this.session.run;
  }

  private targetUri(relPath: string): vscode.Uri | undefined {
    const root = this.session.root;
    return root === undefined ? undefined : vscode.Uri.joinPath(root, ...relPath.split('/'));
  }

  /** Opens the diff of one proposal; returns false when it is no longer pending. */
  async open(target: ReviewTarget): Promise<boolean> {
    const id = await this.resolve(target, 'Review which proposed edit?');
    if (id === undefined) return false;
    const content = this.source()?.proposalContent(id);
    const root = this.session.root;
    if (!content || !root) {
      void vscode.window.showInformationMessage('That edit is no longer waiting for review.');
      return false;
    }
    const workerId = this.session.view.pending.get(id)?.workerId;
    const command = reviewDiffCommand(
      { ...content, ...(workerId !== undefined ? { workerId } : {}) },
      root,
      this.session.view,
    );
    await vscode.commands.executeCommand(command.command, ...((command.arguments ?? []) as unknown[]));
    return true;
  }

  /** The text the user sees on the proposed side: the open (maybe edited, maybe unsaved) document, else memory. */
  private visibleProposedText(content: ProposalContent): string | undefined {
    const right = proposalUri(content.id, 'proposed', content.path);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === right.toString());
    return open?.getText() ?? this.files.text(right) ?? content.proposed;
  }

  async accept(target: ReviewTarget): Promise<boolean> {
    const id = await this.resolve(target, 'Accept which proposed edit?');
    return id === undefined ? false : this.acceptOne(id);
  }

  private async acceptOne(id: string): Promise<boolean> {
    const source = this.source();
    const content = source?.proposalContent(id);
    if (!source || !content) return false;
    const visible = this.visibleProposedText(content);
    const decision: ProposalDecision =
      content.kind === 'delete' || visible === undefined || visible === content.proposed
        ? { kind: 'accept' }
        : { kind: 'accept-with-edits', content: visible };
    if (!(await this.confirmOverDirtyEditor(content))) return false;
    const decided = source.decide(id, decision);
    this.log.info(`proposal ${id} (${content.path}) ${decided ? decision.kind : 'was no longer pending'}`);
    await this.closeReview(id);
    return decided;
  }

  /** A file with unsaved changes the proposal was not made against is never replaced without the user's yes. */
  private async confirmOverDirtyEditor(content: ProposalContent): Promise<boolean> {
    const fileUri = this.targetUri(content.path);
    const editor = vscode.workspace.textDocuments.find((d) => d.uri.toString() === fileUri?.toString());
    if (!editor?.isDirty || editor.getText() === (content.base ?? '')) return true;
    const replace = content.kind === 'delete' ? 'Delete It Anyway' : 'Replace My Unsaved Changes';
    const choice = await this.prompts.modal(
      `${content.path} has unsaved changes in an editor that the proposed edit was not made against.`,
      'Accepting writes the proposed side as you see it in the diff and drops the unsaved text. Cancel to keep your changes; you can reject the edit with feedback instead.',
      replace,
    );
    return choice === replace;
  }

  async reject(target: ReviewTarget, options: RejectOptions = {}): Promise<boolean> {
    const id = await this.resolve(target, 'Reject which proposed edit?');
    if (id === undefined) return false;
    const path = this.source()?.proposalContent(id)?.path ?? id;
    const feedback = options.feedback ?? (await this.askFeedback(`Reject the edit to ${path}`));
    if (feedback === undefined) return false;
    return this.rejectOne(id, feedback);
  }

  private async rejectOne(id: string, feedback: string): Promise<boolean> {
    const decided = this.source()?.decide(id, { kind: 'reject', feedback }) ?? false;
    this.log.info(
      `proposal ${id} ${decided ? 'rejected' : 'was no longer pending'}${feedback ? ' with feedback' : ''}`,
    );
    await this.closeReview(id);
    return decided;
  }

  private async askFeedback(title: string): Promise<string | undefined> {
    const text = await vscode.window.showInputBox({
      title,
      prompt:
        'Optional: tell the agent what to do instead. Press Enter with nothing to reject without feedback, Escape to keep the edit pending.',
      ignoreFocusOut: true,
    });
    return text?.trim();
  }

  async acceptTask(taskKey: string): Promise<number> {
    let accepted = 0;
    for (const proposal of this.pendingOf(taskKey)) if (await this.acceptOne(proposal.id)) accepted++;
    return accepted;
  }

  async rejectTask(taskKey: string, options: RejectOptions = {}): Promise<number> {
    const pending = this.pendingOf(taskKey);
    if (pending.length === 0) return 0;
    const taskId = this.session.view.tasks.get(taskKey)?.id ?? taskKey;
    const feedback = options.feedback ?? (await this.askFeedback(`Reject ${pending.length} edit(s) of ${taskId}`));
    if (feedback === undefined) return 0;
    let rejected = 0;
    for (const proposal of pending) if (await this.rejectOne(proposal.id, feedback)) rejected++;
    return rejected;
  }

  async acceptAll(): Promise<number> {
    let accepted = 0;
    for (const proposal of this.source()?.pendingProposals() ?? []) if (await this.acceptOne(proposal.id)) accepted++;
    return accepted;
  }

  private pendingOf(taskKey: string): ProposalView[] {
    return (this.source()?.pendingProposals() ?? []).filter((p) => p.taskKey === taskKey);
  }

  private async resolve(target: ReviewTarget, question: string): Promise<string | undefined> {
    if (typeof target === 'string') return target;
    if (target instanceof vscode.Uri) return parseProposalUri(target)?.proposalId;
    if (target?.kind === 'proposal') return target.proposalId;
    const active = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (active instanceof vscode.TabInputTextDiff) {
      const fromTab = parseProposalUri(active.modified)?.proposalId;
      if (fromTab !== undefined) return fromTab;
    }
    const pending = this.source()?.pendingProposals() ?? [];
    if (pending.length === 0) {
      void vscode.window.showInformationMessage('No edits are waiting for review.');
      return undefined;
    }
    if (pending.length === 1) return pending[0]?.id;
    const pick = await vscode.window.showQuickPick(
      pending.map((p) => ({
        label: p.path,
        description: `${this.session.view.tasks.get(p.taskKey)?.id ?? p.taskKey} · ${p.kind}`,
        id: p.id,
      })),
      { title: question },
    );
    return pick?.id;
  }

  /**
   * Closes the diff tabs of a proposal without a "save?" prompt and forgets its text. A decision triggers it
   * twice (the command, and the session's proposal-decided event): both share one closing.
   */
  private closeReview(proposalId: string): Promise<void> {
    let closing = this.closing.get(proposalId);
    if (!closing) {
      closing = this.closeReviewOnce(proposalId).finally(() => this.closing.delete(proposalId));
      this.closing.set(proposalId, closing);
    }
    return closing;
  }

  private async closeReviewOnce(proposalId: string): Promise<void> {
    const tabs: vscode.Tab[] = [];
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const input = tab.input;
        const uri =
          input instanceof vscode.TabInputTextDiff
            ? input.modified
            : input instanceof vscode.TabInputText
              ? input.uri
              : undefined;
        if (uri && parseProposalUri(uri)?.proposalId === proposalId) tabs.push(tab);
      }
    }
    for (const document of vscode.workspace.textDocuments) {
      // Saving writes only to our in-memory scheme; it spares the user a pointless "save changes?" dialog.
      // Saved whether or not it looks dirty here: the extension host learns of an edit's dirtiness after the
      // editor does, and a dirty editor closed unsaved would be saved by VS Code after the entry is gone.
      if (parseProposalUri(document.uri)?.proposalId === proposalId && !document.isClosed) await document.save();
    }
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs, true);
    this.files.drop(proposalId);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
