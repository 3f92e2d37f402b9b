import path from 'node:path';
import type { MaterializationSpec, ModelNode, SeedNode, SnapshotNode, SourceNode } from '../parse/nodes.js';
import { Printable } from '../template/printable.js';
import { namedArgs, qualified, quoteIdent, quoteLiteral } from '../util/sql.js';

/**
 * What naming a relation depends on: the target's schema, and (when known) its warehouse file
 * and attached databases, whose catalog names a schema may collide with.
 */
export interface RelationScope {
  readonly schema: string;
  /** Absolute path of the warehouse file, or ':memory:'. */
  readonly path?: string;
  readonly attach?: readonly { readonly path: string; readonly alias?: string }[];
}

/** DuckDB's name for an attached file: its base name up to the first dot; `memory` for :memory:. */
export function catalogName(file: string): string {
  if (file === ':memory:' || file === '') return 'memory';
  return path.basename(file).split('.')[0] || path.basename(file);
}

/** The catalog etlx builds in (the warehouse's), when the scope names the warehouse. */
export function warehouseCatalog(scope: RelationScope): string | undefined {
  return scope.path === undefined ? undefined : catalogName(scope.path);
}

/** Catalogs always present besides the warehouse (measured: a schema named like one is ambiguous). */
const BUILTIN_CATALOGS = ['system', 'temp'];

/** The alias a --defer state warehouse is attached under (etlx's own names are reserved). */
export const STATE_CATALOG = '__etlx_state';

/**
 * A warehouse relation that is never ambiguous. DuckDB resolves `"a"."m"` as catalog `a` or
 * schema `a` and refuses when both exist: a project `analytics` (file analytics.duckdb, catalog
 * `analytics`) with a model in schema `analytics`. Only then is the name written with its
 * catalog, `"analytics"."analytics"."m"`; otherwise it stays two-part, because a view's SQL
 * naming its catalog breaks when that file is attached under another name (as --defer does;
 * measured: `Catalog "prod" does not exist!`). `attached` says whether attached databases count
 * (they do for what etlx creates; a source's `schema` may mean an attached catalog on purpose).
 */
export function warehouseRelation(scope: RelationScope, schema: string, identifier: string, attached = true): string {
  const db = warehouseCatalog(scope);
  if (db === undefined) return qualified(schema, identifier);
  const s = schema.toLowerCase();
  const catalogs = [db, ...BUILTIN_CATALOGS, STATE_CATALOG, ...(attached ? (scope.attach ?? []).map((a) => a.alias ?? catalogName(a.path)) : [])];
  return catalogs.some((c) => c.toLowerCase() === s) ? `${quoteIdent(db)}.${qualified(schema, identifier)}` : qualified(schema, identifier);
}

/** A column of a file model's dataset, as recorded in etlx_meta.json_output_columns. */
export interface FileColumn {
  readonly name: string;
  readonly type: string;
}

/** Where a model lives, or how it is read. One resolver serves ref, self and tests. */
export function modelRelation(m: ModelNode, scope: RelationScope, fileColumns?: readonly FileColumn[]): string {
  switch (m.mat.kind) {
    case 'view':
    case 'table':
    case 'incremental':
      return warehouseRelation(scope, m.config.schema ?? scope.schema, m.config.alias ?? m.name);
    case 'ephemeral':
      return ephemeralCteName(m.name);
    case 'file':
      return fileReader(m.mat, fileColumns);
    default: {
      const never: never = m.mat;
      throw new Error(`unknown materialization ${JSON.stringify(never)}`);
    }
  }
}

/** Schema and identifier of a model's warehouse relation (views, tables, incrementals). */
export function modelTarget(m: ModelNode, targetSchema: string): { schema: string; identifier: string } {
  return { schema: m.config.schema ?? targetSchema, identifier: m.config.alias ?? m.name };
}

export function seedTarget(s: SeedNode, targetSchema: string): { schema: string; identifier: string } {
  return { schema: s.config.schema ?? targetSchema, identifier: s.config.alias ?? s.name };
}

export function seedRelation(s: SeedNode, scope: RelationScope): string {
  const t = seedTarget(s, scope.schema);
  return warehouseRelation(scope, t.schema, t.identifier);
}

/** A snapshot's history table: its schema (or the target's) and alias (or name). */
export function snapshotTarget(s: SnapshotNode, targetSchema: string): { schema: string; identifier: string } {
  return { schema: s.config.schema ?? targetSchema, identifier: s.config.alias ?? s.name };
}

export function snapshotRelation(s: SnapshotNode, scope: RelationScope): string {
  const t = snapshotTarget(s, scope.schema);
  return warehouseRelation(scope, t.schema, t.identifier);
}

export function ephemeralCteName(name: string): string {
  return quoteIdent(`__etlx_cte__${name}`);
}

const READERS = { parquet: 'read_parquet', csv: 'read_csv', json: 'read_json', ndjson: 'read_json' } as const;

/** A source: its warehouse relation, or a reader over its staging files (absolute paths). */
export function sourceRelation(s: SourceNode, scope?: RelationScope): string {
  if (s.kind === 'table') return scope ? warehouseRelation(scope, s.schema ?? s.sourceName, s.identifier, false) : qualified(s.schema ?? s.sourceName, s.identifier);
  const format = s.format ?? 'parquet';
  const options: Record<string, unknown> = { ...s.options };
  if (format === 'ndjson' && options.format === undefined) options.format = 'newline_delimited';
  const args = namedArgs(options);
  return `${READERS[format]}(${quoteLiteral(s.absLocation!)}${args ? `, ${args}` : ''})`;
}

/**
 * The glob a file model's dataset is read with. Partitioned and incremental outputs are
 * directories; the glob only matches data files, so a sibling being written (".etlx-tmp-*")
 * is never read.
 */
export function fileDatasetGlob(mat: Extract<MaterializationSpec, { kind: 'file' }>): string {
  if (mat.partitionBy.length > 0) return `${mat.location}/**/*.${mat.format}`;
  if (mat.incremental) return `${mat.location}/*.${mat.format}`;
  return mat.location;
}

/**
 * The reader `{{ref}}` renders for a file model. An empty JSON file reads back as one `json`
 * column, so while the dataset is empty its recorded column types are passed.
 */
export function fileReader(mat: Extract<MaterializationSpec, { kind: 'file' }>, columns?: readonly FileColumn[]): string {
  const glob = fileDatasetGlob(mat);
  const hive = mat.partitionBy.length > 0 ? ', hive_partitioning=true' : '';
  const fn = mat.format === 'csv' ? 'read_csv' : mat.format === 'json' ? 'read_json' : 'read_parquet';
  const typed = mat.format === 'json' && columns && columns.length > 0 ? `, columns={${columns.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(c.type)}`).join(', ')}}` : '';
  return `${fn}(${quoteLiteral(glob)}${hive}${typed})`;
}

/**
 * `{{self}}` of a model or seed: prints as its relation (a file model's reader), and gives its
 * parts unquoted, like dbt's `this.schema`: `schema`, `name` and `identifier` (the alias when one
 * is set) and `database` (the warehouse's catalog).
 */
export function selfValue(n: ModelNode | SeedNode, scope: RelationScope): Printable {
  const text = n.resourceType === 'model' ? modelRelation(n, scope) : seedRelation(n, scope);
  const identifier = n.config.alias ?? n.name;
  return new Printable(text, { database: warehouseCatalog(scope) ?? 'memory', schema: n.config.schema ?? scope.schema, name: identifier, identifier });
}
