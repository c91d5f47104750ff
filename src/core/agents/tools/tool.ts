import * as z from 'zod';
import type { WorkerRole } from '../../../protocol/engine-events';
import type { CommandOutcome } from '../../ports/command-runner';
import type { EditRequest, GateOutcome } from '../../ports/edit-gate';
import type { WriteScope } from '../definitions/write-scope';
import type { Workspace } from '../../ports/workspace';

/** What `complete_task` reported: the worker's own account, which the scheduler then checks against the disk. */
export interface TaskCompletion {
  summary: string;
  filesTouched: string[];
}

/** A tool call's result as the model sees it (`tool_result` content, `is_error`). Tools never throw for bad calls. */
export interface ToolResult {
  content: string;
  isError: boolean;
  /** Set when this call was a valid `complete_task`. */
  completion?: TaskCompletion;
  /** Set when the tool decided the worker cannot succeed: the loop ends it as failed with this reason. */
  stop?: string;
}

/**
 * What a tool may use. Writes and commands go only through the callbacks (the gate and the command service),
 * which enforce path policy, role scope, approval and the journal: a tool cannot bypass them.
 */
export interface ToolContext {
  workspace: Workspace;
  taskKey: string;
  workerId: string;
  role: WorkerRole;
  /** The role's scope, to word tool descriptions; the gate enforces its own copy. */
  writeScope: WriteScope;
  signal: AbortSignal;
  proposeEdit(edit: EditRequest, reason: string | undefined, signal: AbortSignal): Promise<GateOutcome>;
  runCommand(name: string, signal: AbortSignal): Promise<CommandOutcome>;
  /** Names of the configured commands, for error messages. */
  commandNames: readonly string[];
  /** Told when a tool failed unexpectedly (the model gets an error result either way). */
  onFailure?(tool: string, error: unknown): void;
}

export interface ToolDefinition<Input = unknown> {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: z.ZodType<Input>;
  run(input: Input, context: ToolContext): Promise<ToolResult>;
}

/** The wire form of a tool for the model: name, description, JSON Schema of its input. */
export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/** Wire forms by definition: a schema never changes, and converting one costs milliseconds of CPU per worker. */
const specs = new WeakMap<ToolDefinition, ToolSpec>();

/** The wire form of a tool, built once per definition and shared: frozen, so no caller changes it for another. */
export function toolSpec(tool: ToolDefinition): ToolSpec {
  let spec = specs.get(tool);
  if (spec === undefined) {
    const { $schema: _ignored, ...inputSchema } = z.toJSONSchema(tool.inputSchema) as Record<string, unknown>;
    spec = deepFreeze({ name: tool.name, description: tool.description, inputSchema });
    specs.set(tool, spec);
  }
  return spec;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Lets a typed tool sit in a list of `ToolDefinition<unknown>` (`runToolCall` parses the input before `run`, so the method-parameter bivariance is safe). */
export function defineTool<Input>(tool: ToolDefinition<Input>): ToolDefinition {
  return tool;
}

export function toolError(content: string): ToolResult {
  return { content, isError: true };
}

export function toolOk(content: string): ToolResult {
  return { content, isError: false };
}

/**
 * Runs one tool call: unknown tool and invalid input become error results with a message the model can act
 * on. A tool that throws unexpectedly (an I/O failure, a bug) becomes an error result too, so the worker
 * carries on and the model learns the call failed; `onFailure` hears of it for the log. An abort is not a
 * failure: it surfaces as the signal's reason.
 */
export async function runToolCall(
  tools: readonly ToolDefinition[],
  name: string,
  input: unknown,
  context: ToolContext,
): Promise<ToolResult> {
  const tool = tools.find((t) => t.name === name);
  if (!tool) return toolError(`Unknown tool "${name}". Available tools: ${tools.map((t) => t.name).join(', ')}.`);
  const parsed = tool.inputSchema.safeParse(input);
  if (!parsed.success) return toolError(`Invalid input for ${name}:\n${z.prettifyError(parsed.error)}`);
  try {
    return await tool.run(parsed.data, context);
  } catch (error) {
    if (context.signal.aborted) throw error;
    context.onFailure?.(name, error);
    const message = error instanceof Error ? error.message : String(error);
    return toolError(`${name} failed: ${message}. Try another way, or go on without it.`);
  }
}
