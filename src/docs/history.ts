/**
 * The run history the site charts, read from etlx_meta (written by every run; see
 * artifacts/history.ts). Only the last invocations are embedded, so the page stays small.
 */
import { META_SCHEMA } from '../compile/test-sql.js';
import type { Connection } from '../engine/engine.js';
import { quoteIdent } from '../util/sql.js';

export interface HistoryInvocation {
  readonly invocation_id: string;
  readonly command: string;
  readonly target: string;
  readonly started_at: string;
  readonly elapsed_s: number | null;
  readonly status: string;
  readonly exit_code: number | null;
  readonly nodes: number | null;
}

export interface HistoryNodeResult {
  readonly invocation_id: string;
  readonly unique_id: string;
  readonly name: string;
  readonly resource_type: string;
  readonly status: string;
  readonly started_at: string | null;
  readonly elapsed_s: number | null;
  readonly rows_affected: number | null;
  readonly failures: number | null;
  readonly message: string | null;
}

export interface History {
  readonly invocations: readonly HistoryInvocation[];
  readonly results: readonly HistoryNodeResult[];
}

export const HISTORY_LIMIT = 100;

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** The last invocations, oldest first, and their node results; empty when nothing ran yet. */
export async function readHistory(c: Connection, relations: ReadonlySet<string>, limit = HISTORY_LIMIT, engine: 'duckdb' | 'clickhouse' = 'duckdb'): Promise<History> {
  const m = META_SCHEMA.toLowerCase();
  if (!relations.has(`${m}.invocations`) || !relations.has(`${m}.node_results`)) return { invocations: [], results: [] };
  const S = quoteIdent(META_SCHEMA);
  // ClickHouse keeps the times as ISO text already (artifacts/history-clickhouse.ts).
  const inv = engine === 'clickhouse'
    ? await c.query(`select invocation_id, command, target, started_at, elapsed_s, status, exit_code, nodes from ${S}.invocations order by started_at desc, invocation_id limit ${limit}`)
    : await c.query(`
    select invocation_id, command, target, strftime(started_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') as started_at,
           elapsed_s, status, exit_code, nodes
    from ${S}.invocations order by started_at desc, invocation_id limit ${limit}`);
  const ids = new Set(inv.map((r) => String(r.invocation_id)));
  const res = ids.size === 0 ? [] : engine === 'clickhouse' ? await c.query(`
    select invocation_id, unique_id, name, resource_type, status, started_at, elapsed_s, toFloat64(rows_affected) as rows_affected, toFloat64(failures) as failures, message
    from ${S}.node_results
    where invocation_id in (select invocation_id from ${S}.invocations order by started_at desc, invocation_id limit ${limit})
    order by started_at, unique_id`) : await c.query(`
    select r.invocation_id, unique_id, name, resource_type, r.status,
           strftime(r.started_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') as started_at,
           r.elapsed_s, rows_affected::double as rows_affected, failures::double as failures, message
    from ${S}.node_results r
    where r.invocation_id in (select invocation_id from ${S}.invocations order by started_at desc, invocation_id limit ${limit})
    order by r.started_at, unique_id`);
  return {
    invocations: inv.reverse().map((r) => ({
      invocation_id: String(r.invocation_id),
      command: String(r.command),
      target: String(r.target),
      started_at: String(r.started_at),
      elapsed_s: num(r.elapsed_s),
      status: String(r.status),
      exit_code: num(r.exit_code),
      nodes: num(r.nodes),
    })),
    results: res.map((r) => ({
      invocation_id: String(r.invocation_id),
      unique_id: String(r.unique_id),
      name: String(r.name),
      resource_type: String(r.resource_type),
      status: String(r.status),
      started_at: str(r.started_at),
      elapsed_s: num(r.elapsed_s),
      rows_affected: num(r.rows_affected),
      failures: num(r.failures),
      message: str(r.message),
    })),
  };
}
