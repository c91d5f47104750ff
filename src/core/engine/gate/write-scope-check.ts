import type { WorkerRole } from '../../../protocol/engine-events';
import { assertNever } from '../../util/assert-never';
import type { WriteScope } from '../../agents/definitions/write-scope';
import { GlobSet } from '../workspace/glob';

/** Undefined when the scope allows the path, else the reason for the agent. */
export function checkWriteScope(role: WorkerRole, scope: WriteScope, relPath: string): string | undefined {
  switch (scope.kind) {
    case 'anywhere':
      return undefined;
    case 'nowhere':
      return `The ${role} role may not change files.`;
    case 'globs':
      return new GlobSet(scope.globs).matches(relPath)
        ? undefined
        : `"${relPath}" is outside the ${role} role's write scope (${scope.globs.join(', ')}).`;
    default:
      return assertNever(scope);
  }
}
