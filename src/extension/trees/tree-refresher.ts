// No `vscode` here: the trees' refresh logic is unit-tested as plain TypeScript.
import { CoalescingScheduler } from '../coalescing-scheduler';

/** The id that stands for the tree's invisible root (whose children are the top-level rows). */
export const ROOT_ID = '';

/** What VS Code was last given: each row's signature and each expanded node's child ids (`ROOT_ID`: top level). */
export interface ShownTree {
  readonly rows: ReadonlyMap<string, string>;
  readonly children: ReadonlyMap<string, readonly string[]>;
}

/** What the tree holds now, by node id: the row's signature and child ids, or undefined when the node is gone. */
export type CurrentTree = (id: string) => { signature: string | undefined; children: readonly string[] } | undefined;

/**
 * The fewest nodes to refresh so VS Code shows the current tree: a row whose signature changed, a node whose
 * children changed (its parent when a child moved in from elsewhere); never a node under another refreshed one, as VS Code fetches everything under a
 * refreshed node again. So a count that changes (a task done) refreshes its phase and feature with their rows,
 * while the frequent changes (a role, a message, waiting for review) refresh the one row. `ROOT_ID` in the
 * result means the top-level rows themselves changed.
 */
export function nodesToRefresh(shown: ShownTree, current: CurrentTree): string[] {
  const parentOf = new Map<string, string>();
  for (const [parent, children] of shown.children) for (const child of children) parentOf.set(child, parent);
  const changed = new Set<string>();
  for (const [id, children] of shown.children) {
    const now = current(id);
    // A vanished node is covered by its parent, whose children changed. A list that gained a row VS Code shows
    // under another node is refreshed from one level up: a task that moved to another phase must leave the old
    // one before it joins the new one (VS Code refuses an id twice). Any other changed list refreshes its node.
    if (now === undefined || sameList(children, now.children)) continue;
    const movedIn = now.children.some((child) => parentOf.has(child) && parentOf.get(child) !== id);
    changed.add(movedIn ? (parentOf.get(id) ?? ROOT_ID) : id);
  }
  for (const [id, signature] of shown.rows) {
    const now = current(id);
    if (now !== undefined && now.signature !== signature) changed.add(id);
  }
  const coveredByAncestor = (id: string): boolean => {
    for (let parent = parentOf.get(id); parent !== undefined; parent = parentOf.get(parent))
      if (changed.has(parent)) return true;
    return false;
  };
  return [...changed].filter((id) => !coveredByAncestor(id));
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A node as it is now: its row's signature (undefined for the root) and its children. */
export interface CurrentNode<N> {
  readonly signature: string | undefined;
  readonly children: readonly N[];
}

/**
 * The answer of `TreeRefresherOptions.current` for a tree drawn from plain-data model functions over one state:
 * a row's signature is its JSON, so two rows that would render the same compare equal.
 */
export function modelTreeState<N>(
  childrenOf: (node: N | undefined) => readonly N[],
  rowOf: (node: N) => object | undefined,
): (node: N | undefined) => CurrentNode<N> | undefined {
  return (node) => {
    if (node === undefined) return { signature: undefined, children: childrenOf(undefined) };
    const row = rowOf(node);
    return row && { signature: JSON.stringify(row), children: childrenOf(node) };
  };
}

const REFRESH_QUIET_MS = 80;
const REFRESH_MAX_DELAY_MS = 250;

export interface TreeRefresherOptions<N> {
  /** Stable and unique: also the tree item's `id`, so VS Code keeps a row's identity (and a click's target). */
  readonly idOf: (node: N) => string;
  /** Reads the tree's state now, then answers per node (undefined: the root); undefined for a node that is gone. */
  readonly current: () => Promise<(node: N | undefined) => CurrentNode<N> | undefined>;
  /** The provider's `onDidChangeTreeData`: the nodes to refresh, or undefined for all of them. */
  readonly fire: (nodes: N[] | undefined) => void;
  /**
   * How long the refresher waits for a burst of changes to end, and the longest a burst may go on before the tree
   * shows it; every tree of the view container uses the defaults, so they refresh in step.
   */
  readonly quietMs?: number;
  readonly maxDelayMs?: number;
  readonly onError: (error: unknown) => void;
}

/**
 * What keeps a tree that changes many times a second (during a run) clickable: it never refreshes wholesale.
 * Each burst of changes is coalesced; then only the rows that look different, and the parents whose children
 * changed, are refreshed, and only rows VS Code was given (a refresh of an element VS Code does not hold is its
 * "Data tree node not found"). Elements are interned by a stable id, as VS Code finds an element to refresh by
 * identity. The provider calls `rowShown` from `getTreeItem` and `childrenShown` from `getChildren`.
 */
export class TreeRefresher<N> {
  private readonly nodes = new Map<string, N>();
  /** What VS Code was given: row signatures and child ids by node id. */
  private readonly shownRows = new Map<string, string>();
  private readonly shownChildren = new Map<string, string[]>();
  private readonly scheduler: CoalescingScheduler;

  constructor(private readonly options: TreeRefresherOptions<N>) {
    this.scheduler = new CoalescingScheduler(() => this.refreshChanged(), {
      quietMs: options.quietMs ?? REFRESH_QUIET_MS,
      maxDelayMs: options.maxDelayMs ?? REFRESH_MAX_DELAY_MS,
      onError: options.onError,
    });
  }

  /** Something may have changed: the tree shows it after the burst. */
  schedule(): void {
    this.scheduler.schedule();
  }

  /** Something changed that the user acts on next: the tree shows it now, not after the burst. */
  refreshNow(): void {
    this.scheduler.flush();
  }

  /** The one element object for a node. */
  intern(node: N): N {
    const id = this.options.idOf(node);
    const known = this.nodes.get(id);
    if (known) return known;
    this.nodes.set(id, node);
    return node;
  }

  /** `getChildren` answered `children` for `parent` (undefined: the root); returns them interned. */
  childrenShown(parent: N | undefined, children: readonly N[]): N[] {
    const interned = children.map((child) => this.intern(child));
    this.shownChildren.set(parent === undefined ? ROOT_ID : this.options.idOf(parent), interned.map(this.options.idOf));
    return interned;
  }

  /** `getTreeItem` rendered `node` as a row with this signature. */
  rowShown(node: N, signature: string): void {
    this.shownRows.set(this.options.idOf(node), signature);
  }

  private async refreshChanged(): Promise<void> {
    const now = await this.options.current();
    const { idOf } = this.options;
    const current: CurrentTree = (id) => {
      const node = id === ROOT_ID ? undefined : this.nodes.get(id);
      if (id !== ROOT_ID && node === undefined) return undefined;
      const answer = now(node);
      return answer && { signature: answer.signature, children: answer.children.map(idOf) };
    };
    const ids = nodesToRefresh({ rows: this.shownRows, children: this.shownChildren }, current);
    if (ids.length === 0) return;
    if (ids.includes(ROOT_ID)) {
      this.shownRows.clear();
      this.shownChildren.clear();
      this.nodes.clear();
      this.options.fire(undefined);
      return;
    }
    // VS Code asks again for what it shows of these; until then nothing under them is compared.
    for (const id of ids) this.forgetUnder(id);
    this.options.fire(ids.flatMap((id) => this.nodes.get(id) ?? []));
  }

  private forgetUnder(id: string): void {
    for (const child of this.shownChildren.get(id) ?? []) {
      this.forgetUnder(child);
      this.shownRows.delete(child);
    }
    this.shownChildren.delete(id);
    this.shownRows.delete(id);
  }

  dispose(): void {
    this.scheduler.dispose();
  }
}
