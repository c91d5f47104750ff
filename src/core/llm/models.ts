/**
 * Model choice per role. The defaults are current ids from the SDK's own `Model` type and none is in its
 * deprecated list (`@anthropic-ai/sdk` prints a deprecation warning for those on every call; a unit test
 * sends each default through the real SDK and fails if anything is printed).
 */
import type { Model } from '@anthropic-ai/sdk/resources/messages';
import type { WorkerRole } from '../../protocol/engine-events';

export const DEFAULT_MODELS: Readonly<Record<WorkerRole, Model>> = {
  'task-orchestrator': 'claude-opus-5-5',
  'implementation-orchestrator': 'claude-opus-5-5',
  'code-writer': 'claude-sonnet-5-5',
  'test-writer': 'claude-sonnet-5-5',
  documenter: 'claude-haiku-5-5',
  reviewer: 'claude-opus-5-5',
  'bug-fixer': 'claude-sonnet-5-5',
};

/** The model for a role: the user's choice from settings when given, else our default. */
export function modelForRole(role: WorkerRole, overrides: Partial<Record<WorkerRole, string>> = {}): string {
  return overrides[role] ?? DEFAULT_MODELS[role];
}
