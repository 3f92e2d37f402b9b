import type { ModelNode } from '../parse/nodes.js';
import { hooks, replaceRelation, stmt, type ExistingRelation, type Materialization, type StatementPlan } from './types.js';

/**
 * CREATE OR REPLACE TABLE ... AS: atomic on its own in DuckDB (a failure at any row leaves the
 * old table whole), and half the cost of a temp table plus rename. A view of the same name is
 * dropped in the same transaction.
 */
export function tablePlan(relation: string, sql: string, existing: ExistingRelation, pre: readonly string[], post: readonly string[]): StatementPlan {
  if (existing?.type === 'view') {
    return {
      transactional: true,
      statements: [...hooks(pre), stmt(`drop view ${relation}`, 'drop'), stmt(`create table ${relation} as\n${sql}`, 'create', true), ...hooks(post)],
    };
  }
  return {
    transactional: pre.length + post.length > 0,
    statements: [...hooks(pre), stmt(`create or replace table ${relation} as\n${sql}`, 'create', true), ...hooks(post)],
  };
}

export const table: Materialization<ModelNode> = {
  run: (work, wh) => replaceRelation(work, wh, tablePlan),
};
