import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalRecord, PreImageRef } from '../../../protocol/journal';
import { isMissing } from '../../util/fs-errors';
import { BlobStore, DEFAULT_MAX_BLOB_BYTES } from './blob-store';
import { foldJournal, isInterrupted } from './fold';
import type { RunState } from './fold';
import { JournalFileWriter, readJournalFile } from './journal-file';
import { ensureStateDir, runsDirFor } from './state-dir';

/**
 * What the gate, the command service and the scheduler write a run through: durable records plus the
 * pre-image store. One per run.
 */
export interface RunJournal {
  readonly runId: string;
  /**
   * Appends at once, in call order; resolves once the record is on disk (fsync'd). The journal keeps that order
   * and writes nothing after a record it lost, so a record that resolved vouches for every one appended before
   * it: a record only needs awaiting before something outside the journal depends on it (write-ahead).
   */
  append(record: JournalRecord): Promise<void>;
  /** Keeps a file's content before an edit, for rollback. */
  storeBlob(text: string): Promise<PreImageRef>;
  readBlob(hash: string): Promise<string | undefined>;
}

/** A run folder opened for writing: `<stateDir>/runs/<runId>/journal.jsonl` and `blobs/`. */
export class RunFolder implements RunJournal {
  constructor(
    readonly runId: string,
    readonly dir: string,
    private readonly writer: JournalFileWriter,
    private readonly blobs: BlobStore,
  ) {}

  append(record: JournalRecord): Promise<void> {
    return this.writer.append(record);
  }

  storeBlob(text: string): Promise<PreImageRef> {
    return this.blobs.put(text);
  }

  readBlob(hash: string): Promise<string | undefined> {
    return this.blobs.get(hash);
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}

/** A run as found on disk, folded. */
export interface StoredRun {
  runId: string;
  state: RunState;
  /** Lines the reader skipped (torn last line after a crash, unknown records). */
  warnings: string[];
}

export class InvalidRunIdError extends Error {
  constructor(runId: string) {
    super(`not a run id: ${JSON.stringify(runId)}`);
    this.name = 'InvalidRunIdError';
  }
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A new run id: sortable by start time, unique enough for one project. */
export function newRunId(now: Date = new Date()): string {
  return `${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
}

/** All runs of one project's state folder (see state-dir.ts). */
export class RunStore {
  constructor(
    readonly stateDir: string,
    private readonly options: { maxBlobBytes?: number } = {},
  ) {}

  /** Starts a new run folder and opens its journal for appending. */
  async create(runId: string = newRunId()): Promise<RunFolder> {
    await ensureStateDir(this.stateDir);
    return this.open(runId);
  }

  /** Opens an existing run for appending (resume, rollback records), or creates the folder. */
  async open(runId: string): Promise<RunFolder> {
    const dir = this.runDir(runId);
    await mkdir(join(dir, 'blobs'), { recursive: true });
    const writer = await JournalFileWriter.open(join(dir, 'journal.jsonl'));
    return new RunFolder(
      runId,
      dir,
      writer,
      new BlobStore(join(dir, 'blobs'), this.options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES),
    );
  }

  /** Reads one run's journal and folds it; undefined when there is no such run. */
  async read(runId: string): Promise<StoredRun | undefined> {
    const ids = await this.runIds();
    if (!ids.includes(runId)) return undefined;
    const { records, warnings } = await readJournalFile(join(this.runDir(runId), 'journal.jsonl'));
    return { runId, state: foldJournal(records), warnings };
  }

  /** Read-only blob access for a run (rollback without opening the journal for writing). */
  blobs(runId: string): BlobStore {
    return new BlobStore(join(this.runDir(runId), 'blobs'), this.options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES);
  }

  /** Every run, oldest first. */
  async list(): Promise<StoredRun[]> {
    const runs: StoredRun[] = [];
    for (const runId of await this.runIds()) {
      const run = await this.read(runId);
      if (run) runs.push(run);
    }
    return runs;
  }

  /** Runs with no `run-finished` record (crash, kill -9, reload, cancel): offered for resume, newest first. */
  async findInterrupted(): Promise<StoredRun[]> {
    return (await this.list()).filter((run) => isInterrupted(run.state)).reverse();
  }

  /** Deletes a run's folder: journal and pre-images. */
  async deleteRun(runId: string): Promise<void> {
    await rm(this.runDir(runId), { recursive: true, force: true });
  }

  private runDir(runId: string): string {
    if (!RUN_ID.test(runId)) throw new InvalidRunIdError(runId);
    return join(runsDirFor(this.stateDir), runId);
  }

  private async runIds(): Promise<string[]> {
    try {
      const entries = await readdir(runsDirFor(this.stateDir), { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory() && RUN_ID.test(e.name))
        .map((e) => e.name)
        .sort();
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }
}
