import { compileAndCheck } from './compile.js';
import { relationOf } from '../compile/compile.js';
import { targetSetupSql } from '../engine/duckdb/setup.js';
import { openDuckDB } from '../engine/duckdb/duckdb.js';
import { EtlxError } from '../errors/diagnostic.js';
import { closest } from '../errors/did-you-mean.js';
import type { Session } from '../session.js';
import { shownWarehousePath } from '../config/profiles.js';

/** Prints the first rows of a model (or seed) as a table. An ephemeral model's SQL is run directly. */
export async function showRows(s: Session, name: string, limit: number): Promise<number> {
  const node = s.project.models.get(name) ?? s.project.seeds.get(name);
  if (!node) {
    const guess = closest(name, [...s.project.models.keys(), ...s.project.seeds.keys()]);
    throw new EtlxError({ code: 'E_SHOW_UNKNOWN', message: `no model or seed named "${name}"${guess ? `; did you mean "${guess}"?` : ''}`, hint: 'etlx ls lists the models' });
  }
  const compiled = await compileAndCheck(s);
  const from = node.resourceType === 'model' && node.mat.kind === 'ephemeral' ? `(\n${compiled.nodes.get(node.id)!.sql}\n)` : relationOf(s.project, s.ctx, node.id);
  const shown = shownWarehousePath(s.target, s.project.root);
  const engine = await openDuckDB(s.target.path, { settings: s.target.settings, shownPath: shown, setup: targetSetupSql(s.target) });
  try {
    const c = await engine.connect();
    let rows;
    let columns: string[];
    try {
      rows = await c.query(`select columns(*)::varchar from ${from} limit ${limit}`);
      // Row objects carry no column names when there are no rows: ask DuckDB for them.
      columns = rows.length > 0 ? Object.keys(rows[0]!) : (await c.query(`describe select * from ${from}`)).map((r) => String(r.column_name));
    } catch (e) {
      const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
      throw new EtlxError(
        { code: 'E_SHOW', message: `cannot read ${name}: ${msg}`, hint: /does not exist|not found/i.test(msg) ? `build it first: etlx run --select ${name}` : 'check the model' },
        1,
      );
    } finally {
      c.close();
    }
    s.runtime.reporter.emit({ type: 'table', columns, rows: rows.map((r) => columns.map((k) => (r[k] === null || r[k] === undefined ? 'NULL' : String(r[k])))) });
    return 0;
  } finally {
    await engine.close();
  }
}
