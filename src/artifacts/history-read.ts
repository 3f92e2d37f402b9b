import { META_SCHEMA } from '../compile/test-sql.js';
import type { Connection, Row } from '../engine/engine.js';
import { quoteIdent, quoteLiteral } from '../util/sql.js';

const S = quoteIdent(META_SCHEMA);

/** One invocation as `etlx history` shows it. */
export interface RunRow {
  readonly invocation_id: string;
  readonly command: string;
  readonly status: string;
  readonly exit_code: number;
  readonly started_at: string;
  readonly elapsed: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly failures: readonly { readonly unique_id: string; readonly name: string; readonly status: string; readonly message: string | null }[];
}

/** One node in one run. */
export interface NodeRunRow {
  readonly invocation_id: string;
  readonly started_at: string;
  readonly status: string;
  readonly rows: number | null;
  readonly elapsed: number;
}

export interface NodeHistory {
  readonly unique_id: string;
  readonly name: string;
  readonly resource_type: string;
  /** Newest first. */
  readonly runs: readonly NodeRunRow[];
  /** Rows over these runs, oldest to newest, as a text sparkline. */
  readonly trend: string;
}

/** A number from either engine's rows (DuckDB's BIGINT is a bigint, ClickHouse's 64-bit integers are text). */
export const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : Number(v ?? 0));
const iso = (ms: unknown): string => new Date(num(ms)).toISOString();

/** Whether the warehouse holds run history at all (etlx_meta is created by the first run). */
export async function hasHistory(c: Connection): Promise<boolean> {
  const rows = await c.query(`select count(*) as n from information_schema.tables where table_schema = ${quoteLiteral(META_SCHEMA)} and table_name in ('invocations', 'node_results')`);
  if (num(rows[0]?.n) < 2) return false;
  const runs = await c.query(`select count(*) as n from ${S}.invocations`);
  return num(runs[0]?.n) > 0;
}

/** The last `last` runs, newest first, with node counts by status and the nodes that failed. */
export async function readRuns(c: Connection, last: number): Promise<RunRow[]> {
  const runs = await c.query(
    `select invocation_id, command, status, exit_code, epoch_ms(started_at) as started_ms, elapsed_s
     from ${S}.invocations order by started_at desc, completed_at desc limit ${Math.floor(last)}`,
  );
  if (runs.length === 0) return [];
  const ids = runs.map((r) => quoteLiteral(String(r.invocation_id))).join(', ');
  const counts = await c.query(`select invocation_id, status, count(*) as n from ${S}.node_results where invocation_id in (${ids}) group by all order by all`);
  const failed = await c.query(
    `select invocation_id, unique_id, name, status, message from ${S}.node_results
     where invocation_id in (${ids}) and status in ('error', 'fail') order by unique_id`,
  );
  return runRows(runs, counts, failed, (r) => iso(r.started_ms));
}

/**
 * The runs as `etlx history` shows them, from each engine's query results: the invocations, node
 * counts by (invocation_id, status, n), and the failed nodes. `startedAt` reads the start time in
 * the engine's form.
 */
export function runRows(runs: readonly Row[], counts: readonly Row[], failed: readonly Row[], startedAt: (r: Row) => string): RunRow[] {
  return runs.map((r) => {
    const id = String(r.invocation_id);
    return {
      invocation_id: id,
      command: String(r.command),
      status: String(r.status),
      exit_code: num(r.exit_code),
      started_at: startedAt(r),
      elapsed: num(r.elapsed_s),
      counts: Object.fromEntries(counts.filter((x) => x.invocation_id === id).map((x) => [String(x.status), num(x.n)])),
      failures: failed
        .filter((x) => x.invocation_id === id)
        .map((x) => ({ unique_id: String(x.unique_id), name: String(x.name), status: String(x.status), message: x.message === null ? null : String(x.message) })),
    };
  });
}

/** Each node's last `last` runs (a test's rows are its failing rows). */
export async function readNodeHistory(c: Connection, nodes: readonly { id: string; name: string; resourceType: string }[], last: number): Promise<NodeHistory[]> {
  if (nodes.length === 0) return [];
  const rows = await c.query(
    `select n.unique_id, n.invocation_id, n.status, coalesce(n.rows_affected, n.failures) as rows, n.elapsed_s, epoch_ms(i.started_at) as started_ms
     from ${S}.node_results n join ${S}.invocations i using (invocation_id)
     where n.unique_id in (${nodes.map((x) => quoteLiteral(x.id)).join(', ')})
     qualify row_number() over (partition by n.unique_id order by i.started_at desc) <= ${Math.floor(last)}
     order by n.unique_id, i.started_at desc`,
  );
  return nodeHistories(nodes, rows, (r) => iso(r.started_ms));
}

/**
 * Each node's runs, newest first, from either engine's rows (unique_id, invocation_id, status,
 * rows, elapsed_s, newest first per node), with a trend of its rows. `startedAt` reads the start
 * time in the engine's form.
 */
export function nodeHistories(nodes: readonly { id: string; name: string; resourceType: string }[], rows: readonly Row[], startedAt: (r: Row) => string): NodeHistory[] {
  return nodes.map((node) => {
    const runs = rows
      .filter((r) => r.unique_id === node.id)
      .map((r) => ({
        invocation_id: String(r.invocation_id),
        started_at: startedAt(r),
        status: String(r.status),
        rows: r.rows === null || r.rows === undefined ? null : num(r.rows),
        elapsed: num(r.elapsed_s),
      }));
    return { unique_id: node.id, name: node.name, resource_type: node.resourceType, runs, trend: sparkline([...runs].reverse().map((r) => r.rows)) };
  });
}

const BARS = '▁▂▃▄▅▆▇█';

/** Values as bars scaled between their min and max; a missing value is a space, a flat series mid-height. */
export function sparkline(values: readonly (number | null)[]): string {
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return values.map(() => ' ').join('');
  const min = Math.min(...known);
  const max = Math.max(...known);
  return values
    .map((v) => {
      if (v === null) return ' ';
      if (max === min) return BARS[3]!;
      return BARS[Math.min(BARS.length - 1, Math.floor(((v - min) / (max - min)) * (BARS.length - 1) + 0.5))]!;
    })
    .join('');
}
