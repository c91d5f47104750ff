import * as vscode from 'vscode';
import {
  NodeWorkspace,
  type DeleteOutcome,
  type ListOptions,
  type ListOutcome,
  type PathPolicy,
  type PathPurpose,
  type PathRefusal,
  type ReadOutcome,
  type ResolvedPath,
  type SearchOutcome,
  type SearchQuery,
  type StatOutcome,
  type Workspace,
  type WriteOutcome,
} from '../core/engine';

/**
 * The Workspace port in VS Code. Confinement, listing and search are the engine's own (one path policy for
 * every face, through `NodeWorkspace`); what differs is the editor:
 * - reads prefer an open document's text, so agents see the user's unsaved edits, not a stale disk;
 * - writes and deletes go through a `WorkspaceEdit`, so undo works and open editors update, then the
 *   document is saved so the disk (and the journal's post-image) match what the editor shows.
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

  async read(rel: string, signal: AbortSignal): Promise<ReadOutcome> {
    const resolved = await this.check(rel, 'read');
    if (resolved.kind === 'refused') return resolved;
    const open = this.openDocument(resolved.abs);
    if (open?.isDirty) {
      const text = open.getText();
      return { kind: 'text', rel: resolved.rel, text, size: new TextEncoder().encode(text).byteLength };
    }
    return this.disk.read(rel, signal);
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

  async writeAtomic(rel: string, content: string, signal: AbortSignal): Promise<WriteOutcome> {
    signal.throwIfAborted();
    const resolved = await this.check(rel, 'write');
    if (resolved.kind === 'refused') return resolved;
    const uri = vscode.Uri.file(resolved.abs);
    const exists =
      (await this.disk.stat(resolved.rel, signal)).kind === 'file' || this.openDocument(resolved.abs) !== undefined;
    if (!exists) {
      const create = new vscode.WorkspaceEdit();
      create.createFile(uri, { ignoreIfExists: true, contents: new TextEncoder().encode(content) });
      if (!(await vscode.workspace.applyEdit(create))) throw new WorkspaceEditFailedError(`create ${resolved.rel}`);
    } else {
      // The buffer may change between reading its length and applying (the user types): retry once on refusal.
      let applied = false;
      for (let attempt = 0; attempt < 2 && !applied; attempt++) {
        const document = await vscode.workspace.openTextDocument(uri);
        if (document.getText() === content) break;
        const replace = new vscode.WorkspaceEdit();
        replace.replace(
          uri,
          new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)),
          content,
        );
        applied = await vscode.workspace.applyEdit(replace);
      }
      const document = await vscode.workspace.openTextDocument(uri);
      if (document.getText() !== content) throw new WorkspaceEditFailedError(`replace the text of ${resolved.rel}`);
      // Saved so the disk (and the journal's post-image) match what the editor shows.
      if (document.isDirty && !(await document.save()) && document.isDirty)
        throw new WorkspaceEditFailedError(`save ${resolved.rel}`);
    }
    return { kind: 'written', rel: resolved.rel };
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
