// A run whose events and proposals a test scripts: it stands where the engine's Run stands, so the review UI
// (trees, diff, accept/reject) is tested against the same interface the engine implements. Decided proposals
// are applied through the extension's Workspace port, as the engine's gate does.
import type { ProposalContent, ProposalDecision } from '../../../../src/core/engine';
import type { RunHandle } from '../../../../src/extension/window-run';
import { VscodeWorkspace } from '../../../../src/extension/vscode-workspace';
import type { EngineEvent, ProposalView, TaskView } from '../../../../src/protocol/engine-events';

export interface Decided {
  id: string;
  decision: ProposalDecision;
}

/** Tasks of one phase, all running, the first alone and the rest `[P]`, as a run starts them. */
export function runningTasks(...ids: string[]): TaskView[] {
  return ids.map((id, i) => ({
    key: id,
    id,
    description: `task ${id}`,
    phaseIndex: 0,
    line: 10 + i,
    files: [],
    dependsOn: [],
    parallel: i > 0,
    status: 'running',
  }));
}

export class ScriptedRun implements RunHandle {
  readonly id = 'scripted-run';
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private readonly log: EngineEvent[] = [];
  private readonly contents = new Map<string, ProposalContent>();
  readonly decisions: Decided[] = [];
  readonly done: Promise<unknown> = new Promise(() => undefined);
  private readonly workspace: VscodeWorkspace;
  private applying: Promise<unknown> = Promise.resolve();

  constructor(readonly root: string) {
    this.workspace = new VscodeWorkspace(root);
  }

  emit(event: EngineEvent): void {
    this.log.push(event);
    for (const l of this.listeners) l(event);
  }

  start(tasks: TaskView[]): void {
    this.emit({
      type: 'run-started',
      runId: this.id,
      featureId: '001-todo-api',
      tasksPath: `${this.root}/specs/001-todo-api/tasks.md`,
      phases: [{ index: 0, title: 'Setup', taskKeys: tasks.map((t) => t.key) }],
      tasks,
      resumed: false,
      budgetUsd: 1,
      at: new Date().toISOString(),
    });
  }

  propose(content: Omit<ProposalContent, 'role'>, workerId = 'w1'): void {
    const full: ProposalContent = { ...content, role: 'code-writer' };
    this.contents.set(full.id, full);
    const view: ProposalView = {
      id: full.id,
      taskKey: full.taskKey,
      workerId,
      role: full.role,
      path: full.path,
      kind: full.kind,
      createdAt: new Date().toISOString(),
    };
    this.emit({ type: 'proposal-pending', proposal: view, at: view.createdAt });
  }

  onEvent(listener: (e: EngineEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  events(): readonly EngineEvent[] {
    return this.log;
  }

  pendingProposals(): ProposalView[] {
    return [...this.contents.values()].map((c) => ({
      id: c.id,
      taskKey: c.taskKey,
      workerId: 'w1',
      role: c.role,
      path: c.path,
      kind: c.kind,
      createdAt: '',
    }));
  }

  proposalContent(id: string): ProposalContent | undefined {
    return this.contents.get(id);
  }

  decide(id: string, decision: ProposalDecision): boolean {
    const content = this.contents.get(id);
    if (!content) return false;
    this.contents.delete(id);
    this.decisions.push({ id, decision });
    const at = new Date().toISOString();
    this.emit({
      type: 'proposal-decided',
      proposalId: id,
      outcome:
        decision.kind === 'reject' ? 'rejected' : decision.kind === 'accept' ? 'accepted' : 'accepted-with-edits',
      ...(decision.kind === 'reject' ? { feedback: decision.feedback } : {}),
      at,
    });
    if (decision.kind !== 'reject') {
      this.applying = this.applying.then(async () => {
        const signal = new AbortController().signal;
        if (content.kind === 'delete') await this.workspace.delete(content.path, signal);
        else
          await this.workspace.writeAtomic(
            content.path,
            decision.kind === 'accept-with-edits' ? decision.content : (content.proposed ?? ''),
            signal,
          );
        this.emit({
          type: 'proposal-applied',
          proposalId: id,
          taskKey: content.taskKey,
          path: content.path,
          kind: content.kind,
          at: new Date().toISOString(),
        });
      });
    }
    return true;
  }

  /** Resolves once every accepted proposal so far is on disk. */
  settled(): Promise<unknown> {
    return this.applying;
  }

  cancel(): void {
    this.emit({ type: 'run-finished', outcome: 'cancelled', message: 'cancelled', at: new Date().toISOString() });
  }
}
