/**
 * Consent: what the engine asks the person at a face before it goes on (`Confirm`) and before an edit nobody's
 * policy decided touches the disk (`Approver`). Faces implement these and pass them to `createEngine`.
 */
import type { ProposalKind, WorkerRole } from '../../protocol/engine-events';

/**
 * Something the user must agree to before the engine goes on: a hook, unchecked checklists, a fallback plan, a
 * command. `changed-command`: a command whose defining file this run changed (the detail is the diff); a face
 * must ask the person every time, never answer it from a blanket "yes".
 */
export interface ConfirmRequest {
  kind: 'hook' | 'checklists' | 'plan' | 'task-mismatch' | 'rollback-conflict' | 'command' | 'changed-command';
  /** One line, e.g. "Run the mandatory before_implement hook 'speckit.lint'?". */
  title: string;
  /** Multi-line text the face shows with the question (the hook's command, the plan as tasks.md, a diff). */
  detail: string;
  /** True when refusing stops the run (a mandatory hook, the fallback plan). */
  required: boolean;
}

export type Confirm = (request: ConfirmRequest, signal: AbortSignal) => Promise<boolean>;

/** The user's word on one proposed edit. */
export type ProposalDecision =
  | { kind: 'accept' }
  /** The user changed the proposed text; `content` is what will be written (the agent is told the difference). */
  | { kind: 'accept-with-edits'; content: string }
  /** The feedback goes back to the agent as the tool result so it can revise. */
  | { kind: 'reject'; feedback: string };

/** Everything a face needs to show one proposal as a diff. `undefined` text = the file does not exist on that side. */
export interface ProposalContent {
  id: string;
  taskKey: string;
  role: WorkerRole;
  path: string;
  kind: ProposalKind;
  base: string | undefined;
  proposed: string | undefined;
  reason?: string;
}

/**
 * Optional port: when given, the engine asks it for every proposal no policy decided. Without it a face decides
 * through `Run.decide` after a `proposal-pending` event (the extension's Pending Changes queue), or — when
 * `settings.interactiveApproval` is false — the run stops with outcome `needs-approval` (the CLI's exit 3).
 */
export type Approver = (proposal: ProposalContent, signal: AbortSignal) => Promise<ProposalDecision>;
