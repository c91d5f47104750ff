import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { PathPurpose, PathRefusal, PathRefusalCode, ResolvedPath } from '../../ports/workspace';
import { isMissing } from '../../util/fs-errors';
import { GlobSet } from './glob';

/**
 * The one place that decides whether an agent may touch a path. Every Workspace method, every tool and the
 * approval gate go through `resolveInWorkspace`; nothing else interprets a model-supplied path.
 */

export interface PathPolicy {
  /** Globs never read nor written (secrets). Default: `.env*` and the engine's own state folder. */
  readonly deny: readonly string[];
  /** Globs that may be read but never written by agents (tooling, VCS, lockfiles). */
  readonly protectedForWrite: readonly string[];
}

/** The engine's own state (journal, pre-image blobs) lives here; agents neither read nor write it. */
export const ENGINE_STATE_GLOB = '/.specify/orchestra';

export const defaultPathPolicy: PathPolicy = {
  deny: ['.env*', ENGINE_STATE_GLOB],
  protectedForWrite: [
    '/.git',
    '/.vscode',
    '/.specify',
    '/.claude',
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

/**
 * Normalises a model-supplied path without touching the disk: forward slashes, `.` and inner `..` folded.
 * Refuses empty input, absolute paths (POSIX, `C:\`, `C:foo`, UNC `\\server`) and `..` that climbs out.
 */
export function normaliseRelative(input: string): { kind: 'ok'; rel: string } | PathRefusal {
  // '' (like '.') names the workspace folder itself; blank or NUL-carrying input is a mistake.
  if ((input !== '' && input.trim() === '') || input.includes('\0'))
    return refuse('empty', input, 'The path is blank or contains a NUL character.');
  const slashed = input.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed) || isAbsolute(input)) {
    return refuse('absolute', input, `"${input}" is absolute; use a path relative to the workspace folder.`);
  }
  const out: string[] = [];
  for (const segment of slashed.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return refuse('escape', input, `"${input}" leads outside the workspace folder.`);
      out.pop();
      continue;
    }
    out.push(segment);
  }
  return { kind: 'ok', rel: out.join('/') };
}

/**
 * Resolves a model-supplied path inside `root` for reading or writing, or explains the refusal. Follows
 * symlinks of the deepest existing ancestor, so a link (or a link in a parent folder) that leads out of the
 * workspace, or into `.git` or a denied file, is refused even when the name looks harmless.
 */
export async function resolveInWorkspace(
  root: string,
  input: string,
  purpose: PathPurpose,
  policy: CompiledPathPolicy = new CompiledPathPolicy(),
): Promise<ResolvedPath | PathRefusal> {
  const normal = normaliseRelative(input);
  if (normal.kind === 'refused') return normal;
  const { rel } = normal;
  const lexical = policy.checkRelative(rel, purpose, input);
  if (lexical) return lexical;
  const abs = rel === '' ? root : join(root, ...rel.split('/'));

  const realRoot = await realpath(root);
  const realTarget = await realpathOfDeepestExisting(abs, rel);
  const realRel = relative(realRoot, realTarget);
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
  return { kind: 'resolved', rel, abs };
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
