import * as vscode from 'vscode';
import {
  NodeWorkspace,
  type DeleteOutcome,
  type ListOptions,
  type ListOutcome,
  type PathPolicy,
  type PathPurpose,
  type PathRefusal,
  type ReadOptions,
  type ReadOutcome,
  type ResolvedPath,
  type SearchOutcome,
  type SearchQuery,
  type StatOutcome,
  type WriteOptions,
  type Workspace,
  type WriteOutcome,
} from '../core/engine';

/**
 * The Workspace port in VS Code. Confinement, listing and search are the engine's own (one path policy for
 * every face, through `NodeWorkspace`); what differs is the editor:
 * - reads prefer an open document's text, so agents see the user's unsaved edits, not a stale disk;
 * - a write to a file open in an editor goes through a `WorkspaceEdit` (the editor shows it, undo works) and
 *   a save; whatever the save did (save participants, a refused save), the disk ends up with exactly the
 *   approved bytes. A file not open is written to disk directly, atomically;
 * - deletes go through a `WorkspaceEdit`, so open editors close with the file.
 */
export class VscodeWorkspace implements Workspace {
  private readonly disk: NodeWorkspace;

  constructor(
    readonly root: string,
    policy?: PathPolicy,
  ) {
    this.disk = new NodeWorkspace(root, policy ? { policy } : {});
  }

  check(rel: string, purpose: PathPurpose): Promise<ResolvedPath | PathRefusal> {
    return this.disk.check(rel, purpose);
  }

  private openDocument(abs: string): vscode.TextDocument | undefined {
    const uri = vscode.Uri.file(abs);
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  }

  async read(rel: string, signal: AbortSignal, options?: ReadOptions): Promise<ReadOutcome> {
    const resolved = await this.check(rel, 'read');
    if (resolved.kind === 'refused') return resolved;
    const open = this.openDocument(resolved.abs);
    if (open?.isDirty) {
      const text = open.getText();
      return { kind: 'text', rel: resolved.rel, text, size: new TextEncoder().encode(text).byteLength };
    }
    return this.disk.read(rel, signal, options);
  }

  stat(rel: string, signal: AbortSignal): Promise<StatOutcome> {
    return this.disk.stat(rel, signal);
  }

  list(rel: string, options: ListOptions, signal: AbortSignal): Promise<ListOutcome> {
    return this.disk.list(rel, options, signal);
  }

  search(query: SearchQuery, signal: AbortSignal): Promise<SearchOutcome> {
    return this.disk.search(query, signal);
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
    const open = this.openDocument(resolved.abs);
    if (open === undefined) return this.disk.writeAtomic(rel, content, signal, options);
    // Open in an editor: replace the text there, so the editor shows it and its undo keeps what was there
    // before (the user's unsaved text included: the review asked before replacing it), then save. The buffer
    // may change between reading its length and applying (the user types): retry once on refusal.
    const uri = vscode.Uri.file(resolved.abs);
    for (let attempt = 0; attempt < 2 && open.getText() !== content; attempt++) {
      const replace = new vscode.WorkspaceEdit();
      replace.replace(uri, new vscode.Range(open.positionAt(0), open.positionAt(open.getText().length)), content);
      await vscode.workspace.applyEdit(replace);
    }
    if (open.getText() !== content) throw new WorkspaceEditFailedError(`replace the text of ${resolved.rel}`);
    if (open.isDirty) await open.save();
    // What was approved is what lands, byte for byte. A save may not have happened (the file changed on disk
    // since the editor read it), or it ran the user's save participants (format on save, trimmed whitespace,
    // a final newline) and wrote something else: then the approved text is written to disk as it is, so the
    // disk matches the review and the journal's post-image.
    const onDisk = await this.disk.read(rel, signal);
    if (onDisk.kind === 'text' && onDisk.text === content) return { kind: 'written', rel: resolved.rel };
    return this.disk.writeAtomic(rel, content, signal);
  }

  async delete(rel: string, signal: AbortSignal): Promise<DeleteOutcome> {
    signal.throwIfAborted();
    const resolved = await this.check(rel, 'write');
    if (resolved.kind === 'refused') return resolved;
    if ((await this.disk.stat(resolved.rel, signal)).kind === 'not-found')
      return { kind: 'not-found', rel: resolved.rel };
    const edit = new vscode.WorkspaceEdit();
    edit.deleteFile(vscode.Uri.file(resolved.abs), { ignoreIfNotExists: true });
    if (!(await vscode.workspace.applyEdit(edit))) throw new WorkspaceEditFailedError(`delete ${resolved.rel}`);
    return { kind: 'deleted', rel: resolved.rel };
  }
}

/** VS Code refused a WorkspaceEdit (another extension vetoed it, or the file is read-only). */
export class WorkspaceEditFailedError extends Error {
  constructor(what: string, options?: ErrorOptions) {
    super(`VS Code could not ${what}`, options);
    this.name = 'WorkspaceEditFailedError';
  }
}
