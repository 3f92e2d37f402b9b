/**
 * The storage behind Dag. Adjacency in compressed rows: the neighbours of node `v` are `edges[offsets[v]]` up to
 * `edges[offsets[v + 1]]`, ascending. Two typed arrays instead of one array per node keep
 * building a 10,000-node graph to a few allocations.
 */
export interface Adjacency {
  readonly offsets: Int32Array;
  readonly edges: Int32Array;
}

/**
 * Rows from an edge list (`from[k]` has neighbour `to[k]`, for k < m): sorted, duplicates
 * dropped. Counting sort into rows, then each (usually tiny) row is sorted on its own.
 */
export function compress(n: number, from: Int32Array, to: Int32Array, m: number): Adjacency {
  const start = new Int32Array(n + 1);
  for (let k = 0; k < m; k++) start[from[k]! + 1]!++;
  for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
  const fill = start.slice(0, n);
  const edges = new Int32Array(m);
  for (let k = 0; k < m; k++) edges[fill[from[k]!]!++] = to[k]!;

  // Sort each row, then compact it leftwards without duplicates; the write position never
  // passes the start of the row being read, so one array serves both.
  const offsets = new Int32Array(n + 1);
  let w = 0;
  for (let v = 0; v < n; v++) {
    const a = start[v]!;
    const b = start[v + 1]!;
    if (b - a > 16) edges.subarray(a, b).sort();
    else insertionSort(edges, a, b);
    offsets[v] = w;
    for (let k = a; k < b; k++) {
      const x = edges[k]!;
      if (k === a || x !== edges[k - 1]) edges[w++] = x;
    }
  }
  offsets[n] = w;
  return { offsets, edges: edges.slice(0, w) };
}

/** The reverse adjacency; rows come out sorted because sources are visited in order. */
export function invert(adjacency: Adjacency, n: number): Adjacency {
  const { offsets, edges } = adjacency;
  const start = new Int32Array(n + 1);
  for (let k = 0; k < edges.length; k++) start[edges[k]! + 1]!++;
  for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
  const fill = start.slice(0, n);
  const out = new Int32Array(edges.length);
  for (let v = 0; v < n; v++) {
    for (let k = offsets[v]!; k < offsets[v + 1]!; k++) out[fill[edges[k]!]!++] = v;
  }
  return { offsets: start, edges: out };
}

function insertionSort(a: Int32Array, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    const x = a[i]!;
    let j = i - 1;
    while (j >= from && a[j]! > x) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
}
