/**
 * What one run's stages share once its journal is open: what it runs, where it writes, how it reports and
 * how it stops. `RunSession` builds it (run-start.ts) and hands it to each stage in turn.
 */
import type { RunOutcome, RunStopCause } from '../../../protocol/engine-events';
import type { JournalRecord } from '../../../protocol/journal';
import type { Workspace } from '../../ports/workspace';
import type { Feature } from '../../speckit/feature-documents';
import type { TasksDocument } from '../../speckit/tasks-model';
import type { RunEvents } from '../events/run-events';
import type { EnginePorts, EngineSettings, RunPlan } from '../facade-types';
import type { RunState } from '../journal/fold';
import type { RunFolder, RunJournal } from '../journal/run-store';
import type { PlanGraph } from '../orchestrators/plan-graph';
import type { FeatureTexts } from '../orchestrators/spec-kit-planner';
import type { AppliedChange } from '../workers/task-execution';
import type { EvidenceRecorder } from './evidence-recorder';

/** The ports with the defaults filled in. */
export type SessionPorts = Required<Pick<EnginePorts, 'logger' | 'clock'>> & EnginePorts;

/** Everything a session needs once the feature is known and parsed (fresh start, or resume). */
export interface PreparedRun {
  plan: RunPlan;
  feature: Feature;
  doc: TasksDocument;
  graph: PlanGraph;
  texts: FeatureTexts;
}

export interface ResumeState {
  state: RunState;
  /** Task keys of the current tasks.md whose work the journal says is done. */
  doneKeys: ReadonlySet<string>;
  /** Current keys mapped from journal keys (renumbered tasks). */
  journalKeyOf: ReadonlyMap<string, string>;
  /** Reported mismatches; these tasks are not run again silently. */
  skippedKeys: ReadonlyMap<string, string>;
}

/** Why the run was stopped (cancel, budget, an edit nobody can approve, a failure every call shares). */
export interface RunStop {
  outcome: RunOutcome;
  message: string;
  cause?: RunStopCause;
}

export interface RunContext extends PreparedRun {
  readonly runId: string;
  readonly ports: SessionPorts;
  readonly settings: EngineSettings;
  readonly workspace: Workspace;
  readonly resume: ResumeState | undefined;
  /** The run's folder: where its journal, blobs and reports live; closed when the run finishes. */
  readonly folder: RunFolder;
  /** The journal every part of the run appends through: each record also counts for the ticks' evidence. */
  readonly journal: RunJournal;
  /** Keeps each tick's evidence: written before the tick, from what the journal says. */
  readonly evidence: EvidenceRecorder;
  /** tasks.md, workspace-relative with forward slashes. */
  readonly tasksRel: string;
  readonly events: RunEvents;
  readonly signal: AbortSignal;
  /** Edits on disk per task key: this session's and, on resume, those of earlier sessions. */
  readonly applied: Map<string, AppliedChange[]>;
  /** Per file the run changed (any session of it): its content before the run's first edit; null: it did not exist. */
  readonly beforeRun: Map<string, () => Promise<string | null | undefined>>;
  /** True when someone can answer what no policy decided (an approver port, or a face calling `Run.decide`). */
  readonly interactive: boolean;
  /** Appends one record and resolves once it is on disk; a failure stops the run, whose state would not survive. */
  append: (record: JournalRecord) => Promise<void>;
  /** Now on the run's wall clock, as records and events stamp it. */
  at: () => string;
  /** Stops the run with this outcome: no new work starts, work in flight is cancelled. */
  halt: (outcome: RunOutcome, message: string, cause?: RunStopCause) => void;
}
