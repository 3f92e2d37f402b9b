import type { SourceNode } from '../parse/nodes.js';
import type { ParsedProject } from '../parse/parse-project.js';
import { Dag } from '../graph/dag.js';

export type RunCommand = 'run' | 'build' | 'seed' | 'test' | 'snapshot';

/** The resource types each command runs. */
const KINDS: Record<RunCommand, readonly string[]> = {
  run: ['model'],
  seed: ['seed'],
  test: ['test', 'unit_test'],
  build: ['seed', 'model', 'test', 'snapshot', 'unit_test'],
  snapshot: ['snapshot'],
};

/** What a run will do, decided before the warehouse is opened. */
export interface Plan {
  readonly command: RunCommand;
  /** Nodes to run (ephemeral models are inlined, never run). */
  readonly ids: ReadonlySet<string>;
  /** Sources whose freshness this run checks (test and build). */
  readonly freshness: readonly SourceNode[];
  /** Run order: parents, with build's extra edges from tests to their models' children. */
  readonly dag: Dag;
}

/** Turns a selection into the run's plan. Pure. */
export function planRun(p: ParsedProject, command: RunCommand, selected: ReadonlySet<string>): Plan {
  const ids = new Set(
    [...selected].filter((id) => {
      const n = p.nodes.get(id)!;
      if (!KINDS[command].includes(n.resourceType)) return false;
      return !(n.resourceType === 'model' && n.mat.kind === 'ephemeral');
    }),
  );
  const freshness =
    command === 'test' || command === 'build'
      ? [...selected].map((id) => p.nodes.get(id)!).filter((n): n is SourceNode => n.resourceType === 'source' && n.freshness !== undefined)
      : [];
  return { command, ids, freshness, dag: executionDag(p, ids, command) };
}

/**
 * For build, a model's children also wait for the model's tests, so an error-severity test
 * failure skips everything downstream of the model (dbt build's behaviour). As in dbt, a test
 * that reads several nodes (relationships, row_count_matches) only blocks the children that
 * depend on all of them: any other edge could close a cycle (a child of the `to` model that the
 * tested model itself is built from).
 */
function executionDag(p: ParsedProject, ids: ReadonlySet<string>, command: RunCommand): Dag {
  // A unit test reads no warehouse data, only the column types of its model's inputs: it runs
  // after them, and in build its model waits for it (a failing unit test skips the model).
  const inputs = [...ids].map((id) => {
    const u = p.unitTests.get(id);
    return { id, deps: u ? runParents(p, u.model) : runParents(p, id) };
  });
  if (command !== 'build') return Dag.build(inputs);
  const byId = new Map(inputs.map((i) => [i.id, i]));
  for (const u of p.unitTests.values()) if (ids.has(u.id) && ids.has(u.model)) byId.get(u.model)!.deps.push(u.id);
  const ancestors = new Map<string, Set<string>>();
  const ancestorsOf = (id: string) => {
    let a = ancestors.get(id);
    if (!a) ancestors.set(id, (a = p.dag.ancestors(id)));
    return a;
  };
  for (const t of p.tests.values()) {
    if (!ids.has(t.id)) continue;
    const parents = runParents(p, t.id);
    for (const parent of parents) {
      for (const child of throughEphemerals(p, parent, (x) => p.dag.children(x))) {
        const n = p.nodes.get(child);
        if (!n || n.resourceType === 'test' || n.resourceType === 'unit_test' || !ids.has(child)) continue;
        if (parents.some((q) => q !== parent && !ancestorsOf(child).has(q))) continue;
        byId.get(child)!.deps.push(t.id);
      }
    }
  }
  return Dag.build([...byId.values()]);
}

function isEphemeral(p: ParsedProject, id: string): boolean {
  const n = p.nodes.get(id);
  return n?.resourceType === 'model' && n.mat.kind === 'ephemeral';
}

/**
 * The nodes `next` reaches from `id`, looking through ephemeral models: they are never run, but
 * inlined into their consumers, so an ephemeral model's parents are its consumers' parents (and
 * its children are its parents' children).
 */
function throughEphemerals(p: ParsedProject, id: string, next: (id: string) => readonly string[]): string[] {
  const out = new Set<string>();
  const seen = new Set<string>();
  const stack = [...next(id)];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    if (isEphemeral(p, x)) stack.push(...next(x));
    else out.add(x);
  }
  return [...out].sort();
}

/** What a node waits for at run time: its parents, with ephemeral models replaced by their parents. */
export function runParents(p: ParsedProject, id: string): string[] {
  return throughEphemerals(p, id, (x) => p.dag.parents(x));
}
