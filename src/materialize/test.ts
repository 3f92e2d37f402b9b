import type { TestNode } from '../parse/nodes.js';
import { failureCountSql, rowCountSql } from '../compile/test-sql.js';
import { THRESHOLD } from '../config/schemas.js';
import { quoteIdent } from '../util/sql.js';
import { stmt, type Materialization, type TestOutcome, type TextTable } from './types.js';

/** Where `store_failures: true` keeps a test's failing rows. */
export const TEST_FAILURES_SCHEMA = 'etlx_test_failures';

/**
 * A data test: counts the failing rows, applies severity and warn_if / error_if, keeps failing
 * rows when asked, and hands a sample of them to the reporter as rows (never as text).
 */
export const test: Materialization<TestNode> = {
  async run(work, wh) {
    const t = work.node;
    const sql = work.compiled!.sql;
    const counted = await wh.query(failureCountSql(sql), true);
    const failures = Number(counted[0]?.failures ?? 0);
    let rows: number | undefined;
    if (t.kind === 'row_count_change') rows = Number((await wh.query(rowCountSql(work.testedRelation!), true))[0]?.n ?? 0);
    const errorHit = threshold(t.config.error_if, failures);
    const warnHit = threshold(t.config.warn_if, failures);
    const status: TestOutcome['status'] = t.config.severity === 'error' && errorHit ? 'fail' : errorHit || warnHit ? 'warn' : 'pass';
    let message: string | undefined;
    let sample: TextTable | undefined;
    if (failures > 0) {
      let plural = `${failures} failing row${failures === 1 ? '' : 's'}`;
      if (t.kind === 'row_count') {
        const n = (await wh.query(`select row_count from (\n${sql}\n) limit 1`))[0]?.row_count;
        plural += `: row count ${String(n)} is outside the expected bounds (${rowCountBounds(t.args)})`;
      }
      if (t.config.store_failures) {
        await wh.execute(stmt(`create or replace table ${quoteIdent(TEST_FAILURES_SCHEMA)}.${quoteIdent(t.name)} as\n${sql}`, 'create'));
        message = `${plural}, stored in ${TEST_FAILURES_SCHEMA}.${t.name}`;
      } else {
        message = plural;
      }
      message += ` (${t.path}${t.line ? `:${t.line}` : ''})`;
      const sampleRows = await wh.query(`select columns(*)::varchar from (\n${sql}\n) limit 5`);
      if (sampleRows.length > 0) {
        const columns = Object.keys(sampleRows[0]!);
        sample = { columns, rows: sampleRows.map((r) => columns.map((k) => (r[k] === null || r[k] === undefined ? 'NULL' : String(r[k])))) };
      }
    }
    // A passing test leaves no failing rows behind: the rows a past failure stored are gone.
    if (failures === 0 && t.config.store_failures) {
      await wh.execute(stmt(`drop table if exists ${quoteIdent(TEST_FAILURES_SCHEMA)}.${quoteIdent(t.name)}`, 'cleanup'));
    }
    const outcome: TestOutcome = { status, failures, ...(message ? { message } : {}), ...(sample ? { sample } : {}) };
    return { ...(rows !== undefined ? { rows } : {}), test: outcome };
  },
};

/** A row_count test's bounds as written: `min 5, max 10` or `equals 3`. */
function rowCountBounds(a: Readonly<Record<string, unknown>>): string {
  return (['min', 'max', 'equals'] as const)
    .filter((k) => a[k] !== undefined)
    .map((k) => `${k} ${String(a[k])}`)
    .join(', ');
}

/** `"> 10"` against a failure count. */
export function threshold(condition: string, n: number): boolean {
  const m = THRESHOLD.exec(condition);
  if (!m) return n !== 0;
  const v = Number(m[2]);
  switch (m[1]) {
    case '>':
      return n > v;
    case '>=':
      return n >= v;
    case '<':
      return n < v;
    case '<=':
      return n <= v;
    case '=':
    case '==':
      return n === v;
    default:
      return n !== v;
  }
}
