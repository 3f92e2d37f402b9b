import { META_SCHEMA } from '../compile/test-sql.js';
import type { Connection } from '../engine/engine.js';
import { quoteClickHouseLiteral, quoteIdent } from '../util/sql.js';
import { nodeHistories, num, runRows, type NodeHistory, type RunRow } from './history-read.js';

const S = quoteIdent(META_SCHEMA);
/** Times are stored as ISO text on ClickHouse (history-clickhouse.ts). */
const iso = (v: unknown): string => new Date(String(v)).toISOString();

/** history-read.ts's queries in ClickHouse SQL (no window functions: LIMIT BY instead). */
export async function hasClickHouseHistory(c: Connection): Promise<boolean> {
  const rows = await c.query(`select count() as n from system.tables where database = ${quoteClickHouseLiteral(META_SCHEMA)} and name in ('invocations', 'node_results')`);
  if (num(rows[0]?.n) < 2) return false;
  return num((await c.query(`select count() as n from ${S}.invocations`))[0]?.n) > 0;
}

export async function readClickHouseRuns(c: Connection, last: number): Promise<RunRow[]> {
  const runs = await c.query(
    `select invocation_id, command, status, exit_code, started_at, elapsed_s from ${S}.invocations order by started_at desc, completed_at desc limit ${Math.floor(last)}`,
  );
  if (runs.length === 0) return [];
  const ids = runs.map((r) => quoteClickHouseLiteral(String(r.invocation_id))).join(', ');
  const counts = await c.query(`select invocation_id, status, count() as n from ${S}.node_results where invocation_id in (${ids}) group by invocation_id, status order by invocation_id, status`);
  const failed = await c.query(`select invocation_id, unique_id, name, status, message from ${S}.node_results where invocation_id in (${ids}) and status in ('error', 'fail') order by unique_id`);
  return runRows(runs, counts, failed, (r) => iso(r.started_at));
}

export async function readClickHouseNodeHistory(c: Connection, nodes: readonly { id: string; name: string; resourceType: string }[], last: number): Promise<NodeHistory[]> {
  if (nodes.length === 0) return [];
  const rows = await c.query(
    `select unique_id, invocation_id, status, coalesce(rows_affected, failures) as rows, elapsed_s, started_at
     from ${S}.node_results
     where unique_id in (${nodes.map((x) => quoteClickHouseLiteral(x.id)).join(', ')})
     order by unique_id, started_at desc
     limit ${Math.floor(last)} by unique_id`,
  );
  return nodeHistories(nodes, rows, (r) => iso(r.started_at));
}
