/**
 * What crosses between the language client (extension) and the language server beyond standard LSP: each
 * custom message declared once, typed, and imported by both sides. Also the arguments of the commands the
 * server's code lenses invoke, so the client's command handlers and the server's lenses agree on one shape.
 *
 * Declared without the JSON-RPC library's `NotificationType`: the client and the server bundle different
 * versions of it, whose classes do not type-check against each other. The receiving side gets `unknown` and
 * narrows it with the parsers below, as any boundary input.
 */

/** A notification's method, carrying its parameter type for the sender. */
export interface NotificationDeclaration<P> {
  readonly method: string;
  /** Type-level only: never set. */
  readonly params?: P;
}

function notification<P>(method: string): NotificationDeclaration<P> {
  return { method };
}
import { WORKER_ROLES, type ShownTaskStatus, type WorkerRole } from './engine-events';

/** One task's run status as the hover and the lenses show it. */
export interface TaskStatusReport {
  /** The task id as written in tasks.md, e.g. `T012`. */
  taskId: string;
  /** `rolled-back` once the run's rollback undid the task's work. */
  status: ShownTaskStatus;
  workerId?: string;
  role?: WorkerRole;
  /** A short line from the engine: why it failed, what it is doing. */
  message?: string;
  /** ISO time of the change. */
  at: string;
}

export interface TaskStatusParams {
  /** The tasks.md document the statuses belong to (a `file:` URI as the client knows it). */
  uri: string;
  runId: string;
  /** Replaces what the server knows of these tasks; tasks not listed keep their last known status. */
  tasks: TaskStatusReport[];
}

/** Client → server: the engine moved some tasks; the server shows it in hovers and lenses. */
export const TaskStatusNotification = notification<TaskStatusParams>('speckit/taskStatus');

/**
 * The latest run status of each task, per tasks.md document, as both sides keep it: the client to replay it
 * to a restarted server, the server for hovers and lenses. A new run id replaces the old run's picture.
 */
export class TaskStatusStore {
  private readonly byUri = new Map<string, { runId: string; tasks: Map<string, TaskStatusReport> }>();

  update(params: TaskStatusParams): void {
    let entry = this.byUri.get(params.uri);
    if (entry?.runId !== params.runId) {
      entry = { runId: params.runId, tasks: new Map() };
      this.byUri.set(params.uri, entry);
    }
    for (const task of params.tasks) entry.tasks.set(task.taskId, task);
  }

  clear(uri: string): void {
    this.byUri.delete(uri);
  }

  get(uri: string, taskId: string): TaskStatusReport | undefined {
    return this.byUri.get(uri)?.tasks.get(taskId);
  }

  /** Everything known, one notification's worth per document. */
  snapshot(): TaskStatusParams[] {
    return [...this.byUri].map(([uri, entry]) => ({ uri, runId: entry.runId, tasks: [...entry.tasks.values()] }));
  }
}

/** Client → server: forget the statuses of a document (a new run starts, or a run was rolled back). */
export interface ClearTaskStatusParams {
  uri: string;
}

export const ClearTaskStatusNotification = notification<ClearTaskStatusParams>('speckit/clearTaskStatus');

/** A request's method, carrying its parameter and result types for the sender. */
export interface RequestDeclaration<P, R> {
  readonly method: string;
  /** Type-level only: never set. */
  readonly params?: P;
  readonly result?: R;
}

/** The evidence states `verify` gives a ticked task (open tasks are not reported here). */
export type EvidenceState = 'verified' | 'drifted' | 'unverified' | 'open';

export interface VerifyTasksParams {
  /** The tasks.md to verify, a `file:` URI; open in an editor or not. */
  uri: string;
}

export interface VerifyTasksResult {
  uri: string;
  summary: Record<EvidenceState, number>;
  tasks: { taskId: string; state: EvidenceState; detail: string }[];
}

/**
 * Client → server: verify this tasks.md against its evidence now and publish the result as diagnostics
 * (`tick-without-evidence`, `evidence-drifted`), kept for the file while it is closed too (the Problems view).
 */
export const VerifyTasksRequest: RequestDeclaration<VerifyTasksParams, VerifyTasksResult> = {
  method: 'speckit/verifyTasks',
};

export function parseVerifyTasksParams(value: unknown): VerifyTasksParams | undefined {
  const uri = stringField(fieldsOf(value) ?? {}, 'uri');
  return uri === undefined ? undefined : { uri };
}

/** Commands the server's code lenses name; the client registers exactly these. */
export const LspCommandId = {
  runTask: 'speckit-orchestra.runTask',
  runPhase: 'speckit-orchestra.runPhase',
} as const;

export interface RunTaskArgs {
  /** The tasks.md document, a `file:` URI. */
  uri: string;
  taskId: string;
  /** Do the task again even though it is ticked (a tick whose evidence does not hold). */
  rerun?: true;
}

export interface RunPhaseArgs {
  uri: string;
  /** 0-based index of the phase in the document, in document order. */
  phaseIndex: number;
  phaseTitle: string;
}

// Narrowed by hand, not with a schema library: the extension loads this module at activation, and a schema
// library would be most of what activation parses.
type Fields = Readonly<Record<string, unknown>>;

function fieldsOf(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

function stringField(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  return typeof value === 'string' ? value : undefined;
}

// The same lists as the journal's schemas (src/protocol/journal.ts keeps its own private copies).
const TASK_STATUSES: ReadonlySet<string> = new Set<ShownTaskStatus>([
  'pending',
  'ready',
  'running',
  'awaiting-approval',
  'done',
  'failed',
  'skipped',
  'cancelled',
  'rolled-back',
]);
const ROLES: ReadonlySet<string> = new Set<WorkerRole>(WORKER_ROLES);

function isTaskStatus(value: string | undefined): value is ShownTaskStatus {
  return value !== undefined && TASK_STATUSES.has(value);
}

function isWorkerRole(value: string | undefined): value is WorkerRole {
  return value !== undefined && ROLES.has(value);
}

/** One entry of a status notification; optional fields it cannot read are dropped, required ones refuse it. */
function parseTaskStatusReport(value: unknown): TaskStatusReport | undefined {
  const fields = fieldsOf(value);
  if (!fields) return undefined;
  const taskId = stringField(fields, 'taskId');
  const status = stringField(fields, 'status');
  const at = stringField(fields, 'at');
  if (taskId === undefined || at === undefined || !isTaskStatus(status)) return undefined;
  const workerId = stringField(fields, 'workerId');
  const role = stringField(fields, 'role');
  const message = stringField(fields, 'message');
  return {
    taskId,
    status,
    ...(workerId === undefined ? {} : { workerId }),
    ...(isWorkerRole(role) ? { role } : {}),
    ...(message === undefined ? {} : { message }),
    at,
  };
}

/** Command arguments arrive as `unknown` (a lens, a keybinding or another extension may call the command). */
export function parseRunTaskArgs(value: unknown): RunTaskArgs | undefined {
  const fields = fieldsOf(value);
  const uri = fields && stringField(fields, 'uri');
  const taskId = fields && stringField(fields, 'taskId');
  if (uri === undefined || taskId === undefined) return undefined;
  return fields?.['rerun'] === true ? { uri, taskId, rerun: true } : { uri, taskId };
}

export function parseRunPhaseArgs(value: unknown): RunPhaseArgs | undefined {
  const fields = fieldsOf(value);
  const uri = fields && stringField(fields, 'uri');
  const phaseTitle = fields && stringField(fields, 'phaseTitle');
  const phaseIndex = fields?.['phaseIndex'];
  if (
    uri === undefined ||
    phaseTitle === undefined ||
    typeof phaseIndex !== 'number' ||
    !Number.isInteger(phaseIndex) ||
    phaseIndex < 0
  )
    return undefined;
  return { uri, phaseIndex, phaseTitle };
}

export function parseClearTaskStatusParams(value: unknown): ClearTaskStatusParams | undefined {
  const uri = stringField(fieldsOf(value) ?? {}, 'uri');
  return uri === undefined ? undefined : { uri };
}

/** The server checks what the client sends: task entries it cannot read are dropped, not trusted. */
export function parseTaskStatusParams(value: unknown): TaskStatusParams | undefined {
  const fields = fieldsOf(value);
  const uri = fields && stringField(fields, 'uri');
  const runId = fields && stringField(fields, 'runId');
  const tasks = fields?.['tasks'];
  if (uri === undefined || runId === undefined || !Array.isArray(tasks)) return undefined;
  return { uri, runId, tasks: tasks.flatMap((entry: unknown) => parseTaskStatusReport(entry) ?? []) };
}
