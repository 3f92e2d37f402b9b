import type { TestNode } from '../parse/nodes.js';
import { quoteIdent, sqlValue } from '../util/sql.js';
import { genericTestSql, NODE_RESULTS_TABLE } from './test-sql.js';

/**
 * Generic tests in SQL ClickHouse 18.16 accepts: no `false` literal, no comma joins, and a join
 * key column of the right side reads as the left side's (so `parent.id is null` never holds):
 * the parent's rows carry a marker column, named unqualified (a GLOBAL join loses the alias).
 * The others are the same as on DuckDB.
 */
export function clickhouseGenericTestSql(test: TestNode, relation: string, other: string | undefined): string {
  const a = test.args;
  const where = test.config.where;
  const from = where ? `(select * from ${relation} where ${where}) as model` : `${relation} as model`;
  const col = test.column === undefined ? undefined : a.column_name !== undefined ? String(a.column_name) : quoteIdent(test.column);
  switch (test.kind) {
    case 'relationships': {
      const field = quoteIdent(String(a.field));
      // Qualified names over a Distributed table resolve only through a subquery (18.16).
      const model = where ? from : `(select * from ${relation}) as model`;
      return `select model.${col} as from_field\nfrom ${model}\nleft join (select ${field} as etlx_parent_key, 1 as etlx_parent_found from ${other}) as parent on model.${col} = etlx_parent_key\nwhere model.${col} is not null and etlx_parent_found is null`;
    }
    case 'expression_is_true': {
      const expr = String(a.expression);
      const full = col !== undefined && /^\s*(>=|<=|!=|<>|=|>|<|is\b|in\b|not\b|between\b|like\b)/i.test(expr) ? `${col} ${expr}` : expr;
      return `select *\nfrom ${from}\nwhere not coalesce((${full}), 0)`;
    }
    case 'row_count_matches': {
      const tol = Number(a.tolerance_pct ?? 0);
      return `select model_rows.n as row_count, other_rows.n as other_row_count\nfrom (select count(*) as n from ${from}) as model_rows\ncross join (select count(*) as n from ${other}) as other_rows\nwhere abs(model_rows.n - other_rows.n) > other_rows.n * ${sqlValue(tol)} / 100.0`;
    }
    case 'row_count_change': {
      const pct = Number(a.max_pct);
      return [
        `select current_rows.n as row_count, previous_rows.n as previous_row_count`,
        `from (select count(*) as n from ${from}) as current_rows`,
        `cross join (select rows_affected as n from ${NODE_RESULTS_TABLE}`,
        `      where unique_id = '${test.id.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}' and status in ('pass', 'warn') and rows_affected is not null and (committed is null or committed = 1)`,
        `      order by completed_at desc limit 1) as previous_rows`,
        `where abs(current_rows.n - previous_rows.n) > previous_rows.n * ${sqlValue(pct)} / 100.0`,
      ].join('\n');
    }
    default:
      return genericTestSql(test, relation, other);
  }
}
