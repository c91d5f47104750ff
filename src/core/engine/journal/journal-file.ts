import { open, readFile, truncate } from 'node:fs/promises';
import { redactSecrets } from '../../util/secrets';
import type { FileHandle } from 'node:fs/promises';
import { journalRecordSchema } from '../../../protocol/journal';
import type { JournalRecord } from '../../../protocol/journal';
import { isMissing } from '../../util/fs-errors';
import { GroupCommit } from '../../util/group-commit';

/** A journal append or open failed on disk: the run cannot go on safely, since its state would not survive. */
export class JournalWriteError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'JournalWriteError';
  }
}

/** How the writer used the disk: tests check that a burst of appends shares one fsync. */
export interface JournalWriterStats {
  records: number;
  writes: number;
  syncs: number;
}

/**
 * Appends records to a `journal.jsonl`, one JSON line each, fsync'd before `append` resolves: once a record
 * is acknowledged it survives a crash or kill -9.
 *
 * Group commit: one write + fsync is on disk at a time, and every line appended while it is in flight goes
 * into the next one, in append order. An fsync costs milliseconds whatever it carries, so a [P] group's
 * workers that finish together share one instead of queueing behind each other's. A crash during a batched
 * write can leave at most a torn last line (cut off on the next `open`); no line of the batch was
 * acknowledged yet, so nothing acknowledged is lost.
 */
export class JournalFileWriter {
  private readonly lines = new GroupCommit<string>((batch) => this.commit(batch));
  private closed = false;
  /** The first write that failed: every later append fails with it (see `append`). */
  private broken: JournalWriteError | undefined;
  private readonly counts: JournalWriterStats = { records: 0, writes: 0, syncs: 0 };

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /**
   * Opens (creating if needed) for appending. A torn last line left by a crash is cut off first, or the next
   * record would be glued onto it and both would be lost.
   */
  static async open(path: string): Promise<JournalFileWriter> {
    try {
      const existing = await readFile(path, 'utf8').catch((error: unknown) => {
        if (isMissing(error)) return '';
        throw error;
      });
      const writer = new JournalFileWriter(path, await open(path, 'a'));
      if (existing !== '' && !existing.endsWith('\n')) {
        const lastNewline = existing.lastIndexOf('\n');
        // A whole record that only lost its newline is kept (the reader accepts it too); a torn one is cut.
        if (parseJournalText(existing.slice(lastNewline + 1)).records.length === 1) await writer.handle.write('\n');
        else await truncate(path, Buffer.byteLength(existing.slice(0, lastNewline + 1), 'utf8'));
      }
      return writer;
    } catch (error) {
      throw new JournalWriteError(`cannot open the run journal ${path}`, { cause: error });
    }
  }

  get stats(): JournalWriterStats {
    return { ...this.counts };
  }

  /**
   * Resolves once the record is on disk (fsync'd); rejects with `JournalWriteError` when it may not be.
   * Records reach the disk in append order, and once a write failed no later record is written (its bytes may
   * have torn the file's last line, and a record must never be on disk after one that was lost): so a record
   * that resolved vouches for every record appended before it, awaited or not.
   */
  append(record: JournalRecord): Promise<void> {
    if (this.closed)
      return Promise.reject(new JournalWriteError(`the run journal ${this.path} is closed`, { cause: undefined }));
    // Keys are made of characters JSON leaves alone, so redacting the line finds them as they were.
    const line = `${redactSecrets(JSON.stringify(record))}\n`;
    return this.lines.add(line);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lines.idle();
    await this.handle.close();
  }

  /** One write + fsync for every line queued meanwhile; a failure fails each of them, and every later one. */
  private async commit(batch: readonly string[]): Promise<void> {
    if (this.broken) throw this.broken;
    try {
      await this.writeAll(Buffer.from(batch.join(''), 'utf8'));
      await this.handle.sync();
    } catch (error) {
      this.broken = new JournalWriteError(`cannot append to the run journal ${this.path}`, { cause: error });
      throw this.broken;
    }
    this.counts.syncs++;
    this.counts.records += batch.length;
  }

  /** `write` may take less than it was given (large batches): go on until all of it is written. */
  private async writeAll(bytes: Buffer): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset);
      offset += bytesWritten;
    }
    this.counts.writes++;
  }
}

export interface JournalReadResult {
  records: JournalRecord[];
  /** Lines that were skipped, and why (a torn last line after a crash, or a record this version cannot read). */
  warnings: string[];
}

/** Reads and validates a journal file. Never throws for content: bad lines become warnings. Missing file → empty. */
export async function readJournalFile(path: string): Promise<JournalReadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return { records: [], warnings: [] };
    throw error;
  }
  return parseJournalText(text);
}

/** Parses journal text (pure; see `readJournalFile`). */
export function parseJournalText(text: string): JournalReadResult {
  const records: JournalRecord[] = [];
  const warnings: string[] = [];
  const lines = text.split('\n');
  const complete = text.endsWith('\n') || text === '';
  lines.forEach((line, index) => {
    if (line === '') return;
    const isLast = index === lines.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      warnings.push(
        isLast && !complete
          ? `line ${index + 1}: torn last record (interrupted write), ignored`
          : `line ${index + 1}: not JSON, ignored`,
      );
      return;
    }
    const parsed = journalRecordSchema.safeParse(value);
    if (parsed.success) records.push(parsed.data);
    else
      warnings.push(
        `line ${index + 1}: not a journal record this version understands (${parsed.error.issues[0]?.message ?? 'invalid'}), ignored`,
      );
  });
  return { records, warnings };
}
