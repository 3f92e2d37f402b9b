import { META_SCHEMA } from '../compile/test-sql.js';
import type { Secrets } from '../util/redact.js';
import { quoteClickHouseLiteral, quoteIdent } from '../util/sql.js';
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

/** history.ts's notificationInserts in ClickHouse SQL. */
export function clickhouseNotificationInserts(
  invocationId: string,
  sentAt: string,
  deliveries: readonly { notification: string; target: string; status: string; attempts: number; error: string | null }[],
  secrets: Secrets,
): string[] {
  if (deliveries.length === 0) return [];
  const q = (value: string) => quoteClickHouseLiteral(secrets.redact(value));
  const rows = deliveries.map((d) => `(${[q(invocationId), q(d.notification), q(d.target), q(d.status), String(d.attempts), d.error === null ? 'NULL' : q(d.error), q(sentAt)].join(', ')})`);
  return [`insert into ${S}.notifications values\n${rows.join(',\n')}`];
}

/** One INSERT per table for the invocation; every text value redacted before it is quoted. */
export function clickhouseHistoryInserts(run: RunSummary, results: readonly NodeResult[], secrets: Secrets): string[] {
  const q = (value: string) => quoteClickHouseLiteral(secrets.redact(value));
  const opt = (v: string | undefined | null) => (v === undefined || v === null ? 'NULL' : q(v));
  const num = (v: number | undefined | null) => (v === undefined || v === null ? 'NULL' : String(v));
  const out = [
    `insert into ${S}.invocations values (${[
      q(run.invocationId),
      q(run.command),
      q(run.target),
      q(run.startedAt),
      q(run.completedAt),
      String(run.elapsed),
      q(run.status),
      String(run.exitCode),
      String(results.length),
      q(run.etlxVersion),
      quoteClickHouseLiteral(secrets.redactJson(JSON.stringify(run.args))),
    ].join(', ')})`,
  ];
  if (results.length > 0) {
    const rows = results.map(
      (r) =>
        `(${[
          q(run.invocationId),
          q(r.unique_id),
          q(r.resource_type),
          q(r.name),
          opt(r.relation_name),
          q(r.status),
          opt(r.timing.started_at),
          opt(r.timing.completed_at),
          String(r.timing.elapsed),
          num(r.rows_affected),
          num(r.failures),
          opt(r.message),
          num(r.attempts),
          '1',
        ].join(', ')})`,
    );
    out.push(`insert into ${S}.node_results values\n${rows.join(',\n')}`);
  }
  return out;
}
