import { globToRegExp } from './glob';

/**
 * `.gitignore` matching, root and nested files, read through a loader so it works over any file system.
 * Hand-written on top of the engine's one glob engine (see glob.ts) rather than a dependency: the rules we
 * need (comments, escapes, negation, dir-only, anchoring, `**`) are few, and the deny list and scopes share
 * the same pattern syntax. As in git, a file inside an ignored folder cannot be re-included by negation.
 */

export interface GitignoreRule {
  /** Folder of the `.gitignore` that holds the rule, workspace-relative ('' for the root). */
  readonly baseDir: string;
  readonly pattern: string;
  readonly negated: boolean;
  readonly dirOnly: boolean;
  readonly regexp: RegExp;
}

/** Parses one `.gitignore` file's text; `baseDir` is where it lives (workspace-relative, '' = root). */
export function parseGitignore(text: string, baseDir: string): GitignoreRule[] {
  const rules: GitignoreRule[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    // Trailing spaces are ignored unless escaped with a backslash.
    let line = rawLine.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    let negated = false;
    if (line.startsWith('!')) {
      negated = true;
      line = line.slice(1);
    } else if (line.startsWith('\\!') || line.startsWith('\\#')) {
      line = line.slice(1);
    }
    const dirOnly = line.endsWith('/');
    if (line.replace(/\/+$/, '') === '') continue;
    rules.push({ baseDir, pattern: line, negated, dirOnly, regexp: globToRegExp(line) });
  }
  return rules;
}

/** Reads a `.gitignore` file's text by workspace-relative path; undefined when there is none. */
export type GitignoreLoader = (relPath: string) => Promise<string | undefined>;

/** Answers "is this path ignored?" for a workspace, loading each folder's `.gitignore` once. */
export class GitignoreMatcher {
  private readonly cache = new Map<string, Promise<GitignoreRule[]>>();

  constructor(private readonly load: GitignoreLoader) {}

  /** True when the path, or any folder above it, is ignored. */
  async isIgnored(relPath: string, isDirectory: boolean): Promise<boolean> {
    const segments = relPath.split('/').filter((s) => s !== '');
    for (let n = 1; n <= segments.length; n++) {
      const candidate = segments.slice(0, n).join('/');
      const candidateIsDir = n < segments.length || isDirectory;
      if (await this.isIgnoredItself(candidate, candidateIsDir)) return true;
    }
    return false;
  }

  /** Whether the path is ignored by the rules alone, assuming its parent folders are not (for tree walks). */
  async isIgnoredItself(relPath: string, isDirectory: boolean): Promise<boolean> {
    const segments = relPath.split('/');
    let ignored = false;
    // Deeper .gitignore files win over shallower ones, and later lines over earlier: apply in that order.
    for (let depth = 0; depth < segments.length; depth++) {
      const baseDir = segments.slice(0, depth).join('/');
      const rules = await this.rulesFor(baseDir);
      const local = segments.slice(depth).join('/');
      for (const rule of rules) {
        if (rule.dirOnly && !isDirectory) continue;
        if (rule.regexp.test(local)) ignored = !rule.negated;
      }
    }
    return ignored;
  }

  private rulesFor(dir: string): Promise<GitignoreRule[]> {
    let rules = this.cache.get(dir);
    if (!rules) {
      const path = dir === '' ? '.gitignore' : `${dir}/.gitignore`;
      rules = this.load(path).then((text) => (text === undefined ? [] : parseGitignore(text, dir)));
      this.cache.set(dir, rules);
    }
    return rules;
  }
}
