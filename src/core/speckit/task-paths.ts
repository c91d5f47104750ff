/**
 * Finds the file paths a task line names, as written. Task lines mix paths with prose, identifiers, package
 * names, URLs and Markdown, so a token only counts when it looks like a path on its own: it has a slash and
 * ends in a file extension or a slash, or it is a file name with a well-known extension, or a dotfile.
 *
 * Markdown is read as its author meant it: a code span is literal (`__init__.py` stays `__init__.py`), emphasis
 * around a bare path is dropped (`**src/a.ts**`), and a link to another document (`[T012](tasks/T012.md)`,
 * "see `docs/api.md`") is a reference, not a file the task works on. Only the files a task works on are locked
 * and written.
 */

import { posix } from 'node:path';

export type PathMentionKind = 'work' | 'reference';

export interface PathMention {
  readonly path: string;
  /** Index of the path's first character in the scanned text. */
  readonly start: number;
  readonly end: number;
  readonly kind: PathMentionKind;
}

// Bare `name.ext` tokens are only paths for extensions seen in source trees, else `e.g.` or `v1.2` would count.
const KNOWN_EXTENSIONS = new Set(
  (
    'ts tsx js jsx mjs cjs mts cts json jsonc json5 md mdx py pyi rs go java kt kts rb php cs fs cpp cc cxx c h hpp ' +
    'm mm swift dart lua css scss sass less html htm vue svelte astro yml yaml toml ini cfg conf env prisma sql ' +
    'graphql gql proto sh bash zsh ps1 bat cmd txt csv tsv xml svg png jpg jpeg gif webp ico lock gradle tf hcl ' +
    'ipynb r jl ex exs erl hs ml clj scala sol zig wasm vsix snap log pem crt'
  ).split(' '),
);

// `[text](destination "title")`, images included.
const LINK = /!?\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g;
const CODE_SPAN = /`([^`\r\n]+)`/g;
// What separates bare tokens: blanks, quotes, parentheses, sentence punctuation (also CJK). Brackets stay inside a
// token (`app/api/[id]/route.ts`).
const TOKEN_SEPARATORS = '\\s`\'"(),;<>{}，、（）：。；';
// The next bare token that could be a path, captured: one holding `/`, `.` or `\`. The words before it, which hold
// none, are skipped in the same match, each whole (a word must end at a separator), so no word is tried at every
// character and no text can be split two ways.
const NEXT_BARE_TOKEN = new RegExp(
  `(?:[${TOKEN_SEPARATORS}]|[^${TOKEN_SEPARATORS}/.\\\\]+(?=[${TOKEN_SEPARATORS}]|$))*` +
    `([^${TOKEN_SEPARATORS}]*[/.\\\\][^${TOKEN_SEPARATORS}]*)`,
  'y',
);
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const FORBIDDEN_IN_PATH = /[\s()=<>{}$*?#|"'!,;]|::/;
const LINE_SUFFIX = /:\d+(?::\d+)?$/;
const EXTENSION = /\.([A-Za-z0-9]{1,10})$/;
const FILE_NAME = /^[\w.-]+$/;
const DOTFILE = /^\.[A-Za-z][\w.-]*$/;
const LAST_SEGMENT_VERSION = /(?:^|\/)\d+(?:\.\d+)*$/;
// Framework names (`Node.js`, `Next.js`) are not files.
const PRODUCT_NAME = /^[A-Z]\w*\.js$/;
// Words that make the path right after them a document the task consults, not one it changes ("see `docs/a.md`").
const REFERENCE_WORD =
  /\b(?:see|per|cf|refer|referring|according|based|following|described|defined|specified|documented|outlined|listed)\b/i;
const REFERENCE_CUE =
  /\b(?:see|per|cf\.?|refer(?:ring)?\s+to|according\s+to|based\s+on|following|(?:as\s+)?(?:described|defined|specified|documented|outlined|listed)\s+in)\s*(?:the\s+)?[*_(]*/gi;
// Sentence punctuation after a bare token; emphasis and strikethrough marks around it.
const TRAILING_PUNCTUATION = /[.:!?]+$/;
const WRAPPER = /^(\*{1,3}|_{1,3}|~{1,2})(.+?)\1$/;
// Most tokens (`src/a/b.ts`): nothing to clean off, since they neither open nor close with a mark or punctuation.
const CLEAN_TOKEN = /^[A-Za-z0-9][\w./-]*[A-Za-z0-9]$/;

const NO_MENTIONS: readonly PathMention[] = [];

export function extractPaths(text: string): readonly PathMention[] {
  if (!text.includes('/') && !text.includes('.') && !text.includes('\\')) return NO_MENTIONS;
  const found: PathMention[] = [];
  const cues = referenceCueEnds(text);
  let rest = text;
  if (text.includes('](')) {
    for (let m = firstMatch(LINK, text); m !== null; m = LINK.exec(text)) {
      addLinkMention(found, m, cues);
      rest = blank(rest, m.index, m[0].length);
    }
  }
  if (rest.includes('`')) {
    for (let m = firstMatch(CODE_SPAN, rest); m !== null; m = CODE_SPAN.exec(rest)) {
      const inner = m[1] ?? '';
      const path = inner.trim().replace(LINE_SUFFIX, '');
      if (isPathLike(path, true)) add(found, path, m.index + 1 + inner.indexOf(path), kindAt(cues, m.index));
      rest = blank(rest, m.index, m[0].length);
    }
  }
  for (let m = firstMatch(NEXT_BARE_TOKEN, rest); m !== null; m = NEXT_BARE_TOKEN.exec(rest)) {
    const token = m[1] ?? '';
    const path = cleanBareToken(token);
    if (path === undefined || !isPathLike(path, false)) continue;
    const start = NEXT_BARE_TOKEN.lastIndex - token.length + token.indexOf(path);
    add(found, path, start, kindAt(cues, start));
  }
  if (found.length > 1) found.sort(byStart);
  return found;
}

/** A global pattern's first match in `text`, from the start. */
function firstMatch(pattern: RegExp, text: string): RegExpExecArray | null {
  pattern.lastIndex = 0;
  return pattern.exec(text);
}

function byStart(a: PathMention, b: PathMention): number {
  return a.start - b.start;
}

/** Where each "see", "per", "as described in"… of a line ends: a path right after one is a reference. */
function referenceCueEnds(text: string): readonly number[] {
  if (!REFERENCE_WORD.test(text)) return NO_CUES;
  const ends: number[] = [];
  for (let m = firstMatch(REFERENCE_CUE, text); m !== null; m = REFERENCE_CUE.exec(text))
    ends.push(m.index + m[0].length);
  return ends;
}

const NO_CUES: readonly number[] = [];

function kindAt(cueEnds: readonly number[], start: number): PathMentionKind {
  return cueEnds.includes(start) ? 'reference' : 'work';
}

/**
 * A link's destination is a file the task works on when the link's text is a path too (`[src/a.ts](../../src/a.ts)`);
 * otherwise the link points at a document (`[T012](tasks/T012.md)`, `[the plan](../plan.md)`).
 */
function addLinkMention(found: PathMention[], m: RegExpExecArray, cues: readonly number[]): void {
  const [whole, label = '', destination = ''] = m;
  const index = m.index;
  const labelPath = label.replace(/`/g, '').trim();
  const labelIsPath = isPathLike(labelPath, true);
  if (URL_SCHEME.test(destination) || destination.startsWith('#') || destination === '') {
    // A web link to a file (`[src/a.ts](https://…/src/a.ts)`) still names the file by its text.
    if (labelIsPath) add(found, labelPath, index + whole.indexOf(labelPath), kindAt(cues, index));
    return;
  }
  const path = safeDecode(destination.split('#')[0] ?? destination);
  if (!isPathLike(path, true)) return;
  const start = index + whole.lastIndexOf(destination);
  add(found, path, start, labelIsPath ? kindAt(cues, index) : 'reference');
}

// A task names a handful of paths at most: a scan of the list beats allocating a set per call.
function add(found: PathMention[], path: string, start: number, kind: PathMentionKind): void {
  for (const mention of found) if (mention.path === path) return;
  found.push({ path, start, end: start + path.length, kind });
}

function blank(text: string, start: number, length: number): string {
  return text.slice(0, start) + ' '.repeat(length) + text.slice(start + length);
}

function safeDecode(destination: string): string {
  try {
    return decodeURI(destination);
  } catch {
    return destination; // a stray `%` is a character of the name
  }
}

/**
 * Sentence punctuation after a bare token goes, and emphasis that wraps the whole token (`**src/a.ts**`,
 * `~~old.ts~~`); underscores that belong to the name stay (`__init__.py`, `src/__main__.py`).
 */
function cleanBareToken(token: string): string | undefined {
  if (CLEAN_TOKEN.test(token)) return token;
  let path = token.replace(TRAILING_PUNCTUATION, '');
  for (let wrapped = WRAPPER.exec(path); wrapped !== null; wrapped = WRAPPER.exec(path)) {
    path = (wrapped[2] ?? '').replace(TRAILING_PUNCTUATION, '');
  }
  // Emphasis opened before the path and closed after a later word (`**src/a.ts and b**`) leaves a mark at one
  // end only. `~/` is the home folder, not strikethrough.
  if (/^[*~]/.test(path)) path = path.replace(/^\*+|^~+(?!\/)/, '');
  if (/[*~_]$/.test(path)) path = path.replace(/(?<=[\w/])[*~]+$/, '').replace(/(\.[A-Za-z0-9]+)_+$/, '$1');
  path = path.replace(LINE_SUFFIX, '');
  return path.length >= 2 ? path : undefined;
}

function isPathLike(token: string, quoted: boolean): boolean {
  if (token.length < 2 || token.includes('://') || token.startsWith('www.') || token.startsWith('@')) return false;
  if (FORBIDDEN_IN_PATH.test(token)) return false;
  if (token.includes('\\')) return isSlashedPath(token.replace(/\\/g, '/'), quoted);
  if (token.includes('/')) return isSlashedPath(token, quoted);
  if (!FILE_NAME.test(token)) return false;
  if (DOTFILE.test(token)) return !token.endsWith('.');
  const extension = EXTENSION.exec(token)?.[1];
  if (extension === undefined || !KNOWN_EXTENSIONS.has(extension)) return false;
  const name = token.slice(0, token.length - extension.length - 1);
  if (name.length === 0 || /^[\d.]+$/.test(name)) return false;
  return quoted || !PRODUCT_NAME.test(token);
}

function isSlashedPath(path: string, quoted: boolean): boolean {
  if (path.includes('//') || !/[A-Za-z]/.test(path)) return false;
  // An extension holds no slash, so it ends the last segment: `v2/1.2.3` ends in a version, not an extension.
  const hasExtension = EXTENSION.test(path) && !LAST_SEGMENT_VERSION.test(path);
  // `/api/tasks` is a URL route far more often than a file: an absolute path counts only with a file extension.
  if (path.startsWith('/')) return hasExtension;
  if (path.endsWith('/') || /^(?:\.{1,2}\/|~\/|[A-Za-z]:\/)/.test(path) || hasExtension) return true;
  return quoted && /^[\w.-]+(?:\/[\w.-]+)+$/.test(path) && /[a-z]/.test(path);
}

// What a path needs before two spellings of one file compare equal: a backslash, a `.` or `..` segment, a doubled
// or trailing slash. Most paths have none and are their own form.
const NOT_PLAIN = /\\|(?:^|\/)\.{1,2}(?:\/|$)|\/\/|\/$/;

/**
 * The form two mentions of one file share, as file locks compare them: forward slashes, `.` and `..` segments
 * resolved, no trailing slash, relative to the project root. A path climbing out with `../` is read from the
 * tasks file's folder (`tasksFolder`, relative to the project root, e.g. `specs/001-x`), as a Markdown link is:
 * `../../src/x.ts` there and `src/x.ts` are one file. Without the folder such a path stays as it climbs.
 */
export function normalizeTaskPath(path: string, tasksFolder?: string): string {
  if (!NOT_PLAIN.test(path)) return path;
  const slashed = path.replace(/\\/g, '/');
  const fromFolder =
    tasksFolder !== undefined && tasksFolder !== '' && slashed.startsWith('../')
      ? posix.join(tasksFolder.replace(/\\/g, '/'), slashed)
      : slashed;
  // A folder too shallow for the climb leaves the project: then the path is read from the root, as spec-kit writes.
  const resolved = posix.normalize(fromFolder.startsWith('../') && fromFolder !== slashed ? slashed : fromFolder);
  return resolved.length > 1 && resolved.endsWith('/') ? resolved.slice(0, -1) : resolved;
}
