import { readFile, stat } from 'node:fs/promises';
import { describeFsError, errorCode, isMissing } from '../util/fs-errors';

/** Reading a file the user owns: missing and unreadable are expected outcomes, not exceptions. */
export type TextFileRead =
  | { readonly kind: 'ok'; readonly path: string; readonly text: string }
  | { readonly kind: 'missing'; readonly path: string }
  | { readonly kind: 'unreadable'; readonly path: string; readonly reason: string };

export async function readTextFile(path: string, signal: AbortSignal): Promise<TextFileRead> {
  try {
    const text = await readFile(path, { encoding: 'utf8', signal });
    return { kind: 'ok', path, text };
  } catch (error) {
    if (signal.aborted) throw error;
    if (isMissing(error)) return { kind: 'missing', path };
    return { kind: 'unreadable', path, reason: describeFsError(error) };
  }
}

export type EntryKind = 'file' | 'directory' | 'missing';

/** What is at `path`, following symlinks; anything unreadable counts as missing (the caller only probes). */
export async function probePath(path: string): Promise<EntryKind> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'directory' : 'file';
  } catch (error) {
    if (errorCode(error) === undefined) throw error;
    return 'missing';
  }
}
