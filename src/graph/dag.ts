import { EtlxError } from '../errors/diagnostic.js';
import { compress, invert, type Adjacency } from './dag-rows.js';

/** One node of a graph to build: its id and the ids it depends on (its parents). */
export interface DagInput {
  readonly id: string;
  readonly deps: readonly string[];
}

const EMPTY: readonly string[] = Object.freeze([]);

/**
 * A min-heap of node indices. Indices are positions in the sorted id list, so the smallest
 * index is the lexically smallest id and integer comparison is enough.
 */
class IndexHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const a = this.items;
    a.push(value);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= value) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = value;
  }

  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      const n = a.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && a[r]! < a[l]! ? r : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}


/**
 * An immutable directed graph over string ids, acyclic once validated (`findCycle`). Edges run
 * from a dependency (parent) to its dependent (child).
 *
 * Everything is deterministic: ids are kept in code-unit order and every tie is broken by it,
 * so the same input gives the same order, levels and cycle on every run and every machine.
 */
export class Dag {
  /** All ids, sorted. */
  readonly ids: readonly string[];
  private readonly index: ReadonlyMap<string, number>;
  private readonly up: Adjacency;
  private readonly down: Adjacency;
  /** Memoized id lists for `parents` / `children`; filled on demand, never observable. */
  private readonly parentIds: (readonly string[] | undefined)[] = [];
  private readonly childIds: (readonly string[] | undefined)[] = [];

  private constructor(ids: readonly string[], index: ReadonlyMap<string, number>, up: Adjacency) {
    this.ids = ids;
    this.index = index;
    this.up = up;
    this.down = invert(up, ids.length);
  }

  /**
   * Builds the graph. Deps that name ids not among `nodes` are ignored (the caller reports
   * them with file and line); duplicate ids are merged, their deps united.
   */
  static build(nodes: readonly DagInput[]): Dag {
    const unique = new Set<string>();
    for (const n of nodes) unique.add(n.id);
    // The default sort compares UTF-16 code units, not locale order: the same on every machine.
    const ids = Object.freeze([...unique].sort());
    const index = new Map<string, number>();
    for (let i = 0; i < ids.length; i++) index.set(ids[i]!, i);

    let total = 0;
    for (const n of nodes) total += n.deps.length;
    const from = new Int32Array(total);
    const to = new Int32Array(total);
    let m = 0;
    for (const n of nodes) {
      const c = index.get(n.id)!;
      for (const dep of n.deps) {
        const p = index.get(dep);
        if (p !== undefined) {
          from[m] = c;
          to[m] = p;
          m++;
        }
      }
    }
    return new Dag(ids, index, compress(ids.length, from, to, m));
  }

  /** The number of nodes. */
  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  /** Direct dependencies of `id`, sorted; empty for an unknown id. */
  parents(id: string): readonly string[] {
    const i = this.index.get(id);
    if (i === undefined) return EMPTY;
    return (this.parentIds[i] ??= this.idList(this.up, i));
  }

  /** Direct dependents of `id`, sorted; empty for an unknown id. */
  children(id: string): readonly string[] {
    const i = this.index.get(id);
    if (i === undefined) return EMPTY;
    return (this.childIds[i] ??= this.idList(this.down, i));
  }

  /**
   * A cycle as a path along the edges (each id is a dependency of the next) that starts and
   * ends at the same id, e.g. `['a', 'b', 'a']`; a self-loop gives `['a', 'a']`. Undefined
   * when the graph is acyclic. Deterministic: a depth-first search from each id in sorted
   * order, visiting children in sorted order, returns the first cycle it closes. Iterative, so
   * a chain of any length cannot overflow the stack.
   */
  findCycle(): string[] | undefined {
    const n = this.ids.length;
    const { offsets, edges } = this.down;
    // 0 = unvisited, 1 = on the current path, 2 = finished.
    const state = new Uint8Array(n);
    // For each node on the path: the position in `edges` of its next child to visit.
    const cursor = new Int32Array(n);
    const stack = new Int32Array(n);
    for (let start = 0; start < n; start++) {
      if (state[start] !== 0) continue;
      let top = 0;
      stack[0] = start;
      state[start] = 1;
      cursor[start] = offsets[start]!;
      while (top >= 0) {
        const v = stack[top]!;
        const k = cursor[v]!;
        if (k < offsets[v + 1]!) {
          cursor[v] = k + 1;
          const w = edges[k]!;
          if (state[w] === 1) {
            let from = top;
            while (stack[from] !== w) from--;
            const path: string[] = [];
            for (let i = from; i <= top; i++) path.push(this.ids[stack[i]!]!);
            path.push(this.ids[w]!);
            return path;
          }
          if (state[w] === 0) {
            state[w] = 1;
            cursor[w] = offsets[w]!;
            stack[++top] = w;
          }
        } else {
          state[v] = 2;
          top--;
        }
      }
    }
    return undefined;
  }

  /**
   * A topological order (every node after all its parents) by Kahn's algorithm; among the
   * nodes that are ready, the lexically smallest id comes first. Throws an EtlxError with code
   * `E_CYCLE` naming a cycle if there is one.
   */
  topoOrder(): readonly string[] {
    return Array.from(this.topoIndices(), (i) => this.ids[i]!);
  }

  /**
   * Topological levels: level 0 holds the nodes without parents, and a node's level is one
   * more than its deepest parent's. Nodes of one level do not depend on each other. Each level
   * is sorted. Throws like `topoOrder` on a cycle.
   */
  levels(): readonly (readonly string[])[] {
    const { offsets, edges } = this.up;
    const level = new Int32Array(this.ids.length);
    for (const v of this.topoIndices()) {
      let l = 0;
      for (let k = offsets[v]!; k < offsets[v + 1]!; k++) l = Math.max(l, level[edges[k]!]! + 1);
      level[v] = l;
    }
    const out: string[][] = [];
    // Ascending indices are ascending ids, so every level comes out sorted.
    for (let v = 0; v < this.ids.length; v++) {
      const l = level[v]!;
      while (out.length <= l) out.push([]);
      out[l]!.push(this.ids[v]!);
    }
    return out;
  }

  /**
   * Every node upstream of `id` within `depth` hops (1 = its parents; omitted = unlimited),
   * excluding `id` itself. Empty for an unknown id.
   */
  ancestors(id: string, depth?: number): Set<string> {
    const result = this.ancestorsOfAll([id], depth);
    result.delete(id);
    return result;
  }

  /** Every node downstream of `id` within `depth` hops, excluding `id`. See `ancestors`. */
  descendants(id: string, depth?: number): Set<string> {
    const result = this.descendantsOfAll([id], depth);
    result.delete(id);
    return result;
  }

  /**
   * The known ids among `ids`, plus every node within `depth` hops upstream of any of them
   * (omitted = unlimited). One breadth-first search from all of them at once, so selecting
   * the ancestors of many nodes stays linear in the size of the graph.
   */
  ancestorsOfAll(ids: Iterable<string>, depth?: number): Set<string> {
    return this.reach(ids, depth, this.up);
  }

  /** The known ids among `ids`, plus every node within `depth` hops downstream of any. */
  descendantsOfAll(ids: Iterable<string>, depth?: number): Set<string> {
    return this.reach(ids, depth, this.down);
  }

  /** The sub-graph on the ids of `keep` that are in this graph, with the edges between them. */
  subgraph(keep: ReadonlySet<string>): Dag {
    const n = this.ids.length;
    const newIndex = new Int32Array(n).fill(-1);
    const ids: string[] = [];
    const index = new Map<string, number>();
    for (let v = 0; v < n; v++) {
      const id = this.ids[v]!;
      if (!keep.has(id)) continue;
      newIndex[v] = ids.length;
      index.set(id, ids.length);
      ids.push(id);
    }
    // Old indices ascend with new ones, so the kept rows stay sorted.
    const { offsets, edges } = this.up;
    const newOffsets = new Int32Array(ids.length + 1);
    const newEdges: number[] = [];
    for (let v = 0; v < n; v++) {
      const c = newIndex[v]!;
      if (c < 0) continue;
      for (let k = offsets[v]!; k < offsets[v + 1]!; k++) {
        const p = newIndex[edges[k]!]!;
        if (p >= 0) newEdges.push(p);
      }
      newOffsets[c + 1] = newEdges.length;
    }
    return new Dag(Object.freeze(ids), index, { offsets: newOffsets, edges: Int32Array.from(newEdges) });
  }

  private idList(adjacency: Adjacency, v: number): readonly string[] {
    const out: string[] = [];
    for (let k = adjacency.offsets[v]!; k < adjacency.offsets[v + 1]!; k++) {
      out.push(this.ids[adjacency.edges[k]!]!);
    }
    return Object.freeze(out);
  }

  private reach(ids: Iterable<string>, depth: number | undefined, adjacency: Adjacency): Set<string> {
    const { offsets, edges } = adjacency;
    const seen = new Uint8Array(this.ids.length);
    let frontier: number[] = [];
    for (const id of ids) {
      const i = this.index.get(id);
      if (i !== undefined && seen[i] === 0) {
        seen[i] = 1;
        frontier.push(i);
      }
    }
    const result = new Set<string>(frontier.map((i) => this.ids[i]!));
    const limit = depth === undefined ? Infinity : depth;
    for (let hop = 0; hop < limit && frontier.length > 0; hop++) {
      const next: number[] = [];
      for (const v of frontier) {
        for (let k = offsets[v]!; k < offsets[v + 1]!; k++) {
          const w = edges[k]!;
          if (seen[w] === 0) {
            seen[w] = 1;
            next.push(w);
            result.add(this.ids[w]!);
          }
        }
      }
      frontier = next;
    }
    return result;
  }

  private topoIndices(): Int32Array {
    const n = this.ids.length;
    const { offsets, edges } = this.down;
    const pending = new Int32Array(n);
    const ready = new IndexHeap();
    for (let v = 0; v < n; v++) {
      pending[v] = this.up.offsets[v + 1]! - this.up.offsets[v]!;
      if (pending[v] === 0) ready.push(v);
    }
    const order = new Int32Array(n);
    let done = 0;
    while (ready.size > 0) {
      const v = ready.pop();
      order[done++] = v;
      for (let k = offsets[v]!; k < offsets[v + 1]!; k++) {
        const c = edges[k]!;
        if (--pending[c]! === 0) ready.push(c);
      }
    }
    if (done < n) {
      const cycle = this.findCycle() ?? [];
      throw new EtlxError({
        code: 'E_CYCLE',
        message: `dependency cycle: ${cycle.join(' -> ')}`,
        hint: 'break the cycle: one of these nodes must stop depending on the next',
      });
    }
    return order;
  }
}

