import { lstat, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { PathPurpose, PathRefusal, PathRefusalCode, ResolvedPath } from '../../ports/workspace';
import { errorCode, isMissing } from '../../util/fs-errors';
import { GlobSet } from './glob';

/**
 * The one place that decides whether an agent may touch a path. Every Workspace method, every tool and the
 * approval gate go through `resolveInWorkspace`; nothing else interprets a model-supplied path. A path is
 * normalised once (`normaliseRelative`), and every check (the `.git` rule, the deny list, protected paths,
 * then the gate's write scopes and the files only the scheduler writes) sees that one spelling, and again the
 * spelling it has once symbolic links are resolved.
 */

export interface PathPolicy {
  /** Globs never read nor written (secrets). Default: `.env*` and the engine's own state folder. */
  readonly deny: readonly string[];
  /** Globs that may be read but never written by agents (tooling, VCS, lockfiles). */
  readonly protectedForWrite: readonly string[];
}

/** The engine's own state (journal, pre-image blobs) lives here; agents neither read nor write it, at any depth. */
export const ENGINE_STATE_GLOB = '**/.specify/orchestra';

export const defaultPathPolicy: PathPolicy = {
  deny: ['.env*', ENGINE_STATE_GLOB],
  /*
   * Tool folders at every level, not only at the folder that was opened: the spec-kit project may sit in a
   * sub-folder, and its `.claude/agents/*.md` are the next run's system prompts.
   */
  protectedForWrite: [
    '.git',
    '.vscode',
    '.specify',
    '.claude',
    'package-lock.json',
    'npm-shrinkwrap.json',
    'yarn.lock',
    'pnpm-lock.yaml',
    'bun.lockb',
    'bun.lock',
    'Cargo.lock',
    'poetry.lock',
    'Pipfile.lock',
    'uv.lock',
    'go.sum',
    'Gemfile.lock',
    'composer.lock',
    'packages.lock.json',
    'flake.lock',
  ],
};

/** Longest name of one file or folder (bytes), and of a whole path: what common file systems accept. */
export const MAX_NAME_BYTES = 255;
export const MAX_PATH_BYTES = 4096;

/** A compiled policy: build once per workspace, reuse for every call. */
export class CompiledPathPolicy {
  private readonly deny: GlobSet;
  private readonly protectedForWrite: GlobSet;

  constructor(readonly policy: PathPolicy = defaultPathPolicy) {
    this.deny = new GlobSet(policy.deny, { caseInsensitive: true });
    this.protectedForWrite = new GlobSet(policy.protectedForWrite, { caseInsensitive: true });
  }

  /** Checks a normalised relative path against `.git`, the deny list and (for writes) protected paths. */
  checkRelative(rel: string, purpose: PathPurpose, shownAs: string): PathRefusal | undefined {
    if (rel.split('/').some((s) => s.toLowerCase() === '.git')) {
      return refuse('git', shownAs, `"${shownAs}" is inside a .git folder, which agents may not read or write.`);
    }
    const denied = this.deny.matching(rel);
    if (denied !== undefined) {
      return refuse(
        'denied',
        shownAs,
        `"${shownAs}" matches the deny list (${denied}); it may not be read or written.`,
      );
    }
    if (purpose === 'write') {
      if (rel === '') return refuse('root', shownAs, 'The workspace folder itself cannot be written or deleted.');
      const protectedBy = this.protectedForWrite.matching(rel);
      if (protectedBy !== undefined) {
        return refuse(
          'protected',
          shownAs,
          `"${shownAs}" is a protected path (${protectedBy}); agents may read it but not change it.`,
        );
      }
    }
    return undefined;
  }
}

function refuse(code: PathRefusalCode, path: string, reason: string): PathRefusal {
  return { kind: 'refused', code, path, reason };
}

/** A model-supplied path in its one spelling, or why it has none. */
export type NormalisedPath = { kind: 'ok'; rel: string; namesFolder: boolean } | PathRefusal;

/**
 * Normalises a model-supplied path without touching the disk: forward slashes, `.` segments, doubled and
 * trailing slashes and inner `..` folded. Refuses empty input, absolute paths (POSIX, `C:\`, `C:foo`, UNC
 * `\\server`), `..` that climbs out, control characters, names that mean another file on some systems
 * (`a.md.` and `a.md ` are `a.md` on Windows, `a.md:x` an alternate stream) and names too long for a file
 * system. `namesFolder` records a trailing slash, which a file operation refuses.
 */
export function normaliseRelative(input: string): NormalisedPath {
  // '' (like '.') names the workspace folder itself; blank or NUL-carrying input is a mistake.
  if ((input !== '' && input.trim() === '') || input.includes('\0'))
    return refuse('empty', input, 'The path is blank or contains a NUL character.');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0001-\u001f\u007f]/.test(input))
    return refuse('malformed', JSON.stringify(input), `${JSON.stringify(input)} contains a control character.`);
  const slashed = input.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed) || isAbsolute(input)) {
    return refuse('absolute', input, `"${input}" is absolute; use a path relative to the workspace folder.`);
  }
  if (Buffer.byteLength(slashed) > MAX_PATH_BYTES)
    return refuse('too-long', input.slice(0, 80), `The path is longer than ${MAX_PATH_BYTES} bytes.`);
  const out: string[] = [];
  for (const segment of slashed.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return refuse('escape', input, `"${input}" leads outside the workspace folder.`);
      out.pop();
      continue;
    }
    if (Buffer.byteLength(segment) > MAX_NAME_BYTES)
      return refuse(
        'too-long',
        input.slice(0, 80),
        `A name in the path is longer than ${MAX_NAME_BYTES} bytes: "${segment.slice(0, 40)}…".`,
      );
    if (/[. ]$/.test(segment) || segment.includes(':'))
      return refuse(
        'malformed',
        input,
        `"${input}": "${segment}" ends with a dot or a space, or holds a colon; such names mean another file on some systems.`,
      );
    out.push(segment);
  }
  return { kind: 'ok', rel: out.join('/'), namesFolder: /\/\.?$/.test(slashed) && out.length > 0 };
}

/**
 * A workspace folder and its real path, resolved once and then remembered. Remembering it is what keeps a path
 * in, and costs one `realpath` fewer per check: were the folder replaced by a symbolic link to somewhere else
 * during a run, every path would resolve outside the real path remembered and be refused, where resolving
 * the folder again on each check would follow that link. A failure is not remembered (the folder may appear).
 */
export class WorkspaceRoot {
  private real: Promise<string> | undefined;

  constructor(readonly path: string) {}

  realPath(): Promise<string> {
    this.real ??= realpath(this.path).catch((error: unknown) => {
      this.real = undefined;
      throw error;
    });
    return this.real;
  }
}

/**
 * Resolves a model-supplied path inside `root` for reading or writing, or explains the refusal. Follows
 * symlinks of the deepest existing ancestor, so a link (or a link in a parent folder) that leads out of the
 * workspace, or into `.git` or a denied file, is refused even when the name looks harmless. A write must name
 * a file: a trailing slash, a folder or a special file (FIFO, socket, device) is refused. File system
 * failures on the way (a link loop, a name the system finds too long, no permission) are refusals too.
 * Given a path rather than a `WorkspaceRoot`, the folder's real path is resolved for this one call.
 */
export async function resolveInWorkspace(
  workspace: WorkspaceRoot | string,
  input: string,
  purpose: PathPurpose,
  policy: CompiledPathPolicy = new CompiledPathPolicy(),
): Promise<ResolvedPath | PathRefusal> {
  const normal = normaliseRelative(input);
  if (normal.kind === 'refused') return normal;
  const { rel } = normal;
  const lexical = policy.checkRelative(rel, purpose, input);
  if (lexical) return lexical;
  if (purpose === 'write' && normal.namesFolder)
    return refuse('not-a-file', input, `"${input}" names a folder; name the file to write.`);
  const root = typeof workspace === 'string' ? new WorkspaceRoot(workspace) : workspace;
  const abs = rel === '' ? root.path : join(root.path, ...rel.split('/'));

  let realRel: string;
  try {
    const [realRoot, realTarget] = await Promise.all([root.realPath(), realpathOfDeepestExisting(abs, rel)]);
    realRel = relative(realRoot, realTarget);
  } catch (error) {
    const refusal = fileSystemRefusal(error, input);
    if (refusal) return refusal;
    throw error;
  }
  if (realRel === '..' || realRel.startsWith(`..${sep}`) || isAbsolute(realRel)) {
    return refuse(
      'symlink-escape',
      input,
      `"${input}" resolves through a symbolic link to a place outside the workspace folder.`,
    );
  }
  const realRelSlashed = realRel.split(sep).join('/');
  if (realRelSlashed !== rel) {
    const viaLink = policy.checkRelative(realRelSlashed, purpose, input);
    if (viaLink) return viaLink;
  }
  if (purpose === 'write' && rel !== '') {
    const notAFile = await writableTargetRefusal(join(root.path, ...realRelSlashed.split('/')), input);
    if (notAFile) return notAFile;
  }
  return { kind: 'resolved', rel, realRel: realRelSlashed, abs };
}

/** A write may create a file or replace a regular one; anything else on disk under that name is refused. */
async function writableTargetRefusal(realAbs: string, shownAs: string): Promise<PathRefusal | undefined> {
  let info;
  try {
    info = await lstat(realAbs);
  } catch (error) {
    if (isMissing(error)) return undefined;
    const refusal = fileSystemRefusal(error, shownAs);
    if (refusal) return refusal;
    throw error;
  }
  if (info.isFile()) return undefined;
  const what = info.isDirectory() ? 'a folder' : 'a special file (FIFO, socket or device)';
  return refuse('not-a-file', shownAs, `"${shownAs}" is ${what}, not a file; agents only write regular files.`);
}

/** realpath of `abs`, or of its deepest existing ancestor with the missing tail appended. */
async function realpathOfDeepestExisting(abs: string, rel: string): Promise<string> {
  const segments = rel === '' ? [] : rel.split('/');
  const missing: string[] = [];
  let current = abs;
  for (;;) {
    try {
      return join(await realpath(current), ...missing);
    } catch (error) {
      if (!isMissing(error) || segments.length === 0) throw error;
      missing.unshift(segments.pop() ?? '');
      current = join(current, '..');
    }
  }
}

/**
 * The refusal an agent gets for a file system failure its path caused (a symbolic link loop, a name the
 * system finds too long, a place it may not enter); undefined for failures that are not about the path.
 */
export function fileSystemRefusal(error: unknown, shownAs: string): PathRefusal | undefined {
  switch (errorCode(error)) {
    case 'ELOOP':
      return refuse('symlink-loop', shownAs, `"${shownAs}" goes through a loop of symbolic links.`);
    case 'ENAMETOOLONG':
      return refuse('too-long', shownAs, `"${shownAs}" is a name too long for the file system.`);
    case 'EACCES':
    case 'EPERM':
      return refuse('inaccessible', shownAs, `"${shownAs}" cannot be accessed (no permission).`);
    case 'EISDIR':
      return refuse('not-a-file', shownAs, `"${shownAs}" is a folder, not a file.`);
    default:
      return undefined;
  }
}
