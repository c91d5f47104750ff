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

/**
 * Proposed contents served from memory, so the diff editor's right side is a real, editable document: the
 * user can type in it or use the diff editor's revert arrows per hunk, and "accept" writes exactly that text.
 * Nothing here touches the disk. Base entries (the empty left side of a new file) are read-only.
 */
export class ProposalFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly _onDidChangeFile = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this._onDidChangeFile.event;
  private readonly entries = new Map<string, Entry>();
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  put(uri: vscode.Uri, text: string, options: { readonly: boolean }): void {
    const existed = this.entries.has(uri.toString());
    this.entries.set(uri.toString(), {
      data: this.encoder.encode(text),
      mtime: Date.now(),
      readonly: options.readonly,
    });
    this._onDidChangeFile.fire([
      { type: existed ? vscode.FileChangeType.Changed : vscode.FileChangeType.Created, uri },
    ]);
  }

  has(uri: vscode.Uri): boolean {
    return this.entries.has(uri.toString());
  }

  text(uri: vscode.Uri): string | undefined {
    const entry = this.entries.get(uri.toString());
    return entry === undefined ? undefined : this.decoder.decode(entry.data);
  }

  /** Forgets every entry of a proposal once it is decided. */
  drop(proposalId: string): void {
    const prefix = `/${encodeURIComponent(proposalId)}/`;
    const dropped: vscode.FileChangeEvent[] = [];
    for (const key of [...this.entries.keys()]) {
      const uri = vscode.Uri.parse(key);
      if (uri.path.startsWith(prefix)) {
        this.entries.delete(key);
        dropped.push({ type: vscode.FileChangeType.Deleted, uri });
      }
    }
    if (dropped.length > 0) this._onDidChangeFile.fire(dropped);
  }

  watch(): vscode.Disposable {
    // Changes are fired for every entry already; nothing to watch outside memory.
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const entry = this.entries.get(uri.toString());
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
    const entry = this.entries.get(uri.toString());
    if (!entry) throw vscode.FileSystemError.FileNotFound(uri);
    return entry.data;
  }

  writeFile(uri: vscode.Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }): void {
    const entry = this.entries.get(uri.toString());
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
    this.entries.clear();
    this._onDidChangeFile.dispose();
  }
}
