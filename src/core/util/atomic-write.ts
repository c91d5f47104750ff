import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isMissing } from './fs-errors';

/**
 * Writes a file so that readers see either the old content or the new, never a torn one: write a sibling
 * temp file, fsync it, rename over the target. A replaced file keeps its permission bits (an executable
 * script stays executable); a new one gets `options.mode` when given. When any step fails (a full disk, a quota, a file size limit) the temp file is
 * removed and the target is left as it was; only a crash can leave a stray `.tmp` sibling.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomicIn(path, data, (await existingMode(path)) ?? options.mode);
}

/**
 * `writeFileAtomic` for a caller that knows the folder exists and what permission bits the file gets (`mode`,
 * or the default): the same temp file, fsync and rename, without the folder check and the look at the old file
 * first. A missing folder fails with ENOENT.
 */
export async function writeFileAtomicIn(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx');
    // Not open()'s mode argument: that one is filtered through the umask.
    if (mode !== undefined) await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
    const closing = handle;
    handle = undefined;
    await closing.close();
    await rename(temp, path);
  } catch (error) {
    // The write's own failure is the one to report; closing a handle that failed may fail the same way.
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
}

/** The permission bits of the file at `path`, or undefined when there is none yet. */
async function existingMode(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o7777;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}
