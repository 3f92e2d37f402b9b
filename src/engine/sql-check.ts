import duckdb from '@duckdb/node-bindings';
import { quoteLiteral } from '../compile/sql.js';
import type { SqlProblem } from './engine.js';

/**
 * Checks SELECT statements with DuckDB's parser (json_serialize_sql) in a private in-memory
 * database: no warehouse is opened. It talks to @duckdb/node-bindings directly: `etlx compile`
 * needs only this one query, and the bindings load in about 20 ms against about 140 ms for the
 * full @duckdb/node-api wrapper. The problems come back through DuckDB's `error()` so no result
 * reading is needed: no problems, no error.
 */
export async function checkSqlSyntax(sqls: readonly string[]): Promise<SqlProblem[]> {
  if (sqls.length === 0) return [];
  const db = await duckdb.open(':memory:');
  const conn = await duckdb.connect(db);
  const list = `[${sqls.map(quoteLiteral).join(',\n')}]`;
  const query = `
    with parsed as (
      select i, json_serialize_sql(s)::json as j from unnest(${list}) with ordinality as t(s, i)
    ), problems as (
      select i, (j->>'error_message') as message, (j->>'position')::integer as position,
             json_array_length(j->'statements') as statements
      from parsed
      where ((j->>'error')::boolean and ((j->>'error_subtype') = 'SYNTAX_ERROR' or (j->>'error_message') ilike '%syntax error%'))
         or (not (j->>'error')::boolean and json_array_length(j->'statements') <> 1)
    )
    select case when count(*) > 0 then error('ETLX_PROBLEMS' || to_json(list({'i': i, 'message': message, 'position': position, 'statements': statements} order by i))::varchar) end
    from problems`;
  try {
    await duckdb.query(conn, query);
    return [];
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const at = msg.indexOf('ETLX_PROBLEMS');
    if (at < 0) throw e;
    const rows = JSON.parse(msg.slice(at + 'ETLX_PROBLEMS'.length)) as { i: number; message: string | null; position: number | null; statements: number | null }[];
    return rows.map((r) => ({
      index: Number(r.i) - 1,
      message: r.message ?? `expected one SELECT statement, found ${Number(r.statements)}`,
      ...(r.position !== null && r.position !== undefined ? { position: Number(r.position) } : {}),
    }));
  } finally {
    duckdb.disconnect_sync(conn);
    duckdb.close_sync(db);
  }
}
