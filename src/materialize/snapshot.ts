import type { SnapshotConfig, SnapshotNode } from '../parse/nodes.js';
import { quoteIdent } from '../util/sql.js';
import { hooks, hooksOf, NodeFailure, stmt, type Column, type Materialization, type Statement } from './types.js';

/** The connection-local temp table holding the source rows of one snapshot run. */
export function snapshotStagingName(name: string): string {
  return `etlx_snapshot_${name}`;
}

/** Snapshot time: in a transaction DuckDB's now() is its start, so every statement agrees. */
const NOW = 'cast(now() as timestamp)';

/** The meta column names, quoted. */
function metaOf(c: SnapshotConfig): { from: string; to: string; scd: string; updated: string; deleted: string } {
  const n = c.snapshot_meta_column_names;
  return { from: quoteIdent(n.dbt_valid_from), to: quoteIdent(n.dbt_valid_to), scd: quoteIdent(n.dbt_scd_id), updated: quoteIdent(n.dbt_updated_at), deleted: quoteIdent(n.dbt_is_deleted) };
}

/** A column name, or (written with anything but word characters) an expression as dbt allows. */
function columnRef(alias: string, col: string): string {
  return /^\w+$/.test(col) ? `${alias}.${quoteIdent(col)}` : col;
}

/** The version's timestamp: the source's updated_at (timestamp strategy) or the snapshot time (check). */
function versionTime(c: SnapshotConfig, alias: string): string {
  return c.strategy === 'timestamp' ? columnRef(alias, c.updated_at!) : NOW;
}

/** dbt's dbt_scd_id: md5 of the unique key and the version's timestamp. */
function scdId(c: SnapshotConfig, alias: string, time: string): string {
  const parts = [...c.unique_key.map((k) => `${alias}.${quoteIdent(k)}`), time].map((x) => `coalesce(cast(${x} as varchar), '')`);
  return `md5(concat_ws('|', ${parts.join(', ')}))`;
}

function keysMatch(c: SnapshotConfig, a: string, b: string): string {
  return c.unique_key.map((k) => `${a}.${quoteIdent(k)} = ${b}.${quoteIdent(k)}`).join(' and ');
}

/** Step 1: the source rows into a temp table (the SELECT runs once), after the pre-hooks. */
export function stageSnapshot(node: SnapshotNode, sql: string, pre: readonly string[]): Statement[] {
  return [...hooks(pre), stmt(`create or replace temp table ${quoteIdent(snapshotStagingName(node.name))} as\n${sql}`, 'stage')];
}

export function snapshotDuplicateKeySql(node: SnapshotNode): string {
  const keys = node.config.unique_key.map(quoteIdent).join(', ');
  return `select ${keys}, count(*) as n from ${quoteIdent(snapshotStagingName(node.name))} group by ${keys} having count(*) > 1 order by n desc limit 5`;
}

/** First run: the history table from the staged rows, each the current version of its key. */
export function createHistory(node: SnapshotNode, relation: string): Statement {
  const c = node.config;
  const m = metaOf(c);
  const t = versionTime(c, 's');
  const deleted = c.hard_deletes === 'new_record' ? `,\n  false as ${m.deleted}` : '';
  return stmt(
    `create table ${relation} as\nselect s.*,\n  ${scdId(c, 's', t)} as ${m.scd},\n  ${t} as ${m.updated},\n  ${t} as ${m.from},\n  nullif(${t}, ${t}) as ${m.to}${deleted}\nfrom ${quoteIdent(snapshotStagingName(node.name))} as s`,
    'create',
    true,
  );
}

/**
 * Later runs, in one transaction: new source columns added to the history, changed rows closed,
 * new versions (changed, new and re-inserted keys) inserted, then deletes handled per
 * hard_deletes. `history` and `staged` are the user columns (meta columns left out).
 */
export function applySnapshot(node: SnapshotNode, relation: string, history: readonly Column[], staged: readonly Column[], hasDeletedColumn: boolean, post: readonly string[]): Statement[] {
  const c = node.config;
  const m = metaOf(c);
  const tmp = quoteIdent(snapshotStagingName(node.name));
  const have = new Set(history.map((x) => x.name));
  const added = staged.filter((x) => !have.has(x.name));
  const out: Statement[] = added.map((x) => stmt(`alter table ${relation} add column ${quoteIdent(x.name)} ${x.type}`, 'alter'));
  const newRecord = c.hard_deletes === 'new_record';
  if (newRecord && !hasDeletedColumn) out.push(stmt(`alter table ${relation} add column ${m.deleted} boolean default false`, 'alter'));
  const keys = new Set(c.unique_key);
  const checkCols = c.check_cols === 'all' ? staged.map((x) => x.name).filter((n) => !keys.has(n)) : c.check_cols;
  const changed =
    c.strategy === 'timestamp'
      ? `h.${m.from} < ${versionTime(c, 's')}`
      : checkCols.map((col) => `h.${quoteIdent(col)} is distinct from s.${quoteIdent(col)}`).join(' or ') || 'false';
  const reinserted = newRecord ? ` or h.${m.deleted}` : '';
  out.push(
    stmt(
      `update ${relation} as h\nset ${m.to} = ${versionTime(c, 's')}\nfrom ${tmp} as s\nwhere ${keysMatch(c, 'h', 's')} and h.${m.to} is null\n  and (${changed}${reinserted})`,
      'merge',
      true,
    ),
  );
  const cols = staged.map((x) => quoteIdent(x.name));
  const t = versionTime(c, 's');
  const metaCols = [m.scd, m.updated, m.from, m.to, ...(newRecord ? [m.deleted] : [])];
  const metaVals = [scdId(c, 's', t), t, t, 'null', ...(newRecord ? ['false'] : [])];
  out.push(
    stmt(
      `insert into ${relation} (${[...cols, ...metaCols].join(', ')})\nselect ${[...cols.map((x) => `s.${x}`), ...metaVals].join(', ')}\nfrom ${tmp} as s\nwhere not exists (select 1 from ${relation} as h where ${keysMatch(c, 'h', 's')} and h.${m.to} is null)`,
      'insert',
      true,
    ),
  );
  const gone = `h.${m.to} is null and not exists (select 1 from ${tmp} as s where ${keysMatch(c, 'h', 's')})`;
  if (c.hard_deletes === 'invalidate') {
    out.push(stmt(`update ${relation} as h\nset ${m.to} = ${NOW}\nwhere ${gone}`, 'delete', true));
  } else if (newRecord) {
    const all = [...history.map((x) => x.name), ...added.map((x) => x.name)].map(quoteIdent);
    const live = `${gone} and not coalesce(h.${m.deleted}, false)`;
    out.push(
      stmt(
        `insert into ${relation} (${[...all, ...metaCols].join(', ')})\nselect ${[...all.map((x) => `h.${x}`), scdId(c, 'h', NOW), NOW, NOW, 'null', 'true'].join(', ')}\nfrom ${relation} as h\nwhere ${live}`,
        'insert',
        true,
      ),
      // The deletion records just inserted are current but deleted, so `live` leaves them open.
      stmt(`update ${relation} as h\nset ${m.to} = ${NOW}\nwhere ${live}`, 'delete', true),
    );
  }
  return [...out, ...hooks(post)];
}

/**
 * SCD type 2 with dbt's semantics and column names. The source rows are staged once; duplicate
 * keys fail before anything changes; the history is created on the first run and otherwise
 * changed in one transaction. --full-refresh never drops it: the history can't be rebuilt.
 */
export const snapshot: Materialization<SnapshotNode> = {
  async run(work, wh) {
    const node = work.node;
    const t = work.target!;
    const { pre, post } = hooksOf(work);
    const existing = wh.exists(t.schema, t.identifier);
    if (existing?.type === 'view') {
      throw new NodeFailure({
        code: 'E_RUNTIME_SQL',
        message: `snapshot ${node.name}: ${work.relation} is a view, not a snapshot's history table`,
        hint: 'drop the view, or give the snapshot another alias',
      });
    }
    const staging = snapshotStagingName(node.name);
    try {
      for (const s of stageSnapshot(node, work.compiled!.sql, pre)) await wh.execute(s);
      const dups = await wh.query(snapshotDuplicateKeySql(node));
      if (dups.length > 0) {
        const keys = node.config.unique_key;
        const shown = dups.map((d) => `${keys.map((k) => `${k}=${String(d[k])}`).join(', ')} (${String(d.n)} rows)`).join('; ');
        throw new NodeFailure({
          code: 'E_SNAPSHOT_DUPLICATE_KEY',
          message: `duplicate unique_key values in the source rows of snapshot ${node.name}: ${shown}`,
          hint: `make ${keys.join(', ')} unique in the snapshot's SELECT; ${work.relation} was left unchanged`,
        });
      }
      if (!existing) {
        const create = createHistory(node, work.relation);
        const rows = await wh.transaction(async () => {
          const n = await wh.execute(create);
          for (const h of hooks(post)) await wh.execute(h);
          return n;
        });
        return rows === undefined ? {} : { rows };
      }
      const meta = new Set(Object.values(node.config.snapshot_meta_column_names));
      const all = await wh.columns(t.schema, t.identifier);
      const history = all.filter((x) => !meta.has(x.name));
      const staged = (await wh.columns(null, staging, true)).filter((x) => !meta.has(x.name));
      const hasDeleted = all.some((x) => x.name === node.config.snapshot_meta_column_names.dbt_is_deleted);
      const statements = applySnapshot(node, work.relation, history, staged, hasDeleted, post);
      const rows = await wh.transaction(async () => {
        let total = 0;
        for (const s of statements) {
          const n = await wh.execute(s);
          if (s.countsRows) total += n ?? 0;
        }
        return total;
      });
      return { rows };
    } finally {
      if (!wh.inRunTransaction) await wh.execute(stmt(`drop table if exists ${quoteIdent(staging)}`, 'cleanup')).catch(() => undefined);
    }
  },
};
