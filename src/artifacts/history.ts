import { META_SCHEMA } from '../compile/test-sql.js';
import { quoteIdent, quoteLiteral, sqlValue } from '../util/sql.js';
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
    started_at timestamptz, completed_at timestamptz, elapsed_s double, rows_affected bigint, failures bigint, message varchar)`,
  // The columns of empty JSON file outputs (materialize/file.ts), which DuckDB cannot read back.
  `create table if not exists ${S}.json_output_columns (location varchar, pos integer, name varchar, type varchar)`,
];

const ts = (iso: string | undefined) => (iso ? `${quoteLiteral(iso)}::timestamptz` : 'NULL');

/** One INSERT per table for the whole invocation (a row-per-node INSERT costs about 2 ms each). */
export function historyInserts(run: RunSummary, results: readonly NodeResult[]): string[] {
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
      `${quoteLiteral(JSON.stringify(run.args))}::json`,
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
        ].join(', ')})`,
    );
    statements.push(`insert into ${S}.node_results values\n${rows.join(',\n')}`);
  }
  return statements;
}
