/**
 * Which worker takes a task, and why (the reason is shown in the dry run and in the worker's prompt):
 * tasks of a Review phase → reviewer, test tasks → test-writer, documentation tasks → documenter, everything
 * else → code-writer.
 */
import type { WorkerRole } from '../../../protocol/engine-events';

export interface RoleChoiceInput {
  description: string;
  files: readonly string[];
  isTest: boolean;
  subsectionKind?: 'tests' | 'implementation' | 'other';
  /** The title of the task's phase (`Review`, `Phase 5: Review`), when it has one. */
  phaseTitle?: string;
}

export interface RoleChoice {
  role: Extract<WorkerRole, 'code-writer' | 'test-writer' | 'documenter' | 'reviewer'>;
  reason: string;
}

const DOC_PATH = /(^|\/)(docs?|documentation)\/|\.(md|mdx|rst|adoc|txt)$/i;
const DOC_WORDS = /\b(document|documentation|docs|readme|changelog|guide|usage notes)\b/i;

/** `Review`, `Phase 5: Review`, `Review & sign-off`: the phase that checks the work rather than adding to it. */
const REVIEW_PHASE = /^(?:phase\s+\d+\s*[:.\-–—]\s*)?review\b/i;

export function chooseRole(task: RoleChoiceInput): RoleChoice {
  if (task.phaseTitle !== undefined && REVIEW_PHASE.test(task.phaseTitle.trim())) {
    return { role: 'reviewer', reason: 'it is in the Review phase' };
  }
  if (task.isTest) {
    return {
      role: 'test-writer',
      reason:
        task.subsectionKind === 'tests'
          ? 'it sits in a tests sub-section'
          : 'it is a test task (by its wording or the test files it names)',
    };
  }
  const files = task.files.filter((f) => !f.endsWith('/'));
  if (files.length > 0 && files.every((f) => DOC_PATH.test(f))) {
    return { role: 'documenter', reason: `it names documentation files only (${files.join(', ')})` };
  }
  if (files.length === 0 && DOC_WORDS.test(task.description)) {
    return { role: 'documenter', reason: 'it asks for documentation and names no code files' };
  }
  return {
    role: 'code-writer',
    reason: files.length > 0 ? `it changes code (${files.join(', ')})` : 'it is an implementation task',
  };
}
