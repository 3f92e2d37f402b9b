import path from 'node:path';
import type { MaterializationSpec } from '../parse/nodes.js';
import { quoteIdent, quoteLiteral, sqlValue } from '../compile/sql.js';
import { hooks, stmt, type StatementPlan } from './types.js';

type FileSpec = Extract<MaterializationSpec, { kind: 'file' }>;

/**
 * Where a run writes before moving into place: a dot-named sibling of the final location, so no
 * reader's glob over the dataset matches it.
 */
export function stagingPath(spec: FileSpec, invocationId: string): string {
  return path.join(path.dirname(spec.location), `.${path.basename(spec.location)}.etlx-tmp-${invocationId.slice(0, 8)}`);
}

function copyOptions(spec: FileSpec, extra: readonly string[] = []): string {
  const opts = [`format ${spec.format}`];
  if (spec.partitionBy.length > 0) opts.push(`partition_by (${spec.partitionBy.map(quoteIdent).join(', ')})`);
  for (const [k, v] of Object.entries(spec.options).sort(([a], [b]) => (a < b ? -1 : 1))) opts.push(`${k} ${sqlValue(v)}`);
  opts.push(...extra);
  return opts.join(', ');
}

/**
 * The COPY into the staging path. Incremental file models write files with unique names into a
 * staging folder; they are then added to the dataset instead of replacing it.
 */
export function filePlan(spec: FileSpec, sql: string, staging: string, pre: readonly string[], post: readonly string[], runTag: string): StatementPlan {
  const target = spec.partitionBy.length > 0 ? staging : spec.incremental ? path.join(staging, `${runTag}.${spec.format}`) : staging;
  const extra = spec.partitionBy.length > 0 && spec.incremental ? [`filename_pattern ${quoteLiteral(`${runTag}_{i}`)}`] : [];
  return {
    transactional: false,
    statements: [...hooks(pre), stmt(`copy (\n${sql}\n) to ${quoteLiteral(target)} (${copyOptions(spec, extra)})`, 'copy', true), ...hooks(post)],
  };
}

/** A zero-row partitioned COPY leaves an empty folder that readers reject: write one empty file with the columns. */
export function emptyDatasetSql(spec: FileSpec, sql: string, staging: string): string {
  const noPartition: FileSpec = { ...spec, partitionBy: [] };
  return `copy (select * from (\n${sql}\n) limit 0) to ${quoteLiteral(path.join(staging, `empty.${spec.format}`))} (${copyOptions(noPartition)})`;
}
