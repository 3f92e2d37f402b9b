import { HISTORY_DDL } from '../artifacts/history.js';
import type { SourceNode } from '../parse/nodes.js';
import { modelTarget, seedTarget, snapshotTarget } from '../compile/relations.js';
import type { Connection } from '../engine/engine.js';
import { TEST_FAILURES_SCHEMA } from '../materialize/test.js';
import type { ExistingRelation } from '../materialize/types.js';
import { runParents } from '../plan/execution.js';
import type { Session } from '../session.js';
import { NODE_RESULTS_TABLE } from '../compile/test-sql.js';
import { qualified, quoteIdent, quoteLiteral } from '../util/sql.js';
import { relationKey } from './warehouse.js';

export interface WarehouseState {
  readonly relations: ReadonlyMap<string, ExistingRelation>;
  /** Missing staging files by source id, with the message for their readers (a late file's entry is removed when it arrives). */
  readonly missingSources: Map<string, string>;
  /** File models whose former table or view (built by this model, per run history) is still there. */
  readonly formerRelations: ReadonlyMap<string, { readonly relation: string; readonly type: 'table' | 'view' }>;
}

/**
 * Serial setup before the parallel phase (DuckDB gives write-write conflicts for concurrent
 * CREATE SCHEMA): history tables, schemas, the relations that exist, and staging-file checks.
 */
export async function prepareWarehouse(s: Session, c: Connection, ids: ReadonlySet<string>): Promise<WarehouseState> {
  if (s.target.type === 'clickhouse') return (await import('./clickhouse-prepare.js')).prepareClickHouse(s, c, ids);
  for (const sql of HISTORY_DDL) await c.execute(sql);
  const schemas = new Set<string>();
  const sources = new Set<SourceNode>();
  let storeFailures = false;
  for (const id of ids) {
    const n = s.project.nodes.get(id)!;
    if (n.resourceType === 'model' && (n.mat.kind === 'view' || n.mat.kind === 'table' || n.mat.kind === 'incremental')) schemas.add(modelTarget(n, s.target.schema).schema);
    if (n.resourceType === 'seed') schemas.add(seedTarget(n, s.target.schema).schema);
    if (n.resourceType === 'snapshot') schemas.add(snapshotTarget(n, s.target.schema).schema);
    if (n.resourceType === 'test' && n.config.store_failures) storeFailures = true;
    if (n.resourceType !== 'seed' && n.resourceType !== 'unit_test') {
      for (const p of runParents(s.project, id)) {
        const pn = s.project.nodes.get(p);
        if (pn?.resourceType === 'source' && pn.kind === 'file') sources.add(pn);
      }
    }
  }
  if (storeFailures) schemas.add(TEST_FAILURES_SCHEMA);
  for (const schema of [...schemas].sort()) await c.execute(`create schema if not exists ${quoteIdent(schema)}`);
  const relations = new Map<string, ExistingRelation>();
  for (const row of await c.query(
    `select table_schema as s, table_name as n, table_type as t from information_schema.tables where table_catalog = current_database()`,
  )) {
    relations.set(relationKey(String(row.s), String(row.n)), { type: row.t === 'VIEW' ? 'view' : 'table' });
  }
  const missingSources = new Map<string, string>();
  for (const src of [...sources].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const rows = await c.query(`select count(*) as n from glob(${quoteLiteral(src.absLocation!)})`);
    if (Number(rows[0]?.n ?? 0) === 0) {
      const glob = /[*?[]/.test(src.location!);
      missingSources.set(
        src.id,
        `source ${src.sourceName}.${src.name}: ${glob ? 'no files match' : 'file not found:'} ${src.location} (declared in ${src.path}${src.line ? `:${src.line}` : ''}); check that the staging files were delivered`,
      );
    }
  }
  return { relations, missingSources, formerRelations: await formerRelations(s, c, ids, relations) };
}

/**
 * A model switched to `file` leaves the table or view it built before. It is dropped once the
 * file is written, but only when run history shows this model built exactly that relation: a
 * relation of the same name that etlx did not create is never touched.
 */
async function formerRelations(
  s: Session,
  c: Connection,
  ids: ReadonlySet<string>,
  relations: ReadonlyMap<string, ExistingRelation>,
): Promise<Map<string, { relation: string; type: 'table' | 'view' }>> {
  const out = new Map<string, { relation: string; type: 'table' | 'view' }>();
  for (const id of [...ids].sort()) {
    const n = s.project.nodes.get(id);
    if (n?.resourceType !== 'model' || n.mat.kind !== 'file') continue;
    const t = modelTarget(n, s.target.schema);
    const existing = relations.get(relationKey(t.schema, t.identifier));
    if (!existing) continue;
    const relation = qualified(t.schema, t.identifier);
    const rows = await c.query(
      `select count(*) as n from ${NODE_RESULTS_TABLE} where unique_id = ${quoteLiteral(id)} and relation = ${quoteLiteral(relation)} and status = 'success' and committed is not false`,
    );
    if (Number(rows[0]?.n ?? 0) > 0) out.set(id, { relation, type: existing.type });
  }
  return out;
}
