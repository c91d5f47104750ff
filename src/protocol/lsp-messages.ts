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
import { z } from 'zod';
import type { TaskStatus, WorkerRole } from './engine-events';

/** One task's run status as the hover and the lenses show it. */
export interface TaskRunStatus {
  /** The task id as written in tasks.md, e.g. `T012`. */
  taskId: string;
  status: TaskStatus;
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
  tasks: TaskRunStatus[];
}

/** Client → server: the engine moved some tasks; the server shows it in hovers and lenses. */
export const TaskStatusNotification = notification<TaskStatusParams>('speckit/taskStatus');

/**
 * The latest run status of each task, per tasks.md document, as both sides keep it: the client to replay it
 * to a restarted server, the server for hovers and lenses. A new run id replaces the old run's picture.
 */
export class TaskStatusStore {
  private readonly byUri = new Map<string, { runId: string; tasks: Map<string, TaskRunStatus> }>();

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

  get(uri: string, taskId: string): TaskRunStatus | undefined {
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

/** Commands the server's code lenses name; the client registers exactly these. */
export const LspCommandId = {
  runTask: 'speckit-orchestra.runTask',
  runPhase: 'speckit-orchestra.runPhase',
} as const;

export interface RunTaskArgs {
  /** The tasks.md document, a `file:` URI. */
  uri: string;
  taskId: string;
}

export interface RunPhaseArgs {
  uri: string;
  /** 0-based index of the phase in the document, in document order. */
  phaseIndex: number;
  phaseTitle: string;
}

const runTaskArgsSchema = z.object({ uri: z.string(), taskId: z.string() });
const runPhaseArgsSchema = z.object({ uri: z.string(), phaseIndex: z.number().int().nonnegative(), phaseTitle: z.string() });

// The same lists as the journal's schemas (src/protocol/journal.ts keeps its own private copies).
const taskStatusSchema = z.enum(['pending', 'ready', 'running', 'awaiting-approval', 'done', 'failed', 'skipped', 'cancelled']) satisfies z.ZodType<TaskStatus>;
const workerRoleSchema = z.enum([
  'task-orchestrator',
  'implementation-orchestrator',
  'code-writer',
  'test-writer',
  'documenter',
  'reviewer',
  'bug-fixer',
]) satisfies z.ZodType<WorkerRole>;

const taskRunStatusSchema = z.object({
  taskId: z.string(),
  status: taskStatusSchema,
  workerId: z.string().optional().catch(undefined),
  role: workerRoleSchema.optional().catch(undefined),
  message: z.string().optional().catch(undefined),
  at: z.string(),
});

const taskStatusParamsSchema = z.object({ uri: z.string(), runId: z.string(), tasks: z.array(z.unknown()) });

/** Command arguments arrive as `unknown` (a lens, a keybinding or another extension may call the command). */
export function parseRunTaskArgs(value: unknown): RunTaskArgs | undefined {
  const parsed = runTaskArgsSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export function parseRunPhaseArgs(value: unknown): RunPhaseArgs | undefined {
  const parsed = runPhaseArgsSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export function parseClearTaskStatusParams(value: unknown): ClearTaskStatusParams | undefined {
  const parsed = z.object({ uri: z.string() }).safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The server checks what the client sends: task entries it cannot read are dropped, not trusted. */
export function parseTaskStatusParams(value: unknown): TaskStatusParams | undefined {
  const parsed = taskStatusParamsSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const tasks: TaskRunStatus[] = [];
  for (const entry of parsed.data.tasks) {
    const task = taskRunStatusSchema.safeParse(entry);
    if (!task.success) continue;
    const { workerId, role, message, ...required } = task.data;
    tasks.push({
      ...required,
      ...(workerId === undefined ? {} : { workerId }),
      ...(role === undefined ? {} : { role }),
      ...(message === undefined ? {} : { message }),
    });
  }
  return { uri: parsed.data.uri, runId: parsed.data.runId, tasks };
}
