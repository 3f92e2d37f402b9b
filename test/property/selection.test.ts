import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dag } from '../../src/graph/dag.js';
import { selectNodes, type SelectableNode } from '../../src/graph/selector.js';

/** A random DAG of n models: each may depend on earlier ones; each has 0-2 tags from a small set. */
const dagArb = fc.integer({ min: 2, max: 14 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    parents: fc.array(fc.uniqueArray(fc.nat(n - 1), { maxLength: 3 }), { minLength: n, maxLength: n }),
    tags: fc.array(fc.subarray(['a', 'b', 'c'], { maxLength: 2 }), { minLength: n, maxLength: n }),
  }),
);

type Atom = { kind: 'name' | 'tag'; value: string; up?: number | 'all'; down?: number | 'all' };

function build(g: { n: number; parents: number[][]; tags: string[][] }) {
  const names = Array.from({ length: g.n }, (_, i) => `m${i}`);
  const deps = names.map((_, i) => g.parents[i]!.filter((p) => p < i).map((p) => `model.p.${names[p]}`));
  const nodes = new Map<string, SelectableNode>();
  names.forEach((name, i) =>
    nodes.set(`model.p.${name}`, { id: `model.p.${name}`, name, resourceType: 'model', path: `models/${name}.sql`, tags: g.tags[i]!, config: {}, packageName: 'p' }),
  );
  const dag = Dag.build(names.map((name, i) => ({ id: `model.p.${name}`, deps: deps[i]! })));
  return { names, deps, nodes, dag };
}

/** The reference: breadth-first walks over plain arrays. */
function reference(atomsUnion: Atom[][], g: ReturnType<typeof build>): Set<string> {
  const parentsOf = (id: string) => g.deps[g.names.indexOf(id.slice('model.p.'.length))]!;
  const childrenOf = (id: string) => [...g.nodes.keys()].filter((c) => parentsOf(c).includes(id));
  const walk = (start: string, step: (id: string) => string[], depth: number | 'all') => {
    const out = new Set<string>();
    let frontier = [start];
    for (let d = 0; frontier.length > 0 && (depth === 'all' || d < depth); d++) {
      const next: string[] = [];
      for (const id of frontier) for (const x of step(id)) if (!out.has(x)) (out.add(x), next.push(x));
      frontier = next;
    }
    return out;
  };
  const evalAtom = (a: Atom) => {
    const base = [...g.nodes.values()].filter((n) => (a.kind === 'name' ? n.name === a.value : n.tags.includes(a.value))).map((n) => n.id);
    const out = new Set(base);
    for (const id of base) {
      if (a.up !== undefined) for (const x of walk(id, parentsOf, a.up)) out.add(x);
      if (a.down !== undefined) for (const x of walk(id, childrenOf, a.down)) out.add(x);
    }
    return out;
  };
  const result = new Set<string>();
  for (const term of atomsUnion) {
    let acc: Set<string> | undefined;
    for (const a of term) {
      const s = evalAtom(a);
      acc = acc ? new Set([...acc].filter((x) => s.has(x))) : s;
    }
    for (const x of acc ?? []) result.add(x);
  }
  return result;
}

function render(a: Atom): string {
  const up = a.up === undefined ? '' : a.up === 'all' ? '+' : `${a.up}+`;
  const down = a.down === undefined ? '' : a.down === 'all' ? '+' : `+${a.down}`;
  return `${up}${a.kind === 'tag' ? 'tag:' : ''}${a.value}${down}`;
}

describe('selection agrees with a simple reference implementation', () => {
  it('for random DAGs and random selector expressions', () => {
    fc.assert(
      fc.property(
        dagArb.chain((g) => {
          const atom = fc.record({
            kind: fc.constantFrom<'name' | 'tag'>('name', 'tag'),
            nameIdx: fc.nat(g.n - 1),
            tag: fc.constantFrom('a', 'b', 'c'),
            up: fc.option(fc.oneof(fc.constant<'all'>('all'), fc.integer({ min: 1, max: 3 })), { nil: undefined }),
            down: fc.option(fc.oneof(fc.constant<'all'>('all'), fc.integer({ min: 1, max: 3 })), { nil: undefined }),
          });
          return fc.record({ g: fc.constant(g), terms: fc.array(fc.array(atom, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 }) });
        }),
        ({ g, terms }) => {
          const built = build(g);
          const atoms: Atom[][] = terms.map((t) =>
            t.map((x) => ({ kind: x.kind, value: x.kind === 'name' ? `m${x.nameIdx}` : x.tag, ...(x.up !== undefined ? { up: x.up } : {}), ...(x.down !== undefined ? { down: x.down } : {}) })),
          );
          const args = atoms.map((t) => t.map(render).join(','));
          const got = selectNodes({ select: args, exclude: [] }, { nodes: built.nodes, dag: built.dag });
          expect(new Set(got)).toEqual(reference(atoms, built));
        },
      ),
      { numRuns: 300 },
    );
  });
});
