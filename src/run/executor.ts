import type { Dag } from '../graph/dag.js';

export type Outcome = 'ok' | 'failed';

export interface ExecuteOptions {
  /** Edges between the nodes to run (others are ignored: treated as already satisfied). */
  readonly dag: Dag;
  readonly ids: ReadonlySet<string>;
  readonly concurrency: number;
  /** Does the work; 'failed' skips every node downstream. Must not throw. */
  readonly run: (id: string, slot: number) => Promise<Outcome>;
  /** Called for each node skipped, with the failed node that caused it (or undefined when stopping). */
  readonly skip: (id: string, cause: string | undefined) => void;
  /** Checked before starting each node: true stops starting new work. */
  readonly stopped: () => boolean;
  readonly failFast: boolean;
  /**
   * A gate before a node starts: undefined lets it start now; a promise holds it, without taking
   * a slot, while the rest of the DAG goes on, until the promise resolves. Must not reject.
   */
  readonly ready?: (id: string) => Promise<void> | undefined;
}

/**
 * Runs a DAG with bounded concurrency. Generic: knows nothing about models. Deterministic: among
 * ready nodes, the one earliest in topological order (ties by id) starts first.
 */
export async function executeDag(o: ExecuteOptions): Promise<void> {
  const order = o.dag.topoOrder().filter((id) => o.ids.has(id));
  const rank = new Map(order.map((id, i) => [id, i]));
  const waiting = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const id of order) {
    const parents = o.dag.parents(id).filter((p) => o.ids.has(p));
    waiting.set(id, parents.length);
    for (const p of parents) {
      const list = children.get(p) ?? [];
      list.push(id);
      children.set(p, list);
    }
  }
  const ready: string[] = order.filter((id) => waiting.get(id) === 0);
  const done = new Set<string>();
  let failedAny = false;
  const free: number[] = Array.from({ length: Math.max(1, o.concurrency) }, (_, i) => i).reverse();
  const running = new Set<Promise<void>>();
  const holding = new Set<Promise<void>>();
  const gated = new Set<string>();

  const skipDownstream = (id: string, cause: string | undefined) => {
    const stack = [...(children.get(id) ?? [])];
    while (stack.length > 0) {
      const c = stack.pop()!;
      if (done.has(c)) continue;
      done.add(c);
      o.skip(c, cause);
      stack.push(...(children.get(c) ?? []));
    }
  };
  const release = (id: string) => {
    for (const c of children.get(id) ?? []) {
      if (done.has(c)) continue;
      const n = waiting.get(c)! - 1;
      waiting.set(c, n);
      if (n === 0) insertByRank(ready, c, rank);
    }
  };

  while (ready.length > 0 || running.size > 0 || holding.size > 0) {
    while (ready.length > 0 && free.length > 0) {
      const id = ready.shift()!;
      if (done.has(id)) continue;
      if (o.stopped() || (o.failFast && failedAny)) {
        done.add(id);
        o.skip(id, undefined);
        skipDownstream(id, undefined);
        continue;
      }
      if (o.ready && !gated.has(id)) {
        gated.add(id);
        const gate = o.ready(id);
        if (gate) {
          const h: Promise<void> = gate.then(() => {
            holding.delete(h);
            insertByRank(ready, id, rank);
          });
          holding.add(h);
          continue;
        }
      }
      const slot = free.pop()!;
      const p: Promise<void> = o.run(id, slot).then((outcome) => {
        running.delete(p);
        free.push(slot);
        done.add(id);
        if (outcome === 'failed') {
          failedAny = true;
          skipDownstream(id, id);
        } else release(id);
      });
      running.add(p);
    }
    if (running.size > 0 || holding.size > 0) await Promise.race([...running, ...holding]);
    else if (ready.length === 0) break;
  }
  // Anything never reached (stopped) is skipped.
  for (const id of order) {
    if (!done.has(id)) {
      done.add(id);
      o.skip(id, undefined);
    }
  }
}

function insertByRank(list: string[], id: string, rank: ReadonlyMap<string, number>): void {
  const r = rank.get(id)!;
  let i = list.length;
  while (i > 0 && rank.get(list[i - 1]!)! > r) i--;
  list.splice(i, 0, id);
}
