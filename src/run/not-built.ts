import { modelTarget, seedTarget } from '../compile/relations.js';
import type { ExistingRelation } from '../materialize/types.js';
import { runParents } from '../plan/execution.js';
import type { Session } from '../session.js';
import { relationKey } from './warehouse.js';

/**
 * A node that reads a model or seed that was never built (not in the warehouse when the run
 * started, and not part of this run): `etlx test` before any `etlx run`. Found up front from the
 * warehouse's state, so the message names the missing relation and the command that builds it
 * instead of the engine's catalog error. Undefined when every parent is there or is being built.
 */
export function unbuiltParentMessage(s: Session, id: string, relations: ReadonlyMap<string, ExistingRelation>, planned: ReadonlySet<string>): { message: string; hint: string } | undefined {
  for (const p of runParents(s.project, id)) {
    // Built in this run, or read from the --state warehouse (--defer): not this warehouse's concern.
    if (planned.has(p) || s.ctx.deferred?.has(p)) continue;
    const n = s.project.nodes.get(p);
    let t: { schema: string; identifier: string } | undefined;
    if (n?.resourceType === 'seed') t = seedTarget(n, s.target.schema);
    else if (n?.resourceType === 'model' && n.mat.kind !== 'ephemeral' && n.mat.kind !== 'file') t = modelTarget(n, s.target.schema);
    if (!n || !t || relations.has(relationKey(t.schema, t.identifier)) || lowerKeys(relations).has(relationKey(t.schema, t.identifier).toLowerCase())) continue;
    const command = n.resourceType === 'seed' ? 'etlx seed' : 'etlx run';
    return {
      message: `${n.resourceType} ${n.name} has not been built in this warehouse yet: ${t.schema}.${t.identifier} does not exist (target ${s.target.name})`,
      hint: `build it first: ${command} --select ${n.name} (or etlx build --select +${n.name} to build it with what it reads and run its tests)`,
    };
  }
  return undefined;
}

/** DuckDB identifiers compare case-insensitively: a relation stored as `Orders` is `orders`. */
const lowered = new WeakMap<ReadonlyMap<string, ExistingRelation>, Set<string>>();
function lowerKeys(relations: ReadonlyMap<string, ExistingRelation>): Set<string> {
  let set = lowered.get(relations);
  if (!set) {
    set = new Set([...relations.keys()].map((k) => k.toLowerCase()));
    lowered.set(relations, set);
  }
  return set;
}
