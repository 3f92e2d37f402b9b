import type { MaterializationSpec, ModelNode } from '../parse/nodes.js';
import { quoteIdent, quoteLiteral } from '../util/sql.js';
import { commonType, widens } from './column-types.js';
import { tablePlan } from './table.js';
import { executePlan, hooks, hooksOf, NodeFailure, stmt, type Column, type Materialization, type Statement, type StatementPlan } from './types.js';

type IncrementalSpec = Extract<MaterializationSpec, { kind: 'incremental' }>;

/**
 * The temp table holding a run's new rows. Temp tables live in DuckDB's connection-local `temp`
 * catalog (schema `main`): never in a user schema, and gone with the connection, so a crash
 * cannot leave one behind. Every statement names it fully qualified, so a user's relation of
 * the same name (a model may be called `etlx_new_x`) is never read, written or dropped.
 */
export function stagingName(modelName: string): string {
  return `etlx_new_${modelName}`;
}

export function stagingTable(modelName: string): string {
  return `temp.main.${quoteIdent(stagingName(modelName))}`;
}

/** Step 1: the new rows into a temp table (and the row count). */
export function stageNewRows(modelName: string, sql: string, pre: readonly string[]): StatementPlan {
  return {
    transactional: false,
    statements: [...hooks(pre), stmt(`create or replace temp table ${stagingTable(modelName)} as\n${sql}`, 'stage', true)],
  };
}

/** Duplicate keys among the new rows; a row back means the run must fail (MERGE would keep one silently). */
export function duplicateKeySql(modelName: string, uniqueKey: readonly string[]): string {
  const keys = uniqueKey.map(quoteIdent).join(', ');
  return `select ${keys}, count(*) as n from ${stagingTable(modelName)} group by ${keys} having count(*) > 1 order by n desc limit 5`;
}

/** Columns of a relation, in order: `catalog` is the database the run writes to. */
export function columnsSql(schema: string | null, name: string, temp = false): string {
  const where = temp
    ? `table_catalog = 'temp' and table_name = ${quoteLiteral(name)}`
    : `table_catalog = current_database() and table_schema = ${quoteLiteral(schema ?? 'main')} and table_name = ${quoteLiteral(name)}`;
  return `select column_name as name, data_type as type from information_schema.columns where ${where} order by ordinal_position`;
}

export type SchemaChange =
  | { readonly ok: true; readonly alters: readonly Statement[]; readonly columns: readonly string[]; readonly warnings?: readonly string[] }
  | { readonly ok: false; readonly message: string };

/**
 * What on_schema_change does with the difference between the table's columns and the new rows'.
 * Pure, so each mode is unit-tested without a database.
 */
export function planSchemaChange(relation: string, spec: IncrementalSpec, existing: readonly Column[], incoming: readonly Column[]): SchemaChange {
  const have = new Map(existing.map((c) => [c.name, c]));
  const come = new Map(incoming.map((c) => [c.name, c]));
  const added = incoming.filter((c) => !have.has(c.name));
  const removed = existing.filter((c) => !come.has(c.name));
  const shared = incoming.filter((c) => have.has(c.name)).map((c) => c.name);
  // A shared column whose new values would not fit its type exactly (INTEGER <- 10.75 stores 11).
  const retyped = incoming.flatMap((c) => {
    const h = have.get(c.name);
    return h && !widens(c.type, h.type) ? [{ name: c.name, from: h.type, to: c.type }] : [];
  });
  const lossy = retyped.map((t) => `column ${t.name} of ${relation} is ${t.from} but the new rows have ${t.to}: values are cast to ${t.from} and may be rounded or cut`);
  const warned = (r: Extract<SchemaChange, { ok: true }>): SchemaChange => (lossy.length > 0 ? { ...r, warnings: lossy } : r);
  if (added.length === 0 && removed.length === 0 && retyped.length === 0) return { ok: true, alters: [], columns: shared };
  switch (spec.onSchemaChange) {
    case 'ignore':
      return warned({ ok: true, alters: [], columns: shared });
    case 'fail':
      return {
        ok: false,
        message: `the new rows' columns differ from ${relation}: ${[
          added.length ? `added ${added.map((c) => c.name).join(', ')}` : '',
          removed.length ? `removed ${removed.map((c) => c.name).join(', ')}` : '',
          retyped.length ? `changed type of ${retyped.map((t) => `${t.name} (${t.from} -> ${t.to})`).join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ')} (on_schema_change: fail). Set on_schema_change to append_new_columns or sync_all_columns, or run with --full-refresh`,
      };
    case 'append_new_columns':
      return warned({
        ok: true,
        alters: added.map((c) => stmt(`alter table ${relation} add column ${quoteIdent(c.name)} ${c.type}`, 'alter')),
        columns: [...shared, ...added.map((c) => c.name)],
      });
    case 'sync_all_columns': {
      const keys = new Set(spec.uniqueKey);
      const droppedKey = removed.find((c) => keys.has(c.name));
      if (droppedKey) return { ok: false, message: `column ${droppedKey.name} is part of unique_key and cannot be dropped by sync_all_columns` };
      // A changed type becomes one that holds both the old values and the new ones; where there
      // is none (VARCHAR -> INTEGER), the run fails rather than cast the table's values lossily.
      const retypes: Statement[] = [];
      for (const t of retyped) {
        const to = commonType(t.from, t.to);
        if (!to) {
          return {
            ok: false,
            message: `column ${t.name} of ${relation} is ${t.from} and the new rows have ${t.to}; no type holds both without losing values, so sync_all_columns cannot change it. Cast the column in the model's SELECT, or run with --full-refresh`,
          };
        }
        retypes.push(stmt(`alter table ${relation} alter column ${quoteIdent(t.name)} set data type ${to}`, 'alter'));
      }
      return {
        ok: true,
        alters: [
          ...added.map((c) => stmt(`alter table ${relation} add column ${quoteIdent(c.name)} ${c.type}`, 'alter')),
          ...removed.map((c) => stmt(`alter table ${relation} drop column ${quoteIdent(c.name)}`, 'alter')),
          ...retypes,
        ],
        columns: [...shared, ...added.map((c) => c.name)],
      };
    }
    default: {
      const never: never = spec.onSchemaChange;
      throw new Error(`unknown on_schema_change ${String(never)}`);
    }
  }
}

/** Step 2, in one transaction: schema changes, then the strategy, then the hooks. */
export function applyNewRows(
  relation: string,
  modelName: string,
  spec: IncrementalSpec,
  change: Extract<SchemaChange, { ok: true }>,
  post: readonly string[],
): StatementPlan {
  const tmp = stagingTable(modelName);
  const cols = change.columns.map(quoteIdent).join(', ');
  const insert = stmt(`insert into ${relation} (${cols})\nselect ${cols} from ${tmp}`, 'insert', true);
  const keys = spec.uniqueKey.map(quoteIdent);
  const on = keys.map((k) => `target.${k} is not distinct from source.${k}`).join(' and ');
  let body: Statement[];
  switch (spec.strategy) {
    case 'append':
      body = [insert];
      break;
    case 'delete+insert':
      body = [stmt(`delete from ${relation} as target using ${tmp} as source\nwhere ${on}`, 'delete'), insert];
      break;
    case 'merge': {
      const updates = change.columns.filter((c) => !spec.uniqueKey.includes(c)).map((c) => `${quoteIdent(c)} = source.${quoteIdent(c)}`);
      body = [
        stmt(
          `merge into ${relation} as target\nusing (select ${cols} from ${tmp}) as source\non (${on})\n` +
            (updates.length > 0 ? `when matched then update set ${updates.join(', ')}\n` : '') +
            `when not matched then insert (${cols}) values (${change.columns.map((c) => `source.${quoteIdent(c)}`).join(', ')})`,
          'merge',
          true,
        ),
      ];
      break;
    }
    default: {
      const never: never = spec.strategy;
      throw new Error(`unknown strategy ${String(never)}`);
    }
  }
  return { transactional: true, statements: [...change.alters, ...body, ...hooks(post)] };
}

/** An incremental run's OK line says what its strategy did, not "created". */
const STRATEGY_VERB: Readonly<Record<string, string>> = { merge: 'merged into', append: 'appended to', 'delete+insert': 'inserted into' };

export function dropStaging(modelName: string): Statement {
  return stmt(`drop table if exists ${stagingTable(modelName)}`, 'cleanup');
}

/**
 * First run (or a full refresh): the table is built like a table model. Later runs stage the new
 * rows, refuse duplicate keys, reconcile the columns (on_schema_change), then apply the strategy
 * in one transaction.
 */
export const incremental: Materialization<ModelNode> = {
  async run(work, wh) {
    const m = work.node;
    if (m.mat.kind !== 'incremental') throw new Error(`${m.name} is not incremental`);
    const mat = m.mat;
    const { pre, post } = hooksOf(work);
    const t = work.target!;
    const existing = wh.exists(t.schema, t.identifier);
    if (existing?.type !== 'table' || work.fullRefresh) {
      const rows = await executePlan(wh, tablePlan(work.relation, work.compiled!.sql, existing, pre, post));
      return rows === undefined ? {} : { rows };
    }
    const sql = work.compiled!.incremental!.sql;
    try {
      await executePlan(wh, stageNewRows(m.name, sql, pre));
      if (mat.strategy !== 'append' && mat.uniqueKey.length > 0) {
        const dups = await wh.query(duplicateKeySql(m.name, mat.uniqueKey));
        if (dups.length > 0) {
          const shown = dups.map((d) => `${mat.uniqueKey.map((k) => `${k}=${String(d[k])}`).join(', ')} (${String(d.n)} rows)`).join('; ');
          throw new NodeFailure({
            code: 'E_DUPLICATE_KEY',
            message: `duplicate unique_key values in the new rows of ${m.name}: ${shown}`,
            hint: `make ${mat.uniqueKey.join(', ')} unique in the model's SELECT (e.g. qualify row_number() over (partition by ${mat.uniqueKey.join(', ')} order by ...) = 1); ${work.relation} was left unchanged`,
          });
        }
      }
      const have = await wh.columns(t.schema, t.identifier);
      const come = await wh.columns(null, stagingName(m.name), true);
      const change = planSchemaChange(work.relation, mat, have, come);
      if (!change.ok) throw new NodeFailure({ code: 'E_SCHEMA_CHANGE', message: `${m.name}: ${change.message}` });
      const rows = await executePlan(wh, applyNewRows(work.relation, m.name, mat, change, post));
      const warnings = change.warnings ?? [];
      return { ...(rows === undefined ? {} : { rows }), verb: STRATEGY_VERB[mat.strategy], ...(warnings.length > 0 ? { warnings } : {}) };
    } finally {
      // Always dropped, also under --atomic (where one connection runs every node): while it
      // exists, an unqualified or main-qualified name of the same spelling resolves to it. After
      // a failed statement under --atomic the drop fails with the aborted transaction, and the
      // temp table goes with the rollback.
      await wh.execute(dropStaging(m.name)).catch(() => undefined);
    }
  },
};
