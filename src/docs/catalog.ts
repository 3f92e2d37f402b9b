/**
 * target/catalog.json in dbt's shape: what the warehouse holds for each node, read from its
 * catalog (information_schema) and, for file models and file sources, from DESCRIBE over the
 * reader `{{ref}}` renders. Nothing is written to the warehouse.
 */
import type { Connection, Row } from '../engine/engine.js';
import type { ModelNode, SeedNode, SourceNode } from '../parse/nodes.js';
import type { ParsedProject } from '../parse/parse-project.js';
import { fileReader, modelTarget, seedTarget, sourceRelation } from '../compile/relations.js';

export const CATALOG_SCHEMA = 'etlx/catalog/v1';

export interface CatalogColumn {
  readonly name: string;
  readonly type: string;
  readonly index: number;
  readonly comment: null;
}

export interface CatalogEntry {
  readonly unique_id: string;
  readonly metadata: { readonly type: string; readonly schema: string | null; readonly name: string; readonly comment: null; readonly location?: string; readonly format?: string };
  readonly columns: Readonly<Record<string, CatalogColumn>>;
  readonly stats: Readonly<Record<string, never>>;
}

export interface Catalog {
  readonly nodes: ReadonlyMap<string, CatalogEntry>;
  readonly sources: ReadonlyMap<string, CatalogEntry>;
  /** Relations that were expected but could not be read (not built yet, a missing file). */
  readonly errors: readonly string[];
  /** Every relation in the warehouse, `schema.name` (lower case): e.g. to find etlx_meta. */
  readonly relations: ReadonlySet<string>;
}

const COLUMNS_SQL = `
  select c.table_schema as s, c.table_name as t, t.table_type as k, c.column_name as c, c.data_type as d, c.ordinal_position::integer as i
  from information_schema.columns c
  join information_schema.tables t on t.table_catalog = c.table_catalog and t.table_schema = c.table_schema and t.table_name = c.table_name
  where c.table_catalog = current_database()
  order by s, t, i`;

/**
 * The same from ClickHouse's system tables, in table order (system.columns lists a table's
 * columns in order; 18.16 has no position column), with DuckDB's table types.
 */
const CLICKHOUSE_COLUMNS_SQL = `
  select c.database as s, c.table as t, if(t.engine = 'View', 'VIEW', 'BASE TABLE') as k, c.name as c, c.type as d, rowNumberInBlock() as i
  from system.columns as c
  all inner join (select database, name as table, engine from system.tables) as t using (database, table)
  where c.database not in ('system', 'etlx_tmp')`;

/** Reads the catalog of every model, seed and source of the project (ephemeral models have none). */
export async function readCatalog(c: Connection, p: ParsedProject, targetSchema: string, engine: 'duckdb' | 'clickhouse' = 'duckdb'): Promise<Catalog> {
  const byRelation = new Map<string, { type: string; schema: string; name: string; cols: Row[] }>();
  const found = engine === 'clickhouse' ? numbered(await c.query(CLICKHOUSE_COLUMNS_SQL)) : await c.query(COLUMNS_SQL);
  for (const r of found) {
    const key = `${String(r.s)}.${String(r.t)}`.toLowerCase();
    const rel = byRelation.get(key) ?? { type: String(r.k), schema: String(r.s), name: String(r.t), cols: [] };
    rel.cols.push(r);
    byRelation.set(key, rel);
  }
  const nodes = new Map<string, CatalogEntry>();
  const sources = new Map<string, CatalogEntry>();
  const errors: string[] = [];
  const fromWarehouse = (id: string, schema: string, identifier: string, into: Map<string, CatalogEntry>) => {
    const rel = byRelation.get(`${schema}.${identifier}`.toLowerCase());
    if (!rel) return void errors.push(`${id}: ${schema}.${identifier} is not in the warehouse (not built yet?)`);
    const columns = rel.cols.map((x) => ({ name: String(x.c), type: String(x.d), index: Number(x.i) }));
    into.set(id, entry(id, { type: rel.type, schema: rel.schema, name: rel.name }, columns));
  };
  const fromFiles = async (id: string, reader: string, meta: CatalogEntry['metadata'], into: Map<string, CatalogEntry>) => {
    try {
      const rows = await c.query(`describe select * from ${reader}`);
      into.set(id, entry(id, meta, rows.map((x, i) => ({ name: String(x.column_name), type: String(x.column_type), index: i + 1 }))));
    } catch (e) {
      errors.push(`${id}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
    }
  };
  for (const id of [...p.nodes.keys()].sort()) {
    const n = p.nodes.get(id)!;
    if (n.resourceType === 'model') await modelEntry(n);
    else if (n.resourceType === 'seed') seedEntry(n);
    else if (n.resourceType === 'source') await sourceEntry(n);
  }
  return { nodes, sources, errors, relations: new Set(byRelation.keys()) };

  async function modelEntry(m: ModelNode): Promise<void> {
    if (m.mat.kind === 'ephemeral') return;
    if (m.mat.kind === 'file') {
      return fromFiles(m.id, fileReader(m.mat), { type: 'file', schema: null, name: m.name, comment: null, location: m.mat.locationShown, format: m.mat.format }, nodes);
    }
    const t = modelTarget(m, targetSchema);
    fromWarehouse(m.id, t.schema, t.identifier, nodes);
  }
  function seedEntry(s: SeedNode): void {
    const t = seedTarget(s, targetSchema);
    fromWarehouse(s.id, t.schema, t.identifier, nodes);
  }
  async function sourceEntry(s: SourceNode): Promise<void> {
    if (s.kind === 'table') return fromWarehouse(s.id, s.schema ?? s.sourceName, s.identifier, sources);
    return fromFiles(s.id, sourceRelation(s), { type: 'file', schema: null, name: s.identifier, comment: null, location: s.location ?? '', format: s.format ?? 'parquet' }, sources);
  }
}

/** Columns numbered from 1 within each relation, in the order the server listed them. */
function numbered(rows: readonly Row[]): Row[] {
  const next = new Map<string, number>();
  return rows.map((r) => {
    const key = `${String(r.s)}.${String(r.t)}`;
    const i = (next.get(key) ?? 0) + 1;
    next.set(key, i);
    return { ...r, i };
  });
}

function entry(id: string, meta: Omit<CatalogEntry['metadata'], 'comment'> & { comment?: null }, columns: { name: string; type: string; index: number }[]): CatalogEntry {
  return {
    unique_id: id,
    metadata: { ...meta, comment: null },
    columns: Object.fromEntries(columns.map((x) => [x.name, { ...x, comment: null }])),
    stats: {},
  };
}

/** Column names of a catalog entry, in order. */
export function catalogColumns(e: CatalogEntry | undefined): string[] | undefined {
  if (!e) return undefined;
  return Object.values(e.columns).sort((a, b) => a.index - b.index).map((x) => x.name);
}

export function catalogJson(cat: Catalog, meta: { etlxVersion: string; generatedAt: string; invocationId: string }): Record<string, unknown> {
  return {
    metadata: { schema_version: CATALOG_SCHEMA, etlx_version: meta.etlxVersion, generated_at: meta.generatedAt, invocation_id: meta.invocationId },
    nodes: Object.fromEntries(cat.nodes),
    sources: Object.fromEntries(cat.sources),
    errors: cat.errors.length > 0 ? cat.errors : null,
  };
}
