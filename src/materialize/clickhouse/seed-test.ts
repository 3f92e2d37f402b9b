import type { SeedNode, TestNode } from '../../parse/nodes.js';
import { failureCountSql, rowCountSql } from '../../compile/test-sql.js';
import { firstLines, seedReader } from '../seed.js';
import { TEST_FAILURES_SCHEMA, threshold } from '../test.js';
import { executePlan, hooks, hooksOf, NodeFailure, stmt, type Column, type Materialization, type StagedCsv, type TestOutcome, type TextTable } from '../types.js';
import { quoteIdent } from '../../util/sql.js';
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

/**
 * How DuckDB writes a column for ClickHouse's CSV parser: booleans as 0/1 (18.16 has no Bool),
 * timestamps to the second (DateTime has no fraction), everything else as DuckDB writes it.
 */
export function csvColumnFor(c: Column): string {
  const t = c.type.toUpperCase();
  const q = quoteIdent(c.name);
  if (t === 'BOOLEAN') return `cast(${q} as integer) as ${q}`;
  if (t.startsWith('TIMESTAMP')) return `strftime(${q}, '%Y-%m-%d %H:%M:%S') as ${q}`;
  return q;
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
    let staged: StagedCsv;
    try {
      staged = await server.stageCsv(`select * from ${seedReader(s)}`, (cols) => cols.map(csvColumnFor).join(', '));
    } catch (e) {
      throw new NodeFailure({ code: 'E_SEED_LOAD', message: `${s.path}: ${firstLines(e)}`, file: s.path, hint: "check the CSV's header and delimiter, and column_types in the seed's config" });
    }
    const columns = staged.columns.map((c) => ({ name: c.name, type: c.nullable ? `Nullable(${clickhouseType(c.type)})` : clickhouseType(c.type) }));
    const base = tmpBase(work, 'seed');
    try {
      await executePlan(wh, { transactional: false, statements: hooks(pre) });
      await wh.execute(stmt(`drop table if exists ${tmp(base)}`, 'cleanup'));
      await wh.execute(stmt(`create table ${tmp(base)} ${columnList(columns)} engine = Log`, 'stage'));
      await server.insertCsv(`etlx_tmp.${base}`, staged.file);
      const rows = await buildTable(work, wh, `select * from ${tmp(base)}`, s.config.sharding_key !== undefined ? { sharding_key: s.config.sharding_key } : {}, tmpBase(work, 'build'));
      await executePlan(wh, { transactional: false, statements: hooks(post) });
      return { rows };
    } finally {
      staged.discard();
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
