import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * The project root of a spec-kit document: spec-kit keeps features at `<root>/specs/<feature>/`, and task
 * paths are written relative to that root. Without a `specs` folder above, the document's own folder.
 */
export function projectRootOf(documentPath: string): string {
  let current = dirname(documentPath);
  for (;;) {
    const parent = dirname(current);
    if (parent === current) return dirname(documentPath);
    const name = current.slice(parent.length).replace(/^[\\/]/, '');
    if (name === 'specs') return parent;
    current = parent;
  }
}

export type ResolvedTaskPath = { kind: 'inside'; absolute: string } | { kind: 'outside'; absolute: string };

/** Resolves a path named in a task against `root`; absolute paths and `..` that climb out are `outside`. */
export function resolveTaskPath(root: string, written: string): ResolvedTaskPath {
  const absolute = isAbsolute(written) ? resolve(written) : resolve(root, written);
  const rel = relative(root, absolute);
  const outside = rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  return outside ? { kind: 'outside', absolute } : { kind: 'inside', absolute };
}
