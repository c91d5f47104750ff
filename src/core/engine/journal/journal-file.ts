import { open, readFile, truncate } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { journalRecordSchema } from '../../../protocol/journal';
import type { JournalRecord } from '../../../protocol/journal';
import { isMissing } from '../workspace/path-policy';

/** A journal append or open failed on disk: the run cannot go on safely, since its state would not survive. */
export class JournalWriteError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'JournalWriteError';
  }
}

/**
 * Appends records to a `journal.jsonl`, one JSON line each, fsync'd before `append` resolves: once a record
 * is acknowledged it survives a crash or kill -9. Appends are serialised, so concurrent workers never
 * interleave bytes within a line.
 */
export class JournalFileWriter {
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

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

  append(record: JournalRecord): Promise<void> {
    if (this.closed) return Promise.reject(new JournalWriteError(`the run journal ${this.path} is closed`, { cause: undefined }));
    const line = `${JSON.stringify(record)}\n`;
    const next = this.queue.then(async () => {
      try {
        await this.handle.write(line);
        await this.handle.sync();
      } catch (error) {
        throw new JournalWriteError(`cannot append to the run journal ${this.path}`, { cause: error });
      }
    });
    // The queue goes on after a failure; the failing append still rejects for its caller.
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.handle.close();
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
      warnings.push(isLast && !complete ? `line ${index + 1}: torn last record (interrupted write), ignored` : `line ${index + 1}: not JSON, ignored`);
      return;
    }
    const parsed = journalRecordSchema.safeParse(value);
    if (parsed.success) records.push(parsed.data);
    else warnings.push(`line ${index + 1}: not a journal record this version understands (${parsed.error.issues[0]?.message ?? 'invalid'}), ignored`);
  });
  return { records, warnings };
}
