import ignore, { type Ignore } from 'ignore';

/**
 * `.gitignore` matching, root and nested files, read through a loader so it works over any file system. The
 * rules themselves are git's, as the `ignore` package implements them (comments, escapes, negation,
 * dir-only, anchoring, `**`); this module only layers the files: a deeper `.gitignore` wins over a shallower
 * one, and a path inside an ignored folder stays ignored whatever a negation says, as in git.
 */

/** Reads a `.gitignore` file's text by workspace-relative path; undefined when there is none. */
export type GitignoreLoader = (relPath: string) => Promise<string | undefined>;

/** Answers "is this path ignored?" for a workspace, loading each folder's `.gitignore` once. */
export class GitignoreMatcher {
  private readonly cache = new Map<string, Promise<Ignore | undefined>>();

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
    const segments = relPath.split('/').filter((s) => s !== '');
    let ignored = false;
    // From the root's .gitignore down to the path's own folder: the deepest file that has a say decides.
    for (let depth = 0; depth < segments.length; depth++) {
      const rules = await this.rulesFor(segments.slice(0, depth).join('/'));
      if (!rules) continue;
      const local = segments.slice(depth).join('/') + (isDirectory ? '/' : '');
      const verdict = rules.test(local);
      if (verdict.ignored) ignored = true;
      else if (verdict.unignored) ignored = false;
    }
    return ignored;
  }

  private rulesFor(dir: string): Promise<Ignore | undefined> {
    let rules = this.cache.get(dir);
    if (!rules) {
      const path = dir === '' ? '.gitignore' : `${dir}/.gitignore`;
      rules = this.load(path).then((text) => (text === undefined ? undefined : ignore().add(text)));
      this.cache.set(dir, rules);
    }
    return rules;
  }
}
