import { META_SCHEMA } from '../compile/test-sql.js';
import type { Secrets } from '../util/redact.js';
import { quoteIdent, quoteLiteral as quoteRaw, sqlValue } from '../util/sql.js';
import type { NodeResult, RunSummary } from './run-results.js';

const S = quoteIdent(META_SCHEMA);

/** Run history tables: append-only, created before any parallel work. */
export const HISTORY_DDL: readonly string[] = [
  `create schema if not exists ${S}`,
  `create table if not exists ${S}.invocations (
    invocation_id varchar, command varchar, target varchar, started_at timestamptz, completed_at timestamptz,
    elapsed_s double, status varchar, exit_code integer, nodes integer, etlx_version varchar, args json)`,
  `create table if not exists ${S}.node_results (
    invocation_id varchar, unique_id varchar, resource_type varchar, name varchar, relation varchar, status varchar,
    started_at timestamptz, completed_at timestamptz, elapsed_s double, rows_affected bigint, failures bigint, message varchar, attempts integer)`,
  // Warehouses whose history predates a column get it added (at the end, so positional inserts line up).
  `alter table ${S}.node_results add column if not exists attempts integer`,
  `create table if not exists ${S}.notifications (
    invocation_id varchar, notification varchar, target varchar, status varchar, attempts integer, error varchar, sent_at timestamptz)`,
  // false: the result was rolled back with its --atomic run, so what it measured never committed
  // (row_count_change must not take it as its baseline). NULL in rows written before the column.
  `alter table ${S}.node_results add column if not exists committed boolean`,
  // The columns of empty JSON file outputs (materialize/file.ts), which DuckDB cannot read back.
  `create table if not exists ${S}.json_output_columns (location varchar, pos integer, name varchar, type varchar)`,
];

/** One row per notification sent (or not) at the end of an invocation. */
export function notificationInserts(
  invocationId: string,
  sentAt: string,
  deliveries: readonly { notification: string; target: string; status: string; attempts: number; error: string | null }[],
  secrets: Secrets,
): string[] {
  if (deliveries.length === 0) return [];
  const quoteLiteral = (value: string) => quoteRaw(secrets.redact(value));
  const rows = deliveries.map(
    (d) =>
      `(${[quoteLiteral(invocationId), quoteLiteral(d.notification), quoteLiteral(d.target), quoteLiteral(d.status), String(d.attempts), d.error === null ? 'NULL' : quoteLiteral(d.error), ts(sentAt)].join(', ')})`,
  );
  return [`insert into ${S}.notifications values\n${rows.join(',\n')}`];
}

const ts = (iso: string | undefined) => (iso ? `${quoteRaw(iso)}::timestamptz` : 'NULL');

/**
 * One INSERT per table for the whole invocation (a row-per-node INSERT costs about 2 ms each).
 * Every text value is redacted before it is quoted (a relation in a schema read with {{env}}
 * is stored as `"****"."orders"`); redacting the finished SQL could break its quoting.
 */
export function historyInserts(run: RunSummary, results: readonly NodeResult[], secrets: Secrets, rolledBack = false): string[] {
  const quoteLiteral = (value: string) => quoteRaw(secrets.redact(value));
  const statements = [
    `insert into ${S}.invocations values (${[
      quoteLiteral(run.invocationId),
      quoteLiteral(run.command),
      quoteLiteral(run.target),
      ts(run.startedAt),
      ts(run.completedAt),
      sqlValue(run.elapsed),
      quoteLiteral(run.status),
      String(run.exitCode),
      String(results.length),
      quoteLiteral(run.etlxVersion),
      `${quoteRaw(secrets.redactJson(JSON.stringify(run.args)))}::json`,
    ].join(', ')})`,
  ];
  if (results.length > 0) {
    const rows = results.map(
      (r) =>
        `(${[
          quoteLiteral(run.invocationId),
          quoteLiteral(r.unique_id),
          quoteLiteral(r.resource_type),
          quoteLiteral(r.name),
          r.relation_name === undefined ? 'NULL' : quoteLiteral(r.relation_name),
          quoteLiteral(r.status),
          ts(r.timing.started_at),
          ts(r.timing.completed_at),
          sqlValue(r.timing.elapsed),
          r.rows_affected === undefined || r.rows_affected === null ? 'NULL' : String(r.rows_affected),
          r.failures === undefined || r.failures === null ? 'NULL' : String(r.failures),
          r.message === undefined || r.message === null ? 'NULL' : quoteLiteral(r.message),
          r.attempts === undefined ? 'NULL' : String(r.attempts),
          rolledBack ? 'false' : 'true',
        ].join(', ')})`,
    );
    statements.push(`insert into ${S}.node_results values\n${rows.join(',\n')}`);
  }
  return statements;
}
