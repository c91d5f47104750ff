import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomicIn } from '../../util/atomic-write';
import { isMissing } from '../../util/fs-errors';
import { sha256 } from './hash';
import type { PreImageRef } from '../../../protocol/journal';

/** Default cap per pre-image: big enough for any source file, small enough that a run's folder stays modest. */
export const DEFAULT_MAX_BLOB_BYTES = 8 * 1024 * 1024;

/** The recently stored blobs' texts kept in memory, at most this many bytes (UTF-16 length × 2, roughly). */
const RECENT_BYTES = 4 * 1024 * 1024;

/**
 * Content-addressed store of pre-images (`blobs/<sha256>`), one per run, deleted with it. Identical contents
 * are stored once. Over the cap a pre-image is not kept, and the returned ref says so, so rollback can tell
 * the user that file cannot be restored instead of failing late.
 */
export class BlobStore {
  /**
   * Blobs this store wrote or found lately, oldest first: a task's evidence reads back the post-images its
   * edits just stored, and a blob's name is its content's hash, so the text in memory is the text on disk.
   */
  private readonly recent = new Map<string, string>();
  private recentBytes = 0;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number = DEFAULT_MAX_BLOB_BYTES,
  ) {}

  async put(text: string): Promise<PreImageRef> {
    const hash = sha256(text);
    const size = Buffer.byteLength(text, 'utf8');
    if (size > this.maxBytes) return { kind: 'too-big', hash, size, limit: this.maxBytes };
    const path = join(this.dir, hash);
    // A blob is only ever renamed into place whole, so its name alone says it is stored.
    if (!(await exists(path))) await this.write(path, text);
    this.remember(hash, text);
    return { kind: 'stored', hash, size };
  }

  /** The store's folder is made with the run; it is made again only when something removed it meanwhile. */
  private async write(path: string, text: string): Promise<void> {
    try {
      await writeFileAtomicIn(path, text);
    } catch (error) {
      if (!isMissing(error)) throw error;
      await mkdir(this.dir, { recursive: true });
      await writeFileAtomicIn(path, text);
    }
  }

  /**
   * The blob's text, or undefined when it is not in the store (deleted, or never kept). One this store stored
   * lately is read from memory: the same text, without a file read on a task's path.
   */
  async get(hash: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
    const recent = this.recent.get(hash);
    if (recent !== undefined) return recent;
    try {
      return await readFile(join(this.dir, hash), 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  private remember(hash: string, text: string): void {
    if (this.recent.has(hash)) return;
    const bytes = text.length * 2;
    if (bytes > RECENT_BYTES) return;
    this.recent.set(hash, text);
    this.recentBytes += bytes;
    for (const [oldest, kept] of this.recent) {
      if (this.recentBytes <= RECENT_BYTES) break;
      this.recent.delete(oldest);
      this.recentBytes -= kept.length * 2;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}
