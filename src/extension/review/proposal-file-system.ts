import * as vscode from 'vscode';

export const PROPOSAL_SCHEME = 'speckit-proposal';

export type ProposalSide = 'base' | 'proposed';

/** `speckit-proposal:/<proposalId>/<side>/<workspace-relative path>`: the path keeps the file's name and language. */
export function proposalUri(proposalId: string, side: ProposalSide, relPath: string): vscode.Uri {
  return vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${encodeURIComponent(proposalId)}/${side}/${relPath}` });
}

export function parseProposalUri(
  uri: vscode.Uri,
): { proposalId: string; side: ProposalSide; relPath: string } | undefined {
  if (uri.scheme !== PROPOSAL_SCHEME) return undefined;
  const match = /^\/([^/]+)\/(base|proposed)\/(.+)$/.exec(uri.path);
  if (!match?.[1] || !match[3]) return undefined;
  return {
    proposalId: decodeURIComponent(match[1]),
    side: match[2] === 'base' ? 'base' : 'proposed',
    relPath: match[3],
  };
}

interface Entry {
  data: Uint8Array;
  mtime: number;
  readonly: boolean;
}

/** A side's first text, from the proposal still waiting for review; undefined once it is decided. */
export type ProposalSideResolver = (
  proposalId: string,
  side: ProposalSide,
  relPath: string,
) => { text: string; readonly: boolean } | undefined;

/**
 * Proposed contents served from memory, so the diff editor's right side is a real, editable document: the
 * user can type in it or use the diff editor's revert arrows per hunk, and "accept" writes exactly that text.
 * Nothing here touches the disk. Base entries (the empty left side of a new file) are read-only.
 * A side is read from the pending proposal the first time VS Code asks for it, so opening a review is just
 * `vscode.diff` on two URIs: a tree row can carry that command itself.
 */
export class ProposalFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly _onDidChangeFile = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this._onDidChangeFile.event;
  private readonly entries = new Map<string, Entry>();
  /** Proposals whose review closed (ids only, a few per run). */
  private readonly decided = new Set<string>();
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  private readonly closedDocuments: vscode.Disposable;

  constructor(private readonly resolveSide: ProposalSideResolver) {
    this.closedDocuments = vscode.workspace.onDidCloseTextDocument((document) => {
      const proposalId = parseProposalUri(document.uri)?.proposalId;
      if (proposalId !== undefined && this.decided.has(proposalId)) this.entries.delete(document.uri.toString());
    });
  }

  /** The entry, first read from the pending proposal when VS Code asks for a side not yet in memory. */
  private entryOf(uri: vscode.Uri): Entry | undefined {
    const known = this.entries.get(uri.toString());
    if (known) return known;
    const parsed = parseProposalUri(uri);
    const side = parsed && this.resolveSide(parsed.proposalId, parsed.side, parsed.relPath);
    if (!side) return undefined;
    const entry: Entry = { data: this.encoder.encode(side.text), mtime: Date.now(), readonly: side.readonly };
    this.entries.set(uri.toString(), entry);
    return entry;
  }

  text(uri: vscode.Uri): string | undefined {
    const entry = this.entries.get(uri.toString());
    return entry === undefined ? undefined : this.decoder.decode(entry.data);
  }

  /**
   * Forgets a proposal once it is decided. Sides an editor still has open stay until VS Code closes their
   * document: a save or a re-read that VS Code sends after the review closed must find them, not a deleted file.
   */
  drop(proposalId: string): void {
    this.decided.add(proposalId);
    const prefix = `/${encodeURIComponent(proposalId)}/`;
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    for (const key of [...this.entries.keys()])
      if (vscode.Uri.parse(key).path.startsWith(prefix) && !open.has(key)) this.entries.delete(key);
  }

  watch(): vscode.Disposable {
    // Changes are fired for every entry already; nothing to watch outside memory.
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const entry = this.entryOf(uri);
    if (entry) {
      return {
        type: vscode.FileType.File,
        ctime: entry.mtime,
        mtime: entry.mtime,
        size: entry.data.byteLength,
        ...(entry.readonly ? { permissions: vscode.FilePermission.Readonly } : {}),
      };
    }
    if (this.isDirectory(uri)) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    throw vscode.FileSystemError.FileNotFound(uri);
  }

  readDirectory(uri: vscode.Uri): [string, vscode.FileType][] {
    const prefix = uri.path.endsWith('/') ? uri.path : `${uri.path}/`;
    const children = new Map<string, vscode.FileType>();
    for (const key of this.entries.keys()) {
      const path = vscode.Uri.parse(key).path;
      if (!path.startsWith(prefix)) continue;
      const [name, ...rest] = path.slice(prefix.length).split('/');
      if (name) children.set(name, rest.length > 0 ? vscode.FileType.Directory : vscode.FileType.File);
    }
    return [...children];
  }

  readFile(uri: vscode.Uri): Uint8Array {
    const entry = this.entryOf(uri);
    if (!entry) throw vscode.FileSystemError.FileNotFound(uri);
    return entry.data;
  }

  writeFile(uri: vscode.Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }): void {
    const entry = this.entryOf(uri);
    const proposalId = parseProposalUri(uri)?.proposalId;
    // A save that arrives after the review closed changes nothing: the decision was made on the text shown.
    if (!entry && proposalId !== undefined && this.decided.has(proposalId)) return;
    if (!entry) {
      // Only proposals we opened exist here; "Save As" into this scheme is not a thing.
      throw options.create ? vscode.FileSystemError.NoPermissions(uri) : vscode.FileSystemError.FileNotFound(uri);
    }
    if (entry.readonly) throw vscode.FileSystemError.NoPermissions(uri);
    entry.data = content;
    entry.mtime = Date.now();
    this._onDidChangeFile.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(oldUri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(oldUri);
  }

  private isDirectory(uri: vscode.Uri): boolean {
    const prefix = uri.path.endsWith('/') ? uri.path : `${uri.path}/`;
    for (const key of this.entries.keys()) if (vscode.Uri.parse(key).path.startsWith(prefix)) return true;
    return false;
  }

  dispose(): void {
    this.closedDocuments.dispose();
    this.entries.clear();
    this._onDidChangeFile.dispose();
  }
}
