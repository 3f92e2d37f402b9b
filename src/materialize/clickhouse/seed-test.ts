import type { Row } from '../../engine/engine.js';
import type { SeedNode, TestNode } from '../../parse/nodes.js';
import { failureCountSql, rowCountSql } from '../../compile/test-sql.js';
import { firstLines, seedReader } from '../seed.js';
import { TEST_FAILURES_SCHEMA, threshold } from '../test.js';
import { executePlan, hooks, hooksOf, NodeFailure, stmt, type Column, type Materialization, type TestOutcome, type TextTable } from '../types.js';
import { buildTable, dropQuietly, serverOf } from './build.js';
import { columnList, rel, tmp, tmpBase } from './sql.js';

/** DuckDB's type of a CSV column as the ClickHouse type that holds it. */
export function clickhouseType(duckdb: string): string {
  const t = duckdb.toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) return `Decimal(${decimal[1]}, ${decimal[2]})`;
  const map: Readonly<Record<string, string>> = {
    BIGINT: 'Int64', INTEGER: 'Int32', SMALLINT: 'Int16', TINYINT: 'Int8', HUGEINT: 'Int64',
    UBIGINT: 'UInt64', UINTEGER: 'UInt32', USMALLINT: 'UInt16', UTINYINT: 'UInt8',
    DOUBLE: 'Float64', FLOAT: 'Float32', BOOLEAN: 'UInt8', DATE: 'Date', TIMESTAMP: 'DateTime', VARCHAR: 'String',
  };
  return map[t] ?? 'String';
}

/** A DuckDB value as JSONEachRow wants it for its ClickHouse type. */
function jsonValue(v: unknown, duckdb: string): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return duckdb.toUpperCase() === 'DATE' ? v.toISOString().slice(0, 10) : v.toISOString().slice(0, 19).replace('T', ' ');
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}

/**
 * A seed: DuckDB reads the CSV with the same strict reader as on DuckDB targets (types inferred
 * or from column_types), the rows go through the client into a staging table, and the seed's
 * table is built from it like a table model (swapped in by RENAME; on a cluster, sharded).
 */
export const clickhouseSeed: Materialization<SeedNode> = {
  async run(work, wh) {
    const server = serverOf(wh);
    const s = work.node;
    const { pre, post } = hooksOf(work);
    let read: { columns: readonly Column[]; rows: readonly Row[] };
    try {
      read = await server.readLocal(`select * from ${seedReader(s)}`);
    } catch (e) {
      throw new NodeFailure({ code: 'E_SEED_LOAD', message: `${s.path}: ${firstLines(e)}`, file: s.path, hint: "check the CSV's header and delimiter, and column_types in the seed's config" });
    }
    const nullable = new Set(read.columns.filter((c) => read.rows.some((r) => r[c.name] === null || r[c.name] === undefined)).map((c) => c.name));
    const columns = read.columns.map((c) => ({ name: c.name, type: nullable.has(c.name) ? `Nullable(${clickhouseType(c.type)})` : clickhouseType(c.type) }));
    const base = tmpBase(work, 'seed');
    await executePlan(wh, { transactional: false, statements: hooks(pre) });
    try {
      await wh.execute(stmt(`drop table if exists ${tmp(base)}`, 'cleanup'));
      await wh.execute(stmt(`create table ${tmp(base)} ${columnList(columns)} engine = Log`, 'stage'));
      const types = new Map(read.columns.map((c) => [c.name, c.type]));
      await server.insertRows(`etlx_tmp.${base}`, read.rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, jsonValue(v, types.get(k) ?? '')]))));
      const rows = await buildTable(work, wh, `select * from ${tmp(base)}`, s.config.sharding_key !== undefined ? { sharding_key: s.config.sharding_key } : {}, tmpBase(work, 'build'));
      await executePlan(wh, { transactional: false, statements: hooks(post) });
      return { rows };
    } finally {
      await dropQuietly(wh, false, [base]);
    }
  },
};

/** A data test on ClickHouse: as on DuckDB, with ClickHouse SQL for the sample and stored failures. */
export const clickhouseTest: Materialization<TestNode> = {
  async run(work, wh) {
    const t = work.node;
    const sql = work.compiled!.sql;
    const failures = Number((await wh.query(failureCountSql(sql), true))[0]?.failures ?? 0);
    let rows: number | undefined;
    if (t.kind === 'row_count_change') rows = Number((await wh.query(rowCountSql(work.testedRelation!), true))[0]?.n ?? 0);
    const errorHit = threshold(t.config.error_if, failures);
    const warnHit = threshold(t.config.warn_if, failures);
    const status: TestOutcome['status'] = t.config.severity === 'error' && errorHit ? 'fail' : errorHit || warnHit ? 'warn' : 'pass';
    const stored = rel(TEST_FAILURES_SCHEMA, t.name);
    let message: string | undefined;
    let sample: TextTable | undefined;
    if (failures > 0) {
      message = `${failures} failing row${failures === 1 ? '' : 's'}`;
      if (t.config.store_failures) {
        await wh.execute(stmt(`drop table if exists ${stored}`, 'drop'));
        await wh.execute(stmt(`create table ${stored} engine = MergeTree order by tuple() as\n${sql}`, 'create'));
        message += `, stored in ${TEST_FAILURES_SCHEMA}.${t.name}`;
      }
      message += ` (${t.path}${t.line ? `:${t.line}` : ''})`;
      const sampleRows = await wh.query(`select * from (\n${sql}\n) limit 5`);
      if (sampleRows.length > 0) {
        const columns = Object.keys(sampleRows[0]!);
        sample = { columns, rows: sampleRows.map((r) => columns.map((k) => (r[k] === null || r[k] === undefined ? 'NULL' : String(r[k])))) };
      }
    }
    if (failures === 0 && t.config.store_failures) await wh.execute(stmt(`drop table if exists ${stored}`, 'cleanup'));
    const outcome: TestOutcome = { status, failures, ...(message ? { message } : {}), ...(sample ? { sample } : {}) };
    return { ...(rows !== undefined ? { rows } : {}), test: outcome };
  },
};
