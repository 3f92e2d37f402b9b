import { ephemeralCteName, fileDatasetGlob, modelTarget, seedTarget } from '../compile/relations.js';
import type { ParsedProject } from '../parse/parse-project.js';
import type { RelationResolver, ResolvedRelation } from './lineage.js';

/**
 * Maps what compiled SQL reads back to project nodes: `"schema"."name"` to models, seeds and
 * table sources; a reader's path to file models and file sources; etlx's ephemeral CTE names to
 * ephemeral models. `columnsOf` gives a node's columns when known (catalog or earlier analysis).
 */
export function relationResolver(p: ParsedProject, targetSchema: string, columnsOf: (id: string) => readonly string[] | undefined): RelationResolver {
  const tables = new Map<string, string>();
  const files = new Map<string, string>();
  const ctes = new Map<string, string>();
  for (const n of p.nodes.values()) {
    if (n.resourceType === 'model') {
      if (n.mat.kind === 'ephemeral') ctes.set(ephemeralCteName(n.name).slice(1, -1).toLowerCase(), n.id);
      else if (n.mat.kind === 'file') files.set(fileDatasetGlob(n.mat), n.id);
      else {
        const t = modelTarget(n, targetSchema);
        tables.set(`${t.schema}.${t.identifier}`.toLowerCase(), n.id);
      }
    } else if (n.resourceType === 'seed') {
      const t = seedTarget(n, targetSchema);
      tables.set(`${t.schema}.${t.identifier}`.toLowerCase(), n.id);
    } else if (n.resourceType === 'source') {
      if (n.kind === 'table') tables.set(`${n.schema ?? n.sourceName}.${n.identifier}`.toLowerCase(), n.id);
      else if (n.absLocation) files.set(n.absLocation, n.id);
    }
  }
  const resolved = (id: string | undefined): ResolvedRelation | undefined => {
    if (id === undefined) return undefined;
    const columns = columnsOf(id);
    return columns ? { node: id, columns } : { node: id };
  };
  return {
    // An unqualified name is read from DuckDB's default schema, as the warehouse would.
    table: (schema, name) => resolved(tables.get(`${schema ?? 'main'}.${name}`.toLowerCase())),
    tableFunction: (_fn, arg) => resolved(arg === undefined ? undefined : files.get(arg)),
    cte: (name) => resolved(ctes.get(name.toLowerCase())),
  };
}
