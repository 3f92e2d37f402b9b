import type { Diagnostic } from '../errors/diagnostic.js';
import type { Node } from '../parse/nodes.js';
import { ephemeralCteName } from './relations.js';

/**
 * Ephemerals used directly and through other ephemerals, dependencies first. Each known
 * ephemeral's list is already complete and in dependency order (models are compiled in
 * topological order), so merging those lists is enough: the cost is the size of the result.
 * (Walking them recursively with `includes` was polynomial in the chain's depth: an ephemeral
 * chain 800 deep took over 40 s to compile.)
 */
export function collectEphemerals(direct: readonly string[], known: ReadonlyMap<string, { sql: string; ephemerals: string[] }>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    out.push(name);
  };
  for (const name of direct) {
    if (seen.has(name)) continue;
    for (const dep of known.get(name)?.ephemerals ?? []) add(dep);
    add(name);
  }
  if (out.length > EPHEMERAL_LIMIT) throw new EphemeralLimitError(out);
  return out;
}

/**
 * Most ephemeral models one node may inline. Every model's SQL holds all the ephemerals it
 * reaches, so a chain's compiled SQL grows with the square of its depth (1,600 deep: 90 MB of
 * manifest), and DuckDB refuses CTEs nested near 1,000 deep (`max_expression_depth`) anyway.
 */
export const EPHEMERAL_LIMIT = 500;

/** A node that would inline more than EPHEMERAL_LIMIT ephemerals; reported with the node's file. */
export class EphemeralLimitError extends Error {
  constructor(readonly chain: readonly string[]) {
    super(`inlines ${chain.length} ephemeral models, more than the limit of ${EPHEMERAL_LIMIT}`);
  }

  diagnostic(node: Node): Diagnostic {
    const last = this.chain[this.chain.length - 1]!;
    const middle = this.chain[Math.floor(this.chain.length / 2)]!;
    return {
      code: 'E_EPHEMERAL_LIMIT',
      message: `${node.resourceType} ${node.name} ${this.message} (through ${this.chain[0]} ... ${last}); each is inlined as a CTE into its consumers`,
      file: node.path,
      hint: `materialize a link of the chain as a table, e.g. {{config materialized="table"}} in ${middle}`,
    };
  }
}

/**
 * Inlines ephemerals as CTEs. The model's own SQL goes in a subquery so a model that starts with
 * its own WITH stays valid without etlx having to edit the user's SQL.
 */
export function withCtes(sql: string, ephemerals: readonly string[], known: ReadonlyMap<string, { sql: string }>, inline = false): string {
  if (ephemerals.length === 0) return sql;
  if (inline) return inlined(sql, ephemerals, known);
  const ctes = ephemerals.map((name) => `${ephemeralCteName(name)} as (\n${known.get(name)?.sql ?? ''}\n)`);
  return `with ${ctes.join(',\n')}\nselect * from (\n${sql}\n)`;
}

/**
 * Ephemerals as subqueries in place of their CTE names (engines without subquery CTEs). The list
 * is in dependency order, so going from its end, each inlined body's own references are
 * replaced by later steps. The CTE name is etlx's own quoted identifier, so no user text matches.
 */
function inlined(sql: string, ephemerals: readonly string[], known: ReadonlyMap<string, { sql: string }>): string {
  let out = sql;
  for (const name of [...ephemerals].reverse()) out = out.split(ephemeralCteName(name)).join(`(\n${known.get(name)?.sql ?? ''}\n)`);
  return out;
}
