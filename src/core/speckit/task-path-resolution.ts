/** Where a path a task names points: inside the project, or out of it. */

/** Absolute, home-relative, drive-letter or `..`-escaping paths point outside the workspace. */
export function isOutsideWorkspace(path: string): boolean {
  if (!path.includes('..') && !/^[/~\\]|^[A-Za-z]:/.test(path)) return false;
  const normalized = path.replace(/\\/g, '/');
  if (/^(?:\/|~|[A-Za-z]:\/)/.test(normalized)) return true;
  let depth = 0;
  for (const segment of normalized.split('/')) {
    if (segment === '..') depth -= 1;
    else if (segment !== '.' && segment !== '') depth += 1;
    if (depth < 0) return true;
  }
  return false;
}
