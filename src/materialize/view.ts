import type { ModelNode } from '../parse/nodes.js';
import { hooks, replaceRelation, stmt, type ExistingRelation, type Materialization, type StatementPlan } from './types.js';

/** CREATE OR REPLACE VIEW; a table of the same name is dropped in the same transaction. */
export function viewPlan(relation: string, sql: string, existing: ExistingRelation, pre: readonly string[], post: readonly string[]): StatementPlan {
  if (existing?.type === 'table') {
    return {
      transactional: true,
      statements: [...hooks(pre), stmt(`drop table ${relation}`, 'drop'), stmt(`create view ${relation} as\n${sql}`, 'create'), ...hooks(post)],
    };
  }
  return { transactional: pre.length + post.length > 0, statements: [...hooks(pre), stmt(`create or replace view ${relation} as\n${sql}`, 'create'), ...hooks(post)] };
}

export const view: Materialization<ModelNode> = {
  run: (work, wh) => replaceRelation(work, wh, viewPlan),
};
