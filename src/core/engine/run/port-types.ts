/**
 * The port types owned by other modules, as the facade names them, so faces import every engine type from
 * `src/core/engine` alone.
 */
export type { LlmProvider } from '../../llm/provider';
export type { Workspace } from '../workspace/workspace';
export type { CommandRunner } from '../commands/command-runner';
