/**
 * One small glob engine for every path pattern in the engine: the deny list, protected paths, role write
 * scopes, `search_text`'s file filter and `.gitignore` rules. Node 20's `path.matchesGlob` exists but prints
 * an ExperimentalWarning on every process, and gitignore needs the anchoring rules below anyway.
 *
 * Paths are workspace-relative with forward slashes. Syntax: `*` (any run within one segment, dotfiles
 * included), `?`, `[abc]` / `[!abc]`, `{a,b}`, `**` (any number of segments). A pattern with no `/` except
 * a trailing one matches at any depth (`*.md` = `**\/*.md`), as in `.gitignore`; a leading `/` anchors it.
 */

export interface GlobOptions {
  /** Fold case: used for security lists, so `.ENV` on a case-insensitive disk is still denied. */
  caseInsensitive?: boolean;
}

/** Compiles a glob to an anchored RegExp over a relative path. A trailing `/` is dropped (callers handle dir-only). */
export function globToRegExp(pattern: string, options: GlobOptions = {}): RegExp {
  let body = pattern.replace(/\/+$/, '');
  const anchored = body.startsWith('/') || body.includes('/');
  body = body.replace(/^\/+/, '');
  if (!anchored) body = `**/${body}`;
  return new RegExp(`^${translate(body)}$`, options.caseInsensitive ? 'i' : '');
}

function translate(glob: string): string {
  let out = '';
  let braceDepth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '*') {
      if (glob.charAt(i + 1) === '*') {
        const atStart = i === 0 || glob.charAt(i - 1) === '/';
        const next = glob.charAt(i + 2);
        if (atStart && next === '/') {
          out += '(?:.*/)?';
          i += 2;
          continue;
        }
        if (atStart && next === '') {
          out += '.*';
          i += 1;
          continue;
        }
        // `a**b` is not a globstar: behaves as a single star.
        i += 1;
      }
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
        continue;
      }
      let cls = glob.slice(i + 1, end);
      if (cls.startsWith('!') || cls.startsWith('^')) cls = `^${cls.slice(1)}`;
      out += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '{') {
      braceDepth++;
      out += '(?:';
    } else if (c === '}' && braceDepth > 0) {
      braceDepth--;
      out += ')';
    } else if (c === ',' && braceDepth > 0) {
      out += '|';
    } else if (c === '\\' && i + 1 < glob.length) {
      out += escapeRegExp(glob.charAt(i + 1));
      i++;
    } else {
      out += escapeRegExp(c);
    }
  }
  return out + ')'.repeat(braceDepth);
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A compiled list of globs. `matches` also tests each ancestor folder, so `.git` or `docs/**` cover what is inside. */
export class GlobSet {
  private readonly regexps: RegExp[];

  constructor(
    readonly patterns: readonly string[],
    options: GlobOptions = {},
  ) {
    this.regexps = patterns.map((p) => globToRegExp(p, options));
  }

  /** True when the path itself or one of its ancestor folders matches a pattern. */
  matches(relPath: string): boolean {
    return this.matching(relPath) !== undefined;
  }

  /** The first pattern that matches the path or an ancestor folder (for refusal messages). */
  matching(relPath: string): string | undefined {
    const segments = relPath.split('/').filter((s) => s !== '');
    for (let n = segments.length; n >= 1; n--) {
      const candidate = segments.slice(0, n).join('/');
      const index = this.regexps.findIndex((r) => r.test(candidate));
      if (index !== -1) return this.patterns[index];
    }
    return undefined;
  }
}
