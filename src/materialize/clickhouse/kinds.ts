import type { ModelNode } from '../../parse/nodes.js';
import { executePlan, hooks, hooksOf, stmt, type Materialization } from '../types.js';
import { buildTable, dropQuietly, serverOf } from './build.js';
import { localName, rel, tmp, tmpBase } from './sql.js';

/**
 * A view on every shard (one server: the server), created under a temporary name and swapped in
 * by RENAME. ClickHouse 18.16 has no CREATE OR REPLACE VIEW; a placeholder where none exists
 * yet keeps the one RENAME valid everywhere.
 */
export const clickhouseView: Materialization<ModelNode> = {
  async run(work, wh) {
    const server = serverOf(wh);
    const { pre, post } = hooksOf(work);
    const t = work.target!;
    const final = rel(t.schema, t.identifier);
    const base = tmpBase(work, 'view');
    const old = `${base}_old`;
    await executePlan(wh, { transactional: false, statements: hooks(pre) });
    try {
      await server.everywhere(stmt(`drop table if exists ${tmp(base)}`, 'cleanup'));
      await server.everywhere(stmt(`create view ${tmp(base)} as\n${work.compiled!.sql}`, 'create'));
      if (server.cluster && wh.exists(t.schema, t.identifier)?.type === 'table') {
        await server.everywhere(stmt(`drop table if exists ${rel(t.schema, localName(t.identifier))}`, 'drop'));
      }
      await server.everywhere(stmt(`create view if not exists ${final} as select 1 as etlx_placeholder`, 'create'));
      await server.everywhere(stmt(`rename table ${final} to ${tmp(old)}, ${tmp(base)} to ${final}`, 'alter'));
    } finally {
      await dropQuietly(wh, true, [base, old]);
    }
    await executePlan(wh, { transactional: false, statements: hooks(post) });
    return {};
  },
};

/** A MergeTree table (config: engine, order_by, partition_by, primary_key, settings, sharding_key). */
export const clickhouseTable: Materialization<ModelNode> = {
  async run(work, wh) {
    const { pre, post } = hooksOf(work);
    await executePlan(wh, { transactional: false, statements: hooks(pre) });
    const rows = await buildTable(work, wh, work.compiled!.sql, work.node.config, tmpBase(work, 'build'));
    await executePlan(wh, { transactional: false, statements: hooks(post) });
    return { rows };
  },
};
