import { META_SCHEMA } from '../compile/test-sql.js';
import type { Secrets } from '../util/redact.js';
import { quoteClickHouseLiteral, quoteIdent } from '../util/sql.js';
import { historyInsertsWith, notificationInsertsWith, type Delivery, type HistoryLiterals } from './history.js';
import type { NodeResult, RunSummary } from './run-results.js';

const S = quoteIdent(META_SCHEMA);
const TABLE = 'engine = MergeTree order by tuple()';

/**
 * Run history on a ClickHouse target: the same tables and columns as on DuckDB (history-read
 * reads both), with ClickHouse types. Times are ISO text: 18.16 has no sub-second DateTime.
 */
export const CLICKHOUSE_HISTORY_DDL: readonly string[] = [
  `create database if not exists ${S}`,
  `create table if not exists ${S}.invocations (
    invocation_id String, command String, target String, started_at String, completed_at String,
    elapsed_s Float64, status String, exit_code Int32, nodes Int32, etlx_version String, args String) ${TABLE}`,
  `create table if not exists ${S}.node_results (
    invocation_id String, unique_id String, resource_type String, name String, relation Nullable(String), status String,
    started_at Nullable(String), completed_at Nullable(String), elapsed_s Float64, rows_affected Nullable(Int64), failures Nullable(Int64),
    message Nullable(String), attempts Nullable(Int32), committed Nullable(UInt8)) ${TABLE}`,
  `create table if not exists ${S}.notifications (
    invocation_id String, notification String, target String, status String, attempts Int32, error Nullable(String), sent_at String) ${TABLE}`,
];

/** ClickHouse's history literals: times and JSON as text (18.16 has no sub-second DateTime), 1/0. */
const CLICKHOUSE_LITERALS: HistoryLiterals = {
  text: quoteClickHouseLiteral,
  time: quoteClickHouseLiteral,
  json: quoteClickHouseLiteral,
  bool: (b) => (b ? '1' : '0'),
};

/** history.ts's notificationInserts in ClickHouse SQL. */
export function clickhouseNotificationInserts(invocationId: string, sentAt: string, deliveries: readonly Delivery[], secrets: Secrets): string[] {
  return notificationInsertsWith(CLICKHOUSE_LITERALS, invocationId, sentAt, deliveries, secrets);
}

/** history.ts's historyInserts in ClickHouse SQL (no --atomic here, so nothing is rolled back). */
export function clickhouseHistoryInserts(run: RunSummary, results: readonly NodeResult[], secrets: Secrets): string[] {
  return historyInsertsWith(CLICKHOUSE_LITERALS, run, results, secrets);
}
