import { describe, expect, it } from 'vitest';
import { Dag } from '../../../src/graph/dag.js';
import { executeDag, type Outcome } from '../../../src/run/executor.js';

function dag(edges: Record<string, readonly string[]>): Dag {
  return Dag.build(Object.entries(edges).map(([id, deps]) => ({ id, deps })));
}

interface Trace {
  readonly started: string[];
  readonly finished: string[];
  readonly skipped: [string, string | undefined][];
  readonly slots: Map<string, number>;
  maxInFlight: number;
}

/**
 * Runs executeDag with nodes that take `delay(id)` ms (0 = next tick) and fail when `fails` has
 * them. Returns what happened, in order.
 */
async function run(
  d: Dag,
  o: {
    concurrency?: number;
    fails?: readonly string[];
    failFast?: boolean;
    ids?: readonly string[];
    delay?: (id: string) => number;
    stopAfter?: string;
  } = {},
): Promise<Trace> {
  const t: Trace = { started: [], finished: [], skipped: [], slots: new Map(), maxInFlight: 0 };
  let inFlight = 0;
  let stop = false;
  const busySlots = new Set<number>();
  await executeDag({
    dag: d,
    ids: new Set(o.ids ?? d.ids),
    concurrency: o.concurrency ?? 1,
    failFast: o.failFast ?? false,
    stopped: () => stop,
    run: async (id, slot): Promise<Outcome> => {
      expect(busySlots.has(slot), `slot ${slot} reused while busy`).toBe(false);
      busySlots.add(slot);
      t.started.push(id);
      t.slots.set(id, slot);
      inFlight++;
      t.maxInFlight = Math.max(t.maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, o.delay?.(id) ?? 0));
      inFlight--;
      busySlots.delete(slot);
      t.finished.push(id);
      if (id === o.stopAfter) stop = true;
      return o.fails?.includes(id) ? 'failed' : 'ok';
    },
    skip: (id, cause) => void t.skipped.push([id, cause]),
  });
  return t;
}

describe('executeDag', () => {
  const diamond = dag({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'], e: [] });

  it('runs in topological order, ties broken by id, the same every time', async () => {
    const first = await run(diamond);
    expect(first.started).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(first.started).toEqual(diamond.topoOrder());
    for (let i = 0; i < 5; i++) expect((await run(diamond)).started).toEqual(first.started);
    // With more threads the start order is still deterministic when nodes take equal time.
    const par = await run(diamond, { concurrency: 3 });
    expect(par.started).toEqual((await run(diamond, { concurrency: 3 })).started);
    expect(par.started.slice(0, 2).sort()).toEqual(['a', 'e']);
  });

  it('never starts a node before all its parents finished', async () => {
    const d = dag({ r1: [], r2: [], m1: ['r1'], m2: ['r1', 'r2'], m3: ['r2'], l1: ['m1', 'm2'], l2: ['m2', 'm3'], l3: ['l1', 'l2'] });
    const t = await run(d, { concurrency: 4, delay: (id) => (id.charCodeAt(1) % 3) * 3 });
    for (const id of d.ids) {
      for (const p of d.parents(id)) expect(t.finished.indexOf(p), `${p} before ${id}`).toBeLessThan(t.started.indexOf(id));
    }
    expect(t.started).toHaveLength(8);
  });

  it('keeps at most `concurrency` nodes in flight, and uses that many on a wide DAG', async () => {
    const wide = dag(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`n${String(i).padStart(2, '0')}`, []])));
    for (const c of [1, 2, 4, 8]) {
      const t = await run(wide, { concurrency: c, delay: () => 2 });
      expect(t.maxInFlight).toBe(c);
      expect(t.started).toHaveLength(12);
      expect(Math.max(...t.slots.values())).toBeLessThan(c);
    }
    // concurrency 0 or less still runs one at a time.
    expect((await run(wide, { concurrency: 0 })).maxInFlight).toBe(1);
  });

  it('skips everything downstream of a failure, once each, and runs the rest', async () => {
    const t = await run(diamond, { fails: ['b'], concurrency: 2 });
    expect(t.started.sort()).toEqual(['a', 'b', 'c', 'e']);
    expect(t.skipped).toEqual([['d', 'b']]);
  });

  it('a failed root skips a whole subtree (each node once, even reached by two paths)', async () => {
    const d = dag({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'], f: ['d'], x: [] });
    const t = await run(d, { fails: ['a'] });
    expect(t.started).toEqual(['a', 'x']);
    expect(t.skipped.map(([id]) => id).sort()).toEqual(['b', 'c', 'd', 'f']);
    expect(t.skipped.every(([, cause]) => cause === 'a')).toBe(true);
  });

  it('a node whose other parent is still running is skipped once, not started later', async () => {
    const d = dag({ slow: [], fast: [], child: ['slow', 'fast'] });
    const t = await run(d, { concurrency: 2, fails: ['fast'], delay: (id) => (id === 'slow' ? 15 : 0) });
    expect(t.started.sort()).toEqual(['fast', 'slow']);
    expect(t.skipped).toEqual([['child', 'fast']]);
  });

  it('--fail-fast: nothing new starts after a failure; running nodes finish', async () => {
    const d = dag({ a: [], b: [], c: [], d: [], e: ['a'] });
    const t = await run(d, { concurrency: 2, failFast: true, fails: ['a'], delay: (id) => (id === 'b' ? 10 : 1) });
    // a and b started together; a failed, b was still running and finished; c, d, e never started.
    expect(t.started).toEqual(['a', 'b']);
    expect(t.finished.sort()).toEqual(['a', 'b']);
    expect(t.skipped.map(([id]) => id).sort()).toEqual(['c', 'd', 'e']);
    expect(Object.fromEntries(t.skipped)).toEqual({ e: 'a', c: undefined, d: undefined });
  });

  it('stop: after the stop request nothing starts; every remaining node is skipped', async () => {
    const d = dag({ a: [], b: ['a'], c: ['b'], x: [], y: ['x'] });
    const t = await run(d, { stopAfter: 'a' });
    expect(t.started).toEqual(['a']);
    expect(t.skipped.map(([id]) => id).sort()).toEqual(['b', 'c', 'x', 'y']);
    expect(t.skipped.every(([, cause]) => cause === undefined)).toBe(true);
  });

  it('only runs `ids`; edges through other nodes count as satisfied', async () => {
    const d = dag({ a: [], b: ['a'], c: ['b'], z: [] });
    const t = await run(d, { ids: ['a', 'c'] });
    expect(t.started).toEqual(['a', 'c']);
    const t2 = await run(d, { ids: ['a', 'c'], fails: ['a'] });
    // c does not depend on a directly: the caller must pass the edges it wants kept.
    expect(t2.started).toEqual(['a', 'c']);
    expect(t2.skipped).toEqual([]);
  });

  it('an empty set of ids returns at once', async () => {
    const t = await run(diamond, { ids: [] });
    expect(t.started).toEqual([]);
    expect(t.skipped).toEqual([]);
  });
});

describe('executeDag: the ready gate (late staging files)', () => {
  it('holds a gated node without taking a slot while the rest runs, then starts it and its children', async () => {
    const d = dag({ late: [], after_late: ['late'], a: [], b: ['a'] });
    const started: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    await executeDag({
      dag: d,
      ids: new Set(d.ids),
      concurrency: 1,
      failFast: false,
      stopped: () => false,
      ready: (id) => (id === 'late' ? gate : undefined),
      skip: () => undefined,
      run: async (id) => {
        started.push(id);
        // The file "arrives" once everything that did not wait for it has run.
        if (id === 'b') open();
        return 'ok';
      },
    });
    expect(started).toEqual(['a', 'b', 'late', 'after_late']);
  });

  it('a gated node released after a failure under failFast is skipped, not run', async () => {
    const d = dag({ late: [], bad: [] });
    const started: string[] = [];
    const skipped: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    await executeDag({
      dag: d,
      ids: new Set(d.ids),
      concurrency: 2,
      failFast: true,
      stopped: () => false,
      ready: (id) => (id === 'late' ? gate : undefined),
      skip: (id) => skipped.push(id),
      run: async (id) => {
        started.push(id);
        open();
        return 'failed';
      },
    });
    expect(started).toEqual(['bad']);
    expect(skipped).toEqual(['late']);
  });
});
