/**
 * Binds the built-in tools to one worker (its task, role, write scope, the run's gate and command service),
 * and describes how each role works (prompt, model, limits).
 */
import type { WorkerRole } from '../../../protocol/engine-events';
import { defaultAgentLimits } from '../../agents/agent-loop';
import { createToolExecutor, toolsFor, type ToolName } from '../../agents/tools/builtin-tools';
import type { ToolDefinition } from '../../agents/tools/tool';
import type { LlmToolDefinition } from '../../llm/provider';
import type { CommandService } from '../commands/command-service';
import type { ApprovalGate } from '../gate/approval-gate';
import { defaultWriteScopes } from '../../agents/definitions/write-scope';
import type { Workspace } from '../../ports/workspace';
import type { EngineSettings } from '../facade-types';
import type { AgentDefinition } from '../../agents/definitions/agent-definition';
import type { RoleProfile, WorkerToolbox } from './task-execution';
import { toolSpec } from '../../agents/tools/tool';

export interface ToolboxArgs {
  taskKey: string;
  workerId: string;
  role: WorkerRole;
  /** The tools the role's definition grants. */
  tools: readonly ToolName[];
  signal: AbortSignal;
  workspace: Workspace;
  gate: ApprovalGate;
  commands: CommandService;
  /** Called when an edit needed approval that nobody can give: the run stops (`needs-approval`). */
  onNeedsApproval(path: string): void;
  /** Tools beyond the built-ins (the reviewers' `report_findings`). */
  extraTools?: readonly ToolDefinition[];
  /** Told when a tool failed unexpectedly; the model gets an error result either way. */
  onToolFailure?: (tool: string, error: unknown) => void;
}

export function toLlmTool(tool: ToolDefinition): LlmToolDefinition {
  const spec = toolSpec(tool);
  return { name: spec.name, description: spec.description, inputSchema: { ...spec.inputSchema, type: 'object' } };
}

export function buildWorkerToolbox(args: ToolboxArgs): WorkerToolbox {
  const tools = [...toolsFor(args.tools), ...(args.extraTools ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  const executor = createToolExecutor(tools, {
    workspace: args.workspace,
    taskKey: args.taskKey,
    workerId: args.workerId,
    role: args.role,
    writeScope: defaultWriteScopes[args.role],
    commandNames: args.commands.names,
    ...(args.onToolFailure ? { onFailure: args.onToolFailure } : {}),
    proposeEdit: async (edit, reason, signal) => {
      const outcome = await args.gate.propose(edit, {
        taskKey: args.taskKey,
        workerId: args.workerId,
        role: args.role,
        ...(reason !== undefined ? { reason } : {}),
        signal,
      });
      if (outcome.kind === 'needs-approval') args.onNeedsApproval(outcome.proposal.path);
      return outcome;
    },
    runCommand: (name, signal) => args.commands.run(name, { taskKey: args.taskKey, workerId: args.workerId, signal }),
  });
  return { executor, definitions: tools.map(toLlmTool) };
}

/** How a role works, from its agent definition (built in, or the project's `.claude/agents/<name>.md`). */
export function roleProfile(definition: AgentDefinition, model: string, settings: EngineSettings): RoleProfile {
  return {
    role: definition.role,
    prompt: definition.prompt,
    model: definition.model ?? model,
    tools: definition.tools,
    maxTokens: definition.role === 'documenter' ? 8_000 : 16_000,
    limits: {
      ...defaultAgentLimits,
      maxTurns: settings.workerTurnLimit,
      tokenBudget: Math.min(settings.workerTokenBudget, definition.tokenBudget),
      maxToolCallsPerTurn: settings.toolCallsPerTurn,
      maxToolResultChars: settings.toolResultChars,
    },
  };
}
