/**
 * Keeps the evidence of a run's ticks: folds every record the run appends (so it knows each task's edits,
 * approvals, commands, models and cost as the journal has them), writes one `task-evidence` record before
 * each tick, and after the validation phase one `evidence-review` with what the reviewers found.
 */
import { addUsageTotals, zeroUsageTotals, type EngineEvent, type UsageTotals } from '../../../protocol/engine-events';
import type { JournalRecord, ReviewFinding } from '../../../protocol/journal';
import { applyRecord, emptyRunState, type RunState } from '../journal/fold';
import type { RunJournal } from '../journal/run-store';
import {
  composeTaskEvidence,
  composeWorkDone,
  type EvidenceSources,
  type EvidenceTask,
} from '../journal/task-evidence';
import type { CompletionAcceptance, WorkDone } from '../workers/completion-review';

/** What a resumed run carries over: the earlier sessions' state and how their task keys map onto today's. */
export interface EarlierSessions {
  state: RunState;
  journalKeyOf: ReadonlyMap<string, string>;
}

type FindingEvent = Extract<EngineEvent, { type: 'finding' }>;
type ReviewSource = 'code-review' | 'security-review';

export class EvidenceRecorder {
  /** This session's records, folded as they are appended. */
  private readonly live: RunState = emptyRunState();
  /** Edits of earlier sessions whose write this session found on disk (resume of an interrupted write). */
  private readonly confirmed = new Set<string>();
  private readonly findings = new Map<ReviewSource, ReviewFinding[]>([
    ['code-review', []],
    ['security-review', []],
  ]);
  private readonly unfinished = new Set<ReviewSource>();
  /** Append through this and the record counts for the evidence. */
  readonly journal: RunJournal;

  constructor(
    private readonly handle: RunJournal,
    private readonly earlier: EarlierSessions | undefined,
    private readonly now: () => string,
  ) {
    this.journal = {
      runId: handle.runId,
      append: (record: JournalRecord) => {
        applyRecord(this.live, record);
        if (record.type === 'edit-applied') this.confirmed.add(record.proposalId);
        return handle.append(record);
      },
      storeBlob: (text) => handle.storeBlob(text),
      readBlob: (hash) => handle.readBlob(hash),
    };
  }

  /**
   * Writes the task's evidence (fsync'd): call it before the tick, so no tick the run writes lacks its proof.
   * `acceptance`: the completion reviewer's, when the tick rests on it.
   */
  async recordTick(task: EvidenceTask, tasksPath: string, acceptance?: CompletionAcceptance): Promise<void> {
    await this.journal.append(
      await composeTaskEvidence(task, tasksPath, this.now(), this.sources(task.key), acceptance),
    );
  }

  /** What the task's workers did so far, as the journal has it: what a completion reviewer judges a claim by. */
  async workDone(key: string): Promise<WorkDone> {
    return composeWorkDone(this.sources(key));
  }

  /** A validation finding, kept for the `evidence-review` record. */
  noteFinding(event: FindingEvent): void {
    if (event.source !== 'code-review' && event.source !== 'security-review') return;
    // The validation reports a review that broke off as a finding without a file.
    if (event.path === undefined && event.message.startsWith(`the ${event.source} did not finish`)) {
      this.unfinished.add(event.source);
      return;
    }
    this.findings.get(event.source)?.push({
      ...(event.path !== undefined ? { path: event.path } : {}),
      ...(event.line !== undefined ? { line: event.line } : {}),
      severity: event.severity,
      message: event.message,
    });
  }

  /** After the validation phase: what the reviewers found, for the evidence of every task ticked before it. */
  async recordReview(): Promise<void> {
    await this.journal.append({
      type: 'evidence-review',
      at: this.now(),
      reviews: [...this.findings].map(([source, findings]) => ({
        source,
        finished: !this.unfinished.has(source),
        findings,
      })),
    });
  }

  private sources(key: string): EvidenceSources {
    const earlier = this.earlier;
    const keyOf = (journalKey: string): string => earlier?.journalKeyOf.get(journalKey) ?? journalKey;
    const before = earlier?.state;
    const earlierEdits = (before?.edits ?? [])
      .filter((e) => keyOf(e.taskKey) === key)
      .map((e) => (e.inDoubt && this.confirmed.has(e.proposalId) ? { ...e, inDoubt: false } : e));
    const earlierKeys = before ? [...before.usageByTask.keys()].filter((k) => keyOf(k) === key) : [];
    const models = [
      ...earlierKeys.flatMap((k) => before?.modelsByTask.get(k) ?? []),
      ...(this.live.modelsByTask.get(key) ?? []),
    ];
    const summaries = [
      ...(before?.summaries ?? []).filter((s) => keyOf(s.taskKey) === key),
      ...this.live.summaries.filter((s) => s.taskKey === key),
    ];
    const summary = summaries[summaries.length - 1]?.summary;
    return {
      edits: [...earlierEdits, ...this.live.edits.filter((e) => e.taskKey === key)],
      proposals: new Map([...(before?.proposals ?? []), ...this.live.proposals]),
      policy: this.live.policy ?? before?.policy,
      commands: [
        ...(before?.commands ?? []).filter((c) => c.taskKey !== undefined && keyOf(c.taskKey) === key),
        ...this.live.commands.filter((c) => c.taskKey === key),
      ],
      models: [...new Set(models)],
      cost: [...earlierKeys.map((k) => before?.usageByTask.get(k)), this.live.usageByTask.get(key)].reduce<UsageTotals>(
        (sum, usage) => (usage ? addUsageTotals(sum, usage) : sum),
        zeroUsageTotals(),
      ),
      ...(summary !== undefined ? { summary } : {}),
      readBlob: (hash) => this.handle.readBlob(hash),
    };
  }
}
