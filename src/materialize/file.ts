import { createHash } from 'node:crypto';
import path from 'node:path';
import type { MaterializationSpec, ModelNode } from '../parse/nodes.js';
import { quoteIdent, quoteLiteral, sqlValue } from '../util/sql.js';
import { executePlan, hooks, hooksOf, stmt, type Materialization, type StatementPlan } from './types.js';

type FileSpec = Extract<MaterializationSpec, { kind: 'file' }>;

/** A dataset's name in a staging folder: its base name and a hash of its absolute path. */
export function stagingKey(final: string): string {
  return `${path.basename(final)}-${createHash('sha1').update(final).digest('hex').slice(0, 10)}`;
}

/**
 * Where a run writes before moving into place: a staging folder outside the folder that holds
 * the dataset (run/file-outputs.ts picks it), so no reader's glob over the dataset matches it.
 */
export function stagingPath(stagingDir: string, final: string, invocationId: string): string {
  return path.join(stagingDir, `${stagingKey(final)}.tmp-${invocationId.replace(/[^0-9a-f]/gi, '').slice(0, 8).toLowerCase()}`);
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

/** Where the columns of empty JSON outputs are recorded (DDL in artifacts/history.ts). */
export const FILE_SCHEMAS_TABLE = `${quoteIdent('etlx_meta')}.${quoteIdent('json_output_columns')}`;

/**
 * A JSON dataset with zero rows is a 0-byte file that DuckDB reads back as one `json` column.
 * So etlx records its columns (DuckDB's DESCRIBE of the model's query) in etlx_meta, and
 * `{{ref}}` passes the types to read_json while the dataset is empty; a run with rows forgets them.
 */
export function jsonSchemaSql(spec: FileSpec, sql: string, rows: number): string[] {
  const loc = quoteLiteral(spec.location);
  const forget = `delete from ${FILE_SCHEMAS_TABLE} where location = ${loc}`;
  if (rows > 0) return [forget];
  return [forget, `insert into ${FILE_SCHEMAS_TABLE} select ${loc}, row_number() over (), column_name, column_type from (describe select * from (\n${sql}\n))`];
}

/**
 * COPY into a staging path, then a move into place (now, or at the run's COMMIT under --atomic).
 * An incremental file model adds files to a dataset that has some, unless a full refresh
 * rewrites it.
 */
export const file: Materialization<ModelNode> = {
  async run(work, wh) {
    const m = work.node;
    if (m.mat.kind !== 'file') throw new Error(`${m.name} is not a file model`);
    const mat = m.mat;
    const { pre, post } = hooksOf(work);
    const staging = work.files.stagingPath(mat.location, work.stagingId);
    work.files.prepareStaging(staging, mat.incremental);
    const adding = mat.incremental && work.files.hasFiles(mat.location) && !work.fullRefresh;
    const sql = adding ? work.compiled!.incremental!.sql : work.compiled!.sql;
    let rows: number | undefined;
    try {
      rows = await executePlan(wh, filePlan(mat, sql, staging, pre, post, work.runTag));
      // A new dataset with zero rows still needs a file with its columns; an existing one has them.
      if (rows === 0 && mat.partitionBy.length > 0 && !adding) {
        work.files.prepareStaging(staging, true);
        await wh.execute(stmt(emptyDatasetSql(mat, sql, staging), 'copy'));
      }
    } catch (e) {
      work.files.discard(staging);
      throw e;
    }
    work.files.commit(adding ? 'add' : 'replace', mat.location, staging);
    const former = work.formerRelation;
    if (former) await wh.execute(stmt(`drop ${former.type} if exists ${former.relation}`, 'drop'));
    if (mat.format === 'json' && !mat.incremental && rows !== undefined) for (const q of jsonSchemaSql(mat, sql, rows)) await wh.execute(stmt(q, q.startsWith('delete') ? 'delete' : 'insert'));
    return { ...(rows === undefined ? {} : { rows }), ...(adding ? { verb: 'appended to' } : {}) };
  },
};
