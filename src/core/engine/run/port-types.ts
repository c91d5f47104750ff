/**
 * The port types owned by other modules, as the facade names them. Until those modules land this file holds the
 * shapes the engine relies on; once they do it re-exports theirs, so faces never change their imports.
 */

/** Abstract LLM provider (src/core/llm/provider.ts): the Anthropic SDK provider or the VS Code LM adapter. */
export interface LlmProvider {
  readonly id: string;
}

/** The Workspace port (src/core/engine/workspace/): confined reads, searches and atomic writes under one root. */
export interface Workspace {
  readonly root: string;
}

/** The CommandRunner port (src/core/engine/commands/): argv, no shell, killed on abort, output capped. */
export interface CommandRunner {
  run(argv: string[], options: { cwd: string; signal: AbortSignal; timeoutMs?: number }): Promise<unknown>;
}
