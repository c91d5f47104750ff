import { completeTaskTool } from './complete-task';
import { listDirectoryTool } from './list-directory';
import { proposeEditTool } from './propose-edit';
import { readFileTool } from './read-file';
import { runCommandTool } from './run-command';
import { searchTextTool } from './search-text';
import { runToolCall, toolSpec } from './tool';
import type { ToolContext, ToolDefinition, ToolResult, ToolSpec } from './tool';

export const TOOL_NAMES = [
  'read_file',
  'list_directory',
  'search_text',
  'propose_edit',
  'run_command',
  'complete_task',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** Every built-in tool, sorted by name so the tool block of a prompt is byte-stable (cache prefix). */
export const builtinTools: readonly ToolDefinition[] = [
  completeTaskTool,
  listDirectoryTool,
  proposeEditTool,
  readFileTool,
  runCommandTool,
  searchTextTool,
];

export function isToolName(name: string): name is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(name);
}

/** The tools a role may use, in stable order. */
export function toolsFor(names: readonly ToolName[]): ToolDefinition[] {
  return builtinTools.filter((t) => names.includes(t.name as ToolName));
}

/**
 * Binds a tool set to one worker: the shape the agent loop drives (`names`, `specs`, `execute`). The context
 * is fixed per worker; each call gets its own signal.
 */
export function createToolExecutor(
  tools: readonly ToolDefinition[],
  context: Omit<ToolContext, 'signal'>,
): {
  names: ReadonlySet<string>;
  specs: ToolSpec[];
  execute(call: { id: string; name: string; input: unknown }, signal: AbortSignal): Promise<ToolResult>;
} {
  return {
    names: new Set(tools.map((t) => t.name)),
    specs: tools.map(toolSpec),
    execute: (call, signal) => runToolCall(tools, call.name, call.input, { ...context, signal }),
  };
}
