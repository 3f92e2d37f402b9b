import type { ModelConfig } from '../../parse/nodes.js';
import { stmt, type Column, type NodeWork, type ServerWarehouse, type Statement, type Warehouse } from '../types.js';
import { columnList, distributedEngine, engineClause, localName, rel, tmp, TMP_DB } from './sql.js';

type TableConfig = Partial<Pick<ModelConfig, 'engine' | 'order_by' | 'partition_by' | 'primary_key' | 'settings' | 'sharding_key'>>;

/** The server side of the Warehouse, which every ClickHouse kind needs. */
export function serverOf(wh: Warehouse): ServerWarehouse {
  if (!wh.server) throw new Error('a ClickHouse materialization needs a ClickHouse warehouse');
  return wh.server;
}

export async function countRows(wh: Warehouse, relation: string): Promise<number> {
  return Number((await wh.query(`select count() as n from ${relation}`, true))[0]?.n ?? 0);
}

/** Columns of a relation as system.columns lists them, in order. */
export async function columnsOf(wh: Warehouse, db: string, name: string): Promise<Column[]> {
  return wh.columns(db, name);
}

/** Drops what a build created under temporary names, wherever it may be; never fails the node. */
export async function dropQuietly(wh: Warehouse, everywhere: boolean, names: readonly string[]): Promise<void> {
  const server = serverOf(wh);
  for (const n of names) {
    const st = stmt(`drop table if exists ${tmp(n)}`, 'cleanup');
    await (everywhere ? server.everywhere(st) : wh.execute(st)).catch(() => undefined);
  }
}

/**
 * Builds a model's table from a SELECT under a temporary name in etlx_tmp and swaps it in by
 * RENAME, so a failed build leaves the old table as it was. On a cluster the new rows go through
 * a Distributed table into a temporary local table on every shard, and each shard swaps its own
 * local table and the Distributed table under the model's name.
 */
export async function buildTable(work: NodeWork<unknown>, wh: Warehouse, sql: string, config: TableConfig, base: string): Promise<number> {
  const server = serverOf(wh);
  const t = work.target!;
  const existing = wh.exists(t.schema, t.identifier);
  const final = rel(t.schema, t.identifier);
  if (!server.cluster) {
    try {
      await wh.execute(stmt(`drop table if exists ${tmp(base)}`, 'cleanup'));
      await wh.execute(stmt(`create table ${tmp(base)} ${engineClause(config)} as\n${sql}`, 'create'));
      const rows = await countRows(wh, tmp(base));
      if (existing?.type === 'view') await wh.execute(stmt(`drop table if exists ${final}`, 'drop'));
      if (existing?.type === 'table') {
        await wh.execute(stmt(`rename table ${final} to ${tmp(`${base}_old`)}, ${tmp(base)} to ${final}`, 'alter'));
        await wh.execute(stmt(`drop table if exists ${tmp(`${base}_old`)}`, 'cleanup'));
      } else {
        await wh.execute(stmt(`rename table ${tmp(base)} to ${final}`, 'alter'));
      }
      return rows;
    } finally {
      await dropQuietly(wh, false, [base, `${base}_old`]);
    }
  }
  const cluster = server.cluster;
  const key = config.sharding_key ?? 'rand()';
  const names = { view: `${base}_v`, local: `${base}_local`, insert: `${base}_ins`, dist: `${base}_dist`, oldLocal: `${base}_oldl`, oldDist: `${base}_oldd` };
  const all = (sqlText: string, purpose: Statement['purpose']) => server.everywhere(stmt(sqlText, purpose));
  try {
    // A view has the SELECT's columns without running it: the local tables are created from them.
    await wh.execute(stmt(`create view ${tmp(names.view)} as\n${sql}`, 'stage'));
    const columns = await columnsOf(wh, TMP_DB, names.view);
    await all(`drop table if exists ${tmp(names.local)}`, 'cleanup');
    await all(`create table ${tmp(names.local)} ${columnList(columns)} ${engineClause(config)}`, 'create');
    await wh.execute(stmt(`create table ${tmp(names.insert)} as ${tmp(names.local)} ${distributedEngine(cluster, TMP_DB, names.local, key)}`, 'create'));
    await wh.execute(stmt(`insert into ${tmp(names.insert)} select * from ${tmp(names.view)}`, 'insert'));
    const rows = await countRows(wh, tmp(names.insert));
    const localFinal = rel(t.schema, localName(t.identifier));
    await all(`create table ${tmp(names.dist)} as ${tmp(names.local)} ${distributedEngine(cluster, t.schema, localName(t.identifier), key)}`, 'create');
    if (existing?.type === 'view') await all(`drop table if exists ${final}`, 'drop');
    // Placeholders where a shard lacks a table (a first build, or one an earlier failure left
    // half done), so the one RENAME below is valid on every shard.
    await all(`create table if not exists ${localFinal} as ${tmp(names.local)}`, 'create');
    await all(`create table if not exists ${final} as ${tmp(names.dist)}`, 'create');
    await all(`rename table ${localFinal} to ${tmp(names.oldLocal)}, ${tmp(names.local)} to ${localFinal}, ${final} to ${tmp(names.oldDist)}, ${tmp(names.dist)} to ${final}`, 'alter');
    return rows;
  } finally {
    await dropQuietly(wh, false, [names.view, names.insert]);
    await dropQuietly(wh, true, [names.oldLocal, names.oldDist, names.local, names.dist]);
  }
}
