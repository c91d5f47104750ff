// The Pending Changes tree as plain data: which nodes exist and what each row shows. No `vscode` here, so a
// refresh can tell a changed row from the same one, and the rules are unit-tested; pending-changes-tree.ts renders.
import { shownTaskStatus, type ProposalKind, type RunView } from '../../protocol/engine-events';
import { plainText } from './plain-text';

/**
 * The review queue (per task, the files with proposed edits) and, below it, what each finished task changed.
 * `kind` is also the row's `contextValue` (`proposalTask`, `proposal`, `changedTask`, `changedFile`), which drives
 * the inline actions in package.json's `view/item/context` menus; those commands get the node as their argument.
 */
export type PendingNode =
  | { kind: 'proposalTask'; taskKey: string }
  | { kind: 'proposal'; proposalId: string }
  | { kind: 'changedRoot' }
  | { kind: 'changedTask'; taskKey: string }
  | { kind: 'changedFile'; taskKey: string; path: string };

/** Stable and unique: the tree item's `id`, so a row keeps its identity (and a click its target) across refreshes. */
export function pendingNodeId(node: PendingNode): string {
  switch (node.kind) {
    case 'proposalTask':
      return `proposalTask:${node.taskKey}`;
    case 'proposal':
      return `proposal:${node.proposalId}`;
    case 'changedRoot':
      return 'changedRoot';
    case 'changedTask':
      return `changedTask:${node.taskKey}`;
    case 'changedFile':
      return `changedFile:${node.taskKey}:${node.path}`;
  }
}

/** One row, as data. Two rows with the same JSON look the same. */
export interface PendingRow {
  readonly label: string;
  readonly description?: string;
  readonly icon: { readonly id: string; readonly color?: string };
  readonly collapsible: 'expanded' | 'collapsed' | 'none';
  /** A proposal's hover: a markdown heading, then the worker's reason as plain text. */
  readonly tooltip?: { readonly heading: string; readonly text: string };
  /** What a click does: review the proposal's diff, or open the written file. */
  readonly click?:
    { readonly kind: 'review'; readonly proposalId: string } | { readonly kind: 'open'; readonly path: string };
}

const KIND_ICON: Record<ProposalKind, PendingRow['icon']> = {
  create: { id: 'diff-added', color: 'gitDecoration.addedResourceForeground' },
  modify: { id: 'diff-modified', color: 'gitDecoration.modifiedResourceForeground' },
  delete: { id: 'diff-removed', color: 'gitDecoration.deletedResourceForeground' },
};
const KIND_LABEL: Record<ProposalKind, string> = { create: 'new', modify: 'modified', delete: 'deleted' };

type View = Pick<RunView, 'pending' | 'applied' | 'tasks' | 'rolledBack'>;

/** Proposal ids per task, the tasks in the run's order: a group keeps its place while others come and go. */
function pendingByTask(view: View): Map<string, string[]> {
  const byTask = new Map<string, string[]>();
  for (const p of view.pending.values()) byTask.set(p.taskKey, [...(byTask.get(p.taskKey) ?? []), p.id]);
  const order = [...view.tasks.keys()];
  const place = (key: string): number => (order.includes(key) ? order.indexOf(key) : order.length);
  return new Map([...byTask].sort(([a], [b]) => place(a) - place(b)));
}

/** Applied files of tasks that are done (and not rolled back), in the order they were written, last write per path. */
function changedByTask(view: View): Map<string, Map<string, ProposalKind>> {
  const groups = new Map<string, Map<string, ProposalKind>>();
  for (const a of view.applied) {
    if (shownTaskStatus(view, a.taskKey) !== 'done') continue;
    const files = groups.get(a.taskKey) ?? new Map<string, ProposalKind>();
    const before = files.get(a.path);
    // A file created then modified within the task is still new to the workspace.
    files.set(a.path, before === 'create' && a.kind === 'modify' ? 'create' : a.kind);
    groups.set(a.taskKey, files);
  }
  return groups;
}

/** The nodes under `node` (the top-level rows under undefined), in display order. */
export function pendingChildren(view: View, node: PendingNode | undefined): PendingNode[] {
  if (node === undefined) {
    const roots: PendingNode[] = [...pendingByTask(view).keys()].map((taskKey) => ({ kind: 'proposalTask', taskKey }));
    if (changedByTask(view).size > 0) roots.push({ kind: 'changedRoot' });
    return roots;
  }
  switch (node.kind) {
    case 'proposalTask':
      return (pendingByTask(view).get(node.taskKey) ?? []).map((proposalId) => ({ kind: 'proposal', proposalId }));
    case 'changedRoot':
      return [...changedByTask(view).keys()].map((taskKey) => ({ kind: 'changedTask', taskKey }));
    case 'changedTask':
      return [...(changedByTask(view).get(node.taskKey)?.keys() ?? [])].map((path) => ({
        kind: 'changedFile',
        taskKey: node.taskKey,
        path,
      }));
    case 'proposal':
    case 'changedFile':
      return [];
  }
}

/** The parent of a node still in the tree (undefined for a top-level row, or a proposal decided since). */
export function pendingParent(view: View, node: PendingNode): PendingNode | undefined {
  switch (node.kind) {
    case 'proposal': {
      const taskKey = view.pending.get(node.proposalId)?.taskKey;
      return taskKey === undefined ? undefined : { kind: 'proposalTask', taskKey };
    }
    case 'changedTask':
      return { kind: 'changedRoot' };
    case 'changedFile':
      return { kind: 'changedTask', taskKey: node.taskKey };
    case 'proposalTask':
    case 'changedRoot':
      return undefined;
  }
}

function taskLabel(view: View, taskKey: string): string {
  const task = view.tasks.get(taskKey);
  return task ? `${task.id} ${plainText(task.description)}` : taskKey;
}

/** The row of a node still in the tree, else undefined (it went since VS Code was given it). */
export function pendingRow(view: View, node: PendingNode): PendingRow | undefined {
  switch (node.kind) {
    case 'proposalTask': {
      const count = pendingByTask(view).get(node.taskKey)?.length ?? 0;
      if (count === 0) return undefined;
      return {
        label: taskLabel(view, node.taskKey),
        description: `${count} edit${count === 1 ? '' : 's'} to review`,
        icon: { id: 'git-pull-request' },
        collapsible: 'expanded',
      };
    }
    case 'proposal': {
      const p = view.pending.get(node.proposalId);
      if (!p) return undefined;
      const slash = p.path.lastIndexOf('/');
      return {
        label: p.path.slice(slash + 1),
        description: `${slash > 0 ? `${p.path.slice(0, slash)} · ` : ''}${KIND_LABEL[p.kind]}`,
        icon: KIND_ICON[p.kind],
        collapsible: 'none',
        tooltip: {
          heading: `**${p.path}** (${KIND_LABEL[p.kind]}) · ${p.role} ${p.workerId}`,
          text: p.reason ?? 'Click to review the diff.',
        },
        click: { kind: 'review', proposalId: p.id },
      };
    }
    case 'changedRoot':
      return changedByTask(view).size === 0
        ? undefined
        : { label: 'Changed by finished tasks', icon: { id: 'history' }, collapsible: 'collapsed' };
    case 'changedTask': {
      const files = changedByTask(view).get(node.taskKey);
      if (!files) return undefined;
      return {
        label: taskLabel(view, node.taskKey),
        description: `${files.size} file(s)`,
        icon: { id: 'pass', color: 'testing.iconPassed' },
        collapsible: 'collapsed',
      };
    }
    case 'changedFile': {
      const kind = changedByTask(view).get(node.taskKey)?.get(node.path);
      if (kind === undefined) return undefined;
      return {
        label: node.path,
        description: KIND_LABEL[kind],
        icon: KIND_ICON[kind],
        collapsible: 'none',
        ...(kind !== 'delete' ? { click: { kind: 'open', path: node.path } as const } : {}),
      };
    }
  }
}
