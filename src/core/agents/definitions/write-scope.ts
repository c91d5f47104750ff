import type { WorkerRole } from '../../../protocol/engine-events';

/**
 * What a role may write, enforced at the gate (not in prompts or tools), so no prompt can widen it.
 * `anywhere` still means "anywhere the path policy allows"; protected paths stay protected.
 */
export type WriteScope = { kind: 'anywhere' } | { kind: 'nowhere' } | { kind: 'globs'; globs: readonly string[] };

/** Test files and folders: what test-writer may touch and what `auto-approve-tests` accepts unasked. */
export const TEST_PATH_GLOBS: readonly string[] = [
  'test/**',
  'tests/**',
  'spec/**',
  '__tests__/**',
  '*.test.*',
  '*.spec.*',
  '**/test/**',
  '**/tests/**',
  '**/__tests__/**',
];

export const DOC_PATH_GLOBS: readonly string[] = ['docs/**', 'doc/**', '*.md', '*.mdx', '*.rst', '*.adoc'];

export const defaultWriteScopes: Readonly<Record<WorkerRole, WriteScope>> = {
  'task-orchestrator': { kind: 'nowhere' },
  'implementation-orchestrator': { kind: 'nowhere' },
  'code-writer': { kind: 'anywhere' },
  'bug-fixer': { kind: 'anywhere' },
  // Reviewers propose fixes for their findings; those go through the gate like every edit.
  reviewer: { kind: 'anywhere' },
  'test-writer': { kind: 'globs', globs: TEST_PATH_GLOBS },
  documenter: { kind: 'globs', globs: DOC_PATH_GLOBS },
};
