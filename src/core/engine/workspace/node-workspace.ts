import { constants } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import { open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RE2JS } from 're2js';
import { writeFileAtomic } from '../../util/atomic-write';
import { GitignoreMatcher } from './gitignore';
import { GlobSet, InvalidGlobError } from './glob';
import { isMissing } from '../../util/fs-errors';
import {
  CompiledPathPolicy,
  WorkspaceRoot,
  defaultPathPolicy,
  fileSystemRefusal,
  resolveInWorkspace,
} from './path-policy';
import type { PathPolicy } from './path-policy';
import type {
  PathPurpose,
  PathRefusal,
  ResolvedPath,
  DeleteOutcome,
  ListEntry,
  ListOptions,
  ListOutcome,
  ReadOutcome,
  SearchMatch,
  SearchOutcome,
  SearchQuery,
  StatOutcome,
  WriteOptions,
  ReadOptions,
  Workspace,
  WriteOutcome,
} from '../../ports/workspace';

export interface NodeWorkspaceOptions {
  policy?: PathPolicy;
  /** Larger files are reported as `too-large` by `read`. Default 2 MiB. */
  maxReadBytes?: number;
  /** Larger files are skipped by `search`. Default 1 MiB. */
  maxSearchFileBytes?: number;
  /** Entries one listing or search may visit before it stops and says so. Default 50,000. */
  maxWalkEntries?: number;
  /** Folder depth below the start of a walk. Default 64. */
  maxWalkDepth?: number;
  /** Bytes one search may read in all. Default 64 MiB. */
  maxSearchBytes?: number;
}

const BINARY_SNIFF_BYTES = 8192;
const MAX_MATCH_LINE_CHARS = 240;

/** True when the bytes look binary: a NUL in the first few KiB (the heuristic git and grep use). */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/** What reading one name found: its bytes when it is a regular file within the limit. */
type FileRead =
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'not-found' }
  | { kind: 'not-a-file' }
  | { kind: 'too-large'; size: number };

/**
 * Reads a regular file, checking what it is on the open handle itself: opened non-blocking, so a FIFO put
 * where a file was cannot hang the read, and checked after opening, so a file swapped for something else
 * between a check and the read is still caught.
 */
async function readRegularFile(abs: string, maxBytes: number, signal: AbortSignal): Promise<FileRead> {
  let handle;
  try {
    handle = await open(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (isMissing(error)) return { kind: 'not-found' };
    if ((error as { code?: unknown }).code === 'EISDIR') return { kind: 'not-a-file' };
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { kind: 'not-a-file' };
    if (info.size > maxBytes) return { kind: 'too-large', size: info.size };
    return { kind: 'bytes', bytes: await handle.readFile({ signal }) };
  } finally {
    await handle.close();
  }
}

/** One entry a walk found, with its size when it is a file. */
interface WalkEntry extends ListEntry {
  size?: number;
}

/** The Workspace port over node:fs, for the CLI and tests. */
export class NodeWorkspace implements Workspace {
  private readonly policy: CompiledPathPolicy;
  private readonly maxReadBytes: number;
  private readonly maxSearchFileBytes: number;
  private readonly maxWalkEntries: number;
  private readonly maxWalkDepth: number;
  private readonly maxSearchBytes: number;
  private readonly gitignore: GitignoreMatcher;
  private readonly workspaceRoot: WorkspaceRoot;

  constructor(
    readonly root: string,
    options: NodeWorkspaceOptions = {},
  ) {
    this.workspaceRoot = new WorkspaceRoot(root);
    this.policy = new CompiledPathPolicy(options.policy ?? defaultPathPolicy);
    this.maxReadBytes = options.maxReadBytes ?? 2 * 1024 * 1024;
    this.maxSearchFileBytes = options.maxSearchFileBytes ?? 1024 * 1024;
    this.maxWalkEntries = options.maxWalkEntries ?? 50_000;
    this.maxWalkDepth = options.maxWalkDepth ?? 64;
    this.maxSearchBytes = options.maxSearchBytes ?? 64 * 1024 * 1024;
    this.gitignore = new GitignoreMatcher(async (rel) => {
      // A .gitignore that cannot be read (a folder, a FIFO, no permission) has no rules.
      const read = await readRegularFile(join(root, rel), 1024 * 1024, new AbortController().signal).catch(
        (error: unknown) => {
          if (fileSystemRefusal(error, rel)) return { kind: 'not-a-file' as const };
          throw error;
        },
      );
      return read.kind === 'bytes' ? new TextDecoder().decode(read.bytes) : undefined;
    });
  }

  check(rel: string, purpose: PathPurpose): Promise<ResolvedPath | PathRefusal> {
    return resolveInWorkspace(this.workspaceRoot, rel, purpose, this.policy);
  }

  async read(rel: string, signal: AbortSignal, options: ReadOptions = {}): Promise<ReadOutcome> {
    signal.throwIfAborted();
    const resolved = await this.check(rel, 'read');
    if (resolved.kind === 'refused') return resolved;
    const limit = options.anySize === true ? Number.POSITIVE_INFINITY : this.maxReadBytes;
    const read = await this.guard(rel, () => readRegularFile(resolved.abs, limit, signal));
    switch (read.kind) {
      case 'refused':
        return read;
      case 'not-found':
      case 'not-a-file':
        return { kind: read.kind, rel: resolved.rel };
      case 'too-large':
        return { kind: 'too-large', rel: resolved.rel, size: read.size, limit: this.maxReadBytes };
      case 'bytes': {
        const { bytes } = read;
        if (looksBinary(bytes)) return { kind: 'binary', rel: resolved.rel, size: bytes.length };
        return { kind: 'text', rel: resolved.rel, text: new TextDecoder().decode(bytes), size: bytes.length };
      }
    }
  }

  async stat(rel: string, signal: AbortSignal): Promise<StatOutcome> {
    signal.throwIfAborted();
    const resolved = await this.check(rel, 'read');
    if (resolved.kind === 'refused') return resolved;
    const info = await this.guard(rel, () => statOrUndefined(resolved.abs));
    if (info === undefined) return { kind: 'not-found', rel: resolved.rel };
    if ('kind' in info) return info;
    if (info.isDirectory()) return { kind: 'directory', rel: resolved.rel };
    if (!info.isFile()) return { kind: 'special', rel: resolved.rel };
    return { kind: 'file', rel: resolved.rel, size: info.size, mtimeMs: info.mtimeMs, mode: info.mode & 0o7777 };
  }

  async list(rel: string, options: ListOptions, signal: AbortSignal): Promise<ListOutcome> {
    const resolved = await this.check(rel, 'read');
    if (resolved.kind === 'refused') return resolved;
    const info = await this.guard(rel, () => statOrUndefined(resolved.abs));
    if (info === undefined) return { kind: 'not-found', rel: resolved.rel };
    if ('kind' in info) return info;
    if (!info.isDirectory()) return { kind: 'not-a-directory', rel: resolved.rel };
    const entries: ListEntry[] = [];
    const walk = this.walk(resolved.rel, options.recursive, signal);
    for await (const entry of walk.entries) {
      if (entries.length >= options.maxEntries) return { kind: 'listed', rel: resolved.rel, entries, truncated: true };
      entries.push({ path: entry.path, type: entry.type });
    }
    return { kind: 'listed', rel: resolved.rel, entries, truncated: walk.cut() };
  }

  async search(query: SearchQuery, signal: AbortSignal): Promise<SearchOutcome> {
    const matcher = compileSearchPattern(query);
    if (matcher.kind === 'invalid-pattern') return matcher;
    const resolved = await this.check(query.under, 'read');
    if (resolved.kind === 'refused') return resolved;
    const info = await this.guard(query.under, () => statOrUndefined(resolved.abs));
    if (info === undefined) return { kind: 'not-found', rel: resolved.rel };
    if ('kind' in info) return info;
    let filter: GlobSet | undefined;
    try {
      filter =
        query.glob === undefined || query.glob === '' ? undefined : new GlobSet([query.glob], { untrusted: true });
    } catch (error) {
      if (error instanceof InvalidGlobError) return { kind: 'invalid-pattern', what: 'glob', message: error.message };
      throw error;
    }
    const walk = info.isDirectory()
      ? this.walk(resolved.rel, true, signal)
      : { entries: single({ path: resolved.rel, type: 'file' as const, size: info.size }), cut: () => false };
    const matches: SearchMatch[] = [];
    let filesSearched = 0;
    let filesSkipped = 0;
    let bytesRead = 0;
    const done = (truncated: boolean): SearchOutcome => ({
      kind: 'matches',
      matches,
      truncated,
      filesSearched,
      filesSkipped,
    });
    for await (const entry of walk.entries) {
      if (entry.type !== 'file' || (filter && !filter.matches(entry.path))) continue;
      if ((entry.size ?? 0) > this.maxSearchFileBytes) {
        filesSkipped++;
        continue;
      }
      if (bytesRead >= this.maxSearchBytes) return done(true);
      const read = await this.guard(entry.path, () =>
        readRegularFile(join(this.root, ...entry.path.split('/')), this.maxSearchFileBytes, signal),
      );
      if (read.kind !== 'bytes' || looksBinary(read.bytes)) {
        filesSkipped++;
        continue;
      }
      bytesRead += read.bytes.length;
      filesSearched++;
      const lines = new TextDecoder().decode(read.bytes).split(/\r?\n/);
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i] ?? '';
        if (!matcher.test(line)) continue;
        if (matches.length >= query.maxResults) return done(true);
        matches.push({ path: entry.path, line: i + 1, text: clip(line.trim(), MAX_MATCH_LINE_CHARS) });
      }
    }
    return done(walk.cut());
  }

  async writeAtomic(
    rel: string,
    content: string,
    signal: AbortSignal,
    options: WriteOptions = {},
  ): Promise<WriteOutcome> {
    signal.throwIfAborted();
    const resolved = await this.check(rel, 'write');
    if (resolved.kind === 'refused') return resolved;
    await writeFileAtomic(resolved.abs, content, options);
    return { kind: 'written', rel: resolved.rel };
  }

  async delete(rel: string, signal: AbortSignal): Promise<DeleteOutcome> {
    signal.throwIfAborted();
    const resolved = await this.check(rel, 'write');
    if (resolved.kind === 'refused') return resolved;
    try {
      await rm(resolved.abs);
    } catch (error) {
      if (isMissing(error)) return { kind: 'not-found', rel: resolved.rel };
      throw error;
    }
    return { kind: 'deleted', rel: resolved.rel };
  }

  /** Runs a file system step, turning failures the path caused (a link loop, a name too long) into refusals. */
  private async guard<T>(shownAs: string, step: () => Promise<T>): Promise<T | PathRefusal> {
    try {
      return await step();
    } catch (error) {
      const refusal = fileSystemRefusal(error, shownAs);
      if (refusal) return refusal;
      throw error;
    }
  }

  /**
   * Breadth-first walk below `startRel` (shallow entries first, so a bounded listing shows the top of the
   * tree), skipping `.git`, denied paths, .gitignore'd entries, special files (FIFOs, sockets, devices),
   * folders it may not read, and symlinks that lead out. Never follows symlinked folders, so a link cycle
   * cannot trap it; stops after `maxWalkEntries` entries or `maxWalkDepth` levels (`cut()` says so).
   */
  private walk(
    startRel: string,
    recursive: boolean,
    signal: AbortSignal,
  ): { entries: AsyncGenerator<WalkEntry>; cut: () => boolean } {
    const state = { cut: false };
    return { entries: this.walkEntries(startRel, recursive, signal, state), cut: () => state.cut };
  }

  private async *walkEntries(
    startRel: string,
    recursive: boolean,
    signal: AbortSignal,
    state: { cut: boolean },
  ): AsyncGenerator<WalkEntry> {
    const startDepth = startRel === '' ? 0 : startRel.split('/').length;
    const queue = [startRel];
    let visited = 0;
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      signal.throwIfAborted();
      for (const dirent of await this.readFolder(next)) {
        if (++visited > this.maxWalkEntries) {
          state.cut = true;
          return;
        }
        const rel = next === '' ? dirent.name : `${next}/${dirent.name}`;
        const entry = await this.walkEntry(rel, dirent);
        if (!entry || (await this.gitignore.isIgnoredItself(rel, entry.type === 'directory'))) continue;
        yield entry;
        if (entry.type !== 'directory' || !recursive || dirent.isSymbolicLink()) continue;
        if (rel.split('/').length - startDepth >= this.maxWalkDepth) state.cut = true;
        else queue.push(rel);
      }
    }
  }

  /** A folder's entries by name; a folder that cannot be read (gone, no permission, a loop) has none. */
  private async readFolder(rel: string): Promise<Dirent[]> {
    try {
      const dirents = await readdir(rel === '' ? this.root : join(this.root, ...rel.split('/')), {
        withFileTypes: true,
      });
      return dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      if (isMissing(error) || fileSystemRefusal(error, rel)) return [];
      throw error;
    }
  }

  /** What a walk reports for one name: a file or a folder the policy lets agents read; nothing else. */
  private async walkEntry(rel: string, dirent: Dirent): Promise<WalkEntry | undefined> {
    if (this.policy.checkRelative(rel, 'read', rel)) return undefined;
    if (!dirent.isSymbolicLink() && !dirent.isFile() && !dirent.isDirectory()) return undefined;
    const checked = dirent.isSymbolicLink() ? await this.check(rel, 'read') : undefined;
    if (checked?.kind === 'refused') return undefined;
    const info = await this.guard(rel, () => statOrUndefined(join(this.root, ...rel.split('/'))));
    if (info === undefined || 'kind' in info) return undefined;
    if (info.isDirectory()) return { path: rel, type: 'directory' };
    if (info.isFile()) return { path: rel, type: 'file', size: info.size };
    return undefined;
  }
}

/** The search's line test: RE2 (linear time, whatever the model wrote) for a regex, a plain find otherwise. */
function compileSearchPattern(
  query: SearchQuery,
): { kind: 'ok'; test(line: string): boolean } | Extract<SearchOutcome, { kind: 'invalid-pattern' }> {
  const flags = query.caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE;
  try {
    const compiled = RE2JS.compile(
      query.regex ? RE2JS.translateRegExp(query.pattern) : RE2JS.quote(query.pattern),
      flags,
    );
    return { kind: 'ok', test: (line) => compiled.test(line) };
  } catch (error) {
    return {
      kind: 'invalid-pattern',
      what: 'pattern',
      message: `${error instanceof Error ? error.message : String(error)} (the search uses RE2 syntax: no look-around or back-references)`,
    };
  }
}

async function* single(entry: WalkEntry): AsyncGenerator<WalkEntry> {
  yield entry;
}

async function statOrUndefined(abs: string): Promise<Stats | undefined> {
  try {
    return await stat(abs);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
