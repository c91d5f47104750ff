import type { WorkerRole } from '../../../protocol/engine-events';
import type { WriteScope } from './write-scope';
import type { ToolName } from '../tools/builtin-tools';

/** How capable (and costly) a model a role needs; the LLM layer maps tiers to model ids. */
export type ModelTier = 'fast' | 'balanced' | 'deep';

/** Where a definition came from: built in, or a project file that overrides or adds one. */
export type DefinitionSource = { kind: 'built-in' } | { kind: 'file'; path: string };

/** One agent: a role with its prompt, tools, model and limits. */
export interface AgentDefinition {
  /** Unique name, e.g. `code-writer`, `security-reviewer`; `.claude/agents/<name>.md` overrides it. */
  name: string;
  role: WorkerRole;
  /** Reviewer only: which review this agent does. */
  reviewMode?: 'code' | 'security' | 'completion';
  description: string;
  prompt: string;
  tools: ToolName[];
  modelTier: ModelTier;
  /** An explicit model id from a project file; wins over the tier. */
  model?: string;
  writeScope: WriteScope;
  /** Tokens this agent may use on one task (input, cache and output together). */
  tokenBudget: number;
  source: DefinitionSource;
}

/** A slash command template, e.g. `/refactor:large-scale`. */
export interface CommandDefinition {
  /** Without the slash: `implement`, `refactor:large-scale`. */
  name: string;
  description: string;
  argumentHint?: string;
  /** Tools the command may use; undefined = the agents' own sets. */
  allowedTools?: ToolName[];
  /** The body, with `$ARGUMENTS` and `$1`…`$9` placeholders. */
  template: string;
  source: DefinitionSource;
}

/** A project definition file that could not be used (or only partly), with the reason. */
export interface DefinitionDiagnostic {
  path: string;
  severity: 'error' | 'warning';
  message: string;
}
