import { readdir, readFile, rm, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write';
import { GitignoreMatcher } from './gitignore';
import { GlobSet, InvalidGlobError, escapeRegExp } from './glob';
import { isMissing } from '../../util/fs-errors';
import { CompiledPathPolicy, defaultPathPolicy, resolveInWorkspace } from './path-policy';
import type { PathPolicy } from './path-policy';
import type {
  DeleteOutcome,
  ListEntry,
  ListOptions,
  ListOutcome,
  ReadOutcome,
  SearchMatch,
  PathPurpose,
  PathRefusal,
  ResolvedPath,
  SearchOutcome,
  SearchQuery,
  StatOutcome,
  Workspace,
  WriteOutcome,
} from '../../ports/workspace';

export interface NodeWorkspaceOptions {
  policy?: PathPolicy;
  /** Larger files are reported as `too-large` by `read`. Default 2 MiB. */
  maxReadBytes?: number;
  /** Larger files are skipped by `search`. Default 1 MiB. */
  maxSearchFileBytes?: number;
}

const BINARY_SNIFF_BYTES = 8192;
const MAX_MATCH_LINE_CHARS = 240;

/** True when the bytes look binary: a NUL in the first few KiB (the heuristic git and grep use). */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/** The Workspace port over node:fs, for the CLI and tests. */
export class NodeWorkspace implements Workspace {
  private readonly policy: CompiledPathPolicy;
  private readonly maxReadBytes: number;
  private readonly maxSearchFileBytes: number;
  private readonly gitignore: GitignoreMatcher;

  constructor(
    readonly root: string,
    options: NodeWorkspaceOptions = {},
  ) {
    this.policy = new CompiledPathPolicy(options.policy ?? defaultPathPolicy);
    this.maxReadBytes = options.maxReadBytes ?? 2 * 1024 * 1024;
    this.maxSearchFileBytes = options.maxSearchFileBytes ?? 1024 * 1024;
    this.gitignore = new GitignoreMatcher(async (rel) => {
      try {
        return await readFile(join(root, rel), 'utf8');
      } catch (error) {
        if (isMissing(error) || (error as { code?: unknown }).code === 'EISDIR') return undefined;
        throw error;
      }
    });
  }

  check(rel: string, purpose: PathPurpose): Promise<ResolvedPath | PathRefusal> {
    return resolveInWorkspace(this.root, rel, purpose, this.policy);
  }

  async read(rel: string, signal: AbortSignal): Promise<ReadOutcome> {
    signal.throwIfAborted();
    const resolved = await this.check(rel, 'read');
    if (resolved.kind === 'refused') return resolved;
    const info = await statOrUndefined(resolved.abs);
    if (!info) return { kind: 'not-found', rel: resolved.rel };
    if (!info.isFile()) return { kind: 'not-a-file', rel: resolved.rel };
    if (info.size > this.maxReadBytes)
      return { kind: 'too-large', rel: resolved.rel, size: info.size, limit: this.maxReadBytes };
    const bytes = await readFile(resolved.abs, { signal });
    if (looksBinary(bytes)) return { kind: 'binary', rel: resolved.rel, size: bytes.length };
    return { kind: 'text', rel: resolved.rel, text: new TextDecoder().decode(bytes), size: bytes.length };
  }

  async stat(rel: string, signal: AbortSignal): Promise<StatOutcome> {
    signal.throwIfAborted();
    const resolved = await this.check(rel, 'read');
    if (resolved.kind === 'refused') return resolved;
    const info = await statOrUndefined(resolved.abs);
    if (!info) return { kind: 'not-found', rel: resolved.rel };
    if (info.isDirectory()) return { kind: 'directory', rel: resolved.rel };
    return { kind: 'file', rel: resolved.rel, size: info.size, mtimeMs: info.mtimeMs };
  }

  async list(rel: string, options: ListOptions, signal: AbortSignal): Promise<ListOutcome> {
    const resolved = await this.check(rel, 'read');
    if (resolved.kind === 'refused') return resolved;
    const info = await statOrUndefined(resolved.abs);
    if (!info) return { kind: 'not-found', rel: resolved.rel };
    if (!info.isDirectory()) return { kind: 'not-a-directory', rel: resolved.rel };
    const entries: ListEntry[] = [];
    for await (const entry of this.walk(resolved.rel, options.recursive, signal)) {
      if (entries.length >= options.maxEntries) return { kind: 'listed', rel: resolved.rel, entries, truncated: true };
      entries.push(entry);
    }
    return { kind: 'listed', rel: resolved.rel, entries, truncated: false };
  }

  async search(query: SearchQuery, signal: AbortSignal): Promise<SearchOutcome> {
    let regexp: RegExp;
    try {
      regexp = new RegExp(query.regex ? query.pattern : escapeRegExp(query.pattern), query.caseSensitive ? 'u' : 'iu');
    } catch (error) {
      return {
        kind: 'invalid-pattern',
        what: 'pattern',
        message: error instanceof Error ? error.message : String(error),
      };
    }
    const resolved = await this.check(query.under, 'read');
    if (resolved.kind === 'refused') return resolved;
    const info = await statOrUndefined(resolved.abs);
    if (!info) return { kind: 'not-found', rel: resolved.rel };
    let filter: GlobSet | undefined;
    try {
      filter =
        query.glob === undefined || query.glob === '' ? undefined : new GlobSet([query.glob], { untrusted: true });
    } catch (error) {
      if (error instanceof InvalidGlobError) return { kind: 'invalid-pattern', what: 'glob', message: error.message };
      throw error;
    }
    const files = info.isDirectory() ? this.walk(resolved.rel, true, signal) : single(resolved.rel);
    const matches: SearchMatch[] = [];
    let filesSearched = 0;
    let filesSkipped = 0;
    for await (const entry of files) {
      if (entry.type !== 'file' || (filter && !filter.matches(entry.path))) continue;
      const abs = join(this.root, ...entry.path.split('/'));
      const size = (await statOrUndefined(abs))?.size;
      if (size === undefined || size > this.maxSearchFileBytes) {
        filesSkipped++;
        continue;
      }
      const bytes = await readFile(abs, { signal });
      if (looksBinary(bytes)) {
        filesSkipped++;
        continue;
      }
      filesSearched++;
      const lines = new TextDecoder().decode(bytes).split(/\r?\n/);
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i] ?? '';
        if (!regexp.test(line)) continue;
        if (matches.length >= query.maxResults)
          return { kind: 'matches', matches, truncated: true, filesSearched, filesSkipped };
        matches.push({ path: entry.path, line: i + 1, text: clip(line.trim(), MAX_MATCH_LINE_CHARS) });
      }
    }
    return { kind: 'matches', matches, truncated: false, filesSearched, filesSkipped };
  }

  async writeAtomic(rel: string, content: string, signal: AbortSignal): Promise<WriteOutcome> {
    signal.throwIfAborted();
    const resolved = await this.check(rel, 'write');
    if (resolved.kind === 'refused') return resolved;
    await writeFileAtomic(resolved.abs, content);
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

  /**
   * Breadth-first walk below `startRel` (shallow entries first, so a bounded listing shows the top of the
   * tree), skipping `.git`, denied paths, .gitignore'd entries and symlinks that lead out. Never follows
   * symlinked folders, so a link cycle cannot trap it.
   */
  private async *walk(startRel: string, recursive: boolean, signal: AbortSignal): AsyncGenerator<ListEntry> {
    const queue = [startRel];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      signal.throwIfAborted();
      const dirents = await readdir(next === '' ? this.root : join(this.root, ...next.split('/')), {
        withFileTypes: true,
      });
      dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const dirent of dirents) {
        const rel = next === '' ? dirent.name : `${next}/${dirent.name}`;
        if (this.policy.checkRelative(rel, 'read', rel)) continue;
        let isDirectory = dirent.isDirectory();
        const isLink = dirent.isSymbolicLink();
        if (isLink) {
          const target = await this.check(rel, 'read');
          if (target.kind === 'refused') continue;
          const info = await statOrUndefined(target.abs);
          if (!info) continue;
          isDirectory = info.isDirectory();
        }
        if (await this.gitignore.isIgnoredItself(rel, isDirectory)) continue;
        yield { path: rel, type: isDirectory ? 'directory' : 'file' };
        if (isDirectory && recursive && !isLink) queue.push(rel);
      }
    }
  }
}

async function* single(rel: string): AsyncGenerator<ListEntry> {
  yield { path: rel, type: 'file' };
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
