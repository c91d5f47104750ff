import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file below `root` with its content and modification time, to prove a command wrote nothing. */
export function snapshotFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(root, path), `${statSync(path).mtimeMs} ${readFileSync(path, 'utf8')}`);
    }
  };
  walk(root);
  return files;
}
