import { dirname, isAbsolute, join, resolve } from 'node:path';
import { probePath, readTextFile } from './read-text-file';

/** The checked-out branch, read from the files git keeps; the product never runs git. */
export type GitHead =
  | { readonly kind: 'branch'; readonly name: string; readonly headFile: string }
  | { readonly kind: 'detached'; readonly commit: string; readonly headFile: string }
  | { readonly kind: 'no-repository' }
  | { readonly kind: 'unreadable'; readonly file: string; readonly reason: string };

/**
 * Finds `.git` at or above `from` and reads HEAD. A `.git` *file* (worktrees, submodules) holds
 * `gitdir: <path>`, relative to the file's folder, naming the real git directory.
 * See https://git-scm.com/docs/gitrepository-layout.
 */
export async function readGitHead(from: string, signal: AbortSignal): Promise<GitHead> {
  let current = resolve(from);
  for (;;) {
    signal.throwIfAborted();
    const dotGit = join(current, '.git');
    const kind = await probePath(dotGit);
    if (kind === 'directory') return readHeadFile(join(dotGit, 'HEAD'), signal);
    if (kind === 'file') return readGitFile(dotGit, signal);
    const parent = dirname(current);
    if (parent === current) return { kind: 'no-repository' };
    current = parent;
  }
}

async function readGitFile(dotGitFile: string, signal: AbortSignal): Promise<GitHead> {
  const read = await readTextFile(dotGitFile, signal);
  if (read.kind !== 'ok')
    return { kind: 'unreadable', file: dotGitFile, reason: read.kind === 'missing' ? 'file vanished' : read.reason };
  const match = /^gitdir:\s*(.+?)\s*$/m.exec(read.text);
  const target = match?.[1];
  if (target === undefined) return { kind: 'unreadable', file: dotGitFile, reason: "no 'gitdir:' line" };
  const gitDir = isAbsolute(target) ? target : resolve(dirname(dotGitFile), target);
  return readHeadFile(join(gitDir, 'HEAD'), signal);
}

async function readHeadFile(headFile: string, signal: AbortSignal): Promise<GitHead> {
  const read = await readTextFile(headFile, signal);
  if (read.kind !== 'ok')
    return { kind: 'unreadable', file: headFile, reason: read.kind === 'missing' ? 'no HEAD file' : read.reason };
  return parseHead(read.text, headFile);
}

/** HEAD is either `ref: refs/heads/<branch>` or a bare commit id (detached). */
export function parseHead(text: string, headFile: string): GitHead {
  const content = text.trim();
  const ref = /^ref:\s*(\S+)$/.exec(content)?.[1];
  if (ref !== undefined) {
    return ref.startsWith('refs/heads/')
      ? { kind: 'branch', name: ref.slice('refs/heads/'.length), headFile }
      : { kind: 'unreadable', file: headFile, reason: `HEAD points outside refs/heads: ${ref}` };
  }
  if (/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(content)) return { kind: 'detached', commit: content, headFile };
  return { kind: 'unreadable', file: headFile, reason: 'HEAD is neither a ref nor a commit id' };
}
