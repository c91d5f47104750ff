/**
 * Which worker takes a task, and why (the reason is shown in the dry run and in the worker's prompt):
 * test tasks → test-writer, documentation tasks → documenter, everything else → code-writer.
 */
import type { WorkerRole } from '../../../protocol/engine-events';

export interface RoleChoiceInput {
  description: string;
  files: readonly string[];
  isTest: boolean;
  subsectionKind?: 'tests' | 'implementation' | 'other';
}

export interface RoleChoice {
  role: Extract<WorkerRole, 'code-writer' | 'test-writer' | 'documenter'>;
  reason: string;
}

const DOC_PATH = /(^|\/)(docs?|documentation)\/|\.(md|mdx|rst|adoc|txt)$/i;
const DOC_WORDS = /\b(document|documentation|docs|readme|changelog|guide|usage notes)\b/i;

export function chooseRole(task: RoleChoiceInput): RoleChoice {
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
