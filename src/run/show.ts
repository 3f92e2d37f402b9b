import { relationOf, type CompiledProject } from '../compile/compile.js';
import type { ModelNode, SeedNode, SnapshotNode } from '../parse/nodes.js';
import type { Engine } from '../engine/engine.js';
import { EtlxError } from '../errors/diagnostic.js';
import { closest } from '../errors/did-you-mean.js';
import type { TextTable } from '../materialize/types.js';
import type { Session } from '../session.js';

/** The model or seed `etlx show` previews; an unknown name is exit 2 with a did-you-mean. */
export function showable(s: Session, name: string): ModelNode | SeedNode | SnapshotNode {
  const node = s.project.models.get(name) ?? s.project.seeds.get(name) ?? s.project.snapshots.get(name);
  if (!node) {
    const guess = closest(name, [...s.project.models.keys(), ...s.project.seeds.keys(), ...s.project.snapshots.keys()]);
    throw new EtlxError({ code: 'E_SHOW_UNKNOWN', message: `no model or seed named "${name}"${guess ? `; did you mean "${guess}"?` : ''}`, hint: 'etlx ls lists the models' });
  }
  return node;
}

/** The first rows of a model (or seed) as text. An ephemeral model's SQL is run directly. */
export async function previewRows(s: Session, node: ModelNode | SeedNode | SnapshotNode, compiled: CompiledProject, engine: Engine, limit: number): Promise<TextTable> {
  const from = node.resourceType === 'model' && node.mat.kind === 'ephemeral' ? `(\n${compiled.nodes.get(node.id)!.sql}\n)` : relationOf(s.project, s.ctx, node.id);
  const c = await engine.connect();
  try {
    // ClickHouse: its own SQL (no COLUMNS(*), DESCRIBE of a subquery); values become text here.
    const ch = s.target.type === 'clickhouse';
    const rows = await c.query(ch ? `select * from ${from} limit ${limit}` : `select columns(*)::varchar from ${from} limit ${limit}`);
    // Row objects carry no column names when there are no rows: ask DuckDB for them.
    const columns = rows.length > 0 ? Object.keys(rows[0]!) : (await c.query(ch ? `describe table (select * from ${from})` : `describe select * from ${from}`)).map((r) => String(ch ? r.name : r.column_name));
    return { columns, rows: rows.map((r) => columns.map((k) => (r[k] === null || r[k] === undefined ? 'NULL' : String(r[k])))) };
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
    if (/does not exist|doesn't exist|not found/i.test(msg) && !from.startsWith('(')) {
      throw new EtlxError(
        {
          code: 'E_RELATION_NOT_BUILT',
          message: `${node.resourceType} ${node.name} has not been built in this warehouse yet: ${from.replace(/"/g, '')} does not exist (target ${s.target.name})`,
          hint: `build it first: ${node.resourceType === 'seed' ? 'etlx seed' : 'etlx run'} --select ${node.name} (or etlx build --select +${node.name})`,
        },
        1,
      );
    }
    throw new EtlxError(
      { code: 'E_SHOW', message: `cannot read ${node.name}: ${msg}`, hint: /does not exist|not found/i.test(msg) ? `build it first: etlx run --select ${node.name}` : 'check the model' },
      1,
    );
  } finally {
    c.close();
  }
}
