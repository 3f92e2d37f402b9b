import type { ModelConfig } from '../../parse/nodes.js';
import { quoteClickHouseLiteral, quoteIdent } from '../../util/sql.js';
import type { NodeWork } from '../types.js';

/** etlx's own database for tables being built: never the user's. */
export const TMP_DB = 'etlx_tmp';
/** Every temporary name etlx gives starts so: the next run drops leftovers with it, and only them. */
export const TMP_PREFIX = 'etlx_';

export const lit = quoteClickHouseLiteral;

export function rel(db: string, name: string): string {
  return `${quoteIdent(db)}.${quoteIdent(name)}`;
}

export function tmp(name: string): string {
  return rel(TMP_DB, name);
}

/** A sharded model's table on each shard. */
export function localName(identifier: string): string {
  return `${identifier}_local`;
}

/**
 * The temporary name of one node's build in this invocation: unique per invocation and
 * relation, and recognisably etlx's (TMP_PREFIX).
 */
export function tmpBase(work: Pick<NodeWork<unknown>, 'stagingId' | 'target'>, kind: string): string {
  const t = work.target!;
  return `${TMP_PREFIX}${kind}_${work.stagingId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8)}_${t.schema}_${t.identifier}`;
}

/** One expression, or several as a tuple: ORDER BY (a, b). */
function exprList(list: readonly string[] | undefined): string | undefined {
  if (!list || list.length === 0) return undefined;
  return list.length === 1 ? list[0] : `(${list.join(', ')})`;
}

function settingValue(v: string | number | boolean | null): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  return v === null ? 'NULL' : lit(v);
}

/**
 * The table's ENGINE clause from its model config: MergeTree ORDER BY tuple() unless the model
 * says otherwise. The MergeTree family takes ORDER BY (required), PARTITION BY, PRIMARY KEY and
 * SETTINGS; other engines (Log, Memory) take none of them.
 */
export function engineClause(config: Partial<Pick<ModelConfig, 'engine' | 'order_by' | 'partition_by' | 'primary_key' | 'settings'>>): string {
  const engine = config.engine ?? 'MergeTree';
  if (!/MergeTree/i.test(engine)) return `engine = ${engine}`;
  const parts = [`engine = ${engine}`];
  const partition = exprList(config.partition_by);
  if (partition) parts.push(`partition by ${partition}`);
  parts.push(`order by ${exprList(config.order_by) ?? 'tuple()'}`);
  const primary = exprList(config.primary_key);
  if (primary) parts.push(`primary key ${primary}`);
  const settings = Object.entries(config.settings ?? {});
  if (settings.length > 0) parts.push(`settings ${settings.map(([k, v]) => `${k} = ${settingValue(v)}`).join(', ')}`);
  return parts.join(' ');
}

/** A Distributed table over `db.table` on every shard of the cluster. */
export function distributedEngine(cluster: string, db: string, table: string, shardingKey: string): string {
  return `engine = Distributed(${lit(cluster)}, ${lit(db)}, ${lit(table)}, ${shardingKey})`;
}

/** Columns as a CREATE TABLE list. */
export function columnList(columns: readonly { name: string; type: string }[]): string {
  return `(${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`;
}
