import type { MaterializationSpec, ModelNode, SeedNode, SnapshotNode, SourceNode } from '../parse/nodes.js';
import { namedArgs, qualified, quoteIdent, quoteLiteral } from '../util/sql.js';

/** Where a model lives, or how it is read. One resolver serves ref, self and tests. */
export function modelRelation(m: ModelNode, targetSchema: string): string {
  switch (m.mat.kind) {
    case 'view':
    case 'table':
    case 'incremental':
      return qualified(m.config.schema ?? targetSchema, m.config.alias ?? m.name);
    case 'ephemeral':
      return ephemeralCteName(m.name);
    case 'file':
      return fileReader(m.mat);
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

export function seedRelation(s: SeedNode, targetSchema: string): string {
  const t = seedTarget(s, targetSchema);
  return qualified(t.schema, t.identifier);
}

/** A snapshot's history table: its schema (or the target's) and alias (or name). */
export function snapshotTarget(s: SnapshotNode, targetSchema: string): { schema: string; identifier: string } {
  return { schema: s.config.schema ?? targetSchema, identifier: s.config.alias ?? s.name };
}

export function snapshotRelation(s: SnapshotNode, targetSchema: string): string {
  const t = snapshotTarget(s, targetSchema);
  return qualified(t.schema, t.identifier);
}

export function ephemeralCteName(name: string): string {
  return quoteIdent(`__etlx_cte__${name}`);
}

const READERS = { parquet: 'read_parquet', csv: 'read_csv', json: 'read_json', ndjson: 'read_json' } as const;

/** A source: its warehouse relation, or a reader over its staging files (absolute paths). */
export function sourceRelation(s: SourceNode): string {
  if (s.kind === 'table') return qualified(s.schema ?? s.sourceName, s.identifier);
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

export function fileReader(mat: Extract<MaterializationSpec, { kind: 'file' }>): string {
  const glob = fileDatasetGlob(mat);
  const hive = mat.partitionBy.length > 0 ? ', hive_partitioning=true' : '';
  const fn = mat.format === 'csv' ? 'read_csv' : mat.format === 'json' ? 'read_json' : 'read_parquet';
  return `${fn}(${quoteLiteral(glob)}${hive})`;
}
