/**
 * One live run per feature. Two runs of one feature at once would both do the work (twice the cost) and race
 * on its tasks.md, so a run holds a lock on its feature from before anything runs until it ends; a second run
 * (another CLI, the extension, another machine on a shared folder) is refused with who holds it.
 *
 * The lock is a folder made atomically (`mkdir`) with an owner file in it (pid, host, run, since), touched
 * while the holder lives. It is stale when its holder is a process of this host that is gone (kill -9, a
 * crash), or when nobody touched it for `staleMs` (a holder on another host). A stale lock is taken over by
 * renaming it away (atomic: of two runs taking over at once, one wins) and checking that what was renamed
 * is the stale one; a holder whose lock went away notices on its next touch and stops.
 *
 * Not `proper-lockfile`: it pulls in `signal-exit`, which turns signals Node ignores (SIGXFSZ, a file over the
 * size limit) into process deaths, and so breaks "a failed write leaves no temp file".
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import { isMissing } from '../../util/fs-errors';
import { ensureStateDir } from './state-dir';

/** Default age after which a lock nobody touches is taken over (a holder on another host). */
export const DEFAULT_LOCK_STALE_MS = 30_000;

const ownerSchema = z.object({ pid: z.number().int(), host: z.string(), since: z.string(), runId: z.string() });
export type LockOwner = z.infer<typeof ownerSchema>;

export type FeatureLockOutcome =
  | { kind: 'held'; release: () => Promise<void> }
  /** `owner` undefined: the holder did not say who it is yet. */
  | { kind: 'busy'; owner: LockOwner | undefined; message: string };

export interface FeatureLockOptions {
  stateDir: string;
  featureId: string;
  runId: string;
  staleMs?: number;
  /** Called when the lock was taken away while held (its folder removed or taken over): the run must stop. */
  onLost(error: Error): void;
}

const OWNER_FILE = 'owner.json';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is someone else's.
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

async function readOwner(lockDir: string): Promise<LockOwner | undefined> {
  try {
    const parsed = ownerSchema.safeParse(JSON.parse(await readFile(join(lockDir, OWNER_FILE), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    if (isMissing(error) || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

const sameOwner = (a: LockOwner | undefined, b: LockOwner | undefined): boolean =>
  a !== undefined && b !== undefined && a.pid === b.pid && a.host === b.host && a.since === b.since;

/** Milliseconds since the lock was last touched, or undefined when it is gone. */
async function ageOf(lockDir: string): Promise<number | undefined> {
  for (const path of [join(lockDir, OWNER_FILE), lockDir]) {
    try {
      return Date.now() - (await stat(path)).mtimeMs;
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
  return undefined;
}

/** Takes the feature's lock, or says who holds it. */
export async function lockFeature(options: FeatureLockOptions): Promise<FeatureLockOutcome> {
  const staleMs = options.staleMs ?? DEFAULT_LOCK_STALE_MS;
  const locks = join(options.stateDir, 'locks');
  const lockDir = join(locks, `${options.featureId.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
  await ensureStateDir(options.stateDir);
  await mkdir(locks, { recursive: true });

  // Two tries: the second after taking over a stale lock (or after its holder released it meanwhile).
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await mkdir(lockDir);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
      const owner = await readOwner(lockDir);
      const age = await ageOf(lockDir);
      if (age === undefined) continue;
      const holderGone = owner !== undefined && owner.host === hostname() && !isAlive(owner.pid);
      if (attempt > 0 || (!holderGone && age < staleMs))
        return { kind: 'busy', owner, message: busyMessage(options.featureId, owner) };
      await takeOver(lockDir, owner);
      continue;
    }
    return { kind: 'held', release: await hold(lockDir, options, staleMs) };
  }
  const owner = await readOwner(lockDir);
  return { kind: 'busy', owner, message: busyMessage(options.featureId, owner) };
}

/** Moves a stale lock away; if what moved was not the stale one (a new holder got there first), it stops there. */
async function takeOver(lockDir: string, stale: LockOwner | undefined): Promise<void> {
  const aside = `${lockDir}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(lockDir, aside);
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  const moved = await readOwner(aside);
  // A lock made between our look and the rename is someone's live lock: they notice it went and stop, which
  // is safe (never two runs), if unkind. The stale one is the only kind we delete silently.
  if (stale !== undefined && !sameOwner(moved, stale)) return;
  await rm(aside, { recursive: true, force: true });
}

/** Writes the owner file and keeps the lock fresh; returns the release. */
async function hold(lockDir: string, options: FeatureLockOptions, staleMs: number): Promise<() => Promise<void>> {
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    runId: options.runId,
  };
  await writeFile(join(lockDir, OWNER_FILE), `${JSON.stringify(owner)}\n`);
  let lost = false;
  const touch = async (): Promise<void> => {
    if (!sameOwner(await readOwner(lockDir), owner)) {
      lost = true;
      clearInterval(timer);
      options.onLost(new Error(`the lock ${lockDir} was taken away`));
      return;
    }
    const now = new Date();
    await utimes(join(lockDir, OWNER_FILE), now, now);
  };
  const timer = setInterval(() => {
    touch().catch((error: unknown) => {
      lost = true;
      clearInterval(timer);
      options.onLost(error instanceof Error ? error : new Error(String(error)));
    });
  }, staleMs / 3);
  // The lock must not keep a finished process alive: a process that ends drops it (a dead pid is stale).
  timer.unref();
  return async () => {
    clearInterval(timer);
    if (lost || !sameOwner(await readOwner(lockDir), owner)) return;
    await rm(lockDir, { recursive: true, force: true });
  };
}

function busyMessage(featureId: string, owner: LockOwner | undefined): string {
  const who =
    owner === undefined
      ? 'another run that is just starting'
      : `run ${owner.runId} (process ${owner.pid} on ${owner.host}, since ${owner.since})`;
  return `${featureId} is being implemented by ${who}: one run per feature at a time. Wait for it to finish or cancel it; an interrupted run is continued with --resume.`;
}
