import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { topologicalOrder, wire, type GraphEdge, type GraphNode } from '../../../src/core/graph/graph-builder';

/** The order by definition: repeatedly the free node with the lowest position (then id), by scanning. */
function slowOrder(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): number[] {
  const left = new Set(nodes.map((n) => n.id));
  const order: number[] = [];
  for (;;) {
    const free = nodes
      .filter((n) => left.has(n.id) && !edges.some((e) => e.to === n.id && left.has(e.from)))
      .sort((a, b) => a.position - b.position || a.id - b.id);
    const next = free[0];
    if (next === undefined) return order;
    order.push(next.id);
    left.delete(next.id);
  }
}

const graphs = fc
  .record({
    positions: fc.array(
      fc.integer({ min: 0, max: 12 }).map((p) => p / 2),
      { minLength: 1, maxLength: 14 },
    ),
    pairs: fc.array(fc.tuple(fc.nat(13), fc.nat(13)), { maxLength: 24 }),
    forwardOnly: fc.boolean(),
  })
  .map(({ positions, pairs, forwardOnly }) => {
    const nodes: GraphNode[] = positions.map((position, id) => ({ id, kind: 'task', task: undefined, position }));
    const byPosition = (a: number, b: number): number => (nodes[a]?.position ?? 0) - (nodes[b]?.position ?? 0) || a - b;
    const edges: GraphEdge[] = pairs
      .map(([a, b]) => [a % nodes.length, b % nodes.length] as const)
      .filter(([a, b]) => a !== b)
      // Forward only: every edge from the earlier node by position, as most files give; else any direction.
      .map(([a, b]) => (forwardOnly && byPosition(a, b) > 0 ? ([b, a] as const) : ([a, b] as const)))
      .map(([from, to]) => ({ from, to, reason: 'explicit' }));
    return { nodes, edges };
  });

test('topologicalOrder: the free node with the lowest position first, cycles left out, on any graph', () => {
  fc.assert(
    fc.property(graphs, ({ nodes, edges }) => {
      const order = topologicalOrder(wire(nodes, edges)).map((n) => n.id);
      assert.deepEqual(order, slowOrder(nodes, edges));
    }),
    { numRuns: 400 },
  );
});

test('topologicalOrder: edges that all run forward give position order; one backward edge is still kept', () => {
  const nodes: GraphNode[] = [3, 1, 2, 0].map((position, id) => ({ id, kind: 'task', task: undefined, position }));
  const forward: GraphEdge[] = [{ from: 1, to: 0, reason: 'sequence' }];
  assert.deepEqual(
    topologicalOrder(wire(nodes, forward)).map((n) => n.id),
    [3, 1, 2, 0],
  );
  const backward: GraphEdge[] = [{ from: 0, to: 3, reason: 'explicit' }];
  assert.deepEqual(
    topologicalOrder(wire(nodes, backward)).map((n) => n.id),
    [1, 2, 0, 3],
  );
});
