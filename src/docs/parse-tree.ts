import type { Connection } from '../engine/engine.js';
import { quoteLiteral } from '../util/sql.js';

/** DuckDB's parse tree, as `json_serialize_sql` returns it. */
export type Json = unknown;

/** The items of a list-or-single field of the tree, as objects. */
export function childrenOf(v: Json): Record<string, Json>[] {
  if (Array.isArray(v)) return v.filter((x): x is Record<string, Json> => typeof x === 'object' && x !== null);
  return typeof v === 'object' && v !== null ? [v as Record<string, Json>] : [];
}

/** One query that parses many SELECTs at once (one call per statement costs about 6x more). */
export function parseTreesSql(sqls: readonly string[]): string {
  return `select i, json_serialize_sql(s) as tree from unnest([${sqls.map(quoteLiteral).join(',\n')}]) with ordinality as t(s, i) order by i`;
}

/** Parse trees of the SELECTs, in order, through the engine's own parser (no data read). */
export async function parseTrees(c: Connection, sqls: readonly string[]): Promise<Json[]> {
  if (sqls.length === 0) return [];
  const rows = await c.query(parseTreesSql(sqls));
  return rows.map((r) => JSON.parse(String(r.tree)) as Json);
}
