/**
 * The Workspace port: everything the engine does to the user's project goes through it, confined by the
 * path policy (src/core/engine/workspace/path-policy.ts). The CLI and tests use `NodeWorkspace`; the extension implements the same
 * port over `workspace.fs` and `WorkspaceEdit` (undo, open editors, unsaved buffers).
 *
 * Paths are workspace-relative with forward slashes. Expected outcomes (missing file, refusal, binary file)
 * are values; only unexpected I/O failures throw.
 */
export interface Workspace {
  /** Absolute path of the workspace folder. */
  readonly root: string;
  /** Applies the path policy without touching the file (used by the gate before it asks anyone). */
  check(rel: string, purpose: PathPurpose): Promise<ResolvedPath | PathRefusal>;
  read(rel: string, signal: AbortSignal, options?: ReadOptions): Promise<ReadOutcome>;
  stat(rel: string, signal: AbortSignal): Promise<StatOutcome>;
  list(rel: string, options: ListOptions, signal: AbortSignal): Promise<ListOutcome>;
  search(query: SearchQuery, signal: AbortSignal): Promise<SearchOutcome>;
  /** Replaces or creates the file so readers never see a torn write; creates parent folders. */
  writeAtomic(rel: string, content: string, signal: AbortSignal, options?: WriteOptions): Promise<WriteOutcome>;
  delete(rel: string, signal: AbortSignal): Promise<DeleteOutcome>;
}

export interface ReadOptions {
  /**
   * Read the file whatever its size (rollback: whatever the gate wrote, it can check and undo). Without it a
   * file over the workspace's read limit is `too-large`, so a model's read cannot take the memory.
   */
  anySize?: boolean;
}

export interface WriteOptions {
  /**
   * Permission bits (`0o755`) for a file the write creates: rollback recreates a deleted file as it was. A
   * replaced file keeps its own. Ignored where the file system has none.
   */
  mode?: number;
}

export type ReadOutcome =
  | { kind: 'text'; rel: string; text: string; size: number }
  | { kind: 'not-found'; rel: string }
  | { kind: 'not-a-file'; rel: string }
  | { kind: 'binary'; rel: string; size: number }
  | { kind: 'too-large'; rel: string; size: number; limit: number }
  | PathRefusal;

export type StatOutcome =
  /** `mode`: the permission bits (`0o644`), where the file system has them. */
  | { kind: 'file'; rel: string; size: number; mtimeMs: number; mode?: number }
  | { kind: 'directory'; rel: string }
  /** A FIFO, socket or device: never read, written or listed. */
  | { kind: 'special'; rel: string }
  | { kind: 'not-found'; rel: string }
  | PathRefusal;

export interface ListOptions {
  /** Walk sub-folders too (respecting .gitignore). */
  recursive: boolean;
  /** Stop after this many entries and say so (`truncated`). */
  maxEntries: number;
}

export interface ListEntry {
  /** Workspace-relative. */
  path: string;
  type: 'file' | 'directory';
}

export type ListOutcome =
  | { kind: 'listed'; rel: string; entries: ListEntry[]; truncated: boolean }
  | { kind: 'not-found'; rel: string }
  | { kind: 'not-a-directory'; rel: string }
  | PathRefusal;

export interface SearchQuery {
  /** A regular expression (RE2 syntax: JavaScript's without look-around and back-references) when `regex`, else a literal string. */
  pattern: string;
  regex: boolean;
  caseSensitive: boolean;
  /** Only files whose path matches this glob (glob.ts syntax), e.g. `*.ts` or `src/**`. */
  glob?: string;
  /** Folder to search below ('' = whole workspace). */
  under: string;
  maxResults: number;
}

export interface SearchMatch {
  path: string;
  /** 1-based. */
  line: number;
  /** The matching line, clipped to a sensible width. */
  text: string;
}

export type SearchOutcome =
  | { kind: 'matches'; matches: SearchMatch[]; truncated: boolean; filesSearched: number; filesSkipped: number }
  /** `what`: which input was wrong, the regular expression or the glob. */
  | { kind: 'invalid-pattern'; what: 'pattern' | 'glob'; message: string }
  | { kind: 'not-found'; rel: string }
  | PathRefusal;

export type WriteOutcome = { kind: 'written'; rel: string } | PathRefusal;

export type DeleteOutcome = { kind: 'deleted'; rel: string } | { kind: 'not-found'; rel: string } | PathRefusal;

/** Why a path is touched: the policy is stricter for writes. */
export type PathPurpose = 'read' | 'write';

export type PathRefusalCode =
  | 'empty'
  | 'absolute'
  | 'escape'
  | 'malformed'
  | 'too-long'
  | 'git'
  | 'denied'
  | 'protected'
  | 'symlink-escape'
  | 'symlink-loop'
  | 'not-a-file'
  | 'inaccessible'
  | 'root';

/** A path the policy refused, with a sentence an agent can act on. */
export interface PathRefusal {
  readonly kind: 'refused';
  readonly code: PathRefusalCode;
  readonly path: string;
  readonly reason: string;
}

export interface ResolvedPath {
  readonly kind: 'resolved';
  /** Normalised workspace-relative path, forward slashes; '' is the workspace root itself. */
  readonly rel: string;
  /** The same path once symbolic links are resolved (equal to `rel` when none is on the way). */
  readonly realRel: string;
  /** Absolute path on disk (not symlink-resolved: writes replace the link's target path as named). */
  readonly abs: string;
}
