import { CLICKHOUSE_HISTORY_DDL } from '../artifacts/history-clickhouse.js';
import { modelTarget, seedTarget } from '../compile/relations.js';
import type { Connection } from '../engine/engine.js';
import { TMP_DB, TMP_PREFIX } from '../materialize/clickhouse/sql.js';
import { TEST_FAILURES_SCHEMA } from '../materialize/test.js';
import type { ExistingRelation } from '../materialize/types.js';
import type { Session } from '../session.js';
import { quoteClickHouseLiteral, quoteIdent } from '../util/sql.js';
import { relationKey } from './warehouse.js';

/** prepare.ts's WarehouseState (not imported: prepare.ts loads this module). */
export interface ClickHouseState {
  readonly relations: ReadonlyMap<string, ExistingRelation>;
  readonly missingSources: Map<string, string>;
  readonly formerRelations: ReadonlyMap<string, { readonly relation: string; readonly type: 'table' | 'view' }>;
}

/**
 * Before a run on a ClickHouse target (the lock is held): history tables, the databases models
 * go to and etlx_tmp on every shard, what an interrupted run left in etlx_tmp dropped (only
 * names etlx gives), and the relations that exist.
 */
export async function prepareClickHouse(s: Session, c: Connection, ids: ReadonlySet<string>): Promise<ClickHouseState> {
  for (const sql of CLICKHOUSE_HISTORY_DDL) await c.execute(sql);
  const everywhere = (sql: string) => (c.cluster ? c.cluster.executeOnShards(sql) : c.execute(sql).then(() => undefined));
  const databases = new Set<string>([TMP_DB]);
  for (const id of ids) {
    const n = s.project.nodes.get(id)!;
    if (n.resourceType === 'model' && (n.mat.kind === 'view' || n.mat.kind === 'table' || n.mat.kind === 'incremental')) databases.add(modelTarget(n, s.target.schema).schema);
    if (n.resourceType === 'seed') databases.add(seedTarget(n, s.target.schema).schema);
    if (n.resourceType === 'test' && n.config.store_failures) databases.add(TEST_FAILURES_SCHEMA);
  }
  for (const db of [...databases].sort()) await everywhere(`create database if not exists ${quoteIdent(db)}`);
  await dropLeftovers(c);
  const relations = new Map<string, ExistingRelation>();
  for (const row of await c.query(`select database as s, name as n, engine as e from system.tables where database not in ('system', ${quoteClickHouseLiteral(TMP_DB)})`)) {
    relations.set(relationKey(String(row.s), String(row.n)), { type: row.e === 'View' ? 'view' : 'table' });
  }
  return { relations, missingSources: new Map(), formerRelations: new Map() };
}

/** Temporary tables of a run that failed or was killed: every shard's, by etlx's own prefix. */
async function dropLeftovers(c: Connection): Promise<void> {
  const sql = `select name from system.tables where database = ${quoteClickHouseLiteral(TMP_DB)} and startsWith(name, ${quoteClickHouseLiteral(TMP_PREFIX)})`;
  const perShard = c.cluster ? await c.cluster.queryOnShards(sql) : [await c.query(sql)];
  const names = [...new Set(perShard.flat().map((r) => String(r.name)))].sort();
  for (const name of names) {
    const drop = `drop table if exists ${quoteIdent(TMP_DB)}.${quoteIdent(name)}`;
    if (c.cluster) await c.cluster.executeOnShards(drop);
    else await c.execute(drop);
  }
}
