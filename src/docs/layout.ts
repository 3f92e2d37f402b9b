/**
 * The lineage graph's layout, computed at generate time with dagre (a layered DAG layout), so
 * the page only draws. dagre's cost grows quickly with size: on bench/generate.mjs's randomly
 * wired DAG, even with the fast settings used above FAST_ABOVE (longest-path ranker, no order
 * heuristic), 200 nodes took 1.0 s, 300 nodes 2.1 s and 500 nodes 8.9 s. So above LAYOUT_LIMIT
 * no whole-graph layout is made: the page lays out only the selected subgraph, with the same
 * library inlined into it.
 */
import * as dagre from '@dagrejs/dagre';

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 30;
export const LAYOUT_LIMIT = 300;
export const FAST_ABOVE = 100;

export interface GraphLayout {
  /** Node centres, by node index. */
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly width: number;
  readonly height: number;
}

/** Positions for nodes 0..n-1 with edges [parent, child]; undefined above LAYOUT_LIMIT. */
export function layoutGraph(n: number, edges: readonly (readonly [number, number])[]): GraphLayout | undefined {
  if (n === 0) return { x: [], y: [], width: 0, height: 0 };
  if (n > LAYOUT_LIMIT) return undefined;
  const fast = n > FAST_ABOVE;
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 12, ranksep: 70, marginx: 20, marginy: 20, ...(fast ? { ranker: 'longest-path' as const } : {}) });
  g.setDefaultEdgeLabel(() => ({}));
  for (let i = 0; i < n; i++) g.setNode(String(i), { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const [a, b] of edges) g.setEdge(String(a), String(b));
  dagre.layout(g, fast ? { disableOptimalOrderHeuristic: true } : {});
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = g.node(String(i));
    x.push(Math.round(p.x));
    y.push(Math.round(p.y));
  }
  const label = g.graph();
  return { x, y, width: Math.ceil(label.width ?? 0), height: Math.ceil(label.height ?? 0) };
}
