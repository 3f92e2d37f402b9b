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

/** How an engine writes history values as SQL literals (text values arrive redacted). */
export interface HistoryLiterals {
  text(value: string): string;
  /** An ISO date-time. */
  time(iso: string): string;
  /** JSON text (redacted as JSON). */
  json(text: string): string;
  bool(value: boolean): string;
}

/** DuckDB's history literals: timestamptz and json casts, true/false. */
const DUCKDB_LITERALS: HistoryLiterals = {
  text: quoteRaw,
  time: (iso) => `${quoteRaw(iso)}::timestamptz`,
  json: (text) => `${quoteRaw(text)}::json`,
  bool: (b) => (b ? 'true' : 'false'),
};

export type Delivery = { notification: string; target: string; status: string; attempts: number; error: string | null };

/** One row per notification sent (or not) at the end of an invocation. */
export function notificationInserts(invocationId: string, sentAt: string, deliveries: readonly Delivery[], secrets: Secrets): string[] {
  return notificationInsertsWith(DUCKDB_LITERALS, invocationId, sentAt, deliveries, secrets);
}

export function notificationInsertsWith(lit: HistoryLiterals, invocationId: string, sentAt: string, deliveries: readonly Delivery[], secrets: Secrets): string[] {
  if (deliveries.length === 0) return [];
  const text = (value: string) => lit.text(secrets.redact(value));
  const rows = deliveries.map(
    (d) => `(${[text(invocationId), text(d.notification), text(d.target), text(d.status), String(d.attempts), d.error === null ? 'NULL' : text(d.error), lit.time(sentAt)].join(', ')})`,
  );
  return [`insert into ${S}.notifications values\n${rows.join(',\n')}`];
}

/**
 * One INSERT per table for the whole invocation (a row-per-node INSERT costs about 2 ms each).
 * Every text value is redacted before it is quoted (a relation in a schema read with {{env}}
 * is stored as `"****"."orders"`); redacting the finished SQL could break its quoting.
 */
export function historyInserts(run: RunSummary, results: readonly NodeResult[], secrets: Secrets, rolledBack = false): string[] {
  return historyInsertsWith(DUCKDB_LITERALS, run, results, secrets, rolledBack);
}

export function historyInsertsWith(lit: HistoryLiterals, run: RunSummary, results: readonly NodeResult[], secrets: Secrets, rolledBack = false): string[] {
  const text = (value: string) => lit.text(secrets.redact(value));
  const opt = (v: string | undefined | null) => (v === undefined || v === null ? 'NULL' : text(v));
  const time = (iso: string | undefined) => (iso ? lit.time(iso) : 'NULL');
  const num = (v: number | undefined | null) => (v === undefined || v === null ? 'NULL' : String(v));
  const statements = [
    `insert into ${S}.invocations values (${[
      text(run.invocationId),
      text(run.command),
      text(run.target),
      time(run.startedAt),
      time(run.completedAt),
      sqlValue(run.elapsed),
      text(run.status),
      String(run.exitCode),
      String(results.length),
      text(run.etlxVersion),
      lit.json(secrets.redactJson(JSON.stringify(run.args))),
    ].join(', ')})`,
  ];
  if (results.length > 0) {
    const rows = results.map(
      (r) =>
        `(${[
          text(run.invocationId),
          text(r.unique_id),
          text(r.resource_type),
          text(r.name),
          opt(r.relation_name),
          text(r.status),
          time(r.timing.started_at),
          time(r.timing.completed_at),
          sqlValue(r.timing.elapsed),
          num(r.rows_affected),
          num(r.failures),
          opt(r.message),
          num(r.attempts),
          lit.bool(!rolledBack),
        ].join(', ')})`,
    );
    statements.push(`insert into ${S}.node_results values\n${rows.join(',\n')}`);
  }
  return statements;
}
