import picomatch from 'picomatch/posix';
import { RE2JS } from 're2js';

/**
 * Every path pattern of the engine: the deny list, protected paths, role write scopes, what
 * `auto-approve-tests` accepts, and `search_text`'s file filter. picomatch parses the glob (bash syntax:
 * `*`, `?`, `**`, `[abc]`, `[!abc]`, `{a,b}`, extglobs).
 *
 * Two ways to run it, by who wrote the pattern:
 * - configured patterns (ours, the user's settings) run as picomatch's own RegExp: fast, and trusted;
 * - a model's pattern (`search_text`'s glob) runs on RE2 (re2js), in time linear in the path: picomatch's
 *   RegExp backtracks, and `*a*a*a*a*a*a*a*a*a*a*a*a*c` against a 40-character name takes minutes.
 *   RE2 has no lookarounds; the ones picomatch emits only keep `.`/`..` segments and empty strings from
 *   matching, which a normalised workspace path never has, so they are dropped. A pattern that needs any
 *   other lookaround (a negated extglob `!(…)`) is refused.
 *
 * Paths are workspace-relative with forward slashes. A pattern with no `/` except a trailing one matches at
 * any depth (`*.md` matches `docs/a.md`), as in `.gitignore`; a leading `/` anchors it at the root. A
 * trailing `/` is dropped. Dotfiles match like any other name (`*` matches `.env`).
 */

export interface GlobOptions {
  /** Fold case: used for security lists, so `.ENV` on a case-insensitive disk is still denied. */
  caseInsensitive?: boolean;
  /** The pattern comes from a model: run it on RE2 (see above). */
  untrusted?: boolean;
}

/** A pattern that cannot be compiled, with the reason; the model (or the settings' owner) can correct it. */
export class InvalidGlobError extends Error {
  constructor(
    readonly pattern: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`invalid glob ${JSON.stringify(pattern)}: ${reason}`, options);
    this.name = 'InvalidGlobError';
  }
}

/** Longest model-supplied glob accepted; a filter longer than a path has no use. */
export const MAX_UNTRUSTED_GLOB_LENGTH = 512;

type Matcher = (relPath: string) => boolean;

interface Prepared {
  body: string;
  options: picomatch.PicomatchOptions;
}

function prepare(pattern: string, options: GlobOptions): Prepared {
  const withoutTrailing = pattern.replace(/\/+$/, '');
  const anchored = withoutTrailing.includes('/');
  const body = withoutTrailing.replace(/^\/+/, '');
  if (body === '') throw new InvalidGlobError(pattern, 'it matches nothing');
  return {
    body,
    options: {
      dot: true,
      posix: true,
      // A slashless pattern matches the last segment, at any depth.
      basename: !anchored,
      nocase: options.caseInsensitive === true,
    },
  };
}

/** A configured (trusted) pattern as a predicate over a relative path. */
export function compileGlob(pattern: string, options: GlobOptions = {}): Matcher {
  const { body, options: pm } = prepare(pattern, options);
  try {
    return picomatch(body, pm);
  } catch (error) {
    throw new InvalidGlobError(pattern, error instanceof Error ? error.message : String(error), { cause: error });
  }
}

const { ONE_CHAR, NO_DOT, NO_DOTS, NO_DOT_SLASH, NO_DOTS_SLASH } = picomatch.constants.globChars(false);
/** picomatch's guards against `.`/`..` segments and the empty string; longest first so none is cut in half. */
const SEGMENT_GUARDS = [NO_DOTS, NO_DOTS_SLASH, NO_DOT_SLASH, NO_DOT, ONE_CHAR].sort((a, b) => b.length - a.length);

/** A model-supplied pattern as a predicate that runs in linear time (RE2); `InvalidGlobError` when it cannot. */
export function compileUntrustedGlob(pattern: string, options: GlobOptions = {}): Matcher {
  if (pattern.length > MAX_UNTRUSTED_GLOB_LENGTH)
    throw new InvalidGlobError(pattern.slice(0, 40), `it is longer than ${MAX_UNTRUSTED_GLOB_LENGTH} characters`);
  const { body, options: pm } = prepare(pattern, options);
  let source: string;
  try {
    source = picomatch.makeRe(body, { ...pm, basename: false }).source;
  } catch (error) {
    throw new InvalidGlobError(pattern, error instanceof Error ? error.message : String(error), { cause: error });
  }
  for (const guard of SEGMENT_GUARDS) source = source.split(guard).join('');
  if (/\(\?<?[=!]/.test(source))
    throw new InvalidGlobError(pattern, 'negated patterns such as !(…) are not supported here');
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source, pm.nocase === true ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (error) {
    throw new InvalidGlobError(pattern, error instanceof Error ? error.message : String(error), { cause: error });
  }
  const matchesWhole = (text: string): boolean => compiled.testExact(text);
  if (pm.basename !== true) return matchesWhole;
  return (relPath) => matchesWhole(relPath.slice(relPath.lastIndexOf('/') + 1));
}

/** A compiled list of globs. `matches` also tests each ancestor folder, so `.git` or `docs/**` cover what is inside. */
export class GlobSet {
  private readonly matchers: Matcher[];

  constructor(
    readonly patterns: readonly string[],
    options: GlobOptions = {},
  ) {
    this.matchers = patterns.map((p) =>
      options.untrusted === true ? compileUntrustedGlob(p, options) : compileGlob(p, options),
    );
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
      const index = this.matchers.findIndex((matches) => matches(candidate));
      if (index !== -1) return this.patterns[index];
    }
    return undefined;
  }
}

/** A regular expression that matches `text` literally (for RE2 as for RegExp). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
