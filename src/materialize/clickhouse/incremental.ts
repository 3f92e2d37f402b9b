import type { ModelNode } from '../../parse/nodes.js';
import { quoteIdent } from '../../util/sql.js';
import { executePlan, hooks, hooksOf, NodeFailure, stmt, type Column, type Materialization, type NodeWork, type Warehouse } from '../types.js';
import { buildTable, columnsOf, countRows, dropQuietly, serverOf } from './build.js';
import { columnList, distributedEngine, lit, localName, rel, tmp, TMP_DB, tmpBase } from './sql.js';

/** How long a DELETE mutation may take before the node fails (ClickHouse applies them in the background). */
export const MUTATION_LIMIT_MS = 600_000;
const MUTATION_POLL_MS = 100;

/** The strategy on ClickHouse: a merge that was only defaulted (unique_key, no strategy) is append. */
function strategyOf(m: ModelNode): 'append' | 'delete+insert' | 'merge' {
  if (m.mat.kind !== 'incremental') throw new Error(`${m.name} is not incremental`);
  return m.mat.strategy === 'merge' && m.strategyDefaulted ? 'append' : m.mat.strategy;
}

/**
 * First run or full refresh: built like a table. Later runs stage the new rows in etlx_tmp (on a
 * cluster: a local table on every shard behind a Distributed one, so every shard's DELETE can read
 * all new keys), then append them, or delete the rows with their keys (a mutation, waited for on
 * every shard) and insert them.
 */
export const clickhouseIncremental: Materialization<ModelNode> = {
  async run(work, wh) {
    const m = work.node;
    if (m.mat.kind !== 'incremental') throw new Error(`${m.name} is not incremental`);
    const mat = m.mat;
    const strategy = strategyOf(m);
    const { pre, post } = hooksOf(work);
    const t = work.target!;
    const server = serverOf(wh);
    await executePlan(wh, { transactional: false, statements: hooks(pre) });
    if (wh.exists(t.schema, t.identifier)?.type !== 'table' || work.fullRefresh) {
      const rows = await buildTable(work, wh, work.compiled!.sql, m.config, tmpBase(work, 'build'));
      await executePlan(wh, { transactional: false, statements: hooks(post) });
      return { rows };
    }
    const base = tmpBase(work, 'new');
    const staged = tmp(base);
    try {
      const incoming = await stage(work, wh, base);
      const rows = await countRows(wh, staged);
      const keys = mat.uniqueKey.map(quoteIdent);
      if (strategy === 'delete+insert') {
        const dups = await wh.query(`select ${keys.join(', ')}, count() as n from ${staged} group by ${keys.join(', ')} having count() > 1 order by n desc limit 5`);
        if (dups.length > 0) {
          const shown = dups.map((d) => `${mat.uniqueKey.map((k) => `${k}=${String(d[k])}`).join(', ')} (${String(d.n)} rows)`).join('; ');
          throw new NodeFailure({ code: 'E_DUPLICATE_KEY', message: `duplicate unique_key values in the new rows of ${m.name}: ${shown}`, hint: `make ${mat.uniqueKey.join(', ')} unique in the model's SELECT; ${work.relation} was left unchanged` });
        }
      }
      const have = await columnsOf(wh, t.schema, t.identifier);
      const columns = await reconcile(work, wh, have, incoming);
      if (strategy === 'delete+insert' && rows > 0) {
        const physical = server.cluster ? localName(t.identifier) : t.identifier;
        const tuple = keys.length === 1 ? keys[0]! : `(${keys.join(', ')})`;
        await server.everywhere(stmt(`alter table ${rel(t.schema, physical)} delete where ${tuple} in (select ${keys.join(', ')} from ${staged})`, 'delete'));
        await waitForMutations(wh, t.schema, physical);
      }
      const cols = columns.map(quoteIdent).join(', ');
      await wh.execute(stmt(`insert into ${work.relation} (${cols})\nselect ${cols} from ${staged}`, 'insert'));
      await executePlan(wh, { transactional: false, statements: hooks(post) });
      return { rows, verb: strategy === 'append' ? 'appended to' : 'inserted into' };
    } finally {
      await dropQuietly(wh, false, [`${base}_v`, base]);
      if (server.cluster) await dropQuietly(wh, true, [base, `${base}_local`]);
    }
  },
};

/** The new rows into etlx_tmp; returns their columns. */
async function stage(work: NodeWork<ModelNode>, wh: Warehouse, base: string): Promise<Column[]> {
  const server = serverOf(wh);
  const sql = work.compiled!.incremental!.sql;
  if (!server.cluster) {
    await wh.execute(stmt(`drop table if exists ${tmp(base)}`, 'cleanup'));
    await wh.execute(stmt(`create table ${tmp(base)} engine = Log as\n${sql}`, 'stage'));
    return columnsOf(wh, TMP_DB, base);
  }
  await wh.execute(stmt(`create view ${tmp(`${base}_v`)} as\n${sql}`, 'stage'));
  const columns = await columnsOf(wh, TMP_DB, `${base}_v`);
  await server.everywhere(stmt(`create table ${tmp(`${base}_local`)} ${columnList(columns)} engine = MergeTree order by tuple()`, 'stage'));
  await server.everywhere(stmt(`create table ${tmp(base)} as ${tmp(`${base}_local`)} ${distributedEngine(server.cluster, TMP_DB, `${base}_local`, 'rand()')}`, 'stage'));
  await wh.execute(stmt(`insert into ${tmp(base)} select * from ${tmp(`${base}_v`)}`, 'stage'));
  return columns;
}

/** on_schema_change by column names (ClickHouse types are kept as the table has them). */
async function reconcile(work: NodeWork<ModelNode>, wh: Warehouse, have: readonly Column[], incoming: readonly Column[]): Promise<string[]> {
  const m = work.node;
  if (m.mat.kind !== 'incremental') return [];
  const server = serverOf(wh);
  const t = work.target!;
  const known = new Set(have.map((c) => c.name));
  const coming = new Set(incoming.map((c) => c.name));
  const added = incoming.filter((c) => !known.has(c.name));
  const removed = have.filter((c) => !coming.has(c.name));
  const shared = incoming.filter((c) => known.has(c.name)).map((c) => c.name);
  if (added.length === 0 && removed.length === 0) return shared;
  const mode = m.mat.onSchemaChange;
  if (mode === 'ignore') return shared;
  if (mode === 'fail') {
    const what = [added.length ? `added ${added.map((c) => c.name).join(', ')}` : '', removed.length ? `removed ${removed.map((c) => c.name).join(', ')}` : ''].filter(Boolean).join('; ');
    throw new NodeFailure({ code: 'E_SCHEMA_CHANGE', message: `${m.name}: the new rows' columns differ from ${work.relation}: ${what} (on_schema_change: fail)`, hint: 'set on_schema_change to append_new_columns or sync_all_columns, or run with --full-refresh' });
  }
  const tables = server.cluster ? [rel(t.schema, localName(t.identifier)), rel(t.schema, t.identifier)] : [rel(t.schema, t.identifier)];
  for (const table of tables) {
    for (const c of added) await server.everywhere(stmt(`alter table ${table} add column ${quoteIdent(c.name)} ${c.type}`, 'alter'));
    if (mode === 'sync_all_columns') for (const c of removed) await server.everywhere(stmt(`alter table ${table} drop column ${quoteIdent(c.name)}`, 'alter'));
  }
  return [...shared, ...added.map((c) => c.name)];
}

/**
 * ALTER TABLE ... DELETE returns before the rows are gone: wait until no mutation of the table is
 * pending on any shard. ClickHouse 18.16 retries a failing mutation forever and records no
 * reason, so one that is still pending after MUTATION_LIMIT_MS fails the node, naming it.
 */
async function waitForMutations(wh: Warehouse, db: string, table: string): Promise<void> {
  const server = serverOf(wh);
  const sql = `select mutation_id, command from system.mutations where database = ${lit(db)} and table = ${lit(table)} and is_done = 0`;
  const started = Date.now();
  for (;;) {
    const pending = (await server.queryEverywhere(sql)).flat();
    if (pending.length === 0) return;
    if (Date.now() - started > MUTATION_LIMIT_MS) {
      throw new NodeFailure({
        code: 'E_MUTATION',
        message: `the DELETE of ${db}.${table} (mutation ${String(pending[0]!.mutation_id)}: ${String(pending[0]!.command)}) did not finish within ${MUTATION_LIMIT_MS / 1000}s`,
        hint: "check system.mutations and the server's log; the new rows were not inserted",
      });
    }
    await new Promise((r) => setTimeout(r, MUTATION_POLL_MS));
  }
}
