import { existsSync, statSync } from 'node:fs';
import type { FileColumn } from '../compile/relations.js';
import type { Engine } from '../engine/engine.js';
import { EtlxError } from '../errors/diagnostic.js';
import { openSessionWarehouse } from './open-session-warehouse.js';
import { FILE_SCHEMAS_TABLE } from '../materialize/file.js';
import type { Session } from '../session.js';

/**
 * Before compile (run, show and `etlx compile` alike): the recorded columns of JSON file models
 * whose dataset is an empty file, so `{{ref}}` renders read_json with their types (see
 * materialize/file.ts). Read from etlx_meta only when the project has such models and the
 * warehouse exists. A run that writes such a model renders its readers again with what it
 * recorded (run/json-reader-columns.ts), so the first empty output is read with its columns too.
 */
export async function withFileSchemas(s: Session, o: { readonly lockedIsWarning?: boolean } = {}): Promise<Session> {
  const empty = emptyJsonOutputs(s);
  if (empty.size === 0 || s.target.type !== 'duckdb' || s.target.path === ':memory:' || !existsSync(s.target.path)) return s;
  let engine: Engine;
  try {
    engine = await openSessionWarehouse(s);
  } catch (e) {
    // `etlx compile` touches no data and must work while a run holds the warehouse.
    if (!(o.lockedIsWarning && e instanceof EtlxError && e.diagnostics[0]?.code === 'E_LOCKED')) throw e;
    s.runtime.reporter.emit({
      type: 'warn',
      message: `${e.diagnostics[0].message}: the recorded columns of empty JSON outputs were not read, so their readers are rendered without the types (${[...empty.values()].map((id) => s.project.nodes.get(id)?.name ?? id).join(', ')})`,
      hint: 'compile again when the warehouse is free to see the SQL a run would execute',
    });
    return s;
  }
  const fileColumns = new Map<string, FileColumn[]>();
  try {
    const c = await engine.connect();
    try {
      const known = await c.query(`select 1 from information_schema.tables where table_catalog = current_database() and table_schema = 'etlx_meta' and table_name = 'json_output_columns'`);
      if (known.length === 0) return s;
      for (const r of await c.query(`select location, name, type from ${FILE_SCHEMAS_TABLE} order by location, pos`)) {
        const id = empty.get(String(r.location));
        if (id === undefined) continue;
        fileColumns.set(id, [...(fileColumns.get(id) ?? []), { name: String(r.name), type: String(r.type) }]);
      }
    } finally {
      c.close();
    }
  } finally {
    await engine.close();
  }
  return fileColumns.size === 0 ? s : { ...s, ctx: { ...s.ctx, fileColumns } };
}

/**
 * JSON file outputs that are empty files now, by location -> model id: their readers' SQL
 * depends on the columns the warehouse recorded, so a compile that has any is not reusable by
 * the unchanged-project fingerprint (which covers files, not the warehouse).
 */
export function emptyJsonOutputs(s: Session): Map<string, string> {
  const empty = new Map<string, string>();
  for (const m of s.project.models.values()) {
    if (m.mat.kind !== 'file' || m.mat.format !== 'json' || m.mat.incremental) continue;
    if (existsSync(m.mat.location) && statSync(m.mat.location).isFile() && statSync(m.mat.location).size === 0) empty.set(m.mat.location, m.id);
  }
  return empty;
}
