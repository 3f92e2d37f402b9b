import type { ParsedProject } from '../parse/parse-project.js';

/** Above this many expanded view bindings, creating or reading a view gets slow in DuckDB. */
export const VIEW_EXPANSION_LIMIT = 64;

export interface ViewChainWarning {
  readonly message: string;
  readonly hint: string;
  readonly file: string;
}

/**
 * DuckDB re-binds every ancestor view when a view is created or read, so the work grows with the
 * number of paths through ancestor views (exponential in depth when views join views). This counts
 * those bindings per view and warns, naming the heaviest chain.
 */
export function viewChainWarnings(p: ParsedProject, ids: ReadonlySet<string>): ViewChainWarning[] {
  const expansion = new Map<string, number>();
  const heaviest = new Map<string, string | undefined>();
  for (const id of p.dag.topoOrder()) {
    const n = p.nodes.get(id);
    if (n?.resourceType !== 'model' || (n.mat.kind !== 'view' && n.mat.kind !== 'ephemeral')) continue;
    let total = 1;
    let top: string | undefined;
    let topCount = 0;
    for (const parent of p.dag.parents(id)) {
      const e = expansion.get(parent);
      if (e === undefined) continue;
      // A parent read twice (a self-join) is bound twice: count the bindings per path, not per parent.
      const name = p.nodes.get(parent)!.name;
      const uses = Math.max(1, n.ir.refs.filter((r) => r.name === name).length);
      total += e * uses;
      if (e > topCount) {
        topCount = e;
        top = parent;
      }
    }
    expansion.set(id, total);
    heaviest.set(id, top);
  }
  const out: ViewChainWarning[] = [];
  for (const id of [...ids].sort()) {
    const e = expansion.get(id);
    const n = p.nodes.get(id);
    if (e === undefined || e <= VIEW_EXPANSION_LIMIT || n?.resourceType !== 'model' || n.mat.kind !== 'view') continue;
    const chain: string[] = [];
    for (let cur: string | undefined = id; cur; cur = heaviest.get(cur)) chain.push(p.nodes.get(cur)!.name);
    const middle = chain[Math.floor(chain.length / 2)]!;
    out.push({
      message: `view ${n.name} expands to ${e} view bindings through the chain ${chain.reverse().join(' -> ')}; DuckDB re-binds all of them each time the view is created or read`,
      hint: `materialize a link of the chain as a table, e.g. {{config materialized="table"}} in ${middle}`,
      file: n.path,
    });
  }
  return out;
}
