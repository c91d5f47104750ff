/**
 * Finds the file paths a task names. Task lines mix paths with prose, identifiers, package names and URLs,
 * so a token only counts when it looks like a path on its own: it has a slash and ends in a file extension or
 * a slash, or it is a file name with a well-known extension, or a dotfile.
 */

export interface PathMention {
  readonly path: string;
  /** Index of the path's first character in the scanned text. */
  readonly start: number;
  readonly end: number;
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

// Brackets stay inside tokens: route folders like `app/api/[id]/route.ts` are paths.
const SEPARATORS = ' \t\r\n`\'"(),;<>{}，、（）：。；';
// Every character of every task line goes through this test: ASCII from a table, the rest from a short list.
const ASCII_SEPARATOR = new Uint8Array(128);
for (let c = 0; c <= 32; c += 1) ASCII_SEPARATOR[c] = 1;
const WIDE_SEPARATORS: number[] = [];
for (const ch of SEPARATORS) {
  const code = ch.charCodeAt(0);
  if (code < 128) ASCII_SEPARATOR[code] = 1;
  else WIDE_SEPARATORS.push(code);
}

function isTokenSeparator(ch: number): boolean {
  return ch < 128 ? ASCII_SEPARATOR[ch] === 1 : WIDE_SEPARATORS.includes(ch);
}
const BACKTICK_SPAN = /`([^`\r\n]+)`/g;
const FORBIDDEN_IN_PATH = /[\s()=<>{}$*?#|"'!,;]|::/;
const LINE_SUFFIX = /:\d+(?::\d+)?$/;
const EXTENSION = /\.([A-Za-z0-9]{1,10})$/;
const FILE_NAME = /^[\w.-]+$/;
// Framework names (`Node.js`, `Next.js`) are not files.
const PRODUCT_NAME = /^[A-Z][\w]*\.js$/;

export function extractPaths(text: string): PathMention[] {
  const found: PathMention[] = [];
  if (text.indexOf('/') < 0 && text.indexOf('.') < 0) return found;
  let bare = text;
  if (text.indexOf('`') >= 0) {
    BACKTICK_SPAN.lastIndex = 0;
    let masked = '';
    let last = 0;
    for (let m = BACKTICK_SPAN.exec(text); m !== null; m = BACKTICK_SPAN.exec(text)) {
      const inner = m[1] ?? '';
      const candidate = cleanCandidate(inner.trim());
      // Cleaning may drop leading emphasis (`*src/a.ts`): the path starts where its text does.
      if (candidate !== undefined && isPathLike(candidate, true))
        push(found, candidate, m.index + 1 + inner.indexOf(candidate));
      masked += text.slice(last, m.index) + ' '.repeat(m[0].length);
      last = m.index + m[0].length;
    }
    bare = masked + text.slice(last);
  }
  // Only a token holding `/`, `.` or `\` can be a path: jump from one such character to the next and read the
  // token around it, rather than looking at every character of every task line.
  const length = bare.length;
  let slash = bare.indexOf('/');
  let dot = bare.indexOf('.');
  let backslash = bare.indexOf('\\');
  let from = 0;
  for (;;) {
    if (slash >= 0 && slash < from) slash = bare.indexOf('/', from);
    if (dot >= 0 && dot < from) dot = bare.indexOf('.', from);
    if (backslash >= 0 && backslash < from) backslash = bare.indexOf('\\', from);
    const hit = earliest(earliest(slash, dot), backslash);
    if (hit < 0) break;
    // The character before `from` is a separator (or `from` is 0), so the token cannot start earlier.
    let start = hit;
    while (start > from && !isTokenSeparator(bare.charCodeAt(start - 1))) start -= 1;
    let end = hit + 1;
    while (end < length && !isTokenSeparator(bare.charCodeAt(end))) end += 1;
    const candidate = cleanCandidate(bare.slice(start, end));
    if (candidate !== undefined && isPathLike(candidate, false)) {
      push(found, candidate, start + Math.max(0, bare.indexOf(candidate, start) - start));
    }
    from = end + 1;
  }
  found.sort((a, b) => a.start - b.start);
  return found;
}

/** The smaller of two `indexOf` results, where -1 means none. */
function earliest(a: number, b: number): number {
  return a < 0 ? b : b < 0 ? a : Math.min(a, b);
}

// A task names a handful of paths at most: a scan of the list beats allocating a set per call.
function push(found: PathMention[], path: string, start: number): void {
  for (const mention of found) if (mention.path === path) return;
  found.push({ path, start, end: start + path.length });
}

function cleanCandidate(token: string): string | undefined {
  let t = token;
  // Sentence punctuation and markdown emphasis stuck to the end of a bare token.
  while (t.length > 0 && '.:!?*_~'.includes(t.charAt(t.length - 1)) && !t.endsWith('/.')) t = t.slice(0, -1);
  // A leading `~` is strikethrough, except in `~/`, the home folder.
  while (t.length > 0 && '*_~'.includes(t.charAt(0)) && !t.startsWith('~/')) t = t.slice(1);
  t = t.replace(LINE_SUFFIX, '');
  return t.length >= 2 ? t : undefined;
}

function isPathLike(token: string, backticked: boolean): boolean {
  if (token.includes('://') || token.startsWith('www.') || token.startsWith('@')) return false;
  if (FORBIDDEN_IN_PATH.test(token)) return false;
  if (token.includes('/') || token.includes('\\')) {
    const normalized = token.includes('\\') ? token.replace(/\\/g, '/') : token;
    if (normalized.includes('//')) return false;
    if (!/[A-Za-z]/.test(normalized)) return false;
    const last = normalized.slice(normalized.lastIndexOf('/') + 1);
    // `/api/tasks` is a URL route far more often than a file: an absolute path counts only with a file extension.
    if (normalized.startsWith('/')) return EXTENSION.test(last) && !/^\d+(?:\.\d+)*$/.test(last);
    if (normalized.endsWith('/')) return true;
    if (/^(?:\.{1,2}\/|~\/|[A-Za-z]:\/)/.test(normalized)) return true;
    if (EXTENSION.test(last) && !/^\d+(?:\.\d+)*$/.test(last)) return true;
    return backticked && /^[\w.-]+(?:\/[\w.-]+)+$/.test(normalized) && /[a-z]/.test(normalized);
  }
  if (!FILE_NAME.test(token)) return false;
  if (/^\.[A-Za-z][\w.-]*$/.test(token)) return !token.endsWith('.');
  const ext = EXTENSION.exec(token)?.[1];
  if (ext === undefined || !KNOWN_EXTENSIONS.has(ext)) return false;
  const name = token.slice(0, token.length - ext.length - 1);
  if (name.length === 0 || /^[\d.]+$/.test(name)) return false;
  return backticked || !PRODUCT_NAME.test(token);
}

/** Absolute, home-relative, drive-letter or `..`-escaping paths point outside the workspace. */
export function isOutsideWorkspace(path: string): boolean {
  if (!path.includes('..') && !startsAtARoot(path)) return false;
  const normalized = path.replace(/\\/g, '/');
  if (/^(?:\/|~|[A-Za-z]:\/)/.test(normalized)) return true;
  let depth = 0;
  for (const segment of normalized.split('/')) {
    if (segment === '..') {
      depth -= 1;
      if (depth < 0) return true;
    } else if (segment !== '.' && segment !== '') {
      depth += 1;
    }
  }
  return false;
}

/** `/…`, `~…`, `\…` or a drive letter `C:…`: checked for every path of every task, so without a regex. */
function startsAtARoot(path: string): boolean {
  const c = path.charCodeAt(0);
  if (c === 47 || c === 126 || c === 92) return true; // / ~ \
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return letter && path.charCodeAt(1) === 58; // :
}

/** The form two mentions of one file share: forward slashes, no leading `./`, no trailing slash. */
export function normalizeTaskPath(path: string): string {
  if (!path.includes('\\') && !path.startsWith('./') && !path.endsWith('/')) return path;
  let p = path.replace(/\\/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}
