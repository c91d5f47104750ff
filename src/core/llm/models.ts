/**
 * Model choice per role. The defaults are current ids from the SDK's own `Model` type and none is in its
 * deprecated list (`@anthropic-ai/sdk` prints a deprecation warning for those on every call; a unit test
 * sends each default through the real SDK and fails if anything is printed).
 */
import type { Model } from '@anthropic-ai/sdk/resources/messages';
import type { WorkerRole } from '../../protocol/engine-events';
import { priceFor } from './prices';

/**
 * The model ids the SDK's `Model` type lists (current and dated snapshots, none deprecated), which Anthropic's
 * models overview names too: what a user's choice of model is checked against before a run.
 */
export const KNOWN_MODELS = [
  'claude-fable-5-2',
  'claude-mythos-5-2',
  'claude-fable-5-1',
  'claude-mythos-5-1',
  'claude-fable-5',
  'claude-mythos-5',
  'claude-mythos-preview',
  'claude-opus-5-5',
  'claude-opus-5',
  'claude-opus-4-8',
  'claude-opus-4-7',
  'claude-opus-4-6',
  'claude-opus-4-5',
  'claude-opus-4-5-20251101',
  'claude-sonnet-5-5',
  'claude-sonnet-5',
  'claude-sonnet-4-6',
  'claude-sonnet-4-5',
  'claude-sonnet-4-5-20250929',
  'claude-haiku-5-5',
  'claude-haiku-4-5',
  'claude-haiku-4-5-20251001',
] as const satisfies readonly Model[];

export function isKnownModel(id: string): boolean {
  return (KNOWN_MODELS as readonly string[]).includes(id);
}

/** The known model with the lowest list price (output, then input): for runs where cost matters most. */
export function cheapestKnownModel(): string {
  const cost = (id: string): [number, number] => [priceFor(id).outputPerMTok, priceFor(id).inputPerMTok];
  return [...KNOWN_MODELS].sort((a, b) => {
    const [ao, ai] = cost(a);
    const [bo, bi] = cost(b);
    return ao - bo || ai - bi;
  })[0] as string;
}

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
